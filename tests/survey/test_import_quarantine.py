"""The contact safety net on import: a contact-looking cell of any non-personal question is
quarantined (stored as missing, sealed in the vault) and never echoed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import schema
from syrmak.store.answers import read_columns
from tests.survey.test_import_support import RU, snapshot, store_dump, write_csv

PHONE_IN_NUMBER = "+7 701 999 88 77"
OTHER_WITH_HANDLE = "Права женщин, пишите @aigerim_kz"
SPELT_EMAIL = "name at mail dot ru"
HANDLE_AS_OPTION = "@tg_handle"
LINK = "t.me/someone_kz"
HELD = [PHONE_IN_NUMBER, OTHER_WITH_HANDLE, SPELT_EMAIL, HANDLE_AS_OPTION, LINK]
ROWS = [
    ["kind", "sphere", "staff", "budget", "story", "contact"],
    ["cso", "rights", PHONE_IN_NUMBER, "1 000 000", "Обычный ответ", ""],
    ["independent", OTHER_WITH_HANDLE, "5", "12,5", SPELT_EMAIL, ""],
    [HANDLE_AS_OPTION, "eco", "3", "", LINK, "real@example.org"],
]


def stored(study, *questions):
    """The stored values (choice names, numbers, texts) by respondent."""
    with study.engine.connect() as connection:
        return read_columns(connection, list(questions)).astype(object).where(
            lambda f: f.notna(), None)


def held(study):
    table = study.contacts(study.unlock()).table
    return table[table.kind == "quarantine"]


def _pieces(value: str) -> set[str]:
    """The value and the forms it could be stored in (digits only, the "Other" text)."""
    return {value, value.replace(" ", ""), value.split(", ")[-1], "77019998877"}


@pytest.fixture
def imported(study, tmp_path):
    result = study.import_responses(write_csv(tmp_path / "r.csv", ROWS), format="csv")
    return study, result


def test_contact_looking_cells_of_every_type_are_quarantined(imported):
    study, result = imported
    assert result.quarantined == 5 and result.contacts_stored == 1
    frame = stored(study, "kind", "sphere", "sphere_other", "staff", "budget", "story")
    # The phone in an integer question is not stored as the number 77019998877.
    assert frame["staff"].tolist() == [None, 5, 3]
    assert frame["budget"].tolist() == [1_000_000, 12.5, None]
    assert frame["story"].tolist() == ["Обычный ответ", None, None]
    assert frame["sphere"].tolist() == ["rights", None, "eco"]
    assert frame["sphere_other"].tolist() == [None, None, None]
    # A required question whose answer was held is not reported as unanswered.
    assert frame["kind"].tolist() == ["cso", "independent", None]
    table = held(study)
    assert sorted(zip(table.respondent, table.question, table.value, strict=True)) == [
        (1, "staff", PHONE_IN_NUMBER), (2, "sphere", OTHER_WITH_HANDLE), (2, "story", SPELT_EMAIL),
        (3, "kind", HANDLE_AS_OPTION), (3, "story", LINK)]
    assert "[r.csv, row 2, column 'staff']" in table.note.tolist()
    assert "[r.csv, row 4, column 'kind']" in table.note.tolist()


def test_quarantined_values_leave_no_trace_outside_the_vault(imported):
    study, result = imported
    dump = store_dump(study)
    with study.engine.connect() as connection:
        events = " ".join(connection.execute(sa.select(schema.events.c.detail)).scalars())
        notes = " ".join(n or "" for n in connection.execute(
            sa.select(schema.contacts.c.note)).scalars())
    said = repr(result) + result.summary() + " ".join(result.notes + result.warnings)
    for value in HELD:
        for piece in _pieces(value):
            assert piece.encode("utf-8") not in dump, piece
            assert piece not in events and piece not in notes and piece not in said, piece
    assert "Обычный ответ".encode() in dump


def test_warnings_say_where_what_and_how_to_release(imported):
    _, result = imported
    assert len(result.warnings) == 5
    staff = next(w for w in result.warnings if "'staff'" in w)
    assert staff.startswith("[r.csv, row 2, column 'staff']")
    assert "phone number" in staff and "syrmak quarantine release DIR 1 staff" in staff
    story = next(w for w in result.warnings if "row 3, column 'story'" in w)
    assert "e-mail" in story and "release DIR 2 story" in story
    assert "5 answers that look like contacts were quarantined" in result.summary()


def test_importing_the_same_file_again_holds_nothing_new(imported, tmp_path):
    study, _ = imported
    again = study.import_responses(tmp_path / "r.csv", format="csv")
    assert (again.added, again.quarantined, again.warnings) == (0, 0, ())
    assert len(held(study)) == 5


def test_an_import_whose_quarantine_cannot_be_sealed_writes_nothing(study, tmp_path):
    study.__dict__["recipient"] = None  # as if the vault could not seal
    before = snapshot(study)
    with pytest.raises(Exception):  # noqa: B017 -- any failure, as long as nothing is written
        study.import_responses(write_csv(tmp_path / "r.csv", ROWS[:2]), format="csv")
    assert snapshot(study) == before


# -- errors never show a contact -------------------------------------------------------------

def test_error_about_a_cell_masks_a_contact(study, tmp_path):
    rows = [["Отметка времени", RU["kind"]], [HANDLE_AS_OPTION, "Независимый активист"]]
    with pytest.raises(SyrmakError) as caught:
        study.import_responses(write_csv(tmp_path / "g.csv", rows))
    assert caught.value.code == "bad-time"
    assert "tg_handle" not in str(caught.value) and "looks like a contact" in str(caught.value)
    assert caught.value.location.value is None


def test_misaligned_row_masks_its_extra_field(study, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(f"kind,story\ncso,x,{LINK}\n", encoding="utf-8")
    with pytest.raises(SyrmakError) as caught:
        study.import_responses(path)
    assert LINK not in str(caught.value) and caught.value.location.value is None


def test_a_header_that_is_a_contact_is_not_repeated(study, tmp_path):
    rows = [["kind", "story", "aigerim@example.org"], ["cso", "x", "y"]]
    with pytest.raises(SyrmakError) as caught:
        study.import_responses(write_csv(tmp_path / "h.csv", rows), format="csv")
    assert "aigerim" not in str(caught.value)
    assert caught.value.location.column == "#3" and caught.value.location.value is None


def test_no_error_carries_a_contact_as_its_value():
    error = SyrmakError("bad cell", "fix it", code="x", value="+7 701 999 88 77")
    assert error.location.value is None
    assert SyrmakError("bad cell", value="cso").location.value == "cso"
