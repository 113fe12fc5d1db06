"""The one table model every output starts from: a typed grid of numbers and labels.

A ``Grid`` is what a result looks like as a table before any format: a two-level header
(a group over several columns, a heading per column), a kind per column saying how its
cells are written (a count, a percentage, "n (p%)", a label...), rows of values, and the
lines that follow the table (tests, notes). ``render.results`` lays analysis results out
as full grids for the command line and machine formats; ``render.published`` lays them
out as the compact tables of reports and web pages; ``to_cells`` writes a grid as the
header and body cells (with their spans) that the HTML and Word reports draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from syrmak.render.cells import fmt_count, fmt_percent

# Column kinds: how a cell is written. COUNT_PERCENT holds (n, p) pairs ("12 (38.71%)"),
# MARKED_PERCENT (p, letters) pairs ("38.71% AB"), a banner cell with its significance.
LABEL, COUNT, PERCENT, LOW, HIGH, TEXT = "label", "count", "percent", "low", "high", "text"
COUNT_PERCENT, MARKED_PERCENT = "count_percent", "marked_percent"

#: Row roles: an ordinary row, or a total (or base) row, drawn like a heading in documents.
BODY, TOTAL = "body", "total"


@dataclass(frozen=True)
class Cell:
    """One written cell of a document's table."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    #: "label" (left-aligned text) or "number".
    kind: str = "number"


@dataclass
class Grid:
    title: str
    #: (group, heading) per column; group "" when the column belongs to no group.
    header: list[tuple[str, str]]
    kinds: list[str]
    rows: list[list[Any]]
    footer: list[str] = field(default_factory=list)
    weighted: bool = False
    #: A heading over every column but the first (a crosstab's column question).
    over: str = ""
    #: BODY or TOTAL per row; None: every row is BODY.
    roles: list[str] | None = None
    #: What each row and column stands for (option names, code paths, group values), for
    #: pages that link a cell to what it counts; None when not needed.
    row_keys: list[Any] | None = None
    column_keys: list[Any] | None = None
    #: Row index -> the one kind of that row's cells, where it is not its columns' (a
    #: base row of counts under columns of percentages).
    row_kinds: dict[int, str] | None = None

    def role(self, i: int) -> str:
        return self.roles[i] if self.roles is not None else BODY

    def kinds_of(self, i: int) -> list[str]:
        """The kinds of row ``i``'s cells."""
        kind = (self.row_kinds or {}).get(i)
        return self.kinds if kind is None else [LABEL] + [kind] * (len(self.kinds) - 1)


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def spans(groups: list[str]) -> list[tuple[str, int, int]]:
    """Runs of equal groups: (group, first column, end column)."""
    out, start = [], 0
    for j in range(1, len(groups) + 1):
        if j == len(groups) or groups[j] != groups[start]:
            out.append((groups[start], start, j))
            start = j
    return out


def written(value: Any, kind: str, weighted: bool = False, decimals: int = 2) -> str:
    """A value as a published table writes it: percentages rounded half up with whole
    values losing their zeros ("12.90%", "100%"), "–" for an undefined number, a text
    (a suppressed cell's "x", a blank) as it is."""
    if isinstance(value, str):
        return value
    if kind == COUNT:
        return fmt_count(value, weighted)
    if kind == PERCENT:
        return fmt_percent(value, decimals)
    if kind == COUNT_PERCENT:
        n, p = value
        if isinstance(n, str):  # suppressed: the percentage would give the count back
            return n
        return f"{fmt_count(n, weighted)} ({fmt_percent(p, decimals)})"
    if kind == MARKED_PERCENT:
        p, mark = value
        return fmt_percent(p, decimals) + (f" {mark}" if mark else "")
    return "" if value is None else str(value)


def to_cells(g: Grid, decimals: int = 2) -> tuple[list[tuple[Cell, ...]], list[tuple[Cell, ...]]]:
    """The header rows and body rows of cells a document draws, spans worked out: the
    first column's heading stands in the corner, over both header rows when there are
    two; a group (or ``over``) heading spans its columns."""
    corner = g.header[0][1]
    groups = [grp for grp, _ in g.header[1:]]
    heads = [Cell(h, header=True) for _, h in g.header[1:]]
    if g.over or any(groups):
        top = [Cell(corner, rowspan=2, header=True, kind="label")]
        if g.over:
            top.append(Cell(g.over, colspan=len(heads), header=True, kind="label"))
        else:
            for title, a, b in spans(groups):
                top.append(Cell(title, colspan=b - a, header=True, kind="label") if title
                           else Cell("", colspan=b - a, header=True))
        header = [tuple(top), tuple(heads)]
    else:
        header = [(Cell(corner, header=True, kind="label"), *heads)]
    body = []
    for i, row in enumerate(g.rows):
        total = g.role(i) == TOTAL
        cells = [Cell(str(row[0]), header=total, kind="label")]
        cells += [Cell(written(v, k, g.weighted, decimals), header=total)
                  for v, k in zip(row[1:], g.kinds_of(i)[1:], strict=True)]
        body.append(tuple(cells))
    return header, body
