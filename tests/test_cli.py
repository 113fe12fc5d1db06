"""The CLI is a thin shell: each command reaches the library and reports errors plainly."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from syrmak.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_init_load_show_import_contacts(tmp_path, form_path, db_url):
    folder = tmp_path / "s"
    extra = ["--db", db_url] if db_url else []
    result = run("init", folder, *extra)
    assert result.exit_code == 0, result.output
    assert "Contact vault: key in" in result.output
    result = run("questionnaire", "load", folder, form_path)
    assert result.exit_code == 0 and "test_form" in result.output
    result = run("questionnaire", "show", folder, "--lang", "en")
    assert "kind (select_one): Whom do you represent?" in result.output
    csv = tmp_path / "r.csv"
    csv.write_text("kind,sphere,contact\ncso,rights,+7 700 000 00 01\nindependent,eco women,\n",
                   encoding="utf-8")
    result = run("import", folder, csv)
    assert result.exit_code == 0, result.output
    assert "added 2 (respondents 1-2)" in result.output
    assert "700 000" not in result.output
    result = run("responses", folder, "--lang", "en")
    assert "Independent activist" in result.output and "700 000" not in result.output
    result = run("contacts", folder)
    assert "+7 700 000 00 01" in result.output


def test_errors_are_messages_not_tracebacks(tmp_path):
    result = CliRunner().invoke(main, ["questionnaire", "show", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "not a study folder" in result.output
    assert "Traceback" not in result.output


def test_example_builds(tmp_path):
    result = run("example", "kz-civic-2021", tmp_path / "kz")
    assert result.exit_code == 0, result.output
    assert "added 31 (respondents 1-31)" in result.output
    again = CliRunner().invoke(main, ["example", "kz-civic-2021", str(tmp_path / "kz")])
    assert again.exit_code == 1 and "not empty" in again.output


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"```(?:sh|bash)\n(.+?)\n```", readme)
    assert len(commands) >= 2, "README needs its two set-up commands in sh code blocks"
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in ci.splitlines()


def test_init_warns_about_a_password_in_the_url(tmp_path):
    out = CliRunner().invoke(main, ["init", str(tmp_path / "s"), "--db",
                                    "postgresql://me:secret@127.0.0.1:1/nothing"])
    assert "holds a password" in out.output
    # Nothing answers on port 1: a clear error (SystemExit from friendly), not a crash.
    assert out.exit_code == 1 and isinstance(out.exception, SystemExit)
    assert "cannot connect to the study store" in out.output
    assert not (tmp_path / "s").exists()
