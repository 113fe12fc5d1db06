"""PostgreSQL: an app role that cannot rewrite the audit trail.

Triggers refuse UPDATE, DELETE and TRUNCATE on ``audit_log`` (migration 0010), but the
owner of a table may drop or disable its triggers. On a shared server the workspace should
therefore run as a role that owns nothing: it may read and write the study's tables as the
program needs, may only SELECT and INSERT on ``audit_log``, and, owning no table, can
neither drop the triggers nor ALTER the table. The tables' owner (the role that ran ``syrmak
init``/``syrmak migrate``) stays for migrations and is not used by the running server.

``grant_app_role`` sets this up for the study's schema; ``check_app_role`` says whether a
role's rights still match (e.g. after someone granted more by hand).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError

if TYPE_CHECKING:
    from syrmak.study import Study

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: What the app role may do on the audit trail, and what it must not.
AUDIT_ALLOWED = ("SELECT", "INSERT")
AUDIT_REFUSED = ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


@dataclass(frozen=True)
class Grant:
    role: str
    schema: str
    owner: str
    created: bool
    #: What is still wrong with the role (empty: it cannot rewrite the audit trail).
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def _postgres(study: Study) -> None:
    if study.engine.dialect.name != "postgresql":
        raise SyrmakError("an app role is a PostgreSQL matter: this study's store is "
                          f"{study.engine.dialect.name}.",
                          "a laptop study (SQLite) is protected by its triggers and the hash "
                          "chain; use this command on a PostgreSQL store.",
                          code="not-postgresql")


def _role_name(role: str) -> str:
    if not _ROLE.match(role):
        raise SyrmakError(f"'{role}' is not a plain PostgreSQL role name.",
                          "use lower-case letters, digits and _ (e.g. syrmak_app).",
                          code="bad-argument", value=role)
    return role


def _facts(connection: sa.Connection, role: str) -> tuple[str, str, bool]:
    """(schema, owner of audit_log, whether ``role`` exists)."""
    schema = connection.execute(sa.text("SELECT current_schema()")).scalar()
    owner = connection.execute(sa.text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = 'audit_log'"),
        {"s": schema}).scalar()
    if owner is None:
        raise SyrmakError(f"the schema '{schema}' has no audit_log table.",
                          "upgrade the store first: 'syrmak migrate DIR'.",
                          code="no-audit-table")
    exists = connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                {"r": role}).scalar() is not None
    return schema, owner, exists


def _problems(connection: sa.Connection, role: str, schema: str, owner: str) -> list[str]:
    out = []
    row = connection.execute(sa.text(
        "SELECT rolsuper, rolbypassrls, pg_has_role(:r, :o, 'MEMBER') AS member "
        "FROM pg_roles WHERE rolname = :r"), {"r": role, "o": owner}).first()
    if row is None:
        return [f"the role {role} does not exist"]
    if row.rolsuper:
        out.append(f"{role} is a superuser: it can do anything, triggers or not")
    if row.member:
        out.append(f"{role} is (or is a member of) {owner}, the owner of the tables: it can "
                   "drop the audit trail's triggers")
    table = f'"{schema}".audit_log'
    for privilege in AUDIT_REFUSED:
        if connection.execute(sa.text("SELECT has_table_privilege(:r, :t, :p)"),
                              {"r": role, "t": table, "p": privilege}).scalar():
            out.append(f"{role} has {privilege} on audit_log")
    for privilege in AUDIT_ALLOWED:
        if not connection.execute(sa.text("SELECT has_table_privilege(:r, :t, :p)"),
                                  {"r": role, "t": table, "p": privilege}).scalar():
            out.append(f"{role} lacks {privilege} on audit_log (the workspace must append)")
    return out


def check_app_role(study: Study, role: str) -> Grant:
    """Whether ``role`` may run the workspace without the power to rewrite the trail."""
    _postgres(study)
    role = _role_name(role)
    with study.engine.connect() as connection:
        schema, owner, exists = _facts(connection, role)
        problems = _problems(connection, role, schema, owner) if exists else [
            f"the role {role} does not exist"]
    return Grant(role, schema, owner, False, tuple(problems))


def grant_app_role(study: Study, role: str, *, create: bool = False,
                   actor: str | None = None) -> Grant:
    """Give ``role`` what the workspace needs on the study's schema and no more on the audit
    trail: SELECT and INSERT there, nothing that changes or removes an entry. Run it as the
    tables' owner, after every ``syrmak migrate`` (new tables get the rights by default
    privileges too). ``create``: make the role (LOGIN, no password) when it is missing."""
    _postgres(study)
    role = _role_name(role)
    created = False
    with study.engine.begin() as connection:
        schema, owner, exists = _facts(connection, role)
        me = connection.execute(sa.text("SELECT current_user")).scalar()
        if not connection.execute(sa.text("SELECT pg_has_role(current_user, :o, 'MEMBER')"),
                                  {"o": owner}).scalar():
            raise SyrmakError(f"{me} does not own the study's tables (their owner is {owner}).",
                              f"run this as {owner}, with the study's owner URL.",
                              code="not-owner")
        if role in (owner, me):
            raise SyrmakError(f"{role} owns the tables; the app role must be another one.",
                              "name a separate role, e.g. --app-role syrmak_app.",
                              code="bad-argument", value=role)
        if not exists:
            if not create:
                raise SyrmakError(f"there is no PostgreSQL role {role}.",
                                  f"create it (CREATE ROLE {role} LOGIN PASSWORD '...') or add "
                                  "--create.", code="unknown-role", value=role)
            connection.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
            created = True
        s = connection.dialect.identifier_preparer.quote(schema)
        for statement in (
            f"GRANT USAGE ON SCHEMA {s} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {role}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} "
            f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
            # The audit trail: append and read only.
            f"REVOKE ALL ON {s}.audit_log FROM {role}",
            f"GRANT SELECT, INSERT ON {s}.audit_log TO {role}",
            # The schema revision is the owner's to move ('syrmak migrate').
            f"REVOKE ALL ON {s}.alembic_version FROM {role}",
            f"GRANT SELECT ON {s}.alembic_version TO {role}",
        ):
            connection.execute(sa.text(statement))
        problems = _problems(connection, role, schema, owner)
        study.log("db-grant", {"role": role, "created": created}, actor, connection)
    return Grant(role, schema, owner, created, tuple(problems))
