"""The README's "A study in five steps" runs as written, on the files shipped in
examples/walkthrough/, with the vault passphrase from SYRMAK_PASSPHRASE as the README
tells scripts to do."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from syrmak.cli import main

ROOT = Path(__file__).resolve().parents[1]
WALKTHROUGH = ROOT / "examples" / "walkthrough"


def _steps() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A study in five steps", 1)[1]
    block = section.split("```\n", 2)[1]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_tells_scripts_about_the_passphrase_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A study in five steps", 1)[1].split("\n## ", 1)[0]
    assert "SYRMAK_PASSPHRASE" in section and "source ../../.venv/bin/activate" in section


@pytest.mark.slow
def test_the_five_steps_run_verbatim(tmp_path, monkeypatch):
    steps = _steps()
    assert steps[0] == "cd examples/walkthrough && source ../../.venv/bin/activate"
    here = tmp_path / "walkthrough"
    shutil.copytree(WALKTHROUGH, here)
    monkeypatch.chdir(here)
    # A passphrase-locked vault, as a user gets: no plain identity file from conftest.
    monkeypatch.delenv("SYRMAK_IDENTITY_FILE", raising=False)
    monkeypatch.setenv("SYRMAK_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("SYRMAK_PASSPHRASE", "a walkthrough passphrase")
    outputs = {}
    for line in steps[1:]:
        args = shlex.split(line, comments=True)
        assert args[0] == "syrmak", line
        if args[1] == "serve":  # a server that runs until stopped: the last step
            assert line is steps[-1]
            continue
        result = CliRunner().invoke(main, args[1:], catch_exceptions=False)
        assert result.exit_code == 0, f"{line}\n{result.output}"
        outputs[" ".join(args[1:3])] = result.output
    study = here / "my-study"
    assert "respondent07@example.org" in outputs["contacts my-study"]
    assert "respondent07@example.org" not in outputs["import my-study"]
    assert "2 hits." in outputs["search my-study"]
    assert (here / "project.qdpx").stat().st_size > 0
    assert {p.name for p in study.glob("report.*")} >= {"report.yaml", "report.yaml.bak",
                                                        "report.html", "report.docx"}
    # init's starter was replaced by a draft: a table and a chart per closed question
    # (five) and the one coded quote.
    spec = yaml.safe_load((study / "report.yaml").read_text(encoding="utf-8"))
    blocks = [next(iter(b)) for b in spec["content"]]
    assert blocks.count("table") == 5 and blocks.count("figure") == 5
    assert {"document": "interview-07", "code": "Burnout", "occurrence": 1} in [
        b["quote"] for b in spec["content"] if "quote" in b]
    assert "syrmak report" in (study / "report.yaml.bak").read_text(encoding="utf-8")
