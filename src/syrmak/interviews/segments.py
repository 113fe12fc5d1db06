"""A transcript's segments: split, merge, relabel speakers, mark the interviewer.

A transcript's text is laid out as ``qual.documents`` writes it: one paragraph per speaker
turn, opened by the speaker's label (``"Speaker 1: "``); consecutive segments of one
speaker share the paragraph, separated by a space. Each act here keeps that layout and is
one transaction, logged like every edit:

* **split** changes no text: the segment becomes two at a word boundary, and its time is
  divided at the playback time given, or in proportion to the characters;
* **merge** joins a segment with the next; when the next one opens a paragraph, its
  label and line break give way to a space;
* **relabel** renames a speaker everywhere (labels and segments) or gives one segment
  another speaker (it becomes a paragraph of its own);
* **mark the interviewer** sets the transcript's ``interviewer`` variable, which the
  interview guide uses to find the questions.

When the text changes, codings and translations are carried by ``editing.carry`` over
the exact changes made (``Remap.splices``): they stay on the same words. A coding of a
label alone that goes away is reported (``Lost``), and the act is refused unless the
caller confirms it, as a correction is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.interviews.editing import Lost, Remap, carry
from syrmak.store import db, schema

if TYPE_CHECKING:
    from syrmak.study import Study

#: A speaker label the transcript layout can hold (and read back): no colon or sentence
#: punctuation, no line break, at most four words of 40 characters in all.
_LABEL = re.compile(r"^[^\s:.!?,;][^:.!?;\n\r\t]{0,39}$")


@dataclass(frozen=True)
class Line:
    """A segment as the editor shows it."""

    position: int
    start: int
    end: int
    speaker: str | None
    start_ms: int | None
    end_ms: int | None
    text: str
    opens_paragraph: bool


@dataclass(frozen=True)
class Recording:
    id: int
    name: str
    duration_ms: int


@dataclass(frozen=True)
class Transcript:
    document_id: int
    name: str
    text: str
    lines: tuple[Line, ...]
    speakers: tuple[str, ...]
    interviewer: str | None
    recordings: tuple[Recording, ...]

    @property
    def timed(self) -> bool:
        return any(line.start_ms is not None for line in self.lines)


@dataclass(frozen=True)
class Change:
    document_id: int
    moved: int  # codings whose offsets changed
    lost: tuple[Lost, ...]


# -- reading ----------------------------------------------------------------------------

def transcript(study: Study, document: int | str) -> Transcript:
    """A transcript document with its segments, speakers, interviewer and recordings."""
    from syrmak.qual.documents import get_document

    doc = get_document(study, document)
    if not doc.segments:
        raise SyrmakError(f"document '{doc.name}' has no segments to edit.",
                          "the transcript editor works on transcripts with segments "
                          "(from 'syrmak transcribe', a .vtt or an .srt file).",
                          code="not-a-transcript", value=doc.name)
    rec = schema.recordings
    with study.engine.connect() as connection:
        recordings = tuple(Recording(*row) for row in connection.execute(
            sa.select(rec.c.id, rec.c.name, rec.c.duration_ms)
            .where(rec.c.document_id == doc.id).order_by(rec.c.id)))
    lines, previous_end = [], None
    for s in doc.segments:
        opens = previous_end is None or "\n" in doc.text[previous_end:s.start]
        lines.append(Line(s.position, s.start, s.end, s.speaker, s.start_ms, s.end_ms,
                          doc.text[s.start:s.end], opens))
        previous_end = s.end
    speakers = tuple(dict.fromkeys(x.speaker for x in lines if x.speaker))
    interviewer = dict(doc.variables).get("interviewer")
    return Transcript(doc.id, doc.name, doc.text, tuple(lines), speakers,
                      str(interviewer) if interviewer is not None else None, recordings)


# -- the acts ---------------------------------------------------------------------------

@dataclass
class _Seg:
    id: int | None
    speaker: str | None
    start_ms: int | None
    end_ms: int | None
    start: int
    end: int


def _open(study: Study, connection: sa.Connection, document: int | str):
    from syrmak.qual.documents import document_row

    row = document_row(connection, document)
    s = schema.document_segments
    segs = [_Seg(r.id, r.speaker, r.start_ms, r.end_ms, r.start_offset, r.end_offset)
            for r in connection.execute(
                sa.select(s.c.id, s.c.speaker, s.c.start_ms, s.c.end_ms, s.c.start_offset,
                          s.c.end_offset).where(s.c.document_id == row.id)
                .order_by(s.c.position, s.c.start_offset))]
    if not segs:
        raise SyrmakError(f"document '{row.name}' has no segments to edit.",
                          "split, merge and relabel work on transcripts with segments.",
                          code="not-a-transcript", value=row.name)
    return row, segs


def _at(segs: list[_Seg], position: int, name: str) -> int:
    if not 0 <= position < len(segs):
        raise SyrmakError(f"transcript '{name}' has no segment {position} (it has "
                          f"{len(segs)}, numbered from 0).", "reload the transcript.",
                          code="unknown-segment", value=position)
    return position


def _write(connection: sa.Connection, doc_id: int, segs: list[_Seg]) -> None:
    """Replace the document's segments by ``segs`` in order (positions renumbered)."""
    s = schema.document_segments
    keep = [x.id for x in segs if x.id is not None]
    connection.execute(sa.delete(s).where(s.c.document_id == doc_id,
                                          s.c.id.not_in(keep) if keep else sa.true()))
    for position, x in enumerate(segs):
        values = {"position": position, "speaker": x.speaker, "start_ms": x.start_ms,
                  "end_ms": x.end_ms, "start_offset": x.start, "end_offset": x.end}
        if x.id is None:
            connection.execute(sa.insert(s), {"document_id": doc_id, **values})
        else:
            connection.execute(sa.update(s).where(s.c.id == x.id).values(**values))


def _opens(text: str, segs: list[_Seg], i: int) -> bool:
    return i == 0 or "\n" in text[segs[i - 1].end:segs[i].start]


def _label_span(text: str, segs: list[_Seg], i: int) -> tuple[int, int]:
    """Where segment ``i``'s paragraph label is (empty when it opens no paragraph)."""
    if not _opens(text, segs, i):
        return segs[i].start, segs[i].start
    floor = segs[i - 1].end if i else 0
    return max(text.rfind("\n", floor, segs[i].start) + 1, floor), segs[i].start


def _check_label(name: str) -> str:
    name = " ".join((name or "").split())
    if not _LABEL.match(name) or len(name.split()) > 4:
        raise SyrmakError(f"'{name}' cannot be a speaker label.",
                          "use a short name (at most four words) without ':' or sentence "
                          "punctuation, such as 'Interviewer' or 'Respondent 6'.",
                          code="bad-speaker", value=name)
    return name


def split(study: Study, document: int | str, position: int, at: int, *,
          at_ms: int | None = None, actor: str | None = None) -> Change:
    """Split segment ``position`` at document offset ``at`` (moved back to the start of the
    word it falls in). Its time is divided at ``at_ms`` (the playback time, when it lies
    inside the segment) or in proportion to the characters. No text changes."""
    from syrmak.study import default_actor

    actor = actor or default_actor()
    with db.writer(study.engine, study.id) as connection:
        row, segs = _open(study, connection, document)
        seg = segs[_at(segs, position, row.name)]
        text = row.text
        cut = min(max(at, seg.start), seg.end)
        while cut > seg.start and not text[cut - 1].isspace() and not text[cut].isspace():
            cut -= 1  # inside a word: split before it
        left_end, right_start = cut, cut
        while left_end > seg.start and text[left_end - 1].isspace():
            left_end -= 1
        while right_start < seg.end and text[right_start].isspace():
            right_start += 1
        if left_end <= seg.start or right_start >= seg.end:
            raise SyrmakError(
                f"segment {position} of '{row.name}' cannot be split there: one side would "
                "hold no words.", "put the cursor between two words of the segment.",
                code="bad-split", value=at)
        middle = None
        if seg.start_ms is not None and seg.end_ms is not None:
            if at_ms is not None and seg.start_ms < at_ms < seg.end_ms:
                middle = int(at_ms)
            else:
                share = (right_start - seg.start) / (seg.end - seg.start)
                middle = round(seg.start_ms + share * (seg.end_ms - seg.start_ms))
        right = _Seg(None, seg.speaker, middle, seg.end_ms, right_start, seg.end)
        seg.end, seg.end_ms = left_end, middle if middle is not None else seg.end_ms
        segs.insert(position + 1, right)
        _write(connection, row.id, segs)
        study.log("transcript-split", {"document": row.id, "segment": position}, actor,
                  connection)
    return Change(row.id, 0, ())


def merge(study: Study, document: int | str, position: int, *, drop_lost: bool = False,
          actor: str | None = None) -> Change:
    """Join segment ``position`` with the next one (the first one's speaker stays). When
    the next one opens a paragraph, its line break and label become a space."""
    from syrmak.study import default_actor

    actor = actor or default_actor()
    with db.writer(study.engine, study.id) as connection:
        row, segs = _open(study, connection, document)
        _at(segs, position, row.name)
        if position + 1 >= len(segs):
            raise SyrmakError(f"segment {position} is the last of '{row.name}': there is "
                              "nothing to merge it with.", "merge a segment with the next one.",
                              code="bad-merge", value=position)
        first, second = segs[position], segs[position + 1]
        text = row.text
        changes = []
        between = text[first.end:second.start]
        if "\n" in between or first.speaker != second.speaker:
            label_start, _ = _label_span(text, segs, position + 1)
            # Words someone typed between the two (outside any segment) stay, on one line.
            kept = " ".join(text[first.end:label_start].split())
            changes.append((first.end, second.start, f" {kept} " if kept else " ", "delete"))
        moved, lost = _apply(connection, row, segs, changes, drop_lost=drop_lost)
        first.end = second.end
        if first.start_ms is None or (second.start_ms is not None
                                      and second.start_ms < first.start_ms):
            first.start_ms = second.start_ms
        if second.end_ms is not None and (first.end_ms is None or second.end_ms > first.end_ms):
            first.end_ms = second.end_ms
        del segs[position + 1]
        _write(connection, row.id, segs)
        study.log("transcript-merge", {"document": row.id, "segment": position,
                                       "codings_moved": moved,
                                       "lost": [[x.table, x.id] for x in lost]},
                  actor, connection)
    return Change(row.id, moved, lost)


def _require_speaker(row, segs, speaker: str) -> None:
    if not any(x.speaker == speaker for x in segs):
        raise SyrmakError(f"transcript '{row.name}' has no speaker '{speaker}'.",
                          "use one of: " + ", ".join(sorted({x.speaker for x in segs
                                                             if x.speaker})) + ".",
                          code="unknown-speaker", value=speaker)


def rename_speaker(study: Study, document: int | str, old: str, new: str, *,
                   actor: str | None = None) -> Change:
    """Rename speaker ``old`` to ``new`` everywhere in the transcript: its segments, its
    paragraph labels, and the interviewer mark."""
    from syrmak.qual.documents import _set_variable
    from syrmak.study import default_actor

    actor = actor or default_actor()
    new = _check_label(new)
    with db.writer(study.engine, study.id) as connection:
        row, segs = _open(study, connection, document)
        _require_speaker(row, segs, old)
        text = row.text
        changes = []
        for i, x in enumerate(segs):
            if x.speaker == old and _opens(text, segs, i):
                a, b = _label_span(text, segs, i)
                changes.append((a, b, f"{new}: ", "replace"))
        moved, lost = _apply(connection, row, segs, changes, drop_lost=False)
        for x in segs:
            if x.speaker == old:
                x.speaker = new
        _write(connection, row.id, segs)
        if _interviewer(connection, row.id) == old:
            _set_variable(study, connection, row.id, "interviewer", new, "text", actor)
        study.log("transcript-speaker", {"document": row.id, "segments": "all",
                                         "codings_moved": moved}, actor, connection)
    return Change(row.id, moved, lost)


def relabel_segment(study: Study, document: int | str, position: int, speaker: str, *,
                    drop_lost: bool = False, actor: str | None = None) -> Change:
    """Give segment ``position`` to ``speaker``; it becomes a paragraph of its own (with
    that label), and a segment after it in the same paragraph keeps the old label."""
    from syrmak.study import default_actor

    actor = actor or default_actor()
    speaker = _check_label(speaker)
    with db.writer(study.engine, study.id) as connection:
        row, segs = _open(study, connection, document)
        seg = segs[_at(segs, position, row.name)]
        if seg.speaker == speaker:
            return Change(row.id, 0, ())
        text = row.text
        changes = []
        if _opens(text, segs, position):
            a, b = _label_span(text, segs, position)
            changes.append((a, b, f"{speaker}: ", "replace"))
        else:
            changes.append((segs[position - 1].end, seg.start, f"\n{speaker}: ", "replace"))
        if position + 1 < len(segs) and not _opens(text, segs, position + 1):
            after = segs[position + 1]
            label = f"{after.speaker}: " if after.speaker else ""
            changes.append((seg.end, after.start, f"\n{label}", "replace"))
        moved, lost = _apply(connection, row, segs, changes, drop_lost=drop_lost)
        seg.speaker = speaker
        _write(connection, row.id, segs)
        study.log("transcript-speaker", {"document": row.id, "segments": [position],
                                         "codings_moved": moved}, actor, connection)
    return Change(row.id, moved, lost)


def mark_interviewer(study: Study, document: int | str, speaker: str, *,
                     actor: str | None = None) -> None:
    """Mark which speaker is the interviewer (the ``interviewer`` document variable)."""
    from syrmak.qual.documents import _set_variable
    from syrmak.study import default_actor

    actor = actor or default_actor()
    with db.writer(study.engine, study.id) as connection:
        row, segs = _open(study, connection, document)
        _require_speaker(row, segs, speaker)
        _set_variable(study, connection, row.id, "interviewer", speaker, "text", actor)


def correction(study: Study, document: int | str, position: int, old: str,
               new: str) -> tuple[int, str, str]:
    """The document's id, its text, and its text with segment ``position``'s words
    ``old`` corrected to ``new`` (refused if the segment no longer reads ``old``)."""
    from syrmak.qual.documents import canonical

    view = transcript(study, document)
    line = next((x for x in view.lines if x.position == position), None)
    if line is None:
        raise SyrmakError(f"transcript '{view.name}' has no segment {position}.",
                          "reload the transcript.", code="unknown-segment", value=position)
    if canonical(old) != line.text:
        raise SyrmakError(f"segment {position} of '{view.name}' changed since you opened it.",
                          "reload it and make your correction again.",
                          code="edit-conflict", value=view.name)
    new = " ".join(canonical(new).split())
    if not new:
        raise SyrmakError("the corrected segment is empty.",
                          "merge it with a neighbour instead, or keep some words.",
                          code="bad-argument", value=position)
    return view.document_id, view.text, view.text[:line.start] + new + view.text[line.end:]


def correct(study: Study, document: int | str, position: int, old: str, new: str, *,
            drop_lost: bool = False, editor: str | None = None):
    """Correct the words of segment ``position`` (``old`` is what the editor started from:
    if the segment changed meanwhile, nothing is written). Goes through
    ``editing.edit_text``, so codings stay on their words and lost ones are reported."""
    from syrmak.interviews.editing import edit_text

    doc_id, base, text = correction(study, document, position, old, new)
    return edit_text(study, doc_id, text, editor=editor, drop_lost=drop_lost, base_text=base)


def _apply(connection, row, segs: list[_Seg], changes, *, drop_lost: bool):
    """Carry codings over ``changes`` and move the segments' offsets with them."""
    if not changes:
        return 0, ()
    remap = Remap.splices(row.text, changes)
    moved, _kept, lost = carry(connection, row.id, row.name, remap, drop_lost=drop_lost,
                               segments=False)
    for x in segs:
        x.start, x.end = remap.start(x.start), remap.end(x.end)
    return moved, lost


def _interviewer(connection: sa.Connection, doc_id: int) -> str | None:
    v = schema.document_variables
    return connection.execute(sa.select(v.c.value).where(
        v.c.document_id == doc_id, v.c.name == "interviewer")).scalar()
