"""Correcting a transcript's text without losing its codings.

Offsets of codings, segments and translations count code points of the stored text
(docs/ARCHITECTURE.md), so correcting a word moves every position after it. ``edit_text``
diffs the old and the new text (``difflib``, character by character) and carries every
span across: a span keeps the same words; a corrected word inside or at the edge of a span
stays inside it. A coding (or translation) whose words were all deleted cannot be carried
anywhere honest: the edit is refused and names it, unless the caller says ``drop_lost``,
and then it is deleted and reported, never silently moved.
"""

from __future__ import annotations

import difflib
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema

if TYPE_CHECKING:
    from syrmak.study import Study


class Remap:
    """Old-text offsets to new-text offsets, from the diff of the two texts."""

    def __init__(self, old: str, new: str):
        # The text both share at the start and at the end is equal as it stands: diff only
        # what lies between. A character diff costs about the square of its length (a
        # Russian transcript repeats its 33 letters everywhere), so a word corrected in a
        # one-hour interview would otherwise take minutes.
        head = _common_prefix(old, new)
        tail = _common_prefix(old[head:][::-1], new[head:][::-1])
        old_end, new_end = len(old) - tail, len(new) - tail
        matcher = difflib.SequenceMatcher(None, old[head:old_end], new[head:new_end],
                                          autojunk=False)
        ops = [("equal", 0, head, 0, head)] if head else []
        ops += [(tag, i1 + head, i2 + head, j1 + head, j2 + head)
                for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
        if tail:
            ops.append(("equal", old_end, len(old), new_end, len(new)))
        # Only opcodes that consume old text place old offsets; inserts sit between them.
        self.ops = [op for op in ops if op[1] < op[2]]
        self.starts = [op[1] for op in self.ops]
        self.old_length = len(old)
        self.new_length = len(new)
        self.old, self.new = old, new

    @classmethod
    def splices(cls, old: str, changes: list[tuple[int, int, str, str]]) -> Remap:
        """The remap of known, non-overlapping changes ``(start, end, replacement, tag)``
        of ``old`` (no diff needed, and none could guess better). ``tag`` says what the
        old characters become: ``"replace"`` carries a coding over them onto the
        replacement (a speaker label renamed), ``"delete"`` reports a coding of them alone
        as lost (a label that goes away)."""
        remap = cls.__new__(cls)
        ops, parts = [], []
        at = shift = 0
        for start, end, replacement, tag in sorted(changes):
            if start < at or end < start:
                raise ValueError("overlapping changes")
            if at < start:
                ops.append(("equal", at, start, at + shift, start + shift))
            parts.extend((old[at:start], replacement))
            if start < end:
                ops.append((tag if replacement else "delete", start, end, start + shift,
                            start + shift + (len(replacement) if tag == "replace" else 0)))
            shift += len(replacement) - (end - start)
            at = end
        if at < len(old):
            ops.append(("equal", at, len(old), at + shift, len(old) + shift))
        parts.append(old[at:])
        remap.old, remap.new = old, "".join(parts)
        remap.ops = ops
        remap.starts = [op[1] for op in ops]
        remap.old_length, remap.new_length = len(old), len(remap.new)
        return remap

    def _op(self, offset: int):
        return self.ops[bisect_right(self.starts, offset) - 1]

    def start(self, offset: int) -> int:
        if offset >= self.old_length:
            return self.new_length
        tag, i1, _i2, j1, _j2 = self._op(offset)
        return j1 + (offset - i1) if tag == "equal" else j1

    def end(self, offset: int) -> int:
        if offset <= 0:
            return 0
        tag, i1, _i2, j1, j2 = self._op(offset - 1)
        if tag == "equal":
            return j1 + (offset - i1)
        return j2 if tag == "replace" else j1

    def deleted(self, start: int, end: int) -> bool:
        """Whether every character of old [start, end) was deleted."""
        if start >= end:
            return True
        i = bisect_right(self.starts, start) - 1
        while i < len(self.ops) and self.ops[i][1] < end:
            if self.ops[i][0] != "delete":
                return False
            i += 1
        return True

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The new span of old [start, end), or None when its text was deleted."""
        if self.deleted(start, end):
            return None
        new_start, new_end = self.start(start), self.end(end)
        # A span that ended (began) at a word's edge keeps ending (beginning) at one: a
        # word lengthened by the correction ("онлайн" -> "онлайн-режим") stays whole.
        if not _wordy(self.old, end) and _wordy(self.old, end - 1):
            while _wordy(self.new, new_end) and _wordy(self.new, new_end - 1):
                new_end += 1
        if not _wordy(self.old, start - 1) and _wordy(self.old, start):
            while _wordy(self.new, new_start - 1) and _wordy(self.new, new_start):
                new_start -= 1
        return (new_start, new_end) if new_start < new_end else None


def _common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start (compared in blocks)."""
    n, step = 0, 4096
    limit = min(len(a), len(b))
    while step:
        while n + step <= limit and a[n:n + step] == b[n:n + step]:
            n += step
        step //= 2
    return n


def _wordy(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] in "-'’")


@dataclass(frozen=True)
class Lost:
    table: str  # codings | translations | document_segments
    id: int
    start: int
    end: int
    what: str  # the code path and coder, or the translation's language; never the text
    coder: str | None = None  # whose coding it is

    def __str__(self) -> str:
        return f"{self.what} at {self.start}-{self.end}"


@dataclass(frozen=True)
class Edit:
    document_id: int
    moved: int  # codings whose offsets changed
    kept: int  # codings carried over in all
    lost: tuple[Lost, ...]


def edit_text(study: Study, document: int | str, new_text: str, *, editor: str | None = None,
              drop_lost: bool = False, base_text: str | None = None) -> Edit:
    """Replace a document's text with a corrected one, carrying codings, segments and
    translations over. ``base_text`` is the text the editor started from: when someone
    else changed the document meanwhile the edit is refused rather than mis-mapped."""
    from syrmak.qual.documents import canonical, get_document
    from syrmak.study import default_actor

    editor = editor or default_actor()
    new_text = canonical(new_text)
    doc = get_document(study, document)
    if not new_text.strip():
        raise SyrmakError("the corrected text is empty.",
                          "remove the document instead, if that is what you mean.",
                          code="bad-argument")
    d = schema.documents
    with db.writer(study.engine, study.id) as connection:
        old_text = connection.execute(sa.select(d.c.text).where(d.c.id == doc.id)).scalar_one()
        if base_text is not None and canonical(base_text) != old_text:
            raise SyrmakError(f"document '{doc.name}' changed since you opened it.",
                              "reload it and make your correction again.",
                              code="edit-conflict", value=doc.name)
        moved, kept, lost = carry(connection, doc.id, doc.name, Remap(old_text, new_text),
                                  drop_lost=drop_lost)
        study.log("document-edit", {
            "document": doc.id, "length": len(new_text), "codings_moved": moved,
            "lost": [[x.table, x.id] for x in lost]}, editor, connection)
    return Edit(doc.id, moved, kept, lost)


def carry(connection: sa.Connection, doc_id: int, doc_name: str, remap: Remap, *,
          drop_lost: bool = False, segments: bool = True) -> tuple[int, int, tuple[Lost, ...]]:
    """Write ``remap.new`` as the document's text and carry its codings, translations and
    (with ``segments``) segments across, in the caller's transaction. Returns how many
    codings moved, how many were kept, and what was lost; refuses (``edit-loses-codings``)
    when something would be lost and ``drop_lost`` is not set."""
    d, s = schema.documents, schema.document_segments
    new_text = remap.new
    kept, lost, updates, gone_segments = _plan(connection, doc_id, remap, segments)
    if lost and not drop_lost:
        raise SyrmakError(
            f"this edit deletes all the words of {len(lost)} coded or translated "
            f"passage(s): {'; '.join(map(str, lost))}.",
            "keep some of their words, recode them first, or confirm that they are to "
            "be dropped.", code="edit-loses-codings", value=doc_name)
    for table_name, rows in updates.items():
        if rows:
            table = getattr(schema, table_name)
            connection.execute(
                sa.update(table).where(table.c.id == sa.bindparam("i"))
                .values(start_offset=sa.bindparam("a"), end_offset=sa.bindparam("b")), rows)
    for item in lost:
        table = getattr(schema, item.table)
        if table is schema.codings:
            connection.execute(sa.delete(schema.memos)
                               .where(schema.memos.c.coding_id == item.id))
        connection.execute(sa.delete(table).where(table.c.id == item.id))
    if gone_segments:
        connection.execute(sa.delete(s).where(s.c.id.in_(gone_segments)))
    connection.execute(sa.update(d).where(d.c.id == doc_id).values(
        text=new_text, length=len(new_text)))
    # The search index holds the old words: drop it so the next search re-indexes.
    for table in (schema.search_tokens, schema.search_chunks, schema.search_indexed):
        connection.execute(sa.delete(table).where(table.c.document_id == doc_id))
    return len(updates["codings"]), kept, tuple(lost)


def _plan(connection: sa.Connection, doc_id: int, remap: Remap, segments: bool):
    """What a remap does to a document's spans: codings kept, things lost, the new offsets
    to write, segments whose words are gone. Reads only."""
    from syrmak.qual.lookup import code_paths, code_rows

    k, s, t = schema.codings, schema.document_segments, schema.translations
    paths = code_paths(code_rows(connection))
    kept = 0
    lost: list[Lost] = []
    updates: dict[str, list[dict]] = {"codings": [], "translations": [],
                                      "document_segments": []}
    for row in connection.execute(sa.select(k.c.id, k.c.code_id, k.c.coder, k.c.start_offset,
                                            k.c.end_offset).where(k.c.document_id == doc_id)):
        span = remap.span(row.start_offset, row.end_offset)
        if span is None:
            lost.append(Lost("codings", row.id, row.start_offset, row.end_offset,
                             f"coding '{paths.get(row.code_id, row.code_id)}' by "
                             f"{row.coder}", row.coder))
        else:
            kept += 1
            if span != (row.start_offset, row.end_offset):
                updates["codings"].append({"i": row.id, "a": span[0], "b": span[1]})
    for row in connection.execute(sa.select(t.c.id, t.c.language, t.c.start_offset,
                                            t.c.end_offset).where(t.c.document_id == doc_id)):
        span = remap.span(row.start_offset, row.end_offset)
        if span is None:
            lost.append(Lost("translations", row.id, row.start_offset, row.end_offset,
                             f"translation ({row.language})"))
        elif span != (row.start_offset, row.end_offset):
            updates["translations"].append({"i": row.id, "a": span[0], "b": span[1]})
    gone_segments = []
    for row in (connection.execute(sa.select(s.c.id, s.c.start_offset, s.c.end_offset)
                                   .where(s.c.document_id == doc_id)) if segments else ()):
        span = remap.span(row.start_offset, row.end_offset)
        if span is None:
            gone_segments.append(row.id)  # its words were deleted: nothing to play
        elif span != (row.start_offset, row.end_offset):
            updates["document_segments"].append({"i": row.id, "a": span[0], "b": span[1]})
    return kept, lost, updates, gone_segments


def preview(study: Study, document: int | str, new_text: str) -> tuple[Lost, ...]:
    """What ``edit_text`` would lose with ``new_text``, writing nothing."""
    from syrmak.qual.documents import canonical, get_document

    doc = get_document(study, document)
    with study.engine.connect() as connection:
        _kept, lost, _updates, _gone = _plan(connection, doc.id,
                                             Remap(doc.text, canonical(new_text)), False)
    return tuple(lost)
