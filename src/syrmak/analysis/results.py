"""Frozen results of the analyses.

Every result has ``to_frame()`` (pandas, for notebooks) and ``to_json()`` (the stable
dict documented in docs/analysis.md). Numbers are plain floats; a percentage whose base
is empty is NaN here and ``null`` in JSON. Percentages are on a 0-100 scale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

#: Bumped when a key of ``to_json()`` changes meaning or disappears.
JSON_VERSION = 1

Matrix = tuple[tuple[float, ...], ...]
Interval = tuple[float, float]


def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN -> None, tuples -> lists, whole floats kept as floats."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return _clean(value.item())
    return value


def _count(x: float | str, weighted: bool) -> float | int | str:
    if isinstance(x, str):  # a cell suppressed before export (privacy.disclosure)
        return x
    return x if weighted else int(round(x))


@dataclass(frozen=True, kw_only=True)
class Result:
    """What every analysis reports besides its table."""

    question: str
    title: str
    lang: str | None
    where: str | None
    weight: str | None
    #: Respondents in the analysed frame after the filter (unweighted).
    respondents: int
    #: Kish effective sample size of the percentage base when weighted, else None.
    effective_n: float | None
    notes: tuple[str, ...]

    kind = "result"

    @property
    def weighted(self) -> bool:
        return self.weight is not None

    def _common(self) -> dict:
        return {
            "version": JSON_VERSION,
            "kind": self.kind,
            "question": self.question,
            "title": self.title,
            "lang": self.lang,
            "where": self.where,
            "weight": self.weight,
            "respondents": self.respondents,
            "effective_n": self.effective_n,
        }

    def _json(self, **parts) -> dict:
        data = self._common()
        data.update(parts)
        data["notes"] = list(self.notes)
        return _clean(data)


def _column(values: tuple[float, ...]) -> list[list[float]]:
    return [[x] for x in values]


def _option_frame(result: Frequencies | MultipleResponse, **second: tuple[float, ...]) -> pd.DataFrame:
    """One row per option: count, percent, the result's second percentage, the interval."""
    data: dict[str, Any] = {"name": list(result.names), "count": list(result.counts),
                            "percent": list(result.percent)}
    data.update({name: list(values) for name, values in second.items()})
    if result.ci is not None:
        data["ci_low"] = [lo for lo, _ in result.ci]
        data["ci_high"] = [hi for _, hi in result.ci]
    frame = pd.DataFrame(data, index=pd.Index(list(result.rows), name=result.title))
    if not result.weighted:
        frame["count"] = frame["count"].astype("int64")
    return frame


@dataclass(frozen=True, kw_only=True)
class Frequencies(Result):
    """One single-answer question: counts in questionnaire order, empty options kept."""

    names: tuple[str, ...]
    rows: tuple[str, ...]
    counts: tuple[float, ...]
    #: % of valid answers (respondents who answered).
    percent: tuple[float, ...]
    #: % of all respondents in the analysis, unanswered included.
    percent_all: tuple[float, ...]
    #: Wilson interval of ``percent`` per row, or None when not asked for.
    ci: tuple[Interval, ...] | None
    valid: float
    missing: float
    total: float
    #: "Other, please specify" texts, when the question has or_other.
    other: tuple[str, ...] = ()

    kind = "frequencies"

    @property
    def base(self) -> float:
        return self.valid

    def to_frame(self) -> pd.DataFrame:
        return _option_frame(self, percent_all=self.percent_all)

    def to_json(self) -> dict:
        w = self.weighted
        return self._json(
            base=_count(self.valid, w),
            rows=list(self.rows),
            names=list(self.names),
            columns=[self.title],
            counts=_column(tuple(_count(c, w) for c in self.counts)),
            percent=_column(self.percent),
            percent_of="valid",
            percent_all=_column(self.percent_all),
            ci=None if self.ci is None else [[list(i)] for i in self.ci],
            valid=_count(self.valid, w),
            missing=_count(self.missing, w),
            total=_count(self.total, w),
            other=list(self.other),
            tests={},
        )


@dataclass(frozen=True, kw_only=True)
class MultipleResponse(Result):
    """One multiple-answer question: how many respondents ticked each option."""

    names: tuple[str, ...]
    rows: tuple[str, ...]
    counts: tuple[float, ...]
    #: % of respondents who answered the question (sums to more than 100).
    percent: tuple[float, ...]
    #: % of all mentions (sums to 100).
    percent_mentions: tuple[float, ...]
    ci: tuple[Interval, ...] | None
    answered: float
    not_answered: float
    mentions: float
    total: float
    other: tuple[str, ...] = ()

    kind = "multiple_response"

    @property
    def base(self) -> float:
        return self.answered

    def to_frame(self) -> pd.DataFrame:
        return _option_frame(self, percent_mentions=self.percent_mentions)

    def to_json(self) -> dict:
        w = self.weighted
        return self._json(
            base=_count(self.answered, w),
            rows=list(self.rows),
            names=list(self.names),
            columns=[self.title],
            counts=_column(tuple(_count(c, w) for c in self.counts)),
            percent=_column(self.percent),
            percent_of="answered",
            percent_mentions=_column(self.percent_mentions),
            ci=None if self.ci is None else [[list(i)] for i in self.ci],
            answered=_count(self.answered, w),
            not_answered=_count(self.not_answered, w),
            mentions=_count(self.mentions, w),
            total=_count(self.total, w),
            other=list(self.other),
            tests={},
        )


@dataclass(frozen=True, kw_only=True)
class Crosstab(Result):
    """Two questions against each other. ``question`` is the row question.

    With a multiple-answer side, its rows (or columns) are options, a respondent
    counts once in every option ticked, and totals along that side are mentions; the
    base is always respondents who answered both questions.
    """

    column_question: str
    column_title: str
    row_kind: str  # "single" or "multiple"
    column_kind: str
    row_names: tuple[str, ...]
    rows: tuple[str, ...]
    column_names: tuple[str, ...]
    columns: tuple[str, ...]
    counts: Matrix
    row_totals: tuple[float, ...]
    column_totals: tuple[float, ...]
    #: Respondents who answered both questions (weighted sum when weighted).
    base: float
    #: Respondents in the analysis who left at least one of the two unanswered.
    missing: float
    #: "total", "row" or "column": what ``percent`` is a share of.
    percent_of: str
    percent: Matrix
    #: Row totals as % of the base ("column" percentages of the Total column).
    row_total_percent: tuple[float, ...]
    column_total_percent: tuple[float, ...]
    ci: tuple[tuple[Interval, ...], ...] | None
    #: See ``stats.independence``; with a multiple-answer side ``{"by_option": [...]}``.
    tests: Mapping[str, Any]

    kind = "crosstab"

    def to_frame(self) -> pd.DataFrame:
        """Counts and percentages, with a Total row and column; columns are
        (column label, "n" | "%") pairs."""
        rows = list(self.rows) + ["Total"]
        pieces = {}
        for j, label in enumerate(self.columns):
            pieces[(label, "n")] = [r[j] for r in self.counts] + [self.column_totals[j]]
            total_pct = {
                "total": self.column_total_percent[j],
                "column": 100.0 if self.column_totals[j] else float("nan"),
                "row": self.column_total_percent[j],
            }[self.percent_of]
            pieces[(label, "%")] = [r[j] for r in self.percent] + [total_pct]
        pieces[("Total", "n")] = list(self.row_totals) + [self.base]
        row_pct = {
            "total": self.row_total_percent,
            "row": tuple(100.0 if t else float("nan") for t in self.row_totals),
            "column": self.row_total_percent,
        }[self.percent_of]
        pieces[("Total", "%")] = list(row_pct) + [100.0 if self.base else float("nan")]
        frame = pd.DataFrame(pieces, index=pd.Index(rows, name=self.title))
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=[self.column_title, ""])
        return frame

    def to_json(self) -> dict:
        w = self.weighted
        return self._json(
            column_question=self.column_question,
            column_title=self.column_title,
            row_kind=self.row_kind,
            column_kind=self.column_kind,
            base=_count(self.base, w),
            missing=_count(self.missing, w),
            rows=list(self.rows),
            row_names=list(self.row_names),
            columns=list(self.columns),
            column_names=list(self.column_names),
            counts=[[_count(c, w) for c in r] for r in self.counts],
            row_totals=[_count(c, w) for c in self.row_totals],
            column_totals=[_count(c, w) for c in self.column_totals],
            percent_of=self.percent_of,
            percent=self.percent,
            row_total_percent=self.row_total_percent,
            column_total_percent=self.column_total_percent,
            ci=self.ci,
            tests=self.tests,
        )


@dataclass(frozen=True)
class BannerGroup:
    """The columns of one banner question: ``columns[start:stop]`` of the banner."""

    question: str
    title: str
    kind: str
    start: int
    stop: int


@dataclass(frozen=True, kw_only=True)
class Banner(Result):
    """One row question against several column questions, column percentages.

    Column 0 is "Total". ``marks[i][j]`` holds the letters of the columns (same group)
    whose proportion in row i is significantly lower than column j's.
    """

    row_kind: str
    row_names: tuple[str, ...]
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    letters: tuple[str, ...]
    groups: tuple[BannerGroup, ...]
    counts: Matrix
    #: Respondents of each column (answered the row question and are in the column).
    bases: tuple[float, ...]
    percent: Matrix
    ci: tuple[tuple[Interval, ...], ...] | None
    marks: tuple[tuple[str, ...], ...]
    alpha: float
    tests: Mapping[str, Any]

    kind = "banner"

    @property
    def base(self) -> float:
        return self.bases[0]

    def to_frame(self) -> pd.DataFrame:
        pieces = {}
        headers = [("", "Total", "")] + [
            (g.title, self.columns[j], self.letters[j])
            for g in self.groups
            for j in range(g.start, g.stop)
        ]
        for j, (group, label, letter) in enumerate(headers):
            pieces[(group, label, letter, "n")] = [r[j] for r in self.counts]
            pieces[(group, label, letter, "%")] = [r[j] for r in self.percent]
            pieces[(group, label, letter, "sig")] = [m[j] for m in self.marks]
        frame = pd.DataFrame(pieces, index=pd.Index(list(self.rows), name=self.title))
        frame.columns = pd.MultiIndex.from_tuples(
            frame.columns, names=["question", "column", "letter", "value"]
        )
        return frame

    def to_json(self) -> dict:
        w = self.weighted
        return self._json(
            base=_count(self.bases[0], w),
            row_kind=self.row_kind,
            rows=list(self.rows),
            row_names=list(self.row_names),
            columns=list(self.columns),
            letters=list(self.letters),
            groups=[
                {"question": g.question, "title": g.title, "kind": g.kind,
                 "start": g.start, "stop": g.stop}
                for g in self.groups
            ],
            bases=[_count(b, w) for b in self.bases],
            counts=[[_count(c, w) for c in r] for r in self.counts],
            percent_of="column",
            percent=self.percent,
            ci=self.ci,
            marks=self.marks,
            alpha=self.alpha,
            tests=self.tests,
        )


@dataclass(frozen=True, kw_only=True)
class Likert(Result):
    """Items sharing one choice list, one row per item. ``question`` is the list name.

    The first ``scale_columns`` columns are the scale (possibly collapsed) in order; the
    rest are answers kept apart from it ("don't know", "difficult to answer", ...).
    """

    items: tuple[str, ...]
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    #: Choice names making up each column (one unless collapsed).
    column_names: tuple[tuple[str, ...], ...]
    scale_columns: int
    counts: Matrix
    #: % of ``percent_of``; NaN for the columns outside the base (see docs).
    percent: Matrix
    percent_of: str  # "all", "valid" or "scale"
    ci: tuple[tuple[Interval, ...], ...] | None
    #: Denominator of each row.
    bases: tuple[float, ...]
    #: Respondents who left each item unanswered.
    missing: tuple[float, ...]
    top_label: str
    bottom_label: str
    top: tuple[float, ...]
    bottom: tuple[float, ...]
    #: top - bottom, in percentage points.
    net: tuple[float, ...]
    sort: str | None

    kind = "likert"

    def to_frame(self) -> pd.DataFrame:
        pieces: dict[tuple[str, str], list[float]] = {}
        for j, label in enumerate(self.columns):
            pieces[(label, "n")] = [r[j] for r in self.counts]
            pieces[(label, "%")] = [r[j] for r in self.percent]
        pieces[(self.top_label, "%")] = list(self.top)
        pieces[(self.bottom_label, "%")] = list(self.bottom)
        pieces[("Net", "%")] = list(self.net)
        pieces[("Base", "n")] = list(self.bases)
        frame = pd.DataFrame(pieces, index=pd.Index(list(self.rows), name=self.title))
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["column", "value"])
        return frame

    def to_json(self) -> dict:
        w = self.weighted
        return self._json(
            base=_count(max(self.bases, default=0.0), w),
            items=list(self.items),
            rows=list(self.rows),
            columns=list(self.columns),
            column_names=self.column_names,
            scale_columns=self.scale_columns,
            counts=[[_count(c, w) for c in r] for r in self.counts],
            percent_of=self.percent_of,
            percent=self.percent,
            ci=self.ci,
            bases=[_count(b, w) for b in self.bases],
            missing=[_count(m, w) for m in self.missing],
            summary={
                "top_label": self.top_label,
                "bottom_label": self.bottom_label,
                "top": self.top,
                "bottom": self.bottom,
                "net": self.net,
            },
            sort=self.sort,
            tests={},
        )


@dataclass(frozen=True, kw_only=True)
class RankFrequencies(Result):
    """A rank question: how often each option was ranked first, second, ... and its mean
    place among those who ranked it (1 = first)."""

    names: tuple[str, ...]
    rows: tuple[str, ...]
    #: counts[i][j]: how many ranked option i in place j + 1.
    counts: Matrix
    mean_rank: tuple[float, ...]
    ranked: tuple[float, ...]
    answered: float
    not_answered: float

    kind = "rank"

    def to_frame(self) -> pd.DataFrame:
        places = [str(j + 1) for j in range(len(self.counts[0]) if self.counts else 0)]
        frame = pd.DataFrame([list(r) for r in self.counts], columns=places,
                             index=pd.Index(list(self.rows), name=self.title))
        frame.insert(0, "name", list(self.names))
        frame["ranked by"] = list(self.ranked)
        frame["mean rank"] = list(self.mean_rank)
        return frame

    def to_json(self) -> dict:
        w = self.weighted
        return self._json(
            rows=list(self.rows),
            names=list(self.names),
            columns=[str(j + 1) for j in range(len(self.counts[0]) if self.counts else 0)],
            counts=[[_count(c, w) for c in row] for row in self.counts],
            mean_rank=list(self.mean_rank),
            ranked=[_count(c, w) for c in self.ranked],
            answered=_count(self.answered, w),
            not_answered=_count(self.not_answered, w),
            tests={},
        )
