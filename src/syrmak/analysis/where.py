"""Subgroups and weights: which respondents an analysis counts, and how much each counts.

A filter is a string of clauses joined by ``and``::

    respondent_type = independent
    political != political
    spheres/lgbt = true
    regions has KZ-ALA
    region in KZ-ALA, KZ-AST
    importance >= "More important than unimportant"
    founded >= 2015 and respondent_type = cso
    q7 is missing

Values are choice names or labels in any language of the questionnaire, compared without
regard to case or repeated spaces; quote a value that contains a comma or the word
``and``. Comparisons never select respondents who left the question unanswered
(``q != a`` means "answered, and not a"); ask for those with ``q is missing``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from syrmak.analysis import _variables as v
from syrmak.analysis.design import DesignFrame, design_of, resolve
from syrmak.errors import SyrmakError
from syrmak.survey.instrument import Question, Questionnaire

SYNTAX = (
    "write clauses like 'q = option', 'q != option', 'q in a, b', 'q has option' "
    "(multiple answer), 'q/option = true', 'q >= 3', 'q is missing', joined by 'and'."
)

_SYMBOLS = ("==", "!=", ">=", "<=", "=", "<", ">")
_WORDS = re.compile(
    r"(not\s+in|in|has\s+not|not\s+has|has|is\s+not|is)(?:\s+|$)(.*)$", re.I | re.S
)
_FIELD = re.compile(r"\s*([^\s=!<>]+)\s*(.*)$", re.S)
_TRUE = {"true", "yes", "1", "checked", "selected"}
_FALSE = {"false", "no", "0", "unchecked", "not selected"}
_ORDER = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


@dataclass(frozen=True)
class Clause:
    text: str
    field: str
    op: str  # one of = != < <= > >= in, not in, has, not has, is missing, is not missing
    values: tuple[str, ...]


def _split(text: str, sep: re.Pattern[str]) -> list[str]:
    """Split ``text`` at ``sep`` wherever it is outside single or double quotes."""
    parts, start, quote, i = [], 0, None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        else:
            m = sep.match(text, i)
            if m and m.end() > i:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _syntax_error(text: str, why: str) -> SyrmakError:
    return SyrmakError(f"cannot read the filter '{text}': {why}", SYNTAX, code="bad-filter")


def parse(where: str) -> tuple[Clause, ...]:
    """Read a filter string into clauses; raises ``SyrmakError`` on a malformed one."""
    clauses = []
    for part in _split(where, re.compile(r"\s+and\s+", re.I)):
        text = part.strip()
        if not text:
            raise _syntax_error(where, "an empty clause around 'and'.")
        m = _FIELD.match(text)
        if not m or not m.group(2):
            raise _syntax_error(text, "no comparison after the question name.")
        field, rest = m.group(1), m.group(2)
        op = next((s for s in _SYMBOLS if rest.startswith(s)), None)
        if op:
            raw = rest[len(op) :].strip()
            op = "=" if op == "==" else op
            values = (_unquote(raw),)
        else:
            w = _WORDS.match(rest)
            if not w:
                raise _syntax_error(text, f"'{rest.split()[0]}' is not a comparison.")
            op = " ".join(w.group(1).lower().split())
            op = {"has not": "not has"}.get(op, op)
            raw = w.group(2).strip()
            if op in ("is", "is not"):
                word = normal_word(raw)
                if word not in ("missing", "answered", "empty"):
                    raise _syntax_error(text, "'is' takes 'missing' or 'answered'.")
                missing = word in ("missing", "empty")
                op = "is missing" if missing == (op == "is") else "is not missing"
                values = ()
            else:
                values = tuple(_unquote(p) for p in _split(raw, re.compile(r"\s*,\s*")))
        if op not in ("is missing", "is not missing") and not all(values):
            raise _syntax_error(text, "a value is missing after the comparison.")
        clauses.append(Clause(text, field, op, values))
    return tuple(clauses)


def fields(where) -> list[str]:
    """The names a filter refers to (string filters only; a mask refers to none)."""
    if isinstance(where, str):
        return [c.field for c in parse(where)]
    if isinstance(where, list | tuple):
        return [name for w in where if isinstance(w, str) for name in fields(w)]
    return []


def normal_word(text: str) -> str:
    return v.normal(_unquote(text))


def _close_fields(questionnaire: Questionnaire, frame: pd.DataFrame, name: str) -> str:
    names = [q.name for q in questionnaire.questions] + [str(c) for c in frame.columns]
    close = difflib.get_close_matches(name, list(dict.fromkeys(names)), n=3)
    if close:
        return f"did you mean {', '.join(repr(c) for c in close)}?"
    return "use a question name from the questionnaire."


def _mask(questionnaire: Questionnaire, frame: pd.DataFrame, c: Clause) -> np.ndarray:
    context = f"filter '{c.text}': "
    name, _, option = c.field.partition("/")
    if questionnaire.has(name):
        q = questionnaire.question(name)
        if option:
            return _option_mask(questionnaire, frame, q, option, c, context)
        if q.type == v.SELECT_ONE:
            return _single_mask(questionnaire, frame, q, c, context)
        if q.type == v.SELECT_MULTIPLE:
            return _multiple_mask(questionnaire, frame, q, c, context)
        if q.type == "note":
            raise SyrmakError(
                f"{context}question '{q.name}' is a note and has no answers.",
                "filter on a question that respondents answer.",
                code="bad-filter",
            )
        if q.name not in frame.columns:
            raise v.missing_column(q.name, frame, q)
        return _plain_mask(frame[q.name], c, context)
    if c.field in frame.columns:
        return _plain_mask(frame[c.field], c, context)
    raise SyrmakError(
        f"{context}the questionnaire has no question '{name}'.",
        _close_fields(questionnaire, frame, name),
        code="unknown-question",
        value=name,
    )


def _indices(q: Question, values: Sequence[str], context: str) -> list[int]:
    lookup = v.choice_lookup(q)
    out = []
    for value in values:
        hit = lookup.get(v.normal(value))
        if hit is None:
            raise v.unknown_option(q, value, context)
        out.append(hit)
    return out


def _single_mask(questionnaire, frame, q: Question, c: Clause, context: str) -> np.ndarray:
    var = v.single(questionnaire, frame, q.name, None)
    codes, q = var.codes, var.question  # with the codes seen, for a list kept in a file
    valid = codes >= 0
    if c.op == "is missing":
        return ~valid
    if c.op == "is not missing":
        return valid
    wanted = _indices(q, c.values, context)
    if c.op in _ORDER:  # symbolic comparisons always carry one value
        return valid & _ORDER[c.op](codes, wanted[0])
    hit = np.isin(codes, wanted)
    if c.op in ("=", "in", "has"):
        return hit
    if c.op in ("!=", "not in", "not has"):
        return valid & ~hit
    raise _syntax_error(c.text, f"'{c.op}' does not apply to a single-answer question.")


def _multiple_mask(questionnaire, frame, q: Question, c: Clause, context: str) -> np.ndarray:
    var = v.multiple(questionnaire, frame, q.name, None)
    q = var.question  # with the codes seen, for a list kept in a file
    if c.op == "is missing":
        return ~var.answered
    if c.op == "is not missing":
        return var.answered.copy()
    wanted = _indices(q, c.values, context)
    hit = np.zeros(len(var.answered), dtype=bool)
    for j in wanted:
        hit |= var.options[j]
    if c.op in ("has", "in", "="):
        return hit
    if c.op in ("not has", "not in", "!="):
        return var.answered & ~hit
    raise _syntax_error(
        c.text, f"'{c.op}' does not apply to a multiple-answer question; use 'has'."
    )


def _option_mask(questionnaire, frame, q: Question, option: str, c: Clause, context: str):
    if q.type != v.SELECT_MULTIPLE:
        raise SyrmakError(
            f"{context}'{c.field}' names an option column, but question '{q.name}' is not a "
            "multiple-answer question.",
            f"write '{q.name} = {option}' instead.",
            code="bad-filter",
        )
    q = v.with_frame_codes(q, frame)
    j = _indices(q, [option], context)[0]
    values, answered = v.bool_parts(
        v.column(frame, f"{q.name}/{q.choices[j].name}", q)
    )
    if c.op == "is missing":
        return ~answered
    if c.op == "is not missing":
        return answered
    if c.op not in ("=", "!=") or len(c.values) != 1:
        raise _syntax_error(c.text, "an option column takes '= true' or '= false'.")
    word = v.normal(c.values[0])
    if word not in _TRUE | _FALSE:
        raise _syntax_error(c.text, f"'{c.values[0]}' is not true or false.")
    ticked = (word in _TRUE) == (c.op == "=")
    return values if ticked else answered & ~values


def _plain_mask(series: pd.Series, c: Clause, context: str) -> np.ndarray:
    present = series.notna().to_numpy()
    if c.op == "is missing":
        return ~present
    if c.op == "is not missing":
        return present
    if c.op in ("has", "not has"):
        raise _syntax_error(c.text, "'has' applies to multiple-answer questions.")
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    ):
        try:
            wanted = [float(x) for x in c.values]
        except ValueError:
            raise _syntax_error(c.text, f"'{c.field}' holds numbers.") from None
        data = series.to_numpy(dtype=float, na_value=np.nan)
    elif pd.api.types.is_datetime64_any_dtype(series.dtype):
        try:
            wanted = [pd.Timestamp(x).to_datetime64() for x in c.values]
        except ValueError:
            raise _syntax_error(c.text, f"'{c.field}' holds dates (write 2021-03-01).") from None
        data = series.to_numpy()
    else:
        if c.op in _ORDER:
            raise _syntax_error(c.text, f"'{c.op}' needs numbers or dates.")
        wanted = [v.normal(x) for x in c.values]
        data = np.array([v.normal(x) if ok else "" for x, ok in zip(series, present, strict=True)])
    if c.op in _ORDER:
        with np.errstate(invalid="ignore"):
            return present & _ORDER[c.op](data, wanted[0])
    hit = present & np.isin(data, wanted)
    if c.op in ("=", "in"):
        return hit
    return present & ~hit


@dataclass(frozen=True, eq=False)
class Sample:
    """The respondents an analysis counts (``mask`` over the frame; None = all of them)
    and their weights (aligned with the kept respondents; None = unweighted)."""

    size: int
    mask: np.ndarray | None
    weights: np.ndarray | None
    where: str | None
    weight: str | None
    #: The sampling design over the whole frame when weighted (weights alone make a
    #: design in which every respondent is a sampling unit); None when unweighted.
    design: DesignFrame | None = None

    @property
    def n(self) -> int:
        return self.size if self.mask is None else int(np.count_nonzero(self.mask))

    def take(self, var):
        return var if self.mask is None else var.take(self.mask)

    def scatter(self, values: np.ndarray) -> np.ndarray:
        """Values of the kept respondents placed on the whole frame, zero elsewhere: a
        filter is a domain of the design, not a smaller design."""
        values = np.asarray(values)
        if self.mask is None:
            return values
        out = np.zeros((self.size,) + values.shape[1:], dtype=values.dtype)
        out[self.mask] = values
        return out


def mask(questionnaire: Questionnaire, frame: pd.DataFrame, where) -> np.ndarray | None:
    """Boolean mask over the frame's rows for ``where`` (string, list of strings, boolean
    Series aligned on the frame index or boolean array); None when there is no filter."""
    if where is None:
        return None
    if isinstance(where, str):
        clauses = parse(where)
        result = np.ones(len(frame), dtype=bool)
        for clause in clauses:
            result &= _mask(questionnaire, frame, clause)
        return result
    if isinstance(where, pd.Series):
        aligned = where.reindex(frame.index)
        return aligned.fillna(False).to_numpy(dtype=bool)
    if isinstance(where, np.ndarray) and where.dtype == bool:
        if where.shape != (len(frame),):
            raise SyrmakError(
                f"the filter mask has {where.size} entries; the frame has {len(frame)} rows.",
                "build the mask from the same frame.",
                code="bad-filter",
            )
        return where
    if isinstance(where, list | tuple) and all(isinstance(w, str) for w in where):
        if not where:
            return None
        return np.logical_and.reduce([mask(questionnaire, frame, w) for w in where])
    raise SyrmakError(
        f"cannot filter with {type(where).__name__}.",
        "pass a filter string like 'respondent_type = independent', or a boolean Series.",
        code="bad-filter",
    )


def describe(where) -> str | None:
    if where is None:
        return None
    if isinstance(where, str):
        return where
    if isinstance(where, list | tuple) and all(isinstance(w, str) for w in where):
        return " and ".join(where)
    return "custom mask"


def weights(frame: pd.DataFrame, weight: str, keep: np.ndarray | None) -> np.ndarray:
    if weight not in frame.columns:
        close = difflib.get_close_matches(weight, [str(c) for c in frame.columns], n=3)
        raise SyrmakError(
            f"the response frame has no weight column '{weight}'.",
            f"did you mean {', '.join(repr(c) for c in close)}?"
            if close
            else "add a numeric column of weights to the frame, or pass weight=None.",
            code="unknown-weight",
            column=weight,
        )
    series = frame[weight]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(
        series.dtype
    ):
        raise SyrmakError(
            f"the weight column '{weight}' is not numeric ({series.dtype}).",
            "weights must be numbers, one per respondent.",
            code="bad-weight",
            column=weight,
        )
    w = series.to_numpy(dtype=float, na_value=np.nan)
    if keep is not None:
        w = w[keep]
    bad = int(np.count_nonzero(~np.isfinite(w)))
    if bad:
        raise SyrmakError(
            f"{bad} respondent(s) have no weight in column '{weight}'.",
            "give every respondent a weight (0 leaves one out).",
            code="bad-weight",
            column=weight,
        )
    if np.any(w < 0):
        raise SyrmakError(
            f"the weight column '{weight}' has negative weights.",
            "weights must be zero or positive.",
            code="bad-weight",
            column=weight,
        )
    return w


def sample(questionnaire: Questionnaire, frame: pd.DataFrame, where, weight) -> Sample:
    """``weight``: None, a weight column's name or a ``Design`` (weights, strata,
    clusters)."""
    keep = mask(questionnaire, frame, where)
    plan = design_of(weight)
    if plan is None:
        return Sample(len(frame), keep, None, describe(where), None)
    w = weights(frame, plan.weight, keep)
    return Sample(len(frame), keep, w, describe(where), plan.weight, resolve(frame, plan))
