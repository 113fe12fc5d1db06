"""Lexical search aware of Russian morphology, with KWIC results and autocoding.

Tokens come from razdel; each word token is stored in ``search_tokens`` with its lower-case
form and its lemma (pymorphy3's first parse for Cyrillic words, the form itself otherwise),
``ё`` written as ``е``. A query word matches any token whose lemma is one of the query word's
lemmas or whose form is the word, so ``выгорать`` finds ``выгорают`` and ``выгорали``. ``*``
(any characters) and ``?`` (one character) are wildcards over forms and lemmas: ``выгор*``
also finds ``выгорание``. Several words make a phrase (consecutive words); ``OR`` separates
alternatives.

The index is built once per document (documents never change text) and on demand before
each search, so a search never misses a document. It also keeps each text in pieces
(``search_chunks``), so the keyword-in-context of a hit reads a piece or two, not the whole
document. Speed (``benchmarks/bench_qual.py``): a query word becomes the stored lemmas (and
rarely forms) it matches; a wildcard with a literal start (``выгор*``) lists them by walking
the index on SQLite and on PostgreSQL with a C collation (a leading ``*`` scans every
token); a phrase is driven by its rarest word, the others looked up by position; a page of
a frequent word's hits is counted by the database and read from the documents holding it
alone; a large batch of new documents (``BULK_DOCUMENTS``) is inserted with the form/lemma
indexes dropped and rebuilt once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import schema
from syrmak.text import morph as _morph

if TYPE_CHECKING:
    from syrmak.study import Study


#: The text pieces keyword-in-context reads (``search_chunks``), in code points.
CHUNK = 500


@cache
def analyser() -> str:
    """Tokeniser, lemmatiser and index layout; a document indexed under another value is
    indexed again. /2 added ``search_chunks``; /3 the lemmatiser's versions, since a search
    takes a token's stored lemma to be what ``lemma`` gives for its form today (a new
    dictionary may lemmatise a word otherwise). Asked of the installed packages on first
    use, not when the module is imported."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("pymorphy3", "pymorphy3-dicts-ru"):
        try:
            found.append(version(package))
        except PackageNotFoundError:
            found.append("?")
    return f"razdel+pymorphy3/3;{'+'.join(found)};chunks={CHUNK}"


_CYRILLIC = re.compile(r"[а-яё]", re.I)
_WORD = re.compile(r"\w")




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


def _pending(connection: sa.Connection) -> bool:
    """Whether any document lacks an up-to-date index (a cheap read, no write lock)."""
    d, x = schema.documents, schema.search_indexed
    # One query: a document without an index row of this analyser (missing or stale); an
    # index row outlives no document (deleted with it).
    fresh = sa.select(x.c.document_id).where(x.c.document_id == d.c.id,
                                             x.c.analyser == analyser())
    return connection.execute(
        sa.select(d.c.id).where(~sa.exists(fresh)).limit(1)).first() is not None


_TOKEN_COLUMNS = ("document_id", "ordinal", "start_offset", "end_offset", "form", "lemma")
_CHUNK_COLUMNS = ("document_id", "position", "text")


def _bulk_insert(connection: sa.Connection, table: sa.Table, columns: tuple[str, ...],
                 rows: list[tuple]) -> None:
    """Insert tuples fast: ``executemany`` on SQLite, ``COPY`` on PostgreSQL (psycopg 3)."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name == "sqlite":
        marks = ", ".join("?" * len(columns))
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) "
                               f"VALUES ({marks})", rows)
        finally:
            cursor.close()
        return
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    connection.execute(sa.insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def _tuples(connection: sa.Connection, query) -> list[tuple]:
    """The rows of ``query`` as the driver's plain tuples. A search reads tens of thousands
    of postings; building a SQLAlchemy ``Row`` for each cost more than finding them."""
    compiled = query.compile(dialect=connection.dialect,
                             compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


#: Index this many documents or more, at least as many as are indexed already, and the
#: form/lemma indexes are dropped and rebuilt once (a sort) instead of updated token by token.
BULK_DOCUMENTS = 200
_BUFFER = 50_000  # tokens per insert


def build_index(study: Study, *, rebuild: bool = False) -> IndexStats:
    """Index every document not yet indexed (all of them with ``rebuild``)."""
    d, t, x = schema.documents, schema.search_tokens, schema.search_indexed
    k = schema.search_chunks
    if not rebuild:
        with study.engine.connect() as connection:
            if not _pending(connection):
                return IndexStats(0, 0)
    done_docs = done_tokens = 0
    with study.engine.begin() as connection:
        if rebuild:
            connection.execute(sa.delete(t))
            connection.execute(sa.delete(k))
            connection.execute(sa.delete(x))
        else:
            stale = sa.select(x.c.document_id).where(x.c.analyser != analyser())
            connection.execute(sa.delete(t).where(t.c.document_id.in_(stale)))
            connection.execute(sa.delete(k).where(k.c.document_id.in_(stale)))
            connection.execute(sa.delete(x).where(x.c.analyser != analyser()))
        todo = connection.execute(sa.select(d.c.id).where(
            d.c.id.not_in(sa.select(x.c.document_id))).order_by(d.c.id)).scalars().all()
        indexed = connection.execute(sa.select(sa.func.count()).select_from(x)).scalar_one()
        bulk = len(todo) >= BULK_DOCUMENTS and len(todo) >= indexed
        secondary = sorted(t.indexes, key=lambda i: i.name) if bulk else []
        for index in secondary:
            index.drop(connection)
        rows: list[tuple] = []
        chunks: list[tuple] = []
        counts: list[tuple] = []
        for chunk in range(0, len(todo), 100):
            ids = todo[chunk:chunk + 100]
            for doc_id, text in connection.execute(
                    sa.select(d.c.id, d.c.text).where(d.c.id.in_(ids)).order_by(d.c.id)):
                found = tokens(text)
                rows += [(doc_id, i, s, e, f, lm) for i, (s, e, f, lm) in enumerate(found)]
                chunks += [(doc_id, i // CHUNK, text[i:i + CHUNK])
                           for i in range(0, len(text), CHUNK)]
                counts.append((doc_id, analyser(), len(found)))
                done_docs += 1
                done_tokens += len(found)
                if len(rows) >= _BUFFER:
                    _bulk_insert(connection, t, _TOKEN_COLUMNS, rows)
                    _bulk_insert(connection, k, _CHUNK_COLUMNS, chunks)
                    rows, chunks = [], []
        _bulk_insert(connection, t, _TOKEN_COLUMNS, rows)
        _bulk_insert(connection, k, _CHUNK_COLUMNS, chunks)
        _bulk_insert(connection, x, ("document_id", "analyser", "tokens"), counts)
        for index in secondary:
            index.create(connection)
        if bulk and connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"ANALYZE {t.name}"))
    return IndexStats(done_docs, done_tokens)


def _byte_order(connection: sa.Connection) -> bool:
    """Whether text compares by code point, so a prefix is a range of an index."""
    info = connection.info
    if "syrmak_byte_order" not in info:
        if connection.dialect.name == "sqlite":
            info["syrmak_byte_order"] = True
        elif connection.dialect.name == "postgresql":
            collation = connection.execute(sa.text(
                "SELECT datcollate FROM pg_database WHERE datname = current_database()")).scalar()
            info["syrmak_byte_order"] = str(collation).lower() in ("c", "posix", "c.utf-8",
                                                                   "c.utf8")
        else:
            info["syrmak_byte_order"] = False
    return info["syrmak_byte_order"]


def _prefix(term: str) -> str:
    """The literal start of a wildcard term (``выгор*`` -> ``выгор``)."""
    return re.split(r"[*?]", term, maxsplit=1)[0]


def _like(term: str) -> str:
    return (term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            .replace("*", "%").replace("?", "_"))


def _upper(prefix: str) -> str | None:
    """The first text after every text starting with ``prefix`` (a range's end)."""
    if not prefix or ord(prefix[-1]) >= 0x10FFFF:
        return None
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


#: Distinct lemmas and forms a wildcard may expand to; beyond, it is matched by LIKE.
_EXPANSION = 2_000


@dataclass(frozen=True)
class _Match:
    """The tokens a query word matches: those whose lemma is one of ``lemmas`` or whose form
    is one of ``forms``. A token's stored lemma is ``lemma(form)`` (one analyser per index,
    see ``analyser``), so a form is only listed when its lemma is not: usually the list is
    lemmas alone, answered by one covering index, seekable by document. A wildcard with too
    many expansions (a leading ``*``) keeps its ``like`` pattern instead."""

    lemmas: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    like: str | None = None

    def condition(self, t, ranges: bool = False):
        if self.like is not None:
            prefix = _prefix(self.like)
            pattern, upper = _like(self.like), _upper(prefix)
            alternatives = []
            for column in (t.c.form, t.c.lemma):
                condition = column.like(pattern, escape="\\")
                if ranges and upper:
                    # The prefix as a range, so the index finds the candidates (LIKE cannot).
                    condition = sa.and_(column >= prefix, column < upper, condition)
                alternatives.append(condition)
            return sa.or_(*alternatives)
        parts = [t.c.lemma.in_(self.lemmas)] if self.lemmas else []
        if self.forms:
            parts.append(t.c.form.in_(self.forms))
        return sa.or_(*parts) if parts else sa.false()


def _vocabulary(connection: sa.Connection, column: str, term: str, ranges: bool) -> list[str]:
    """The distinct stored lemmas (or forms) matching a wildcard term, at most one more than
    ``_EXPANSION``. With a literal start on a store that compares by code point, a walk from
    each value to the next in the index: one seek per word, not one row per token."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    prefix = _prefix(term)
    upper = _upper(prefix) if ranges else None
    if upper:
        sql = (f"WITH RECURSIVE walk (value) AS ("
               f"SELECT min({column}) FROM search_tokens "
               f"WHERE {column} >= {mark} AND {column} < {mark} "
               f"UNION ALL SELECT (SELECT min({column}) FROM search_tokens "
               f"WHERE {column} > walk.value AND {column} < {mark}) "
               f"FROM walk WHERE walk.value IS NOT NULL) "
               f"SELECT value FROM walk WHERE value LIKE {mark} ESCAPE '\\' LIMIT {mark}")
        params: tuple = (prefix, upper, upper, _like(term), _EXPANSION + 1)
    else:
        sql = (f"SELECT DISTINCT {column} FROM search_tokens "
               f"WHERE {column} LIKE {mark} ESCAPE '\\' LIMIT {mark}")
        params = (_like(term), _EXPANSION + 1)
    return [value for (value,) in connection.exec_driver_sql(sql, params)]


def _match(connection: sa.Connection, term: str, ranges: bool) -> _Match:
    """What a query word matches: its lemmas and the word itself as a form (a token written
    so has the word's lemma, so the form is listed only when that lemma is not); for a
    wildcard, every stored lemma and form it matches."""
    if "*" not in term and "?" not in term:
        found = tuple(sorted(lemmas(term)))
        # A stored form is cut at 255 characters, so a longer word is no stored form.
        extra = len(term) <= 255 and lemma(term)[:255] not in found
        return _Match(found, (term,) if extra else ())
    found = _vocabulary(connection, "lemma", term, ranges)
    forms = _vocabulary(connection, "form", term, ranges)
    if len(found) > _EXPANSION or len(forms) > _EXPANSION:
        return _Match(like=term)
    known = set(found)
    return _Match(tuple(found), tuple(f for f in forms if lemma(f)[:255] not in known))


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
    #: Hits in all, of which ``rows`` are those from ``offset`` on (a page, when limited).
    total: int = -1
    offset: int = 0

    COLUMNS = ("document", "respondent", "start", "end", "left", "match", "right")

    def __post_init__(self) -> None:
        if self.total < 0:
            object.__setattr__(self, "total", len(self.rows))

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def complete(self) -> bool:
        """Whether ``rows`` holds every hit (no later page)."""
        return self.offset == 0 and len(self.rows) == self.total

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


@lru_cache(maxsize=8)
def _chunks_sql(n: int, mark: str) -> str:
    row = f"({mark}, {mark})"
    return ("WITH wanted (document_id, position) AS "
            f"(VALUES {', '.join([row] * n)}) "
            "SELECT c.document_id, c.position, c.text FROM wanted "
            "JOIN search_chunks AS c ON c.document_id = wanted.document_id "
            "AND c.position = wanted.position")


def _chunks(connection: sa.Connection, keys: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The pieces of text (document, position) -> text, read by primary key: KWIC without
    reading (and decoding) whole documents. A VALUES list joined, since a row-value IN would
    scan the table on SQLite; plain SQL, since SQLAlchemy would compile it anew each time."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    ordered = sorted(keys)
    out: dict[tuple[int, int], str] = {}
    for i in range(0, len(ordered), 5000):
        part = ordered[i:i + 5000]
        out.update(((doc, pos), text) for doc, pos, text in connection.exec_driver_sql(
            _chunks_sql(len(part), mark), tuple(x for key in part for x in key)))
    return out


def _document_names(connection: sa.Connection, ids: set[int]) -> tuple[dict, dict]:
    """Names and respondent numbers of documents, without touching their rows: on SQLite a
    column stored after the text (``respondent_id``) means reading the whole text, and each
    document row sits on a page of its own. For many documents, every name is read from the
    unique index on names, and numbers through the index on ``respondent_id``."""
    d, r = schema.documents, schema.respondents
    if not ids:
        return {}, {}
    if len(ids) > 50:
        names = {i: n for i, n in _tuples(connection, sa.select(d.c.id, d.c.name)) if i in ids}
    else:
        names = dict(_tuples(connection, sa.select(d.c.id, d.c.name).where(d.c.id.in_(ids))))
    numbers = {i: n for i, n in _tuples(connection, sa.select(d.c.id, r.c.number).join(
        r, r.c.id == d.c.respondent_id).where(d.c.respondent_id.is_not(None))) if i in ids}
    return names, numbers


_ESTIMATE = 100_000  # tokens counted, at most, to choose the rarest word of a phrase


def _driver(connection: sa.Connection, words: list[str], matches: list[_Match],
            ranges: bool) -> int:
    """Which word of a phrase drives its lookup: the rarest, by a capped count."""
    if len(words) == 1:
        return 0
    t = schema.search_tokens

    def estimate(match: _Match, cap: int) -> int:
        sample = sa.select(sa.literal(1)).select_from(t).where(
            match.condition(t, ranges)).limit(cap).subquery()
        return connection.execute(sa.select(sa.func.count()).select_from(sample)).scalar()

    # Longest words first (usually the rarest); each later count stops at the best so far.
    driver, best = 0, _ESTIMATE
    for i in sorted(range(len(words)), key=lambda i: (-len(words[i].strip("*?")), i)):
        n = estimate(matches[i], best + 1)
        if n <= best:
            best, driver = n, i
    return driver


@dataclass(frozen=True)
class _Phrase:
    """One alternative of a query: its words' matches and the word that drives the lookup."""

    matches: tuple[_Match, ...]
    driver: int

    def hits(self, docs: set[int] | None, ranges: bool):
        """A query of (document_id, start_offset, end_offset), one row per hit (in ``docs``):
        a phrase's rows are its driver's tokens, a word's its tokens, so none is twice."""
        t = schema.search_tokens
        if len(self.matches) == 1:
            lead = t
            query = sa.select(t.c.document_id, t.c.start_offset, t.c.end_offset).where(
                self.matches[0].condition(t, ranges))
        else:
            aliases = [t.alias(f"t{i}") for i in range(len(self.matches))]
            lead = aliases[self.driver]
            query = sa.select(lead.c.document_id.label("document_id"),
                              aliases[0].c.start_offset.label("start_offset"),
                              aliases[-1].c.end_offset.label("end_offset")).select_from(lead)
            for i, alias in enumerate(aliases):
                if i != self.driver:
                    # Joined on the driver's position: looked up by key, not searched.
                    query = query.join(alias, sa.and_(
                        alias.c.document_id == lead.c.document_id,
                        alias.c.ordinal == lead.c.ordinal + (i - self.driver)))
                query = query.where(self.matches[i].condition(alias, ranges))
        if docs is not None:
            query = query.where(lead.c.document_id.in_(sorted(docs)))
        return query


#: A single-alternative search with at most this many hits reads them all for a page; with
#: more, it counts them and reads only the documents that hold the page.
_READ_ALL = 1_000


def _page_documents(connection: sa.Connection, phrase: _Phrase, total: int,
                    allowed: set[int] | None, offset: int, limit: int,
                    ranges: bool) -> tuple[list[int], int]:
    """The documents holding hits ``offset`` to ``offset + limit`` in document-name order,
    and how many hits come before the first: documents are taken in name order from the
    index on names, a batch at a time sized by the hits' density, and only a batch's hits
    are counted (by the database)."""
    d = schema.documents
    # Names in code-point order, as Python sorts the names of a search that reads every hit.
    name = (d.c.name.collate("C") if connection.dialect.name == "postgresql" and not ranges
            else d.c.name)
    documents = len(allowed) if allowed is not None else connection.execute(
        sa.select(sa.func.count()).select_from(d)).scalar_one()
    density = total / max(1, documents)
    need = offset + limit
    chosen: list[int] = []
    seen = before = 0
    last = None
    while seen < need:
        size = min(2_000, max(32, int((need - seen) / density * 1.5) + 1))
        batch = sa.select(d.c.id, d.c.name).order_by(name).limit(size)
        if last is not None:
            batch = batch.where(name > last)
        if allowed is not None:
            batch = batch.where(d.c.id.in_(sorted(allowed)))
        rows = _tuples(connection, batch)
        if not rows:
            break
        hits = phrase.hits({doc for doc, _ in rows}, ranges).subquery()
        counts = dict(_tuples(connection, sa.select(hits.c.document_id, sa.func.count())
                              .group_by(hits.c.document_id)))
        for doc, _ in rows:
            n = counts.get(doc, 0)
            if n and seen + n > offset:
                if not chosen:
                    before = seen
                chosen.append(doc)
            seen += n
            if seen >= need:
                break
        last = rows[-1][1]
    return chosen, before


def search(study: Study, query: str, *, context: int = 40, documents: list | None = None,
           where: str | list | dict | None = None, lang: str | None = None,
           limit: int | None = None,
           offset: int = 0) -> Hits:
    """Find words or phrases in every document (see the module notes for the syntax).

    With ``limit``, only the hits ``offset`` to ``offset + limit`` (in document-name and
    position order) are read; ``Hits.total`` still counts them all (the database counts a
    frequent word's hits; only the documents holding the page have their hits and contexts
    read). Without it every hit is read (what ``-o FILE`` and autocode need).
    """
    if (limit is not None and limit < 1) or offset < 0:
        raise SyrmakError(f"cannot show {limit} hits from hit {offset}.",
                          "use a limit of 1 or more and an offset of 0 or more.",
                          code="bad-argument")
    from syrmak.qual.retrieval import _filter_documents

    alternatives = _parse(query)
    build_index(study)
    allowed = _filter_documents(study, where, lang, documents)
    with study.engine.connect() as connection:
        ranges = _byte_order(connection)
        phrases = []
        for words in alternatives:
            matches = [_match(connection, word, ranges) for word in words]
            phrases.append(_Phrase(tuple(matches), _driver(connection, words, matches, ranges)))

        def hits_in(docs: set[int] | None) -> set[tuple[int, int, int]]:
            found: set[tuple[int, int, int]] = set()  # (document, start, end)
            for phrase in phrases:
                found.update(_tuples(connection, phrase.hits(docs, ranges)))
            return found

        total = None
        if limit is not None and len(phrases) == 1:
            # One alternative has each hit once: the database counts them.
            total = connection.execute(sa.select(sa.func.count()).select_from(
                phrases[0].hits(allowed, ranges).subquery())).scalar_one()
        if total is None or total <= _READ_ALL:
            found = hits_in(allowed)
            total, before = len(found), 0
            names, numbers = _document_names(connection, {f[0] for f in found})
            order = sorted(names, key=names.__getitem__)
        else:
            order, before = _page_documents(connection, phrases[0], total, allowed, offset,
                                            limit, ranges)
            found = hits_in(set(order)) if order else set()
            names, numbers = _document_names(connection, set(order))
        # Documents ranked by name once; the hits then sort as plain tuples (no key function
        # called per hit), and only a page of them is kept.
        rank = {doc: i for i, doc in enumerate(order)}
        ordered = sorted([(rank[doc], start, end, doc) for doc, start, end in found])
        start_at = offset - before
        page = [(start, end, doc) for _, start, end, doc
                in ordered[start_at:None if limit is None else start_at + limit]]
        windows = {}
        for start, end, doc_id in page:
            lo, hi = max(0, start - context), end + context  # the pieces end where the text ends
            windows[(start, end, doc_id)] = (lo, hi, lo // CHUNK, max(lo, hi - 1) // CHUNK)
        pieces = _chunks(connection, {(doc_id, p) for (_, _, doc_id), (_, _, a, b)
                                      in windows.items() for p in range(a, b + 1)})
    rows = []
    for start, end, doc_id in page:
        lo, hi, a, b = windows[(start, end, doc_id)]
        text = "".join(pieces.get((doc_id, p), "") for p in range(a, b + 1))
        base = a * CHUNK
        rows.append({"document": names[doc_id], "respondent": numbers.get(doc_id),
                     "start": start, "end": end, "left": text[lo - base:start - base],
                     "match": text[start - base:end - base], "right": text[end - base:hi - base],
                     "document_id": doc_id})
    return Hits(query, tuple(rows), total=total, offset=offset)


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
    from syrmak.qual.coding import insert_codings
    from syrmak.qual.lookup import resolve_code

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
