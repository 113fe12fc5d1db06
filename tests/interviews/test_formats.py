"""Zoom's and recorders' formats read through PyAV: mp3, m4a (AAC) and mp4 (AAC beside a
video stream), each made here by PyAV from a known signal and checked after decoding."""

from __future__ import annotations

import os

import numpy as np
import pytest

from syrmak.interviews.transcribe import SAMPLE_RATE, decode
from tests.interviews.audio import tone, write_container

if not os.environ.get("CI"):
    pytest.importorskip("av")
    pytest.importorskip("faster_whisper")


@pytest.mark.parametrize("suffix, codec, rate, video", [
    ("mp3", "libmp3lame", 44_100, False),
    ("m4a", "aac", 48_000, False),
    ("mp4", "aac", 32_000, True),
])
def test_formats_decode_to_the_same_sound(tmp_path, suffix, codec, rate, video):
    # 2 s of 440 Hz then 1 s of silence, at the file's own sampling rate.
    signal = np.concatenate([tone(2.0, rate), np.zeros(rate, dtype=np.float32)])
    path = write_container(tmp_path / f"call.{suffix}", signal, codec, rate, video)
    audio = decode(path.read_bytes(), path.name)
    assert abs(len(audio) / SAMPLE_RATE - 3.0) < 0.15  # encoder padding only
    # Start where the sound starts: encoders add a little silence (priming) in front.
    start = int(np.argmax(np.abs(audio) > 0.05))
    assert start < 0.1 * SAMPLE_RATE
    second = audio[start:start + SAMPLE_RATE]
    spectrum = np.abs(np.fft.rfft(second))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / len(second) - 440) <= 2
    assert 0.1 < np.sqrt(np.mean(second ** 2)) < 0.2  # 0.2 amplitude sine: rms 0.141
    assert np.sqrt(np.mean(audio[-SAMPLE_RATE // 2:] ** 2)) < 0.01
