"""Publishing the questionnaire as numbered XForm versions, and closing it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema
from syrmak.survey.instrument import Questionnaire

if TYPE_CHECKING:
    from syrmak.study import Study


@dataclass(frozen=True)
class FormVersion:
    number: int
    form_id: str
    version: str
    title: str
    md5: str
    published_at: datetime
    closed_at: datetime | None
    questionnaire_id: int

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def _row(row) -> FormVersion:
    return FormVersion(row.number, row.form_id, row.version, row.title, row.md5,
                       row.published_at, row.closed_at, row.questionnaire_id)


def _query():
    f, q = schema.form_versions, schema.questionnaires
    return (sa.select(f.c.number, f.c.form_id, f.c.version, q.c.title, f.c.md5,
                      f.c.published_at, f.c.closed_at, f.c.questionnaire_id)
            .join(q, q.c.id == f.c.questionnaire_id))


def _source(study: Study, form_path: str | Path | None) -> Path:
    """The XLSForm to publish: given, or the study's own file in its folder."""
    if form_path is not None:
        return Path(form_path)
    with study.engine.connect() as connection:
        name = connection.execute(
            sa.select(schema.questionnaires.c.source_name)
            .order_by(schema.questionnaires.c.id.desc()).limit(1)).scalar()
    if name is None:
        raise SyrmakError("the study has no questionnaire yet.",
                          "load one with 'syrmak questionnaire load DIR FORM.xlsx'.",
                          code="no-questionnaire")
    path = (study.folder / name) if study.folder is not None else None
    if path is None or not path.exists():
        raise SyrmakError(f"the questionnaire's XLSForm '{name}' is not in the study folder.",
                          "give it with --form FORM.xlsx.", code="not-found", file=name)
    return path


def _comparable(form: Questionnaire) -> dict:
    data = form.to_dict()
    data.pop("version")
    return data


def publish(study: Study, form_path: str | Path | None = None,
            actor: str | None = None) -> FormVersion:
    """Convert the study's XLSForm to an XForm and store it as the next form version.

    The XLSForm must say what the study's current questionnaire says (load a changed one
    with 'syrmak questionnaire load' first), so every answer collected online lands in the
    same questions the analyses, reports and exports already know. Publishing a version
    closes the one before it: a phone with the old form gets a clear refusal.
    """
    from syrmak.survey.xlsform import to_xform

    path = _source(study, form_path)
    current = study.questionnaire
    with db.writer(study.engine, study.id) as connection:
        f = schema.form_versions
        number = (connection.execute(sa.select(sa.func.max(f.c.number))).scalar() or 0) + 1
        # The XForm's version is the publication number: unique per study, and what
        # OpenRosa clients compare to see that a form changed.
        form, xform = to_xform(path, str(number))
        if _comparable(form) != _comparable(current):
            raise SyrmakError(
                f"'{path.name}' is not the study's current questionnaire.",
                f"load it first: 'syrmak questionnaire load DIR {path.name}', then publish.",
                code="form-changed", file=path.name)
        now = datetime.now(UTC)
        connection.execute(sa.update(f).where(f.c.closed_at.is_(None)).values(closed_at=now))
        connection.execute(sa.insert(f), {
            "number": number, "questionnaire_id": study.questionnaire_id(connection),
            "form_id": form.form_id, "version": str(number), "xform": xform,
            "md5": hashlib.md5(xform.encode("utf-8"), usedforsecurity=False).hexdigest(),
            "published_at": now})
        study.log("survey-publish", {"form_id": form.form_id, "version": number,
                                     "file": path.name}, actor, connection)
        return _row(connection.execute(_query().where(f.c.number == number)).one())


def close(study: Study, actor: str | None = None) -> FormVersion:
    """Stop taking answers: the open form version is closed."""
    f = schema.form_versions
    with db.writer(study.engine, study.id) as connection:
        row = connection.execute(_query().where(f.c.closed_at.is_(None))).first()
        if row is None:
            raise SyrmakError("the survey is not open: no published form version takes answers.",
                              "publish it with 'syrmak survey publish DIR'.",
                              code="survey-not-open")
        connection.execute(sa.update(f).where(f.c.number == row.number)
                           .values(closed_at=datetime.now(UTC)))
        study.log("survey-close", {"form_id": row.form_id, "version": row.number},
                  actor, connection)
    return _closed(study, row.number)


def _closed(study: Study, number: int) -> FormVersion:
    with study.engine.connect() as connection:
        return _row(connection.execute(
            _query().where(schema.form_versions.c.number == number)).one())


def versions(study: Study) -> list[FormVersion]:
    """Every published version, oldest first."""
    with study.engine.connect() as connection:
        return [_row(r) for r in connection.execute(
            _query().order_by(schema.form_versions.c.number)).all()]


def open_version(study: Study) -> FormVersion | None:
    """The version that takes answers now, if any."""
    with study.engine.connect() as connection:
        row = connection.execute(
            _query().where(schema.form_versions.c.closed_at.is_(None))).first()
    return _row(row) if row else None


def xform(study: Study, number: int) -> str:
    """The XForm XML of a published version (unknown: a clear error)."""
    with study.engine.connect() as connection:
        text = connection.execute(sa.select(schema.form_versions.c.xform).where(
            schema.form_versions.c.number == number)).scalar()
    if text is None:
        raise SyrmakError(f"there is no published form version {number}.",
                          "ask for the form list at /formList.", code="unknown-form")
    return text


def questionnaire_of(connection: sa.Connection, questionnaire_id: int) -> Questionnaire:
    definition = connection.execute(sa.select(schema.questionnaires.c.definition).where(
        schema.questionnaires.c.id == questionnaire_id)).scalar_one()
    return Questionnaire.from_dict(json.loads(definition))
