"""The report commands, mounted on a small group as the main CLI mounts them."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.cli.report import COMMANDS


@pytest.fixture
def cli():
    group = click.Group("syrmak")
    for command in COMMANDS:
        group.add_command(command)
    runner = CliRunner()
    return lambda *args: runner.invoke(group, [str(a) for a in args])


def test_commands_are_exposed():
    assert [c.name for c in COMMANDS] == ["report", "translation"]


def test_report_writes_html_and_docx_and_warns_about_missing_translations(cli, reported,
                                                                          tmp_path):
    result = cli("report", reported.folder, "-o", tmp_path / "out" / "final.html", "--quiet")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "final.html").stat().st_size > 10_000
    assert (tmp_path / "out" / "final.docx").stat().st_size > 10_000
    assert "2 tables, 4 figures, 3 quotes" in result.output
    assert "Warning: [report.yaml, line" in result.output and "no translation" in result.output


def test_report_default_output_and_single_format(cli, reported):
    result = cli("report", reported.folder, "--format", "html")
    assert result.exit_code == 0, result.output
    assert (reported.folder / "report.html").exists()
    assert not (reported.folder / "report.docx").exists()


def test_report_error_is_a_message_not_a_traceback(cli, reported):
    (reported.folder / "report.yaml").write_text(
        "content:\n  - figure:\n      caption: X\n      chart: bar\n      question: nosuch\n",
        encoding="utf-8")
    result = cli("report", reported.folder)
    assert result.exit_code == 1
    assert result.output.startswith("Error: [report.yaml, line 5]")
    assert "Traceback" not in result.output
    assert not (reported.folder / "report.html").exists()
    assert not (reported.folder / "report.docx").exists()


def test_translation_set_list_import(cli, reported, tmp_path):
    result = cli("translation", "set", reported.folder, "--document", "interview-01",
                 "--code", "Online", "--lang", "en", "It was hard to go online")
    assert result.exit_code == 0, result.output
    assert "Stored the 'en' translation of interview-01" in result.output
    listed = cli("translation", "list", reported.folder, "--lang", "en")
    assert "It was hard to go online" in listed.output
    assert listed.output.count("[en, ") == 3
    path = tmp_path / "t.yaml"
    path.write_text("- document: story/1\n  text: Нет денег\n  de: Kein Geld\n",
                    encoding="utf-8")
    assert "Stored 1 translation." in cli("translation", "import", reported.folder, path).output
    bad = cli("translation", "set", reported.folder, "--document", "nosuch", "--code", "Online",
              "--lang", "en", "x")
    assert bad.exit_code == 1 and "no document 'nosuch'" in bad.output


@pytest.mark.parametrize("umask, mode", [(0o077, 0o600), (0o022, 0o644)])
def test_report_files_respect_the_umask(cli, reported, umask, mode):
    """A researcher who keeps their files private (umask 077) gets a private report; it
    used to be forced to 0644, readable by every account on the machine."""
    import os

    (reported.folder / "report.html").write_text("an old report", encoding="utf-8")
    os.chmod(reported.folder / "report.html", 0o640)
    old = os.umask(umask)
    try:
        result = cli("report", reported.folder, "--quiet")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    for name in ("report.html", "report.docx"):
        assert (reported.folder / name).stat().st_mode & 0o777 == mode, name
    assert not [p for p in reported.folder.iterdir() if p.name.endswith(".tmp")]


def test_init_writes_a_starter_spec_that_loads(tmp_path):
    from syrmak.report import load_spec

    out = CliRunner().invoke(main, ["init", str(tmp_path / "s"), "--title", 'Study "A": ü'])
    assert out.exit_code == 0, out.output
    spec = load_spec(tmp_path / "s" / "report.yaml")
    assert spec.title == 'Study "A": ü'
    assert "--draft" in (tmp_path / "s" / "report.yaml").read_text(encoding="utf-8")


def test_draft_from_questionnaire_and_codebook(reported):
    """--draft: a frequency (or multiple-response) table and a bar chart per closed
    question, in the form's order, and a quote per applied code; the old spec kept."""
    from syrmak.report import load_spec
    from syrmak.report import spec as S

    old = (reported.folder / "report.yaml").read_text(encoding="utf-8")
    out = CliRunner().invoke(main, ["report", str(reported.folder), "--draft", "--quiet",
                                    "--format", "html"])
    assert out.exit_code == 0, out.output
    assert (reported.folder / "report.yaml.bak").read_text(encoding="utf-8") == old
    spec = load_spec(reported.folder / "report.yaml")
    closed = ["kind", "political", "region", "before", "during", "trust", "hope", "change"]
    assert [t.analysis.args["question"] for t in spec.tables] == closed
    assert [t.analysis.kind for t in spec.tables] == [
        "frequencies", "frequencies", "multiple", "multiple", "multiple", "frequencies",
        "frequencies", "frequencies"]
    assert [f.analysis.args["question"] for f in spec.figures] == closed
    assert [dict(q.locator) for q in spec.quotes] == [
        {"document": "interview-01", "code": "Funding", "occurrence": 1},
        {"document": "interview-01", "code": "Online", "occurrence": 1}]
    assert spec.lang == "en" and isinstance(spec.blocks[0], S.Toc)
    assert "8 tables, 8 figures, 2 quotes" in out.output
