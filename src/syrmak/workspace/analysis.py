"""Retrieval, search (with autocode) and the mixed-methods matrices, as a researcher sees
them: a blind coder sees only their own codings here too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from syrmak.qual import matrices, retrieval, search
from syrmak.render import published
from syrmak.store.writelock import serialized
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.render.grid import Grid
    from syrmak.study import Study


def _coders(who: Researcher, coders: list[str] | None) -> list[str] | None:
    return [who.name] if who.blind else (coders or None)


def segments(study: Study, who: Researcher, query: str, *, where: dict | None = None,
             coders: list[str] | None = None, lang: str | None = None,
             context: int | str = 120) -> retrieval.Segments:
    require(who, "read")
    return retrieval.retrieve(study, query, where=where or None, coders=_coders(who, coders),
                              lang=lang, context=context)


def find(study: Study, who: Researcher, query: str, *, where: dict | None = None,
         lang: str | None = None, limit: int | None = None, offset: int = 0) -> search.Hits:
    """Search hits with context; with ``limit``, that page of them and the count of all."""
    require(who, "read")
    # The index is built on first search: a write, so it queues like the others.
    with serialized(study.engine):
        search.build_index(study)
    return search.search(study, query, context=60, where=where or None, lang=lang,
                         limit=limit, offset=offset)


def autocode(study: Study, who: Researcher, query: str, code: int | str, *,
             unit: str = "sentence", where: dict | None = None) -> search.Autocoded:
    require(who, "code")
    with serialized(study.engine):
        return search.autocode(study, query, code, who.name, unit=unit, where=where or None,
                               actor=who.name)


def code_matrix(study: Study, who: Researcher, variable: str, *, unit: str = "documents",
                lang: str | None = None) -> matrices.CodeMatrix:
    require(who, "read")
    return matrices.code_matrix(study, variable, unit=unit, lang=lang,
                                coders=_coders(who, None))


def code_table(study: Study, who: Researcher, variable: str, *, unit: str = "documents",
               lang: str | None = None) -> Grid:
    """The code matrix laid out as the report lays it out (``render.published``): one row
    per code, one column per group, each cell the units carrying the code and their share;
    the last row holds the groups' sizes."""
    return published.code_matrix(code_matrix(study, who, variable, unit=unit, lang=lang))


def quote_matrix(study: Study, who: Researcher, variable: str, *, codes: list | None = None,
                 lang: str | None = None) -> matrices.QuoteMatrix:
    require(who, "read")
    return matrices.quote_matrix(study, variable, codes=codes or None, lang=lang,
                                 coders=_coders(who, None))


def filters(study: Study, who: Researcher, lang: str | None = None,
            most: int = 20) -> list[str]:
    """Ready-made ``name = value`` filters for the segments page: every document variable
    with at most ``most`` distinct values, its values as the filter compares them."""
    require(who, "read")
    from syrmak.qual.documents import document_variables

    frame = document_variables(study, lang)
    out = []
    for name in frame.columns:
        if name in {"doc_id", "respondent"} or "/" in name:
            continue
        values = frame[name].dropna().astype(str).unique()
        if 0 < len(values) <= most:
            out += [f"{name} = {v}" for v in sorted(values)]
    return out


def variables(study: Study, who: Researcher, lang: str | None = None) -> list[str]:
    """Names a matrix or a filter can group by: survey questions and document variables."""
    require(who, "read")
    from syrmak.qual.documents import document_variables

    frame = document_variables(study, lang)
    skip = {"doc_id", "doc_kind", "doc_question", "respondent"}
    names = [c for c in frame.columns if c not in skip and "/" not in c]
    return names
