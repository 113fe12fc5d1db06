import numpy as np
import pytest
from scipy.stats import norm

from syrmak.analysis import banner, crosstab, frequencies
from syrmak.analysis.frames import build_frame, expand
from syrmak.analysis.tables import letters


@pytest.fixture(scope="module")
def contrast(civic):
    """Independents find partnership far less important than CSOs: 200 respondents."""
    types, importance = expand(
        ("cso", "difficult", 10), ("cso", "unimportant", 10), ("cso", "important", 60),
        ("cso", "very_important", 40),
        ("independent", "difficult", 10), ("independent", "unimportant", 40),
        ("independent", "important", 20), ("independent", "very_important", 10),
    )
    experience = (["no", "yes", "yes", "yes"] * 50)[: len(types)]
    regions = [["KZ-ALA"] if i % 2 else ["KZ-AST", "KZ-ALA"] for i in range(len(types))]
    answers = {
        "respondent_type": types,
        "importance": importance,
        "experience": experience,
        "regions": regions,
    }
    return build_frame(civic, answers)


def _z_by_hand(x1, n1, x2, n2):
    p = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return z, 2 * norm.sf(abs(z))


def test_columns_and_letters(civic, contrast):
    result = banner(civic, contrast, "importance", ["respondent_type", "experience"])
    assert result.columns == (
        "Total", "Representative of a CSO", "Independent activist",
        "No, we did not have such experience", "Yes, we had a partnership/collaboration",
    )
    assert result.letters == ("", "A", "B", "C", "D")
    assert [(g.question, g.start, g.stop) for g in result.groups] == [
        ("respondent_type", 1, 3), ("experience", 3, 5),
    ]
    total = frequencies(civic, contrast, "importance")
    assert [r[0] for r in result.counts] == list(total.counts)
    assert result.bases[0] == total.valid
    ct = crosstab(civic, contrast, "importance", "respondent_type", percent="column")
    np.testing.assert_allclose([r[1:3] for r in result.percent], ct.percent)
    assert result.bases[1:3] == ct.column_totals


def test_z_tests_match_the_formula_and_bonferroni(civic, contrast):
    result = banner(civic, contrast, "importance", ["respondent_type", "regions"])
    comparisons = [c for c in result.tests["comparisons"] if c["question"] == "respondent_type"]
    assert len(comparisons) == 4  # one pair per row
    for i, c in enumerate(comparisons):
        x1, x2 = result.counts[i][1], result.counts[i][2]
        z, p = _z_by_hand(x1, result.bases[1], x2, result.bases[2])
        assert c["z"] == pytest.approx(z)
        assert c["p"] == pytest.approx(p)
        assert c["p_adjusted"] == pytest.approx(min(1.0, p))  # one pair: nothing to adjust
    # CSOs: "important" 60/120 vs 20/80, "very important" 40/120 vs 10/80 -> A beats B;
    # independents: "unimportant" 40/80 vs 10/120 -> B beats A; "difficult" not significant.
    assert [row[1] for row in result.marks] == ["", "", "B", "B"]
    assert [row[2] for row in result.marks] == ["", "A", "", ""]


def test_bonferroni_over_several_pairs(civic, contrast):
    result = banner(civic, contrast, "respondent_type", ["regions"])
    group = [c for c in result.tests["comparisons"] if c["question"] == "regions"]
    rows = {c["row"] for c in group}
    pairs_per_row = len(group) // len(rows)
    assert pairs_per_row == 6  # four regions
    for c in group:
        if c["p"] < 1:
            assert c["p_adjusted"] == pytest.approx(min(1.0, c["p"] * pairs_per_row))


def test_marks_need_the_corrected_p(civic, make_frame):
    # 34/60 vs 22/60: uncorrected p = 0.028, so significant alone at 0.05 ...
    types, experience = expand(
        ("cso", "yes", 34), ("cso", "no", 26), ("independent", "yes", 22),
        ("independent", "no", 38),
    )
    frame = make_frame(civic, {"respondent_type": types, "experience": experience})
    one = banner(civic, frame, "experience", ["respondent_type"])
    z, p = _z_by_hand(34, 60, 22, 60)
    assert p < 0.05
    assert one.marks[1][1] == "B"
    # ... but not at alpha = 0.02.
    assert banner(civic, frame, "experience", ["respondent_type"], alpha=0.02).marks[1][1] == ""


def test_letters_beyond_z():
    tags = letters(30)
    assert tags[:3] == ["A", "B", "C"] and tags[25] == "Z" and tags[26:28] == ["AA", "AB"]


def test_banner_ci_and_notes(civic, kz):
    result = banner(civic, kz, "importance", ["experience"], ci=True)
    assert len(result.ci) == 4 and len(result.ci[0]) == 3
    assert any("small column bases" in n for n in result.notes)
    frame = result.to_frame()
    assert frame.shape == (4, 3 * 3)  # n, % and letters per column


def test_weighted_banner_tests_on_effective_bases(civic, contrast):
    frame = contrast.copy()
    frame["w"] = np.where(frame["respondent_type"] == "Representative of a CSO", 2.0, 0.5)
    result = banner(civic, frame, "importance", ["respondent_type"], weight="w")
    assert result.bases[1:] == (240.0, 40.0)
    # Constant weights within a column: the effective bases are the head counts.
    first = result.tests["comparisons"][0]
    z, p = _z_by_hand(10, 120, 10, 80)
    assert first["z"] == pytest.approx(z)
    assert any("effective" in n for n in result.notes)


@pytest.mark.parametrize(
    ("cells", "marks", "tested"),
    [
        # CSOs half and half, independents all "important": SPSS leaves the independents
        # (100% / 0%) out of both rows; syrmak used to print a letter in each.
        ((("cso", "important", 30), ("cso", "unimportant", 30),
          ("independent", "important", 40)), {"important": ["", ""],
                                             "unimportant": ["", ""]}, False),
        # Both columns strictly between 0 and 1: tested as before.
        ((("cso", "important", 50), ("cso", "unimportant", 10),
          ("independent", "important", 10), ("independent", "unimportant", 30)),
         {"important": ["B", ""], "unimportant": ["", "A"]}, True),
    ],
)
def test_columns_at_zero_or_one_are_left_out_as_spss(civic, make_frame, cells, marks, tested):
    types, importance = expand(*cells)
    frame = make_frame(civic, {"respondent_type": types, "importance": importance})
    result = banner(civic, frame, "importance", ["respondent_type"], lang="en")
    names = list(result.row_names)
    for name, expected in marks.items():
        assert list(result.marks[names.index(name)][1:]) == expected
    for c in result.tests["comparisons"]:
        if c["row"] in ("More important than unimportant", "More unimportant than important"):
            assert c["tested"] is tested
            if not tested:
                assert np.isnan(c["p"]) and c["higher"] is None
    assert any("0% or 100%" in n for n in result.notes)
