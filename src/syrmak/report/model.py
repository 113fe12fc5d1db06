"""The resolved report: what the HTML and Word writers lay out, nothing left to compute."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from syrmak.render.grid import Cell  # noqa: F401 - a table's cells, laid out by syrmak.render
from syrmak.report.charts import Chart


@dataclass(frozen=True)
class Heading:
    text: str
    level: int
    anchor: str


@dataclass(frozen=True)
class Prose:
    markdown: str


@dataclass(frozen=True)
class TableBlock:
    number: int
    caption: str
    anchor: str
    header: tuple[tuple[Cell, ...], ...]
    body: tuple[tuple[Cell, ...], ...]
    note: str | None = None
    #: The analysis result behind the table (for tests and notebooks).
    result: Any = None


@dataclass(frozen=True)
class FigureBlock:
    number: int
    caption: str
    anchor: str
    chart: Chart
    alt: str
    note: str | None = None
    svg: bytes | None = None
    png: bytes | None = None
    result: Any = None


@dataclass(frozen=True)
class QuoteBlock:
    original: str
    original_lang: str
    translation: str | None
    lang: str
    attribution: str
    layout: str
    anchor: str


@dataclass(frozen=True)
class Toc:
    title: str
    entries: tuple[Heading, ...]


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class References:
    """Bibliography entries, Markdown each."""
    items: tuple[str, ...]


#: Prose cites footnote N as NOTE + "N" + NOTE (an invisible separator, U+2063, that
#: Markdown passes through untouched); the writers turn it into a real footnote.
NOTE = "\u2063"
NOTE_RE = re.compile(NOTE + r"(\d+)" + NOTE)


Block = Heading | Prose | TableBlock | FigureBlock | QuoteBlock | Toc | PageBreak | References


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    date: str | None
    lang: str
    blocks: tuple[Block, ...]
    #: Timestamp for the Word core properties (ISO 8601), fixed so output is reproducible.
    timestamp: str
    warnings: tuple[str, ...] = ()
    output: str = "report"
    meta: dict = field(default_factory=dict)
    #: Footnote texts; footnote N is ``footnotes[N - 1]``.
    footnotes: tuple[str, ...] = ()

    @property
    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]

    @property
    def figures(self) -> list[FigureBlock]:
        return [b for b in self.blocks if isinstance(b, FigureBlock)]

    @property
    def quotes(self) -> list[QuoteBlock]:
        return [b for b in self.blocks if isinstance(b, QuoteBlock)]
