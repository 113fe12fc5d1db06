"""Import benchmark: a 200,000-respondent x 40-question Google-Forms-style CSV.

Runs each step in a fresh subprocess so its peak memory (VmHWM) is its own:

  floor   pandas.read_csv of the file + DataFrame.to_sql into a fresh SQLite file
  peer    DuckDB: CREATE TABLE AS SELECT * FROM read_csv(file) into a DuckDB file (the
          ``bench`` extra installs duckdb; skipped without it)
  import  syrmak: Study.import_responses(file) into a fresh study
  frame   syrmak: Study.responses() on that study

``--distinct`` makes every open-text answer distinct (real free text); without it the five
text questions draw from 216 three-word answers, which flatters the import. ``--repeat N``
runs each step N times, alternating steps, and reports each step's median (a shared machine
slows one run more than another); ``--steps`` runs only some steps (``import`` alone for the
1M-row peak memory: the floor's pandas copy of a 1.3 GB file takes long and proves nothing
there). ``frame`` needs ``import`` before it.

Usage:  python benchmarks/bench_import.py [--rows 200000] [--distinct] [--repeat N]
                                          [--steps floor,peer,import,frame] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SELECT_ONE, SELECT_MULTI, INTEGER, TEXT = 25, 5, 5, 5
SCALE = ["Совсем не важно", "Скорее не важно", "Затрудняюсь ответить", "Скорее важно", "Очень важно"]
AREAS = ["Права человека, юридическая помощь", "Права женщин", "Экология", "Образование",
         "Здравоохранение", "Права ЛГБТ"]


def write_form(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Russian (ru)", "label::English (en)"])
    for i in range(SELECT_ONE):
        survey.append(["select_one scale", f"s{i}", f"Насколько важно {i}?", f"How important {i}?"])
    for i in range(SELECT_MULTI):
        survey.append(["select_multiple areas", f"m{i}", f"Сферы {i}", f"Areas {i}"])
    for i in range(INTEGER):
        survey.append(["integer", f"n{i}", f"Число {i}", f"Number {i}"])
    for i in range(TEXT):
        survey.append(["text", f"t{i}", f"Комментарий {i}", f"Comment {i}"])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::Russian (ru)", "label::English (en)"])
    for j, label in enumerate(SCALE):
        choices.append(["scale", f"c{j}", label, f"Scale {j}"])
    for j, label in enumerate(AREAS):
        choices.append(["areas", f"a{j}", label, f"Area {j}"])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append(["Benchmark", "bench", "Russian (ru)"])
    wb.save(path)


def write_csv(path: Path, rows: int, distinct: bool = False) -> None:
    import pandas as pd

    rng = np.random.default_rng(20211015)
    columns = {"Отметка времени": (pd.Timestamp("2021-09-15") + pd.to_timedelta(np.arange(rows) * 7, "s"))
               .strftime("%d.%m.%Y %H:%M:%S")}
    scale = np.array(SCALE + [""], dtype=object)
    for i in range(SELECT_ONE):
        columns[f"Насколько важно {i}?"] = scale[rng.integers(0, 6, rows)]
    # Multi-answer cells: a few hundred distinct combinations, like real data.
    combos = []
    for mask in range(1, 2 ** len(AREAS)):
        combos.append(", ".join(a for k, a in enumerate(AREAS) if mask >> k & 1))
    combos = np.array(combos + [""], dtype=object)
    for i in range(SELECT_MULTI):
        columns[f"Сферы {i}"] = combos[rng.integers(0, len(combos), rows)]
    for i in range(INTEGER):
        columns[f"Число {i}"] = rng.integers(0, 500, rows).astype(str)
    words = np.array(["сложно", "онлайн", "выгорание", "финансирование", "карантин", "поддержка"], dtype=object)
    for i in range(TEXT):
        picks = rng.integers(0, len(words), (rows, 3))
        texts = words[picks[:, 0]] + " " + words[picks[:, 1]] + " " + words[picks[:, 2]]
        if distinct:  # every answer its own: a respondent number and question in it
            texts = texts + np.char.add(" №", np.arange(rows).astype(str)).astype(object) + f"/{i}"
        columns[f"Комментарий {i}"] = texts
    pd.DataFrame(columns).to_csv(path, index=False)


def _peak_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM belongs to the memory map that
    exec made, whereas ru_maxrss keeps the parent's size at fork (the parent wrote a
    1.3 GB CSV with pandas and may still hold most of it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(name: str, work: Path) -> dict:
    start = time.perf_counter()
    if name == "floor":
        import pandas as pd
        import sqlalchemy as sa

        frame = pd.read_csv(work / "responses.csv", dtype=str, keep_default_na=False)
        engine = sa.create_engine(f"sqlite:///{work / 'floor.db'}")
        frame.to_sql("responses", engine, index=False, chunksize=10_000)
        engine.dispose()
        detail = {"rows": len(frame)}
    elif name == "peer":
        import duckdb

        connection = duckdb.connect(str(work / "peer.duckdb"))
        connection.execute("CREATE TABLE responses AS SELECT * FROM "
                           f"read_csv('{work / 'responses.csv'}', all_varchar = true)")
        rows = connection.execute("SELECT count(*) FROM responses").fetchone()[0]
        connection.close()
        detail = {"rows": rows}
    elif name == "import":
        from syrmak.study import Study

        study = Study.create(work / "study")
        study.load_questionnaire(work / "form.xlsx")
        result = study.import_responses(work / "responses.csv")
        detail = {"rows": result.added}
    elif name == "frame":
        from syrmak.study import Study

        frame = Study.open(work / "study").responses()
        detail = {"rows": len(frame), "columns": frame.shape[1]}
    seconds = time.perf_counter() - start
    peak_mb = _peak_mb()
    return {"step": name, "seconds": round(seconds, 2), "peak_mb": round(peak_mb), **detail}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--work", type=Path, default=Path(__file__).with_name("_work") / "import")
    parser.add_argument("--step")
    parser.add_argument("--distinct", action="store_true",
                        help="every open-text answer distinct (real free text)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each step; the median is reported")
    parser.add_argument("--steps", default="floor,peer,import,frame",
                        help="comma-separated steps to run (floor, peer, import, frame)")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.work)))
        return
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    os.environ.setdefault("SYRMAK_KEY_DIR", str(args.work / "keys"))
    # Throw-away studies keep their vault key as a plain file (no passphrase prompt).
    os.environ.setdefault("SYRMAK_IDENTITY_FILE", os.environ["SYRMAK_KEY_DIR"])
    write_form(args.work / "form.xlsx")
    write_csv(args.work / "responses.csv", args.rows, args.distinct)
    size = (args.work / "responses.csv").stat().st_size / 2**20
    texts = "distinct" if args.distinct else "216 repeated"
    print(f"{args.rows} rows x 40 questions ({texts} open-text answers), {size:.0f} MiB CSV")
    steps = [name for name in ("floor", "peer", "import", "frame")
             if name in {s.strip() for s in args.steps.split(",")}]
    if "frame" in steps and "import" not in steps:
        parser.error("the frame step reads the study the import step makes: add import")
    if "peer" in steps:
        try:
            import duckdb  # noqa: F401 -- only to know whether the peer step can run
        except ImportError:
            steps.remove("peer")
            print("duckdb is not installed (pip install -e '.[bench]'): no peer figure")
    runs: dict[str, list[dict]] = {name: [] for name in steps}
    for _ in range(max(1, args.repeat)):
        for name in steps:  # one of each step in turn, so contention hits them alike
            # Each run writes into a fresh store, as the first did.
            made = args.work / {"floor": "floor.db", "peer": "peer.duckdb",
                                "import": "study"}.get(name, "-")
            if name != "frame" and made.is_dir():
                shutil.rmtree(made)
            elif name != "frame" and made.exists():
                made.unlink()
            out = subprocess.run([sys.executable, __file__, "--step", name, "--work",
                                  str(args.work)], capture_output=True, text=True, check=True)
            runs[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(runs[name][-1])
    results = {name: _median(found) for name, found in runs.items()}
    if args.repeat > 1:
        for result in results.values():
            print(f"median of {args.repeat}: {result}")
    if "import" in results:
        print(f"import peak {results['import']['peak_mb']} MB (target < 1536 at 1M rows)")
    if "import" in results and "floor" in results:
        ratio = results["import"]["seconds"] / results["floor"]["seconds"]
        print(f"import / floor = {ratio:.2f}x (target <= 1.5x at 200k rows, distinct texts)")
    if "import" in results and "peer" in results:
        print(f"import / DuckDB read_csv = "
              f"{results['import']['seconds'] / results['peer']['seconds']:.1f}x (peer figure)")
    if "frame" in results:
        print(f"responses() {results['frame']['seconds']} s")


def _median(found: list[dict]) -> dict:
    """The run with the median time (its own peak memory with it)."""
    ordered = sorted(found, key=lambda r: r["seconds"])
    return ordered[(len(ordered) - 1) // 2]


if __name__ == "__main__":
    main()
