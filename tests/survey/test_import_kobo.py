"""KoboToolbox exports: ';'-separated CSV (XML values or labels) and XLSX."""

from __future__ import annotations

import csv

import pandas as pd
from openpyxl import Workbook

from tests.survey.test_import_support import RU, snapshot, store_dump, write_csv

SPHERES = ("rights", "women", "eco", "other")
META_BEFORE = ["start", "end", "today", "deviceid"]
META_AFTER = ["meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status",
              "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"]


def value_header(details: bool = True) -> list[str]:
    """Kobo's "XML values and headers" export with groups kept, "/" as separator."""
    header = [*META_BEFORE, "about/kind", "about/sphere"]
    if details:
        header += [f"about/sphere/{s}" for s in SPHERES]
    header += ["about/sphere_other", "about/staff", "about/budget", "about/founded",
               "views/trust", "views/hope", "views/story", "contact"]
    return header + META_AFTER


def submission(i: int, kind, spheres, other, staff, budget, founded, trust, hope, story,
               contact, details: bool = True) -> list:
    uuid = f"5b1f4c9e-0d7a-4b7e-9a51-00000000000{i}"
    row = ["2021-09-15T10:00:00.000+06:00", "2021-09-15T10:12:00.000+06:00", "2021-09-15",
           "enketo.kobotoolbox.org:abc", kind, " ".join(spheres)]
    if details:
        row += [("1" if s in spheres else "0") if spheres else "" for s in SPHERES]
    row += [other, staff, budget, founded, trust, hope, story, contact]
    row += [f"uuid:{uuid}", str(100 + i), uuid, f"2021-09-1{i}T04:1{i}:00", "", "",
            "submitted_via_web", "", "vCWm3HNiPHu4zYsmGhsz2X", "", str(i)]
    return row


SUBMISSIONS = [
    submission(1, "cso", ["rights", "eco"], "", "12", "1.5", "2003-09-15", "agree", "neutral",
               "Нет денег; нет офиса", "+7 701 123 45 67"),
    submission(2, "independent", ["women", "other"], "защита животных", "1", "", "",
               "disagree", "agree", "", ""),
    submission(3, "independent", [], "", "", "", "", "", "", "", ""),  # nothing answered
]


def kobo_csv(tmp_path, rows=SUBMISSIONS, header=None, name="civic_-_all_versions_-_xml.csv"):
    # Kobo writes ';' between fields and quotes every one of them.
    return write_csv(tmp_path / name, [header or value_header(), *rows], delimiter=";",
                     quoting=csv.QUOTE_ALL)


def test_xml_values_csv(study, tmp_path):
    result = study.import_responses(kobo_csv(tmp_path))
    assert result.format == "kobo"
    assert (result.added, result.numbers, result.contacts_stored) == (3, (1, 2, 3), 1)
    assert "columns separated by ';'" in result.notes
    frame = study.responses(lang="en")
    assert frame["kind"].tolist() == ["Registered CSO", "Independent activist",
                                      "Independent activist"]
    assert frame.loc[1, ["sphere/rights", "sphere/women", "sphere/eco"]].tolist() == [
        True, False, True]
    assert frame.loc[2, ["sphere/women", "sphere/other"]].tolist() == [True, True]
    assert frame.loc[2, "sphere_other"] == "защита животных"
    assert frame.loc[3, ["sphere/rights", "sphere/other"]].isna().all()  # empty: unanswered
    assert pd.isna(frame.loc[3, "kind"]) is False  # kind was answered
    assert frame["staff"].tolist() == [12, 1, pd.NA]
    assert frame.loc[1, "budget"] == 1.5
    assert frame.loc[1, "founded"] == pd.Timestamp("2003-09-15")
    assert frame["trust"].tolist()[:2] == ["Agree", "Disagree"]
    assert pd.isna(frame.loc[3, "trust"])


def test_same_uuid_is_stored_once_even_from_another_export(study, tmp_path):
    study.import_responses(kobo_csv(tmp_path))
    before = snapshot(study)["respondents"]
    xlsx = kobo_xlsx(tmp_path)
    again = study.import_responses(xlsx)
    assert (again.added, again.duplicates) == (0, 3)
    assert snapshot(study)["respondents"] == before


def test_split_columns_only(study, tmp_path):
    """Exported with "select_multiple: separate columns": no summary column."""
    header = value_header(details=True)
    drop = header.index("about/sphere")
    rows = [r[:drop] + r[drop + 1:] for r in SUBMISSIONS]
    study.import_responses(kobo_csv(tmp_path, rows, header[:drop] + header[drop + 1:]))
    frame = study.responses(lang="en")
    assert frame.loc[1, ["sphere/rights", "sphere/women", "sphere/eco"]].tolist() == [
        True, False, True]
    assert frame.loc[3, ["sphere/rights", "sphere/eco"]].isna().all()


def test_labels_export(study, tmp_path):
    """ "Labels" export: headers are group and question labels, answers are labels, a
    multiple answer joins labels with spaces (labels that hold spaces and commas too)."""
    header = ["start", "end", f"О вас/{RU['kind']}", f"О вас/{RU['sphere']}",
              f"О вас/{RU['sphere']}/Права человека, юридическая помощь",
              f"О вас/{RU['sphere']}/Права женщин", f"О вас/{RU['sphere']}/Экология",
              f"О вас/{RU['staff']}", f"Мнения/{RU['trust']}", f"Мнения/{RU['hope']}",
              "_id", "_uuid", "_submission_time", "_index"]
    rows = [
        ["", "", "Зарегистрированная организация",
         "Права человека, юридическая помощь Экология", "1", "0", "1", "4", "Согласен",
         "Не согласен", "7", "aaaa-1", "2021-09-15T10:00:00", "1"],
        ["", "", "Независимый активист", "Права женщин", "0", "1", "0", "", "Затрудняюсь ответить",
         "", "8", "aaaa-2", "2021-09-16T10:00:00", "2"],
    ]
    result = study.import_responses(kobo_csv(tmp_path, rows, header, "labels.csv"))
    assert result.added == 2
    frame = study.responses(lang="en")
    assert frame.loc[1, ["sphere/rights", "sphere/women", "sphere/eco"]].tolist() == [
        True, False, True]
    assert frame["trust"].tolist() == ["Agree", "Difficult to answer"]


def kobo_xlsx(tmp_path, name="civic.xlsx"):
    """Kobo's XLSX export: the same table, numbers and times typed."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Гражданский активизм"
    header = value_header()
    sheet.append(header)
    for row in SUBMISSIONS:
        typed = []
        for name_, value in zip(header, row, strict=True):
            if name_ in ("_id", "_index", "about/staff") and value:
                value = int(value)
            elif name_ == "about/budget" and value:
                value = float(value)
            typed.append(value if value != "" else None)
        sheet.append(typed)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_xlsx_export(study, tmp_path):
    result = study.import_responses(kobo_xlsx(tmp_path))
    assert result.format == "kobo" and result.added == 3
    frame = study.responses(lang="en")
    assert frame["staff"].tolist() == [12, 1, pd.NA]
    assert frame.loc[1, "budget"] == 1.5
    assert frame.loc[2, "sphere_other"] == "защита животных"
    assert b"123 45 67" not in store_dump(study)
