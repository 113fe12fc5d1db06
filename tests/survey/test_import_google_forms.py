"""Google Forms exports: the responses sheet downloaded as CSV (Russian and English)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from tests.survey.test_import_support import EN, RU, store_dump, write_csv

RU_HEADER = ["Отметка времени", RU["kind"], RU["sphere"], RU["staff"], RU["budget"],
             RU["founded"], "Мнения [Я доверяю власти]", "Мнения [Я надеюсь на перемены]",
             RU["story"], RU["contact"]]
RU_ROWS = [
    # Out of time order on purpose: respondent numbers follow the timestamp.
    ["21.09.2021 16:47:43", "Независимый активист",
     "Права человека, юридическая помощь, Права женщин", "1", "0,5", "01.03.2019",
     "Не согласен", "Согласен", "Нет денег, нет офиса", "+7 701 123 45 67"],
    ["20.09.2021 10:23:45", "Зарегистрированная организация",
     "Права человека, юридическая помощь", "12", "1 200,5", "15.09.2003",
     "Затрудняюсь ответить", "Затрудняюсь ответить", "", ""],
    ["22.09.2021 09:00:01", "Независимый активист",
     "Экология, Права женщин, защита животных, и птиц", "", "", "", "", "Согласен",
     "Карантин", "activist@example.org"],
]


def ru_file(tmp_path, rows=RU_ROWS, name="Анкета (Ответы).csv"):
    return write_csv(tmp_path / name, [RU_HEADER, *rows])


def test_russian_export_is_read(study, tmp_path):
    result = study.import_responses(ru_file(tmp_path))
    assert result.format == "google-forms"
    assert (result.rows_read, result.added, result.duplicates) == (3, 3, 0)
    assert result.numbers == (1, 2, 3)
    assert result.contacts_stored == 2
    frame = study.responses(lang="en")
    # 20.09 first, 21.09 second, 22.09 third.
    assert frame["kind"].tolist() == ["Registered CSO", "Independent activist",
                                      "Independent activist"]
    assert frame["staff"].tolist() == [12, 1, pd.NA]
    assert frame["budget"].tolist() == [1200.5, 0.5, pd.NA]
    assert frame["founded"].tolist()[:2] == [pd.Timestamp("2003-09-15"),
                                             pd.Timestamp("2019-03-01")]
    assert frame["trust"].tolist()[:2] == ["Difficult to answer", "Disagree"]
    assert frame["hope"].tolist() == ["Difficult to answer", "Agree", "Agree"]


def test_checkbox_answers_resolve_longest_first_with_other_text(study, tmp_path):
    study.import_responses(ru_file(tmp_path))
    frame = study.responses(lang="en")
    flags = frame[["sphere/rights", "sphere/women", "sphere/eco", "sphere/other"]]
    # "Права человека, юридическая помощь" is one option although it holds ", ".
    assert flags.loc[1].tolist() == [True, False, False, False]
    assert flags.loc[2].tolist() == [True, True, False, False]
    # Google Forms writes the "Other" text last, after the known options.
    assert flags.loc[3].tolist() == [False, True, True, True]
    assert frame.loc[3, "sphere_other"] == "защита животных, и птиц"
    assert pd.isna(frame.loc[1, "sphere_other"])


def test_timestamps_become_submission_times(study, tmp_path):
    study.import_responses(ru_file(tmp_path))
    import sqlalchemy as sa

    from syrmak.store import schema
    with study.engine.connect() as connection:
        times = connection.execute(sa.select(schema.respondents.c.submitted_at)
                                   .order_by(schema.respondents.c.number)).scalars().all()
    assert [t.strftime("%d.%m %H:%M") for t in times] == ["20.09 10:23", "21.09 16:47",
                                                           "22.09 09:00"]


def test_english_download_quotes_everything_and_has_email_column(study, tmp_path):
    """The Forms "Download responses (.csv)": every field quoted, GMT times, e-mails."""
    header = ["Timestamp", "Email Address", EN["kind"], EN["sphere"], EN["staff"],
              "Views [I trust the authorities]", "Views [I hope for change]", EN["story"]]
    rows = [
        ["2021/09/20 10:23:45 PM GMT+6", "first@example.org", "Registered CSO",
         "Human rights, legal aid, Environment", "3", "Agree", "Disagree", "Funding"],
        ["2021/09/20 9:05:00 AM GMT+6", "second@example.org", "Independent activist",
         "Women's rights", "1", "Disagree", "Agree", ""],
    ]
    path = write_csv(tmp_path / "form.csv", [header, *rows], quoting=csv.QUOTE_ALL)
    result = study.import_responses(path)
    assert result.format == "google-forms" and result.added == 2
    assert any("Email Address" in note for note in result.notes)
    frame = study.responses(lang="en")
    assert frame["kind"].tolist() == ["Independent activist", "Registered CSO"]  # 9:05 AM first
    assert frame.loc[2, ["sphere/rights", "sphere/eco"]].tolist() == [True, True]
    assert frame["trust"].tolist() == ["Disagree", "Agree"]
    dump = store_dump(study)
    assert b"first@example.org" not in dump and b"second@example.org" not in dump


@pytest.mark.parametrize("stamp", ["20.09.2021 10:23:45", "2021/09/20 10:23:45 AM GMT+6",
                                   "9/20/2021 10:23:45", "2021-09-20T04:23:45Z"])
def test_timestamp_spellings(study, tmp_path, stamp):
    path = write_csv(tmp_path / "t.csv", [["Timestamp", EN["kind"]], [stamp, "Registered CSO"]])
    result = study.import_responses(path)
    assert result.added == 1


def test_same_export_twice_is_stored_once_and_later_rows_continue_numbers(study, tmp_path):
    first = study.import_responses(ru_file(tmp_path, RU_ROWS[:2], "early.csv"))
    assert first.numbers == (1, 2)
    again = study.import_responses(ru_file(tmp_path, RU_ROWS[:2], "early.csv"))
    assert (again.added, again.duplicates, again.numbers) == (0, 2, ())
    # A later download holds the old rows and a new one: only the new one is added.
    later = study.import_responses(ru_file(tmp_path, RU_ROWS, "later.csv"))
    assert (later.added, later.duplicates, later.numbers) == (1, 2, (3,))
    assert study.respondent_count == 3
    assert study.responses().loc[3, "story"] == "Карантин"


def test_sheets_copy_with_empty_rows_and_trailing_columns(study, tmp_path):
    """A responses sheet saved from Google Sheets keeps blank rows and empty columns."""
    rows = [[*RU_HEADER, "", ""], [*RU_ROWS[1], "", ""], [""] * 12, [*RU_ROWS[0], "", ""]]
    result = study.import_responses(write_csv(tmp_path / "sheet.csv", rows))
    assert result.added == 2


def test_single_choice_other_text(new_study, tmp_path):
    """A multiple-choice question with "Other": the cell holds the free text itself."""
    from tests.forms import CHOICES, SETTINGS, write_xlsform

    survey = [["type", "name", "label::Russian (ru)", "label::English (en)"],
              ["select_one kind or_other", "kind", RU["kind"], EN["kind"]]]
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", survey, CHOICES, SETTINGS))
    rows = [["Отметка времени", RU["kind"]],
            ["20.09.2021 10:23:45", "Инициативная группа, 5 человек"],
            ["20.09.2021 10:24:45", "Независимый активист"]]
    study.import_responses(write_csv(tmp_path / "g.csv", rows))
    frame = study.responses(lang="en")
    assert frame["kind"].tolist() == ["Other", "Independent activist"]
    assert frame["kind_other"].tolist()[0] == "Инициативная группа, 5 человек"


def test_timestamps_turned_into_numbers_by_excel_name_the_cause(study, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("Timestamp,Кого вы представляете?\n44453.4375,Независимый активист\n",
                    encoding="utf-8")
    from syrmak.errors import SyrmakError

    with pytest.raises(SyrmakError) as info:
        study.import_responses(path)
    assert info.value.code == "excel-serial-time"
    assert "Excel" in str(info.value)
