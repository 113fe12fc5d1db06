"""Reading and writing the ``contacts`` table: sealing, listing, re-sealing old entries.

Sealing needs only the study's public key; listing and re-sealing need the unlocked
identity. One damaged entry never hides the others: it is named and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.store import schema
from syrmak.store.vault import ContactValue, DamagedEntry, Entry, Identity, LegacyKey, Recipient

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ContactList:
    """Decrypted vault entries, and the entries that could not be opened (named, not shown)."""

    table: pd.DataFrame  # respondent, question, kind, value, note
    damaged: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.table)


def seal(connection: sa.Connection, recipient: Recipient, study_id: str,
         values: Iterable[ContactValue]) -> int:
    """Seal each value to the study's public key and store it; returns how many."""
    rows = [
        {"respondent_id": v.respondent_id, "question": v.question, "kind": v.kind, "note": v.note,
         "nonce": None,
         "ciphertext": recipient.seal(Entry(study_id, v.respondent, v.submission_key, v.question),
                                      v.value)}
        for v in values if v.value
    ]
    if rows:
        connection.execute(sa.insert(schema.contacts), rows)
    return len(rows)


def _entries_query():
    r, c = schema.respondents, schema.contacts
    return (sa.select(c.c.id, r.c.number, r.c.submission_key, c.c.question, c.c.kind, c.c.note,
                      c.c.nonce, c.c.ciphertext)
            .join(c, c.c.respondent_id == r.c.id)
            .order_by(r.c.number, c.c.id))


def read(connection: sa.Connection, identity: Identity, study_id: str,
         kinds: tuple[str, ...] = ("personal", "quarantine"),
         numbers: Iterable[int] | None = None,
         questions: Iterable[str] | None = None) -> ContactList:
    """Open the vault's entries (of respondents ``numbers`` only, when given: nothing else
    is decrypted, so an interviewer's list never opens the snowball contacts of others)."""
    import pandas as pd

    records, damaged = [], []
    query = _entries_query().where(schema.contacts.c.kind.in_(kinds))
    if numbers is not None:
        query = query.where(schema.respondents.c.number.in_(list(numbers)))
    if questions is not None:
        query = query.where(schema.contacts.c.question.in_(list(questions)))
    for row in connection.execute(query):
        entry = Entry(study_id, row.number, row.submission_key, row.question)
        try:
            if row.nonce is not None:
                raise DamagedEntry("it is still in the old vault format")
            value = identity.open(entry, row.ciphertext)
        except DamagedEntry as exc:
            damaged.append(f"vault entry {row.id} ({entry.label()}) cannot be read: {exc}.")
            continue
        records.append({"respondent": row.number, "question": row.question, "kind": row.kind,
                        "value": value, "note": row.note})
    table = pd.DataFrame.from_records(
        records, columns=["respondent", "question", "kind", "value", "note"])
    return ContactList(table, tuple(damaged))


def legacy_count(connection: sa.Connection) -> int:
    c = schema.contacts
    return connection.execute(sa.select(sa.func.count()).select_from(c)
                              .where(c.c.nonce.is_not(None))).scalar()


def reseal_legacy(connection: sa.Connection, legacy: LegacyKey, identity: Identity,
                  study_id: str) -> tuple[int, list[str]]:
    """Re-seal every old AES entry to the new public key, in the caller's transaction.

    Returns how many were re-sealed and the entries that could not be opened (left as
    they are, named so the researcher can decide).
    """
    c = schema.contacts
    recipient = identity.recipient
    done, damaged = 0, []
    for row in connection.execute(_entries_query().where(c.c.nonce.is_not(None))).all():
        entry = Entry(study_id, row.number, row.submission_key, row.question)
        try:
            value = legacy.open(row.submission_key, row.question, row.nonce, row.ciphertext)
        except DamagedEntry as exc:
            damaged.append(f"vault entry {row.id} ({entry.label()}) cannot be read: {exc}.")
            continue
        connection.execute(sa.update(c).where(c.c.id == row.id).values(
            nonce=None, ciphertext=recipient.seal(entry, value)))
        done += 1
    return done, damaged
