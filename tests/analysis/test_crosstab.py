from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats.contingency import association

from syrmak.analysis import crosstab
from syrmak.analysis.frames import build_frame, expand
from syrmak.errors import SyrmakError

# Table 1 of the reference report, % of total, exactly as printed.
TABLE1_PRINTED = [
    ["3.23", "3.23", "6.45"],
    ["6.45", "6.45", "12.90"],
    ["12.90", "38.71", "51.61"],
    ["3.23", "25.81", "29.03"],
]
TABLE1_TOTALS = ["25.81", "74.19"]


def test_reproduces_table_1_of_the_reference_report(civic, kz):
    result = crosstab(civic, kz, "importance", "experience", percent="total")
    assert result.rows == (
        "Difficult to answer",
        "More unimportant than important",
        "More important than unimportant",
        "Very important",
    )
    assert result.columns == (
        "No, we did not have such experience",
        "Yes, we had a partnership/collaboration",
    )
    assert result.base == 31
    cells = [
        [f"{p:.2f}" for p in row] + [f"{t:.2f}"]
        for row, t in zip(result.percent, result.row_total_percent, strict=True)
    ]
    assert cells == TABLE1_PRINTED
    assert [f"{p:.2f}" for p in result.column_total_percent] == TABLE1_TOTALS
    assert result.counts == ((1, 1), (2, 2), (4, 12), (1, 8))


def test_reproduces_table_2_of_the_reference_report(civic, kz):
    result = crosstab(civic, kz, "adapt", "effect")
    printed = [
        ["3.23", "0.00", "0.00", "0.00", "0.00", "3.23"],
        ["6.45", "9.68", "0.00", "3.23", "0.00", "19.35"],
        ["6.45", "9.68", "29.03", "16.13", "16.13", "77.42"],
    ]
    cells = [
        [f"{p:.2f}" for p in row] + [f"{t:.2f}"]
        for row, t in zip(result.percent, result.row_total_percent, strict=True)
    ]
    assert cells == printed
    assert [f"{p:.2f}" for p in result.column_total_percent] == [
        "16.13", "19.35", "29.03", "19.35", "16.13",
    ]


@pytest.fixture(scope="module")
def messy(civic):
    """80 respondents, some unanswered on either side, one option nobody chose."""
    rng = np.random.default_rng(3)
    n = 80
    importance = rng.choice(["difficult", "unimportant", "important", None], n).tolist()
    experience = rng.choice(["no", "yes", None], n, p=[0.45, 0.45, 0.1]).tolist()
    types = rng.choice(["cso", "independent"], n).tolist()
    spheres = [
        None if rng.random() < 0.1
        else [s for s in ("human_rights", "women", "lgbt", "ecology") if rng.random() < 0.45]
        for _ in range(n)
    ]
    regions = [
        None if rng.random() < 0.15
        else [r for r in ("KZ-ALA", "KZ-AST", "KZ-SHY") if rng.random() < 0.5]
        for _ in range(n)
    ]
    answers = {
        "importance": importance,
        "experience": experience,
        "respondent_type": types,
        "spheres": spheres,
        "regions": regions,
        "w": rng.uniform(0.3, 2.5, n).round(3),
    }
    return build_frame(civic, answers)


def _reference(frame, row, col):
    """pandas.crosstab over respondents who answered both, every option kept."""
    both = frame[[row, col]].dropna()
    return pd.crosstab(both[row], both[col], dropna=False)


@pytest.mark.parametrize("percent", ["total", "row", "column"])
def test_counts_and_percentages_match_pandas_crosstab(civic, messy, percent):
    result = crosstab(civic, messy, "importance", "experience", percent=percent)
    ref = _reference(messy, "importance", "experience")
    np.testing.assert_array_equal(np.array(result.counts), ref.to_numpy())
    assert list(ref.index) == list(result.rows)  # "Very important" kept with zeros
    assert result.counts[3] == (0.0, 0.0)
    assert result.base == ref.to_numpy().sum()
    assert result.missing == len(messy) - ref.to_numpy().sum()
    normalize = {"total": "all", "row": "index", "column": "columns"}[percent]
    both = messy[["importance", "experience"]].dropna()
    expected = pd.crosstab(both["importance"], both["experience"], normalize=normalize) * 100
    # pandas drops the empty "Very important" row: 0% of the total or of a column, and
    # undefined (NaN) as a share of its own empty row.
    expected = expected.reindex(ref.index).to_numpy()
    got = np.array(result.percent)
    if percent == "row":
        assert np.isnan(got[3]).all()
    else:
        assert (got[3] == 0).all()
    got, expected = got[:3], expected[:3]
    np.testing.assert_allclose(got, expected)


def test_chi_square_cramers_v_and_expected_note_match_scipy(civic, messy):
    result = crosstab(civic, messy, "importance", "experience")
    # The empty "Very important" row is left out of the tests.
    observed = _reference(messy, "importance", "experience").to_numpy()[:3]
    ref = stats.chi2_contingency(observed, correction=False)
    chi2 = result.tests["chi2"]
    assert chi2["statistic"] == pytest.approx(ref.statistic)
    assert chi2["p"] == pytest.approx(ref.pvalue)
    assert chi2["df"] == ref.dof == 2
    assert chi2["min_expected"] == pytest.approx(ref.expected_freq.min())
    assert result.tests["cramers_v"] == pytest.approx(association(observed, method="cramer"))
    # By hand: V = sqrt(chi2 / (n (min(r, c) - 1))).
    v = np.sqrt(ref.statistic / observed.sum())
    assert result.tests["cramers_v"] == pytest.approx(v)
    assert any("without answers were left out" in n for n in result.notes)


def test_sparse_cells_are_flagged_and_fisher_computed(civic, kz):
    result = crosstab(civic, kz, "importance", "experience")
    expected = stats.chi2_contingency(np.array(result.counts), correction=False).expected_freq
    sparse = int((expected < 5).sum())
    assert result.tests["chi2"]["cells_expected_below_5"] == sparse == 6
    assert any("expected counts below 5" in n for n in result.notes)


def _fisher_exact_two_columns(table: np.ndarray) -> float:
    """Fisher's exact p for an r x 2 table by enumerating every table with its margins."""
    rows = table.sum(axis=1)
    first = int(table[:, 0].sum())
    n = int(table.sum())

    def prob(x):
        ways = [comb(int(r), int(k)) for r, k in zip(rows, x, strict=True)]
        return np.prod(ways) / comb(n, first)

    observed = prob(table[:, 0])
    total = 0.0

    def walk(i, left, chosen):
        nonlocal total
        if i == len(rows):
            if left == 0:
                p = prob(chosen)
                if p <= observed * (1 + 1e-7):
                    total += p
            return
        for k in range(0, min(int(rows[i]), left) + 1):
            walk(i + 1, left - k, chosen + [k])

    walk(0, first, [])
    return total


def test_fisher_for_a_larger_table_agrees_with_exact_enumeration(civic, kz):
    result = crosstab(civic, kz, "importance", "experience")
    fisher = result.tests["fisher"]
    assert fisher["computed"] and fisher["method"].startswith("monte carlo")
    exact = _fisher_exact_two_columns(np.array(result.counts, dtype=int))
    # 9999 simulated tables: standard error about 0.005 at p near 0.3.
    assert fisher["p"] == pytest.approx(exact, abs=0.02)
    again = crosstab(civic, kz, "importance", "experience")
    assert again.tests["fisher"]["p"] == fisher["p"]  # seeded, reproducible


def test_fisher_two_by_two_reproduces_the_tea_tasting_example(civic, make_frame):
    # Fisher's lady tasting tea: [[3, 1], [1, 3]], two-sided p = 0.4857.
    types, experience = expand(
        ("cso", "yes", 3), ("cso", "no", 1), ("independent", "yes", 1),
        ("independent", "no", 3),
    )
    frame = make_frame(civic, {"respondent_type": types, "experience": experience})
    result = crosstab(civic, frame, "respondent_type", "experience")
    assert result.tests["fisher"]["p"] == pytest.approx(0.4857, abs=1e-4)
    assert result.tests["fisher"]["method"] == "exact"
    ref = stats.chi2_contingency([[1, 3], [3, 1]], correction=True)
    assert result.tests["chi2"]["yates_p"] == pytest.approx(ref.pvalue)


def test_multiple_answer_rows_count_respondents_per_option(civic, messy):
    result = crosstab(civic, messy, "spheres", "respondent_type", percent="column")
    answered = messy["spheres/human_rights"].notna()
    keep = answered & messy["respondent_type"].notna()
    for i, name in enumerate(result.row_names):
        ticked = messy.loc[keep, f"spheres/{name}"].astype(bool)
        ref = pd.crosstab(ticked, messy.loc[keep, "respondent_type"], dropna=False)
        expected = ref.loc[True].to_numpy() if True in ref.index else np.zeros(2)
        np.testing.assert_array_equal(result.counts[i], expected)
    column_bases = messy.loc[keep, "respondent_type"].value_counts(sort=False).to_numpy()
    np.testing.assert_array_equal(result.column_totals, column_bases)
    assert result.base == keep.sum()
    np.testing.assert_allclose(
        np.array(result.percent), np.array(result.counts) / column_bases * 100
    )


def test_multiple_answer_side_is_tested_option_by_option(civic, messy):
    result = crosstab(civic, messy, "spheres", "respondent_type")
    keep = messy["spheres/women"].notna() & messy["respondent_type"].notna()
    by_option = {t["row"]: t for t in result.tests["by_option"]}
    assert set(by_option) == set(result.rows)
    for name, label in zip(result.row_names, result.rows, strict=True):
        ticked = messy.loc[keep, f"spheres/{name}"].astype(bool)
        table = pd.crosstab(ticked, messy.loc[keep, "respondent_type"]).to_numpy()
        if table.shape[0] < 2:  # nobody ticked it: nothing to test
            assert by_option[label]["chi2"] is None
            continue
        ref = stats.chi2_contingency(table, correction=False)
        assert by_option[label]["chi2"]["statistic"] == pytest.approx(ref.statistic)
        assert by_option[label]["fisher"]["p"] == pytest.approx(stats.fisher_exact(table).pvalue)
    assert "chi2" not in result.tests


def test_single_rows_against_multiple_columns(civic, messy):
    result = crosstab(civic, messy, "respondent_type", "regions", percent="row")
    keep = messy["regions/KZ-ALA"].notna() & messy["respondent_type"].notna()
    for j, name in enumerate(result.column_names):
        ticked = messy.loc[keep, f"regions/{name}"].astype(bool)
        counts = messy.loc[keep & ticked, "respondent_type"].value_counts(sort=False)
        np.testing.assert_array_equal([r[j] for r in result.counts], counts.to_numpy())
    row_bases = messy.loc[keep, "respondent_type"].value_counts(sort=False).to_numpy()
    np.testing.assert_array_equal(result.row_totals, row_bases)
    assert [t["column"] for t in result.tests["by_option"]] == list(result.columns)


def test_multiple_against_multiple(civic, messy):
    result = crosstab(civic, messy, "spheres", "regions")
    keep = messy["spheres/women"].notna() & messy["regions/KZ-ALA"].notna()
    for i, a in enumerate(result.row_names):
        for j, b in enumerate(result.column_names):
            both = messy.loc[keep, f"spheres/{a}"].astype(bool) & messy.loc[
                keep, f"regions/{b}"
            ].astype(bool)
            assert result.counts[i][j] == both.sum()
    assert result.base == keep.sum()
    assert len(result.tests["by_option"]) == len(result.rows) * len(result.columns)
    first = result.tests["by_option"][0]
    a = messy.loc[keep, "spheres/human_rights"].astype(bool)
    b = messy.loc[keep, "regions/KZ-ALA"].astype(bool)
    ref = stats.chi2_contingency(pd.crosstab(a, b).to_numpy(), correction=False)
    assert first["chi2"]["statistic"] == pytest.approx(ref.statistic)


def test_weighted_counts_and_effective_n(civic, messy):
    result = crosstab(civic, messy, "importance", "experience", weight="w", ci=True)
    both = messy.dropna(subset=["importance", "experience"])
    ref = both.pivot_table(
        index="importance", columns="experience", values="w", aggfunc="sum", observed=False
    ).fillna(0)
    np.testing.assert_allclose(np.array(result.counts), ref.to_numpy())
    w = both["w"].to_numpy()
    assert result.effective_n == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert result.tests["fisher"]["computed"] is False
    # Weighted data get the design-based Rao-Scott test, never a chi-square on counts
    # rescaled to the Kish n (tests/analysis/test_design.py checks its numbers).
    assert result.tests["chi2"] is None
    rs = result.tests["rao_scott"]
    assert rs["design_df"] == len(both) - 1  # weights only: every respondent a PSU
    kept = ref.to_numpy()[:3]
    pearson = stats.chi2_contingency(kept * len(both) / kept.sum(), correction=False)
    assert rs["pearson"] == pytest.approx(pearson.statistic)
    assert any("weighted by 'w'" in n for n in result.notes)
    assert any("Rao-Scott" in n and "F = " in n for n in result.notes)


def test_ci_uses_the_percentage_base(civic, messy):
    from statsmodels.stats.proportion import proportion_confint

    result = crosstab(civic, messy, "importance", "experience", percent="column", ci=True)
    j = 1
    n = result.column_totals[j]
    lo, hi = proportion_confint(result.counts[0][j], n, method="wilson")
    assert result.ci[0][j] == pytest.approx((lo * 100, hi * 100))


def test_small_column_bases_are_noted(civic, kz):
    result = crosstab(civic, kz, "importance", "experience", percent="column")
    note = next(n for n in result.notes if "small column bases" in n)
    assert "(n=8)" in note and "(n=23)" in note


def test_filter_and_labels_in_another_language(civic, kz):
    result = crosstab(
        civic, kz, "importance", "experience", lang="ru", where="respondent_type = cso"
    )
    assert result.rows[0] == "Затрудняюсь ответить"
    assert result.respondents == 20
    sub = kz[kz["respondent_type"] == "Representative of a CSO"]
    assert result.base == len(sub.dropna(subset=["importance", "experience"]))


def test_text_question_in_a_crosstab_is_refused_with_a_hint(civic, kz):
    with pytest.raises(SyrmakError) as err:
        crosstab(civic, kz, "comment", "experience")
    assert "free-text" in str(err.value) and err.value.hint
    assert err.value.code == "wrong-question-type"


def test_unknown_question_names_close_matches(civic, kz):
    with pytest.raises(SyrmakError) as err:
        crosstab(civic, kz, "importanse", "experience")
    assert "'importance'" in err.value.hint


def test_bad_percent_is_refused(civic, kz):
    with pytest.raises(SyrmakError, match="percent must be one of"):
        crosstab(civic, kz, "importance", "experience", percent="cell")


def test_frame_with_categories_in_another_order_is_mapped_by_label(civic, kz):
    frame = kz.copy()
    frame["importance"] = frame["importance"].cat.reorder_categories(
        list(reversed(frame["importance"].cat.categories))
    )
    frame["experience"] = frame["experience"].astype(str).replace("nan", None)
    result = crosstab(civic, frame, "importance", "experience")
    assert result.counts == ((1, 1), (2, 2), (4, 12), (1, 8))


def test_answers_outside_the_choices_are_reported(civic, kz):
    frame = kz.copy()
    frame["experience"] = frame["experience"].astype(object)
    frame.loc[3, "experience"] = "Maybe"
    with pytest.raises(SyrmakError, match="'Maybe'"):
        crosstab(civic, frame, "importance", "experience")


def test_table_2_chi_square(civic, kz, kz_raw):
    table = pd.crosstab(pd.Series(kz_raw["adapt"]), pd.Series(kz_raw["effect"])).to_numpy()
    ref = stats.chi2_contingency(table, correction=False)
    result = crosstab(civic, kz, "adapt", "effect")
    assert result.tests["chi2"]["statistic"] == pytest.approx(ref.statistic)


def test_weighted_multiple_rows_get_design_based_column_intervals(civic, messy):
    result = crosstab(
        civic, messy, "spheres", "respondent_type", percent="column", weight="w", ci=True
    )
    keep = messy["spheres/women"].notna() & messy["respondent_type"].notna()
    sub = messy[keep]
    for j, label in enumerate(result.columns):
        col = sub[sub["respondent_type"] == label]
        w = col["w"].to_numpy()
        assert result.column_totals[j] == pytest.approx(w.sum())
        ticked = col["spheres/women"].astype(bool).to_numpy()
        i = result.row_names.index("women")
        assert result.counts[i][j] == pytest.approx(w[ticked].sum())
        # Design-based logit interval (weights only: each respondent a PSU), computed
        # by hand: linearised scores over the whole frame, zero outside the column.
        p = w[ticked].sum() / w.sum()
        in_col = (keep & (messy["respondent_type"] == label)).to_numpy()
        y = messy["spheres/women"].fillna(False).astype(bool).to_numpy()
        wf = messy["w"].to_numpy()
        z = np.where(in_col, wf * (y - p) / w.sum(), 0.0)
        se = np.sqrt(len(z) / (len(z) - 1) * ((z - z.mean()) ** 2).sum())
        t = stats.t.ppf(0.975, in_col.sum() - 1)
        half = t * se / (p * (1 - p))
        expit = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
        lo, hi = expit(np.log(p / (1 - p)) - half), expit(np.log(p / (1 - p)) + half)
        assert result.ci[i][j] == pytest.approx((lo * 100, hi * 100))
    assert result.effective_n == pytest.approx(
        sub["w"].sum() ** 2 / (sub["w"] ** 2).sum()
    )


def test_both_counting_strategies_agree(civic, messy, monkeypatch):
    from syrmak.analysis import tables

    masked = crosstab(civic, messy, "spheres", "importance")
    monkeypatch.setattr(tables, "_MASKED_COLUMNS", 0)
    binned = crosstab(civic, messy, "spheres", "importance")
    assert masked.counts == binned.counts
    assert masked.column_totals == binned.column_totals
    assert masked.base == binned.base and masked.missing == binned.missing
