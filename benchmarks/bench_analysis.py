"""Analyses on a large in-memory frame, against the pandas floor.

    python benchmarks/bench_analysis.py [--respondents 1000000] [--repeat 7]

Builds a frame with the store's contract (two single-answer questions of 5 options, one
multiple-answer question of 20 options, a few percent unanswered) and times, best of
``--repeat`` runs:

- ``crosstab`` (counts, percentages, chi-square, Cramér's V) against ``pandas.crosstab``
  of the same two columns, which only counts;
- ``multiple_response`` against summing the 20 option columns;
- a multiple x single ``crosstab`` against ``groupby().sum()`` over the option columns.

Target: syrmak within 1.5x of the floor. The from-store half (reading the frame out of a
study) is timed separately.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd

from syrmak.analysis import crosstab, multiple_response
from syrmak.survey.instrument import Choice, Question, Questionnaire

OPTIONS = 5
MENTIONS = 20


def questionnaire() -> Questionnaire:
    def choices(prefix: str, k: int) -> tuple[Choice, ...]:
        return tuple(Choice(f"{prefix}{i}", {"en": f"{prefix.upper()} {i}"}) for i in range(k))

    return Questionnaire(
        form_id="bench", title="bench", version=None, default_language="en",
        languages=("en",), sections=(),
        questions=(
            Question("a", "select_one", {"en": "A"}, choices("a", OPTIONS), "la"),
            Question("b", "select_one", {"en": "B"}, choices("b", OPTIONS), "lb"),
            Question("m", "select_multiple", {"en": "M"}, choices("m", MENTIONS), "lm"),
        ),
    )


def frame(form: Questionnaire, n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for name in ("a", "b"):
        q = form.question(name)
        codes = rng.integers(0, OPTIONS, n)
        codes[rng.random(n) < 0.03] = -1  # unanswered
        labels = [c.label("en") for c in q.choices]
        columns[name] = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    answered = rng.random(n) >= 0.05
    for j, choice in enumerate(form.question("m").choices):
        ticked = rng.random(n) < 0.05 + 0.02 * j
        columns[f"m/{choice.name}"] = pd.arrays.BooleanArray(ticked & answered, ~answered)
    result = pd.DataFrame(columns, index=pd.RangeIndex(1, n + 1, name="respondent"))
    result.attrs["lang"] = "en"
    return result


def best(fn, repeat: int) -> float:
    fn()  # warm caches and lazy imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    form = questionnaire()
    start = time.perf_counter()
    data = frame(form, args.respondents)
    built = time.perf_counter() - start
    options = [f"m/{c.name}" for c in form.question("m").choices]

    # The results must agree with the floor before their times mean anything.
    ours = crosstab(form, data, "a", "b")
    assert np.array_equal(np.array(ours.counts), pd.crosstab(data["a"], data["b"]).to_numpy())
    mr = multiple_response(form, data, "m")
    assert np.array_equal(np.array(mr.counts), data[options].sum().to_numpy())
    mx = crosstab(form, data, "m", "a")
    keep = data["a"].notna() & data["m/m0"].notna()
    floor_mx = data[keep].groupby("a", observed=True)[options].sum().to_numpy().T
    assert np.array_equal(np.array(mx.counts), floor_mx)

    rows = [
        (
            "crosstab a x b (5x5)",
            best(lambda: crosstab(form, data, "a", "b"), args.repeat),
            "pandas.crosstab",
            best(lambda: pd.crosstab(data["a"], data["b"]), args.repeat),
        ),
        (
            "multiple_response m (20 options)",
            best(lambda: multiple_response(form, data, "m"), args.repeat),
            "frame[options].sum()",
            best(lambda: data[options].sum(), args.repeat),
        ),
        (
            "crosstab m x a (20x5)",
            best(lambda: crosstab(form, data, "m", "a"), args.repeat),
            "groupby(a)[options].sum()",
            best(lambda: data.groupby("a", observed=True)[options].sum(), args.repeat),
        ),
    ]
    print(f"{args.respondents:,} respondents (frame built in {built:.1f} s); "
          f"best of {args.repeat}; {cpu()}; pandas {pd.__version__}, numpy {np.__version__}")
    print()
    head = f"{'analysis':<34}{'syrmak ms':>11}  {'floor':<27}{'floor ms':>9}{'ratio':>8}"
    print(head)
    print("-" * len(head))
    for name, ms, floor_name, floor_ms in rows:
        print(f"{name:<34}{ms:>11.1f}  {floor_name:<27}{floor_ms:>9.1f}{ms / floor_ms:>8.2f}")


if __name__ == "__main__":
    main()
