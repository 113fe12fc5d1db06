"""Codings stored in batches (``insert_codings``) and retrieved as before."""

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.qual.retrieval import retrieve
from syrmak.store import schema

TEXT = "Денег не было. Мы выгорали. Карантин мешал. Помогали друг другу."


@pytest.fixture
def study(new_study, monkeypatch):
    monkeypatch.setattr(cd, "_BATCH", 3)  # several batches from a handful of items
    s = new_study()
    qd.add_text(s, "a", TEXT)
    qd.add_text(s, "b", TEXT)
    cb.import_yaml(s, "codes: [{name: Трудности, codes: [Деньги, Выгорание]}, Карантин]")
    return s


def item(doc, start, end, code="Деньги", coder="anna", **more):
    return {"document": doc, "code": code, "start": start, "end": end, "coder": coder, **more}


def count(study) -> int:
    with study.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(schema.codings)).scalar()


def test_batches_keep_order_and_skip_duplicates(study):
    cd.code_span(study, "a", 0, 5, "Деньги", "anna")
    items = [  # batches of three
        item("a", 0, 5, skip_duplicates=True),  # stored before
        item("a", 15, 27, "Выгорание"),
        item("b", 15, 27, "Выгорание", weight=40, comment="x"),
        item("a", 15, 27, "Выгорание", skip_duplicates=True),  # in an earlier batch
        item("b", 28, 43, "Карантин"),
        item("b", 28, 43, "Карантин", skip_duplicates=True),  # in this batch
        item("a", 15, 27, "Выгорание", coder="bob"),
        item("a", 0, 14),
    ]
    with study.engine.begin() as connection:
        ids = cd.insert_codings(study, connection, (x for x in items), "anna")
    assert len(ids) == 5 and ids == sorted(ids)
    got = [cd.get_coding(study, i) for i in ids]
    assert [(c.document, c.start, c.end, c.coder) for c in got] == [
        ("a", 15, 27, "anna"), ("b", 15, 27, "anna"), ("b", 28, 43, "anna"),
        ("a", 15, 27, "bob"), ("a", 0, 14, "anna")]
    assert (got[1].weight, got[1].comment, got[0].text) == (40, "x", "Мы выгорали.")
    # The span coded by anna and bob is one segment of two codings.
    rows = retrieve(study, "Выгорание").rows
    assert [(r["document"], r["text"], r["coders"]) for r in rows] == [
        ("a", "Мы выгорали.", "anna; bob"), ("b", "Мы выгорали.", "anna")]
    assert rows[0]["codings"] == f"{ids[0]},{ids[3]}"
    assert rows[1]["weight"] == 40 and rows[1]["comment"] == "x"


@pytest.mark.parametrize("earlier", [0, 1, 4])  # same batch, or an earlier batch
def test_duplicate_names_the_stored_coding(study, earlier):
    items = [item("a", i, i + 2) for i in range(5)]
    items.insert(5, item("a", earlier, earlier + 2))
    with pytest.raises(SyrmakError, match="already coded") as info, study.engine.begin() as c:
        cd.insert_codings(study, c, items)
    assert f"(coding {earlier + 1})" in info.value.message  # ids count from 1
    assert count(study) == 0  # the caller's transaction rolled back


def test_first_bad_item_is_reported(study):
    items = [item("a", 0, 2), item("a", 0, 2), item("a", 5, 999), item("a", 0, 2, "Нет")]
    with pytest.raises(SyrmakError, match="already coded"), study.engine.begin() as c:
        cd.insert_codings(study, c, items)
    items = [item("a", 0, 2), item("a", 5, 999), item("a", 0, 2, "Нет")]
    with pytest.raises(SyrmakError, match="does not fit"), study.engine.begin() as c:
        cd.insert_codings(study, c, items)
    with pytest.raises(SyrmakError, match="no code 'Нет'"), study.engine.begin() as c:
        cd.insert_codings(study, c, [item("a", 0, 2), item("a", 0, 2, "Нет"), item("z", 0, 1)])
    with pytest.raises(SyrmakError, match="weight"), study.engine.begin() as c:
        cd.insert_codings(study, c, [item("a", 0, 2), item("a", 3, 4, weight=101)])
    assert count(study) == 0


def test_guids_stay_unique(study):
    guid = "9f1c2d3e-0000-4000-8000-000000000001"
    with study.engine.begin() as c:
        first = cd.insert_codings(study, c, [item("a", 0, 2, guid=guid),
                                             item("a", 3, 5, guid=guid)])
    with study.engine.begin() as c:
        second = cd.insert_codings(study, c, [item("a", 6, 8, guid=guid)])
    with study.engine.connect() as c:
        guids = dict(c.execute(sa.select(schema.codings.c.id, schema.codings.c.guid)).all())
    assert guids[first[0]] == guid
    assert len({guids[i] for i in first + second}) == 3
