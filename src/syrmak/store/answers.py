"""Answers stored by column (see ``schema.answer_columns`` for why).

``write_batch`` stores one import's answers; ``read_columns`` returns the stored values of
some questions for every respondent, ordered by respondent number.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import sqlalchemy as sa

from syrmak.store import schema


def write_batch(connection: sa.Connection, import_id: int, answers: pd.DataFrame,
                positions: list[int], table: sa.Table = schema.answer_columns,
                extra: dict | None = None) -> None:
    """Store rows ``positions`` of ``answers`` (in that order) as the batch's arrays (in
    ``table``: ``answer_columns``, or ``repeat_columns`` with ``extra={"repeat": ...}``)."""
    statement = sa.insert(table)
    for question in answers.columns:
        column = answers[question].iloc[positions]
        # pandas' own JSON writer: NA -> null, numpy ints -> ints, no per-cell Python loop.
        # One column at a time: a million rows' arrays are never all held as JSON at once.
        connection.execute(statement, {"import_id": import_id, "question": question,
                                       **(extra or {}),
                                       "data": column.to_json(orient="values",
                                                              force_ascii=False)})


def _placement(connection: sa.Connection) -> np.ndarray | None:
    """(number, import, position) of every current respondent, computed from one summary row
    per import batch when each batch is the usual run of consecutive numbers at positions
    0..n-1 (then fetching a million respondent rows, most of the read's time, is not needed);
    None when some batch is irregular."""
    r = schema.respondents
    summary = (sa.func.count(), sa.func.min(r.c.number), sa.func.max(r.c.number),
               sa.func.min(r.c.number - r.c.position), sa.func.max(r.c.number - r.c.position))
    imports = connection.execute(sa.select(schema.imports.c.id).limit(2)).scalars().all()
    if len(imports) == 1:
        # One batch (a study imported once): one pass without grouping, which at a million
        # respondents costs half as much (no sort by batch).
        batches = [(imports[0], *row) for row in connection.execute(
            sa.select(*summary).where(r.c.import_id == imports[0])) if row[0]]
    else:
        batches = connection.execute(sa.select(r.c.import_id, *summary)
                                     .group_by(r.c.import_id)).all()
    parts = []
    for import_id, count, low, high, shift_low, shift_high in batches:
        if high - low + 1 != count or shift_low != shift_high or low - shift_low != 0:
            return None
        numbers = np.arange(low, high + 1, dtype=np.int64)
        parts.append(np.column_stack([numbers, np.full(count, import_id, dtype=np.int64),
                                      numbers - low]))
    if not parts:
        return np.empty((0, 3), dtype=np.int64)
    table = np.concatenate(parts)
    table = table[np.argsort(table[:, 0], kind="stable")]
    withdrawn = connection.execute(
        sa.select(r.c.number).where(r.c.withdrawn_at.is_not(None))).scalars().all()
    if withdrawn:
        table = table[~np.isin(table[:, 0], np.array(withdrawn, dtype=np.int64))]
    return table


def read_columns(connection: sa.Connection, questions: list[str]) -> pd.DataFrame:
    """Stored values of ``questions``, one row per respondent, index ``respondent``."""
    r, a = schema.respondents, schema.answer_columns
    table = _placement(connection)
    if table is None:
        # A million rows: plain DB-API tuples, without SQLAlchemy's Row objects.
        query = (sa.select(r.c.number, r.c.import_id, r.c.position)
                 .where(r.c.withdrawn_at.is_(None)).order_by(r.c.number))
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(str(query.compile(dialect=connection.dialect)))
            people = cursor.fetchall()
        finally:
            cursor.close()
        table = np.array(people, dtype=np.int64).reshape(-1, 3)
    numbers = table[:, 0]
    index = pd.Index(numbers, name="respondent")
    if not len(table):
        return pd.DataFrame({q: pd.Series(dtype=object) for q in questions}, index=index)
    batches, positions = table[:, 1], table[:, 2]
    stored = connection.execute(
        sa.select(a.c.import_id, a.c.question, a.c.data).where(a.c.question.in_(questions))).all()
    by_question: dict[str, dict[int, list]] = {}
    for import_id, question, data in stored:
        by_question.setdefault(question, {})[import_id] = json.loads(data)
    columns = {}
    for question in questions:
        values = np.full(len(table), None, dtype=object)
        for import_id, array in by_question.get(question, {}).items():
            mask = batches == import_id
            if mask.any():
                source = np.empty(len(array), dtype=object)
                source[:] = array
                values[mask] = source[positions[mask]]
        columns[question] = values
    return pd.DataFrame(columns, index=index)


def read_repeat(connection: sa.Connection, repeat: str, questions: list[str]) -> pd.DataFrame:
    """Stored values of a repeat group's ``questions``, one row per record (index
    ``record``), with the record's ``respondent`` (number) and ``ordinal``, ordered by
    respondent and ordinal."""
    rr, r, c = schema.repeat_records, schema.respondents, schema.repeat_columns
    records = connection.execute(
        sa.select(rr.c.id, r.c.number, rr.c.ordinal, rr.c.import_id, rr.c.position)
        .join(r, r.c.id == rr.c.respondent_id)
        .where(rr.c.repeat == repeat, r.c.withdrawn_at.is_(None))
        .order_by(r.c.number, rr.c.ordinal, rr.c.id)).all()
    table = np.array([tuple(row) for row in records], dtype=np.int64).reshape(-1, 5)
    index = pd.Index(table[:, 0], name="record")
    frame = {"respondent": pd.Series(table[:, 1], index=index),
             "ordinal": pd.Series(table[:, 2], index=index)}
    stored = connection.execute(
        sa.select(c.c.import_id, c.c.question, c.c.data)
        .where(c.c.repeat == repeat, c.c.question.in_(questions))).all() if questions else []
    by_question: dict[str, dict[int, list]] = {}
    for import_id, question, data in stored:
        by_question.setdefault(question, {})[import_id] = json.loads(data)
    for question in questions:
        values = np.full(len(table), None, dtype=object)
        for import_id, array in by_question.get(question, {}).items():
            mask = table[:, 3] == import_id
            if mask.any():
                source = np.empty(len(array), dtype=object)
                source[:] = array
                values[mask] = source[table[mask, 4]]
        frame[question] = pd.Series(values, index=index)
    return pd.DataFrame(frame, index=index)


def erase(connection: sa.Connection, import_id: int, position: int,
          respondent_id: int | None = None) -> None:
    """Null one respondent's cell in every answer array of their import batch, and (given
    their id) every cell of their repeat-group records, whose rows are then deleted."""
    a = schema.answer_columns
    for column_id, data in connection.execute(
            sa.select(a.c.id, a.c.data).where(a.c.import_id == import_id)).all():
        values = json.loads(data)
        values[position] = None
        connection.execute(sa.update(a).where(a.c.id == column_id).values(
            data=json.dumps(values, ensure_ascii=False)))
    if respondent_id is None:
        return
    rr, c = schema.repeat_records, schema.repeat_columns
    records = connection.execute(sa.select(rr.c.id, rr.c.import_id, rr.c.repeat, rr.c.position)
                                 .where(rr.c.respondent_id == respondent_id)).all()
    batches: dict[tuple[int, str], list[int]] = {}
    for _, batch, repeat, place in records:
        batches.setdefault((batch, repeat), []).append(place)
    for (batch, repeat), places in batches.items():
        for column_id, data in connection.execute(sa.select(c.c.id, c.c.data).where(
                c.c.import_id == batch, c.c.repeat == repeat)).all():
            values = json.loads(data)
            for place in places:
                values[place] = None
            connection.execute(sa.update(c).where(c.c.id == column_id).values(
                data=json.dumps(values, ensure_ascii=False)))
    if records:
        connection.execute(sa.delete(rr).where(rr.c.respondent_id == respondent_id))


def update(connection: sa.Connection, import_id: int, position: int, question: str,
           change) -> None:
    """Set one respondent's cell of ``question`` to ``change(old value)``.

    A batch whose file had no column for the question gets one (all missing but this
    cell), as long as the batch's respondents.
    """
    a = schema.answer_columns
    row = connection.execute(sa.select(a.c.id, a.c.data).where(
        a.c.import_id == import_id, a.c.question == question)).first()
    if row is None:
        size = connection.execute(sa.select(sa.func.count()).select_from(schema.respondents)
                                  .where(schema.respondents.c.import_id == import_id)).scalar()
        values = [None] * size
    else:
        values = json.loads(row.data)
    values[position] = change(values[position])
    data = json.dumps(values, ensure_ascii=False)
    if row is None:
        connection.execute(sa.insert(a), {"import_id": import_id, "question": question,
                                          "data": data})
    else:
        connection.execute(sa.update(a).where(a.c.id == row.id).values(data=data))
