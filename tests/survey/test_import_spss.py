"""SPSS .sav files written with pyreadstat: numeric codes with value labels, dichotomy
variables, and multiple-response sets (added to the file's dictionary by hand, since
pyreadstat reads them but cannot write them)."""

from __future__ import annotations

import datetime as dt
import struct

import pandas as pd
import pyreadstat
import pytest

from tests.forms import write_xlsform
from tests.survey.test_import_support import snapshot

KIND = {1.0: "Зарегистрированная организация", 2.0: "Независимый активист"}
AGREE = {1.0: "Не согласен", 2.0: "Затрудняюсь ответить", 3.0: "Согласен"}
TICK = {0.0: "Не выбрано", 1.0: "Выбрано"}


def add_mr_sets(path, text: str) -> None:
    """Insert an MRSETS record (type 7, subtype 7) before the dictionary's end (type 999)."""
    data = bytearray(path.read_bytes())

    def i32(at: int) -> int:
        return struct.unpack_from("<i", data, at)[0]

    pos = 176  # after the file header
    while (record := i32(pos)) != 999:
        if record == 2:  # a variable: label and missing values follow
            has_label, missing = i32(pos + 8), i32(pos + 12)
            pos += 32
            if has_label:
                pos += 4 + (i32(pos) + 3) // 4 * 4
            pos += abs(missing) * 8
        elif record == 3:  # value labels
            count, pos = i32(pos + 4), pos + 8
            for _ in range(count):
                pos += 8 + (data[pos + 8] + 8) // 8 * 8
        elif record == 4:
            pos += 8 + 4 * i32(pos + 4)
        elif record == 6:
            pos += 8 + 80 * i32(pos + 4)
        elif record == 7:
            pos += 16 + i32(pos + 8) * i32(pos + 12)
        else:
            raise ValueError(f"unexpected record {record} at {pos}")
    body = text.encode("utf-8")
    data[pos:pos] = struct.pack("<iiii", 7, 7, 1, len(body)) + body
    path.write_bytes(bytes(data))


def frame(spheres: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "id": [1.0, 2.0, 3.0],
        "submitdate": pd.to_datetime(["2021-09-15 10:00", "2021-09-14 09:00", "2021-09-16 08:00"]),
        "kind": [1.0, 2.0, 2.0],
        **spheres,
        "staff": [12.0, float("nan"), 3.0],
        "budget": [1.5, float("nan"), 0.25],
        "founded": [dt.date(2003, 9, 15), None, dt.date(2019, 1, 31)],
        "trust": [3.0, 1.0, float("nan")],
        "hope": [2.0, 2.0, 3.0],
        "story": ["Нет денег", "", "Карантин"],
        "contact": ["+7 701 000 00 01", "", ""],
    })


def write(path, data: pd.DataFrame, labels: dict, kind: str = "kind") -> None:
    pyreadstat.write_sav(
        data.rename(columns={"kind": kind}), str(path),
        column_labels={kind: "Кого вы представляете?"},
        variable_value_labels={kind: KIND, "trust": AGREE, "hope": AGREE, **labels},
    )


def check_common(study) -> pd.DataFrame:
    result_frame = study.responses(lang="en")
    # Numbers follow submitdate: id 2 (14.09) is respondent 1.
    assert result_frame["kind"].tolist() == ["Independent activist", "Registered CSO",
                                             "Independent activist"]
    assert result_frame["trust"].tolist()[:2] == ["Disagree", "Agree"]
    assert pd.isna(result_frame.loc[3, "trust"])
    assert result_frame["hope"].tolist() == ["Difficult to answer", "Difficult to answer",
                                             "Agree"]
    assert result_frame["staff"].tolist() == [pd.NA, 12, 3]
    assert result_frame["budget"].tolist()[1:] == [1.5, 0.25]
    assert result_frame.loc[2, "founded"] == pd.Timestamp("2003-09-15")
    assert result_frame.loc[3, "story"] == "Карантин"
    return result_frame


def test_dichotomy_variables_named_q_option(study, tmp_path):
    path = tmp_path / "civic.sav"
    spheres = {"sphere_rights": [1.0, 0.0, 0.0], "sphere_women": [0.0, 1.0, 0.0],
               "sphere_eco": [1.0, 0.0, 0.0]}
    write(path, frame(spheres), {name: TICK for name in spheres})
    result = study.import_responses(path)
    assert result.format == "spss" and result.added == 3 and result.contacts_stored == 1
    flags = check_common(study)[["sphere/rights", "sphere/women", "sphere/eco"]]
    assert flags.loc[2].tolist() == [True, False, True]
    assert flags.loc[1].tolist() == [False, True, False]
    assert flags.loc[3].tolist() == [False, False, False]  # answered: none ticked
    again = study.import_responses(path)
    assert again.added == 0  # the id column keys the responses


def test_dichotomy_set(study, tmp_path):
    """Variable names that say nothing: only the MR set ties them to 'sphere'."""
    path = tmp_path / "mr.sav"
    spheres = {"v5": [2.0, 1.0, 1.0], "v6": [1.0, 2.0, 1.0], "v7": [2.0, 1.0, 1.0]}
    # "V1" is known by its variable label only.
    write(path, frame(spheres), {}, kind="V1")
    add_mr_sets(path, "$sphere=D1 2 12 Sphere areas v5 v6 v7\n")  # 2 counts as ticked
    assert pyreadstat.read_sav(str(path), metadataonly=True)[1].mr_sets["sphere"]
    study.import_responses(path)
    flags = check_common(study)[["sphere/rights", "sphere/women", "sphere/eco"]]
    assert flags.loc[2].tolist() == [True, False, True]
    assert flags.loc[1].tolist() == [False, True, False]


def test_category_set(study, tmp_path):
    path = tmp_path / "cat.sav"
    codes = {1.0: "Права человека, юридическая помощь", 2.0: "Права женщин", 3.0: "Экология"}
    spheres = {"sph_a": [1.0, 2.0, float("nan")], "sph_b": [3.0, float("nan"), float("nan")]}
    write(path, frame(spheres), {"sph_a": codes, "sph_b": codes})
    add_mr_sets(path, "$sphere=C 5 Areas sph_a sph_b\n")
    study.import_responses(path)
    flags = check_common(study)[["sphere/rights", "sphere/women", "sphere/eco"]]
    assert flags.loc[2].tolist() == [True, False, True]
    assert flags.loc[1].tolist() == [False, True, False]
    assert flags.loc[3].isna().all()


def test_unlabelled_code_is_refused(study, tmp_path):
    path = tmp_path / "bad.sav"
    data = frame({})
    data.loc[1, "kind"] = 7.0
    write(path, data, {})
    before = snapshot(study)
    from syrmak.errors import SyrmakError
    with pytest.raises(SyrmakError) as caught:
        study.import_responses(path)
    where = caught.value.location
    assert (where.file, where.row, where.column, where.value) == ("bad.sav", 3, "kind", "7")
    assert snapshot(study) == before


def test_repeated_id_is_not_the_identity(study, tmp_path):
    """Two cases sharing an id are two respondents, and the import says why."""
    path = tmp_path / "twice.sav"
    data = frame({})
    data.loc[2, "id"] = 1.0
    write(path, data, {})
    result = study.import_responses(path)
    assert result.added == 3
    assert any("repeats values" in n for n in result.notes)
    assert study.import_responses(path).added == 0


def test_a_case_with_every_answer_missing_is_kept(new_study, tmp_path):
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", [
        ["type", "name", "label"], ["integer", "a", "A"], ["integer", "b", "B"]],
        [["list_name", "name", "label"]], [["form_id"], ["m"]]))
    path = tmp_path / "m.sav"
    pyreadstat.write_sav(pd.DataFrame({"a": [1.0, float("nan")], "b": [2.0, float("nan")]}),
                         str(path))
    assert study.import_responses(path).added == 2


@pytest.mark.parametrize("kind", ["zsav", "por"])
def test_compressed_and_portable_files(new_study, tmp_path, kind):
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", [
        ["type", "name", "label"], ["integer", "A", "A"], ["select_one l", "B", "B"]],
        [["list_name", "name", "label"], ["l", "1", "one"], ["l", "2", "two"]],
        [["form_id"], ["m"]]))
    data = pd.DataFrame({"A": [1.0, 5.0], "B": [2.0, 1.0]})
    path = tmp_path / f"m.{kind}"
    if kind == "zsav":
        pyreadstat.write_sav(data, str(path), compress=True)
    else:
        pyreadstat.write_por(data, str(path))
    result = study.import_responses(path)
    assert result.format == "spss" and result.added == 2
    assert sorted(study.responses()["B"].tolist()) == ["one", "two"]


def test_scale_labelled_at_its_ends_needs_no_option_per_code(new_study, tmp_path):
    """Options named by the file's codes: unlabelled codes of a labelled variable are
    options too (a new questionnaire version says so), in numeric order."""
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", [
        ["type", "name", "label"], ["select_one rate", "rate", "Rate"]],
        [["list_name", "name", "label"], ["rate", "1", "very poor"], ["rate", "10", "very good"]],
        [["form_id"], ["s"]]))
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(pd.DataFrame({"rate": [1.0, 7.0, 10.0, 3.0]}), str(path),
                         variable_value_labels={"rate": {1.0: "very poor", 10.0: "very good"}})
    result = study.import_responses(path)
    assert result.added == 4
    assert any("option(s) '7', '3' of 'rate'" in n for n in result.notes)
    rate = study.questionnaire.question("rate")
    assert [c.name for c in rate.choices] == ["1", "3", "7", "10"]
    assert study.responses()["rate"].tolist() == ["very poor", "7", "very good", "3"]
