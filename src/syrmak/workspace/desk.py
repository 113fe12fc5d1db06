"""The coding desk: a document as a researcher sees it, and the acts of coding it.

``document_view`` gives the text split into turns (paragraphs, with the transcript's time and
speaker) and pieces (maximal runs covered by the same codings), so a page can draw
overlapping highlights without nesting; every offset is a code point of the stored text.
The acts (code, uncode, resize, memo) check the researcher's role and write through the
store's write lock, one event row each, as the command line does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual import codebook as codebook_mod
from syrmak.qual import coding as coding_mod
from syrmak.qual.lookup import code_paths, code_rows, document_row
from syrmak.qual.lookup import resolve_code as _resolve
from syrmak.store import schema
from syrmak.store.writelock import serialized
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.study import Study


@dataclass(frozen=True)
class Mark:
    """A coding drawn on the page."""

    id: int
    code_id: int
    code: str
    colour: str | None
    start: int
    end: int
    coder: str
    mine: bool
    memo: str | None = None


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    marks: tuple[int, ...]  # coding ids covering the piece


@dataclass(frozen=True)
class Turn:
    """A paragraph: a speaker's turn in a transcript."""

    start: int
    end: int
    time_ms: int | None
    speaker: str | None
    label_end: int  # where the 'Speaker: ' label ends (== start when there is none)
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class CodeChoice:
    id: int
    path: str
    name: str
    colour: str | None
    depth: int
    count: int


@dataclass(frozen=True)
class DocumentView:
    id: int
    name: str
    kind: str
    respondent: int | None
    text: str
    turns: tuple[Turn, ...]
    marks: tuple[Mark, ...]
    codes: tuple[CodeChoice, ...]
    recent: tuple[int, ...]  # the viewer's recently used code ids, newest first
    coders: tuple[str, ...]  # every coder of this document (also the hidden ones)
    shown_coders: tuple[str, ...]
    blind: bool
    memos: tuple[tuple[int, str, str], ...]  # document memos: (id, author, text)
    may_code: bool

    def piece_text(self, piece: Piece) -> str:
        return self.text[piece.start:piece.end]


@dataclass(frozen=True)
class Change:
    """What an act did, and the paragraphs it touched, redrawn."""

    coding: coding_mod.Coding | None
    view: DocumentView


_BREAK = re.compile(r"\r\n|\r|\n")


def _turns(text: str, segments, marks: tuple[Mark, ...],
           window: tuple[int, int] | None = None) -> tuple[Turn, ...]:
    """Paragraphs of the text (those touching ``window`` only, when given), each cut into
    pieces where codings start or end."""
    bounds: list[tuple[int, int]] = []
    at = 0
    for m in _BREAK.finditer(text):
        bounds.append((at, m.start()))
        at = m.end()
    bounds.append((at, len(text)))
    if window is not None:
        bounds = [(a, b) for a, b in bounds if a <= window[1] and b >= window[0]]
        if not bounds:
            return ()
        lo, hi = bounds[0][0], bounds[-1][1]
        marks = tuple(m for m in marks if m.start <= hi and m.end >= lo)
    # Codings as (offset, +1/-1, id) events, swept once over the whole text.
    events = sorted([(m.start, 1, m.id) for m in marks] + [(m.end, -1, m.id) for m in marks])
    by_start = sorted(segments, key=lambda s: s.start_offset)
    seg_i = 0
    ev_i = 0
    active: set[int] = set()
    turns = []
    for lo, hi in bounds:
        # Events before this paragraph (inside the line break) still change what is active.
        while ev_i < len(events) and events[ev_i][0] <= lo:
            _apply(active, events[ev_i])
            ev_i += 1
        time_ms = speaker = None
        label_end = lo
        while seg_i < len(by_start) and by_start[seg_i].start_offset < lo:
            seg_i += 1
        if seg_i < len(by_start) and by_start[seg_i].start_offset <= hi:
            seg = by_start[seg_i]
            time_ms, speaker = seg.start_ms, seg.speaker
            if speaker and text.startswith(f"{speaker}:", lo):
                label_end = min(seg.start_offset, hi)
        cuts = {lo, hi, label_end}
        j = ev_i
        while j < len(events) and events[j][0] < hi:
            cuts.add(events[j][0])
            j += 1
        pieces = []
        points = sorted(cuts)
        for a, b in zip(points, points[1:], strict=False):
            while ev_i < len(events) and events[ev_i][0] <= a:
                _apply(active, events[ev_i])
                ev_i += 1
            pieces.append(Piece(a, b, tuple(sorted(active))))
        turns.append(Turn(lo, hi, time_ms, speaker, label_end, tuple(pieces)))
    return tuple(turns)


def _apply(active: set[int], event: tuple[int, int, int]) -> None:
    if event[1] > 0:
        active.add(event[2])
    else:
        active.discard(event[2])


def _choices(connection: sa.Connection) -> tuple[CodeChoice, ...]:
    rows = code_rows(connection)
    paths = code_paths(rows)
    counts = dict(connection.execute(sa.select(schema.codings.c.code_id, sa.func.count())
                                     .group_by(schema.codings.c.code_id)).all())
    children: dict[int | None, list] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)
    out: list[CodeChoice] = []

    def walk(parent: int | None, depth: int) -> None:
        for r in children.get(parent, []):
            out.append(CodeChoice(r.id, paths[r.id], r.name, r.colour, depth,
                                  int(counts.get(r.id, 0))))
            walk(r.id, depth + 1)

    walk(None, 0)
    return tuple(out)


def document_view(study: Study, who: Researcher, document: int | str, *,
                  blind: bool | None = None, coders: list[str] | None = None,
                  around: tuple[int, int] | None = None) -> DocumentView:
    """A document with the codings ``who`` may see: in blind mode (their own setting unless
    ``blind`` says otherwise) only their own; else everyone's, or those of ``coders``.
    With ``around``, only the paragraphs touching that span are cut into pieces (what a
    page redraws after a coding changed)."""
    require(who, "read")
    blind = who.blind if blind is None else blind
    k, m = schema.codings, schema.memos
    with study.engine.connect() as connection:
        doc = document_row(connection, document)
        number = None
        if doc.respondent_id is not None:
            number = connection.execute(sa.select(schema.respondents.c.number).where(
                schema.respondents.c.id == doc.respondent_id)).scalar()
        segments = connection.execute(
            sa.select(schema.document_segments.c.start_offset,
                      schema.document_segments.c.speaker, schema.document_segments.c.start_ms)
            .where(schema.document_segments.c.document_id == doc.id)).all()
        choices = _choices(connection)
        # Plain tuples: a long transcript has thousands of codings.
        rows = connection.execute(
            sa.select(k.c.id, k.c.code_id, k.c.start_offset, k.c.end_offset, k.c.coder)
            .where(k.c.document_id == doc.id).order_by(k.c.start_offset, k.c.id)
        ).tuples().all()
        coding_memos = dict(connection.execute(
            sa.select(m.c.coding_id, m.c.text).join(k, k.c.id == m.c.coding_id)
            .where(k.c.document_id == doc.id).order_by(m.c.id)).all())
        doc_memos = tuple(connection.execute(
            sa.select(m.c.id, m.c.author, m.c.text).where(m.c.document_id == doc.id)
            .order_by(m.c.id)).all())
        recent = tuple(dict.fromkeys(connection.execute(
            sa.select(k.c.code_id).where(k.c.coder == who.name).order_by(k.c.id.desc())
            .limit(200)).scalars()))[:6]
    by_id = {c.id: (c.path, c.colour) for c in choices}
    everyone = tuple(sorted({r[4] for r in rows}))
    shown = (who.name,) if blind else tuple(c for c in everyone if not coders or c in coders)
    visible = set(shown)
    me = who.name
    marks = tuple(Mark(i, code_id, *by_id[code_id], start, end, coder, coder == me,
                       coding_memos.get(i))
                  for i, code_id, start, end, coder in rows if coder in visible)
    return DocumentView(doc.id, doc.name, doc.kind, number, doc.text,
                        _turns(doc.text, segments, marks, around), marks, choices, recent, everyone,
                        shown, blind, doc_memos, who.may("code"))


def marks(study: Study, who: Researcher, document: int | str, ids: list[int]
          ) -> DocumentView:
    """The codings ``ids`` of a document (those ``who`` may see), without its paragraphs:
    what a page lists when a highlight of a long document is clicked."""
    view = document_view(study, who, document, around=(-1, -1))
    wanted = set(ids)
    return replace(view, marks=tuple(m for m in view.marks if m.id in wanted))


def document_text(study: Study, who: Researcher, document: int | str) -> tuple[int, str]:
    """(id, text) of a document: what the page converts browser offsets against."""
    require(who, "read")
    with study.engine.connect() as connection:
        row = document_row(connection, document)
    return row.id, row.text


def _in_vivo_name(text: str) -> str:
    name = " ".join(text.replace("/", " ").split())
    if len(name) > 60:
        name = name[:60].rsplit(" ", 1)[0] + "…"
    if not name:
        raise SyrmakError("the selection holds no words to name an in-vivo code.",
                          "select some words.", code="bad-code-name")
    return name


def code_passage(study: Study, who: Researcher, document: int | str, start: int, end: int, *,
                 code: int | str | None = None, new_code: str | None = None,
                 parent: int | str | None = None, in_vivo: bool = False,
                 coders: list[str] | None = None) -> Change:
    """Code ``[start, end)`` (code points) as ``who``: with an existing code, a new code
    named ``new_code`` (under ``parent``), or an in-vivo code named by the words selected."""
    require(who, "code")
    if (code is None) + (new_code is None) + (not in_vivo) != 2:
        raise SyrmakError("say which code: an existing one, a new name, or in-vivo.",
                          "pick a code.", code="bad-argument")
    with serialized(study.engine):
        if new_code is not None or in_vivo:
            require(who, "add-code")
            if in_vivo:
                _, text = document_text(study, who, document)
                coding_mod._check_span(start, end, len(text), str(document))
                new_code = _in_vivo_name(text[start:end])
                parent = None
            try:
                code = codebook_mod.add_code(study, new_code, parent=parent,
                                             actor=who.name).id
            except SyrmakError as exc:
                if exc.code != "duplicate-code" or not in_vivo:
                    raise
                code = codebook_mod.get_code(study, new_code).id
        with study.engine.connect() as connection:
            rows = code_rows(connection)
            code = code_paths(rows)[_resolve(connection, code, rows).id]  # named in errors
        coded = coding_mod.code_span(study, document, start, end, code, who.name,
                                     actor=who.name)
    return Change(coded, document_view(study, who, document, coders=coders,
                                       around=(start, end)))


def _own_coding(connection: sa.Connection, who: Researcher, coding_id: int):
    k = schema.codings
    row = connection.execute(sa.select(k).where(k.c.id == coding_id)).first()
    if row is None:
        raise SyrmakError(f"there is no coding {coding_id}.", "reload the page.",
                          code="unknown-coding", value=coding_id)
    if row.coder != who.name:
        require(who, "uncode-others")
    return row


def uncode(study: Study, who: Researcher, coding_id: int,
           coders: list[str] | None = None) -> Change:
    """Remove a coding: one's own, or anyone's for an owner."""
    require(who, "code")
    with serialized(study.engine):
        with study.engine.connect() as connection:
            row = _own_coding(connection, who, coding_id)
        coding_mod.uncode(study, coding_id, actor=who.name)
    return Change(None, document_view(study, who, row.document_id, coders=coders,
                                      around=(row.start_offset, row.end_offset)))


def resize(study: Study, who: Researcher, coding_id: int, start: int, end: int,
           coders: list[str] | None = None) -> Change:
    """Move a coding's ends to ``[start, end)``."""
    require(who, "code")
    k = schema.codings
    with serialized(study.engine), study.engine.begin() as connection:
        row = _own_coding(connection, who, coding_id)
        doc = document_row(connection, row.document_id)
        coding_mod._check_span(start, end, doc.length, doc.name)
        clash = connection.execute(sa.select(k.c.id).where(
            k.c.document_id == row.document_id, k.c.code_id == row.code_id,
            k.c.start_offset == start, k.c.end_offset == end, k.c.coder == row.coder,
            k.c.id != row.id)).first()
        if clash:
            raise SyrmakError(f"{row.coder} already coded {start}-{end} with this code "
                              f"(coding {clash.id}).", "remove one of the two codings.",
                              code="duplicate-coding")
        connection.execute(sa.update(k).where(k.c.id == row.id)
                           .values(start_offset=start, end_offset=end))
        study.log("coding-resize", {"coding": row.id, "from": [row.start_offset,
                                                              row.end_offset],
                                    "to": [start, end]}, who.name, connection)
    return Change(coding_mod.get_coding(study, coding_id),
                  document_view(study, who, row.document_id, coders=coders,
                                around=(min(start, row.start_offset),
                                        max(end, row.end_offset))))


def memo(study: Study, who: Researcher, text: str, *, document: int | str | None = None,
         code: int | str | None = None, coding: int | None = None) -> coding_mod.Memo:
    """A memo by ``who`` on a document, a code or a coded segment."""
    require(who, "memo")
    with serialized(study.engine):
        return coding_mod.add_memo(study, text, document=document, code=code, coding=coding,
                                   author=who.name)
