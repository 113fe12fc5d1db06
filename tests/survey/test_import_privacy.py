"""Contacts go to the vault only: never into the store's bytes, the event log, the import
result or any message; contact-like answers elsewhere are flagged without being shown."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import schema
from tests.survey.test_import_support import RU, store_dump, write_csv

CONTACTS = ["+7 701 555 12 34", "aigerim.activist@example.org", "8 (727) 300-20-10",
            "Телеграм @erlan_kz, erlan@example.kz"]
HEADER = ["Отметка времени", RU["kind"], RU["story"], RU["contact"]]


def rows():
    return [HEADER] + [[f"2{i}.09.2021 10:00:00", "Независимый активист", f"История {i}", c]
                       for i, c in enumerate(CONTACTS)]


def test_contacts_leave_no_trace_outside_the_vault(study, tmp_path):
    result = study.import_responses(write_csv(tmp_path / "g.csv", rows()))
    assert result.contacts_stored == len(CONTACTS)
    assert study.contacts().table["value"].tolist() == CONTACTS
    dump = store_dump(study)
    with study.engine.connect() as connection:
        events = " ".join(connection.execute(sa.select(schema.events.c.detail)).scalars())
    text_out = repr(result) + result.summary() + " ".join(result.notes + result.warnings)
    for contact in CONTACTS:
        for piece in {contact, contact.split(",")[-1].strip(), contact.replace(" ", "")}:
            assert piece.encode("utf-8") not in dump, piece
            assert piece not in events and piece not in text_out
    # The answers themselves are there.
    assert "История 1".encode() in dump


def test_contact_like_answers_elsewhere_are_flagged_without_the_value(study, tmp_path):
    leaked = ["звоните +7 777 123 45 67", "пишите mira@example.org", "обычный ответ",
              "в 2021-09-15 10:23 было 1234 человека"]
    data = [[RU["kind"], RU["story"]]] + [["Независимый активист", s] for s in leaked]
    result = study.import_responses(write_csv(tmp_path / "open.csv", data))
    assert len(result.warnings) == 2
    phone, email = sorted(result.warnings, key=lambda w: "e-mail" in w)
    assert "row 2" in phone and "phone number" in phone and RU["story"] in phone
    assert "row 3" in email and "e-mail" in email
    for warning in result.warnings:
        assert "+7 777" not in warning and "mira@" not in warning and "personal_data" in warning


def test_error_messages_do_not_show_contacts(study, tmp_path):
    data = [[RU["kind"], RU["contact"]], ["Independent activist", "+7 701 555 12 34"],
            ["", "secret@example.org"]]
    with pytest.raises(SyrmakError) as caught:
        study.import_responses(write_csv(tmp_path / "g.csv", data))
    assert caught.value.code == "missing-required"
    assert "secret@example.org" not in str(caught.value)
    misaligned = [["kind", "story"], ["cso", "x", "hidden@example.org"]]
    with pytest.raises(SyrmakError) as caught:
        study.import_responses(write_csv(tmp_path / "m.csv", misaligned))
    assert "hidden@example.org" not in str(caught.value)
    assert study.respondent_count == 0
