"""Transcription as a background job on a team store.

On a laptop (SQLite) ``syrmak transcribe`` runs in-process with a progress bar. On a team
store (PostgreSQL) ``submit_transcription`` checks and decodes the recordings, seals them
into the store (the public key is enough), records a job and defers it to a
PostgreSQL-backed queue (procrastinate); ``syrmak worker DIR`` on any machine that reaches
the database, with the vault key, takes the jobs: it decrypts the recordings in memory, runs
the model and stores the transcript. A team adds a machine with a GPU by starting a worker
there; nothing else changes. Progress is in the ``jobs`` table for the CLI and the
workspace.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema

if TYPE_CHECKING:
    from syrmak.store.vault import Identity
    from syrmak.study import Study

QUEUE = "syrmak"
TASK = "syrmak.transcribe"


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    status: str
    done_seconds: float
    total_seconds: float
    document_id: int | None
    error: str | None
    worker: str | None

    @property
    def fraction(self) -> float:
        return self.done_seconds / self.total_seconds if self.total_seconds else 0.0


def _require_team_store(study: Study) -> None:
    if study.engine.dialect.name != "postgresql":
        raise SyrmakError("background jobs need a team store (PostgreSQL).",
                          "on a laptop, 'syrmak transcribe' runs the job in this process.",
                          code="jobs-need-postgresql")


def _conninfo(study: Study) -> str:
    """The libpq connection string of the study's store (procrastinate speaks psycopg)."""
    url = study.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def queue_app(study: Study):
    """The procrastinate app over the study's database, its schema applied once."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=_conninfo(study)))
    with study.engine.begin() as connection:
        # procrastinate's tables live beside syrmak's, in the store's schema; apply its
        # schema the first time, under the store's write lock so two clients cannot race.
        exists = connection.execute(sa.text(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar()
    if not exists:
        with db.writer(study.engine, study.id) as connection:
            if not connection.execute(sa.text(
                    "SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar():
                # Through the driver's cursor without parameters: the schema's SQL holds
                # '%' signs that a parameterised execute would take for placeholders.
                with connection.connection.dbapi_connection.cursor() as cursor:
                    cursor.execute(app.schema_manager.get_schema())
    return app


def submit_transcription(study: Study, recordings: Sequence[str | Path], *,
                         respondent: int | None = None, language: str = "ru",
                         speakers: Sequence[str] = (), interviewer: str | None = None,
                         name: str | None = None, languages: Sequence[str] | None = None,
                         actor: str | None = None, count: int = 1,
                         prompt: str | None = None) -> Job:
    """Check, seal and queue a transcription; a worker does the rest. Bad input queues
    nothing."""
    from syrmak.interviews.transcribe import WhisperEngine, prepare, seal_recordings
    from syrmak.study import default_actor

    _require_team_store(study)
    prepared = prepare(study, recordings, respondent=respondent, language=language,
                       speakers=speakers, interviewer=interviewer, name=name,
                       languages=languages or WhisperEngine().languages(), count=count)
    d = schema.documents
    actor = actor or default_actor()
    app = queue_app(study)
    with db.writer(study.engine, study.id) as connection:
        if connection.execute(sa.select(d.c.id).where(d.c.name == prepared.name)).first():
            raise SyrmakError(f"a document named '{prepared.name}' already exists.",
                              "choose another --name.", code="duplicate-document",
                              value=prepared.name)
        ids = seal_recordings(study, connection, prepared, None, actor)
        options = {"recordings": ids, "speakers": list(prepared.speakers),
                   "respondent": prepared.respondent, "language": prepared.language,
                   "interviewer": prepared.interviewer, "name": prepared.name,
                   "count": prepared.count, "prompt": prompt}
        total = sum(len(a) for _, _, a in prepared.tracks) / 16_000
        job_id = connection.execute(sa.insert(schema.jobs).returning(schema.jobs.c.id), {
            "kind": "transcribe", "status": "queued",
            "options": json.dumps(options, ensure_ascii=False), "total_seconds": total,
            "created_by": actor, "created_at": datetime.now(UTC)}).scalar_one()
        study.log("job-submit", {"job": job_id, "kind": "transcribe", "recordings": ids},
                  actor, connection)
    with app.open():
        app.configure_task(TASK, queue=QUEUE).defer(study_id=study.id, job_id=job_id)
    return job(study, job_id)


def job(study: Study, job_id: int) -> Job:
    j = schema.jobs
    with study.engine.connect() as connection:
        row = connection.execute(sa.select(
            j.c.id, j.c.kind, j.c.status, j.c.done_seconds, j.c.total_seconds,
            j.c.document_id, j.c.error, j.c.worker).where(j.c.id == job_id)).first()
    if row is None:
        raise SyrmakError(f"there is no job {job_id}.", "list them with 'syrmak jobs DIR'.",
                          code="unknown-job", value=job_id)
    return Job(*row)


def jobs(study: Study) -> tuple[Job, ...]:
    j = schema.jobs
    with study.engine.connect() as connection:
        ids = connection.execute(sa.select(j.c.id).order_by(j.c.id)).scalars().all()
    return tuple(job(study, i) for i in ids)


#: Seconds between two progress writes: often enough for a page polling every two
#: seconds, rare enough to cost nothing beside the model.
PROGRESS_EVERY = 1.0


class _Progress:
    """Writes a job's progress to the ``jobs`` table, at most every ``PROGRESS_EVERY``
    seconds (and always the last step), then passes it on to ``echo``."""

    def __init__(self, study: Study, job_id: int | None, echo=None, start=None):
        self.study, self.job_id, self.echo, self.start = study, job_id, echo, start
        self.written = float("-inf")  # the first step is always written

    def __call__(self, done: float, total: float) -> None:
        import time

        if self.job_id is None and self.start is not None:
            self.job_id = self.start(total)
        now = time.monotonic()
        if self.job_id is not None and (now - self.written >= PROGRESS_EVERY
                                        or (total and done >= total)):
            self.written = now
            with self.study.engine.begin() as connection:
                connection.execute(sa.update(schema.jobs)
                                   .where(schema.jobs.c.id == self.job_id)
                                   .values(done_seconds=done, total_seconds=total))
        if self.echo is not None:
            self.echo(done, total)


def transcribe_here(study: Study, recordings: Sequence[str | Path], *, progress=None,
                    actor: str | None = None, **options):
    """``transcribe.transcribe`` in this process (a laptop), recorded as a job so that the
    workspace shows its progress like a worker's. The job row is written once the model
    starts (the first progress step): input refused before that writes nothing."""
    from syrmak.interviews.transcribe import transcribe
    from syrmak.study import default_actor

    actor = actor or default_actor()

    def start(total: float) -> int:
        with study.engine.begin() as connection:
            return connection.execute(sa.insert(schema.jobs).returning(schema.jobs.c.id), {
                "kind": "transcribe", "status": "running",
                "options": json.dumps({"recordings": [Path(p).name for p in recordings]},
                                      ensure_ascii=False),
                "total_seconds": total, "worker": socket.gethostname()[:255],
                "created_by": actor, "created_at": datetime.now(UTC)}).scalar_one()

    tracker = _Progress(study, None, progress, start)
    try:
        result = transcribe(study, recordings, progress=tracker, actor=actor, **options)
    except Exception as exc:
        if tracker.job_id is not None:
            with study.engine.begin() as connection:
                connection.execute(sa.update(schema.jobs)
                                   .where(schema.jobs.c.id == tracker.job_id).values(
                    status="failed", finished_at=datetime.now(UTC),
                    error=str(exc) if isinstance(exc, SyrmakError) else type(exc).__name__))
        raise
    if tracker.job_id is not None:
        with study.engine.begin() as connection:
            connection.execute(sa.update(schema.jobs).where(schema.jobs.c.id == tracker.job_id)
                               .values(status="done", document_id=result.document_id,
                                       done_seconds=result.duration,
                                       finished_at=datetime.now(UTC)))
    return result


def run_job(study: Study, job_id: int, identity: Identity, engine=None,
            worker: str | None = None) -> Job:
    """Do one queued transcription: decrypt its recordings in memory, recognise, store."""
    from syrmak.interviews.transcribe import (
        Prepared,
        WhisperEngine,
        decode,
        prompt_for,
        recognise,
        recording_audio,
        store_transcript,
    )

    j, rec = schema.jobs, schema.recordings
    worker = worker or socket.gethostname()
    with db.writer(study.engine, study.id) as connection:
        row = connection.execute(sa.select(j.c.status, j.c.options, j.c.created_by)
                                 .where(j.c.id == job_id)).first()
        if row is None or row.status != "queued":
            return job(study, job_id) if row else None
        connection.execute(sa.update(j).where(j.c.id == job_id)
                           .values(status="running", worker=worker[:255]))
    options = json.loads(row.options)

    progress = _Progress(study, job_id)

    try:
        tracks = []
        for rid in options["recordings"]:
            data = recording_audio(study, rid, identity, actor=f"worker:{worker}")
            with study.engine.connect() as connection:
                file_name = connection.execute(sa.select(rec.c.name)
                                               .where(rec.c.id == rid)).scalar_one()
            tracks.append((file_name, data, decode(data, file_name)))
        prepared = Prepared(tuple(tracks), tuple(options["speakers"]), options["respondent"],
                            options["language"], options["interviewer"], options["name"],
                            options.get("count", 1))
        diarizer = None
        if prepared.count > 1:
            from syrmak.interviews.diarize import SenkoDiarizer, available

            diarizer = SenkoDiarizer() if available() else None
        found = recognise(prepared, engine or WhisperEngine(
            prompt=prompt_for(study, options.get("prompt"))), progress, diarizer)
        parsed = found.parsed
        with db.writer(study.engine, study.id) as connection:
            doc_id = store_transcript(study, connection, prepared, parsed, row.created_by,
                                      found.interviewer)
            connection.execute(sa.update(rec).where(rec.c.id.in_(options["recordings"]))
                               .values(document_id=doc_id))
            connection.execute(sa.update(j).where(j.c.id == job_id).values(
                status="done", document_id=doc_id, finished_at=datetime.now(UTC)))
            study.log("transcribe", {"document": doc_id, "job": job_id,
                                     "recordings": options["recordings"],
                                     "segments": len(parsed.segments)},
                      f"worker:{worker}", connection)
    except SyrmakError as exc:
        with study.engine.begin() as connection:
            connection.execute(sa.update(j).where(j.c.id == job_id).values(
                status="failed", error=str(exc), finished_at=datetime.now(UTC)))
    return job(study, job_id)


def work(study: Study, identity: Identity, *, once: bool = False, engine=None) -> None:
    """Take transcription jobs from the queue (until it is empty, with ``once``)."""
    _require_team_store(study)
    app = queue_app(study)

    @app.task(name=TASK, queue=QUEUE)
    def transcribe_task(study_id: str, job_id: int) -> None:
        if study_id != study.id:
            raise SyrmakError("a job of another study reached this worker.",
                              "start one worker per study store.", code="foreign-job")
        run_job(study, job_id, identity, engine=engine)

    app.run_worker(queues=[QUEUE], wait=not once, install_signal_handlers=not once,
                   listen_notify=not once)
