"""Stored answers as a pandas DataFrame, typed by the questionnaire.

Contract (the analyses rely on it): index ``respondent`` (1..N); a select_one is a
``Categorical`` of choice labels in questionnaire order (ordered); a select_multiple is
one nullable-boolean column per option named ``q/<choice>`` (``<NA>`` when the question
was not answered); integer ``Int64``; decimal ``Float64``; text ``string``; date
``datetime64``. Personal-data questions are never in the frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from syrmak.store.answers import read_columns
from syrmak.survey.instrument import Question, Questionnaire

if TYPE_CHECKING:
    from syrmak.study import Study


def _stored_answers(study: Study, names: list[str]) -> tuple[pd.Index, pd.DataFrame]:
    with study.engine.connect() as connection:
        frame = read_columns(connection, names)
    return frame.index, frame


def _as_text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def question_columns(q: Question, values: pd.Series, lang: str | None) -> dict[str, pd.Series]:
    index = values.index
    if q.type == "select_one":
        # Labels may repeat across options in a translation; keep categories unique.
        labels = list(dict.fromkeys(c.label(lang) for c in q.choices))
        mapping = {c.name: c.label(lang) for c in q.choices}
        codes = pd.Categorical(_as_text(values), categories=[c.name for c in q.choices])
        renamed = pd.Categorical.from_codes(
            pd.Series(codes.codes).map(
                lambda i: -1 if i < 0 else labels.index(mapping[q.choices[i].name])).to_numpy()
            if len(labels) != len(q.choices) else codes.codes,
            categories=labels, ordered=True)
        return {q.name: pd.Series(renamed, index=index)}
    if q.type == "select_multiple":
        # Split each distinct combination once; a flag column is then one take() per option.
        combos = pd.Categorical(_as_text(values))
        answered = combos.codes >= 0
        position = {c.name: i for i, c in enumerate(q.choices)}
        member = np.zeros((len(q.choices), len(combos.categories) + 1), dtype=bool)
        for j, combo in enumerate(combos.categories):
            for token in str(combo).split():
                if token in position:
                    member[position[token], j] = True
        out = {}
        for i, c in enumerate(q.choices):
            flags = pd.array(member[i][combos.codes], dtype="boolean")
            flags[~answered] = pd.NA
            out[f"{q.name}/{c.name}"] = pd.Series(flags, index=index)
        return out
    if q.type == "integer":
        return {q.name: pd.to_numeric(values, errors="coerce").astype("Int64")}
    if q.type == "decimal":
        return {q.name: pd.to_numeric(values, errors="coerce").astype("Float64")}
    if q.type == "date":
        return {q.name: pd.to_datetime(values, errors="coerce")}
    return {q.name: _as_text(values).astype("string")}


def response_frame(study: Study, lang: str | None = None, questions: list[str] | None = None) -> pd.DataFrame:
    form: Questionnaire = study.analysis_questionnaire
    derived = {v.name: v for v in study.derived_variables}
    lang = form.language(lang)
    wanted = [form.question(n) for n in questions] if questions else [
        q for q in form.answered if not q.personal_data]
    wanted = [q for q in wanted if q.has_answer and not q.personal_data]
    # A derived variable is read as its source question's stored answers, recoded.
    reads = list(dict.fromkeys(derived[q.name].source if q.name in derived else q.name
                               for q in wanted))
    index, stored = _stored_answers(study, reads)
    columns: dict[str, pd.Series] = {}
    empty = pd.Series([None] * len(index), index=index, dtype=object)
    for q in wanted:
        if q.name in derived:
            source = derived[q.name].source
            values = derived[q.name].recode(stored[source] if source in stored.columns
                                            else empty)
        else:
            values = stored[q.name] if q.name in stored.columns else empty
        for name, column in question_columns(q, values, lang).items():
            series = column if isinstance(column, pd.Series) else pd.Series(column, index=index)
            series.index = index
            columns[name] = series
    frame = pd.DataFrame(columns, index=index)
    frame.attrs["lang"] = lang
    frame.attrs["form_id"] = form.form_id
    return frame


def questions_behind(form: Questionnaire, names) -> list[str]:
    """The questions whose frame columns ``names`` are (``q``, ``q/option``), or that use
    the choice list ``name`` (a Likert battery named by its scale); names that are none of
    these are left out, for the analysis to report."""
    found: list[str] = []
    for name in map(str, names):
        base = name.split("/", 1)[0]
        if form.has(name) or form.has(base):
            matches = [name if form.has(name) else base]
        else:
            matches = [q.name for q in form.questions if q.list_name == name]
        found.extend(m for m in matches if m not in found)
    return found


def analysis_frame(study: Study, names, *, where=None, weight=None,
                   lang: str | None = None) -> pd.DataFrame:
    """The response frame with only what an analysis of ``names`` reads: those questions,
    the ones its filter names and its weight column or design (``Design``: weight, strata,
    cluster, fpc). A crosstab of a million respondents then decodes two columns instead of
    every question of the study."""
    from syrmak.analysis.where import fields

    form = study.analysis_questionnaire
    if weight is None:
        design = []
    elif isinstance(weight, str):
        design = [weight]
    else:
        design = [c for c in (weight.weight, weight.strata, weight.cluster, weight.fpc) if c]
    wanted = [*names, *fields(where), *design]
    questions = [q for q in questions_behind(form, wanted) if not form.question(q).personal_data]
    return response_frame(study, lang=lang, questions=questions)
