"""Stored translations of passages: one row per document span and language.

The store side of translating quotes, used by the report (``report.quotes`` finds the
passage a report spec or a YAML file names, then stores through here) and by the
workspace. A span is anything with ``document_id``, ``document``, ``start``, ``end`` and
``text`` (``report.quotes.Span``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from syrmak.store import db, schema

if TYPE_CHECKING:
    from collections.abc import Iterable

    from syrmak.study import Study


@dataclass(frozen=True)
class Translation:
    document: str
    start: int
    end: int
    language: str
    text: str
    translator: str
    original: str


def store(connection: sa.Connection, planned: Iterable[tuple[Any, str, str]],
          translator: str) -> list[Translation]:
    """Store (or replace) each ``(span, language, text)`` in the caller's transaction."""
    t = schema.translations
    out = []
    for span, language, text in planned:
        key = (t.c.document_id == span.document_id, t.c.start_offset == span.start,
               t.c.end_offset == span.end, t.c.language == language)
        values = {"text": text.strip(), "translator": translator, "updated_at": db.now()}
        if connection.execute(sa.select(t.c.id).where(*key)).first():
            connection.execute(sa.update(t).where(*key).values(**values))
        else:
            connection.execute(sa.insert(t), {"document_id": span.document_id,
                                              "start_offset": span.start,
                                              "end_offset": span.end, "language": language,
                                              **values})
        out.append(Translation(span.document, span.start, span.end, language, text.strip(),
                               translator, span.text))
    return out


def translation_of(connection: sa.Connection, span: Any, language: str) -> str | None:
    t = schema.translations
    return connection.execute(sa.select(t.c.text).where(
        t.c.document_id == span.document_id, t.c.start_offset == span.start,
        t.c.end_offset == span.end, t.c.language == language)).scalar()


def list_translations(study: Study, language: str | None = None) -> list[Translation]:
    t, d = schema.translations, schema.documents
    query = (sa.select(t, d.c.name, d.c.text.label("doc_text"))
             .join(d, d.c.id == t.c.document_id)
             .order_by(d.c.name, t.c.start_offset, t.c.end_offset, t.c.language))
    if language:
        query = query.where(t.c.language == language)
    with study.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [Translation(r.name, r.start_offset, r.end_offset, r.language, r.text, r.translator,
                        r.doc_text[r.start_offset:r.end_offset]) for r in rows]
