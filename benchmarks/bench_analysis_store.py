"""Analyses read from the study store, on a generated 1,000,000-respondent study.

    python benchmarks/bench_analysis_store.py [--respondents 1000000] [--repeat 3]

The study is written straight through the store layer (``store.answers.write_batch``),
since this measures reading and analysing, not importing (bench_import.py does that).
Times, best of ``--repeat``, a fresh ``Study.open`` each time:

- crosstab of two single-answer questions: ``study.responses(questions=[a, b])`` + ``crosstab``
- a 20-option multiple-response table: ``study.responses(questions=[m])`` + ``multiple_response``

and, in the same run, the same analyses on the in-memory frame and the pandas floor.
Target: from the store under 5 s; from the frame within 1.5x of the floor.

Then the command itself, ``syrmak crosstab STUDY a b``, as a fresh process (best of
``--repeat``): wall time and peak resident memory (issue 11: under 3 s and 1 GB at 1M),
beside the floor of a process that only imports what it needs (Python, pandas, SQLAlchemy).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from generated import store_generated
from openpyxl import Workbook

from syrmak.analysis import crosstab, multiple_response
from syrmak.study import Study

OPTIONS, MENTIONS = 5, 20


def write_form(path: Path) -> None:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)"])
    survey.append(["select_one la", "a", "A"])
    survey.append(["select_one lb", "b", "B"])
    survey.append(["select_multiple lm", "m", "M"])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)"])
    for prefix, k in (("a", OPTIONS), ("b", OPTIONS), ("m", MENTIONS)):
        for i in range(k):
            choices.append([f"l{prefix}", f"{prefix}{i}", f"{prefix.upper()} {i}"])
    wb.save(path)


def build(folder: Path, n: int) -> None:
    study = Study.create(folder)
    write_form(folder / "form.xlsx")
    study.load_questionnaire(folder / "form.xlsx")
    rng = np.random.default_rng(0)
    answers = {}
    for name in ("a", "b"):
        codes = np.array([f"{name}{i}" for i in range(OPTIONS)], dtype=object)[rng.integers(0, OPTIONS, n)]
        codes[rng.random(n) < 0.03] = None
        answers[name] = codes
    ticks = rng.random((n, MENTIONS)) < (0.05 + 0.02 * np.arange(MENTIONS))
    combos = [" ".join(f"m{j}" for j in np.flatnonzero(row)) for row in ticks]
    multi = np.array(combos, dtype=object)
    multi[rng.random(n) < 0.05] = None
    answers["m"] = multi
    frame = pd.DataFrame(answers)
    store_generated(study, frame)
    study.close()


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(__file__).with_name("_work") / "analysis")
    parser.add_argument("--reuse", action="store_true",
                        help="time the study an earlier run left in --work instead of building "
                             "one: build on a busy machine, time on a quiet one")
    args = parser.parse_args()
    if args.work.exists() and not args.reuse:
        shutil.rmtree(args.work)
    os.environ.setdefault("SYRMAK_KEY_DIR", str(args.work / "keys"))
    # Throw-away studies keep their vault key as a plain file (no passphrase prompt).
    os.environ.setdefault("SYRMAK_IDENTITY_FILE", os.environ["SYRMAK_KEY_DIR"])
    if not args.reuse:
        start = time.perf_counter()
        build(args.work / "study", args.respondents)
        print(f"built a {args.respondents:,}-respondent study in "
              f"{time.perf_counter() - start:.1f} s")

    def from_store_crosstab():
        study = Study.open(args.work / "study")
        crosstab(study.questionnaire, study.responses(questions=["a", "b"]), "a", "b")
        study.close()

    def from_store_multiple():
        study = Study.open(args.work / "study")
        multiple_response(study.questionnaire, study.responses(questions=["m"]), "m")
        study.close()

    study = Study.open(args.work / "study")
    form, frame = study.questionnaire, study.responses()
    options = [c for c in frame.columns if c.startswith("m/")]
    rows = [
        ("crosstab a x b", best(from_store_crosstab, args.repeat),
         best(lambda: crosstab(form, frame, "a", "b"), args.repeat),
         best(lambda: pd.crosstab(frame["a"], frame["b"]), args.repeat)),
        ("multiple response, 20 options", best(from_store_multiple, args.repeat),
         best(lambda: multiple_response(form, frame, "m"), args.repeat),
         best(lambda: frame[options].sum(), args.repeat)),
    ]
    print(f"{'analysis':32} {'from store s':>12} {'from frame s':>12} {'floor s':>8} {'frame/floor':>11}")
    for name, store, mem, floor in rows:
        print(f"{name:32} {store:12.2f} {mem:12.3f} {floor:8.3f} {mem / floor:11.2f}")
    study.close()

    cli = [sys.executable, "-c", "from syrmak.cli import main; main()",
           "crosstab", str(args.work / "study"), "a", "b"]
    floor = [sys.executable, "-c", "import pandas, sqlalchemy, syrmak.analysis"]
    print(f"{'process':32} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
    for name, command in (("syrmak crosstab STUDY a b", cli), ("floor: imports only", floor)):
        wall, cpu, peak = process_best(command, args.repeat)
        print(f"{name:32} {wall:8.2f} {cpu:8.2f} {peak:8.0f}")


def process_best(command: list[str], repeat: int) -> tuple[float, float, float]:
    """Best wall time, its CPU time (user + system) and peak RSS (MB) of ``command`` run as
    a fresh process. On a shared machine the CPU time is the steadier figure.

    Through GNU time: a child forked from this big process would report this process's peak
    (Linux keeps the high-water mark across exec).
    """
    runs = []
    for _ in range(repeat):
        done = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *command],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              check=True)
        wall, user, system, peak_kb = done.stderr.strip().splitlines()[-1].split()
        runs.append((float(wall), float(user) + float(system), int(peak_kb) / 1024))
    return min(runs)

if __name__ == "__main__":
    main()
