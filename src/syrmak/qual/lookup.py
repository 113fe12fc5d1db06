"""Small shared helpers: ids, time, looking up documents and codes."""

from __future__ import annotations

import difflib
import uuid

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import schema
from syrmak.store.db import now  # noqa: F401 (qual modules take the clock from here)
from syrmak.text import normal


def new_guid() -> str:
    return str(uuid.uuid4())


def coder_guid(name: str) -> str:
    """A stable GUID per coder name, so REFI-QDA users survive export after export."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"syrmak:coder:{name}"))


def find_document(connection: sa.Connection, ref: int | str, *, by_id: bool = False):
    """The one document lookup: by name, or by id when ``ref`` is a number and no name
    matches (a document named "26" wins over id 26, as a user who typed 26 means); with
    ``by_id``, by id only (a reference the program holds). None when there is none."""
    d = schema.documents
    row = None
    if not by_id:
        row = connection.execute(sa.select(d).where(d.c.name == str(ref))).first()
    if row is None and (isinstance(ref, int) or str(ref).isdigit()):
        row = connection.execute(sa.select(d).where(d.c.id == int(ref))).first()
    return row


def document_row(connection: sa.Connection, ref: int | str):
    """A document by name, or by id when ``ref`` is a number and no name matches."""
    row = find_document(connection, ref)
    if row is None:
        raise SyrmakError(f"there is no document '{ref}'.",
                          "list the documents with 'syrmak docs list DIR'.",
                          code="unknown-document", value=ref)
    return row


def code_rows(connection: sa.Connection) -> list:
    return connection.execute(sa.select(schema.codes).order_by(schema.codes.c.position,
                                                               schema.codes.c.id)).all()


def code_paths(rows) -> dict[int, str]:
    """``id -> 'parent/child'`` for every code."""
    by_id = {r.id: r for r in rows}
    paths: dict[int, str] = {}

    def path(cid: int) -> str:
        if cid not in paths:
            r = by_id[cid]
            paths[cid] = r.name if r.parent_id is None else f"{path(r.parent_id)}/{r.name}"
        return paths[cid]

    for r in rows:
        path(r.id)
    return paths


def resolve_code(connection: sa.Connection, ref: int | str, rows=None):
    """A code by path ('funding/grants'), by unique name, or by id."""
    rows = rows if rows is not None else code_rows(connection)
    paths = code_paths(rows)
    text = str(ref).strip().strip("/")
    hits = [r for r in rows if paths[r.id] == text]
    if not hits:
        hits = [r for r in rows if r.name == text]
    if not hits and (isinstance(ref, int) or text.isdigit()):
        hits = [r for r in rows if r.id == int(text)]
    if not hits:
        # "burnout" for "Burnout": case and spacing are how people mistype a code, never a
        # second code (an exact match above wins over these).
        wanted = normal(text)
        hits = [r for r in rows if normal(paths[r.id]) == wanted]
        if not hits:
            hits = [r for r in rows if normal(r.name) == wanted]
    if len(hits) > 1:
        raise SyrmakError(f"the code name '{ref}' is ambiguous: " +
                          ", ".join(sorted(paths[r.id] for r in hits)) + ".",
                          "give the full path, e.g. 'parent/child'.", code="ambiguous-code",
                          value=ref)
    if not hits:
        names = sorted({*paths.values(), *(r.name for r in rows)})
        close = difflib.get_close_matches(text, names, n=3, cutoff=0.6) or \
            difflib.get_close_matches(normal(text), [normal(n) for n in names], n=3, cutoff=0.6)
        close = [n for n in names if n in close or normal(n) in close][:3]
        hint = ("did you mean " + " or ".join(f"'{n}'" for n in close) + "? Otherwise, "
                if close else "") + "list the codes with 'syrmak codes list DIR' or add it first."
        raise SyrmakError(f"there is no code '{ref}' in the codebook.", hint,
                          code="unknown-code", value=ref)
    return hits[0]


def descendants(rows, code_id: int) -> set[int]:
    """The code and all codes below it."""
    children: dict[int | None, list[int]] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r.id)
    out, stack = set(), [code_id]
    while stack:
        cid = stack.pop()
        out.add(cid)
        stack.extend(children.get(cid, []))
    return out
