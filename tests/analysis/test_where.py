import numpy as np
import pandas as pd
import pytest

from syrmak.analysis import frequencies, where_mask
from syrmak.analysis.where import parse
from syrmak.errors import SyrmakError


def _ref(kz: pd.DataFrame, expr) -> np.ndarray:
    return np.asarray(expr(kz).fillna(False), dtype=bool)


CSO = "Representative of a CSO"

CASES = [
    ("respondent_type = independent", lambda f: f["respondent_type"] == "Independent activist"),
    ("respondent_type == cso", lambda f: f["respondent_type"] == CSO),
    ("respondent_type = 'Independent activist'",
     lambda f: f["respondent_type"] == "Independent activist"),
    ("respondent_type = Независимый активист",
     lambda f: f["respondent_type"] == "Independent activist"),
    ("RESPONDENT_TYPE = CSO", None),  # question names are case-sensitive: error below
    ("political != political",
     lambda f: f["political"].notna() & (f["political"] != "Pursuing political activities")),
    ("spheres/lgbt = true", lambda f: f["spheres/lgbt"] == True),  # noqa: E712
    ("spheres/lgbt = false", lambda f: f["spheres/lgbt"] == False),  # noqa: E712
    ("spheres/lgbt != true", lambda f: f["spheres/lgbt"] == False),  # noqa: E712
    ("regions has KZ-ALA", lambda f: f["regions/KZ-ALA"] == True),  # noqa: E712
    ("regions has KZ-SHY, KZ-KAR",
     lambda f: (f["regions/KZ-SHY"] == True) | (f["regions/KZ-KAR"] == True)),  # noqa: E712
    ("spheres not has women",
     lambda f: f["spheres/women"].notna() & (f["spheres/women"] == False)),  # noqa: E712
    ("importance in difficult, very_important",
     lambda f: f["importance"].isin(["Difficult to answer", "Very important"])),
    ("importance not in difficult,very_important",
     lambda f: f["importance"].notna()
     & ~f["importance"].isin(["Difficult to answer", "Very important"])),
    ("importance >= important",
     lambda f: f["importance"].isin(["More important than unimportant", "Very important"])),
    ("importance < 'More important than unimportant'",
     lambda f: f["importance"].isin(["Difficult to answer", "More unimportant than important"])),
    ("founded >= 2008", lambda f: f["founded"] >= 2008),
    ("founded in 2005, 2006", lambda f: f["founded"].isin([2005, 2006])),
    ("founded is missing", lambda f: f["founded"].isna()),
    ("spheres is missing", lambda f: f["spheres/women"].isna()),
    ("spheres is answered", lambda f: f["spheres/women"].notna()),
    ("w > 1", lambda f: f["w"] > 1),
    ("respondent_type = cso and spheres/lgbt = true and founded is not missing",
     lambda f: (f["respondent_type"] == CSO) & (f["spheres/lgbt"] == True)  # noqa: E712
     & f["founded"].notna()),
    ("respondent_type = cso AND regions has Almaty",
     lambda f: (f["respondent_type"] == CSO) & (f["regions/KZ-ALA"] == True)),  # noqa: E712
]


@pytest.mark.parametrize("text, expr", [c for c in CASES if c[1] is not None])
def test_filter_matches_pandas(civic, kz, text, expr):
    got = where_mask(civic, kz, text)
    expected = _ref(kz, expr)
    assert got.any() or not expected.any()
    np.testing.assert_array_equal(got, expected)


def test_quoted_values_may_hold_commas_and_and(civic, make_frame):
    answers = {"importance": ["important", "difficult"], "spheres": [["women"], None]}
    frame = make_frame(civic, answers)
    clauses = parse("importance in \"Very important\", 'a, b and c' and spheres has women")
    assert clauses[0].values == ("Very important", "a, b and c")
    assert clauses[1].op == "has"
    mask = where_mask(civic, frame, "importance = 'More important than unimportant'")
    assert mask.tolist() == [True, False]


def test_series_list_and_array_filters(civic, kz):
    cso = kz["respondent_type"] == CSO
    assert where_mask(civic, kz, cso).sum() == 20
    both = where_mask(civic, kz, ["respondent_type = cso", "founded >= 2008"])
    np.testing.assert_array_equal(both, _ref(kz, lambda f: cso & (f["founded"] >= 2008)))
    assert where_mask(civic, kz, cso.to_numpy()).sum() == 20
    with pytest.raises(SyrmakError, match="entries"):
        where_mask(civic, kz, np.ones(3, dtype=bool))


def test_unknown_question_in_a_filter_names_close_matches(civic, kz):
    with pytest.raises(SyrmakError) as err:
        where_mask(civic, kz, "respondent_typ = cso")
    assert "'respondent_typ'" in str(err.value)
    assert "'respondent_type'" in err.value.hint
    with pytest.raises(SyrmakError):
        where_mask(civic, kz, "RESPONDENT_TYPE = CSO")


def test_unknown_option_in_a_filter_names_close_matches(civic, kz):
    with pytest.raises(SyrmakError) as err:
        where_mask(civic, kz, "respondent_type = independant")
    assert "no option 'independant'" in str(err.value)
    assert "'independent'" in err.value.hint
    assert err.value.code == "unknown-option"
    with pytest.raises(SyrmakError) as err:
        where_mask(civic, kz, "regions has KZ-ALM")
    assert "'KZ-ALA'" in err.value.hint
    with pytest.raises(SyrmakError) as err:
        where_mask(civic, kz, "spheres/lgbtq = true")
    assert "'lgbt'" in err.value.hint


@pytest.mark.parametrize(
    "text, message",
    [
        ("respondent_type", "no comparison"),
        ("respondent_type likes cso", "not a comparison"),
        ("respondent_type = ", "value is missing"),
        ("spheres/lgbt = maybe", "not true or false"),
        ("founded >= soon", "holds numbers"),
        ("respondent_type = cso and ", "empty clause"),
        ("founded is present", "'is' takes"),
        ("importance/important = true", "not a multiple-answer question"),
        ("comment has x", "'has' applies"),
        # After = or >= the rest is one value (labels may hold commas).
        ("importance >= important, very_important", "no option 'important, very_important'"),
    ],
)
def test_malformed_filters_explain_the_syntax(civic, kz, text, message):
    with pytest.raises(SyrmakError, match=message) as err:
        where_mask(civic, kz, text)
    assert err.value.hint


def test_filtered_frequencies_note_the_subgroup(civic, kz):
    result = frequencies(civic, kz, "importance", where="respondent_type = independent")
    assert result.respondents == 11
    assert result.where == "respondent_type = independent"
    assert any("11 of 31" in n for n in result.notes)


def test_weight_errors(civic, kz):
    with pytest.raises(SyrmakError, match="no weight column 'wt'") as err:
        frequencies(civic, kz, "importance", weight="wt")
    assert "'w'" in err.value.hint
    frame = kz.copy()
    frame["w"] = frame["w"].astype(float)
    frame.loc[2, "w"] = np.nan
    with pytest.raises(SyrmakError, match="1 respondent"):
        frequencies(civic, frame, "importance", weight="w")
    # ... unless that respondent is filtered out.
    ok = frequencies(civic, frame, "importance", weight="w", where="w > 0")
    assert ok.respondents == 30
    frame.loc[2, "w"] = -1.0
    with pytest.raises(SyrmakError, match="negative"):
        frequencies(civic, frame, "importance", weight="w")
    with pytest.raises(SyrmakError, match="not numeric"):
        frequencies(civic, kz, "importance", weight="respondent_type")
