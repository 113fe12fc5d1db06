"""Plain CSV: names or labels as headers and values, any delimiter, Russian encodings."""

from __future__ import annotations

import pandas as pd
import pytest

from syrmak.errors import SyrmakError
from syrmak.survey import readers
from tests.survey.test_import_support import EN, RU, csv_text, write_csv

NAMES = [["kind", "sphere", "sphere_other", "staff", "budget", "founded", "trust", "story"],
         ["cso", "rights eco", "", "12", "1.5", "2003-09-15", "agree", "Нет денег"],
         ["independent", "women other", "животные", "", "", "", "neutral", ""]]
RU_LABELS = [[RU["kind"], RU["sphere"], RU["staff"], RU["budget"], RU["trust"], RU["story"]],
             ["Зарегистрированная организация", "Права человека, юридическая помощь; Экология",
              "12", "1,5", "Согласен", "Нет денег"],
             ["Независимый активист", "Права женщин; животные", "", "", "Затрудняюсь ответить",
              ""]]


def check(study, budget: bool = True) -> None:
    frame = study.responses(lang="en")
    assert frame["kind"].tolist() == ["Registered CSO", "Independent activist"]
    assert frame.loc[1, ["sphere/rights", "sphere/women", "sphere/eco", "sphere/other"]
                     ].tolist() == [True, False, True, False]
    assert frame.loc[2, ["sphere/women", "sphere/other"]].tolist() == [True, True]
    assert frame.loc[2, "sphere_other"] == "животные"
    assert frame["staff"].tolist() == [12, pd.NA]
    if budget:
        assert frame["budget"].tolist() == [1.5, pd.NA]
    assert frame["trust"].tolist() == ["Agree", "Difficult to answer"]


def test_names_as_headers_and_values(study, tmp_path):
    result = study.import_responses(write_csv(tmp_path / "r.csv", NAMES), format="csv")
    assert result.format == "csv" and result.added == 2
    check(study)


def test_labels_as_headers_and_values(study, tmp_path):
    result = study.import_responses(write_csv(tmp_path / "r.csv", RU_LABELS))
    assert result.format == "csv" and result.added == 2
    check(study)


def test_english_labels_and_split_columns(study, tmp_path):
    rows = [[EN["kind"], "sphere/rights", "sphere/women", "sphere/eco", "sphere/other",
             "sphere_other", EN["staff"], EN["trust"]],
            ["Registered CSO", "1", "0", "1", "0", "", "12", "Agree"],
            ["Independent activist", "0", "1", "0", "1", "животные", "", "Difficult to answer"]]
    study.import_responses(write_csv(tmp_path / "r.csv", rows))
    check(study, budget=False)


@pytest.mark.parametrize("encoding, delimiter, note", [
    ("cp1251", ";", "Windows-1251"),       # Excel, Russian locale, "CSV (разделители - запятые)"
    ("utf-8-sig", ";", "byte-order mark"),  # Excel "CSV UTF-8"
    ("utf-8-sig", ",", "byte-order mark"),
    ("koi8_r", ",", "KOI8-R"),
    ("utf-16", "\t", "UTF-16"),             # Excel "Unicode text"
])
def test_russian_encodings_and_delimiters(study, tmp_path, encoding, delimiter, note):
    path = write_csv(tmp_path / "r.csv", RU_LABELS, delimiter=delimiter, encoding=encoding)
    result = study.import_responses(path, format="csv")
    assert any(note in n for n in result.notes), result.notes
    check(study)


def test_semicolon_file_with_format_csv_is_detected(study, tmp_path):
    path = write_csv(tmp_path / "r.csv", NAMES, delimiter=";")
    result = study.import_responses(path, format="csv")
    assert "columns separated by ';'" in result.notes
    check(study)


def test_identical_rows_are_two_respondents_and_reimport_finds_both(study, tmp_path):
    rows = [["kind", "trust"], ["cso", "agree"], ["cso", "agree"], ["independent", "agree"]]
    path = write_csv(tmp_path / "r.csv", rows)
    assert study.import_responses(path).added == 3
    again = study.import_responses(path)
    assert (again.added, again.duplicates) == (0, 3)


def test_uuid_column_keys_rows(study, tmp_path):
    rows = [["uuid", "kind"], ["u-1", "cso"], ["u-2", "cso"]]
    study.import_responses(write_csv(tmp_path / "a.csv", rows))
    more = [["uuid", "kind"], ["u-2", "cso"], ["u-3", "independent"]]
    result = study.import_responses(write_csv(tmp_path / "b.csv", more))
    assert (result.added, result.numbers) == (1, (3,))


def test_unix_and_mac_line_ends_and_quoted_line_breaks(study, tmp_path):
    text = csv_text([["kind", "story"], ["cso", "строка 1\nстрока 2"], ["independent", "x"]],
                    lineterminator="\n")
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    study.import_responses(path)
    assert study.responses().loc[1, "story"] == "строка 1\nстрока 2"


def test_missing_questions_are_noted(study, tmp_path):
    result = study.import_responses(write_csv(tmp_path / "r.csv", [["kind"], ["cso"]]))
    assert any("no column for question(s)" in n and "staff" in n for n in result.notes)


NUL_ROWS = [["kind", "sphere", "sphere_other", "staff", "trust", "story"],
            ["c\x00so", "rights\x00 eco", "", "1\x002", "agree", "Нет\x00 денег"],
            ["independent", "women other", "живот\x00ные", "", "neutral\x00", "\x00"]]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
def test_nul_characters_are_removed_from_cells(study, tmp_path, encoding):
    """Real exports carry stray NULs in answers; PostgreSQL refuses them in text (the
    store fixture runs this on both stores), and no answer means one."""
    path = write_csv(tmp_path / "r.csv", NUL_ROWS, encoding=encoding)
    assert b"\x00" in path.read_bytes()
    result = study.import_responses(path, format="csv")
    assert result.added == 2
    assert any("7 NUL character(s) removed" in n and "line 2" in n for n in result.notes)
    frame = study.responses(lang="en")
    assert frame["kind"].tolist() == ["Registered CSO", "Independent activist"]
    assert frame.loc[1, ["sphere/rights", "sphere/eco"]].tolist() == [True, True]
    assert frame.loc[2, "sphere_other"] == "животные"
    assert frame["staff"].tolist() == [12, pd.NA]
    assert frame["trust"].tolist() == ["Agree", "Difficult to answer"]
    assert frame.loc[1, "story"] == "Нет денег" and pd.isna(frame.loc[2, "story"])


def test_a_nul_in_the_header_is_binary_data(study, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"kind\x00,story\ncso,x\n")
    with pytest.raises(SyrmakError, match="binary data") as caught:
        study.import_responses(path, format="csv")
    assert caught.value.location.line == 1


def test_csv_cells_are_plain_object_columns(tmp_path):
    """Not pandas' string dtype (pandas 3 makes it the default, backed by pyarrow where it
    is installed): the import's decoders expect object strings."""
    path = write_csv(tmp_path / "r.csv", NAMES)
    raw = readers.read_text_table(path, lambda header: 0)
    assert len(raw.cells.columns) == len(NAMES[0])
    assert [str(dtype) for dtype in raw.cells.dtypes] == ["object"] * len(NAMES[0])
    assert raw.cells.loc[2, 0] == "cso"
