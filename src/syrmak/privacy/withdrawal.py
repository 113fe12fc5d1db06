"""A respondent withdraws: their answers, contacts and linked documents are erased.

Research ethics let a participant withdraw; for the people syrmak's users study, their
data should then be gone, not hidden. In one transaction the respondent's cell in every
answer array is nulled, their vault entries are deleted, and every document linked to them
(interview transcripts, open answers) goes with its codings, memos, translations and search
index. The respondent row stays, without its submission time, marked withdrawn, so that
re-importing the same export does not bring them back; their number is never reused.

After the commit the freed bytes are overwritten (``privacy.erasure``): SQLite's log is
folded in and truncated, or the withdrawal says which program prevents it; PostgreSQL's
tables are rewritten with ``VACUUM FULL`` where the role may. What the store cannot reach
is named in the result: backups (``study.*.bak.db``), reports already built from the
study, and the quotes of ``report.yaml`` that cite the respondent's documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.privacy import erasure, retention
from syrmak.store import answers, db, schema

if TYPE_CHECKING:
    from syrmak.study import Study


@dataclass(frozen=True)
class Withdrawal:
    respondent: int
    contacts_deleted: int
    documents_deleted: int
    #: Backup copies of the study (``study.*.bak.db``) that still hold the respondent.
    backups: tuple[Path, ...] = field(default_factory=tuple)
    #: Reports built before the withdrawal (``report.html``, ``report.docx``, ...).
    reports: tuple[Path, ...] = field(default_factory=tuple)
    #: Quotes of ``report.yaml`` that cite the respondent's deleted documents, with lines.
    quotes: tuple[str, ...] = field(default_factory=tuple)
    #: What PostgreSQL could not rewrite (the freed rows stay in those tables' files).
    residue: tuple[str, ...] = field(default_factory=tuple)

    def leftovers(self) -> list[str]:
        """What still holds the respondent's data outside the store, in words."""
        lines = [f"backup {p} still holds their data: delete it." for p in self.backups]
        lines += [f"report {p} was built with their data: rebuild it, and delete copies you "
                  "sent." for p in self.reports]
        lines += [f"{q} cites their deleted document: remove the quote." for q in self.quotes]
        return lines + list(self.residue)


def withdraw(study: Study, number: int, actor: str | None = None) -> Withdrawal:
    from syrmak.qual.documents import delete_document_rows

    r, d, k = schema.respondents, schema.documents, schema.codings
    with db.writer(study.engine, study.id) as connection:
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
        answers.erase(connection, row.import_id, row.position, row.id)
        contacts = connection.execute(
            sa.delete(schema.contacts).where(schema.contacts.c.respondent_id == row.id)).rowcount
        documents = dict(connection.execute(
            sa.select(d.c.id, d.c.name).where(d.c.respondent_id == row.id)).all())
        codings = set(connection.execute(
            sa.select(k.c.id).where(k.c.document_id.in_(documents))).scalars())
        for document_id in documents:
            delete_document_rows(connection, document_id)
        # A voice identifies a person as surely as a phone number: recordings go too, and
        # so does their place on the interview shortlist.
        recordings = connection.execute(sa.delete(schema.recordings).where(
            schema.recordings.c.respondent_id == row.id)).rowcount
        connection.execute(sa.delete(schema.interview_selections).where(
            schema.interview_selections.c.respondent_id == row.id))
        connection.execute(sa.update(r).where(r.c.id == row.id).values(
            withdrawn_at=db.now(), submitted_at=None))
        study.log("withdraw", {"respondent": number, "contacts": contacts,
                               "documents": len(documents), "recordings": recordings},
                  actor, connection)
    tables = (erasure.RESPONDENT_TABLES + (erasure.DOCUMENT_TABLES if documents else ())
              + (erasure.INTERVIEW_TABLES if recordings else ()))
    _drop_chart_cache(study)
    spec = _report_spec(study)
    done = Withdrawal(
        number, contacts, len(documents), backups=retention.backups(study),
        reports=_reports(study, spec),
        quotes=tuple(_citing_quotes(spec, documents, codings)) if spec else (),
        residue=erasure.vacuum(study, tables))
    erasure.checkpoint(study, what=f"withdrawn respondent {number}'s data", result=done)
    return done


def _drop_chart_cache(study: Study) -> None:
    """Charts drawn before the withdrawal counted the respondent's answers; the next report
    build draws them again without."""
    import shutil

    from syrmak.report.chart_cache import FOLDER

    if study.folder is not None:
        shutil.rmtree(study.folder / FOLDER, ignore_errors=True)


def _report_spec(study: Study):
    from syrmak.report.spec import SPEC_NAME, load_spec

    if study.folder is None or not (study.folder / SPEC_NAME).is_file():
        return None
    try:
        return load_spec(study.folder / SPEC_NAME)
    except SyrmakError:
        return None  # a spec that does not load cites nothing we could name


def _reports(study: Study, spec) -> tuple[Path, ...]:
    if study.folder is None:
        return ()
    names = dict.fromkeys(["report", *([spec.output] if spec else [])])
    return tuple(p for name in names for suffix in (".html", ".docx")
                 if (p := study.folder / f"{name}{suffix}").is_file())


def _citing_quotes(spec, documents: dict[int, str], codings: set[int]) -> list[str]:
    cited = []
    for block in spec.quotes:
        locator = block.locator
        ref = locator.get("document")
        name = None
        if ref is not None:
            name = next((n for i, n in documents.items() if ref in (i, n, str(i))), None)
        elif str(locator.get("coding", "")).strip().isdigit() and \
                int(str(locator["coding"]).strip()) in codings:
            name = f"coded segment {locator['coding']}"
        if name is not None:
            cited.append(f"{spec.file}, line {block.line}: the quote from '{name}'")
    return cited
