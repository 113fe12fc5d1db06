"""Showing an interviewee's contact details is audited: one chained entry per decryption,
from the library and from ``syrmak interviews contacts``; the workspace never shows them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.interviews.selection import contacts, select
from syrmak.privacy import audit

CONTACT_1, CONTACT_3 = "first.person@example.org", "+7 700 111 22 33"
ROWS = ("kind,sphere,story,contact,staff\n"
        f"cso,rights,Ответ один,{CONTACT_1},3\n"
        "independent,eco,Ответ два,,7\n"
        f"cso,women,Ответ три,{CONTACT_3},2\n")


@pytest.fixture
def shortlisted(study, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(ROWS, encoding="utf-8")
    study.import_responses(path)
    select(study, [1, 2, 3], reason="strata")
    return study


def _reads(study):
    return audit.entries(study, action="interview-contact-read")


def test_each_decrypted_contact_leaves_an_audit_entry(shortlisted):
    table = contacts(shortlisted, shortlisted.unlock(), actor="amina")
    assert sorted(table["respondent"]) == [1, 3]
    found = _reads(shortlisted)
    assert sorted(e.target for e in found) == ["1", "3"]
    assert {e.actor for e in found} == {"amina"}
    assert audit.verify(shortlisted).ok
    text = json.dumps([e.__dict__ for e in audit.entries(shortlisted)], ensure_ascii=False)
    assert CONTACT_1 not in text and CONTACT_3 not in text


def test_the_cli_command_audits_each_decryption(shortlisted, key_dir):
    run = CliRunner().invoke(main, ["interviews", "contacts", str(shortlisted.folder)],
                             catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert CONTACT_1 in run.output
    assert sorted(e.target for e in _reads(shortlisted)) == ["1", "3"]
