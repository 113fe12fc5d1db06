"""Results laid out as published tables: the compact grids of reports and web pages.

Where the command line's grid (``render.results``) shows every count, percentage and
interval side by side, a published table shows one cell per category: a percentage, a
count or "n (p%)" as the report asks (``show``), totals and bases as heading-like rows,
cells hidden by disclosure control as "x". The HTML and Word reports draw these grids
with ``grid.to_cells``; the web workspace's code matrix reads the same grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syrmak.analysis.results import Banner, Crosstab, Frequencies, Likert, MultipleResponse
from syrmak.render.grid import (
    BODY,
    COUNT,
    COUNT_PERCENT,
    LABEL,
    MARKED_PERCENT,
    PERCENT,
    TOTAL,
    Grid,
)

NAN = float("nan")

#: The cell kind of each ``show``.
_KINDS = {"percent": PERCENT, "count": COUNT, "both": COUNT_PERCENT}


@dataclass(frozen=True)
class Words:
    """The table's own words, in the report's language."""

    total: str = "Total"
    count: str = "Count"
    percent: str = "Percent"
    #: The heading of a base row (column sizes).
    base: str = "n"


def _value(show: str, n: Any, p: Any) -> Any:
    return {"percent": p, "count": n, "both": (n, p)}[show]


def options(r: Frequencies | MultipleResponse, *, show: str | None = None,
            corner: str | None = None, words: Words = Words(),
            base_line: str = "") -> Grid:
    """One row per option, a count and/or a percentage; a total row (a multiple-response
    table has no total of its percentages: its last row says its base, ``base_line``)."""
    show = show or "both"
    counts, percents = show in ("count", "both"), show in ("percent", "both")
    header = [("", r.title if corner is None else corner)]
    kinds = [LABEL]
    if counts:
        header.append(("", words.count))
        kinds.append(COUNT)
    if percents:
        header.append(("", words.percent))
        kinds.append(PERCENT)
    rows: list[list[Any]] = []
    for label, n, p in zip(r.rows, r.counts, r.percent, strict=True):
        rows.append([label] + ([n] if counts else []) + ([p] if percents else []))
    if isinstance(r, Frequencies):
        rows.append([words.total] + ([r.valid] if counts else [])
                    + ([100.0 if r.valid else NAN] if percents else []))
    else:
        rows.append([base_line] + [""] * (len(header) - 1))
    return Grid(r.title, header, kinds, rows, weighted=r.weighted,
                roles=[BODY] * (len(rows) - 1) + [TOTAL], row_keys=[*r.names, None])


def crosstab(r: Crosstab, *, show: str | None = None, corner: str | None = None,
             words: Words = Words(), hidden=None, mark: str = "x") -> Grid:
    """Rows by columns with row and column totals, under the column question. ``hidden``
    (a ``privacy.disclosure.Suppression``) names cells to print as ``mark``: a hidden
    count hides its percentage too, or the base would give it back."""
    show = show or "percent"
    k = len(r.columns)
    shut = hidden.cells if hidden is not None else [[False] * k] * len(r.rows)
    shut_rows = hidden.row_totals if hidden is not None else [False] * len(r.rows)
    shut_cols = hidden.column_totals if hidden is not None else [False] * k
    if r.percent_of == "total":
        row_total_pct, col_total_pct = r.row_total_percent, r.column_total_percent
    elif r.percent_of == "row":
        row_total_pct = tuple(100.0 if t else NAN for t in r.row_totals)
        col_total_pct = r.column_total_percent
    else:
        row_total_pct = r.row_total_percent
        col_total_pct = tuple(100.0 if t else NAN for t in r.column_totals)

    def cell(shut_: bool, n, p):
        return mark if shut_ else _value(show, n, p)

    header = [("", r.title if corner is None else corner), *(("", c) for c in r.columns),
              ("", words.total)]
    kinds = [LABEL] + [_KINDS[show]] * (k + 1)
    rows: list[list[Any]] = []
    for i, label in enumerate(r.rows):
        rows.append([label] + [cell(shut[i][j], r.counts[i][j], r.percent[i][j])
                               for j in range(k)]
                    + [cell(shut_rows[i], r.row_totals[i], row_total_pct[i])])
    rows.append([words.total] + [cell(shut_cols[j], r.column_totals[j], col_total_pct[j])
                                 for j in range(k)]
                + [_value(show, r.base, 100.0 if r.base else NAN)])
    return Grid(f"{r.title} x {r.column_title}", header, kinds, rows, weighted=r.weighted,
                over=r.column_title, roles=[BODY] * len(r.rows) + [TOTAL],
                row_keys=[*r.row_names, None], column_keys=[*r.column_names, None])


def banner(r: Banner, *, corner: str | None = None, words: Words = Words()) -> Grid:
    """Percentages with their column-proportion letters, the first column (the total)
    apart, each column question's columns under its title; a base row."""
    header = [("", r.title if corner is None else corner), ("", r.columns[0])]
    for g in r.groups:
        header += [(g.title, f"{r.columns[j]} ({r.letters[j]})") for j in range(g.start, g.stop)]
    kinds = [LABEL] + [MARKED_PERCENT] * len(r.columns)
    rows: list[list[Any]] = [[label] + [(r.percent[i][j], r.marks[i][j])
                                        for j in range(len(r.columns))]
                             for i, label in enumerate(r.rows)]
    rows.append([words.base, *r.bases])
    return Grid(r.title, header, kinds, rows, weighted=r.weighted,
                roles=[BODY] * len(r.rows) + [TOTAL], row_kinds={len(r.rows): COUNT})


def likert(r: Likert, *, show: str | None = None, corner: str | None = None) -> Grid:
    """One row per item, one column per scale point (and the answers off the scale)."""
    show = show or "percent"
    header = [("", r.title if corner is None else corner)] + [("", c) for c in r.columns]
    kinds = [LABEL] + [_KINDS[show]] * len(r.columns)
    rows = [[label] + [_value(show, r.counts[i][j], r.percent[i][j])
                       for j in range(len(r.columns))]
            for i, label in enumerate(r.rows)]
    return Grid(r.title, header, kinds, rows, weighted=r.weighted)


def code_matrix(m, *, show: str | None = None, corner: str | None = None,
                words: Words = Words()) -> Grid:
    """A ``qual.matrices.CodeMatrix``: one row per code, one column per group of the
    variable (and the total), the units carrying the code; a base row of group sizes.
    ``row_keys`` are the codes and ``column_keys`` the groups, for links to segments."""
    show = show or "both"
    groups = [str(g) for g in m.counts.columns]
    header = [("", m.variable if corner is None else corner),
              *(("", words.total if g == "Total" else g) for g in groups)]
    kinds = [LABEL] + [_KINDS[show]] * len(groups)
    percents = m.percents
    rows: list[list[Any]] = []
    for code in m.counts.index:
        rows.append([str(code)] + [_value(show, float(m.counts.loc[code, g]),
                                          float(percents.loc[code, g]))
                                   for g in m.counts.columns])
    rows.append([words.base] + [float(m.bases[g]) for g in m.counts.columns])
    return Grid(m.variable, header, kinds, rows, roles=[BODY] * (len(rows) - 1) + [TOTAL],
                row_kinds={len(rows) - 1: COUNT}, row_keys=[*map(str, m.counts.index), None],
                column_keys=list(m.counts.columns))
