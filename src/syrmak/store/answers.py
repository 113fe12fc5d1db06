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
                positions: list[int]) -> None:
    """Store rows ``positions`` of ``answers`` (in that order) as the batch's arrays."""
    rows = []
    for question in answers.columns:
        column = answers[question].iloc[positions]
        # pandas' own JSON writer: NA -> null, numpy ints -> ints, no per-cell Python loop.
        rows.append({"import_id": import_id, "question": question,
                     "data": column.to_json(orient="values", force_ascii=False)})
    if rows:
        connection.execute(sa.insert(schema.answer_columns), rows)


def read_columns(connection: sa.Connection, questions: list[str]) -> pd.DataFrame:
    """Stored values of ``questions``, one row per respondent, index ``respondent``."""
    r, a = schema.respondents, schema.answer_columns
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
    if not people:
        return pd.DataFrame({q: pd.Series(dtype=object) for q in questions}, index=index)
    batches, positions = table[:, 1], table[:, 2]
    stored = connection.execute(
        sa.select(a.c.import_id, a.c.question, a.c.data).where(a.c.question.in_(questions))).all()
    by_question: dict[str, dict[int, list]] = {}
    for import_id, question, data in stored:
        by_question.setdefault(question, {})[import_id] = json.loads(data)
    columns = {}
    for question in questions:
        values = np.full(len(people), None, dtype=object)
        for import_id, array in by_question.get(question, {}).items():
            mask = batches == import_id
            if mask.any():
                source = np.empty(len(array), dtype=object)
                source[:] = array
                values[mask] = source[positions[mask]]
        columns[question] = values
    return pd.DataFrame(columns, index=index)


def erase(connection: sa.Connection, import_id: int, position: int) -> None:
    """Null one respondent's cell in every answer array of their import batch."""
    a = schema.answer_columns
    for column_id, data in connection.execute(
            sa.select(a.c.id, a.c.data).where(a.c.import_id == import_id)).all():
        values = json.loads(data)
        values[position] = None
        connection.execute(sa.update(a).where(a.c.id == column_id).values(
            data=json.dumps(values, ensure_ascii=False)))
