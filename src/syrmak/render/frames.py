"""Result frames (documents, codes, segments, matrices, agreement, responses) as tables.

For people, ``to_terminal`` draws a table sized to the terminal: long texts wrapped in their
column, line breaks kept as line breaks, a blank for a missing value, proportions written
as percentages with a ``%`` sign, no pandas index numbers. For programs, CSV, JSON,
Markdown and XLSX keep the frame's values as they are.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syrmak.errors import SyrmakError
from syrmak.render import cells

if TYPE_CHECKING:
    import pandas as pd


_missing = cells.missing


def _column_format(series: pd.Series, name: Any, percent: bool):
    """How the cells of one column are written: the same number of decimals down a column,
    a % sign on percentages (``percent``: proportions 0..1; a header ending in '%': already
    times 100), whole numbers without decimals."""
    as_percent = str(name).rstrip().endswith("%")
    kind = series.dtype.kind
    whole = kind in "iub" or (kind == "f" and bool(
        series.dropna().map(lambda v: not math.isfinite(v) or float(v).is_integer()).all()))

    def write(value: Any) -> str:
        if _missing(value):
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            if percent or as_percent:
                return cells.percent(value, 1, proportion=percent)
            return str(int(value)) if whole and math.isfinite(value) else cells.number(value)
        return str(value)

    return write


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a meaningful index (named, labelled, several levels) and a MultiIndex
    header as ordinary columns; pandas' own row numbers are dropped."""
    import pandas as pd

    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        # An unnamed index (a matrix's row labels) gets a blank heading, not "index".
        names = [n if n is not None else "" for n in frame.index.names]
        frame = frame.rename_axis(names).reset_index()
    if isinstance(frame.columns, pd.MultiIndex):
        frame = frame.copy()
        frame.columns = [" ".join(str(p) for p in c if str(p)) for c in frame.columns]
    return frame


def _console(width: int | None):
    from rich.console import Console

    out = io.StringIO()
    return out, Console(file=out, width=width, no_color=True, highlight=False, markup=False,
                        emoji=False, legacy_windows=False, force_terminal=False)


def _text(out: io.StringIO) -> str:
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def to_terminal(frame: pd.DataFrame, *, percent: tuple[str, ...] = (), width: int | None = None,
                title: str | None = None) -> str:
    """A table for people. ``percent`` names the columns holding proportions (0..1);
    ``width`` defaults to the terminal's (the ``COLUMNS`` variable, else 80)."""
    from rich import box
    from rich.table import Table

    frame = _flat(frame)
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False,
                  show_edge=False)
    writers = [_column_format(frame[c], c, c in percent) for c in frame.columns]
    for column in frame.columns:
        table.add_column(str(column), overflow="fold",
                         justify="right" if frame[column].dtype.kind in "iuf" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[w(v) for w, v in zip(writers, row, strict=True)])
    out, console = _console(width)
    console.print(table)
    return _text(out)


#: Above this many columns a row is shown as one "name: value" line per column: a table
#: of 60 questions squeezed into a terminal is one letter wide per column.
_MAX_COLUMNS = 12


def to_fields(frame: pd.DataFrame, *, width: int | None = None) -> str:
    """One block per row, one ``name: value`` line per non-blank cell."""
    from rich.text import Text

    frame = _flat(frame)
    writers = {c: _column_format(frame[c], c, False) for c in frame.columns}
    first = frame.columns[0]
    out, console = _console(width)
    for i, row in enumerate(frame.to_dict("records")):
        if i:
            console.print()
        console.print(Text(f"{first} {writers[first](row[first])}"))
        for column in frame.columns[1:]:
            value = writers[column](row[column])
            if value != "":
                console.print(Text(f"    {column}: {value}"))
    return _text(out)


def to_records(frame: pd.DataFrame, text: str, *, before: str | None = None,
               after: str | None = None, width: int | None = None) -> str:
    """One block per row, for rows that carry a passage: the short fields on one line, then
    the passage ``text`` wrapped below (its context ``before``/``after`` around it, the
    passage itself in [brackets])."""
    from rich.padding import Padding
    from rich.text import Text

    frame = _flat(frame)
    long = {text, before, after} - {None}
    fields = [c for c in frame.columns if c not in long]
    writers = {c: _column_format(frame[c], c, False) for c in fields}
    out, console = _console(width)
    for i, row in enumerate(frame.to_dict("records")):
        if i:
            console.print()
        head = [f"{c}: {writers[c](row[c])}" for c in fields if writers[c](row[c]) != ""]
        console.print(Text("  ".join(head)))
        # The context is cut at a character count, often mid-word: say so with an ellipsis.
        parts = ["…" + str(row[before]).strip() if before and not _missing(row[before]) else "",
                 f"[{str(row[text]).strip()}]" if before or after else str(row[text]),
                 str(row[after]).strip() + "…" if after and not _missing(row[after]) else ""]
        passage = " ".join(p for p in parts if p)
        console.print(Padding(Text(passage), (0, 0, 0, 4)))
    return _text(out)


def _markdown(frame: pd.DataFrame) -> str:
    frame = _flat(frame)
    columns = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame.itertuples(index=False):
        cells = ["" if _missing(v) else str(v).replace("\n", " ").replace("|", "\\|")
                 for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_frame(frame: pd.DataFrame, fmt: str, path: str | Path | None = None, *,
                 markdown: str | None = None, percent: tuple[str, ...] = (),
                 empty: str | None = None, passage: dict | None = None) -> str | None:
    """``frame`` in format ``fmt``; written to ``path`` (then None) or returned as text.

    ``markdown`` replaces the generic Markdown when a result has its own; ``empty`` is
    what a person is told instead of an empty table; ``passage`` (``text``, ``before``,
    ``after`` column names) lays rows that carry a passage out one block each."""
    from syrmak.exports import csv_text, write_xlsx

    if fmt == "md":
        fmt = "markdown"
    if fmt == "xlsx":
        if not path:
            raise SyrmakError("--format xlsx needs --output FILE.xlsx.", "add --output.",
                              code="bad-argument")
        write_xlsx(frame, path)
        return None
    if fmt == "csv":
        text = csv_text(frame, index=frame.index.name is not None)
    elif fmt == "json":
        text = frame.reset_index().to_json(orient="records", force_ascii=False, indent=1) \
            if frame.index.name else frame.to_json(orient="records", force_ascii=False, indent=1)
    elif fmt == "markdown":
        text = markdown if markdown is not None else _markdown(frame)
    elif fmt == "table":
        if empty is not None and frame.empty:
            text = empty
        elif passage and not frame.empty:
            text = to_records(frame, **passage)
        elif len(_flat(frame).columns) > _MAX_COLUMNS:
            text = to_fields(frame)
        else:
            text = to_terminal(frame, percent=percent)
    else:
        raise SyrmakError(f"unknown format '{fmt}'.", "use table, csv, json, markdown or xlsx.",
                          code="bad-argument", value=fmt)
    if path:
        Path(path).write_text(text, encoding="utf-8")
        return None
    return text
