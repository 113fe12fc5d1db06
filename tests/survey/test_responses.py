"""The response frame contract that analyses rely on."""

from __future__ import annotations

import pandas as pd
import pytest

from syrmak.errors import SyrmakError

CSV = (
    "Отметка времени,Кого вы представляете?,Сферы работы,Сколько человек в команде?,"
    "\"Бюджет, млн тенге\",Дата основания,Я доверяю власти,Я надеюсь на перемены,"
    "Расскажите о трудностях,Контакты коллег\n"
    "16.09.2021 11:00:00,Независимый активист,\"Права человека, юридическая помощь, Экология\","
    "3,\"1,5\",01.02.2015,Согласен,Не согласен,Трудно,a.colleague@example.org\n"
    "15.09.2021 10:00:00,Зарегистрированная организация,\"Права женщин, своё дело\",12,,,"
    "Затрудняюсь ответить,Согласен,,\n"
    "17.09.2021 09:00:00,Зарегистрированная организация,,,,,,,,\n"
)


@pytest.fixture
def answered(study, tmp_path):
    path = tmp_path / "g.csv"
    path.write_text(CSV, encoding="utf-8")
    result = study.import_responses(path)
    assert result.format == "google-forms" and result.added == 3
    return study


def test_frame_contract(answered):
    frame = answered.responses(lang="en")
    assert frame.index.name == "respondent"
    assert list(frame.index) == [1, 2, 3]
    # Numbers follow submission time: the 15.09 row is respondent 1.
    assert frame.loc[1, "kind"] == "Registered CSO" and frame.loc[2, "kind"] == "Independent activist"
    kind = frame["kind"]
    assert isinstance(kind.dtype, pd.CategoricalDtype) and kind.cat.ordered
    assert list(kind.cat.categories) == ["Registered CSO", "Independent activist"]
    assert list(frame["trust"].cat.categories) == ["Disagree", "Difficult to answer", "Agree"]
    assert str(frame["sphere/rights"].dtype) == "boolean"
    assert frame.loc[2, ["sphere/rights", "sphere/women", "sphere/eco", "sphere/other"]].tolist() == [
        True, False, True, False]
    assert frame.loc[1, "sphere/other"] and frame.loc[1, "sphere_other"] == "своё дело"
    assert frame.loc[3, ["sphere/rights", "sphere/eco"]].isna().all()  # not answered: <NA>
    assert str(frame["staff"].dtype) == "Int64" and frame.loc[1, "staff"] == 12
    assert str(frame["budget"].dtype) == "Float64" and frame.loc[2, "budget"] == 1.5
    assert frame.loc[2, "founded"] == pd.Timestamp("2015-02-01")
    assert str(frame["story"].dtype).startswith("string")
    assert "contact" not in frame.columns and "thanks" not in frame.columns


def test_frame_in_russian_and_selected_questions(answered):
    frame = answered.responses(lang="ru", questions=["kind", "sphere"])
    assert list(frame.columns) == ["kind", "sphere/rights", "sphere/women", "sphere/eco", "sphere/other"]
    assert frame.loc[2, "kind"] == "Независимый активист"


def test_unknown_language_or_question(answered):
    with pytest.raises(SyrmakError, match="no language"):
        answered.responses(lang="de")
    with pytest.raises(SyrmakError, match="no question 'kindd'"):
        answered.responses(questions=["kindd"])


def test_contacts_only_with_key(answered):
    contacts = answered.contacts()
    assert contacts.table.to_dict("records") == [
        {"respondent": 2, "question": "contact", "kind": "personal",
         "value": "a.colleague@example.org", "note": None}]


def test_empty_study_frame(study):
    frame = study.responses()
    assert len(frame) == 0 and "kind" in frame.columns
