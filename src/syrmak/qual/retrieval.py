"""Retrieval: coded segments by code, combined with AND / OR / NOT / OVERLAP / NEAR.

A query is built in code (``Code("burnout") & Code("funding")``) or parsed from text
(``"burnout AND (funding OR quarantine) NOT online"``, ``"a NEAR/200 b"``). Semantics:

- ``A OR B``: every segment coded A or B (identical spans once).
- ``A AND B``: the overlapping part of an A segment and a B segment (MAXQDA's intersection).
- ``A NOT B``: A segments that overlap no B segment.
- ``A OVERLAP B``: A segments (whole) that overlap some B segment.
- ``A NEAR/n B``: A segments with a B segment at most ``n`` code points away (or overlapping).

A code includes its subcodes unless written ``=code`` (``Code(name, subcodes=False)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual.lookup import code_paths, code_rows, descendants, resolve_code
from syrmak.store import schema

if TYPE_CHECKING:
    from collections.abc import Callable

    from syrmak.study import Study

# doc_id -> list of (start, end, coding ids)
Spans = dict[int, list[tuple[int, int, frozenset]]]


@dataclass
class _Context:
    connection: sa.Connection
    rows: list
    coders: tuple[str, ...] | None
    documents: set[int] | None
    cache: dict = field(default_factory=dict)
    codings: dict = field(default_factory=dict)  # id -> row (code_id, coder, weight, comment)

    def spans(self, code_ids: set[int]) -> Spans:
        """The codings of these codes as spans; each coding's details are kept in
        ``self.codings`` for the result table, so they are read once."""
        k = schema.codings
        query = sa.select(k.c.id, k.c.document_id, k.c.start_offset, k.c.end_offset,
                          k.c.code_id, k.c.coder, k.c.weight, k.c.comment).where(
            k.c.code_id.in_(sorted(code_ids)))
        if self.coders:
            query = query.where(k.c.coder.in_(self.coders))
        out: dict[int, list] = {}
        codings = self.codings
        documents = self.documents
        for row in self.connection.execute(query):
            coding_id, doc, start, end = row[0], row[1], row[2], row[3]
            if documents is not None and doc not in documents:
                continue
            codings[coding_id] = row
            spans = out.get(doc)
            if spans is None:
                spans = out[doc] = []
            spans.append((start, end, coding_id))
        return {d: _dedupe_single(v) for d, v in out.items()}


def _dedupe_single(spans: list[tuple[int, int, int]]) -> list:
    """``_dedupe`` for spans of one coding each: (start, end, id) -> (start, end, {ids})."""
    spans.sort()
    out: list = []
    last_start = last_end = None
    for start, end, coding_id in spans:
        if start == last_start and end == last_end:
            out[-1] = (start, end, out[-1][2] | {coding_id})
        else:
            out.append((start, end, frozenset((coding_id,))))
            last_start, last_end = start, end
    return out


def _dedupe(spans: list) -> list:
    merged: dict[tuple[int, int], frozenset] = {}
    for start, end, ids in spans:
        merged[(start, end)] = merged.get((start, end), frozenset()) | ids
    return [(s, e, ids) for (s, e), ids in sorted(merged.items())]


class Query:
    """A retrieval expression; combine with ``|``, ``&``, ``-`` and the methods below."""

    def evaluate(self, ctx: _Context) -> Spans:
        raise NotImplementedError

    def __or__(self, other: Query) -> Query:
        return _Binary("OR", self, other)

    def __and__(self, other: Query) -> Query:
        return _Binary("AND", self, other)

    def __sub__(self, other: Query) -> Query:
        return _Binary("NOT", self, other)

    def overlapping(self, other: Query) -> Query:
        return _Binary("OVERLAP", self, other)

    def near(self, other: Query, distance: int) -> Query:
        return _Binary("NEAR", self, other, distance)


@dataclass(frozen=True)
class Code(Query):
    ref: str | int
    subcodes: bool = True

    def evaluate(self, ctx: _Context) -> Spans:
        row = resolve_code(ctx.connection, self.ref, ctx.rows)
        ids = descendants(ctx.rows, row.id) if self.subcodes else {row.id}
        return ctx.spans(ids)

    def __str__(self) -> str:
        return str(self.ref) if self.subcodes else f"={self.ref}"


@dataclass(frozen=True)
class _Binary(Query):
    op: str
    left: Query
    right: Query
    distance: int = 0

    def __str__(self) -> str:
        op = f"NEAR/{self.distance}" if self.op == "NEAR" else self.op
        return f"({self.left} {op} {self.right})"

    def evaluate(self, ctx: _Context) -> Spans:
        a = self.left.evaluate(ctx)
        b = self.right.evaluate(ctx)
        out: Spans = {}
        if self.op == "OR":
            for doc in set(a) | set(b):
                out[doc] = _dedupe(a.get(doc, []) + b.get(doc, []))
            return out
        for doc, spans in a.items():
            others = b.get(doc, [])
            kept = []
            for s, e, ids in spans:
                if self.op == "AND":
                    kept += [(max(s, s2), min(e, e2), ids | ids2) for s2, e2, ids2 in others
                             if s < e2 and s2 < e]
                elif self.op == "NOT":
                    if not any(s < e2 and s2 < e for s2, e2, _ in others):
                        kept.append((s, e, ids))
                elif self.op == "OVERLAP":
                    if any(s < e2 and s2 < e for s2, e2, _ in others):
                        kept.append((s, e, ids))
                elif any(max(s2 - e, s - e2, 0) <= self.distance for s2, e2, _ in others):
                    kept.append((s, e, ids))
            if kept:
                out[doc] = _dedupe(kept)
        return out


_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|(NEAR/\d+)|([^\s()"]+))')
_OPERATORS = {"AND", "OR", "NOT", "OVERLAP"}


def parse_query(text: str) -> Query:
    """Parse ``burnout AND (funding OR "fear of infection") NEAR/100 quarantine``.

    Bare words between operators form one code name (``fear of infection``); operators are
    upper case; OR binds loosest; a leading ``=`` means "without subcodes".
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        lp, rp, quoted, near, word = m.groups()
        if lp:
            tokens.append(("(", lp))
        elif rp:
            tokens.append((")", rp))
        elif near:
            tokens.append(("OP", near))
        elif quoted is not None:
            tokens.append(("QNAME", quoted))
        elif word in _OPERATORS:
            tokens.append(("OP", word))
        elif tokens and tokens[-1][0] == "NAME":
            tokens[-1] = ("NAME", f"{tokens[-1][1]} {word}")
        else:
            tokens.append(("NAME", word))
    if not tokens:
        raise SyrmakError("the query is empty.", "name a code, e.g. 'burnout AND funding'.",
                          code="bad-query")
    position = 0

    def fail(what: str) -> SyrmakError:
        return SyrmakError(f"cannot read the query '{text}': {what}.",
                           "write CODE [AND|OR|NOT|OVERLAP|NEAR/n CODE]..., with parentheses "
                           "and \"quotes\" as needed.", code="bad-query")

    def peek():
        return tokens[position] if position < len(tokens) else (None, None)

    def factor() -> Query:
        nonlocal position
        kind, value = peek()
        if kind == "(":
            position += 1
            inner = expr()
            if peek()[0] != ")":
                raise fail("a '(' is not closed")
            position += 1
            return inner
        if kind in ("NAME", "QNAME"):
            position += 1
            if kind == "NAME" and value.startswith("=") and len(value) > 1:
                return Code(value[1:], subcodes=False)
            return Code(value)
        raise fail(f"expected a code name, found {value!r}" if value else "it ends too early")

    def term() -> Query:
        nonlocal position
        left = factor()
        while peek()[0] == "OP" and peek()[1] != "OR":
            op = peek()[1]
            position += 1
            right = factor()
            if op.startswith("NEAR/"):
                left = left.near(right, int(op[5:]))
            else:
                left = _Binary(op, left, right)
        return left

    def expr() -> Query:
        nonlocal position
        left = term()
        while peek() == ("OP", "OR"):
            position += 1
            left = left | term()
        return left

    query = expr()
    if position != len(tokens):
        raise fail(f"unexpected {tokens[position][1]!r}")
    return query


# -- results ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Segments:
    """Retrieved segments with their context; ``to_frame()``, ``to_csv``, ``to_xlsx``,
    ``to_markdown``."""

    query: str
    rows: tuple[dict, ...]

    COLUMNS = ("document", "respondent", "start", "end", "codes", "coders", "text", "before",
               "after", "weight", "comment", "codings")

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.COLUMNS))

    def to_csv(self, path: str | Path) -> Path:
        from syrmak.exports import csv_text

        path = Path(path)
        path.write_text(csv_text(self.to_frame(), index=False), encoding="utf-8")
        return path

    def to_xlsx(self, path: str | Path) -> Path:
        from syrmak.exports import write_xlsx

        return write_xlsx(self.to_frame(), path, sheet_name="segments", index=False)

    def to_markdown(self, attribution: str = "{document}") -> str:
        """Quotes as block quotes, each followed by its source and span."""
        lines = [f"# Segments: {self.query}", "", f"{len(self.rows)} segments.", ""]
        for row in self.rows:
            quote = row["text"].replace("\n", "\n> ")
            lines += [f"> {quote}", "",
                      f"— {attribution.format(**row)}, {row['start']}–{row['end']} "
                      f"({row['codes']}; {row['coders']})", ""]
        return "\n".join(lines)


def _filter_documents(study: Study, where: str | list | dict | Callable | None, lang: str | None,
                      documents: list | None) -> set[int] | None:
    if where is None and documents is None:
        return None
    from syrmak.qual.documents import document_variables

    frame = document_variables(study, lang)
    mask = pd.Series(True, index=frame.index)
    if documents is not None:
        names = {str(x) for x in documents}
        mask &= frame.index.isin(names) | frame["doc_id"].astype(str).isin(names)
    if callable(where):
        mask &= where(frame).astype(bool)
    elif isinstance(where, str | list | tuple):
        # The filter language of the survey tables (analysis.where), over the documents'
        # variables: their respondents' answers and their free variables.
        mask &= _where_mask(study, frame, where)
    elif where:
        for name, wanted in where.items():
            if name not in frame.columns:
                raise SyrmakError(f"there is no document variable '{name}'.",
                                  "choose one of: " + ", ".join(map(str, frame.columns)) + ".",
                                  code="unknown-variable", value=name)
            values = wanted if isinstance(wanted, list | tuple | set) else [wanted]
            allowed = {_norm(v) for v in values}
            mask &= frame[name].map(_norm).isin(allowed)
    return set(frame.loc[mask, "doc_id"].astype(int))


class _NoQuestionnaire:
    """A study of documents only: every variable a filter names is a free one."""

    questions = ()

    def has(self, name: str) -> bool:
        return False


def _where_mask(study: Study, frame: pd.DataFrame, where) -> pd.Series:
    from syrmak.analysis.where import mask

    try:
        questionnaire = study.questionnaire
    except SyrmakError:
        questionnaire = _NoQuestionnaire()
    kept = mask(questionnaire, frame.reset_index(drop=True), where)
    return pd.Series(True if kept is None else kept, index=frame.index)


def _norm(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip().casefold()


def retrieve(study: Study, query: Query | str, *, coders: list[str] | None = None,
             where: str | list | dict | Callable | None = None, documents: list | None = None,
             context: int | str = 100, lang: str | None = None) -> Segments:
    """Coded segments matching ``query``, filtered by document variables, with context.

    ``context`` is a number of code points on each side, or ``"paragraph"``.
    """
    if isinstance(query, str):
        query = parse_query(query)
    allowed = _filter_documents(study, where, lang, documents)
    d, r = schema.documents, schema.respondents
    with study.engine.connect() as connection:
        rows = code_rows(connection)
        ctx = _Context(connection, rows, tuple(coders) if coders else None, allowed)
        spans = query.evaluate(ctx)
        codings = ctx.codings  # every coding in a result came through ctx.spans
        docs = {}
        wanted = sorted(spans)
        for chunk in range(0, len(wanted), 1000):
            docs.update((x.id, x) for x in connection.execute(
                sa.select(d.c.id, d.c.name, d.c.text, r.c.number).outerjoin(
                    r, r.c.id == d.c.respondent_id).where(d.c.id.in_(wanted[chunk:chunk + 1000]))))
    paths = code_paths(rows)
    # Per coding, once: (code path, coder, weight, comment, id as text).
    info = {}
    for i in {i for v in spans.values() for _, _, ids in v for i in ids}:
        c = codings[i]
        info[i] = (paths[c.code_id], c.coder, c.weight, c.comment, str(i))
    paragraph = context == "paragraph"
    width = 0 if paragraph else int(context)
    out = []
    for doc_id in sorted(spans, key=lambda i: docs[i].name):
        doc = docs[doc_id]
        name, number, text = doc.name, doc.number, doc.text
        size = len(text)
        for start, end, cids in spans[doc_id]:
            if paragraph:
                lo = text.rfind("\n", 0, start) + 1
                hi = text.find("\n", end)
                hi = size if hi < 0 else hi
            else:
                lo, hi = max(0, start - width), min(size, end + width)
            if len(cids) == 1:
                (only,) = cids
                path, coder, weight, comment, ids = info[only]
                codes, coders = path, coder
            else:
                these = [info[i] for i in sorted(cids)]
                codes = "; ".join(dict.fromkeys(c[0] for c in these))
                coders = "; ".join(dict.fromkeys(c[1] for c in these))
                weights = [c[2] for c in these if c[2] is not None]
                weight = max(weights) if weights else None
                comment = "; ".join(c[3] for c in these if c[3]) or None
                ids = ",".join(c[4] for c in these)
            out.append({
                "document": name, "respondent": number, "start": start, "end": end,
                "codes": codes, "coders": coders, "text": text[start:end],
                "before": text[lo:start], "after": text[end:hi], "weight": weight,
                "comment": comment or None, "codings": ids})
    return Segments(str(query), tuple(out))
