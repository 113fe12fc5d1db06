"""Recordings made in code: a tone in wav, or the same encoded as AAC in an .m4a (PyAV)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


def tone(seconds: float = 2.0, rate: int = 16_000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray | None = None, rate: int = 16_000) -> Path:
    samples = tone() if samples is None else samples
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def write_m4a(path: Path, samples: np.ndarray | None = None, rate: int = 16_000) -> Path:
    """AAC in an .m4a, as Zoom saves recordings."""
    return write_container(path, tone() if samples is None else samples, "aac", rate)


def write_container(path: Path, samples: np.ndarray, codec: str, rate: int = 16_000,
                    video: bool = False) -> Path:
    """``samples`` encoded with ``codec`` in the container the file name's suffix says
    (mp3, m4a, mp4); ``video`` adds a small picture stream, as Zoom's .mp4 files have."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        picture = None
        if video:
            picture = container.add_stream("mpeg4", rate=5)
            picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt",
                                           layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        if picture is not None:
            grey = np.full((48, 64, 3), 128, dtype=np.uint8)
            for i in range(int(len(samples) / rate * 5)):
                image = av.VideoFrame.from_ndarray(grey, format="rgb24")
                image.pts = i
                for packet in picture.encode(image):
                    container.mux(packet)
            for packet in picture.encode(None):
                container.mux(packet)
    return path
