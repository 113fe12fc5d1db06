"""Coding: a code on a span of a document, by a named coder; memos on anything.

Spans are half-open ``[start, end)`` in code points of the document's text. Overlapping
codings are allowed (also of one code by one coder); exact duplicates are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual.lookup import code_paths, code_rows, document_row, new_guid, now, resolve_code
from syrmak.store import schema

if TYPE_CHECKING:
    from collections.abc import Iterable

    from syrmak.study import Study


@dataclass(frozen=True)
class Coding:
    id: int
    document: str
    code: str
    start: int
    end: int
    coder: str
    text: str
    weight: int | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Memo:
    id: int
    text: str
    author: str
    title: str | None
    document: str | None
    code: str | None
    coding: int | None


@dataclass(frozen=True)
class Memos:
    memos: tuple[Memo, ...]

    def to_frame(self) -> pd.DataFrame:
        columns = ["id", "title", "text", "author", "document", "code", "coding"]
        return pd.DataFrame([{c: getattr(m, c) for c in columns} for m in self.memos],
                            columns=columns)


def _check_span(start, end, length: int, name: str) -> tuple[int, int]:
    ok = all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end))
    if not ok or not 0 <= start < end <= length:
        raise SyrmakError(
            f"the span {start}-{end} does not fit document '{name}' "
            f"(its text has {length} characters, counted in Unicode code points).",
            f"give whole numbers with 0 <= START < END <= {length}.",
            code="bad-span", value=(start, end))
    return start, end


def _check_weight(weight) -> int | None:
    if weight is None:
        return None
    if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= 100:
        raise SyrmakError(f"the weight {weight!r} is not a whole number from 0 to 100.",
                          "give a weight from 0 to 100 (MAXQDA's range), or none.",
                          code="bad-weight", value=weight)
    return weight


def _check_coder(coder: str | None) -> str:
    if not coder or not str(coder).strip() or len(coder) > 255:
        raise SyrmakError("every coding needs a coder's name.", "pass --coder NAME.",
                          code="no-coder")
    return str(coder).strip()


_BATCH = 1000  # codings checked against the store and inserted together


def _batches(items: Iterable[dict]):
    iterator = iter(items)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


@lru_cache(maxsize=8)
def _existing_sql(n: int, mark: str) -> str:
    """Codings with one of ``n`` spans: the spans as a VALUES list joined on
    ix_codings_span (a row-value IN would scan the table on SQLite). Plain SQL, since
    building it with SQLAlchemy would compile 5,000 parameters anew for every batch."""
    row = "(" + ", ".join([mark] * 5) + ")"
    return ("WITH wanted (document_id, code_id, start_offset, end_offset, coder) AS "
            f"(VALUES {', '.join([row] * n)}) "
            "SELECT c.id, c.document_id, c.code_id, c.start_offset, c.end_offset, c.coder "
            "FROM wanted JOIN codings AS c ON c.document_id = wanted.document_id "
            "AND c.code_id = wanted.code_id AND c.start_offset = wanted.start_offset "
            "AND c.end_offset = wanted.end_offset AND c.coder = wanted.coder")


def insert_codings(study: Study, connection: sa.Connection, items: Iterable[dict],
                   actor: str | None = None) -> list[int]:
    """Validate and store codings (dicts: document, code, start, end, coder, weight, comment;
    optional ``skip_duplicates``, ``guid``, ``created_at``); returns the new ids in order.

    Resolves names once and works in batches (one duplicate query and one multi-row insert
    per 1,000 items), so a million codings take seconds, not an hour; ``items`` may be a
    generator. Errors are raised for the first bad item, as if the items were stored one by
    one; the caller's transaction makes a batch all-or-nothing.
    """
    rows = code_rows(connection)
    docs: dict = {}
    codes: dict = {}
    out: list[int] = []
    k = schema.codings
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    pending: list[dict] = []
    pending_keys: dict[tuple, int] = {}  # key -> index into pending
    pending_guids: set[str] = set()

    def flush() -> None:
        if pending:
            # A plain multi-row insert, then the ids by guid: RETURNING with the rows' order
            # kept would insert one row at a time on SQLite.
            connection.execute(sa.insert(k), pending)
            guids = [p["guid"] for p in pending]
            ids = dict(connection.execute(sa.select(k.c.guid, k.c.id)
                                          .where(k.c.guid.in_(guids))).all())
            out.extend(ids[g] for g in guids)
            pending.clear()
            pending_keys.clear()
            pending_guids.clear()

    for batch in _batches(items):
        prepared: list = []
        for item in batch:
            try:
                dref = item["document"]
                if dref not in docs:
                    row = document_row(connection, dref)
                    docs[dref] = (row.id, row.name, row.length)
                doc_id, doc_name, length = docs[dref]
                cref = item["code"]
                if cref not in codes:
                    codes[cref] = resolve_code(connection, cref, rows)
                start, end = _check_span(item["start"], item["end"], length, doc_name)
                coder = _check_coder(item.get("coder"))
            except SyrmakError as exc:
                prepared.append(exc)  # raised in order, below
                continue
            prepared.append((doc_id, codes[cref].id, start, end, coder))
        keys = sorted({p for p in prepared if isinstance(p, tuple)})
        existing: dict[tuple, int] = {}
        if keys:
            existing = {tuple(r[1:]): r[0] for r in connection.exec_driver_sql(
                _existing_sql(len(keys), mark), tuple(x for key in keys for x in key))}
        given = [item["guid"] for item in batch if item.get("guid")]
        taken = set(connection.execute(sa.select(k.c.guid).where(k.c.guid.in_(given)))
                    .scalars()) if given else set()
        for item, key in zip(batch, prepared, strict=True):
            if isinstance(key, SyrmakError):
                raise key
            duplicate = existing.get(key)
            if duplicate is None and key in pending_keys:  # earlier in this batch
                if item.get("skip_duplicates"):
                    continue
                stored, earlier = len(out), pending_keys[key]
                flush()  # to name the earlier coding's id
                duplicate = out[stored + earlier]
            if duplicate is not None:
                if item.get("skip_duplicates"):
                    continue
                doc_id, _, start, end, coder = key
                raise SyrmakError(f"{coder} already coded {start}-{end} of "
                                  f"'{docs[item['document']][1]}' with '{item['code']}' "
                                  f"(coding {duplicate}).",
                                  "nothing to do; use a different span or code.",
                                  code="duplicate-coding")
            guid = item.get("guid")
            if guid and (guid in taken or guid in pending_guids):
                guid = None  # the same project imported twice into one study
            guid = guid or new_guid()
            pending_guids.add(guid)
            pending_keys[key] = len(pending)
            pending.append({
                "guid": guid, "document_id": key[0], "code_id": key[1],
                "start_offset": key[2], "end_offset": key[3], "coder": key[4],
                "weight": _check_weight(item.get("weight")),
                "comment": item.get("comment") or None,
                "created_at": item.get("created_at") or now()})
        flush()
    if out:
        study.log("code", {"codings": out[:50], "count": len(out)}, actor, connection)
    return out


def code_span(study: Study, document: int | str, start: int, end: int, code: int | str,
              coder: str, *, weight: int | None = None, comment: str | None = None,
              actor: str | None = None) -> Coding:
    """Apply ``code`` to ``[start, end)`` of a document (code-point offsets)."""
    with study.engine.begin() as connection:
        (coding_id,) = insert_codings(study, connection, [{
            "document": document, "code": code, "start": start, "end": end, "coder": coder,
            "weight": weight, "comment": comment}], actor or coder)
    return get_coding(study, coding_id)


def code_quote(study: Study, document: int | str, quote: str, code: int | str, coder: str,
               *, occurrence: int = 1, **kwargs) -> Coding:
    """Code the ``occurrence``-th place where ``quote`` appears in the document."""
    with study.engine.connect() as connection:
        doc = document_row(connection, document)
    start = -1
    for _ in range(occurrence):
        start = doc.text.find(quote, start + 1)
        if start < 0:
            raise SyrmakError(f"'{quote[:60]}' does not occur {occurrence} time(s) in "
                              f"'{doc.name}'.", "copy the quote exactly from the document.",
                              code="quote-not-found")
    return code_span(study, doc.id, start, start + len(quote), code, coder, **kwargs)


def get_coding(study: Study, coding_id: int) -> Coding:
    k, d = schema.codings, schema.documents
    with study.engine.connect() as connection:
        row = connection.execute(sa.select(k, d.c.name, d.c.text).join(d, d.c.id == k.c.document_id)
                                 .where(k.c.id == coding_id)).first()
        if row is None:
            raise SyrmakError(f"there is no coding {coding_id}.",
                              "list codings with 'syrmak segments DIR'.",
                              code="unknown-coding", value=coding_id)
        paths = code_paths(code_rows(connection))
    return Coding(row.id, row.name, paths[row.code_id], row.start_offset, row.end_offset,
                  row.coder, row.text[row.start_offset:row.end_offset], row.weight, row.comment)


def uncode(study: Study, coding_id: int, actor: str | None = None) -> None:
    """Remove one coding (and the memos on it)."""
    get_coding(study, coding_id)
    with study.engine.begin() as connection:
        connection.execute(sa.delete(schema.memos).where(schema.memos.c.coding_id == coding_id))
        connection.execute(sa.delete(schema.codings).where(schema.codings.c.id == coding_id))
        study.log("uncode", {"coding": coding_id}, actor, connection)


def update_coding(study: Study, coding_id: int, *, weight: object = ..., comment: object = ...,
                  actor: str | None = None) -> Coding:
    get_coding(study, coding_id)
    values = {}
    if weight is not ...:
        values["weight"] = _check_weight(weight)
    if comment is not ...:
        values["comment"] = comment or None
    with study.engine.begin() as connection:
        connection.execute(sa.update(schema.codings).where(schema.codings.c.id == coding_id)
                           .values(**values))
        study.log("coding-update", {"coding": coding_id, "fields": sorted(values)}, actor,
                  connection)
    return get_coding(study, coding_id)


def codings_frame(study: Study, coders: list[str] | None = None) -> pd.DataFrame:
    """Every coding as a row: id, document_id, document, code_id, code, start, end, coder,
    weight, comment."""
    k, d = schema.codings, schema.documents
    query = (sa.select(k.c.id, k.c.document_id, d.c.name.label("document"), k.c.code_id,
                       k.c.start_offset.label("start"), k.c.end_offset.label("end"), k.c.coder,
                       k.c.weight, k.c.comment)
             .join(d, d.c.id == k.c.document_id).order_by(k.c.document_id, k.c.start_offset,
                                                          k.c.id))
    if coders:
        query = query.where(k.c.coder.in_(coders))
    with study.engine.connect() as connection:
        rows = connection.execute(query).all()
        paths = code_paths(code_rows(connection))
    columns = ["id", "document_id", "document", "code_id", "start", "end", "coder", "weight",
               "comment"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(4, "code", frame["code_id"].map(paths))
    return frame


# -- memos -----------------------------------------------------------------------------

def add_memo(study: Study, text: str, *, document: int | str | None = None,
             code: int | str | None = None, coding: int | None = None,
             title: str | None = None, author: str | None = None) -> Memo:
    """A memo on the study (no target), a document, a code or one coding."""
    from syrmak.qual.codebook import _add_memo
    from syrmak.study import default_actor

    if not text or not text.strip():
        raise SyrmakError("a memo needs some text.", "write the memo text.", code="empty-memo")
    if sum(x is not None for x in (document, code, coding)) > 1:
        raise SyrmakError("a memo belongs to one thing: a document, a code or a coding.",
                          "give only one of --document, --code, --coding.", code="memo-target")
    author = author or default_actor()
    with study.engine.begin() as connection:
        target: dict = {"title": title}
        if document is not None:
            target["document_id"] = document_row(connection, document).id
        if code is not None:
            target["code_id"] = resolve_code(connection, code).id
        if coding is not None:
            if not connection.execute(sa.select(schema.codings.c.id)
                                      .where(schema.codings.c.id == coding)).first():
                raise SyrmakError(f"there is no coding {coding}.", "check the coding id.",
                                  code="unknown-coding", value=coding)
            target["coding_id"] = coding
        memo_id = _add_memo(connection, text, author, **target)
        study.log("memo-add", {"memo": memo_id, **{k: v for k, v in target.items()
                                                    if k != "title"}}, author, connection)
    return next(m for m in memos(study).memos if m.id == memo_id)


def memos(study: Study) -> Memos:
    m, d = schema.memos, schema.documents
    with study.engine.connect() as connection:
        rows = connection.execute(sa.select(m, d.c.name.label("document"))
                                  .outerjoin(d, d.c.id == m.c.document_id).order_by(m.c.id)).all()
        paths = code_paths(code_rows(connection))
    return Memos(tuple(Memo(r.id, r.text, r.author, r.title, r.document,
                            paths.get(r.code_id) if r.code_id else None, r.coding_id)
                       for r in rows))
