"""Transcription into a timed transcript, recordings sealed at rest, bad input, withdrawal.

The speech model is replaced by a fake here (test_whisper.py runs the real one): what is
tested is everything syrmak does around it.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.interviews.transcribe import Piece, list_recordings, recording_audio, transcribe
from syrmak.qual.documents import document_variables, get_document
from syrmak.store import schema
from tests.interviews.audio import write_m4a, write_wav

# Decoding needs the transcribe extra (PyAV, faster-whisper); a laptop without it skips,
# CI (whose .[test] pulls it in) must run these.
if not os.environ.get("CI"):
    pytest.importorskip("faster_whisper")


class Fake:
    """Says the same words for every track, at the times given."""

    def __init__(self, pieces=((0.0, 0.8, "Здравствуйте."), (1.0, 1.9, "Расскажите о работе."))):
        self.pieces = [Piece(*p) for p in pieces]
        self.calls = 0

    def languages(self):
        return ("ru", "en", "kk")

    def transcribe(self, audio, language, progress):
        self.calls += 1
        for piece in self.pieces:
            progress(piece.end)
        return list(self.pieces)


def _counts(study):
    with study.engine.connect() as connection:
        return tuple(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                     for t in (schema.documents, schema.recordings))


@pytest.mark.parametrize("writer", [write_wav, write_m4a])
def test_recording_becomes_a_timed_transcript_and_a_sealed_recording(surveyed, tmp_path, writer):
    path = writer(tmp_path / f"interview{'.wav' if writer is write_wav else '.m4a'}")
    seen = []
    result = transcribe(surveyed, [path], respondent=2, engine=Fake(),
                        progress=lambda done, total: seen.append((done, total)))
    doc = get_document(surveyed, result.document_id)
    assert doc.text == "Speaker 1: Здравствуйте. Расскажите о работе."
    assert [(s.start_ms, s.end_ms, s.speaker, doc.text[s.start:s.end]) for s in doc.segments] == [
        (0, 800, "Speaker 1", "Здравствуйте."), (1000, 1900, "Speaker 1", "Расскажите о работе.")]
    assert seen[-1][0] == pytest.approx(seen[-1][1], abs=0.1)
    (rec,) = list_recordings(surveyed)
    assert (rec.respondent, rec.document, rec.size) == (2, doc.name, path.stat().st_size)
    assert 1900 <= rec.duration_ms <= 2200
    # sealed at rest: the stored bytes are age, not the file; the key gives the file back
    with surveyed.engine.connect() as connection:
        sealed = connection.execute(sa.select(schema.recordings.c.sealed)).scalar()
    assert sealed.startswith(b"age-encryption.org/v1") and path.read_bytes()[:64] not in sealed
    assert recording_audio(surveyed, rec.id, surveyed.unlock()) == path.read_bytes()


@pytest.mark.store("sqlite")  # the SQLite study folder is what is searched here
def test_recording_is_not_readable_in_the_study_folder(surveyed, tmp_path):
    noise = os.urandom(4000)
    path = tmp_path / "a.wav"
    write_wav(path)
    path.write_bytes(path.read_bytes() + noise)  # a distinctive tail to search for
    transcribe(surveyed, [path], engine=Fake())
    surveyed.engine.dispose()
    stored = b"".join(p.read_bytes() for p in surveyed.folder.rglob("*") if p.is_file())
    assert noise[:32] not in stored and noise[-32:] not in stored


def test_one_track_per_speaker_gives_exact_turns(surveyed, tmp_path):
    a, b = write_wav(tmp_path / "host.wav"), write_wav(tmp_path / "guest.wav")

    class Tracks(Fake):
        def transcribe(self, audio, language, progress):
            self.calls += 1
            return [Piece(0.0, 0.5, "Вопрос?")] if self.calls == 1 else [
                Piece(0.6, 1.5, "Ответ."), Piece(1.6, 1.9, "Ещё.")]

    result = transcribe(surveyed, [a, b], speakers=["Interviewer", "Respondent 2"],
                        interviewer="Interviewer", respondent=2, engine=Tracks())
    doc = get_document(surveyed, result.document_id)
    assert doc.text == "Interviewer: Вопрос?\nRespondent 2: Ответ. Ещё."
    assert [s.speaker for s in doc.segments] == ["Interviewer", "Respondent 2", "Respondent 2"]
    assert len(result.recordings) == 2
    assert document_variables(surveyed).loc[doc.name, "interviewer"] == "Interviewer"


def _bad_files(tmp_path):
    text = tmp_path / "notes.m4a"
    text.write_text("это не запись", encoding="utf-8")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    cut = write_m4a(tmp_path / "cut.m4a")
    cut.write_bytes(cut.read_bytes()[:200])
    silent = write_wav(tmp_path / "header-only.wav", samples=np.zeros(0, dtype="float32"))
    return {"text": text, "empty": empty, "cut": cut, "silent": silent,
            "missing": tmp_path / "nope.wav"}


@pytest.mark.parametrize(("bad", "code"), [
    ("text", "recording-unreadable"), ("empty", "recording-empty"),
    ("cut", "recording-unreadable"), ("silent", "recording-empty"),
    ("missing", "recording-missing")])
def test_bad_recording_writes_nothing(surveyed, tmp_path, bad, code):
    engine = Fake()
    with pytest.raises(SyrmakError) as caught:
        transcribe(surveyed, [_bad_files(tmp_path)[bad]], engine=engine)
    assert caught.value.code == code
    assert engine.calls == 0
    assert _counts(surveyed) == (0, 0)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"language": "xx"}, "unknown-language"),
    ({"respondent": 99}, "unknown-respondent"),
    ({"respondent": 1}, "withdrawn-respondent"),
    ({"speakers": ["a", "b"]}, "bad-argument"),
    ({"interviewer": "Anna"}, "bad-argument"),
])
def test_bad_arguments_write_nothing(surveyed, tmp_path, kwargs, code):
    surveyed.withdraw(1)
    engine = Fake()
    with pytest.raises(SyrmakError) as caught:
        transcribe(surveyed, [write_wav(tmp_path / "a.wav")], engine=engine, **kwargs)
    assert caught.value.code == code
    assert engine.calls == 0
    assert _counts(surveyed) == (0, 0)


def test_nothing_recognised_writes_nothing(surveyed, tmp_path):
    with pytest.raises(SyrmakError) as caught:
        transcribe(surveyed, [write_wav(tmp_path / "a.wav")], engine=Fake(pieces=()))
    assert caught.value.code == "recording-silent"
    assert _counts(surveyed) == (0, 0)


def test_duplicate_name_stores_no_recording(surveyed, tmp_path):
    transcribe(surveyed, [write_wav(tmp_path / "a.wav")], name="iv", engine=Fake())
    with pytest.raises(SyrmakError):
        transcribe(surveyed, [write_wav(tmp_path / "b.wav")], name="iv", engine=Fake())
    assert _counts(surveyed) == (1, 1)


def test_withdrawal_deletes_recordings(surveyed, tmp_path):
    transcribe(surveyed, [write_wav(tmp_path / "a.wav")], respondent=3, engine=Fake())
    transcribe(surveyed, [write_wav(tmp_path / "b.wav")], respondent=4, engine=Fake())
    surveyed.withdraw(3)
    assert [r.respondent for r in list_recordings(surveyed)] == [4]


def test_opening_a_recording_is_logged(surveyed, tmp_path):
    transcribe(surveyed, [write_wav(tmp_path / "a.wav")], engine=Fake())
    (rec,) = list_recordings(surveyed)
    recording_audio(surveyed, rec.id, surveyed.unlock())
    e = schema.events
    with surveyed.engine.connect() as connection:
        actions = list(connection.execute(sa.select(e.c.action)).scalars())
    assert "recording-open" in actions
    with pytest.raises(SyrmakError) as caught:
        recording_audio(surveyed, 999, surveyed.unlock())
    assert caught.value.code == "unknown-recording"
