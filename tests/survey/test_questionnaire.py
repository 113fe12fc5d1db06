"""XLSForm loading: every supported type, languages, personal data, broken forms."""

from __future__ import annotations

import pytest

from syrmak.errors import SyrmakError
from syrmak.survey.instrument import Questionnaire
from syrmak.survey.show import describe
from syrmak.survey.xlsform import load_xlsform, parse_language
from tests.forms import CHOICES, SETTINGS, SURVEY, write_xlsform


def test_form_becomes_frozen_dataclasses(form_path):
    form = load_xlsform(form_path)
    assert form.form_id == "test_form" and form.version == "3"
    assert form.languages == ("ru", "en") and form.default_language == "ru"
    assert [s.name for s in form.sections] == ["about", "views"]
    types = {q.name: q.type for q in form.questions}
    assert types == {"kind": "select_one", "sphere": "select_multiple", "sphere_other": "text",
                     "staff": "integer", "budget": "decimal", "founded": "date", "trust": "select_one",
                     "hope": "select_one", "story": "text", "thanks": "note", "contact": "text"}
    kind = form.question("kind")
    assert kind.required and kind.section == "about"
    assert kind.label("en") == "Whom do you represent?"
    assert [c.label("ru") for c in kind.choices] == ["Зарегистрированная организация", "Независимый активист"]
    sphere = form.question("sphere")
    assert sphere.or_other and sphere.choices[-1].name == "other"
    assert sphere.choices[-1].label("ru") == "Другое"
    assert form.question("contact").personal_data and not kind.personal_data
    assert form.question("trust").list_name == form.question("hope").list_name == "agree"
    assert "thanks" not in {q.name for q in form.answered}
    with pytest.raises(AttributeError):
        form.title = "x"  # frozen


def test_round_trip_through_json(form_path):
    form = load_xlsform(form_path)
    again = Questionnaire.from_dict(form.to_dict())
    assert again == form
    assert again.question("sphere").choices[0].label("en") == "Human rights, legal aid"


@pytest.mark.parametrize("header, code", [
    ("label::Russian (ru)", "ru"), ("label::Russian(ru)", "ru"), ("Label: Russian (ru)", "ru"),
    ("label::ru", "ru"), ("label::Russian", "ru"), ("label:: Русский", "ru"), ("label::Kazakh (kk)", "kk"),
])
def test_language_header_spellings(tmp_path, header, code):
    survey = [[header if c.startswith("label::Russian") else c for c in SURVEY[0]], *SURVEY[1:]]
    choices = [[header if c.startswith("label::Russian") else c for c in CHOICES[0]], *CHOICES[1:]]
    settings = [SETTINGS[0], ["Тест", "test_form", "3", ""]]
    form = load_xlsform(write_xlsform(tmp_path / "f.xlsx", survey, choices, settings))
    assert code in form.languages
    assert form.question("kind").label(code) == "Кого вы представляете?"
    assert form.question("kind").label("en") == "Whom do you represent?"


def test_parse_language():
    assert parse_language("English (en)") == ("en", "English (en)")
    assert parse_language("en") == ("en", "English (en)")
    assert parse_language("Russian") == ("ru", "Russian (ru)")


def test_unknown_choice_list_names_file_sheet_row(tmp_path):
    survey = [*SURVEY[:3], ["select_one agree5", "bad", "Плохо", "Bad"], *SURVEY[3:]]
    with pytest.raises(SyrmakError) as info:
        load_xlsform(write_xlsform(tmp_path / "f.xlsx", survey))
    error = info.value
    assert error.code == "bad-xlsform"
    assert error.location.file == "f.xlsx"
    assert error.location.row == 4
    assert "agree5" in str(error) and "Fix:" in str(error)


def test_common_types_are_classified_by_what_pyxform_resolves(tmp_path):
    """Aliases pyxform accepts are the type they resolve to; every answer type is kept."""
    survey = [*SURVEY,
              ["geopoint", "where", "Где", "Where"],
              ["phone number", "phone", "Телефон", "Phone"],
              ["string", "nick", "Ник", "Nickname"],
              ["range", "score", "Оценка", "Score"],
              ["image", "photo", "Фото", "Photo"],
              ["time", "when", "Время", "Time"],
              ["dateTime", "moment", "Момент", "Moment"],
              ["barcode", "code", "Код", "Code"],
              ["rank agree", "ranking", "Порядок", "Ranking"]]
    form = load_xlsform(write_xlsform(tmp_path / "f.xlsx", survey))
    types = {q.name: (q.type, q.source_type) for q in form.questions}
    assert types["where"] == ("geopoint", None)
    assert types["phone"] == ("text", "phone number")
    assert types["nick"] == ("text", "string")
    assert types["score"] == ("integer", "range")
    assert types["photo"][0] == "media"
    assert types["when"] == ("time", None)
    assert types["moment"] == ("datetime", "dateTime")
    assert types["code"] == ("barcode", None)
    assert types["ranking"] == ("rank", None)
    assert [c.name for c in form.question("ranking").choices] == \
        [c.name for c in form.question("trust").choices]
    assert Questionnaire.from_dict(form.to_dict()) == form


def test_every_problem_of_a_form_is_reported_at_once(tmp_path):
    survey = [*SURVEY[:-1], ["text", "contact", "К", "C", "", "", "maybe"],
              ["text", "other_contact", "К2", "C2", "", "", "perhaps"]]
    with pytest.raises(SyrmakError) as info:
        load_xlsform(write_xlsform(tmp_path / "f.xlsx", survey))
    assert "2 problems" in str(info.value)
    assert "maybe" in str(info.value) and "perhaps" in str(info.value)


def test_bad_personal_data_value(tmp_path):
    survey = [*SURVEY[:-1], ["text", "contact", "К", "C", "", "", "maybe"]]
    with pytest.raises(SyrmakError) as info:
        load_xlsform(write_xlsform(tmp_path / "f.xlsx", survey))
    assert info.value.location.column == "personal_data"
    assert "maybe" in str(info.value)


@pytest.mark.parametrize("content", [b"this is not a workbook", b"PK\x03\x04broken zip"])
def test_corrupted_workbook(tmp_path, content):
    path = tmp_path / "form.xlsx"
    path.write_bytes(content)
    with pytest.raises(SyrmakError) as info:
        load_xlsform(path)
    assert info.value.code == "corrupt-workbook"
    assert info.value.location.file == "form.xlsx"


def test_missing_file(tmp_path):
    with pytest.raises(SyrmakError, match="file not found"):
        load_xlsform(tmp_path / "nope.xlsx")


def test_study_keeps_questionnaire(study):
    assert study.questionnaire.form_id == "test_form"
    assert study.questionnaire.question("staff").type == "integer"


def test_unknown_question_suggests(study):
    with pytest.raises(SyrmakError) as info:
        study.questionnaire.question("stafff")
    assert "'staff'" in info.value.hint


def test_describe_in_english(study):
    text = describe(study.questionnaire, "en")
    assert "kind (select_one): Whom do you represent?  [required]" in text
    assert "personal data -> vault" in text
    with pytest.raises(SyrmakError, match="no language 'de'"):
        describe(study.questionnaire, "de")


def test_new_version_must_keep_answered_options(study, tmp_path):
    study.import_responses(_one_row_csv(tmp_path))
    choices = [row for row in CHOICES if row[1] != "eco"]
    with pytest.raises(SyrmakError, match="drops option"):
        study.load_questionnaire(write_xlsform(tmp_path / "v4.xlsx", choices=choices))
    assert study.questionnaire.question("sphere").choices[2].name == "eco"


def _one_row_csv(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("kind,sphere\ncso,rights eco\n", encoding="utf-8")
    return path


def _with_personal_header(tmp_path, header):
    survey = [[header if c == "personal_data" else c for c in SURVEY[0]], *SURVEY[1:]]
    return write_xlsform(tmp_path / "f.xlsx", survey)


@pytest.mark.parametrize("header", [
    "personal_data", "personal data", "personal-data", "Personal_Data", "personal_data ",
    "PERSONAL DATA", "Personal  -  Data", "personal::data", "personal__data",
])
def test_personal_data_header_spellings_protect_the_question(tmp_path, header):
    form = load_xlsform(_with_personal_header(tmp_path, header))
    assert form.question("contact").personal_data
    assert not form.question("story").personal_data


@pytest.mark.parametrize("header", [
    "personaldata", "persnal_data", "personal_dat", "presonal data", "personal", "PII",
    "sensitive", "sensitive data", "personal info", "персональные данные",
])
def test_a_column_that_looks_like_personal_data_is_refused(tmp_path, header):
    with pytest.raises(SyrmakError) as caught:
        load_xlsform(_with_personal_header(tmp_path, header))
    error = caught.value
    assert error.code == "bad-xlsform"
    assert (error.location.file, error.location.sheet, error.location.column) == \
        ("f.xlsx", "survey", header.strip())
    assert f"'{header.strip()}'" in error.message and "personal_data" in error.hint


def test_two_personal_data_columns_are_refused(tmp_path):
    survey = [[*SURVEY[0], "Personal Data"], *SURVEY[1:]]
    with pytest.raises(SyrmakError, match="personal_data") as caught:
        load_xlsform(write_xlsform(tmp_path / "f.xlsx", survey))
    assert caught.value.location.column == "Personal Data"


def test_sheet_named_only_when_the_message_names_a_sheet():
    from pathlib import Path

    from syrmak.survey.xlsform import _where

    assert _where(Path("f.xlsx"), "[row : 5] sheet, the 'calculation' column is empty")[2] \
        == "survey"
    assert _where(Path("f.xlsx"), "[row : 5] On the 'choices' sheet, 'x' is bad")[2] == "choices"


def test_duplicate_column_headers_say_so(tmp_path):
    survey = [["type", "name", "label", "label"], ["text", "a", "A", "B"]]
    with pytest.raises(SyrmakError) as info:
        load_xlsform(write_xlsform(tmp_path / "f.xlsx", survey))
    assert "both headed 'label'" in str(info.value) and "rename" in info.value.hint
