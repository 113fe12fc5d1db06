"""Quotes: a coded segment or a document span, its stored translation, its attribution.

A quote is found by one of these locators (the keys of a ``quote:`` block):

- ``coding: 17``: a coded segment by id;
- ``document: NAME`` with ``code: CODE`` (and ``occurrence: N`` when the code is applied
  several times in that document): the coded segment;
- ``document: NAME`` with ``text: "exact words"``, or ``starts: "first words"`` and
  ``ends: "last words"``, or ``start: 10`` and ``end: 250`` (code points): a document span.

Translations are stored per span (``translations`` table: document, start, end,
language; ``qual.translations`` reads and writes them), edited with :func:`set_translation`
or imported from YAML with :func:`import_translations`; a coded segment's translation is its
span's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from syrmak.errors import ErrorList, SyrmakError
from syrmak.qual import translations
from syrmak.qual.lookup import code_paths, code_rows, find_document

# The store side of translations lives in qual; the report reads and writes through it
# (and keeps these names, which the report package and the workspace import from here).
from syrmak.qual.translations import (  # noqa: F401
    Translation,
    list_translations,
    translation_of,
)
from syrmak.report import i18n
from syrmak.store import schema

if TYPE_CHECKING:
    import pandas as pd

    from syrmak.study import Study


@dataclass(frozen=True)
class Span:
    document_id: int
    document: str
    kind: str
    start: int
    end: int
    text: str
    respondent: int | None
    codes: tuple[str, ...] = ()


def _respondent_number(connection: sa.Connection, respondent_id: int | None) -> int | None:
    if respondent_id is None:
        return None
    return connection.execute(sa.select(schema.respondents.c.number)
                              .where(schema.respondents.c.id == respondent_id)).scalar()


class _Fail:
    def __init__(self, file: str | None, lines: Mapping[str, int], line: int | None) -> None:
        self.file, self.lines, self.line = file, lines, line

    def __call__(self, message: str, hint: str, key: str | None = None,
                 code: str = "unknown-quote", value: Any = None) -> SyrmakError:
        line = self.lines.get(key, self.line) if key else self.line
        return SyrmakError(message, hint, code=code, file=self.file, line=line, value=value)


def _find(text: str, needle: str, after: int = 0) -> list[int]:
    hits, i = [], text.find(needle, after)
    while i >= 0:
        hits.append(i)
        i = text.find(needle, i + 1)
    return hits


def locate(connection: sa.Connection, locator: Mapping[str, Any], *, file: str | None = None,
           lines: Mapping[str, int] | None = None, line: int | None = None) -> Span:
    """The span a quote locator names; a clear error naming the spec line otherwise."""
    fail = _Fail(file, lines or {}, line)
    k = schema.codings
    paths = None
    if "coding" in locator:
        coding = connection.execute(sa.select(k).where(k.c.id == _int(locator["coding"], fail,
                                                                       "coding"))).first()
        if coding is None:
            raise fail(f"there is no coded segment {locator['coding']}.",
                       "list coded segments with 'syrmak segments DIR CODE' (column 'codings'), "
                       "or locate the quote by document and code.", "coding",
                       value=locator["coding"])
        doc = find_document(connection, int(coding.document_id), by_id=True)
        paths = code_paths(code_rows(connection))
        return Span(doc.id, doc.name, doc.kind, coding.start_offset, coding.end_offset,
                    doc.text[coding.start_offset:coding.end_offset],
                    _respondent_number(connection, doc.respondent_id),
                    (paths.get(coding.code_id, ""),))
    if "document" not in locator:
        raise fail("a quote needs 'document:' (or 'coding:').",
                   "write 'quote: {document: NAME, code: CODE}' or 'quote: {coding: ID}'.")
    doc = find_document(connection, locator["document"])
    if doc is None:
        names = [r.name for r in connection.execute(sa.select(schema.documents.c.name)
                                                    .order_by(schema.documents.c.name))]
        import difflib

        close = difflib.get_close_matches(str(locator["document"]), names, n=3)
        raise fail(f"there is no document '{locator['document']}'.",
                   (f"did you mean {', '.join(close)}?" if close else
                    "list documents with 'syrmak docs list DIR'; the documents of a respondent "
                    "who withdrew are deleted: 'syrmak report DIR --drop-missing-quotes' removes "
                    "the quotes that point at them."), "document",
                   value=locator["document"])
    number = _respondent_number(connection, doc.respondent_id)
    text = doc.text
    if "code" in locator:
        rows = connection.execute(sa.select(schema.codes.c.id, schema.codes.c.parent_id,
                                            schema.codes.c.name)).all()
        paths = code_paths(code_rows(connection))
        wanted = str(locator["code"])
        ids = [cid for cid, p in paths.items() if p == wanted or p.split("/")[-1] == wanted]
        if not ids:
            raise fail(f"there is no code '{wanted}' in the codebook.",
                       "check the code's name (or path, e.g. 'government/pressure') with "
                       "'syrmak codes list DIR'.", "code", code="unknown-code", value=wanted)
        if len(ids) > 1:
            raise fail(f"the code name '{wanted}' is ambiguous: "
                       f"{', '.join(sorted(paths[i] for i in ids))}.",
                       "write its full path.", "code", code="unknown-code", value=wanted)
        del rows
        segs = connection.execute(
            sa.select(k.c.start_offset, k.c.end_offset).where(
                k.c.document_id == doc.id, k.c.code_id == ids[0])
            .distinct().order_by(k.c.start_offset, k.c.end_offset)).all()
        if not segs:
            raise fail(f"the code '{wanted}' is not applied in document '{doc.name}'.",
                       "code the passage first, or quote it by 'text:'.", "code",
                       value=wanted)
        n = _int(locator.get("occurrence", 1), fail, "occurrence")
        if "occurrence" not in locator and len(segs) > 1:
            raise fail(f"the code '{wanted}' is applied {len(segs)} times in '{doc.name}'.",
                       "say which with 'occurrence: N' (1 = first in the text), or quote by "
                       "'text:'.", "code")
        if not 1 <= n <= len(segs):
            raise fail(f"there is no occurrence {n} of '{wanted}' in '{doc.name}' "
                       f"(it has {len(segs)}).", f"use 1 to {len(segs)}.", "occurrence")
        start, end = segs[n - 1]
        return Span(doc.id, doc.name, doc.kind, start, end, text[start:end], number,
                    (paths[ids[0]],))
    if "text" in locator:
        needle = str(locator["text"]).strip()
        hits = _find(text, needle) if needle else []
        if not hits:
            raise fail(f"the text '{_short(needle)}' does not occur in document '{doc.name}'.",
                       "copy the words exactly from the document.", "text")
        n = _int(locator.get("occurrence", 1), fail, "occurrence")
        if len(hits) > 1 and "occurrence" not in locator:
            raise fail(f"the text '{_short(needle)}' occurs {len(hits)} times in '{doc.name}'.",
                       "quote more words, or say which with 'occurrence: N'.", "text")
        if not 1 <= n <= len(hits):
            raise fail(f"there is no occurrence {n} of that text.", f"use 1 to {len(hits)}.",
                       "occurrence")
        start = hits[n - 1]
        return Span(doc.id, doc.name, doc.kind, start, start + len(needle), needle, number)
    if "starts" in locator or "ends" in locator:
        first, last = str(locator.get("starts", "")).strip(), str(locator.get("ends", "")).strip()
        if not first or not last:
            raise fail("a quote by 'starts:' also needs 'ends:' (and the reverse).",
                       "give the first and the last words of the passage.",
                       "starts" if first else "ends")
        hits = _find(text, first)
        if not hits:
            raise fail(f"'{_short(first)}' does not occur in document '{doc.name}'.",
                       "copy the first words exactly from the document.", "starts")
        if len(hits) > 1:
            raise fail(f"'{_short(first)}' occurs {len(hits)} times in '{doc.name}'.",
                       "start with more words.", "starts")
        end = text.find(last, hits[0])
        if end < 0:
            raise fail(f"'{_short(last)}' does not occur after the start in '{doc.name}'.",
                       "copy the last words exactly from the document.", "ends")
        end += len(last)
        return Span(doc.id, doc.name, doc.kind, hits[0], end, text[hits[0]:end], number)
    if "start" in locator and "end" in locator:
        start, end = _int(locator["start"], fail, "start"), _int(locator["end"], fail, "end")
        if not 0 <= start < end <= len(text):
            raise fail(f"the span {start}-{end} is outside document '{doc.name}' "
                       f"(0-{len(text)}).", "give code-point offsets within the text.", "start")
        return Span(doc.id, doc.name, doc.kind, start, end, text[start:end], number)
    raise fail("a quote needs 'code:', 'text:', 'starts:'/'ends:' or 'start:'/'end:' "
               "besides 'document:'.", "say which passage of the document to quote.",
               "document")


def check_all(connection: sa.Connection, blocks, file: str | None = None) -> None:
    """Locate every quote of a spec and report all that fail in one error.

    After a withdrawal several quotes may cite deleted documents; one message naming
    every line spares a rebuild per broken quote.
    """
    errors = ErrorList(limit=50)
    for block in blocks:
        try:
            locate(connection, block.locator, file=file, lines=block.locator_lines,
                   line=block.line)
        except SyrmakError as exc:
            errors.add(exc)
    errors.raise_if_any()


def _points_at_nothing(connection: sa.Connection, locator: Mapping[str, Any]) -> bool:
    """True when a quote's document (or coded segment) no longer exists, as after a
    withdrawal; a quote whose words are merely not found is a spec error, not dropped."""
    if "coding" in locator:
        try:
            coding = int(str(locator["coding"]))
        except ValueError:
            return False
        return connection.execute(sa.select(schema.codings.c.id).where(
            schema.codings.c.id == coding)).first() is None
    return "document" in locator and find_document(connection, locator["document"]) is None


def drop_missing_quotes(study: Study, path: str | Path) -> tuple[int, ...]:
    """Remove from the spec file every quote block whose document or coded segment is gone
    (a respondent withdrew); return the lines they started on.

    The file is edited as text, so comments and layout elsewhere stay as written; the old
    file is kept beside it as ``NAME.bak``. Nothing is written when no quote is missing.
    """
    import yaml

    from syrmak.report.spec import Quote, _Loader, load_spec

    path = Path(path)
    spec = load_spec(path)
    with study.engine.connect() as connection:
        gone = [b for b in spec.blocks if isinstance(b, Quote)
                and _points_at_nothing(connection, b.locator)]
    if not gone:
        return ()
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # A block runs from its "- " item line to the line before the next item, or before
    # the next top-level key after it (the content list may be followed by other keys).
    items = yaml.load(text, Loader=_Loader)["content"].item_lines  # noqa: S506 - safe
    starts = sorted({*items, *spec.lines.values(), len(lines) + 1})
    drop: set[int] = set()
    for block in gone:
        # A quote's line is its locator's: the item's own line, or one below it.
        first = max(n for n in items if n <= block.line)
        end = next(n for n in starts if n > first)
        while end - 1 > first and not lines[end - 2].strip():
            end -= 1  # keep the blank lines that separate blocks
        drop.update(range(first, end))
    if len(gone) == len(spec.blocks):
        raise SyrmakError("every block of the report spec is a quote that points at nothing.",
                          "write the spec anew; nothing was changed.", code="bad-report-spec",
                          file=path.name)
    path.with_name(path.name + ".bak").write_text(text, encoding="utf-8")
    kept = "".join(line for n, line in enumerate(lines, start=1) if n not in drop)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(kept, encoding="utf-8")
    tmp.replace(path)
    numbers = tuple(b.line for b in gone)
    study.log("report-drop-quotes", {"spec": path.name, "lines": list(numbers)})
    return numbers


def _int(value: Any, fail: _Fail, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return int(str(value))
        except ValueError:
            raise fail(f"'{key}' must be a whole number, not {value!r}.", f"write '{key}: 1'.",
                       key, code="bad-report-spec") from None
    return value


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------- translations


def set_translation(study: Study, locator: Mapping[str, Any] | Span, language: str, text: str,
                    translator: str | None = None) -> Translation:
    """Store (or replace) the translation of a quoted span into ``language``."""
    from syrmak.study import default_actor

    if not text or not text.strip():
        raise SyrmakError("a translation cannot be empty.", "give the translated text.",
                          code="bad-translation")
    if not language or len(language) > 16:
        raise SyrmakError(f"'{language}' is not a language code.", "use e.g. 'en'.",
                          code="bad-translation")
    translator = translator or default_actor()
    with study.engine.begin() as connection:
        span = locator if isinstance(locator, Span) else locate(connection, locator)
        (done,) = translations.store(connection, [(span, language, text)], translator)
        study.log("translation-set", {"document": span.document_id, "start": span.start,
                                      "end": span.end, "language": language}, translator,
                  connection)
    return done


def import_translations(study: Study, path: str | Path, translator: str | None = None
                        ) -> list[Translation]:
    """Store the translations listed in a YAML file, all or none::

        - document: interview-26
          starts: "Для того, чтобы"
          ends: "гонорары."
          en: "To maintain our work we have always needed to contact someone, ..."
    """
    import yaml

    from syrmak.report.spec import _Loader

    path = Path(path)
    try:
        items = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SyrmakError(f"cannot read {path.name}: {exc}", "give a UTF-8 YAML list.",
                          code="bad-translations", file=path.name) from exc
    if not isinstance(items, list):
        raise SyrmakError("a translations file is a YAML list of entries.",
                          "start each entry with '- document: NAME'.", code="bad-translations",
                          file=path.name, line=1)
    from syrmak.report.spec import QUOTE_KEYS
    from syrmak.study import default_actor

    translator = translator or default_actor()
    planned: list[tuple[Span, str, str]] = []
    with study.engine.connect() as connection:
        for item, line in zip(items, items.item_lines, strict=True):
            if not isinstance(item, dict):
                raise SyrmakError("each entry must be a mapping.", "write '- document: NAME'.",
                                  code="bad-translations", file=path.name, line=line)
            locator = {k: v for k, v in item.items() if k in QUOTE_KEYS}
            languages = {k: v for k, v in item.items() if k not in QUOTE_KEYS
                         and k != "translator"}
            if not languages:
                raise SyrmakError("this entry gives no translation.",
                                  "add e.g. 'en: \"the English text\"'.",
                                  code="bad-translations", file=path.name, line=line)
            span = locate(connection, locator, file=path.name, lines=item.key_lines, line=line)
            for language, text in languages.items():
                if not isinstance(text, str) or not text.strip():
                    raise SyrmakError(f"the '{language}' translation is empty.",
                                      "give the translated text.", code="bad-translations",
                                      file=path.name, line=item.line_of(language))
                planned.append((span, language, str(text)))
    with study.engine.begin() as connection:
        out = translations.store(connection, planned, translator)
        study.log("translations-import", {"file": path.name, "count": len(out)}, translator,
                  connection)
    return out


# --------------------------------------------------------------------------- attribution


def source_kind(kind: str) -> str:
    """'survey' for an open answer, 'interview' for a transcript or other text."""
    return "survey" if kind == "open-answer" else "interview"


def attribution_context(span: Span, variables: Mapping[str, Any], answers: pd.Series | None,
                        questionnaire, lang: str | None) -> dict[str, Any]:
    """What an attribution template can use: ``respondent`` (number), ``source``
    ("interview"/"survey" in the report language), ``document``, ``codes``, every answer of
    the respondent by question name (labels in the report language; a multiple answer as a
    list), ``value.<question>`` (choice names) and the document's free variables."""
    context: dict[str, Any] = {"value": {}}
    if answers is not None and questionnaire is not None:
        for q in questionnaire.answered:
            if q.personal_data:
                continue
            if q.type == "select_one":
                label = answers.get(q.name)
                if label is None or _missing(label):
                    continue
                context[q.name] = str(label)
                names = [c.name for c in q.choices if c.label(lang) == str(label)]
                context["value"][q.name] = names[0] if names else str(label)
            elif q.type == "select_multiple":
                ticked = [c for c in q.choices
                          if _flag(answers.get(f"{q.name}/{c.name}"))]
                context[q.name] = [c.label(lang) for c in ticked]
                context["value"][q.name] = [c.name for c in ticked]
            else:
                value = answers.get(q.name)
                if value is not None and not _missing(value):
                    context[q.name] = value
                    context["value"][q.name] = value
    for name, value in variables.items():
        context[name] = value
        context["value"][name] = value
    kind = str(variables.get("source") or source_kind(span.kind))
    context.update(respondent=span.respondent, document=span.document,
                   source=i18n.word(lang, kind) if kind in ("survey", "interview") else kind,
                   source_kind=kind, codes=list(span.codes))
    return context


def _missing(value: Any) -> bool:
    try:
        return value is None or (isinstance(value, float) and math.isnan(value)) or (
            value is not None and str(value) == "<NA>")
    except TypeError:
        return False


def _flag(value: Any) -> bool:
    return False if value is None or _missing(value) else bool(value)


def _lcfirst(text: Any) -> str:
    text = str(text)
    return text[:1].lower() + text[1:]


def template(source: str, *, file: str | None = None, line: int | None = None):
    """A sandboxed Jinja template (e.g. ``Respondent {{ respondent }}, {{ source }} quote``)."""
    from jinja2 import StrictUndefined, TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined,
                               keep_trailing_newline=False)
    env.filters["lcfirst"] = _lcfirst
    try:
        return env.from_string(source)
    except TemplateSyntaxError as exc:
        raise SyrmakError(f"the attribution template is not valid: {exc.message}.",
                          "write it like 'Respondent {{ respondent }}, {{ source }} quote'.",
                          code="bad-attribution", file=file, line=line) from exc


def attribute(compiled, context: Mapping[str, Any], *, file: str | None = None,
              line: int | None = None) -> str:
    from jinja2 import TemplateError

    try:
        return " ".join(compiled.render(**context).split())
    except TemplateError as exc:
        raise SyrmakError(f"the attribution template fails for document "
                          f"'{context.get('document')}': {exc}.",
                          "use only the respondent's question names, 'respondent', 'source', "
                          "'document', 'codes' and document variables; guard optional ones "
                          "with '{% if x is defined %}'.", code="bad-attribution", file=file,
                          line=line) from exc
