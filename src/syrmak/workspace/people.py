"""Researchers: accounts with a role, argon2id passwords, and what each role may do.

Roles: an ``owner`` does everything (users, restructuring the codebook, adjudicating,
building the report); a ``coder`` codes as themselves, adds codes, writes memos and
translations; a ``viewer`` reads. A researcher's name is the coder name on their codings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual.lookup import now
from syrmak.store import schema

if TYPE_CHECKING:
    from syrmak.study import Study

ROLES = ("owner", "coder", "viewer")
LANGUAGES = ("en", "ru")

#: What each act needs. Adding a code is open coding (and in-vivo codes), so coders may;
#: reshaping the codebook others code with (rename, move, merge, delete) is the owner's.
PERMISSIONS = {
    "read": {"owner", "coder", "viewer"},
    "code": {"owner", "coder"},
    "memo": {"owner", "coder"},
    "add-code": {"owner", "coder"},
    "translate": {"owner", "coder"},
    # Correcting, splitting, merging and relabelling transcripts (the transcript editor).
    "transcript": {"owner", "coder"},
    "codebook": {"owner"},
    "adjudicate": {"owner"},
    "report": {"owner"},
    "interviewees": {"owner"},
    "users": {"owner"},
    "uncode-others": {"owner"},
}


@dataclass(frozen=True)
class Researcher:
    id: int
    name: str
    role: str
    language: str | None = None
    blind: bool = False
    has_password: bool = False

    def may(self, action: str) -> bool:
        return self.role in PERMISSIONS[action]


def require(who: Researcher | None, action: str) -> Researcher:
    """The researcher, if their role allows ``action``; ``SyrmakError(code='forbidden')``
    otherwise. Called by every workspace function, not only by pages."""
    if who is None:
        raise SyrmakError("you are not signed in.", "sign in first.", code="forbidden")
    if not who.may(action):
        raise SyrmakError(f"{who.name} ({who.role}) may not do this ({action}).",
                          "ask an owner of the study to change your role.", code="forbidden")
    return who


@lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher

    # argon2-cffi's defaults are RFC 9106's low-memory choice for argon2id.
    return PasswordHasher()


def hash_password(password: str, name: str = "") -> str:
    from syrmak.store.vault import check_passphrase

    try:
        check_passphrase(password, (name,))
    except SyrmakError as exc:
        raise SyrmakError(exc.message.replace("passphrase", "password"), exc.hint,
                          code="weak-password") from None
    return _hasher().hash(password)


def _row_to_researcher(row) -> Researcher:
    return Researcher(row.id, row.name, row.role, row.language, bool(row.blind),
                      row.password_hash is not None)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise SyrmakError(f"'{role}' is not a role.", f"use one of {', '.join(ROLES)}.",
                          code="bad-role", value=role)
    return role


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 255 or any(c in name for c in "\n\r\t"):
        raise SyrmakError(f"'{name}' is not a usable name.",
                          "give 1-255 characters on one line (it becomes the coder name).",
                          code="bad-name", value=name)
    return name


def get_researcher(study: Study, name: str) -> Researcher:
    r = schema.researchers
    with study.engine.connect() as connection:
        row = connection.execute(sa.select(r).where(r.c.name == name)).first()
    if row is None:
        raise SyrmakError(f"there is no researcher '{name}'.",
                          "list them with 'syrmak users list DIR'.", code="unknown-user",
                          value=name)
    return _row_to_researcher(row)


def researcher_by_id(connection: sa.Connection, researcher_id: int) -> Researcher | None:
    r = schema.researchers
    row = connection.execute(sa.select(r).where(r.c.id == researcher_id)).first()
    return _row_to_researcher(row) if row is not None else None


def list_researchers(study: Study, by: Researcher | None = None) -> tuple[Researcher, ...]:
    """Everyone with an account; from the workspace (``by``), an owner's view."""
    if by is not None:
        require(by, "users")
    r = schema.researchers
    with study.engine.connect() as connection:
        rows = connection.execute(sa.select(r).order_by(r.c.name)).all()
    return tuple(_row_to_researcher(x) for x in rows)


def _owners(connection: sa.Connection) -> int:
    r = schema.researchers
    return connection.execute(sa.select(sa.func.count()).select_from(r)
                              .where(r.c.role == "owner")).scalar_one()


def add_researcher(study: Study, name: str, role: str, *, password: str | None = None,
                   language: str | None = None, by: Researcher | None = None) -> Researcher:
    """Add an account. The first researcher of a study may be added by anyone who can open
    the store (the command line); after that only an owner adds people."""
    name, role = _check_name(name), _check_role(role)
    language = _check_language(language)
    hashed = hash_password(password, name) if password is not None else None
    r = schema.researchers
    with study.engine.begin() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(r)).scalar_one()
        if count and by is not None:
            require(by, "users")
        if connection.execute(sa.select(r.c.id).where(r.c.name == name)).first():
            raise SyrmakError(f"there is already a researcher '{name}'.",
                              "choose another name, or change their role with "
                              "'syrmak users role'.", code="duplicate-user", value=name)
        connection.execute(sa.insert(r), {"name": name, "role": role, "password_hash": hashed,
                                          "language": language, "blind": False,
                                          "created_at": now()})
        study.log("user-add", {"name": name, "role": role}, by.name if by else None, connection)
    return get_researcher(study, name)


def ensure_researcher(study: Study, name: str, role: str = "owner") -> Researcher:
    """The researcher ``name``, added with ``role`` if missing (the laptop's own user)."""
    try:
        return get_researcher(study, name)
    except SyrmakError:
        return add_researcher(study, name, role)


def update_researcher(study: Study, name: str, *, role: str | None = None,
                      password: str | None = None, by: Researcher | None = None) -> Researcher:
    """Change a role or a password; an owner's act (or the command line's, ``by=None``).
    The last owner cannot be demoted: a study with no owner cannot manage its people."""
    if by is not None:
        require(by, "users")
    target = get_researcher(study, name)
    values: dict = {}
    if role is not None:
        values["role"] = _check_role(role)
    if password is not None:
        values["password_hash"] = hash_password(password, name)
    r = schema.researchers
    with study.engine.begin() as connection:
        if values.get("role", "owner") != "owner" and target.role == "owner" \
                and _owners(connection) == 1:
            raise SyrmakError(f"{name} is the study's only owner.",
                              "make someone else an owner first.", code="last-owner")
        connection.execute(sa.update(r).where(r.c.id == target.id).values(**values))
        if "password_hash" in values or values.get("role", target.role) != target.role:
            # A new password or a lesser role ends the sessions opened under the old one.
            connection.execute(sa.delete(schema.web_sessions)
                               .where(schema.web_sessions.c.researcher_id == target.id))
        study.log("user-update", {"name": name, "fields": sorted(values)},
                  by.name if by else None, connection)
    return get_researcher(study, name)


def remove_researcher(study: Study, name: str, *, by: Researcher | None = None) -> None:
    """Remove an account (their codings stay, under their name)."""
    if by is not None:
        require(by, "users")
    target = get_researcher(study, name)
    r = schema.researchers
    with study.engine.begin() as connection:
        if target.role == "owner" and _owners(connection) == 1:
            raise SyrmakError(f"{name} is the study's only owner.",
                              "make someone else an owner first.", code="last-owner")
        connection.execute(sa.delete(schema.web_sessions)
                           .where(schema.web_sessions.c.researcher_id == target.id))
        connection.execute(sa.delete(r).where(r.c.id == target.id))
        study.log("user-remove", {"name": name}, by.name if by else None, connection)


def _check_language(language: str | None) -> str | None:
    if language in (None, ""):
        return None
    if language not in LANGUAGES:
        raise SyrmakError(f"'{language}' is not an interface language.",
                          f"use one of {', '.join(LANGUAGES)}.", code="bad-language",
                          value=language)
    return language


def set_preferences(study: Study, who: Researcher, *, language: object = ...,
                    blind: object = ...) -> Researcher:
    """A researcher's own settings: interface language, blind coding."""
    require(who, "read")
    values: dict = {}
    if language is not ...:
        values["language"] = _check_language(language)  # type: ignore[arg-type]
    if blind is not ...:
        values["blind"] = bool(blind)
    if values:
        r = schema.researchers
        with study.engine.begin() as connection:
            connection.execute(sa.update(r).where(r.c.id == who.id).values(**values))
    return get_researcher(study, who.name)


def verify_password(study: Study, name: str, password: str) -> Researcher | None:
    """The researcher when ``password`` is theirs; None otherwise (also for unknown names,
    after the same work, so timing does not tell which names exist)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    r = schema.researchers
    with study.engine.connect() as connection:
        row = connection.execute(sa.select(r).where(r.c.name == name)).first()
    hasher = _hasher()
    encoded = row.password_hash if row is not None and row.password_hash else _dummy_hash()
    try:
        hasher.verify(encoded, password)
        ok = row is not None and bool(row.password_hash)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        # The typed name is logged only when it is a researcher's: an unknown one may be a
        # mistyped password or anything else a person typed.
        study.log("login-failed", {"researcher": row.id if row is not None else None,
                                   "known": row is not None},
                  row.name if row is not None else "unknown")
        return None
    if hasher.check_needs_rehash(encoded):
        with study.engine.begin() as connection:
            connection.execute(sa.update(r).where(r.c.id == row.id)
                               .values(password_hash=hasher.hash(password)))
    return _row_to_researcher(row)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    import secrets

    return _hasher().hash(secrets.token_hex(16))
