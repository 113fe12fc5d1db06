"""The in-process transcription (a laptop) is recorded as a job with its progress, as a
worker's is, so the workspace lists both; bad input still writes nothing."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.interviews import jobs as job_module
from syrmak.interviews.jobs import jobs, transcribe_here
from syrmak.store import schema
from tests.interviews.audio import tone, write_wav
from tests.interviews.test_transcribe import Fake

if not os.environ.get("CI"):
    pytest.importorskip("faster_whisper")


class Watching(Fake):
    """Reads the job row between its progress steps, as the workspace's poll would."""

    def __init__(self, study):
        super().__init__(pieces=((0.0, 1.0, "Здравствуйте."), (1.5, 2.5, "Расскажите."),
                                 (3.0, 3.9, "Спасибо.")))
        self.study, self.seen = study, []

    def transcribe(self, audio, language, progress):
        for piece in self.pieces:
            progress(piece.end)
            self.seen.append([(j.status, j.done_seconds) for j in jobs(self.study)])
        return list(self.pieces)


def test_progress_is_stored_while_the_model_runs(surveyed, tmp_path, monkeypatch):
    monkeypatch.setattr(job_module, "PROGRESS_EVERY", 0.0)
    engine = Watching(surveyed)
    echoed = []
    result = transcribe_here(surveyed, [write_wav(tmp_path / "a.wav", tone(4.0))],
                             engine=engine, progress=lambda d, t: echoed.append(d))
    assert [s[0] for s in engine.seen] == [("running", 1.0), ("running", 2.5),
                                            ("running", 3.9)]
    (done,) = jobs(surveyed)
    assert done.status == "done" and done.document_id == result.document_id
    assert done.total_seconds == pytest.approx(4.0) and done.fraction == pytest.approx(1.0)
    assert echoed == [1.0, 2.5, 3.9, 4.0]  # the model's steps, then the whole


def test_progress_writes_are_throttled(surveyed, tmp_path, monkeypatch):
    monkeypatch.setattr(job_module, "PROGRESS_EVERY", 3600.0)
    engine = Watching(surveyed)
    transcribe_here(surveyed, [write_wav(tmp_path / "a.wav", tone(4.0))], engine=engine)
    # the first step is written, the next ones wait for the interval
    assert [s[0][1] for s in engine.seen] == [1.0, 1.0, 1.0]


def test_bad_input_writes_no_job(surveyed, tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    with pytest.raises(SyrmakError):
        transcribe_here(surveyed, [bad], engine=Fake())
    assert jobs(surveyed) == ()


def test_a_failure_while_the_model_runs_marks_the_job_failed(surveyed, tmp_path):
    with pytest.raises(SyrmakError) as caught:
        transcribe_here(surveyed, [write_wav(tmp_path / "a.wav")], engine=Fake(pieces=()))
    (failed,) = jobs(surveyed)
    assert failed.status == "failed" and failed.error == str(caught.value)
    with surveyed.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count())
                                  .select_from(schema.documents)).scalar() == 0
