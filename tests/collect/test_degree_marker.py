"""The degree question marked on the XLSForm's survey sheet (``rds = degree``)."""

from __future__ import annotations

import pytest

from syrmak.errors import SyrmakError
from syrmak.survey.instrument import Questionnaire
from syrmak.survey.xlsform import load_xlsform
from tests.forms import SURVEY, write_xlsform


def marked_survey(marks: dict[str, str]) -> list[list]:
    """tests/forms.py's survey sheet with an ``rds`` column holding ``marks``."""
    rows = [SURVEY[0] + ["rds"]]
    for row in SURVEY[1:]:
        cells = row + [""] * (len(SURVEY[0]) - len(row))
        rows.append(cells + [marks.get(row[1] if len(row) > 1 else "", "")])
    return rows


def row_of(name: str) -> int:
    return next(i for i, row in enumerate(SURVEY) if len(row) > 1 and row[1] == name) + 1


def test_the_marked_question_is_the_degree_and_survives_storage(tmp_path):
    form = load_xlsform(write_xlsform(tmp_path / "f.xlsx", marked_survey({"staff": "Degree"})))
    assert form.degree is not None and form.degree.name == "staff"
    assert [q.name for q in form.questions if q.rds] == ["staff"]
    assert Questionnaire.from_dict(form.to_dict()).degree.name == "staff"


def test_an_unmarked_form_has_no_degree_and_stores_as_before(tmp_path):
    form = load_xlsform(write_xlsform(tmp_path / "f.xlsx"))
    assert form.degree is None
    assert all("rds" not in q for q in form.to_dict()["questions"])


@pytest.mark.parametrize(("marks", "row", "value", "words"), [
    ({"staff": "degree", "budget": "degree"}, "budget", "degree", "2 questions are marked"),
    ({"kind": "degree"}, "kind", "degree", "is a select_one question"),
    ({"staff": "network"}, "staff", "network", "knows only 'degree'"),
])
def test_a_bad_marker_is_refused_with_its_place(tmp_path, marks, row, value, words):
    path = write_xlsform(tmp_path / "bad.xlsx", marked_survey(marks))
    with pytest.raises(SyrmakError) as caught:
        load_xlsform(path)
    error = caught.value
    assert error.code == "bad-xlsform"
    assert words in error.message
    where = error.location
    assert (where.file, where.sheet, where.row, where.column, where.value) == (
        "bad.xlsx", "survey", row_of(row), "rds", value)
    assert error.hint


def test_cli_rds_takes_the_marked_degree_and_the_option_still_overrides(new_study, tmp_path):
    from click.testing import CliRunner

    from syrmak.cli import main
    from syrmak.collect import coupons, forms
    from syrmak.web.app import create_survey_app
    from tests.collect.conftest import GOOD
    from tests.collect.test_coupons import respond

    path = write_xlsform(tmp_path / "marked.xlsx", marked_survey({"staff": "degree"}))
    study = new_study()
    study.load_questionnaire(path)
    forms.publish(study, path)
    app = create_survey_app(study)
    (seed,) = coupons.issue_seeds(study, 1)
    _, wave1 = respond(app, f"/survey?c={seed}", {**GOOD, "staff": "10", "budget": "1"})
    _, wave2 = respond(app, wave1[0].removeprefix("http://127.0.0.1:8765"),
                       {**GOOD, "kind": "independent", "staff": "2", "budget": "1"})
    respond(app, wave2[0].removeprefix("http://127.0.0.1:8765"),
            {**GOOD, "staff": "5", "budget": "1"})
    args = ["rds", str(study.folder), "-q", "kind", "--replicates", "50", "--lang", "en"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    # Weighted by staff (the marked degree): CSO 1/10 + 1/5 = 0.3, independent 1/2 = 0.5
    assert "37.5%" in done.output and "62.5%" in done.output
    # --degree budget overrides the mark: every degree 1, so RDS-II is the sample share
    done = CliRunner().invoke(main, args + ["--degree", "budget"])
    assert done.exit_code == 0, done.output
    assert "66.7%" in done.output and "37.5%" not in done.output


def test_cli_rds_without_any_degree_says_how_to_name_one(published):
    from click.testing import CliRunner

    from syrmak.cli import main

    study = published[0]
    done = CliRunner().invoke(main, ["rds", str(study.folder), "-q", "kind"])
    assert done.exit_code != 0
    assert "rds" in done.output and "--degree" in done.output
