"""The table commands: thin shells over syrmak.analysis, with plain errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from syrmak.cli import main

ROWS = (
    "kind,sphere,trust,hope,staff\n"
    "cso,rights women,agree,agree,3\n"
    "cso,eco,disagree,neutral,10\n"
    "independent,rights,agree,disagree,1\n"
    "independent,women eco,neutral,agree,\n"
)


@pytest.fixture
def folder(study, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(ROWS, encoding="utf-8")
    study.import_responses(path)
    return str(study.folder)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_freq_single_and_multiple(folder):
    out = run("freq", folder, "kind", "--lang", "en", "--format", "json")
    assert out.exit_code == 0, out.output
    table = json.loads(out.output)
    assert table["rows"] == ["Registered CSO", "Independent activist"]
    assert [row[0] for row in table["counts"]] == [2, 2]
    out = run("freq", folder, "sphere", "--lang", "en", "--format", "json", "--ci")
    table = json.loads(out.output)
    assert table["kind"] == "multiple_response"
    assert table["counts"][0] == [2] and table["ci"] is not None


def test_crosstab_with_filter_and_markdown(folder):
    out = run("crosstab", folder, "trust", "kind", "--percent", "column", "--lang", "en",
              "--where", "staff >= 2", "--format", "markdown")
    assert out.exit_code == 0, out.output
    assert out.output.startswith("**") and "| Agree |" in out.output
    assert "base: 2 respondents" in out.output and "2 of 4 respondents" in out.output


def test_likert_with_collapse_and_banner(folder):
    out = run("likert", folder, "trust", "hope", "--collapse", "Not agree=disagree",
              "--lang", "en", "--format", "json")
    assert out.exit_code == 0, out.output
    table = json.loads(out.output)
    assert "Not agree" in table["columns"]
    out = run("banner", folder, "trust", "kind", "hope", "--lang", "en", "--format", "csv")
    assert out.exit_code == 0, out.output
    assert "Registered CSO" in out.output


def test_xlsx_needs_an_output_file(folder, tmp_path):
    out = run("freq", folder, "kind", "--format", "xlsx")
    assert out.exit_code == 1 and "-o" in out.output
    target = tmp_path / "kind.xlsx"
    out = run("freq", folder, "kind", "--format", "xlsx", "-o", target)
    assert out.exit_code == 0, out.output
    assert load_workbook(target).worksheets[0].max_row > 2


@pytest.mark.parametrize("args, words", [
    (["freq", "kindd"], "did you mean"),
    (["crosstab", "story", "kind"], "story"),
    (["crosstab", "trust", "kind", "--where", "kind = robots"], "robots"),
    (["likert", "trust", "--collapse", "nonsense"], "LABEL=option1,option2"),
])
def test_bad_input_is_a_message(folder, args, words):
    out = run(args[0], folder, *args[1:])
    assert out.exit_code == 1
    assert "Error:" in out.output and words in out.output
    assert "Traceback" not in out.output


def test_commands_decode_only_the_questions_they_read(folder, monkeypatch):
    """A crosstab reads its two questions and those its filter and weight name; a Likert
    battery named by its choice list reads the questions on that scale."""
    from syrmak.survey import responses

    read = []
    real = responses.response_frame

    def spy(study, lang=None, questions=None):
        read.append(sorted(questions))
        return real(study, lang=lang, questions=questions)

    monkeypatch.setattr(responses, "response_frame", spy)
    assert run("crosstab", folder, "trust", "kind", "--where", "staff >= 2").exit_code == 0
    assert run("likert", folder, "agree", "--format", "json").exit_code == 0
    assert run("freq", folder, "sphere/eco", "--where", "hope = agree").exit_code == 1
    assert read == [["kind", "staff", "trust"], ["hope", "trust"], ["hope", "sphere"]]


@pytest.mark.parametrize(
    ("declared", "flags", "design_note"),
    [
        ('[design]\nweight = "staff"\n', [], "design: weights 'staff'"),
        ("", ["--weight", "staff"], "design: weights 'staff'"),
        ('[design]\nweight = "staff"\n', ["--unweighted"], None),
    ],
)
def test_design_from_syrmak_toml_or_flags(folder, declared, flags, design_note):
    config = Path(folder) / "syrmak.toml"
    config.write_text(config.read_text(encoding="utf-8") + declared, encoding="utf-8")
    out = run("freq", folder, "kind", "--where", "staff >= 1", "--ci", "--format", "json",
              *flags)
    assert out.exit_code == 0, out.output
    notes = json.loads(out.output)["notes"]
    if design_note:
        assert any(design_note in n for n in notes)
        assert any("logit intervals" in n for n in notes)
    else:
        assert not any("design:" in n for n in notes)


def test_design_with_a_missing_column_is_explained(folder):
    out = run("crosstab", folder, "trust", "kind", "--weight", "staff", "--cluster", "school",
              "--where", "staff >= 1")
    assert out.exit_code != 0
    assert "no cluster column 'school'" in out.output
