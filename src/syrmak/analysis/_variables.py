"""Turn columns of a response frame into arrays the analyses count with.

A single-answer question becomes one integer code per respondent (the index of the
choice in questionnaire order, -1 when unanswered); a multiple-answer question
becomes one boolean array per option plus a mask of who answered it. Everything
downstream counts with ``numpy.bincount`` on these arrays, which is what keeps a
crosstab of a million respondents in the milliseconds.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from syrmak.errors import SyrmakError
from syrmak.survey.instrument import OTHER_SUFFIX, Question, Questionnaire
from syrmak.text import normal as text_normal

#: Types a crosstab, banner or Likert table can take.
SELECT_ONE = "select_one"
SELECT_MULTIPLE = "select_multiple"


#: How answers and filter values are compared: case- and space-insensitive (syrmak.text).
normal = text_normal


@dataclass(frozen=True, eq=False)
class Single:
    """A single-answer variable: ``codes[i]`` is the choice index of respondent i, or -1."""

    question: Question
    codes: np.ndarray
    names: tuple[str, ...]
    labels: tuple[str, ...]

    @property
    def k(self) -> int:
        return len(self.names)

    @property
    def valid(self) -> np.ndarray:
        return self.codes >= 0

    def take(self, mask: np.ndarray) -> Single:
        return Single(self.question, self.codes[mask], self.names, self.labels)


@dataclass(frozen=True, eq=False)
class Multiple:
    """A multiple-answer variable: ``options[j][i]`` is True when respondent i ticked option j
    (always False for respondents who did not answer), ``answered[i]`` whether i answered."""

    question: Question
    options: tuple[np.ndarray, ...]
    answered: np.ndarray
    names: tuple[str, ...]
    labels: tuple[str, ...]

    @property
    def k(self) -> int:
        return len(self.names)

    @property
    def valid(self) -> np.ndarray:
        return self.answered

    def take(self, mask: np.ndarray) -> Multiple:
        return Multiple(
            self.question,
            tuple(o[mask] for o in self.options),
            self.answered[mask],
            self.names,
            self.labels,
        )


Variable = Single | Multiple


def language(questionnaire: Questionnaire, frame: pd.DataFrame, lang: str | None) -> str | None:
    """The language of the result's labels: ``lang``, else the frame's, else the default."""
    if lang is None:
        frame_lang = frame.attrs.get("lang")
        if frame_lang in questionnaire.languages:
            return frame_lang
    return questionnaire.language(lang)


def question(questionnaire: Questionnaire, name: str) -> Question:
    """The question called ``name``; the questionnaire's own error lists close matches."""
    if not isinstance(name, str):
        raise SyrmakError(
            f"a question is named by a string, not {name!r}.",
            "pass the question's name from the questionnaire, e.g. 'q3'.",
            code="unknown-question",
        )
    return questionnaire.question(name)


def missing_column(column: str, frame: pd.DataFrame, q: Question) -> SyrmakError:
    close = difflib.get_close_matches(column, [str(c) for c in frame.columns], n=3)
    hint = (
        f"the frame has {', '.join(repr(c) for c in close)}; "
        "was it built from another version of the questionnaire?"
        if close
        else "build the frame with study.responses() from the same questionnaire."
    )
    return SyrmakError(
        f"the response frame has no column '{column}' for question '{q.name}'.",
        hint,
        code="missing-column",
        column=column,
    )


def column(frame: pd.DataFrame, name: str, q: Question) -> pd.Series:
    """The frame's column ``name`` (of question ``q``), or an error naming close ones."""
    if name not in frame.columns:
        raise missing_column(name, frame, q)
    return frame[name]


def choice_lookup(q: Question) -> dict[str, int]:
    """Normalised choice name or label (any language) -> choice index; names win."""
    lookup: dict[str, int] = {}
    for i, choice in enumerate(q.choices):
        lookup.setdefault(normal(choice.name), i)
    for i, choice in enumerate(q.choices):
        for text in choice.labels.values():
            if text:
                lookup.setdefault(normal(text), i)
    return lookup


def unknown_option(q: Question, value: object, context: str = "") -> SyrmakError:
    candidates = [c.name for c in q.choices] + [
        t for c in q.choices for t in c.labels.values() if t
    ]
    close = difflib.get_close_matches(str(value), candidates, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    hint += f"The options are: {', '.join(c.name for c in q.choices)}."
    return SyrmakError(
        f"{context}question '{q.name}' has no option '{value}'.",
        hint,
        code="unknown-option",
        value=value,
    )


def _codes_for(q: Question, values: Sequence[object]) -> np.ndarray:
    """Choice index of each distinct value; raises naming the values that are not options."""
    lookup = choice_lookup(q)
    index = np.empty(len(values), dtype=np.intp)
    unknown = []
    for i, value in enumerate(values):
        hit = lookup.get(normal(value))
        if hit is None:
            unknown.append(value)
            hit = -1
        index[i] = hit
    if unknown:
        shown = ", ".join(repr(str(v)) for v in unknown[:5])
        raise SyrmakError(
            f"column '{q.name}' holds answers that are not options of question "
            f"'{q.name}': {shown}.",
            "check that the frame was built from this questionnaire (same choice lists).",
            code="unknown-answer",
            column=q.name,
        )
    return index


def _category_index(q: Question, categories: list, frame_lang: str | None) -> np.ndarray:
    """Choice index of each category of a select_one column.

    The store writes the labels of the frame's language, in questionnaire order, with
    repeated labels merged; that layout is recognised first so that a label which happens
    to equal another choice's name cannot be misread. Anything else is matched by name or
    label in any language.
    """
    texts = [str(c) for c in categories]
    for lang in dict.fromkeys([frame_lang, *q.labels.keys(), *_languages(q)]):
        labels = [c.label(lang) for c in q.choices]
        if texts == list(dict.fromkeys(labels)):
            return np.array([labels.index(t) for t in texts], dtype=np.intp)
    if texts == [c.name for c in q.choices]:
        return np.arange(len(texts), dtype=np.intp)
    return _codes_for(q, texts)


def _languages(q: Question) -> list[str]:
    return list(dict.fromkeys(lang for c in q.choices for lang in c.labels))


def _unlisted(q: Question, texts) -> list[str]:
    """Answers that name none of the question's choices (by name or label)."""
    lookup = choice_lookup(q)
    return [str(t) for t in texts if normal(t) not in lookup]


def with_frame_codes(q: Question, frame: pd.DataFrame) -> Question:
    """A question whose options live in a file (select_one_from_file, external selects)
    with the codes the frame holds as its options, each labelled by the code: the
    questionnaire cannot list them. Other questions are returned as they are."""
    if not q.open_choices:
        return q
    if q.type == SELECT_ONE:
        if q.name not in frame.columns:
            return q
        series = frame[q.name]
        texts = (series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype)
                 else pd.unique(series.dropna()))
        return q.with_codes(_unlisted(q, texts))
    prefix = q.name + "/"
    return q.with_codes(str(c)[len(prefix):] for c in frame.columns
                        if str(c).startswith(prefix))


def single(questionnaire: Questionnaire, frame: pd.DataFrame, name: str, lang: str | None):
    q = question(questionnaire, name)
    if q.type != SELECT_ONE:
        raise wrong_type(q, "a single-answer (select_one) question")
    series = column(frame, q.name, q)
    q = with_frame_codes(q, frame)
    if isinstance(series.dtype, pd.CategoricalDtype):
        categorical = series.array
        codes = np.asarray(categorical.codes)
        index = _category_index(q, list(categorical.categories), frame.attrs.get("lang"))
        # Usually the category codes already are the choice indices: no copy needed.
        if not (len(index) == len(q.choices) and np.array_equal(index, np.arange(len(index)))):
            codes = np.append(index, -1)[codes]
    else:
        factor, uniques = pd.factorize(series, use_na_sentinel=True)
        index = _codes_for(q, list(uniques))
        codes = np.append(index, -1)[factor]
    return Single(
        q,
        codes,
        tuple(c.name for c in q.choices),
        tuple(c.label(lang) for c in q.choices),
    )


def bool_parts(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values with NA as False, answered mask) of a boolean column, without copies when the
    column is pandas' nullable ``boolean``: its ``_data``/``_mask`` buffers are stable since
    pandas 1.0, and going through ``to_numpy(na_value=False)`` costs eight times as much."""
    array = series.array
    data = getattr(array, "_data", None)
    mask = getattr(array, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray) and data.dtype == bool:
        # Values under the mask are unspecified, so they are cleared.
        return data & ~mask, ~mask
    isna = series.isna().to_numpy()
    values = series.fillna(False).to_numpy()
    if values.dtype != bool:
        values = np.array([_truth(v) for v in values], dtype=bool)
    return values & ~isna, ~isna


def _truth(value: object) -> bool:
    if isinstance(value, str):
        return normal(value) in {"true", "1", "yes", "y"}
    return bool(value)


def multiple(questionnaire: Questionnaire, frame: pd.DataFrame, name: str, lang: str | None):
    q = question(questionnaire, name)
    if q.type != SELECT_MULTIPLE:
        raise wrong_type(q, "a multiple-answer (select_multiple) question")
    q = with_frame_codes(q, frame)
    options = []
    answered = None
    for choice in q.choices:
        values, known = bool_parts(column(frame, f"{q.name}/{choice.name}", q))
        options.append(values)
        answered = known if answered is None else answered | known
    if answered is None:
        answered = np.zeros(len(frame), dtype=bool)
    return Multiple(
        q,
        tuple(options),
        answered,
        tuple(c.name for c in q.choices),
        tuple(c.label(lang) for c in q.choices),
    )


def variable(questionnaire: Questionnaire, frame: pd.DataFrame, name: str, lang: str | None):
    q = question(questionnaire, name)
    if q.type == SELECT_ONE:
        return single(questionnaire, frame, name, lang)
    if q.type == SELECT_MULTIPLE:
        return multiple(questionnaire, frame, name, lang)
    raise wrong_type(q, "a single- or multiple-answer question")


def wrong_type(q: Question, wanted: str) -> SyrmakError:
    kind = {
        "text": "a free-text question",
        "integer": "a number (integer) question",
        "decimal": "a number (decimal) question",
        "date": "a date question",
        "note": "a note without answers",
        SELECT_ONE: "a single-answer question",
        SELECT_MULTIPLE: "a multiple-answer question",
    }.get(q.type, f"a '{q.type}' question")
    hints = {
        "text": "code the answers in the qualitative module, or recode them into a "
        "select_one question first.",
        SELECT_MULTIPLE: "use multiple_response() for the option counts.",
        SELECT_ONE: "use frequencies() for a single-answer question.",
    }
    return SyrmakError(
        f"question '{q.name}' is {kind}; this analysis needs {wanted}.",
        hints.get(q.type, "choose a select_one or select_multiple question."),
        code="wrong-question-type",
        value=q.name,
    )


def other_texts(frame: pd.DataFrame, q: Question, mask: np.ndarray | None) -> tuple[str, ...]:
    """The "other, please specify" texts of respondents in the analysis, in frame order."""
    column = q.name + OTHER_SUFFIX
    if not q.or_other or column not in frame.columns:
        return ()
    texts = frame[column]
    if mask is not None:
        texts = texts[mask]
    texts = texts.dropna().astype(str).str.strip()
    return tuple(t for t in texts if t)
