"""Accounts, roles, passwords and sessions of the workspace."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import schema
from syrmak.workspace import people, sessions

STRONG = "correct horse battery staple 7"


@pytest.mark.parametrize(("role", "action", "allowed"), [
    ("owner", "codebook", True), ("owner", "users", True), ("owner", "adjudicate", True),
    ("coder", "code", True), ("coder", "add-code", True), ("coder", "codebook", False),
    ("coder", "users", False), ("coder", "adjudicate", False), ("coder", "report", False),
    ("viewer", "read", True), ("viewer", "code", False), ("viewer", "memo", False),
    ("viewer", "translate", False),
])
def test_roles(role, action, allowed):
    who = people.Researcher(1, "x", role)
    assert who.may(action) is allowed
    if allowed:
        assert people.require(who, action) is who
    else:
        with pytest.raises(SyrmakError) as info:
            people.require(who, action)
        assert info.value.code == "forbidden"


def test_passwords_are_argon2id_and_verified(new_study):
    study = new_study()
    people.add_researcher(study, "anna", "owner", password=STRONG)
    with study.engine.connect() as connection:
        stored = connection.execute(sa.select(schema.researchers.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and STRONG not in stored
    assert people.verify_password(study, "anna", STRONG).name == "anna"
    assert people.verify_password(study, "anna", STRONG + "x") is None
    assert people.verify_password(study, "nobody", STRONG) is None


def test_weak_password_refused(new_study):
    study = new_study()
    with pytest.raises(SyrmakError) as info:
        people.add_researcher(study, "anna", "owner", password="password123")
    assert info.value.code == "weak-password"


def test_only_owner_manages_people_and_last_owner_stays(new_study):
    study = new_study()
    owner = people.add_researcher(study, "olga", "owner")
    coder = people.add_researcher(study, "anna", "coder", by=owner)
    with pytest.raises(SyrmakError, match="may not") as info:
        people.add_researcher(study, "eve", "owner", by=coder)
    assert info.value.code == "forbidden"
    with pytest.raises(SyrmakError) as info:
        people.update_researcher(study, "olga", role="coder")
    assert info.value.code == "last-owner"
    assert people.update_researcher(study, "anna", role="viewer", by=owner).role == "viewer"


def test_sessions_keep_only_a_hash(new_study):
    study = new_study()
    anna = people.add_researcher(study, "anna", "coder")
    session_id = sessions.open_session(study, anna)
    with study.engine.connect() as connection:
        rows = connection.execute(sa.select(schema.web_sessions)).all()
    assert [r.id_hash for r in rows] == [hashlib.sha256(session_id.encode()).hexdigest()]
    found = sessions.find_session(study, session_id)
    assert found.researcher.name == "anna"
    assert found.csrf_ok(found.csrf_token) and not found.csrf_ok("nope") and not found.csrf_ok(None)
    assert sessions.find_session(study, "forged") is None
    # A new role ends the sessions opened under the old one.
    people.update_researcher(study, "anna", role="viewer")
    assert sessions.find_session(study, session_id) is None


def test_expired_session_is_no_session(new_study):
    from datetime import timedelta

    study = new_study()
    anna = people.add_researcher(study, "anna", "coder")
    session_id = sessions.open_session(study, anna, lifetime=timedelta(seconds=-1))
    assert sessions.find_session(study, session_id) is None


def test_login_is_logged(new_study):
    study = new_study()
    anna = people.add_researcher(study, "anna", "coder")
    sessions.open_session(study, anna)
    with study.engine.connect() as connection:
        actions = connection.execute(sa.select(schema.events.c.action)).scalars().all()
    assert "login" in actions and "user-add" in actions
