"""LimeSurvey "Export responses" as CSV: question codes as headers, answer codes as values."""

from __future__ import annotations

import csv

import pandas as pd

from tests.survey.test_import_support import write_csv

HEADER = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
          "kind", "sphere[SQ001]", "sphere[SQ002]", "sphere[SQ003]", "sphere[other]", "staff",
          "budget", "founded", "views[SQ001]", "views[SQ002]", "story", "contact",
          "interviewtime", "groupTime2101", "kindTime", "sphereTime"]


def row(rid, submitted, kind, spheres, other, staff, trust, hope, contact=""):
    return [str(rid), submitted, "3", "ru", "123456", "2021-09-15 10:00:00",
            submitted or "2021-09-15 10:05:00", kind,
            *("Y" if code in spheres else "" for code in ("SQ001", "SQ002", "SQ003")),
            other, staff, "", "2010-05-01" if staff else "", trust, hope, "", contact, "120.5",
            "60.1", "", ""]


ROWS = [
    row(1, "2021-09-15 10:05:00", "A1", ["SQ001", "SQ003"], "", "12", "A3", "A2",
        "+7 777 000 11 22"),
    row(2, "2021-09-15 11:00:00", "A2", ["SQ002"], "своё направление", "", "A1", "A3"),
    # Unfinished: LimeSurvey keeps it, with no submitdate.
    row(3, "", "A2", [], "", "", "", ""),
]


def test_codes_export(study, tmp_path):
    # LimeSurvey quotes every field.
    path = write_csv(tmp_path / "results-survey123456.csv", [HEADER, *ROWS],
                     quoting=csv.QUOTE_ALL)
    result = study.import_responses(path)
    assert result.format == "limesurvey"
    assert (result.rows_read, result.added) == (2, 2)
    assert any("unfinished" in note for note in result.notes)
    frame = study.responses(lang="en")
    assert frame["kind"].tolist() == ["Registered CSO", "Independent activist"]
    assert frame.loc[1, ["sphere/rights", "sphere/women", "sphere/eco", "sphere/other"]
                     ].tolist() == [True, False, True, False]
    assert frame.loc[2, ["sphere/women", "sphere/other"]].tolist() == [True, True]
    assert frame.loc[2, "sphere_other"] == "своё направление"
    # The array "views" holds trust (SQ001) and hope (SQ002), answer codes A1..A3.
    assert frame["trust"].tolist() == ["Agree", "Disagree"]
    assert frame["hope"].tolist() == ["Difficult to answer", "Agree"]
    assert frame["staff"].tolist() == [12, pd.NA]
    assert result.contacts_stored == 1


def test_response_id_makes_reimport_idempotent(study, tmp_path):
    path = write_csv(tmp_path / "r.csv", [HEADER, *ROWS[:1]])
    study.import_responses(path)
    result = study.import_responses(write_csv(tmp_path / "r2.csv", [HEADER, *ROWS]))
    assert (result.added, result.duplicates, result.numbers) == (1, 1, (2,))


def test_full_answers_export(study, tmp_path):
    """"Full answers" instead of codes: labels, and "Да" for a ticked option."""
    header = ["id", "submitdate", "lastpage", "startlanguage", "kind", "sphere[rights]",
              "sphere[women]", "sphere[eco]", "trust"]
    rows = [["7", "2021-09-15 10:05:00", "3", "ru", "Независимый активист", "Да", "", "Да",
             "Согласен"]]
    study.import_responses(write_csv(tmp_path / "full.csv", [header, *rows]))
    frame = study.responses(lang="en")
    assert frame.loc[1, ["sphere/rights", "sphere/women", "sphere/eco"]].tolist() == [
        True, False, True]
    assert frame.loc[1, "trust"] == "Agree"
