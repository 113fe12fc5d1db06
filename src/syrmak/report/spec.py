"""The report spec (``report.yaml``): the report's blocks in order, each with its line.

A spec is YAML::

    title: The impact of COVID-19 pandemic on civic activism in Kazakhstan
    lang: en                      # labels, numbers and the words around them
    content:
      - toc: Table of contents
      - heading: Results
      - text: |
          {{ pct: adaptation = fully }} of all participants adapted fully.
      - table:
          caption: Adapting projects to the pandemic conditions
          crosstab: {rows: adaptation, columns: effectiveness_change}
      - figure:
          caption: Activists by areas of specialization
          chart: bar
          question: spheres
      - quote: {document: interview-26, code: funding}

Every problem is reported with the spec file and line, before anything is computed or
written (see docs/reports.md for every key).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from syrmak.errors import SyrmakError

SPEC_NAME = "report.yaml"

CHARTS = ("bar", "stacked", "diverging", "grouped", "map")
TABLE_ANALYSES = ("frequencies", "multiple", "crosstab", "banner", "likert", "codes")
SHOW = ("percent", "count", "both")
QUOTE_KEYS = ("document", "text", "starts", "ends", "start", "end", "coding", "code",
              "occurrence", "attribution", "id")


# --------------------------------------------------------------------------- YAML with lines


class _Map(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Seq(list):
    line: int = 0
    item_lines: list


class _Text(str):
    """A string scalar that remembers where its first content line is."""

    line: int = 0


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: 10x faster
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise SyrmakError("a key of the report spec must be a plain word.",
                              "write keys like 'caption:' or 'question:'.",
                              code="bad-report-spec", line=key_node.start_mark.line + 1)
        key = str(key)
        if key in out:
            raise SyrmakError(f"the key '{key}' appears twice in one block.",
                              "keep one of them.", code="bad-report-spec",
                              line=key_node.start_mark.line + 1)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    out = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> _Text:
    out = _Text(loader.construct_scalar(node))
    # A block scalar ("|" or ">") starts on the line after its indicator.
    out.line = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Block:
    line: int


@dataclass(frozen=True)
class Toc(Block):
    title: str | None


@dataclass(frozen=True)
class Heading(Block):
    text: str
    level: int
    id: str | None = None


@dataclass(frozen=True)
class Text(Block):
    markdown: str
    #: Line of the first content line of the Markdown (for placeholder errors).
    text_line: int = 0


@dataclass(frozen=True)
class Analysis:
    """Which analysis makes a table or a figure, with its arguments and their lines."""

    kind: str
    args: Mapping[str, Any]
    line: int
    arg_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.arg_lines.get(key, self.line)


@dataclass(frozen=True)
class Table(Block):
    caption: str
    analysis: Analysis
    show: str | None = None
    decimals: int = 2
    corner: str | None = None
    stem: str | None = None
    note: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Figure(Block):
    caption: str
    chart: str
    analysis: Analysis
    options: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Quote(Block):
    locator: Mapping[str, Any]
    locator_lines: Mapping[str, int]
    attribution: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class PageBreak(Block):
    pass


@dataclass(frozen=True)
class References(Block):
    """A bibliography: one Markdown entry each (``<https://...>`` makes a link)."""
    items: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    file: str
    folder: Path | None
    title: str | None
    subtitle: str | None
    authors: tuple[str, ...]
    lang: str | None
    date: str | None
    attribution: str | None
    original_language: str | None
    quote_layout: str
    blocks: tuple[Block, ...]
    output: str = "report"
    #: Line of each top-level key.
    lines: Mapping[str, int] = field(default_factory=dict)
    #: ``footnotes:``: name -> text, cited in prose as ``[^name]``.
    footnotes: Mapping[str, str] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    @property
    def quotes(self) -> list[Quote]:
        return [b for b in self.blocks if isinstance(b, Quote)]


# --------------------------------------------------------------------------- parsing


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, message: str, hint: str, line: int, code: str = "bad-report-spec",
             value: object = None) -> SyrmakError:
        return SyrmakError(message, hint, code=code, file=self.file, line=line, value=value)

    def text(self, block: _Map, key: str, required: bool = False) -> str | None:
        value = block.get(key)
        if value is None:
            if required:
                raise self.fail(f"this block needs a '{key}'.", f"add '{key}: ...'.", block.line)
            return None
        if isinstance(value, dict | list):
            raise self.fail(f"'{key}' must be text, not a list or mapping.",
                            f"write '{key}: some text'.", block.line_of(key))
        return str(value)

    def only(self, block: _Map, allowed: tuple[str, ...], what: str) -> None:
        for key in block:
            if key not in allowed:
                raise self.fail(f"unknown key '{key}' in a {what} block.",
                                f"use one of: {', '.join(allowed)}.", block.line_of(key),
                                value=key)

    def integer(self, block: _Map, key: str, default: int, low: int, high: int) -> int:
        value = block.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(f"'{key}' must be a whole number from {low} to {high}, not {value!r}.",
                            f"write '{key}: {default}'.", block.line_of(key))
        return value


def _analysis(r: _Reader, block: _Map, kinds: tuple[str, ...], what: str) -> Analysis:
    found = [k for k in kinds if k in block]
    if len(found) != 1:
        listed = ", ".join(kinds)
        if not found:
            raise r.fail(f"this {what} names no analysis.",
                         f"add exactly one of: {listed} (e.g. 'frequencies: QUESTION').",
                         block.line)
        raise r.fail(f"this {what} names {len(found)} analyses ({', '.join(found)}).",
                     "keep exactly one.", block.line_of(found[1]))
    kind = found[0]
    value = block[kind]
    line = block.line_of(kind)
    if isinstance(value, dict):
        args = dict(value)
        lines = dict(getattr(value, "key_lines", {}))
    elif isinstance(value, list):
        args = {"questions": list(value)}
        lines = {"questions": line}
    else:
        args = {"question": str(value)}
        lines = {"question": line}
    return Analysis(kind, args, line, lines)


def _toc(r: _Reader, block: _Map) -> Toc:
    value = block["toc"]
    r.only(block, ("toc",), "toc")
    title = None if value in (True, None) else str(value)
    return Toc(block.line, title)


def _heading(r: _Reader, block: _Map) -> Heading:
    r.only(block, ("heading", "level", "id"), "heading")
    return Heading(block.line, r.text(block, "heading", True),
                   r.integer(block, "level", 1, 1, 4), r.text(block, "id"))


def _text(r: _Reader, block: _Map) -> Text:
    r.only(block, ("text",), "text")
    value = block["text"]
    return Text(block.line, r.text(block, "text", True) or "",
                getattr(value, "line", block.line))


_TABLE_KEYS = ("table",)
_TABLE_OPTS = ("caption", "show", "decimals", "corner", "stem", "note", "id")
_FIGURE_OPTS = ("caption", "chart", "note", "id", "sort", "empty", "series", "geojson", "match",
                "scale", "labels", "width", "height", "title")


def _table(r: _Reader, outer: _Map) -> Table:
    r.only(outer, _TABLE_KEYS, "table")
    block = outer["table"]
    if not isinstance(block, dict):
        raise r.fail("'table:' needs its keys below it (caption, and an analysis).",
                     "write 'table:' then indented 'caption: ...' and e.g. 'crosstab: ...'.",
                     outer.line)
    r.only(block, _TABLE_OPTS + TABLE_ANALYSES + ("where",), "table")
    show = r.text(block, "show")
    if show is not None and show not in SHOW:
        raise r.fail(f"show must be one of {', '.join(SHOW)}, not '{show}'.",
                     "write 'show: percent'.", block.line_of("show"), value=show)
    analysis = _analysis(r, block, TABLE_ANALYSES, "table")
    if "where" in block:
        analysis = Analysis(analysis.kind, {**analysis.args, "where": str(block["where"])},
                            analysis.line, {**analysis.arg_lines, "where": block.line_of("where")})
    return Table(block.line, r.text(block, "caption", True), analysis,
                 show, r.integer(block, "decimals", 2, 0, 4), r.text(block, "corner"),
                 r.text(block, "stem"), r.text(block, "note"), r.text(block, "id"))


_FIGURE_ANALYSES = ("question", "questions", "likert")


def _figure(r: _Reader, outer: _Map) -> Figure:
    r.only(outer, ("figure",), "figure")
    block = outer["figure"]
    if not isinstance(block, dict):
        raise r.fail("'figure:' needs its keys below it (caption, chart, question).",
                     "write 'figure:' then indented 'caption:', 'chart:' and 'question:'.",
                     outer.line)
    r.only(block, _FIGURE_OPTS + _FIGURE_ANALYSES + ("where",), "figure")
    chart = r.text(block, "chart") or "bar"
    if chart not in CHARTS:
        raise r.fail(f"unknown chart '{chart}'.", f"use one of: {', '.join(CHARTS)}.",
                     block.line_of("chart"), value=chart)
    analysis = _analysis(r, block, _FIGURE_ANALYSES, "figure")
    if analysis.kind == "questions":
        analysis = Analysis("questions", {"questions": list(block["questions"])},
                            analysis.line, {"questions": analysis.line})
    if "where" in block:
        analysis = Analysis(analysis.kind, {**analysis.args, "where": str(block["where"])},
                            analysis.line, {**analysis.arg_lines, "where": block.line_of("where")})
    need = {"bar": ("question",), "map": ("question",), "grouped": ("questions",),
            "stacked": ("likert",), "diverging": ("likert",)}[chart]
    if analysis.kind not in need:
        raise r.fail(f"a '{chart}' chart is drawn from '{need[0]}:', not '{analysis.kind}:'.",
                     {"question": "write 'question: NAME'.",
                      "questions": "write 'questions: [BEFORE, DURING]'.",
                      "likert": "write 'likert: {items: [...]}' or 'likert: LIST_NAME'."}[need[0]],
                     analysis.line)
    options = {k: block[k] for k in _FIGURE_OPTS if k in block and k not in
               ("caption", "chart", "note", "id")}
    option_lines = {k: block.line_of(k) for k in options}
    return Figure(block.line, r.text(block, "caption", True), chart, analysis,
                  {**options, "_lines": option_lines}, r.text(block, "note"), r.text(block, "id"))


def _quote(r: _Reader, outer: _Map) -> Quote:
    r.only(outer, ("quote",), "quote")
    block = outer["quote"]
    if not isinstance(block, dict):
        raise r.fail("'quote:' needs its keys below it (document and text, code or coding).",
                     "write 'quote: {document: NAME, code: CODE}' or 'quote: {coding: ID}'.",
                     outer.line)
    r.only(block, QUOTE_KEYS, "quote")
    locator = {k: block[k] for k in QUOTE_KEYS if k in block and k not in ("attribution", "id")}
    return Quote(block.line, locator, {k: block.line_of(k) for k in locator},
                 r.text(block, "attribution"), r.text(block, "id"))


def _references(r: _Reader, block: _Map) -> References:
    r.only(block, ("references",), "references")
    items = block["references"]
    if not isinstance(items, list) or not items:
        raise r.fail("'references:' needs a list of entries.",
                     "write '- references:' and below it '- Author (2020). Title. <https://...>'.",
                     block.line)
    for item, line in zip(items, items.item_lines, strict=True):
        if isinstance(item, dict | list) or item is None:
            raise r.fail("each reference is one line of text.",
                         "write '- Author (2020). Title. <https://...>'.", line)
    return References(block.line, tuple(str(i) for i in items))


def _footnotes(r: _Reader, data: _Map) -> dict[str, str]:
    notes = data.get("footnotes")
    if notes is None:
        return {}
    if not isinstance(notes, dict):
        raise r.fail("'footnotes:' maps a name to the note's text.",
                     "write 'footnotes:' and below it 'trolls: Troll farms are ...'; cite it in "
                     "text as [^trolls].", data.line_of("footnotes"))
    out = {}
    for name in notes:
        text = r.text(notes, str(name), True)
        if not re.fullmatch(r"[\w-]+", str(name)):
            raise r.fail(f"the footnote name '{name}' may hold letters, digits, '_' and '-' only.",
                         "rename it, e.g. 'trolls'.", notes.line_of(name), value=name)
        out[str(name)] = text
    return out


_BLOCKS = {
    "toc": _toc,
    "heading": _heading,
    "text": _text,
    "table": _table,
    "figure": _figure,
    "quote": _quote,
    "pagebreak": lambda r, b: PageBreak(b.line),
    "references": _references,
    # A respondent-driven sample: the recruitment tree (a figure) and RDS-II (a table).
    "tree": lambda r, b: _rds_block("parse_tree", r, b),
    "rds": lambda r, b: _rds_block("parse_rds", r, b),
}


def _rds_block(parser: str, r: _Reader, block: _Map) -> Block:
    from syrmak.report import rds_report

    return getattr(rds_report, parser)(r, block)

_TOP = ("title", "subtitle", "authors", "lang", "date", "attribution", "original_language",
        "quote_layout", "content", "output", "footnotes")


def parse_spec(text: str, file: str = SPEC_NAME, folder: Path | None = None) -> Spec:
    """Read a spec from YAML text; every error names ``file`` and a line."""
    r = _Reader(file)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SyrmakError(f"the report spec is not valid YAML: {getattr(exc, 'problem', exc)}.",
                          "fix the indentation or quoting at that line.", code="bad-report-spec",
                          file=file, line=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict):
        raise r.fail("the report spec must be a mapping with 'title:' and 'content:'.",
                     "see docs/reports.md for an example.", 1)
    r.only(data, _TOP, "top-level")
    content = data.get("content")
    if not isinstance(content, list) or not content:
        raise r.fail("the report spec needs a non-empty 'content:' list.",
                     "add 'content:' with items like '- heading: Results'.",
                     data.line_of("content") if "content" in data else 1)
    blocks: list[Block] = []
    for item, line in zip(content, content.item_lines, strict=True):
        if not isinstance(item, dict) or not item:
            raise r.fail("each content item must be a block like 'heading: ...' or 'table: ...'.",
                         f"use one of: {', '.join(_BLOCKS)}.", line)
        kind = next(iter(item))
        if kind not in _BLOCKS:
            raise r.fail(f"unknown block '{kind}'.", f"use one of: {', '.join(_BLOCKS)}.", line,
                         value=kind)
        blocks.append(_BLOCKS[kind](r, item))
    ids: dict[str, int] = {}
    for b in blocks:
        bid = getattr(b, "id", None)
        if bid:
            if bid in ids:
                raise r.fail(f"the id '{bid}' is used twice (first at line {ids[bid]}).",
                             "give each table, figure, quote or heading its own id.", b.line)
            ids[bid] = b.line
    authors = data.get("authors") or ()
    if isinstance(authors, str):
        authors = (authors,)
    date = data.get("date")
    if isinstance(date, _dt.date):
        date = date.isoformat()
    layout = r.text(data, "quote_layout") or "reference"
    if layout not in ("reference", "original-first", "attribution-last"):
        raise r.fail(f"quote_layout must be 'reference', 'attribution-last' or "
                     f"'original-first', not '{layout}'.", "leave it out for the default.",
                     data.line_of("quote_layout"))
    output = r.text(data, "output") or "report"
    if "/" in output or "\\" in output:
        raise r.fail("'output' is a file name without folders.", "write 'output: report'.",
                     data.line_of("output"))
    return Spec(
        file=file, folder=folder, title=r.text(data, "title"), subtitle=r.text(data, "subtitle"),
        authors=tuple(str(a) for a in authors), lang=r.text(data, "lang"),
        date=None if date is None else str(date), attribution=r.text(data, "attribution"),
        original_language=r.text(data, "original_language"), quote_layout=layout,
        blocks=tuple(blocks), output=output,
        lines={k: data.line_of(k) for k in data}, footnotes=_footnotes(r, data),
    )


def load_spec(path: str | Path) -> Spec:
    """Read ``report.yaml`` (or another spec file)."""
    path = Path(path)
    if not path.exists():
        raise SyrmakError(f"there is no report spec {path}.",
                          "write one (see docs/reports.md) or pass --spec FILE.",
                          code="no-report-spec", file=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SyrmakError("the report spec is not UTF-8 text.", "save it as UTF-8.",
                          code="bad-report-spec", file=path.name) from exc
    return parse_spec(text, path.name, path.parent)
