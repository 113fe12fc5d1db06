import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.store import schema

TEXT = "Мы 😷 работали онлайн — и выгорали. Ёжики."


@pytest.fixture
def coded(new_study):
    study = new_study()
    qd.add_text(study, "doc", TEXT)
    cb.add_code(study, "Онлайн")
    cb.add_code(study, "Выгорание")
    return study


def test_offsets_survive_non_ascii(coded):
    start = TEXT.index("работали")
    coding = cd.code_span(coded, "doc", start, start + len("работали онлайн"), "Онлайн", "anna",
                          weight=80, comment="ключевое")
    assert coding.text == "работали онлайн"
    # Counted in code points: the emoji before it is one position, not 2 (UTF-16) or 4 bytes.
    assert start == 5
    again = cd.get_coding(coded, coding.id)
    assert (again.start, again.end, again.coder, again.weight, again.comment) == (
        5, 20, "anna", 80, "ключевое")
    overlap = cd.code_quote(coded, "doc", "онлайн — и выгорали", "Выгорание", "anna")
    assert overlap.start < coding.end  # overlapping codings are allowed
    cd.add_memo(coded, "Надо сравнить с опросом", coding=coding.id, author="anna")
    cd.add_memo(coded, "Документ о работе", document="doc")
    cd.add_memo(coded, "Проект")
    frame = cd.memos(coded).to_frame()
    assert list(frame["coding"].fillna(0).astype(int)) == [coding.id, 0, 0]
    assert list(frame["document"].fillna("")) == ["", "doc", ""]
    cd.uncode(coded, coding.id)
    assert len(cd.memos(coded).memos) == 2


@pytest.mark.parametrize("start, end", [(-1, 3), (5, 5), (7, 3), (0, len(TEXT) + 1),
                                        (1.5, 4), ("1", 4), (True, 4)])
def test_nonsense_offsets_change_nothing(coded, start, end):
    with coded.engine.connect() as c:
        before = c.execute(sa.select(sa.func.count()).select_from(schema.events)).scalar()
    with pytest.raises(SyrmakError, match="does not fit"):
        cd.code_span(coded, "doc", start, end, "Онлайн", "anna")
    with coded.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(schema.codings)).scalar() == 0
        assert c.execute(sa.select(sa.func.count()).select_from(schema.events)).scalar() == before


def test_batch_is_all_or_nothing(coded):
    with pytest.raises(SyrmakError, match="no code 'Нет такого'"), coded.engine.begin() as c:
        cd.insert_codings(coded, c, [
            {"document": "doc", "code": "Онлайн", "start": 0, "end": 2, "coder": "a"},
            {"document": "doc", "code": "Нет такого", "start": 0, "end": 2, "coder": "a"}])
    assert cd.codings_frame(coded).empty
    with pytest.raises(SyrmakError, match="coder"):
        cd.code_span(coded, "doc", 0, 2, "Онлайн", "")
    with pytest.raises(SyrmakError, match="weight"):
        cd.code_span(coded, "doc", 0, 2, "Онлайн", "a", weight=101)
    cd.code_span(coded, "doc", 0, 2, "Онлайн", "a")
    with pytest.raises(SyrmakError, match="already coded"):
        cd.code_span(coded, "doc", 0, 2, "Онлайн", "a")
    with pytest.raises(SyrmakError, match="no document"):
        cd.code_span(coded, "missing", 0, 2, "Онлайн", "a")
    assert len(cd.codings_frame(coded)) == 1
