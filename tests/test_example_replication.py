"""The example study, built through syrmak, reproduces the reference report's numbers.

tests/test_example_data.py checks the raw CSV with plain pandas; this file checks that
the whole path (XLSForm -> import -> store -> frame -> analysis) gives the same tables,
cell by cell at two decimals, and that no contact leaks into anything syrmak wrote.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from syrmak.analysis import crosstab, frequencies, likert, multiple_response
from syrmak.cli import main
from syrmak.examples import build_example
from syrmak.study import Study
from tests.conftest import throwaway_keys

TABLE1 = {  # report: rows x (No experience, Had partnership, Total), % of total
    "Difficult to answer": ["3.23", "3.23", "6.45"],
    "More unimportant than important": ["6.45", "6.45", "12.90"],
    "More important than unimportant": ["12.90", "38.71", "51.61"],
    "Very important": ["3.23", "25.81", "29.03"],
    "Total": ["25.81", "74.19", "100.00"],
}
TABLE2 = {  # rows x (a lot less, a little less, no change, a little more, a lot more, Total)
    "No": ["3.23", "0.00", "0.00", "0.00", "0.00", "3.23"],
    "Partly": ["6.45", "9.68", "0.00", "3.23", "0.00", "19.35"],
    "Yes, fully": ["6.45", "9.68", "29.03", "16.13", "16.13", "77.42"],
    "Total": ["16.13", "19.35", "29.03", "19.35", "16.13", "100.00"],
}
TABLE3 = {
    "difficulty_services": ["16.13", "38.71", "25.81", "19.35", "0.00"],
    "difficulty_fundraising": ["19.35", "41.94", "29.03", "3.23", "6.45"],
    "difficulty_gov_relations": ["25.81", "29.03", "38.71", "6.45", "0.00"],
    "difficulty_obligations": ["6.45", "38.71", "48.39", "3.23", "3.23"],
    "difficulty_team_management": ["19.35", "41.94", "29.03", "9.68", "0.00"],
    "difficulty_team_communication": ["25.81", "32.26", "41.94", "0.00", "0.00"],
}
TABLE4 = {
    "society_engagement": ["16.13", "25.81", "58.06", "0.00"],
    "society_potential": ["22.58", "29.03", "48.39", "0.00"],
    "society_social_capital": ["22.58", "29.03", "45.16", "3.23"],
    "society_known_orgs": ["22.58", "38.71", "35.48", "3.23"],
    "society_new_movements": ["22.58", "29.03", "45.16", "3.23"],
    "society_party_influence": ["38.71", "32.26", "22.58", "6.45"],
}
TABLE4_COLLAPSE = {
    "Strongly disagree / Rather disagree": ["strongly_disagree", "rather_disagree"],
    "Neither agree nor disagree": ["neither"],
    "Strongly agree / Rather agree": ["rather_agree", "strongly_agree"],
}


def two(x: float) -> str:
    return f"{x:.2f}"


@pytest.fixture(scope="module")
def kz(tmp_path_factory):
    keys = tmp_path_factory.mktemp("kz-keys")
    with throwaway_keys(keys):
        folder = tmp_path_factory.mktemp("kz") / "study"
        build_example("kz-civic-2021", folder)
        study = Study.open(folder)
        study.keys = keys
        yield study, study.questionnaire, study.responses(lang="en")
        study.close()


def _with_totals(result) -> dict:
    """Crosstab % of total as the report prints it: cells, row totals, a Total row."""
    rows = {row: [two(p) for p in (*cells, total)] for row, cells, total in
            zip(result.rows, result.percent, result.row_total_percent, strict=True)}
    rows["Total"] = [two(p) for p in (*result.column_total_percent, 100.0)]
    return rows


def _json(result) -> dict:
    data = result.to_json()
    return json.loads(data) if isinstance(data, str) else data


def test_table1(kz):
    _, form, frame = kz
    table = crosstab(form, frame, "gov_partnership_importance", "gov_experience_before",
                     percent="total", lang="en")
    assert table.base == 31
    assert _with_totals(table) == TABLE1


def test_table2(kz):
    _, form, frame = kz
    table = crosstab(form, frame, "adaptation", "effectiveness_change", percent="total", lang="en")
    assert _with_totals(table) == TABLE2


def test_table3(kz):
    _, form, frame = kz
    table = _json(likert(form, frame, list(TABLE3), lang="en", base="all"))
    assert table["columns"] == ["Became easier", "Remained the same", "Became more difficult",
                                "Did not have this problem", "Difficult to answer"]
    got = [[two(p) for p in cells] for cells in table["percent"]]
    assert got == list(TABLE3.values())


def test_table4_collapsed(kz):
    _, form, frame = kz
    table = _json(likert(form, frame, list(TABLE4), collapse=TABLE4_COLLAPSE, lang="en", base="all"))
    assert table["columns"] == [*TABLE4_COLLAPSE, "Undecided"]
    got = [[two(p) for p in cells] for cells in table["percent"]]
    assert got == list(TABLE4.values())


@pytest.mark.parametrize("question, option, printed", [
    ("spheres", "human_rights", 58), ("spheres", "women", 42), ("spheres", "lgbtq", 13),
    ("new_areas", None, 48), ("pandemic_difficulties", "burnout", 55),
    ("coping", "counseling", 29), ("coping", "family", 16),
])
def test_multiple_response_percentages(kz, question, option, printed):
    _, form, frame = kz
    result = multiple_response(form, frame, question, lang="en")
    names = list(result.names)
    index = names.index(option) if option else max(range(len(names)), key=result.counts.__getitem__)
    assert result.answered == 31
    assert round(result.percent[index]) == printed


@pytest.mark.parametrize("question, option, base, printed", [
    ("gov_communication", "average", 29, 38), ("gov_communication", "below_average", 29, 41),
    ("perception_change", "better", 30, 67), ("lifting_emergency", "easier", 31, 45),
    ("adaptation", "fully", 31, 77),
])
def test_frequency_percentages_with_item_nonresponse(kz, question, option, base, printed):
    _, form, frame = kz
    result = frequencies(form, frame, question, lang="en")
    assert result.valid == base
    assert round(result.percent[list(result.names).index(option)]) == printed


def test_platforms_during_reach_everyone(kz):
    _, form, frame = kz
    used = frame.filter(like="platforms_during/").drop(columns="platforms_during/none").any(axis=1)
    assert used.all()


def test_interviewees_and_quoted_types(kz):
    _, _, frame = kz
    assert set(frame.index[frame["interview_consent"] == "Yes"]) >= {6, 13, 15, 25, 26}
    kinds = {n: (frame.loc[n, "respondent_type"], frame.loc[n, "political"]) for n in (6, 25, 26)}
    assert kinds[25][0] == "Independent activist"
    assert kinds[26] == ("Representative of an CSO", "Pursuing political activities")
    assert kinds[6] == ("Representative of an CSO", "Pursuing non-political activities")


def test_no_contact_in_any_file_syrmak_wrote(kz, tmp_path, monkeypatch):
    study, _, _ = kz
    with throwaway_keys(study.keys):
        contacts = study.contacts().table
    assert len(contacts) >= 20
    CliRunner().invoke(main, ["responses", str(study.folder), "-o", str(tmp_path / "r.csv")])
    written = [p for p in [*study.folder.rglob("*"), tmp_path / "r.csv"] if p.is_file()]
    assert any(p.name == "study.db" for p in written)
    for path in written:
        data = path.read_bytes()
        for value in contacts["value"]:
            assert value.encode("utf-8") not in data, f"a contact value leaked into {path.name}"


def test_cli_prints_table1(kz):
    study, _, _ = kz
    out = CliRunner().invoke(main, ["crosstab", str(study.folder), "gov_partnership_importance",
                                    "gov_experience_before", "--percent", "total", "--lang", "en",
                                    "--format", "json"])
    assert out.exit_code == 0, out.output
    table = json.loads(out.output)
    assert [two(p) for p in table["percent"][2]] == TABLE1["More important than unimportant"][:2]
