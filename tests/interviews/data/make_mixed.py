"""Makes mixed.m4a: one track, two synthetic voices, four turns (needs Debian's festival
and festvox-ru; run from the repository root with the venv's python).

The interviewer is festvox-ru's msu_ru_nsh voice; the respondent is the same voice played
15% lower and slower (benchmarks/bench_transcribe.py's second voice). No real person.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from benchmarks.bench_transcribe import RATE, speak, voice  # noqa: E402
from tests.interviews.audio import write_m4a  # noqa: E402

TURNS = [
    "Расскажите, пожалуйста, как изменилась ваша работа во время пандемии.",
    "Мы перешли в онлайн. Было трудно, но мы помогали друг другу.",
    "Кто вам помогал больше всего?",
    "Волонтеры из соседних городов и наши старые партнеры.",
]

if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp())
    pieces = []
    for i, text in enumerate(TURNS):
        pieces += [voice(speak(text, folder, i), i % 2), np.zeros(RATE // 2, np.float32)]
    write_m4a(Path(__file__).with_name("mixed.m4a"), np.concatenate(pieces))
