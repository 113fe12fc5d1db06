"""The transcript editor and the jobs panel of the workspace: each act checks the role
first, then calls the library (``interviews.segments``, ``interviews.jobs``).

Playing a recording decrypts it in memory with the vault key the server was started with
(``syrmak serve --unlock``); each decryption is a sensitive act in the audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.interviews import segments
from syrmak.store import schema
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.store.vault import Identity
    from syrmak.study import Study

#: Content types of the recordings ``syrmak transcribe`` reads, by file extension.
AUDIO_TYPES = {".m4a": "audio/mp4", ".mp4": "audio/mp4", ".aac": "audio/aac",
               ".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
               ".oga": "audio/ogg", ".opus": "audio/ogg", ".webm": "audio/webm",
               ".flac": "audio/flac"}


@dataclass(frozen=True)
class TranscriptItem:
    name: str
    segments: int
    speakers: int
    recordings: int


@dataclass(frozen=True)
class JobRow:
    id: int
    status: str
    fraction: float
    done_seconds: float
    total_seconds: float
    document: str | None
    files: tuple[str, ...]
    worker: str | None
    error: str | None
    created_by: str


def transcripts(study: Study, who: Researcher) -> tuple[TranscriptItem, ...]:
    """Documents with timed or attributed segments, the ones the editor opens."""
    require(who, "read")
    d, s, rec = schema.documents, schema.document_segments, schema.recordings
    counts = (sa.select(s.c.document_id, sa.func.count().label("n"),
                        sa.func.count(sa.distinct(s.c.speaker)).label("speakers"))
              .group_by(s.c.document_id).subquery())
    tracks = (sa.select(rec.c.document_id, sa.func.count().label("n"))
              .group_by(rec.c.document_id).subquery())
    with study.engine.connect() as connection:
        rows = connection.execute(
            sa.select(d.c.name, counts.c.n, counts.c.speakers, tracks.c.n)
            .join(counts, counts.c.document_id == d.c.id)
            .outerjoin(tracks, tracks.c.document_id == d.c.id).order_by(d.c.id)).all()
    return tuple(TranscriptItem(r[0], int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in rows)


def jobs(study: Study, who: Researcher) -> tuple[JobRow, ...]:
    """The transcription jobs, newest first, with their progress."""
    from syrmak.interviews.jobs import jobs as all_jobs

    require(who, "read")
    found = all_jobs(study)
    j, d = schema.jobs, schema.documents
    with study.engine.connect() as connection:
        extra = {r.id: r for r in connection.execute(
            sa.select(j.c.id, j.c.options, j.c.created_by, d.c.name)
            .outerjoin(d, d.c.id == j.c.document_id))}
    rows = []
    for job in reversed(found):
        options = json.loads(extra[job.id].options or "{}")
        files = options.get("recordings", [])
        rows.append(JobRow(job.id, job.status, min(job.fraction, 1.0), job.done_seconds,
                           job.total_seconds, extra[job.id].name,
                           tuple(f"recording {f}" if isinstance(f, int) else str(f)
                                 for f in files),
                           job.worker, job.error, extra[job.id].created_by))
    return tuple(rows)


def transcript(study: Study, who: Researcher, name: str) -> segments.Transcript:
    require(who, "read")
    return segments.transcript(study, name)


def correct(study: Study, who: Researcher, name: str, position: int, old: str, new: str,
            drop_lost: bool):
    from syrmak.interviews.editing import preview

    require(who, "transcript")
    if drop_lost:
        # Deleting another coder's coding is an owner's act, as uncoding it is.
        _doc, _base, text = segments.correction(study, name, position, old, new)
        if any(x.coder not in (None, who.name) for x in preview(study, name, text)):
            require(who, "uncode-others")
    return segments.correct(study, name, position, old, new, drop_lost=drop_lost,
                            editor=who.name)


def split(study: Study, who: Researcher, name: str, position: int, at: int,
          at_ms: int | None) -> segments.Change:
    require(who, "transcript")
    return segments.split(study, name, position, at, at_ms=at_ms, actor=who.name)


def merge(study: Study, who: Researcher, name: str, position: int,
          drop_lost: bool) -> segments.Change:
    require(who, "transcript")
    return segments.merge(study, name, position, drop_lost=drop_lost, actor=who.name)


def speaker(study: Study, who: Researcher, name: str, old: str, new: str,
            position: int | None) -> segments.Change:
    require(who, "transcript")
    if position is None:
        return segments.rename_speaker(study, name, old, new, actor=who.name)
    return segments.relabel_segment(study, name, position, new, actor=who.name)


def interviewer(study: Study, who: Researcher, name: str, speaker_name: str) -> None:
    require(who, "transcript")
    segments.mark_interviewer(study, name, speaker_name, actor=who.name)


def audio(study: Study, who: Researcher, name: str, recording: int,
          identity: Identity | None) -> tuple[bytes, str]:
    """A recording of transcript ``name``, decrypted in memory, and its content type."""
    from pathlib import PurePath

    from syrmak.interviews.transcribe import recording_audio

    require(who, "read")
    if identity is None:
        raise SyrmakError("the recording cannot be played: the workspace was started "
                          "without the vault key.",
                          "start it with 'syrmak serve DIR --unlock' (the key file, keyring "
                          "or SYRMAK_PASSPHRASE) to play recordings.", code="vault-locked")
    view = segments.transcript(study, name)
    found = next((r for r in view.recordings if r.id == recording), None)
    if found is None:
        raise SyrmakError(f"transcript '{view.name}' has no recording {recording}.",
                          "reload the transcript.", code="unknown-recording", value=recording)
    data = recording_audio(study, recording, identity, actor=who.name)
    study.log("recording-play", {"recording": recording, "document": view.document_id},
              who.name)
    return data, AUDIO_TYPES.get(PurePath(found.name).suffix.lower(), "application/octet-stream")
