import numpy as np
import pytest

from syrmak.analysis import likert
from syrmak.analysis.frames import build_frame
from syrmak.analysis.likert import is_dont_know
from syrmak.errors import SyrmakError

COLLAPSE = {
    "Strongly disagree / Rather disagree": ["strongly_disagree", "rather_disagree"],
    "Strongly agree / Rather agree": ["rather_agree", "strongly_agree"],
}

# Table 4 of the reference report, % of all 31 respondents, as printed.
TABLE4_PRINTED = [
    ["16.13", "25.81", "58.06", "0.00"],
    ["22.58", "29.03", "48.39", "0.00"],
    ["22.58", "29.03", "45.16", "3.23"],
    ["22.58", "38.71", "35.48", "3.23"],
    ["22.58", "29.03", "45.16", "3.23"],
    ["38.71", "32.26", "22.58", "6.45"],
]
# Table 3.
TABLE3_PRINTED = [
    ["16.13", "38.71", "25.81", "19.35", "0.00"],
    ["19.35", "41.94", "29.03", "3.23", "6.45"],
    ["25.81", "29.03", "38.71", "6.45", "0.00"],
    ["6.45", "38.71", "48.39", "3.23", "3.23"],
    ["19.35", "41.94", "29.03", "9.68", "0.00"],
    ["25.81", "32.26", "41.94", "0.00", "0.00"],
]


def _printed(result):
    return [[f"{p:.2f}" for p in row] for row in result.percent]


def test_reproduces_table_4_of_the_reference_report(civic, kz):
    result = likert(civic, kz, "agree5", collapse=COLLAPSE)
    assert result.columns == (
        "Strongly disagree / Rather disagree",
        "Neither agree nor disagree",
        "Strongly agree / Rather agree",
        "Undecided",
    )
    assert result.scale_columns == 3  # "Undecided" detected and kept apart
    assert _printed(result) == TABLE4_PRINTED
    assert result.bases == (31.0,) * 6
    assert result.items[0] == "t4_engagement"


def test_reproduces_table_3_with_explicit_dont_know(civic, kz):
    items = ["t3_services", "t3_fundraising", "t3_government", "t3_schedule",
             "t3_management", "t3_communication"]
    result = likert(civic, kz, items, dont_know=["no_problem", "difficult"])
    assert result.columns == (
        "Became easier", "Remained the same", "Became more difficult",
        "Did not have this problem", "Difficult to answer",
    )
    assert result.scale_columns == 3
    assert _printed(result) == TABLE3_PRINTED
    # A 3-point scale: one point in each box.
    assert result.top_label == "Top-1"
    assert f"{result.top[3]:.2f}" == "48.39"


def test_counts_match_value_counts(civic, kz):
    result = likert(civic, kz, "agree5")
    for item, row in zip(result.items, result.counts, strict=True):
        ref = kz[item].value_counts(sort=False).to_numpy()
        np.testing.assert_array_equal(row, ref)


def test_top_bottom_net_and_sort(civic, kz, kz_raw):
    result = likert(civic, kz, "agree5", sort="net")
    assert list(result.net) == sorted(result.net, reverse=True)
    for i, item in enumerate(result.items):
        answers = kz_raw[item]
        top = sum(a in ("rather_agree", "strongly_agree") for a in answers) / 31 * 100
        bottom = sum(a in ("strongly_disagree", "rather_disagree") for a in answers) / 31 * 100
        assert result.top[i] == pytest.approx(top)
        assert result.bottom[i] == pytest.approx(bottom)
        assert result.net[i] == pytest.approx(top - bottom)
    assert result.items[0] == "t4_engagement" and result.items[-1] == "t4_parties"
    by_bottom = likert(civic, kz, "agree5", sort="bottom")
    assert by_bottom.items[0] == "t4_parties"


def test_percent_bases(civic, make_frame):
    items = [f"t4_{x}" for x in ("engagement", "power")]
    answers = {
        items[0]: ["rather_agree"] * 6 + ["undecided"] * 2 + [None] * 2,
        items[1]: ["strongly_disagree"] * 4 + ["neutral"] * 6,
    }
    frame = make_frame(civic, answers)
    everyone = likert(civic, frame, items)
    assert everyone.bases == (10.0, 10.0)
    assert everyone.percent[0][3] == pytest.approx(60)  # rather agree, of all 10
    assert any("add up to" in n for n in everyone.notes)
    valid = likert(civic, frame, items, base="valid")
    assert valid.bases == (8.0, 10.0)
    assert valid.percent[0][3] == pytest.approx(75)
    assert valid.percent[0][5] == pytest.approx(25)  # undecided, of those who answered
    assert sum(valid.percent[0]) == pytest.approx(100)
    scale = likert(civic, frame, items, base="scale")
    assert scale.bases == (6.0, 10.0)
    assert scale.percent[0][3] == pytest.approx(100)
    assert np.isnan(scale.percent[0][5])  # undecided is outside this base
    assert scale.counts[0][5] == 2
    assert scale.missing == (2.0, 0.0)


def test_dont_know_detection():
    assert is_dont_know("undecided", [])
    assert is_dont_know("x9", ["Затрудняюсь ответить"])
    assert is_dont_know("x9", ["Don’t know"])
    assert is_dont_know("dk", [])
    assert not is_dont_know("neutral", ["Neither agree nor disagree"])
    assert not is_dont_know("rather_agree", ["Rather agree", "Скорее согласен"])


def test_not_applicable_is_detected_too(civic, kz):
    items = ["t3_services", "t3_fundraising"]
    detected = likert(civic, kz, items)
    explicit = likert(civic, kz, items, dont_know=["no_problem", "difficult"])
    assert detected.columns == explicit.columns and detected.scale_columns == 3
    assert detected.percent == explicit.percent


def test_dont_know_can_be_switched_off(civic, kz):
    result = likert(civic, kz, "agree5", dont_know=False)
    assert result.scale_columns == 6


def test_mixed_scales_are_refused(civic, kz):
    with pytest.raises(SyrmakError) as err:
        likert(civic, kz, ["t4_power", "t3_fundraising"])
    assert "'t3_fundraising'" in str(err.value) and err.value.code == "mixed-scales"


def test_collapse_errors(civic, kz):
    with pytest.raises(SyrmakError, match="two collapsed groups"):
        likert(civic, kz, "agree5", collapse={"a": ["neutral"], "b": ["neutral"]})
    with pytest.raises(SyrmakError, match="mixes scale points"):
        likert(civic, kz, "agree5", collapse={"a": ["neutral", "undecided"]})
    with pytest.raises(SyrmakError) as err:
        likert(civic, kz, "agree5", collapse={"a": ["rather_agre"]})
    assert "rather_agree" in err.value.hint


def test_unknown_list_and_bad_arguments(civic, kz):
    with pytest.raises(SyrmakError, match="choice list 'agree7'"):
        likert(civic, kz, "agree7")
    with pytest.raises(SyrmakError, match="base must be"):
        likert(civic, kz, "agree5", base="respondents")
    with pytest.raises(SyrmakError, match="sort must be"):
        likert(civic, kz, "agree5", sort="mean")
    with pytest.raises(SyrmakError, match="wrong-question-type|single-answer"):
        likert(civic, kz, ["spheres"])


def test_weighted_likert(civic, kz):
    result = likert(civic, kz, "agree5", weight="w", collapse=COLLAPSE)
    w = kz["w"].to_numpy()
    assert result.bases[0] == pytest.approx(w.sum())
    first = result.items[0]
    agree = kz[first].isin(["Rather agree", "Strongly agree"]).to_numpy()
    assert result.counts[0][2] == pytest.approx(w[agree].sum())
    assert result.effective_n == pytest.approx(w.sum() ** 2 / (w**2).sum())


def test_likert_title_from_section_and_labels_in_russian(civic, kz):
    result = likert(civic, kz, "agree5", lang="ru")
    assert result.title == "Влияние пандемии на активизм"
    assert result.columns[0] == "Совершенно не согласен"


def test_likert_to_frame_and_ci(civic, make_frame, kz_raw):
    frame = build_frame(civic, {k: kz_raw[k] for k in ("t4_power", "t4_parties")})
    result = likert(civic, frame, ["t4_power", "t4_parties"], ci=True)
    table = result.to_frame()
    assert table.loc[result.rows[0], ("Net", "%")] == pytest.approx(result.net[0])
    assert len(result.ci) == 2 and len(result.ci[0]) == 6
