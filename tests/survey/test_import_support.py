"""Helpers shared by the import tests: writing exports the way tools write them, and
taking a snapshot of everything an import could change."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa

from syrmak.store import schema

#: Tables an import writes to; a failed import must leave every one as it was.
WRITTEN = ("imports", "respondents", "answer_columns", "contacts", "events", "questionnaires",
           "repeat_records", "repeat_columns")

#: The small form's questions by their Russian labels (tests/forms.py).
RU = {
    "kind": "Кого вы представляете?",
    "sphere": "Сферы работы",
    "staff": "Сколько человек в команде?",
    "budget": "Бюджет, млн тенге",
    "founded": "Дата основания",
    "trust": "Я доверяю власти",
    "hope": "Я надеюсь на перемены",
    "story": "Расскажите о трудностях",
    "contact": "Контакты коллег",
}
EN = {
    "kind": "Whom do you represent?",
    "sphere": "Areas of work",
    "staff": "How many people in the team?",
    "budget": "Budget, million tenge",
    "founded": "Date founded",
    "trust": "I trust the authorities",
    "hope": "I hope for change",
    "story": "Tell us about difficulties",
    "contact": "Colleagues' contacts",
}


def csv_text(rows, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL,
             lineterminator: str = "\r\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=lineterminator)
    writer.writerows(rows)
    return out.getvalue()


def write_csv(path: Path, rows, *, delimiter: str = ",", encoding: str = "utf-8",
              quoting: int = csv.QUOTE_MINIMAL, lineterminator: str = "\r\n") -> Path:
    path.write_bytes(csv_text(rows, delimiter, quoting, lineterminator).encode(encoding))
    return path


def snapshot(study) -> dict:
    """Row counts and the last row of every table an import writes to."""
    state = {}
    with study.engine.connect() as connection:
        for name in WRITTEN:
            table = schema.metadata.tables[name]
            count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            last = connection.execute(sa.select(sa.func.max(table.c.id))).scalar()
            state[name] = (count, last)
    return state


def store_dump(study) -> bytes:
    """Everything the store holds, as bytes: the SQLite files, or every PostgreSQL row."""
    if study.engine.dialect.name == "sqlite":
        study.engine.dispose()  # let SQLite checkpoint nothing away: read what is on disk
        db = Path(study.engine.url.database)
        parts = [p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
        return b"".join(parts)
    dump = []
    with study.engine.connect() as connection:
        for table in schema.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                dump.append(repr(tuple(row)))
    return "\n".join(dump).encode("utf-8")


def responses(study, lang: str = "en"):
    return study.responses(lang=lang)


def test_snapshot_sees_an_import(study, tmp_path):
    """The snapshot used by the bad-input tests does notice a change."""
    before = snapshot(study)
    path = write_csv(tmp_path / "r.csv", [["kind", "staff"], ["cso", "3"]])
    study.import_responses(path, format="csv")
    after = snapshot(study)
    assert after["respondents"][0] == before["respondents"][0] + 1
    assert after["events"][0] == before["events"][0] + 1
    assert after["answer_columns"][0] == before["answer_columns"][0] + 2
