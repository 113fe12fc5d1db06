"""The xlsform and import cases of the real-world corpus (../shared/data/interop), in-process.

``run.sh`` runs each row of ``manifest.tsv`` through the ``syrmak`` command in a subprocess
(about 15 minutes on 2 cores). Here the same commands run through click's test runner in
this process, on a study made with a plain key file, so the whole corpus takes a few
minutes: ``questionnaire load`` (and ``questionnaire show --lang`` for every language it
prints) for an ``xlsform`` row, then ``import`` for an ``import`` row. The verdict is
run.sh's: ``ok`` must load or import and pass its checks, ``refuse`` must end in an
``Error:`` message, ``either`` may do both; a traceback fails every kind. The checks
(``added=N``, ``langs=a,b``, ``py:NAME:ARG``) read the same output lines run.sh reads,
and ``py:`` runs the corpus's own check.py.

A laptop without ../shared skips these tests; CI has the folder, so there a missing
corpus fails (tests/shared_data.py).
"""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from tests.shared_data import INTEROP, require

MANIFEST = INTEROP / "manifest.tsv"
FIELDS = ("expect", "kind", "form", "data", "format", "check", "note")


def _cases():
    if not MANIFEST.is_file():  # no corpus: one case that skips, or fails in CI
        return [pytest.param(None, id="corpus-missing")]
    with MANIFEST.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    cases = [dict(zip(FIELDS, r, strict=False)) for r in rows if r[1] in ("xlsform", "import")]
    assert cases, "the manifest lists no xlsform or import case"
    seen: dict[str, int] = {}
    params = []
    for number, case in enumerate(cases, start=1):
        label = case["form"] if case["kind"] == "xlsform" else case["data"]
        name = label.rsplit("/", 1)[-1]
        seen[name] = seen.get(name, 0) + 1
        params.append(pytest.param(case, id=f"{number:03d}-{name}"
                                   + (f"-{seen[name]}" if seen[name] > 1 else "")))
    return params


_CHECKS: dict = {}


def _corpus_check(name: str):
    if not _CHECKS:
        spec = importlib.util.spec_from_file_location("interop_check", INTEROP / "check.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _CHECKS.update(module.CHECKS)
    return _CHECKS[name]


class _Run:
    """One command's outcome in run.sh's words: ok, refused or crash."""

    def __init__(self, args: list[str]) -> None:
        result = CliRunner().invoke(main, args, catch_exceptions=True)
        self.stdout = result.stdout
        self.stderr = result.stderr
        if result.exit_code == 0:
            self.outcome = "ok"
        elif result.exception is not None and not isinstance(result.exception, SystemExit):
            self.outcome = "crash"
            self.stderr += f"\nTraceback: {type(result.exception).__name__}: {result.exception}"
        elif re.search(r"^Error: ", result.stderr, re.MULTILINE):
            self.outcome = "refused"
        else:
            self.outcome = "crash"

    def detail(self) -> str:
        return " ".join((self.stderr if self.outcome != "ok" else self.stdout).split())[:600]


def run_case(case: dict, folder: Path) -> tuple[str, str]:
    """(outcome, detail) of one manifest row, as run.sh would print them."""
    from syrmak.study import Study

    Study.create(folder).close()
    langs = ""
    outcome, detail, last = None, "", None
    if case["form"] != "-":
        last = _Run(["questionnaire", "load", str(folder), str(INTEROP / case["form"])])
        outcome, detail = last.outcome, last.detail()
        if outcome == "ok":
            found = re.search(r", languages (.*)\.$", last.stdout.strip(), re.MULTILINE)
            langs = found[1] if found else ""
        if outcome == "ok" and case["kind"] == "xlsform":
            for lang in [x for x in langs.split(", ") if x]:
                shown = _Run(["questionnaire", "show", str(folder), "--lang", lang])
                if shown.outcome != "ok":
                    outcome = "crash" if shown.outcome == "crash" else "refused"
                    detail = f"show --lang {lang!r}: {shown.detail()}"
                    break
    if outcome is None or (outcome == "ok" and case["kind"] == "import"):
        last = _Run(["import", str(folder), str(INTEROP / case["data"]),
                     "--format", case["format"] or "auto"])
        outcome, detail = last.outcome, last.detail()
    if outcome != "ok" or case["expect"] == "refuse":
        return outcome, detail
    problems = []
    for check in [c for c in (case.get("check") or "-").split(";") if c and c != "-"]:
        if check.startswith("added="):
            got = re.search(r"; added (\d+)", last.stdout)
            if not got or got[1] != check[6:]:
                problems.append(f"expected added {check[6:]}, got {got[1] if got else '?'}")
        elif check.startswith("langs="):
            want = check[6:].replace(",", ", ")
            if langs != want:
                problems.append(f"languages {langs!r}, expected {want!r}")
        elif check.startswith("py:"):
            name, _, arg = check[3:].partition(":")
            try:
                problem = _corpus_check(name)(str(folder), str(INTEROP), arg or None)
            except Exception as exc:  # noqa: BLE001 -- check.py's own rule: a failed check
                problem = f"check could not run: {type(exc).__name__}: {exc}"
            if problem:
                # Real people's answers: keep the counts, not the example check.py quotes.
                problems.append(f"check.py {name}: {problem.split(', e.g.')[0]}")
        else:
            problems.append(f"unknown check {check!r}")
    if problems:
        return "wrong", "; ".join(problems)
    return outcome, detail


PASSING = {"ok": {"ok"}, "refuse": {"refused"}, "either": {"ok", "refused"}}


@pytest.mark.parametrize("case", _cases())
def test_manifest_case(case, tmp_path):
    require(MANIFEST)
    outcome, detail = run_case(case, tmp_path / "study")
    assert outcome in PASSING[case["expect"]], f"{case['expect']} case came out {outcome}: {detail}"


def test_google_forms_export_without_a_form_in_four_commands(tmp_path):
    """docs/surveys.md's walk-through on a real Google Forms export: draft, review and
    load, import, freq."""
    export = require(INTEROP / "google-forms" / "autistica_turing_form_responses.csv")
    from syrmak.study import Study

    folder = tmp_path / "study"
    Study.create(folder).close()
    steps = [["questionnaire", "draft", str(folder), str(export)],
             ["questionnaire", "load", str(folder), str(folder / "questionnaire-draft.xlsx")],
             ["import", str(folder), str(export)],
             ["freq", str(folder), "q2", "--format", "csv"]]
    results = [_Run(step) for step in steps]
    for step, result in zip(steps, results, strict=True):
        assert result.outcome == "ok", f"{step[0]} {step[1]}: {result.detail()}"
    assert "added 42" in results[2].stdout
    counts = dict(line.rsplit(",", 3)[0:2] if line.count(",") >= 3 else ("", "")
                  for line in results[3].stdout.splitlines()[1:])
    assert counts.get("I am autistic") == "33"
