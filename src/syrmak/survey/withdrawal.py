"""A respondent withdraws: their answers, contacts and linked documents are erased.

Research ethics let a participant withdraw; for the people syrmak's users study, their
data should then be gone, not hidden. In one transaction the respondent's cell in every
answer array is nulled, their vault entries are deleted, and every document linked to them
(interview transcripts, open answers) goes with its codings, memos, translations and search
index. The respondent row stays, without its submission time, marked withdrawn, so that
re-importing the same export does not bring them back; their number is never reused.
On SQLite, ``secure_delete`` zeroes the freed pages and the write-ahead log is truncated.
Backups made before the withdrawal (``study.*.bak.db``, your own copies) still hold the
data: delete them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import answers, schema

if TYPE_CHECKING:
    from syrmak.study import Study


@dataclass(frozen=True)
class Withdrawal:
    respondent: int
    contacts_deleted: int
    documents_deleted: int


def withdraw(study: Study, number: int, actor: str | None = None) -> Withdrawal:
    from syrmak.qual.documents import delete_document_rows

    r = schema.respondents
    with study.engine.begin() as connection:
        row = connection.execute(
            sa.select(r.c.id, r.c.import_id, r.c.position, r.c.withdrawn_at)
            .where(r.c.number == number)).first()
        if row is None:
            raise SyrmakError(f"there is no respondent {number}.",
                              "list the numbers with 'syrmak responses DIR'.",
                              code="unknown-respondent", value=number)
        if row.withdrawn_at is not None:
            raise SyrmakError(f"respondent {number} has already withdrawn.",
                              "nothing is left to erase.", code="already-withdrawn", value=number)
        answers.erase(connection, row.import_id, row.position)
        contacts = connection.execute(
            sa.delete(schema.contacts).where(schema.contacts.c.respondent_id == row.id)).rowcount
        documents = connection.execute(sa.select(schema.documents.c.id).where(
            schema.documents.c.respondent_id == row.id)).scalars().all()
        for document_id in documents:
            delete_document_rows(connection, document_id)
        connection.execute(sa.update(r).where(r.c.id == row.id).values(
            withdrawn_at=datetime.now(UTC), submitted_at=None))
        study.log("withdraw", {"respondent": number, "contacts": contacts,
                               "documents": len(documents)}, actor, connection)
    if study.engine.dialect.name == "sqlite":
        with study.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return Withdrawal(number, contacts, len(documents))
