"""Disclosure control: k-anonymity on identifying questions, attributions, the map, and
primary + secondary cell suppression in published tables."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.privacy.disclosure import check, suppress
from syrmak.report import resolve_report
from syrmak.survey.xlsform import load_xlsform
from tests.forms import CHOICES, SETTINGS, write_xlsform
from tests.report.conftest import CHOICES as REPORT_CHOICES
from tests.report.conftest import RESPONSES
from tests.report.conftest import SETTINGS as REPORT_SETTINGS
from tests.report.conftest import SURVEY as REPORT_SURVEY


def _recoverable(counts, result) -> list[str]:
    """Lines where exactly one cell is hidden and the margin is shown: it can be worked out."""
    rows, cols = len(counts), len(counts[0])
    found = []
    for i in range(rows):
        if sum(result.cells[i]) == 1 and not result.row_totals[i]:
            found.append(f"row {i}")
    for j in range(cols):
        if sum(result.cells[i][j] for i in range(rows)) == 1 and not result.column_totals[j]:
            found.append(f"column {j}")
    return found


@pytest.mark.parametrize("counts, k, cells, row_totals, column_totals", [
    # Nothing under k: nothing hidden.
    ([[10, 5], [4, 8]], 3, [[0, 0], [0, 0]], [0, 0], [0, 0]),
    # One small cell takes three others with it, so no margin gives it back.
    ([[5, 1], [5, 5]], 3, [[1, 1], [1, 1]], [0, 0], [0, 0]),
    # The complement is the smallest other cell of the line, not the largest.
    ([[2, 4, 9], [6, 7, 8], [9, 9, 9]], 3, [[1, 1, 0], [1, 1, 0], [0, 0, 0]], [0, 0, 0],
     [0, 0, 0]),
    # Empty cells are not sensitive; a line with no other cell to hide hides its total.
    ([[1, 0], [0, 10]], 3, [[1, 0], [0, 0]], [1, 0], [1, 0]),
    # k decides what is small.
    ([[4, 6], [6, 6]], 5, [[1, 1], [1, 1]], [0, 0], [0, 0]),
    ([[4, 6], [6, 6]], 3, [[0, 0], [0, 0]], [0, 0], [0, 0]),
])
def test_suppression_primary_and_secondary(counts, k, cells, row_totals, column_totals):
    result = suppress(counts, k)
    assert [[int(c) for c in row] for row in result.cells] == cells
    assert [int(t) for t in result.row_totals] == row_totals
    assert [int(t) for t in result.column_totals] == column_totals
    assert _recoverable(counts, result) == []


@pytest.mark.parametrize("seed", range(20))
def test_no_hidden_cell_can_be_worked_out_from_a_margin(seed):
    import random

    rng = random.Random(seed)
    width = rng.randint(2, 5)
    counts = [[rng.choice([0, 1, 2, 3, 5, 8]) for _ in range(width)]
              for _ in range(rng.randint(2, 5))]
    result = suppress(counts, 3)
    assert _recoverable(counts, result) == []
    assert all(result.cells[i][j] for i, row in enumerate(counts) for j, v in enumerate(row)
               if 0 < v < 3)


def _marked(survey, names):
    header = [*survey[0], "identifying"]
    return [header] + [[*row, *([""] * (len(survey[0]) - len(row))),
                        "yes" if len(row) > 1 and row[1] in names else ""]
                       for row in survey[1:]]


@pytest.fixture
def reported(new_study, tmp_path):
    form = write_xlsform(tmp_path / "form.xlsx", _marked(REPORT_SURVEY, {"kind", "political"}),
                         REPORT_CHOICES, REPORT_SETTINGS)
    study = new_study()
    study.load_questionnaire(form)
    (tmp_path / "r.csv").write_text(RESPONSES, encoding="utf-8")
    study.import_responses(tmp_path / "r.csv")
    return study


def test_identifying_is_read_from_the_survey_sheet(tmp_path):
    from tests.forms import SURVEY

    form = load_xlsform(write_xlsform(tmp_path / "f.xlsx", _marked(SURVEY, {"kind", "staff"}),
                                      CHOICES, SETTINGS))
    assert [q.name for q in form.identifying] == ["kind", "staff"]
    bad = _marked(SURVEY, {"kind"})
    bad[2][-1] = "maybe"
    with pytest.raises(SyrmakError) as info:
        load_xlsform(write_xlsform(tmp_path / "g.xlsx", bad, CHOICES, SETTINGS))
    assert info.value.location.column == "identifying" and info.value.location.row == 3


def test_check_names_unique_respondents_and_small_groups(reported):
    found = check(reported)
    # kind x political: cso/political 1, 6; cso/non 2, 4, 7; independent/political 3, 8;
    # independent/non 5.
    assert found.unique == (5,)
    assert found.at_risk == {1: 2, 3: 2, 5: 1, 6: 2, 8: 2}
    assert check(reported, k=2).at_risk == {5: 1}


def test_check_without_identifying_questions_says_how_to_mark_them(study):
    with pytest.raises(SyrmakError) as info:
        check(study)
    assert info.value.code == "no-identifying-questions" and "identifying" in info.value.hint


SPEC = """\
title: T
lang: en
content:
  - table:
      caption: Kind by political
      crosstab: {rows: kind, columns: political}
      show: count
  - table:
      caption: Trust by hope
      crosstab: {rows: trust, columns: hope}
      show: count
"""


def test_report_tables_crossing_identifying_questions_hide_small_cells(reported):
    (reported.folder / "report.yaml").write_text(SPEC, encoding="utf-8")
    report = resolve_report(reported, reported.folder / "report.yaml")
    tables = [b for b in report.blocks if hasattr(b, "body")]
    cross, attitudes = tables
    texts = [[c.text for c in row] for row in cross.body]
    # All four inner cells hidden (1 and 2 under k=3, the others as complements); the
    # margins stay, since no margin now gives back a single hidden cell.
    assert [row[1:3] for row in texts[:2]] == [["x", "x"], ["x", "x"]]
    assert [row[3] for row in texts[:2]] == ["5", "3"] and texts[2][1:] == ["4", "4", "8"]
    assert "fewer than 3 respondents" in cross.note
    # A table that crosses no identifying question stays exact, small cells and all.
    assert "x" not in [c.text for row in attitudes.body for c in row] and not attitudes.note


def test_the_cli_lists_unique_respondents(reported):
    run = CliRunner().invoke(main, ["disclosure", str(reported.folder)])
    assert run.exit_code == 0, run.output
    assert "Unique on these questions: 1 respondent(s): 5." in run.output
    assert "smaller than 3 (but not alone): 4: 1, 3, 6, 8." in run.output


def _hidden_cells(path, fmt) -> int:
    import csv
    import json

    import pandas as pd

    if fmt == "xlsx":
        return int((pd.read_excel(path, header=None).astype(str) == "x").to_numpy().sum())
    text = path.read_text(encoding="utf-8")
    if fmt == "csv":
        return sum(field == "x" for row in csv.reader(text.splitlines()) for field in row)
    if fmt == "json":
        data = json.loads(text)
        return sum(v == "x" for key in ("counts", "percent") for row in data[key] for v in row)
    return text.count("| x ")


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "xlsx"])
def test_exports_hide_small_cells_the_screen_stays_exact(reported, tmp_path, fmt):
    out = tmp_path / f"cross.{fmt}"
    screen = CliRunner().invoke(main, ["crosstab", str(reported.folder), "kind", "political",
                                       "--lang", "en"])
    assert screen.exit_code == 0 and "not shown" not in screen.output
    run = CliRunner().invoke(main, ["crosstab", str(reported.folder), "kind", "political",
                                    "--lang", "en", "--format", fmt, "-o", str(out)])
    assert run.exit_code == 0, run.output
    # Four inner counts and their four percentages hidden; the margins and base stay.
    assert _hidden_cells(out, fmt) == 8
    if fmt != "xlsx":
        assert "not shown (x)" in out.read_text(encoding="utf-8")
