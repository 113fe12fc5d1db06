"""Sealing a question after the fact: its stored answers move into the vault.

A question marked ``personal_data = yes`` only in a later questionnaire version (or named
to ``syrmak seal``) has answers in the plain answer arrays, and row keys computed over
them. In one writing transaction each stored answer is sealed to the study's public key
(kind "personal"), the batch's row keys are recomputed without the question
(``identity.rekey``), and the question's answer arrays are deleted; afterwards the freed
bytes are overwritten (``privacy.erasure``), as after a withdrawal.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.privacy import erasure
from syrmak.store import db, schema
from syrmak.store.vault import ContactValue
from syrmak.survey import identity
from syrmak.survey.instrument import Questionnaire

if TYPE_CHECKING:
    from syrmak.study import Study

#: Tables whose old row versions hold what sealing replaced (answers, row keys).
TOUCHED = ("answer_columns", "respondents")


@dataclass(frozen=True)
class Sealing:
    questions: tuple[str, ...]
    #: Answers moved into the vault.
    entries: int = 0
    #: Stored row keys recomputed without the sealed answers.
    rekeyed: int = 0
    #: Respondents imported before migration 0007 whose vault entries are bound to a
    #: key that still derives from a sealed answer (re-binding needs the private key).
    still_bound: int = 0
    #: What PostgreSQL could not rewrite.
    residue: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        names = ", ".join(f"'{q}'" for q in self.questions)
        text = (f"Sealed {self.entries} stored answers of {names} in the vault and removed "
                f"them from the answers; {self.rekeyed} row identities recomputed without them.")
        if self.still_bound:
            text += (f" {self.still_bound} respondents imported by an older syrmak keep vault "
                     "entries bound to an identity computed with these answers.")
        return text


def newly_personal(old: Questionnaire | None, new: Questionnaire) -> list[str]:
    """Questions personal in ``new`` that ``old`` stored as ordinary answers."""
    if old is None:
        return []
    return [q.name for q in new.answered
            if q.personal_data and old.has(q.name) and not old.question(q.name).personal_data]


def seal_stored(study: Study, connection: sa.Connection, questions: list[str],
                actor: str | None = None) -> Sealing:
    """Move the stored answers of ``questions`` into the vault, in the caller's writing
    transaction (``db.writer``): nothing is sealed unless everything is."""
    a, r, c = schema.answer_columns, schema.respondents, schema.contacts
    entries = rekeyed = bound = 0
    sealed = []
    for question in questions:
        arrays = dict(connection.execute(
            sa.select(a.c.import_id, a.c.data).where(a.c.question == question)).all())
        if not arrays:
            continue
        sealed.append(question)
        values = []
        for import_id in sorted(arrays):
            batch = {name: json.loads(data) for name, data in connection.execute(
                sa.select(a.c.question, a.c.data).where(a.c.import_id == import_id))}
            people = connection.execute(
                sa.select(r.c.id, r.c.number, r.c.position, r.c.submitted_at, r.c.row_key,
                          r.c.submission_key,
                          sa.exists().where(c.c.respondent_id == r.c.id).label("has_entries"))
                .where(r.c.import_id == import_id, r.c.withdrawn_at.is_(None))).all()
            rebound, changed, still = identity.rekey(connection, import_id, question, batch,
                                                     people)
            rekeyed, bound = rekeyed + changed, bound + still
            array = batch[question]
            values += [ContactValue(p.id, p.number, rebound.get(p.id, p.submission_key),
                                    question, _text(array[p.position]))
                       for p in people if array[p.position] is not None]
        entries += study.seal(connection, values)
        connection.execute(sa.delete(a).where(a.c.question == question))
    if sealed:
        study.log("seal", {"questions": sealed, "entries": entries, "rekeyed": rekeyed,
                           "still_bound": bound}, actor, connection)
    return Sealing(tuple(sealed), entries, rekeyed, bound)


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def finish(study: Study, done: Sealing) -> Sealing:
    """Overwrite the freed plaintext after the commit (see ``privacy.erasure``)."""
    if not done.questions:
        return done
    done = dataclasses.replace(done, residue=erasure.vacuum(study, TOUCHED))
    names = ", ".join(f"'{q}'" for q in done.questions)
    erasure.checkpoint(study, what=f"plaintext of {names}", result=done)
    return done


def seal_question(study: Study, name: str, actor: str | None = None) -> Sealing:
    """``syrmak seal``: make ``name`` personal data, as a new questionnaire version, and
    move its stored answers into the vault."""
    form = study.questionnaire
    question = form.question(name)
    if not question.has_answer:
        raise SyrmakError(f"'{name}' is a note; it has no answers to seal.",
                          "name a question that is answered.", code="not-answered", value=name)
    a = schema.answer_columns
    with db.writer(study.engine, study.id) as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(a)
                                    .where(a.c.question == name)).scalar()
        if question.personal_data and not stored:
            raise SyrmakError(f"question '{name}' is already personal data: its answers are "
                              "in the vault.", "nothing to do.", code="already-sealed",
                              value=name)
        if not question.personal_data:
            _store_version(study, connection, form, name)
        done = seal_stored(study, connection, [name], actor)
    return finish(study, done)


def _store_version(study: Study, connection: sa.Connection, form: Questionnaire,
                   name: str) -> None:
    """The current questionnaire with ``name`` marked personal, as its newest version, so
    later imports send its answers to the vault too."""
    questions = tuple(dataclasses.replace(q, personal_data=True) if q.name == name else q
                      for q in form.questions)
    marked = dataclasses.replace(form, questions=questions)
    connection.execute(sa.insert(schema.questionnaires), {
        "form_id": marked.form_id, "version": marked.version, "title": marked.title,
        "definition": json.dumps(marked.to_dict(), ensure_ascii=False),
        "source_name": f"syrmak seal {name}", "source_sha256": None,
        "loaded_at": db.now(),
    })
