"""OpenRosa submissions in the library: stored once, personal answers sealed at the door,
and every kind of bad input refused with nothing written."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from syrmak.collect import forms, submissions
from syrmak.errors import SyrmakError
from syrmak.store import schema
from tests.collect.conftest import GOOD, submission

CONTACT = GOOD["contact"]


def counts(study) -> dict:
    with study.engine.connect() as connection:
        return {t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in (schema.respondents, schema.imports, schema.answer_columns,
                          schema.contacts, schema.events)}


def store_text(study) -> str:
    """Every stored cell of every table, as text."""
    with study.engine.connect() as connection:
        return "\n".join(repr(tuple(row)) for table in schema.metadata.sorted_tables
                         for row in connection.execute(sa.select(table)).all())


def test_a_submission_is_one_respondent_with_its_contact_sealed(published):
    study, _ = published
    receipt = submissions.receive(study, submission(study, GOOD, "abc-1"))
    assert (receipt.respondent, receipt.instance_id, receipt.contacts_sealed) == \
        (1, "uuid:abc-1", 1)
    frame = study.responses()
    assert frame.loc[1, "kind"] == "Зарегистрированная организация"
    assert frame.loc[1, "staff"] == 12
    assert frame.loc[1, "story"] == "Трудно работать онлайн."
    assert "contact" not in frame.columns or frame["contact"].isna().all()
    found = study.contacts()
    assert found.table["value"].tolist() == [CONTACT]
    assert CONTACT not in store_text(study)
    assert "70155512" not in store_text(study).replace(" ", "")


def test_a_contact_typed_into_an_ordinary_answer_is_held_in_the_vault(published):
    study, _ = published
    submissions.receive(study, submission(study, {**GOOD, "story": "пишите anna@example.org"}))
    assert pd.isna(study.responses().loc[1, "story"])
    assert "anna@example.org" not in store_text(study)
    table = study.contacts().table
    assert sorted(table["kind"]) == ["personal", "quarantine"]


def test_a_replayed_instance_id_changes_nothing(published):
    study, _ = published
    xml = submission(study, GOOD, "same")
    submissions.receive(study, xml)
    before = counts(study)
    with pytest.raises(SyrmakError) as caught:
        submissions.receive(study, submission(study, {**GOOD, "kind": "independent"}, "same"))
    assert caught.value.code == "duplicate-submission"
    assert counts(study) == before
    assert study.responses().loc[1, "kind"] == "Зарегистрированная организация"


def _billion_laughs() -> bytes:
    return (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<data id="test_form" version="1"><story>&b;</story></data>')


def _external_entity() -> bytes:
    return (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<data id="test_form" version="1"><story>&x;</story></data>')


def _deep() -> bytes:
    return b'<data id="test_form" version="1">' + b"<about>" * 40 + b"</about>" * 40 + b"</data>"


BAD = [
    # (case, builds the XML from the study, expected code, words of the message)
    ("malformed", lambda s: b"<data id='test_form' version='1'><kind>cso</data>",
     "bad-submission", "not well-formed"),
    ("not xml", lambda s: b"\x00\x01 hello", "bad-submission", "not well-formed"),
    ("entity expansion", lambda s: _billion_laughs(), "bad-submission", "DTD"),
    ("external entity", lambda s: _external_entity(), "bad-submission", "DTD"),
    ("oversized", lambda s: submission(s, {**GOOD, "story": "x" * (600 * 1024)}),
     "submission-too-large", "larger than"),
    ("too deep", lambda s: _deep(), "submission-too-large", "nested too deeply"),
    ("long field", lambda s: submission(s, {**GOOD, "story": "слово " * 5000}),
     "submission-too-large", "longer than"),
    ("unknown form", lambda s: submission(s, GOOD).replace(b'id="test_form"', b'id="other"'),
     "unknown-form", "does not have"),
    ("unknown version", lambda s: submission(s, GOOD).replace(b'version="1"', b'version="9"'),
     "unknown-form", "does not have"),
    ("wrong choice", lambda s: submission(s, {**GOOD, "kind": "+77015551234"}),
     "bad-submission", "'kind' is not one of its choices"),
    ("wrong multiple choice", lambda s: submission(s, {**GOOD, "sphere": "rights sports"}),
     "bad-submission", "'sphere' is not one of its choices"),
    ("not an integer", lambda s: submission(s, {**GOOD, "staff": "12.5"}),
     "bad-submission", "not a whole number"),
    ("not a number", lambda s: submission(s, {**GOOD, "budget": "NaN"}),
     "bad-submission", "not a number"),
    ("not a date", lambda s: submission(s, {**GOOD, "founded": "2015-13-45"}),
     "bad-submission", "not a date"),
    ("required missing", lambda s: submission(s, {**GOOD, "kind": ""}),
     "bad-submission", "'kind' is required"),
    ("unknown field", lambda s: submission(s, GOOD).replace(b"<contact>", b"<ip>1.2.3.4</ip><contact>"),
     "bad-submission", "field 'ip'"),
    ("no instanceID", lambda s: submission(s, GOOD).replace(b"<instanceID>", b"<other>")
     .replace(b"</instanceID>", b"</other>"), "bad-submission", "instanceID"),
]


@pytest.mark.parametrize(("case", "build", "code", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_writes_nothing(published, case, build, code, words):
    study, _ = published
    submissions.receive(study, submission(study, GOOD))  # one good one already there
    before = counts(study)
    with pytest.raises(SyrmakError) as caught:
        submissions.receive(study, build(study))
    assert caught.value.code == code
    assert words in caught.value.message
    assert counts(study) == before
    # The refusal never echoes what was sent (a contact typed where it does not belong).
    assert "7701555" not in str(caught.value).replace(" ", "")


def test_a_closed_form_takes_no_answers(published):
    study, _ = published
    xml = submission(study, GOOD)
    forms.close(study)
    before = counts(study)
    with pytest.raises(SyrmakError) as caught:
        submissions.receive(study, xml)
    assert caught.value.code == "form-closed"
    assert counts(study) == before


def test_answers_to_an_older_open_version_are_refused_once_a_new_one_is_out(published, form_path):
    study, _ = published
    old = submission(study, GOOD)
    forms.publish(study, form_path)
    with pytest.raises(SyrmakError) as caught:
        submissions.receive(study, old)
    assert caught.value.code == "form-closed"
    assert submissions.receive(study, submission(study, GOOD, number=2)).form_version == 2
