"""Render analysis results as a plain-text table, CSV, XLSX, JSON or Markdown.

Pure functions of a result: nothing here reads a study or computes a statistic. Each
result is first laid out as a typed grid (header, rows of numbers and labels, footer
lines); the text formats format that grid, CSV and XLSX keep its numbers as numbers.
"""

from __future__ import annotations

import csv as _csv
import io
import json as _json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from syrmak.analysis.results import (
    Banner,
    Crosstab,
    Frequencies,
    Likert,
    MultipleResponse,
    RankFrequencies,
    Result,
)
from syrmak.errors import SyrmakError
from syrmak.render.grid import COUNT, HIGH, LABEL, LOW, PERCENT, TEXT, TOTAL, Grid, spans
from syrmak.render.grid import missing as _missing

FORMATS = ("table", "csv", "xlsx", "json", "markdown")


# --------------------------------------------------------------------------- layout


def _ci_columns(group: str, header, kinds) -> None:
    header += [(group, "95% CI low"), (group, "95% CI high")]
    kinds += [LOW, HIGH]


def _p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _test_line(t: dict) -> str:
    rs = t.get("rao_scott")
    if rs:
        line = (f"Rao-Scott F({rs['ndf']:.2f}, {rs['ddf']:.2f}) = {rs['statistic']:.3f}, "
                f"p = {_p(rs['p'])} (design-based, second-order correction)")
        if t.get("cramers_v") is not None:
            line += f"; Cramér's V = {t['cramers_v']:.3f}"
        return line
    chi = t.get("chi2")
    if not chi:
        return "no test (answers in a single row or column)"
    parts = [f"chi-square({chi['df']}) = {chi['statistic']:.3f}, p = {_p(chi['p'])}"]
    if t.get("cramers_v") is not None:
        parts.append(f"Cramér's V = {t['cramers_v']:.3f}")
    fisher = t.get("fisher") or {}
    if fisher.get("computed"):
        method = "" if fisher["method"] == "exact" else f" ({fisher['method']})"
        parts.append(f"Fisher's exact p = {_p(fisher['p'])}{method}")
    return "; ".join(parts)


def _footer(result: Result, tests: list[str]) -> list[str]:
    lines = list(tests)
    lines += [f"Note: {n}" for n in result.notes]
    return lines


def _option_rows(r: Frequencies | MultipleResponse, ci: bool, first: str, second: str,
                 second_values) -> tuple[list, list, list, list]:
    """Header, kinds and one row per option (n, two percentages, the interval)."""
    header = [("", r.title), ("", "n"), ("", first), ("", second)]
    kinds = [LABEL, COUNT, PERCENT, PERCENT]
    if ci:
        _ci_columns("", header, kinds)
    rows = []
    for i, label in enumerate(r.rows):
        row = [label, r.counts[i], r.percent[i], second_values[i]]
        if ci:
            row += list(r.ci[i])
        rows.append(row)
    return header, kinds, rows, [None, None] if ci else []


def _option_grid(r: Frequencies | MultipleResponse, header, kinds, rows) -> Grid:
    footer = _footer(r, [])
    if r.other:
        footer.append("Other answers: " + "; ".join(r.other))
    # The last three rows are totals (valid, missing, all; or mentions and respondents).
    roles = ["body"] * (len(rows) - 3) + [TOTAL] * 3
    return Grid(r.title, header, kinds, rows, footer, r.weighted, roles=roles)


def _frequencies(r: Frequencies, ci: bool) -> Grid:
    header, kinds, rows, pad = _option_rows(r, ci, "%", "% of all", r.percent_all)
    valid_all = 100 * r.valid / r.total if r.total else math.nan
    missing_all = 100 * r.missing / r.total if r.total else math.nan
    rows.append(["Total valid", r.valid, 100.0 if r.valid else math.nan, valid_all] + pad)
    rows.append(["Missing", r.missing, None, missing_all] + pad)
    rows.append(["Total", r.total, None, 100.0 if r.total else math.nan] + pad)
    return _option_grid(r, header, kinds, rows)


def _multiple(r: MultipleResponse, ci: bool) -> Grid:
    header, kinds, rows, pad = _option_rows(r, ci, "% of respondents", "% of mentions",
                                            r.percent_mentions)
    rows.append(["Total mentions", r.mentions, None, 100.0 if r.mentions else math.nan] + pad)
    rows.append(["Respondents who answered", r.answered, None, None] + pad)
    rows.append(["Did not answer", r.not_answered, None, None] + pad)
    return _option_grid(r, header, kinds, rows)


def _crosstab(r: Crosstab, ci: bool) -> Grid:
    header = [("", r.title)]
    kinds = [LABEL]
    for label in r.columns:
        header += [(label, "n"), (label, "%")]
        kinds += [COUNT, PERCENT]
        if ci:
            _ci_columns(label, header, kinds)
    header += [("Total", "n"), ("Total", "%")]
    kinds += [COUNT, PERCENT]
    total_row_pct = {
        "total": r.row_total_percent,
        "column": r.row_total_percent,
        "row": tuple(100.0 if t else math.nan for t in r.row_totals),
    }[r.percent_of]
    rows = []
    for i, label in enumerate(r.rows):
        row: list[Any] = [label]
        for j in range(len(r.columns)):
            row += [r.counts[i][j], r.percent[i][j]]
            if ci:
                row += list(r.ci[i][j])
        row += [r.row_totals[i], total_row_pct[i]]
        rows.append(row)
    total: list[Any] = ["Total"]
    for j in range(len(r.columns)):
        pct = {
            "total": r.column_total_percent[j],
            "row": r.column_total_percent[j],
            "column": 100.0 if r.column_totals[j] else math.nan,
        }[r.percent_of]
        total += [r.column_totals[j], pct]
        if ci:
            total += [None, None]
    total += [r.base, 100.0 if r.base else math.nan]
    rows.append(total)
    tests = []
    if "by_option" in r.tests:
        for t in r.tests["by_option"]:
            name = " x ".join(x for x in (t["row"], t["column"]) if x is not None)
            tests.append(f"{name}: {_test_line(t)}")
    else:
        tests.append(_test_line(r.tests))
    footer = [f"Percentages of the {r.percent_of}; base: {r.base:g} respondents."]
    footer += _footer(r, tests)
    return Grid(f"{r.title} x {r.column_title}", header, kinds, rows, footer, r.weighted,
                roles=["body"] * (len(rows) - 1) + [TOTAL])


def _banner(r: Banner, ci: bool) -> Grid:
    header = [("", r.title)]
    kinds = [LABEL]
    for j, label in enumerate(r.columns):
        group = f"{label} ({r.letters[j]})" if r.letters[j] else label
        header += [(group, "n"), (group, "%")]
        kinds += [COUNT, PERCENT]
        if ci:
            _ci_columns(group, header, kinds)
        if j:
            header.append((group, "sig."))
            kinds.append(TEXT)
    rows = []
    for i, label in enumerate(r.rows):
        row: list[Any] = [label]
        for j in range(len(r.columns)):
            row += [r.counts[i][j], r.percent[i][j]]
            if ci:
                row += list(r.ci[i][j])
            if j:
                row.append(r.marks[i][j])
        rows.append(row)
    base: list[Any] = ["Base"]
    for j in range(len(r.columns)):
        base += [r.bases[j], None] + ([None, None] if ci else []) + ([""] if j else [])
    rows.append(base)
    legend = [
        f"{r.letters[g.start]}-{r.letters[g.stop - 1]}: {g.title}"
        if g.stop - g.start > 1
        else f"{r.letters[g.start]}: {g.title}"
        for g in r.groups
        if g.stop > g.start
    ]
    footer = ["Columns " + "; ".join(legend) + "."] + _footer(r, [])
    return Grid(r.title, header, kinds, rows, footer, r.weighted,
                roles=["body"] * (len(rows) - 1) + [TOTAL])


def _likert(r: Likert, ci: bool) -> Grid:
    header = [("", r.title)]
    kinds = [LABEL]
    for j, label in enumerate(r.columns):
        group = label if j < r.scale_columns else f"{label} (not on the scale)"
        header += [(group, "n"), (group, "%")]
        kinds += [COUNT, PERCENT]
        if ci:
            _ci_columns(group, header, kinds)
    header += [("", r.top_label), ("", r.bottom_label), ("", "Net"), ("", "Base")]
    kinds += [PERCENT, PERCENT, PERCENT, COUNT]
    rows = []
    for i, label in enumerate(r.rows):
        row: list[Any] = [label]
        for j in range(len(r.columns)):
            row += [r.counts[i][j], r.percent[i][j]]
            if ci:
                row += list(r.ci[i][j])
        row += [r.top[i], r.bottom[i], r.net[i], r.bases[i]]
        rows.append(row)
    footer = [f"Percentages of {_LIKERT_BASES[r.percent_of]}."] + _footer(r, [])
    return Grid(r.title, header, kinds, rows, footer, r.weighted)


_LIKERT_BASES = {
    "all": "all respondents",
    "valid": "respondents who answered the item",
    "scale": "answers on the scale",
}


def _rank(r: RankFrequencies) -> Grid:
    depth = len(r.counts[0]) if r.counts else 0
    header = [("", r.title), *(("place", str(j + 1)) for j in range(depth)),
              ("", "ranked by"), ("", "mean rank")]
    kinds = [LABEL, *([COUNT] * depth), COUNT, TEXT]
    rows = [[label, *counts, ranked, "" if math.isnan(mean) else f"{mean:.2f}"]
            for label, counts, ranked, mean in zip(r.rows, r.counts, r.ranked, r.mean_rank,
                                                   strict=True)]
    footer = _footer(r, [])
    footer.append(f"Ranked by {r.answered:g} respondents; {r.not_answered:g} did not rank.")
    return Grid(r.title, header, kinds, rows, footer, r.weighted)


def grid(result: Result) -> Grid:
    """The typed layout every format starts from."""
    ci = getattr(result, "ci", None) is not None
    if isinstance(result, Frequencies):
        return _frequencies(result, ci)
    if isinstance(result, MultipleResponse):
        return _multiple(result, ci)
    if isinstance(result, Crosstab):
        return _crosstab(result, ci)
    if isinstance(result, Banner):
        return _banner(result, ci)
    if isinstance(result, Likert):
        return _likert(result, ci)
    if isinstance(result, RankFrequencies):
        return _rank(result)
    raise SyrmakError(
        f"cannot render {type(result).__name__}.",
        "pass a result of frequencies, multiple_response, crosstab, banner or likert.",
        code="bad-argument",
    )


# --------------------------------------------------------------------------- text


def _cell(value: Any, kind: str, weighted: bool, sign: bool = True) -> str:
    if isinstance(value, str):  # a suppressed cell (privacy.disclosure) or a label
        return value
    if _missing(value):
        return "" if value is None else "–"
    if kind == COUNT:
        return f"{value:,.1f}" if weighted else f"{int(round(value))}"
    if kind in (PERCENT, LOW, HIGH):
        return f"{value:.2f}%" if sign else f"{value:.2f}"
    return str(value)


def _text_grid(g: Grid) -> tuple[list[str], list[str], list[list[str]], list[str]]:
    """Groups, headings and string cells, the two CI columns merged into one."""
    groups, heads, aligns = [], [], []
    keep = []
    for j, (kind, (group, head)) in enumerate(zip(g.kinds, g.header, strict=True)):
        if kind == HIGH:
            continue
        keep.append(j)
        groups.append(group)
        heads.append("95% CI" if kind == LOW else head)
        aligns.append("<" if kind in (LABEL, TEXT) else ">")
    rows = []
    for row in g.rows:
        cells = []
        for j in keep:
            kind = g.kinds[j]
            if kind == LOW:
                lo, hi = row[j], row[j + 1]
                both = not (_missing(lo) or _missing(hi))
                cells.append(f"[{lo:.2f}, {hi:.2f}]" if both else "")
            else:
                cells.append(_cell(row[j], kind, g.weighted))
        rows.append(cells)
    return groups, heads, rows, aligns


#: Space between two columns of a terminal table: the padding either side and the divider.
_GAP = 1


def _group_lines(groups: list[str], widths: list[int], last: int) -> list[str]:
    """The group headings over their columns (centred, wrapped to the span, underlined),
    given the widths rich lays the columns out at (padding included)."""
    import textwrap

    starts = [sum(widths[:j]) + j * _GAP for j in range(len(widths))]
    spans_ = [(t, starts[a] + (a > 0), starts[b - 1] + widths[b - 1] - (b - 1 < last))
              for t, a, b in spans(groups) if t]
    wrapped = [(textwrap.wrap(t, max(1, right - left)) or [""], left, right)
               for t, left, right in spans_]
    depth = max(len(w) for w, _, _ in wrapped)
    lines = []
    for k in range(depth):
        line = [" "] * (starts[-1] + widths[-1])
        for texts, left, right in wrapped:
            # Short titles sit on the line nearest their columns.
            text = texts[k - (depth - len(texts))] if k >= depth - len(texts) else ""
            line[left:right] = text.center(right - left)
        lines.append("".join(line))
    rule = [" "] * (starts[-1] + widths[-1])
    for _, left, right in spans_:
        rule[left:right] = "─" * (right - left)
    lines.append("".join(rule))
    return lines


def _blocks(groups: list[str], natural: list[int], room: int) -> list[list[int]]:
    """The data columns split into blocks that each fit beside the label column in
    ``room`` characters, a group of columns kept whole (a table too wide for the window
    is printed as several, as R prints a wide matrix)."""
    blocks: list[list[int]] = [[]]
    used = 0
    units = [(t, list(range(a + 1, b + 1))) for t, a, b in spans(groups[1:]) if t]
    units += [("", [j]) for j in range(1, len(groups)) if not groups[j]]
    for title, cols in sorted(units, key=lambda u: u[1][0]):
        # A title up to 24 characters stands on one line over its columns; longer wrap.
        longest = max((len(w) for w in title.split()), default=0)
        cost = max(sum(natural[j] + 3 for j in cols), min(len(title), 24) + 3, longest + 3)
        if blocks[-1] and used + cost > room:
            blocks.append([])
            used = 0
        blocks[-1] += cols
        used += cost
    return blocks


def _widths(table, console) -> list[int]:
    """The widths rich will lay the columns out at, padding included, as its Table does
    when printed (the dividers' width taken off the window first). A private method of
    rich's Table (there since rich 9); tests/analysis/test_formats.py would see it change."""
    options = console.options.update_width(console.width - table._extra_width)
    return table._calculate_column_widths(console, options)


def _terminal_block(g: Grid, heads, rows, aligns, groups, columns: list[int], natural,
                    label: int, console) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # The header's rule, and a dotted one above the totals.
    rules = box.Box("    \n    \n ── \n    \n ╌╌ \n    \n    \n    \n")
    table = Table(box=rules, pad_edge=False, show_edge=False)
    keep = [0, *columns]
    for j in keep:
        # Numbers never wrap (their column is as wide as the widest), labels, texts and
        # headings wrap in their column.
        number = aligns[j] != "<"
        table.add_column(heads[j], justify="right" if number else "left", overflow="fold",
                         min_width=label if j == 0 else
                         max(len(r[j]) for r in rows) if number else None)
    for i, row in enumerate(rows):
        before_total = i + 1 < len(rows) and g.role(i) != TOTAL and g.role(i + 1) == TOTAL
        table.add_row(*(row[j] for j in keep), end_section=before_total)
    shown = [groups[j] for j in keep]
    if any(shown[1:]):
        # Widen a group's columns until its title fits over them, if the window allows;
        # else the title wraps over its columns.
        # First every title's longest word (a heading never breaks inside a word,
        # "Effectiven|ess"), then, with what room is left, titles on one line.
        for one_line in (False, True):
            measured = _widths(table, console)
            spare = console.width - (sum(measured) + (len(measured) - 1) * _GAP)
            for title, a, b in spans(shown):
                room = sum(measured[a:b]) + (b - a - 1) * _GAP - 2
                need = max((len(w) for w in title.split()), default=0) - room
                if one_line:
                    # A title stands on one line if the window has room (up to 40
                    # characters), else it wraps at 24 characters.
                    need = len(title) - room
                    if need > spare or len(title) > 40:
                        need = min(len(title), max(room, 24)) - room
                if title and 0 < need <= spare:
                    spare -= need
                    for j in range(a, b):  # shared out, so a count stays near its share
                        extra = need // (b - a) + (j - a < need % (b - a))
                        pads = 2 - (j == len(measured) - 1)  # the last has no right pad
                        table.columns[j].min_width = measured[j] - pads + extra
        measured = _widths(table, console)
        for line in _group_lines(shown, measured, len(keep) - 1):
            console.print(Text(line.rstrip()))
    console.print(table)


def to_table(result: Result, width: int | None = None) -> str:
    """A table for people, sized to the terminal (``width``: the ``COLUMNS`` variable,
    else 80): its title, the column groups over their columns, numbers right-aligned with
    % signs, a blank where there is no value and "–" where a share is undefined, totals
    below a rule, and the tests and notes under the table. Columns that do not fit
    follow in another table below, the labels repeated."""
    from rich.text import Text

    from syrmak.render.frames import _console, _text

    g = grid(result)
    groups, heads, rows, aligns = _text_grid(g)
    # The title above names the row question: its heading would only repeat it.
    heads = ["", *heads[1:]]
    out, console = _console(width)
    # A column's width: its widest cell, or its heading's longest word if wider.
    natural = [max(max(map(len, heads[j].split()), default=0), *(len(r[j]) for r in rows))
               for j in range(len(heads))]
    label = min(natural[0], max(12, console.width // 3))
    console.print(Text(g.title))
    for columns in _blocks(groups, natural, console.width - label - 1):
        console.print()
        _terminal_block(g, heads, rows, aligns, groups, columns, natural, label, console)
    if g.footer:
        console.print()
        for line in g.footer:
            console.print(Text(line))
    return _text(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(result: Result) -> str:
    """A GitHub-flavoured Markdown table with the notes as a list below it."""
    g = grid(result)
    groups, heads, rows, aligns = _text_grid(g)
    heads = [f"{grp}: {h}" if grp and grp != h and j else h
             for j, (grp, h) in enumerate(zip(groups, heads, strict=True))]
    lines = [f"**{_md(g.title)}**", ""]
    lines.append("| " + " | ".join(_md(h) for h in heads) + " |")
    lines.append("|" + "|".join(":---" if a == "<" else "---:" for a in aligns) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_md(c) for c in row) + " |")
    if g.footer:
        lines.append("")
        lines += [f"- {_md(line)}" for line in g.footer]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- data


def _flat_header(g: Grid) -> list[str]:
    return [f"{grp}: {h}" if grp and grp != h else h for grp, h in g.header]


def _plain(value: Any, kind: str, weighted: bool) -> Any:
    if isinstance(value, str):  # a suppressed cell (privacy.disclosure) or a label
        return value
    if _missing(value):
        return ""
    if kind == COUNT and not weighted:
        return int(round(value))
    if kind in (PERCENT, LOW, HIGH):
        return round(float(value), 6)
    return value


def to_csv(result: Result) -> str:
    """CSV with one header row; numbers unformatted (percent on a 0-100 scale), empty
    for undefined; the notes follow after an empty line, one per row."""
    from syrmak.exports import neutralise

    g = grid(result)
    out = io.StringIO()
    writer = _csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(h) for h in _flat_header(g)])
    for row in g.rows:
        writer.writerow([neutralise(_plain(x, k, g.weighted))
                         for x, k in zip(row, g.kinds, strict=True)])
    if g.footer:
        writer.writerow([])
        for line in g.footer:
            writer.writerow([neutralise(line)])
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    base = "".join("_" if ch in '[]:*?/\\' else ch for ch in title).strip() or "Table"
    base = base[:28]
    name, k = base, 2
    while name.lower() in used:
        name = f"{base[:25]} ({k})"
        k += 1
    used.add(name.lower())
    return name


def to_xlsx(results: Result | Sequence[Result], path: str | Path | None = None):
    """One sheet per result; counts and percentages as numbers (percentages formatted as
    Excel percentages). Returns the bytes, or writes ``path`` and returns it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from syrmak.exports import neutralise_workbook

    if isinstance(results, Result):
        results = [results]
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for result in results:
        g = grid(result)
        sheet = book.create_sheet(_sheet_title(g.title, used))
        sheet.cell(row=1, column=1, value=g.title).font = bold
        line = 3
        if any(grp for grp, _ in g.header[1:]):
            for title, a, b in spans([grp for grp, _ in g.header]):
                if title and a > 0:
                    cell = sheet.cell(row=line, column=a + 1, value=title)
                    cell.font = bold
                    cell.alignment = Alignment(horizontal="center", wrap_text=True)
                    if b - a > 1:
                        sheet.merge_cells(
                            start_row=line, start_column=a + 1, end_row=line, end_column=b
                        )
            line += 1
        for j, (_, head) in enumerate(g.header):
            sheet.cell(row=line, column=j + 1, value=head).font = bold
        sheet.freeze_panes = sheet.cell(row=line + 1, column=2)
        for row in g.rows:
            line += 1
            for j, (value, kind) in enumerate(zip(row, g.kinds, strict=True)):
                if _missing(value):
                    continue
                cell = sheet.cell(row=line, column=j + 1)
                if isinstance(value, str):  # a suppressed cell (privacy.disclosure) or a label
                    cell.value = value
                elif kind in (PERCENT, LOW, HIGH):
                    cell.value = float(value) / 100
                    cell.number_format = "0.00%"
                elif kind == COUNT:
                    cell.value = float(value) if g.weighted else int(round(value))
                    cell.number_format = "#,##0.0" if g.weighted else "0"
                else:
                    cell.value = value
        line += 1
        for text in g.footer:
            line += 1
            sheet.cell(row=line, column=1, value=text)
        sheet.column_dimensions["A"].width = min(
            60, max(12, *(len(str(r[0])) for r in g.rows)) + 2
        )
        for j in range(2, len(g.header) + 1):
            sheet.column_dimensions[get_column_letter(j)].width = 12
    neutralise_workbook(book)
    if path is None:
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    path = Path(path)
    book.save(path)
    return path


def to_json(result: Result, indent: int | None = 2) -> str:
    """``result.to_json()`` as text (UTF-8 labels kept readable)."""
    return _json.dumps(result.to_json(), ensure_ascii=False, indent=indent, allow_nan=False)


_RENDERERS = {
    "table": to_table,
    "csv": to_csv,
    "json": to_json,
    "markdown": to_markdown,
}


def render(result: Result, fmt: str = "table", path: str | Path | None = None):
    """Render ``result`` as ``fmt`` (one of FORMATS). Text formats return a string, or
    write ``path`` (UTF-8) and return it; xlsx returns bytes or the path."""
    if fmt == "xlsx":
        return to_xlsx(result, path)
    if fmt not in _RENDERERS:
        raise SyrmakError(
            f"unknown output format '{fmt}'.",
            f"use one of: {', '.join(FORMATS)}.",
            code="bad-argument",
            value=fmt,
        )
    text = _RENDERERS[fmt](result)
    if path is None:
        return text
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
