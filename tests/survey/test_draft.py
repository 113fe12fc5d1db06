"""``syrmak questionnaire draft``: an export without a form becomes a reviewed XLSForm, and
the export then imports into it as it is."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.survey.draft import draft_questionnaire

GOOGLE = [
    ["Timestamp", "Email Address", "Q1: Which areas do you work in?", "Q2: Your region",
     "Team size", "Founded", "Your contact", "Trust [Police]", "Trust [Courts]",
     "Anything else?"],
    ["9/15/2021 10:00:00", "a@example.org", "Human rights, legal aid, Ecology", "Almaty", "12",
     "2003-09-15", "+7 701 000 00 01", "Agree", "Disagree", "Funding is hard"],
    ["9/15/2021 11:00:00", "b@example.org", "Ecology", "Astana", "3", "2019-01-31",
     "+7 701 000 00 02", "Disagree", "Disagree", "Burnout"],
    ["9/16/2021 09:30:00", "c@example.org", "Human rights, legal aid", "Almaty", "40",
     "2010-05-01", "", "Agree", "Agree", "Quarantine was hard on everyone"],
    ["9/16/2021 09:40:00", "d@example.org", "Education, Ecology", "Almaty", "7", "2015-02-02",
     "x@example.org", "Agree", "Agree", ""],
]


def google_csv(path):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(GOOGLE)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_google_forms_export_in_four_commands(new_study, tmp_path):
    study = new_study()
    folder = str(study.folder)
    export = str(google_csv(tmp_path / "responses.csv"))
    run = CliRunner().invoke
    drafted = run(main, ["questionnaire", "draft", folder, export])
    assert drafted.exit_code == 0, drafted.output
    assert "questionnaire-draft.xlsx" in drafted.stdout
    loaded = run(main, ["questionnaire", "load", folder, f"{folder}/questionnaire-draft.xlsx"])
    assert loaded.exit_code == 0, loaded.output
    imported = run(main, ["import", folder, export])
    assert imported.exit_code == 0, imported.output
    assert "added 4" in imported.stdout
    counted = run(main, ["freq", folder, "q1", "--format", "csv"])
    assert counted.exit_code == 0, counted.output
    rows = dict(line.split(",")[:2] for line in counted.stdout.splitlines()[1:] if "," in line)
    assert rows["Ecology"] == "3"
    form = study.questionnaire
    q1 = form.question("q1")
    assert q1.type == "select_multiple"
    # The known rule splits on ", ": an option whose label holds ", " shows up as two,
    # which the guess says; the export still imports.
    assert {c.label() for c in q1.choices} >= {"Ecology", "Education"}
    assert form.question("q2").type == "select_one"
    assert form.question("team_size").type == "integer"
    assert form.question("founded").type == "date"
    assert form.question("your_contact").personal_data
    assert [q.label() for q in form.questions if q.section] == ["Police", "Courts"]
    assert not form.has("email_address") and not form.has("timestamp")


def test_the_draft_says_what_it_guessed(tmp_path):
    out = tmp_path / "draft.xlsx"
    draft_questionnaire(google_csv(tmp_path / "r.csv"), out)
    sheet = load_workbook(out)["survey"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("type", "name", "label", "personal_data", "guess")
    guesses = {r[1]: r[4] for r in rows[1:]}
    assert "split on ', '" in guesses["q1"]
    assert "contact details" in guesses["your_contact"]
    with pytest.raises(SyrmakError, match="exists already"):
        draft_questionnaire(tmp_path / "r.csv", out)


def test_spss_draft_keeps_labels_levels_and_unlabelled_codes(new_study, tmp_path):
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"id": [1.0, 2.0, 3.0], "rate": [1.0, 7.0, 10.0],
                      "age": [31.0, 45.0, 22.0], "note": ["a", "b", ""]}), str(path),
        column_labels={"rate": "How do you rate it?", "age": "Age"},
        variable_value_labels={"rate": {1.0: "very poor", 10.0: "very good"}},
        variable_measure={"rate": "ordinal", "age": "scale", "note": "nominal", "id": "scale"})
    study = new_study()
    out = tmp_path / "draft.xlsx"
    draft = draft_questionnaire(path, out)
    assert any("'id'" in n for n in draft.notes)
    study.load_questionnaire(out)
    rate = study.questionnaire.question("rate")
    assert rate.type == "select_one" and rate.label() == "How do you rate it?"
    assert [(c.name, c.label()) for c in rate.choices] == [
        ("1", "very poor"), ("7", "7"), ("10", "very good")]
    assert study.questionnaire.question("age").type == "integer"
    assert study.import_responses(path).added == 3
