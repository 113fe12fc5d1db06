"""Quarantined answers: contact-looking cells held in the vault until a researcher decides.

An import seals every cell of a non-personal question that looks like a contact
(``privacy.detect``) into the vault with kind "quarantine" and stores the answer as
missing (``survey.imports``). Listing them needs the private key, since they are shown;
releasing one decodes it as the import would have (its question's type, the options, the
"Other" text) and stores it as the answer, in one transaction with deleting its vault
entry. A released value that still looks like a contact is released all the same: the
researcher has looked at it and decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import answers, contacts, schema
from syrmak.store.vault import DamagedEntry, Entry, Identity
from syrmak.survey import readers
from syrmak.survey.instrument import OTHER, OTHER_SUFFIX, Question, Questionnaire
from syrmak.survey.layouts import LAYOUTS, Decoder

if TYPE_CHECKING:
    from syrmak.study import Study


@dataclass(frozen=True)
class Released:
    respondent: int
    question: str
    #: The questions whose stored answer changed (a select and its "Other" text, say).
    answers: tuple[str, ...]
    entries: int


def held(study: Study, identity: Identity, actor: str | None = None) -> contacts.ContactList:
    """The quarantined values, opened: respondent, question, note (where from) and value."""
    with study.engine.connect() as connection:
        found = contacts.read(connection, identity, study.id, kinds=("quarantine",))
    study.log("quarantine-list", {"entries": len(found), "damaged": len(found.damaged)}, actor)
    table = found.table[["respondent", "question", "note", "value"]]
    return contacts.ContactList(table, found.damaged)


def release(study: Study, identity: Identity, respondent: int, question: str,
            actor: str | None = None) -> Released:
    """Store a quarantined value as respondent ``respondent``'s answer to ``question``."""
    form = study.questionnaire
    r, c, i = schema.respondents, schema.contacts, schema.imports
    with study.engine.begin() as connection:
        person = connection.execute(
            sa.select(r.c.id, r.c.submission_key, r.c.import_id, r.c.position, i.c.format)
            .join(i, i.c.id == r.c.import_id).where(r.c.number == respondent)).first()
        rows = [] if person is None else connection.execute(
            sa.select(c.c.id, c.c.nonce, c.c.ciphertext)
            .where(c.c.respondent_id == person.id, c.c.question == question,
                   c.c.kind == "quarantine").order_by(c.c.id)).all()
        if not rows:
            raise SyrmakError(
                f"nothing of respondent {respondent} to question '{question}' is in quarantine.",
                "see what is with 'syrmak quarantine list DIR'.", code="not-quarantined")
        entry = Entry(study.id, respondent, person.submission_key, question)
        changed: dict[str, object] = {}
        for row in rows:
            if row.nonce is not None:
                raise SyrmakError("the vault is still in the old format.",
                                  "re-seal it first: syrmak vault upgrade DIR.",
                                  code="vault-legacy")
            try:
                text = identity.open(entry, row.ciphertext)
            except DamagedEntry as exc:
                raise SyrmakError(
                    f"the quarantined entry of respondent {respondent} to '{question}' cannot "
                    f"be read: {exc}.", "restore study.db from a backup.",
                    code="vault-damaged") from exc
            changed.update(_decoded(form, person.format, question, text, respondent))
        for name, change in changed.items():
            answers.update(connection, person.import_id, person.position, name,
                           change if callable(change) else (lambda _, v=change: v))
        connection.execute(sa.delete(c).where(c.c.id.in_([row.id for row in rows])))
        study.log("quarantine-release", {"respondent": respondent, "question": question,
                                         "entries": len(rows), "answers": sorted(changed)},
                  actor, connection)
    return Released(respondent, question, tuple(sorted(changed)), len(rows))


def _decoded(form: Questionnaire, fmt: str, question: str, text: str,
             respondent: int) -> dict[str, object]:
    """The stored value(s) ``text`` stands for, as importing it would have made them.

    A value is stored as is; a callable changes the value already stored (marking the
    "Other" option chosen when its text comes back).
    """
    if not form.has(question):
        raise SyrmakError(f"question '{question}' is no longer in the questionnaire.",
                          "load a questionnaire version that has it.", code="unknown-question")
    q = form.question(question)

    def refuse(what: str) -> SyrmakError:
        return SyrmakError(
            f"the quarantined answer of respondent {respondent} to '{question}' is not "
            f"{what}, so it cannot be stored as its answer; it stays in quarantine.",
            "leave it there (it is safe in the vault), or correct the file and import it "
            "into a new study.", code="cannot-release")

    if q.type in ("integer", "decimal"):
        number, bad = readers.parse_numbers(pd.Series([text], dtype=object), q.type == "integer")
        if bad.iloc[0] or pd.isna(number.iloc[0]):
            raise refuse("a whole number" if q.type == "integer" else "a number")
        value = number.iloc[0]
        return {question: int(value) if q.type == "integer" else float(value)}
    if q.type == "date":
        stored, bad = readers.parse_dates(pd.Series([text], dtype=object))
        if bad.iloc[0]:
            raise refuse("a date")
        return {question: stored.iloc[0]}
    if q.is_select:
        decoder = Decoder(q, LAYOUTS.get(fmt, LAYOUTS["csv"]))
        got = decoder.one(text) if q.type == "select_one" else decoder.many(text)
        if got is None:
            raise refuse("one of its options")
        out: dict[str, object] = {question: got[0] if q.type == "select_one" else " ".join(got[0])}
        if got[1] and form.has(question + OTHER_SUFFIX):
            out[question + OTHER_SUFFIX] = got[1]
        return out
    out = {question: text.replace("\x00", "").strip() or None}
    parent = _other_of(form, question)
    if parent is not None:
        out[parent.name] = lambda old, p=parent: _with_other(old, p.type == "select_multiple")
    return out


def _other_of(form: Questionnaire, question: str) -> Question | None:
    """The select question whose "Other" text ``question`` holds, if any."""
    if not question.endswith(OTHER_SUFFIX):
        return None
    name = question[:-len(OTHER_SUFFIX)]
    parent = form.question(name) if form.has(name) else None
    return parent if parent is not None and parent.is_select and parent.or_other else None


def _with_other(old, multiple: bool) -> str:
    if not multiple or not old:
        return OTHER
    return old if OTHER in str(old).split() else f"{old} {OTHER}"


__all__ = ["Released", "held", "release"]
