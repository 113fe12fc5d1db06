"""Lexical search aware of Russian morphology, with KWIC results and autocoding.

Tokens come from razdel; each word token is stored in ``search_tokens`` with its lower-case
form and its lemma (pymorphy3's first parse for Cyrillic words, the form itself otherwise),
``ё`` written as ``е``. A query word matches any token whose lemma is one of the query word's
lemmas or whose form is the word, so ``выгорать`` finds ``выгорают`` and ``выгорали``. ``*``
(any characters) and ``?`` (one character) are wildcards over forms and lemmas: ``выгор*``
also finds ``выгорание``. Several words make a phrase (consecutive words); ``OR`` separates
alternatives.

The index is built once per document (documents never change text) and on demand before
each search, so a search never misses a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import schema

if TYPE_CHECKING:
    from syrmak.study import Study

ANALYSER = "razdel+pymorphy3/1"
_CYRILLIC = re.compile(r"[а-яё]", re.I)
_WORD = re.compile(r"\w")


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def lemma(form: str) -> str:
    """The lemma of a lower-case word form (``ё`` as ``е``)."""
    if _CYRILLIC.search(form):
        return _morph().parse(form)[0].normal_form.replace("ё", "е")
    return form


@lru_cache(maxsize=10_000)
def lemmas(form: str) -> frozenset[str]:
    """Every lemma pymorphy3 considers for a query word (``стали`` -> стать, сталь)."""
    if _CYRILLIC.search(form):
        return frozenset(p.normal_form.replace("ё", "е") for p in _morph().parse(form))
    return frozenset([form])


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def tokens(text: str) -> list[tuple[int, int, str, str]]:
    """Word tokens of a text: (start, end, form, lemma); offsets in code points."""
    from razdel import tokenize

    out = []
    for t in tokenize(text):
        if not _WORD.search(t.text):
            continue
        form = _fold(t.text)[:255]
        out.append((t.start, t.stop, form, lemma(form)[:255]))
    return out


@dataclass(frozen=True)
class IndexStats:
    documents: int
    tokens: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"documents": self.documents, "tokens": self.tokens}])


def build_index(study: Study, *, rebuild: bool = False) -> IndexStats:
    """Index every document not yet indexed (all of them with ``rebuild``)."""
    d, t, x = schema.documents, schema.search_tokens, schema.search_indexed
    done_docs = done_tokens = 0
    with study.engine.begin() as connection:
        if rebuild:
            connection.execute(sa.delete(t))
            connection.execute(sa.delete(x))
        else:
            stale = sa.select(x.c.document_id).where(x.c.analyser != ANALYSER)
            connection.execute(sa.delete(t).where(t.c.document_id.in_(stale)))
            connection.execute(sa.delete(x).where(x.c.analyser != ANALYSER))
        todo = connection.execute(sa.select(d.c.id).where(
            d.c.id.not_in(sa.select(x.c.document_id))).order_by(d.c.id)).scalars().all()
        for doc_id in todo:
            text = connection.execute(sa.select(d.c.text).where(d.c.id == doc_id)).scalar_one()
            found = tokens(text)
            if found:
                connection.execute(sa.insert(t), [
                    {"document_id": doc_id, "ordinal": i, "start_offset": s, "end_offset": e,
                     "form": f, "lemma": lm} for i, (s, e, f, lm) in enumerate(found)])
            connection.execute(sa.insert(x), {"document_id": doc_id, "analyser": ANALYSER,
                                              "tokens": len(found)})
            done_docs += 1
            done_tokens += len(found)
    return IndexStats(done_docs, done_tokens)


def _term_condition(term: str):
    t = schema.search_tokens
    if "*" in term or "?" in term:
        pattern = (term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                   .replace("*", "%").replace("?", "_"))
        return sa.or_(t.c.form.like(pattern, escape="\\"), t.c.lemma.like(pattern, escape="\\"))
    return sa.or_(t.c.lemma.in_(sorted(lemmas(term))), t.c.form == term)


def _parse(query: str) -> list[list[str]]:
    from razdel import tokenize

    alternatives = []
    for part in re.split(r"\s+OR\s+", query.strip()):
        words = []
        for raw in part.split():
            # Wildcard words stay whole; others are split as razdel splits the text.
            if "*" in raw or "?" in raw:
                words.append(_fold(raw))
            else:
                words += [_fold(x.text) for x in tokenize(raw) if _WORD.search(x.text)]
        if not words or all(w.strip("*?") == "" for w in words):
            raise SyrmakError(f"the search '{query}' has no words to look for.",
                              "give a word or phrase, e.g. 'выгорание' or 'выгор*'.",
                              code="bad-search", value=query)
        alternatives.append(words)
    return alternatives


@dataclass(frozen=True)
class Hits:
    """Search hits with keyword-in-context; ``to_frame()``, ``kwic()``."""

    query: str
    rows: tuple[dict, ...]

    COLUMNS = ("document", "respondent", "start", "end", "left", "match", "right")

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.COLUMNS))

    def kwic(self, width: int = 40) -> str:
        lines = []
        for r in self.rows:
            left = r["left"].replace("\n", " ")[-width:].rjust(width)
            right = r["right"].replace("\n", " ")[:width]
            lines.append(f"{r['document']:>16} | {left} [{r['match']}] {right}")
        return "\n".join(lines)


def search(study: Study, query: str, *, context: int = 40, documents: list | None = None,
           where: dict | None = None, lang: str | None = None) -> Hits:
    """Find words or phrases in every document (see the module notes for the syntax)."""
    from syrmak.qual.retrieval import _filter_documents

    alternatives = _parse(query)
    build_index(study)
    allowed = _filter_documents(study, where, lang, documents)
    t, d, r = schema.search_tokens, schema.documents, schema.respondents
    found: set[tuple[int, int, int]] = set()  # (doc, first ordinal, last ordinal)
    with study.engine.connect() as connection:
        for words in alternatives:
            positions: list[dict[tuple[int, int], tuple[int, int]]] = []
            for word in words:
                query_ = sa.select(t.c.document_id, t.c.ordinal, t.c.start_offset,
                                   t.c.end_offset).where(_term_condition(word))
                if allowed is not None:
                    query_ = query_.where(t.c.document_id.in_(sorted(allowed)))
                positions.append({(x.document_id, x.ordinal): (x.start_offset, x.end_offset)
                                  for x in connection.execute(query_)})
            for (doc, ordinal) in positions[0]:
                if all((doc, ordinal + i) in positions[i] for i in range(1, len(words))):
                    found.add((positions[0][(doc, ordinal)][0],
                               positions[-1][(doc, ordinal + len(words) - 1)][1], doc))
        docs = {x.id: x for x in connection.execute(
            sa.select(d.c.id, d.c.name, d.c.text, r.c.number)
            .outerjoin(r, r.c.id == d.c.respondent_id)
            .where(d.c.id.in_(sorted({f[2] for f in found}))))}
    rows = []
    for start, end, doc_id in sorted(found, key=lambda f: (docs[f[2]].name, f[0], f[1])):
        doc = docs[doc_id]
        rows.append({"document": doc.name, "respondent": doc.number, "start": start, "end": end,
                     "left": doc.text[max(0, start - context):start],
                     "match": doc.text[start:end], "right": doc.text[end:end + context],
                     "document_id": doc_id})
    return Hits(query, tuple(rows))


def _unit_span(text: str, start: int, end: int, unit: str) -> tuple[int, int]:
    if unit == "hit":
        return start, end
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    if unit == "paragraph":
        return lo, hi
    from razdel import sentenize

    s_lo, s_hi = start, end
    for sentence in sentenize(text[lo:hi]):
        a, b = lo + sentence.start, lo + sentence.stop
        if a <= start < b or (start < a < end):
            s_lo, s_hi = min(s_lo, a), max(s_hi, b)
    return s_lo, s_hi


@dataclass(frozen=True)
class Autocoded:
    code: str
    added: tuple[int, ...]
    hits: int
    skipped: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"coding": list(self.added)})


def autocode(study: Study, query: str, code: str | int, coder: str, *, unit: str = "sentence",
             documents: list | None = None, where: dict | None = None,
             actor: str | None = None) -> Autocoded:
    """Code every hit of a search with the hit, its sentence or its paragraph; spans that
    several hits share are coded once, and spans already coded so are skipped."""
    from syrmak.qual._common import resolve_code
    from syrmak.qual.coding import insert_codings

    if unit not in ("hit", "sentence", "paragraph"):
        raise SyrmakError(f"unknown unit '{unit}'.", "use hit, sentence or paragraph.",
                          code="bad-argument", value=unit)
    with study.engine.connect() as connection:
        target = resolve_code(connection, code)  # fail before searching
    hits = search(study, query, context=0, documents=documents, where=where)
    spans: dict[tuple[int, int, int], None] = {}
    texts: dict[int, str] = {}
    with study.engine.begin() as connection:
        for h in hits.rows:
            doc_id = h["document_id"]
            if doc_id not in texts:
                texts[doc_id] = connection.execute(sa.select(schema.documents.c.text).where(
                    schema.documents.c.id == doc_id)).scalar_one()
            s, e = _unit_span(texts[doc_id], h["start"], h["end"], unit)
            spans[(doc_id, s, e)] = None
        added = insert_codings(study, connection, [
            {"document": doc_id, "code": target.id, "start": s, "end": e, "coder": coder,
             "skip_duplicates": True, "comment": f"autocode: {query}"}
            for doc_id, s, e in spans], actor or coder)
    return Autocoded(str(code), tuple(added), len(hits), len(spans) - len(added))
