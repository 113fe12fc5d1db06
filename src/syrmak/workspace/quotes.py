"""Translations of the report's quotes: which still lack one, and saving one per segment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from syrmak.errors import SyrmakError
from syrmak.store.writelock import serialized
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.study import Study


@dataclass(frozen=True)
class QuoteItem:
    index: int  # position among the spec's quotes
    line: int
    document: str | None
    start: int | None
    end: int | None
    original: str | None
    translation: str | None
    problem: str | None  # the locator does not find its passage


@dataclass(frozen=True)
class QuoteList:
    language: str
    original_language: str | None
    items: tuple[QuoteItem, ...]

    @property
    def missing(self) -> tuple[QuoteItem, ...]:
        return tuple(i for i in self.items if i.problem is None and not i.translation)


def _spec(study: Study):
    from syrmak.report import SPEC_NAME, load_spec

    if study.folder is None or not (study.folder / SPEC_NAME).is_file():
        raise SyrmakError("this study has no report.yaml.",
                          "write one (docs/reports.md) to list its quotes here.",
                          code="no-report-spec")
    return load_spec(study.folder / SPEC_NAME)


def quotes(study: Study, who: Researcher) -> QuoteList:
    """Every quote of report.yaml with its original and its translation into the report's
    language (missing ones first on the page)."""
    require(who, "read")
    from syrmak.report.quotes import locate, translation_of

    spec = _spec(study)
    language = spec.lang or "en"
    items = []
    with study.engine.connect() as connection:
        for i, block in enumerate(spec.quotes):
            try:
                span = locate(connection, block.locator, file=spec.file,
                              lines=block.locator_lines, line=block.line)
            except SyrmakError as exc:
                items.append(QuoteItem(i, block.line, str(block.locator.get("document")),
                                       None, None, None, None, str(exc)))
                continue
            items.append(QuoteItem(i, block.line, span.document, span.start, span.end,
                                   span.text, translation_of(connection, span, language),
                                   None))
    return QuoteList(language, spec.original_language, tuple(items))


def translate(study: Study, who: Researcher, index: int, text: str) -> QuoteItem:
    """Save the translation of the report's ``index``-th quote."""
    require(who, "translate")
    from syrmak.report import set_translation

    spec = _spec(study)
    if not 0 <= index < len(spec.quotes):
        raise SyrmakError(f"report.yaml has no quote {index + 1}.", "reload the page.",
                          code="unknown-quote")
    block = spec.quotes[index]
    with serialized(study.engine):
        saved = set_translation(study, block.locator, spec.lang or "en", text,
                                translator=who.name)
    return QuoteItem(index, block.line, saved.document, saved.start, saved.end,
                     saved.original, saved.text, None)
