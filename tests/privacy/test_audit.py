"""The audit trail: sensitive acts leave chained entries the store refuses to change."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.privacy import audit
from syrmak.store import schema
from syrmak.workspace import people

CONTACT = "audited.person@example.org"
ROWS = (
    "kind,sphere,story,contact,staff\n"
    f"cso,rights,Обычный ответ,{CONTACT},3\n"
    "independent,eco women,Другой ответ,second@example.org,7\n"
)


@pytest.fixture
def answered(study, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(ROWS, encoding="utf-8")
    study.import_responses(path)
    return study


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _acts(study):
    return [e.action for e in audit.entries(study)]


@pytest.mark.parametrize("act, action", [
    (lambda s, tmp: s.contacts(), "contacts-read"),
    (lambda s, tmp: _cli("quarantine", "list", s.folder), "quarantine-list"),
    (lambda s, tmp: s.withdraw(2), "withdraw"),
    (lambda s, tmp: _cli("responses", s.folder, "-o", tmp / "out.csv"), "export"),
    (lambda s, tmp: _cli("freq", s.folder, "kind", "--format", "csv", "-o", tmp / "f.csv"),
     "export"),
    (lambda s, tmp: people.verify_password(s, "nobody", "wrong password"), "login-failed"),
])
def test_sensitive_acts_leave_an_entry_and_the_chain_verifies(answered, tmp_path, act, action):
    before = len(audit.entries(answered))
    act(answered, tmp_path)
    found = audit.entries(answered)
    assert [e.action for e in found[before:]] == [action]
    assert audit.verify(answered).ok
    # No contact in any entry, whatever the act touched.
    assert CONTACT not in json.dumps([e.__dict__ for e in found], ensure_ascii=False)


def test_a_failed_login_does_not_log_an_unknown_typed_name(answered):
    people.verify_password(answered, "my-secret-passw0rd", "x")
    entry = audit.entries(answered, action="login-failed")[-1]
    assert entry.actor == "unknown" and "my-secret" not in json.dumps(entry.detail)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET detail = '{}'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
])
def test_the_store_refuses_to_change_the_trail(answered, statement):
    answered.contacts()
    if answered.engine.dialect.name == "sqlite" and statement.startswith("TRUNCATE"):
        statement = "DELETE FROM audit_log WHERE id > 0"  # SQLite's truncating form
    refused = pytest.raises(sa.exc.DatabaseError, match="append-only")
    with refused, answered.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    assert len(audit.entries(answered)) == 1 and audit.verify(answered).ok


def _behind_syrmaks_back(study, statement: str) -> None:
    """What someone with the database file (or the table's owner) could do."""
    with study.engine.begin() as connection:
        if study.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        connection.exec_driver_sql(statement)


@pytest.mark.parametrize("statement, reason", [
    ("UPDATE audit_log SET detail = '{\"entries\": 0}' WHERE id = {second}", "edited"),
    ("UPDATE audit_log SET actor = 'someone-else' WHERE id = {second}", "edited"),
    ("DELETE FROM audit_log WHERE id = {second}", "removed"),
    ("UPDATE audit_log SET at = '2020-01-01T00:00:00.000000+00:00' WHERE id = {second}",
     "edited"),
])
def test_verify_names_the_first_entry_edited_behind_syrmaks_back(answered, statement, reason):
    for _ in range(4):
        answered.contacts()
    ids = [e.id for e in audit.entries(answered)]
    assert _cli("audit", answered.folder, "--verify").exit_code == 0
    _behind_syrmaks_back(answered, statement.replace("{second}", str(ids[1])))
    result = audit.verify(answered)
    assert not result.ok and reason in result.reason
    # A removed entry shows as the one after it no longer following its predecessor.
    assert result.broken.id == (ids[2] if reason == "removed" else ids[1])
    run = CliRunner().invoke(main, ["audit", str(answered.folder), "--verify"])
    assert run.exit_code == 2 and f"broken at entry {result.broken.id}" in run.output


def test_the_trail_cannot_fork(answered):
    answered.contacts()
    head = audit.entries(answered)[-1]
    row = {"at": head.at, "actor": "x", "action": "contacts-read", "target": "",
           "detail": "{}", "prev_hash": head.prev_hash, "hash": "f" * 64}
    with pytest.raises(sa.exc.IntegrityError), answered.engine.begin() as connection:
        connection.execute(sa.insert(schema.audit_log), row)


def test_list_filters_by_action_actor_and_time(answered):
    answered.contacts(actor="amina")
    answered.withdraw(1, actor="daulet")
    assert [e.action for e in audit.entries(answered, actor="daulet")] == ["withdraw"]
    assert [e.actor for e in audit.entries(answered, action="contacts-read")] == ["amina"]
    assert audit.entries(answered, since="2999-01-01") == []
    assert len(audit.entries(answered, until="2999-01-01")) == 2
    listed = _cli("audit", answered.folder, "--action", "withdraw")
    assert "withdraw 1" in listed.output and "contacts-read" not in listed.output
    bad = CliRunner().invoke(main, ["audit", str(answered.folder), "--since", "yesterday"])
    assert bad.exit_code == 1 and "2026-11-29" in bad.output
