"""Offline transcription: word error rate, real-time factor, syrmak against faster-whisper.

    .venv/bin/pip install -e ".[transcribe]" jiwer num2words
    apt-get install festival festvox-ru espeak-ng
    .venv/bin/python benchmarks/bench_transcribe.py [--keep DIR]

Russian interview-like texts written for this benchmark are spoken by two voices in turn
(Festival's festvox-ru voice msu_ru_nsh, and espeak-ng's Russian voice: Debian ships one
Russian Festival voice only), joined into one mono track and written as AAC in an .m4a, as
Zoom saves recordings. Then, each in its own subprocess so that peak memory is its own:

* the floor: faster-whisper alone (the same bundled model, int8, 2 threads, VAD, word
  timestamps, beam 5) from loading the model to the text;
* syrmak: the whole ``syrmak transcribe`` command into a fresh study (start-up, decoding,
  the model, sealing the recording, storing the transcript).

WER is scored with jiwer after normalising both sides (lower case, ё as е, punctuation
dropped, numbers written as Russian words with num2words).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXTS = [
    "Здравствуйте. Спасибо, что согласились поговорить с нами. Расскажите, пожалуйста, "
    "чем занимается ваша организация и как давно вы работаете.",
    "Мы работаем с женщинами, которые пострадали от насилия. Наша организация существует "
    "уже много лет, и у нас небольшая команда из шести человек.",
    "Как изменилась ваша работа, когда началась пандемия и ввели карантин?",
    "Сначала было очень трудно. Мы не могли встречаться с людьми, все консультации пришлось "
    "перевести в онлайн. Многие наши подопечные живут в селах, где плохой интернет.",
    "С какими трудностями вы столкнулись в отношениях с государственными органами?",
    "Чиновники перестали отвечать на письма. Нам говорили, что все решения принимаются в "
    "штабе, и никто не брал на себя ответственность. Это очень мешало работе.",
    "Что помогало вам и вашим коллегам справляться с выгоранием и стрессом?",
    "Мы старались поддерживать друг друга. Каждую неделю созванивались просто чтобы "
    "поговорить, не о работе. Некоторым помогали консультации психолога.",
    "Какие социальные сети и приложения были для вас самыми полезными?",
    "Больше всего помогали Телеграм и Инстаграм. Через них мы собирали помощь и "
    "рассказывали людям о своих правах во время чрезвычайного положения.",
    "Изменилось ли отношение общества к гражданским активистам за время пандемии?",
    "Я думаю, что люди увидели, что активисты могут реально помочь. Волонтеры развозили "
    "продукты и лекарства, и об этом писали в новостях. Доверия стало больше.",
    "Спасибо большое за ваши ответы. Хотите ли вы что-нибудь добавить?",
    "Хочу сказать, что нам очень не хватает устойчивого финансирования. Гранты короткие, "
    "и каждый год приходится начинать сначала. Но мы продолжаем работать.",
]
RATE = 16_000


def speak(text: str, voice: int, folder: Path, i: int) -> Path:
    out = folder / f"{i:02d}.wav"
    if voice == 0:
        src = folder / f"{i:02d}.txt"
        src.write_text(text, encoding="utf-8")
        subprocess.run(["text2wave", "-eval", "(voice_msu_ru_nsh_clunits)", str(src), "-o",
                        str(out)], check=True, capture_output=True)
    else:
        subprocess.run(["espeak-ng", "-v", "ru", "-s", "150", "-w", str(out), text],
                       check=True, capture_output=True)
    return out


def make_recording(folder: Path) -> tuple[Path, str, float]:
    import numpy as np
    from faster_whisper.audio import decode_audio

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.interviews.audio import write_m4a

    pieces = []
    for i, text in enumerate(TEXTS):
        pieces.append(decode_audio(str(speak(text, i % 2, folder, i)), sampling_rate=RATE))
        pieces.append(np.zeros(RATE // 2, dtype=np.float32))
    audio = np.concatenate(pieces)
    path = write_m4a(folder / "interview.m4a", audio)
    return path, " ".join(TEXTS), len(audio) / RATE


FLOOR = r"""
import json, resource, sys, time
from faster_whisper import WhisperModel
from syrmak.interviews.model import model_dir
model = WhisperModel(str(model_dir()), device="cpu", compute_type="int8", cpu_threads=2)
segments, _ = model.transcribe(sys.argv[1], language="ru", vad_filter=True,
                               word_timestamps=True, beam_size=5)
text = " ".join(s.text.strip() for s in segments)
print(json.dumps({"text": text,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_floor(path: Path) -> dict:
    # Timed from outside, like syrmak's command: interpreter start, imports, model, text.
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", FLOOR, str(path)], check=True,
                         capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - t
    return result


def per_voice(folder: Path) -> dict[str, float]:
    """WER of each voice alone (each text transcribed on its own, by the floor's settings)."""
    import jiwer
    from faster_whisper import WhisperModel

    from syrmak.interviews.model import model_dir

    model = WhisperModel(str(model_dir()), device="cpu", compute_type="int8", cpu_threads=2)
    out = {}
    for voice, label in ((0, "festvox-ru msu_ru_nsh"), (1, "espeak-ng ru")):
        refs, hyps = [], []
        for i, text in enumerate(TEXTS):
            if i % 2 == voice:
                segments, _ = model.transcribe(str(folder / f"{i:02d}.wav"), language="ru",
                                               vad_filter=True, beam_size=5)
                refs.append(normalise(text))
                hyps.append(normalise(" ".join(s.text for s in segments)))
        out[label] = jiwer.wer(refs, hyps)
    return out


def run_syrmak(path: Path, folder: Path) -> dict:
    import os

    env = dict(os.environ, SYRMAK_KEY_DIR=str(folder / "keys"),
               SYRMAK_IDENTITY_FILE=str(folder / "keys"))
    syrmak = str(Path(sys.executable).with_name("syrmak"))
    folder.mkdir(parents=True, exist_ok=True)
    study = folder / "study"
    subprocess.run([syrmak, "init", str(study), "--identity-file", str(folder / "keys")],
                   check=True, capture_output=True, env=env)
    # A fresh wrapper process per run, so that its children's peak memory is this run's.
    wrapper = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
               "capture_output=True); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", wrapper, syrmak, "transcribe", str(study),
                          str(path), "--language", "ru", "--name", "bench"], check=True,
                         capture_output=True, text=True, env=env).stdout
    seconds = time.perf_counter() - t
    peak = int(out.strip().splitlines()[-1])
    from syrmak.qual.documents import get_document
    from syrmak.study import Study

    with Study.open(study) as s:
        text = get_document(s, "bench").text
    text = re.sub(r"^Speaker 1: ", "", text)
    return {"seconds": seconds, "text": text, "peak_mb": peak / 1024}


def normalise(text: str) -> str:
    from num2words import num2words

    text = text.lower().replace("ё", "е")
    text = re.sub(r"\d+", lambda m: " " + num2words(int(m.group()), lang="ru") + " ", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def main() -> None:
    import jiwer

    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="keep the recording and study here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-transcribe-"))
    folder.mkdir(parents=True, exist_ok=True)
    path, reference, duration = make_recording(folder)
    print(f"recording: {duration:.1f} s, {path.stat().st_size / 1e6:.2f} MB m4a, "
          f"{len(reference.split())} words, two voices")
    # Alternate the two, best of two each: the machine's two cores are shared.
    floors, ourses = [], []
    for round_ in range(2):
        floors.append(run_floor(path))
        ourses.append(run_syrmak(path, folder / f"run{round_}"))
    floor = min(floors, key=lambda r: r["seconds"])
    ours = min(ourses, key=lambda r: r["seconds"])
    for name, result in (("faster-whisper alone", floor), ("syrmak transcribe", ours)):
        wer = jiwer.wer(normalise(reference), normalise(result["text"]))
        print(f"{name:22s} {result['seconds']:7.1f} s  RTF {result['seconds'] / duration:.3f}"
              f"  WER {wer:.3f}  peak {result['peak_mb']:.0f} MB")
    print(f"ratio syrmak / floor: {ours['seconds'] / floor['seconds']:.2f}")
    for label, wer in per_voice(folder).items():
        print(f"WER of {label} alone: {wer:.3f}")


if __name__ == "__main__":
    main()
