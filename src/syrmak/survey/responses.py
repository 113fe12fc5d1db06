"""Stored answers as a pandas DataFrame, typed by the questionnaire.

Contract (the analyses rely on it): index ``respondent`` (1..N); a select_one is a
``Categorical`` of choice labels in questionnaire order (ordered); a select_multiple is
one nullable-boolean column per option named ``q/<choice>`` (``<NA>`` when the question
was not answered); integer ``Int64``; decimal ``Float64``; text ``string``; date
``datetime64``; rank one ``Int64`` column per option named ``q/<choice>`` holding the
option's place (1 = ranked first); a location (geopoint) its text and ``q/latitude``,
``q/longitude`` (``Float64``), for maps; time, traces, shapes, attachments (their file
names) and barcodes ``string``; datetime ``datetime64[UTC]``. A select whose options come
from a file has the codes seen as options (after any the questionnaire lists), labelled by
the code. Personal-data questions are never in the frame.

The questions of a repeat group are in a frame of their own, one row per record
(``response_frame(..., repeat=...)``), with the respondent it belongs to and its place
among their records (``ordinal``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from syrmak.errors import SyrmakError
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
    if q.open_choices:
        # Options kept in a file the form only names: the codes seen are options too.
        q = q.with_codes(_codes_seen(q, values))
    if q.type == "rank":
        return _rank_columns(q, values)
    if q.type == "geopoint":
        text = _as_text(values).astype("string")
        parts = text.str.split(expand=True) if len(text) else pd.DataFrame(index=index)
        out = {q.name: text}
        for i, part in enumerate(("latitude", "longitude")):
            column = parts[i] if i in parts.columns else pd.Series(pd.NA, index=index)
            out[f"{q.name}/{part}"] = pd.to_numeric(column, errors="coerce").astype("Float64")
        return out
    if q.type == "datetime":
        return {q.name: pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")}
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


def _codes_seen(q: Question, values: pd.Series) -> list[str]:
    distinct = pd.unique(values.dropna().astype(object))
    if q.type == "select_one":
        return [str(v).strip() for v in distinct]
    return list(dict.fromkeys(token for v in distinct for token in str(v).split()))


def _rank_columns(q: Question, values: pd.Series) -> dict[str, pd.Series]:
    """One column per option: its place in the respondent's ranking (1 = first)."""
    combos = pd.Categorical(_as_text(values))
    position = {c.name: i for i, c in enumerate(q.choices)}
    places = np.zeros((len(q.choices), len(combos.categories) + 1), dtype=np.int64)
    for j, combo in enumerate(combos.categories):
        for place, token in enumerate(str(combo).split(), start=1):
            if token in position:
                places[position[token], j] = place
    out = {}
    for i, c in enumerate(q.choices):
        ranks = pd.array(places[i][combos.codes], dtype="Int64")
        ranks[ranks == 0] = pd.NA
        out[f"{q.name}/{c.name}"] = pd.Series(ranks, index=values.index)
    return out


def response_frame(study: Study, lang: str | None = None, questions: list[str] | None = None,
                   repeat: str | None = None) -> pd.DataFrame:
    if repeat is not None:
        return repeat_frame(study, repeat, lang=lang, questions=questions)
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


def repeat_frame(study: Study, repeat: str, lang: str | None = None,
                 questions: list[str] | None = None) -> pd.DataFrame:
    """The records of one repeat group: index ``record``; columns ``respondent`` and
    ``ordinal`` (the record's place among the respondent's), then the questions, typed as
    in the respondents' frame."""
    from syrmak.store.answers import read_repeat

    form: Questionnaire = study.questionnaire
    lang = form.language(lang)
    names = {s.name for s in form.repeats}
    if repeat not in names:
        short = [s.name for s in form.repeats if s.name.rsplit("/", 1)[-1] == repeat]
        if len(short) != 1:
            raise SyrmakError(
                f"the questionnaire has no repeat group '{repeat}'.",
                f"use one of: {', '.join(sorted(names)) or '(the form has no repeat group)'}.",
                code="unknown-repeat", value=repeat)
        repeat = short[0]
    wanted = [form.question(n) for n in questions] if questions else list(form.in_repeat(repeat))
    wanted = [q for q in wanted if q.has_answer and not q.personal_data and q.repeat == repeat]
    with study.engine.connect() as connection:
        stored = read_repeat(connection, repeat, [q.name for q in wanted])
    columns: dict[str, pd.Series] = {"respondent": stored["respondent"],
                                     "ordinal": stored["ordinal"]}
    empty = pd.Series([None] * len(stored), index=stored.index, dtype=object)
    for q in wanted:
        values = stored[q.name] if q.name in stored.columns else empty
        for name, column in question_columns(q, values, lang).items():
            columns[name] = column
    frame = pd.DataFrame(columns, index=stored.index)
    frame.attrs["lang"] = lang
    frame.attrs["form_id"] = form.form_id
    frame.attrs["repeat"] = repeat
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
    repeats = {form.question(q).repeat for q in questions_behind(form, names)} - {None}
    if not repeats:
        return response_frame(study, lang=lang, questions=questions)
    if len(repeats) > 1:
        raise SyrmakError("the analysis names questions of different repeat groups "
                          f"({', '.join(sorted(repeats))}).",
                          "analyse the questions of one repeat group at a time.",
                          code="mixed-repeats")
    # Records of one repeat group, each with its respondent's answers to the questions
    # the filter and the weight name.
    repeat = repeats.pop()
    inner = [q for q in questions if form.question(q).repeat == repeat]
    outer = [q for q in questions if form.question(q).repeat is None]
    records = repeat_frame(study, repeat, lang=lang, questions=inner)
    if outer:
        people = response_frame(study, lang=lang, questions=outer)
        joined = people.reindex(records["respondent"].to_numpy())
        joined.index = records.index
        records = pd.concat([records, joined], axis=1)
        records.attrs.update({"lang": people.attrs.get("lang"), "repeat": repeat,
                              "form_id": form.form_id})
    return records
