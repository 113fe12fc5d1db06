"""Stored answers as a pandas DataFrame, typed by the questionnaire.

Contract (the analyses rely on it): index ``respondent`` (1..N); a select_one is a
``Categorical`` of choice labels in questionnaire order (ordered); a select_multiple is
one nullable-boolean column per option named ``q/<choice>`` (``<NA>`` when the question
was not answered); integer ``Int64``; decimal ``Float64``; text ``string``; date
``datetime64``. Personal-data questions are never in the frame.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.store import schema
from syrmak.survey.instrument import Question, Questionnaire

if TYPE_CHECKING:
    from syrmak.study import Study


# pandas < 3 turns columns with date-like names ("date", "*_at") into datetimes unless told not
# to; pandas 3 no longer does, and deprecates the keyword.
_NO_DATES = {"convert_dates": False} if int(pd.__version__.split(".")[0]) < 3 else {}


def _stored_answers(study: Study, names: list[str]) -> tuple[pd.Index, pd.DataFrame]:
    """Read the JSON answers; with few questions, let the database extract just those keys."""
    r = schema.respondents
    with study.engine.connect() as connection:
        if 0 < len(names) <= 8:
            if connection.dialect.name == "postgresql":
                doc = sa.cast(r.c.answers, sa.dialects.postgresql.JSONB)
                exprs = [doc[name].astext.label(name) for name in names]
            else:
                exprs = [sa.func.json_extract(r.c.answers, f'$."{name}"').label(name) for name in names]
            result = connection.execute(sa.select(r.c.number, *exprs).order_by(r.c.number))
            frame = pd.DataFrame(result.all(), columns=["respondent", *names])
            index = pd.Index(frame.pop("respondent").astype("int64"), name="respondent")
            frame.index = index
            return index, frame
        rows = connection.execute(sa.select(r.c.number, r.c.answers).order_by(r.c.number)).all()
    index = pd.Index([row[0] for row in rows], dtype="int64", name="respondent")
    if not rows:
        return index, pd.DataFrame(index=index, columns=names, dtype=object)
    text = "\n".join(row[1] for row in rows)
    frame = pd.read_json(io.StringIO(text), lines=True, dtype=False, **_NO_DATES)
    frame.index = index
    return index, frame


def _as_text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def question_columns(q: Question, values: pd.Series, lang: str | None) -> dict[str, pd.Series]:
    if q.type == "select_one":
        codes = _as_text(values)
        labels = [c.label(lang) for c in q.choices]
        # Labels may repeat across options in a translation; keep categories unique.
        mapping = {c.name: c.label(lang) for c in q.choices}
        unique_labels = list(dict.fromkeys(labels))
        return {q.name: pd.Categorical(codes.map(mapping), categories=unique_labels, ordered=True)}
    if q.type == "select_multiple":
        codes = _as_text(values)
        answered = codes.notna()
        padded = " " + codes.fillna("") + " "
        out = {}
        for c in q.choices:
            flag = padded.str.contains(f" {c.name} ", regex=False).astype("boolean")
            out[f"{q.name}/{c.name}"] = flag.where(answered, pd.NA)
        return out
    if q.type == "integer":
        return {q.name: pd.to_numeric(values, errors="coerce").astype("Int64")}
    if q.type == "decimal":
        return {q.name: pd.to_numeric(values, errors="coerce").astype("Float64")}
    if q.type == "date":
        return {q.name: pd.to_datetime(values, errors="coerce")}
    return {q.name: _as_text(values).astype("string")}


def response_frame(study: Study, lang: str | None = None, questions: list[str] | None = None) -> pd.DataFrame:
    form: Questionnaire = study.questionnaire
    lang = form.language(lang)
    wanted = [form.question(n) for n in questions] if questions else [
        q for q in form.answered if not q.personal_data]
    wanted = [q for q in wanted if q.has_answer and not q.personal_data]
    index, stored = _stored_answers(study, [q.name for q in wanted])
    columns: dict[str, pd.Series] = {}
    empty = pd.Series([None] * len(index), index=index, dtype=object)
    for q in wanted:
        values = stored[q.name] if q.name in stored.columns else empty
        for name, column in question_columns(q, values, lang).items():
            series = column if isinstance(column, pd.Series) else pd.Series(column, index=index)
            series.index = index
            columns[name] = series
    frame = pd.DataFrame(columns, index=index)
    frame.attrs["lang"] = lang
    frame.attrs["form_id"] = form.form_id
    return frame
