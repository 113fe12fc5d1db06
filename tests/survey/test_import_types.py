"""Every common answer type, repeat groups as child records, and the export quirks of real
tools (HXL rows, Central's split columns and locations, all-versions exports)."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import Workbook

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.store import schema
from tests.forms import write_xlsform
from tests.survey.test_import_support import snapshot

SURVEY = [
    ["type", "name", "label::English (en)", "label::Español (es)", "required", "personal_data"],
    ["text", "name_given", "Name given", "Nombre"],
    ["geopoint", "where", "Where", "Dónde"],
    ["time", "when", "Time", "Hora"],
    ["dateTime", "moment", "Moment", "Momento"],
    ["range", "score", "Score", "Puntuación"],
    ["image", "photo", "Photo", "Foto"],
    ["barcode", "code", "Code", "Código"],
    ["phone number", "phone_line", "Phone line", "Línea"],
    ["rank fruit", "ranking", "Ranking", "Orden"],
    ["select_one_from_file cities.csv", "city", "City", "Ciudad"],
    ["begin repeat", "child", "Children", "Hijos"],
    ["text", "child_name", "Child's name", "Nombre del hijo", "yes", "yes"],
    ["integer", "child_age", "Child's age", "Edad del hijo"],
    ["select_one yesno", "child_school", "At school?", "¿En la escuela?"],
    ["end repeat"],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Español (es)"],
    ["fruit", "apple", "Apple", "Manzana"],
    ["fruit", "pear", "Pear", "Pera"],
    ["fruit", "plum", "Plum", "Ciruela"],
    ["yesno", "yes", "Yes", "Sí"],
    ["yesno", "no", "No", "No"],
]
SETTINGS = [["form_title", "form_id", "default_language"], ["Types", "types", "English (en)"]]

HEAD = ["name_given", "where", "when", "moment", "score", "photo", "photo_URL", "code",
        "phone_line", "ranking", "city"]
ROWS = [
    ["Ana", "43.31 -1.98 12.0 5.0", "08:56:00.000+02:00", "2021-09-15T10:23:45.000+02:00",
     "7", "a.jpg", "https://kc.example/a.jpg", "123456", "555", "pear apple plum", "madrid"],
    ["Ben", "", "", "", "", "", "", "", "", "plum", "lima"],
    ["Cy", "-12.5 77.1", "23:01", "2021-09-16T00:00:00Z", "3", "", "", "", "", "", "madrid"],
]


@pytest.fixture
def typed(new_study, tmp_path):
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", SURVEY, CHOICES, SETTINGS))
    return study


def kobo_csv(path, repeat_columns=True):
    header = list(HEAD)
    if repeat_columns:
        header += ["child[1]/child_name", "child[1]/child_age", "child[1]/child_school",
                   "child[2]/child_name", "child[2]/child_age", "child[2]/child_school"]
    header += ["_uuid", "_submission_time", "_index"]
    kids = [["Dia", "7", "yes", "Eve", "4", "no"], ["", "", "", "", "", ""],
            ["Fox", "15", "no", "", "", ""]]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        for i, row in enumerate(ROWS):
            writer.writerow([*row, *(kids[i] if repeat_columns else []),
                             f"uuid-{i}", f"2021-09-1{i}T04:00:00", str(i + 1)])
    return path


def test_every_answer_type_is_stored_and_typed(typed, tmp_path):
    result = typed.import_responses(kobo_csv(tmp_path / "kobo.csv", repeat_columns=False))
    assert result.added == 3
    frame = typed.responses()
    assert frame.loc[1, "where"] == "43.31 -1.98 12.0 5.0"
    assert frame.loc[1, "where/latitude"] == 43.31 and frame.loc[3, "where/longitude"] == 77.1
    assert pd.isna(frame.loc[2, "where/latitude"])
    assert frame.loc[1, "when"] == "08:56:00.000+02:00"
    assert frame.loc[1, "moment"] == pd.Timestamp("2021-09-15T08:23:45", tz="UTC")
    assert frame["score"].tolist() == [7, pd.NA, 3]
    assert frame.loc[1, "photo"] == "a.jpg" and frame.loc[1, "code"] == "123456"
    # The ranking keeps its order: pear first, apple second, plum third.
    assert [frame.loc[1, f"ranking/{c}"] for c in ("apple", "pear", "plum")] == [2, 1, 3]
    assert frame.loc[2, "ranking/plum"] == 1 and pd.isna(frame.loc[2, "ranking/apple"])
    # Options from a file: the codes seen are the categories.
    assert list(frame["city"].cat.categories) == ["lima", "madrid"]


def test_rank_frequency_table(typed, tmp_path):
    typed.import_responses(kobo_csv(tmp_path / "kobo.csv", repeat_columns=False))
    out = CliRunner().invoke(main, ["freq", str(typed.folder), "ranking", "--format", "json"])
    assert out.exit_code == 0, out.output
    import json

    table = json.loads(out.stdout)
    assert table["kind"] == "rank" and table["names"] == ["apple", "pear", "plum"]
    assert table["counts"] == [[0, 1, 0], [1, 0, 0], [1, 0, 1]]
    assert table["mean_rank"] == [2.0, 1.0, 2.0] and table["answered"] == 2


def test_repeat_flattened_into_columns_is_child_records(typed, tmp_path):
    result = typed.import_responses(kobo_csv(tmp_path / "kobo.csv"))
    # The children's names are personal data: sealed in the vault, bound to the parent.
    assert result.added == 3 and result.contacts_stored == 3
    assert any("3 repeat-group record(s)" in n for n in result.notes)
    kids = typed.responses(repeat="child")
    assert kids["respondent"].tolist() == [1, 1, 3]
    assert kids["ordinal"].tolist() == [1, 2, 1]
    assert kids["child_age"].tolist() == [7, 4, 15]
    assert kids["child_school"].tolist() == ["Yes", "No", "No"]
    assert "child_name" not in kids.columns
    with typed.engine.connect() as connection:
        arrays = " ".join(row.data for row in connection.execute(sa.select(schema.repeat_columns)))
    assert "Dia" not in arrays and "Fox" not in arrays
    # Analyses count records; the respondent's answers join them for filters.
    out = CliRunner().invoke(main, ["freq", str(typed.folder), "child_school",
                                    "--where", "name_given = Ana", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert "Yes,1" in out.stdout and "No,1" in out.stdout
    # Importing the same file again adds nothing, children included.
    assert typed.import_responses(tmp_path / "kobo.csv").added == 0
    assert len(typed.responses(repeat="child")) == 3


def test_withdrawal_erases_repeat_records(typed, tmp_path):
    typed.import_responses(kobo_csv(tmp_path / "kobo.csv"))
    typed.withdraw(1)
    kids = typed.responses(repeat="child")
    assert kids["respondent"].tolist() == [3]
    with typed.engine.connect() as connection:
        arrays = [row.data for row in connection.execute(sa.select(schema.repeat_columns))]
    assert not any('"7"' in a or "7," in a or "[7" in a for a in arrays)


def test_contact_in_a_repeat_is_quarantined(new_study, tmp_path):
    survey = [["type", "name", "label"], ["text", "q", "Q"], ["begin repeat", "r", "R"],
              ["text", "note_text", "Note"], ["end repeat"]]
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", survey, [["list_name", "name",
                                                                          "label"]],
                                           [["form_id"], ["f"]]))
    path = tmp_path / "k.csv"
    path.write_text("q;r[1]/note_text;r[2]/note_text;_uuid\n"
                    "a;call me at +7 701 555 12 34;fine;u1\n", encoding="utf-8")
    result = study.import_responses(path)
    assert result.quarantined == 1
    kids = study.responses(repeat="r")
    assert kids["note_text"].isna().tolist() == [True, False]
    with study.engine.connect() as connection:
        arrays = " ".join(row.data for row in connection.execute(sa.select(schema.repeat_columns)))
    assert "701" not in arrays


def test_kobo_workbook_with_a_repeat_sheet(typed, tmp_path):
    workbook = Workbook()
    main_sheet = workbook.active
    main_sheet.title = "Types"
    main_sheet.append([*HEAD, "_uuid", "_submission_time", "_index"])
    for i, row in enumerate(ROWS):
        main_sheet.append([*row, f"uuid-{i}", f"2021-09-1{i}T04:00:00", i + 1])
    kids = workbook.create_sheet("child")
    kids.append(["child_name", "child_age", "child_school", "_index", "_parent_table_name",
                 "_parent_index", "_submission__uuid"])
    kids.append(["Dia", 7, "yes", 1, "Types", 1, "uuid-0"])
    kids.append(["Fox", 15, "no", 2, "Types", 3, "uuid-2"])
    kids.append(["Eve", 4, "no", 3, "Types", 1, "uuid-0"])
    workbook.save(tmp_path / "kobo.xlsx")
    assert typed.import_responses(tmp_path / "kobo.xlsx").added == 3
    kids = typed.responses(repeat="child")
    assert list(zip(kids["respondent"], kids["ordinal"], kids["child_age"], strict=True)) == \
        [(1, 1, 7), (1, 2, 4), (3, 1, 15)]


def test_central_zip_with_repeat_split_location_and_options(new_study, tmp_path):
    survey = [["type", "name", "label"], ["geopoint", "loc", "Location"],
              ["select_multiple l", "q1", "One"], ["begin group", "g1", "G"],
              ["select_multiple l", "q2", "Two"], ["end group"],
              ["begin repeat", "visit", "Visits"], ["integer", "minutes", "Minutes"],
              ["end repeat"]]
    choices = [["list_name", "name", "label"], ["l", "a", "A"], ["l", "b", "B"], ["l", "c", "C"]]
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", survey, choices,
                                           [["form_id"], ["central"]]))
    main_csv = ("SubmissionDate,loc-Latitude,loc-Longitude,loc-Altitude,loc-Accuracy,q1,q1/a,"
                "q1/b,g1-q2,g1-q2/c,meta-instanceID,KEY,SubmitterID\n"
                "2024-05-01T10:00:02.000Z,47.6,-122.3,26.8,3.1,b,0,1,c,1,one,uuid:one,5\n"
                "2024-05-01T10:00:01.000Z,,,,,a b,1,1,,,two,uuid:two,5\n")
    repeat_csv = ("minutes,PARENT_KEY,KEY\n5,uuid:one,uuid:one/visit[1]\n"
                  "7,uuid:one,uuid:one/visit[2]\n9,uuid:two,uuid:two/visit[1]\n")
    with zipfile.ZipFile(tmp_path / "central.zip", "w") as z:
        z.writestr("central.csv", main_csv)
        z.writestr("central-visit.csv", repeat_csv)
    result = study.import_responses(tmp_path / "central.zip")
    assert result.format == "odk" and result.added == 2
    frame = study.responses()
    # Respondents are numbered by submission time: "two" (10:00:01) is respondent 1.
    assert frame.loc[2, "loc"] == "47.6 -122.3 26.8 3.1" and pd.isna(frame.loc[1, "loc"])
    assert frame.loc[1, "q1/a"] and frame.loc[1, "q1/b"] and frame.loc[2, "q2/c"]
    visits = study.responses(repeat="visit")
    assert sorted(zip(visits["respondent"], visits["minutes"], strict=True)) == \
        [(1, 9), (2, 5), (2, 7)]


def test_hxl_tag_row_is_skipped(study, tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_text("kind;staff;_uuid;_submission_time\n#indicator+kind;#affected+num;;\n"
                    "cso;3;u1;2021-09-15T10:00:00\n", encoding="utf-8")
    result = study.import_responses(path)
    assert result.added == 1
    assert any("HXL" in n for n in result.notes)


def test_all_versions_export_adds_other_versions_options_and_questions(new_study, tmp_path):
    survey = [["type", "name", "label"], ["select_multiple coffee", "fav", "Favourite"],
              ["text", "brand", "Brand"]]
    choices = [["list_name", "name", "label"], ["coffee", "french", "French"],
               ["coffee", "american", "American"]]
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "v2.xlsx", survey, choices,
                                           [["form_id"], ["coffee"]]))
    path = tmp_path / "all.csv"
    path.write_text(
        "fav;fav/french;fav/italian;fav/american;brand;old_question;dupe;__version__;_uuid\n"
        "french italian;1;1;0;Breville;kept;;v1;u1\n"
        "american;0;0;1;Saico;;;v2;u2\n", encoding="utf-8")
    before = study.questionnaire
    result = study.import_responses(path)
    assert result.added == 2
    assert any("2 versions" in n for n in result.notes)
    form = study.questionnaire
    assert [c.name for c in form.question("fav").choices] == ["french", "american", "italian"]
    assert form.question("old_question").type == "text"
    assert not form.has("dupe")  # empty in every row: nothing to keep
    frame = study.responses()
    assert frame.loc[1, "fav/italian"] and not frame.loc[2, "fav/italian"]
    assert frame.loc[1, "old_question"] == "kept" and pd.isna(frame.loc[2, "old_question"])
    assert before.question("fav").choices != form.question("fav").choices


def test_one_version_export_still_refuses_unknown_columns(study, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("kind;mystery;__version__;_uuid\ncso;x;v1;u1\n", encoding="utf-8")
    before = snapshot(study)
    with pytest.raises(SyrmakError, match="mystery"):
        study.import_responses(path)
    assert snapshot(study) == before


def test_language_names_become_codes_and_lang_takes_names(typed):
    form = typed.questionnaire
    assert form.languages == ("en", "es")
    out = CliRunner().invoke(main, ["questionnaire", "show", str(typed.folder), "--lang",
                                    "Spanish"])
    assert out.exit_code == 0, out.output
    assert "Dónde" in out.stdout
    out = CliRunner().invoke(main, ["questionnaire", "show", str(typed.folder), "--lang",
                                    "español"])
    assert out.exit_code == 0 and "Dónde" in out.stdout


def test_qualtrics_csv_with_three_header_rows(new_study, tmp_path):
    survey = [["type", "name", "label"], ["select_one yn", "Q1", "Do you agree?"],
              ["select_multiple fruit", "Q2", "Which fruit?"], ["integer", "Q3", "Age"]]
    choices = [["list_name", "name", "label"], ["yn", "1", "Yes"], ["yn", "2", "No"],
               ["fruit", "1", "Apple"], ["fruit", "2", "Pear"], ["fruit", "3", "Plum"]]
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "q.xlsx", survey, choices,
                                           [["form_id"], ["qualtrics"]]))
    rows = [
        ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
         "Finished", "RecordedDate", "ResponseId", "RecipientEmail", "Q1", "Q2", "Q3"],
        ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration",
         "Finished", "Recorded Date", "Response ID", "Recipient Email", "Do you agree?",
         "Which fruit? - Selected Choice", "Age"],
        ['{"ImportId":"startDate"}', '{"ImportId":"endDate"}', '{"ImportId":"status"}',
         '{"ImportId":"ipAddress"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
         '{"ImportId":"finished"}', '{"ImportId":"recordedDate"}', '{"ImportId":"_recordId"}',
         '{"ImportId":"recipientEmail"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2"}',
         '{"ImportId":"QID3"}'],
        ["2024-01-01 10:00:00", "2024-01-01 10:05:00", "0", "10.0.0.1", "100", "300", "1",
         "2024-01-01 10:05:01", "R_abc", "x@example.org", "1", "1,3", "34"],
        ["2024-01-02 10:00:00", "2024-01-02 10:01:00", "0", "10.0.0.2", "40", "60", "0",
         "2024-01-02 10:01:01", "R_def", "", "2", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = tmp_path / "qualtrics.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    result = study.import_responses(path)
    assert result.format == "qualtrics" and result.added == 1
    assert any("unfinished" in n for n in result.notes)
    frame = study.responses()
    assert frame.loc[1, "Q1"] == "Yes" and frame.loc[1, "Q3"] == 34
    assert frame.loc[1, "Q2/1"] and frame.loc[1, "Q2/3"] and not frame.loc[1, "Q2/2"]
    assert study.import_responses(path).added == 0  # ResponseId is the submission id
