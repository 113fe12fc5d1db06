"""Selects whose options live outside the form (select_one_from_file, select_multiple_from_file,
select_one_external): the questionnaire cannot list them, so the codes seen in the data are
the options, each labelled by the code, in frequencies, crosstabs and the report's draft."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from syrmak.analysis import tables
from syrmak.cli import main
from tests.forms import write_xlsform

SURVEY = [
    ["type", "name", "label", "choice_filter"],
    ["select_one_from_file cities.csv", "city", "City"],
    ["select_multiple_from_file langs.csv", "langs", "Languages"],
    ["select_one yn", "ok", "Satisfied?"],
    # An external select is a filtered one (pyxform refuses it otherwise).
    ["select_one_external region", "region", "Region", "happy=${ok}"],
    ["begin repeat", "trip", "Trips"],
    ["select_one_from_file cities.csv", "trip_city", "Trip to"],
    ["end repeat"],
]
CHOICES = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]
# An external select names its list on this sheet; ODK ships it as itemsets.csv.
EXTERNAL = [["list_name", "name", "label", "happy"], ["region", "north", "North", "yes"]]
ROWS = ("city,langs,region,ok,_uuid,_submission_time,_index\n"
        "madrid,es en,north,yes,u1,2024-01-01T10:00:00,1\n"
        "lima,es,south,no,u2,2024-01-01T11:00:00,2\n"
        "madrid,,south,yes,u3,2024-01-01T12:00:00,3\n"
        "10,qu es,,yes,u4,2024-01-01T13:00:00,4\n")


@pytest.fixture
def filed(new_study, tmp_path):
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", SURVEY, CHOICES,
                                           [["form_id"], ["files"]], external_choices=EXTERNAL))
    return study


def _csv(tmp_path, text=ROWS, name="kobo.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _json(args):
    out = CliRunner().invoke(main, [*args, "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_the_form_lists_no_options(filed):
    form = filed.questionnaire
    for name in ("city", "langs", "region", "trip_city"):
        assert form.question(name).open_choices and not form.question(name).choices
    assert form.question("city").source_type == "select_one_from_file cities.csv"


def test_codes_seen_become_options_labelled_by_the_code(filed, tmp_path):
    result = filed.import_responses(_csv(tmp_path))
    assert result.added == 4
    form = filed.questionnaire
    # Numbers first by value, then texts A-Z; each marked as known from the data.
    assert [(c.name, c.label()) for c in form.question("city").choices] == \
        [("10", "10"), ("lima", "lima"), ("madrid", "madrid")]
    assert all(c.from_data for c in form.question("city").choices)
    assert [c.name for c in form.question("langs").choices] == ["en", "es", "qu"]
    # pyxform keeps an external list's sheet out of the form: both codes are the data's.
    assert [c.name for c in form.question("region").choices] == ["north", "south"]
    assert any("'lima'" in n and "'city'" in n for n in result.notes)


def test_freq_counts_each_code(filed, tmp_path):
    filed.import_responses(_csv(tmp_path))
    table = _json(["freq", str(filed.folder), "city"])
    assert table["names"] == ["10", "lima", "madrid"]
    assert table["rows"] == ["10", "lima", "madrid"]
    assert table["counts"] == [[1], [1], [2]] and table["valid"] == 4
    langs = _json(["freq", str(filed.folder), "langs"])
    assert langs["names"] == ["en", "es", "qu"] and langs["counts"] == [[1], [3], [1]]
    assert langs["answered"] == 3
    region = _json(["freq", str(filed.folder), "region"])
    assert region["names"] == ["north", "south"] and region["counts"] == [[1], [2]]


def test_crosstab_sides_and_filters(filed, tmp_path):
    filed.import_responses(_csv(tmp_path))
    table = _json(["crosstab", str(filed.folder), "city", "ok"])
    assert table["rows"] == ["10", "lima", "madrid"]
    assert table["counts"] == [[1, 0], [0, 1], [2, 0]]
    table = _json(["crosstab", str(filed.folder), "ok", "langs"])
    assert table["column_names"] == ["en", "es", "qu"]
    table = _json(["freq", str(filed.folder), "ok", "--where", "city = madrid"])
    assert table["counts"] == [[2], [0]]


def test_repeat_records_add_their_codes(filed, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    main_sheet = book.active
    main_sheet.title = "files"
    for row in [["city", "ok", "_uuid", "_submission_time", "_index"],
                ["lima", "yes", "u1", "2024-01-01T10:00:00", 1]]:
        main_sheet.append(row)
    trips = book.create_sheet("trip")
    for row in [["trip_city", "_index", "_parent_index"], ["cusco", 1, 1], ["quito", 2, 1]]:
        trips.append(row)
    book.save(tmp_path / "kobo.xlsx")
    filed.import_responses(tmp_path / "kobo.xlsx")
    assert [c.name for c in filed.questionnaire.question("trip_city").choices] == \
        ["cusco", "quito"]
    table = _json(["freq", str(filed.folder), "trip_city"])
    assert table["names"] == ["cusco", "quito"] and table["counts"] == [[1], [1]]


def test_answers_stored_before_the_codes_were_options_still_count(filed, tmp_path):
    """A frame holding codes its questionnaire does not list (a study imported before the
    codes became options, a frame built by hand) is counted by code, not refused."""
    before = filed.questionnaire
    filed.import_responses(_csv(tmp_path))
    frame = filed.responses()
    result = tables.frequencies(before, frame, "city")
    assert result.names == ("10", "lima", "madrid") and result.counts == (1.0, 1.0, 2.0)
    multiple = tables.multiple_response(before, frame, "langs")
    assert multiple.names == ("en", "es", "qu") and multiple.counts == (1.0, 3.0, 1.0)
    cross = tables.crosstab(before, frame, "city", "ok")
    assert cross.rows == ("10", "lima", "madrid")


def test_report_draft_has_the_file_selects(filed, tmp_path):
    from syrmak.report import load_spec

    filed.import_responses(_csv(tmp_path))
    out = CliRunner().invoke(main, ["report", str(filed.folder), "--draft", "--quiet",
                                    "--format", "html"])
    assert out.exit_code == 0, out.output
    spec = load_spec(filed.folder / "report.yaml")
    drafted = {t.analysis.args["question"]: t.analysis.kind for t in spec.tables}
    assert drafted["city"] == "frequencies" and drafted["langs"] == "multiple"
    html = next(filed.folder.glob("**/*.html")).read_text(encoding="utf-8")
    assert "madrid" in html and "qu" in html


def test_a_frame_built_in_code_takes_the_codes(filed):
    from syrmak.analysis.frames import build_frame

    form = filed.questionnaire
    frame = build_frame(form, {"city": ["lima", "madrid", None, "lima"],
                               "langs": [["es"], ["es", "en"], None, []]})
    assert tables.frequencies(form, frame, "city").counts == (2.0, 1.0)
    multiple = tables.multiple_response(form, frame, "langs")
    assert multiple.names == ("en", "es") and multiple.counts == (1.0, 2.0)
