import json

import pytest
import sqlalchemy as sa
import yaml

from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.store import schema

YAML = """
codes:
  - name: Трудности
    description: Что мешало работать
    colour: "#aa0000"
    memo: Главная тема отчёта.
    codes:
      - name: Финансирование
      - name: Выгорание
        colour: "#00aa00"
  - name: Поддержка
    codes:
      - Взаимопомощь
"""


def test_yaml_round_trip_and_tree(new_study, other_study):
    study = new_study()
    book = cb.import_yaml(study, YAML)
    assert book.paths() == ["Трудности", "Трудности/Финансирование", "Трудности/Выгорание",
                            "Поддержка", "Поддержка/Взаимопомощь"]
    assert book["Трудности/Выгорание"].colour == "#00AA00"
    assert book["Трудности"].memos == ("Главная тема отчёта.",)
    exported = yaml.safe_load(book.to_yaml())
    assert exported["codes"][0]["codes"][1] == {"name": "Выгорание", "colour": "#00AA00"}
    other = other_study("other")
    assert cb.import_yaml(other, book.to_yaml()).to_dict() == book.to_dict()
    # Importing again changes nothing.
    assert cb.import_yaml(study, YAML).to_dict() == book.to_dict()


@pytest.mark.parametrize("text, message", [
    ("codes: [{descr: x}]", "needs a 'name'"),
    ("codes:\n  - name: A\n    colour: red", "not a colour"),
    ("codes:\n  - name: A/B", "not a valid code name"),
    ("codes: [A, A]", "appears twice"),
    ("just: text", "top-level 'codes:'"),
    ("codes: [A\n", "not valid YAML"),
])
def test_bad_yaml_changes_nothing(new_study, text, message):
    study = new_study()
    cb.add_code(study, "Existing")
    with pytest.raises(SyrmakError, match=message):
        cb.import_yaml(study, text)
    assert cb.codebook(study).paths() == ["Existing"]


def test_rename_move_merge_keep_codings(new_study):
    study = new_study()
    qd.add_text(study, "doc", "Не было денег, и мы выгорали.")
    cb.import_yaml(study, YAML)
    a = cd.code_quote(study, "doc", "Не было денег", "Финансирование", "anna")
    b = cd.code_quote(study, "doc", "мы выгорали", "Выгорание", "anna")
    cd.code_quote(study, "doc", "мы выгорали", "Взаимопомощь", "anna")
    cd.code_quote(study, "doc", "Не было денег", "Взаимопомощь", "bob")

    cb.rename_code(study, "Финансирование", "Деньги")
    assert cd.get_coding(study, a.id).code == "Трудности/Деньги"
    cb.move_code(study, "Трудности/Деньги", None)
    assert cd.get_coding(study, a.id).code == "Деньги"
    with pytest.raises(SyrmakError, match="under itself"):
        cb.move_code(study, "Трудности", "Трудности/Выгорание")

    # Merging: bob's coding moves; anna's duplicate of b is dropped, not doubled.
    merged = cb.merge_codes(study, "Взаимопомощь", "Выгорание")
    assert merged.codings == 2
    frame = cd.codings_frame(study)
    assert sorted(frame.loc[frame.code == "Трудности/Выгорание", "coder"]) == ["anna", "bob"]
    assert "Поддержка/Взаимопомощь" not in cb.codebook(study).paths()
    assert cd.get_coding(study, b.id).text == "мы выгорали"

    with pytest.raises(SyrmakError, match="has 2 codings"):
        cb.delete_code(study, "Трудности")
    cb.delete_code(study, "Трудности", force=True)
    assert cb.codebook(study).paths() == ["Деньги", "Поддержка"]
    with study.engine.connect() as c:
        actions = [r.action for r in c.execute(sa.select(schema.events))]
        details = [json.loads(r.detail) for r in c.execute(
            sa.select(schema.events).where(schema.events.c.action == "code-merge"))]
    for action in ("code-add", "code-update", "code-move", "code-merge", "code-delete", "code"):
        assert action in actions
    assert details == [{"source": details[0]["source"], "target": details[0]["target"],
                        "moved": 1, "dropped": 1}]


def test_code_errors(new_study):
    study = new_study()
    cb.add_code(study, "A")
    cb.add_code(study, "A/x")
    cb.add_code(study, "B")
    cb.add_code(study, "B/x")
    with pytest.raises(SyrmakError, match="already a code"):
        cb.add_code(study, "A/x")
    with pytest.raises(SyrmakError, match="ambiguous"):
        cb.get_code(study, "x")
    with pytest.raises(SyrmakError, match="no code 'Q'"):
        cb.add_code(study, "Q/y")
    with pytest.raises(SyrmakError, match="already a code"):
        cb.rename_code(study, "B", "A")
    assert cb.get_code(study, "B/x").parent == "B"
    assert len(cb.codebook(study)) == 4
