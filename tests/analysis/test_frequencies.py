import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from syrmak.analysis import frequencies, multiple_response
from syrmak.analysis.frames import build_frame
from syrmak.analysis.stats import kish, wilson
from syrmak.errors import SyrmakError


@pytest.fixture(scope="module")
def gappy(civic):
    """40 respondents; 'very_important' never chosen, 6 did not answer."""
    values = ["difficult"] * 5 + ["unimportant"] * 9 + ["important"] * 20 + [None] * 6
    rng = np.random.default_rng(11)
    order = rng.permutation(len(values))
    answers = {
        "importance": [values[i] for i in order],
        "respondent_type": (["cso", "independent"] * 20),
        "w": rng.uniform(0.5, 3.0, 40).round(2),
    }
    return build_frame(civic, answers)


def test_counts_in_questionnaire_order_with_empty_options_kept(civic, gappy):
    result = frequencies(civic, gappy, "importance")
    ref = gappy["importance"].value_counts(sort=False, dropna=True)
    assert result.rows == tuple(ref.index)
    assert result.counts == tuple(float(x) for x in ref.to_numpy())
    assert result.counts[-1] == 0
    assert result.valid == 34 and result.missing == 6 and result.total == 40
    np.testing.assert_allclose(result.percent, ref.to_numpy() / 34 * 100)
    np.testing.assert_allclose(result.percent_all, ref.to_numpy() / 40 * 100)
    assert result.names == ("difficult", "unimportant", "important", "very_important")


def test_labels_in_the_requested_language(civic, gappy):
    result = frequencies(civic, gappy, "importance", lang="ru")
    assert result.rows[0] == "Затрудняюсь ответить"
    assert result.title == "Насколько важно сотрудничество с государством?"
    with pytest.raises(SyrmakError, match="no language 'kk'"):
        frequencies(civic, gappy, "importance", lang="kk")


def test_frame_language_is_the_default_for_labels(civic, gappy):
    frame = gappy.copy()
    frame.attrs["lang"] = "ru"
    assert frequencies(civic, frame, "importance").rows[2] == "Скорее важно"


def test_wilson_intervals_match_statsmodels_and_newcombe(civic, gappy):
    result = frequencies(civic, gappy, "importance", ci=True)
    for count, (lo, hi) in zip(result.counts, result.ci, strict=True):
        ref = proportion_confint(count, 34, method="wilson")
        assert (lo, hi) == pytest.approx((ref[0] * 100, ref[1] * 100))
    # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score).
    lo, hi = wilson([81, 15, 0, 1], [263, 148, 20, 29])
    np.testing.assert_allclose(lo, [25.53, 6.24, 0.0, 0.61], atol=0.006)
    np.testing.assert_allclose(hi, [36.62, 16.05, 16.11, 17.18], atol=0.006)


def test_wilson_by_hand():
    x, n, z = 7, 31, 1.959963984540054
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = wilson(x, n)
    assert (float(lo), float(hi)) == pytest.approx(((centre - half) * 100, (centre + half) * 100))


def test_small_base_is_noted(civic, gappy):
    small = frequencies(civic, gappy, "importance", where="respondent_type = cso")
    assert small.valid < 30
    assert any("small base" in n for n in small.notes)
    assert not any("small base" in n for n in frequencies(civic, gappy, "importance").notes)


def test_weighted_counts_and_kish_effective_n(civic, gappy):
    result = frequencies(civic, gappy, "importance", weight="w", ci=True)
    ref = gappy.groupby("importance", observed=False)["w"].sum()
    np.testing.assert_allclose(result.counts, ref.to_numpy())
    answered = gappy.loc[gappy["importance"].notna(), "w"].to_numpy()
    n_eff = answered.sum() ** 2 / (answered**2).sum()
    assert result.effective_n == pytest.approx(n_eff)
    assert kish(answered) == pytest.approx(n_eff)
    p = result.counts[0] / result.valid
    # Kish n is information; the interval is design-based (logit, as svyciprop), so it
    # is not the Wilson interval on the Kish n that syrmak used to print.
    wilson = proportion_confint(p * n_eff, n_eff, method="wilson")
    assert result.ci[0] != pytest.approx((wilson[0] * 100, wilson[1] * 100))
    assert any("logit intervals" in n for n in result.notes)
    assert result.missing == pytest.approx(gappy.loc[gappy["importance"].isna(), "w"].sum())


def test_integer_question_counts_distinct_values(civic, kz):
    result = frequencies(civic, kz, "founded")
    ref = kz["founded"].value_counts().sort_index()
    assert result.rows == tuple(str(x) for x in ref.index)
    assert result.counts == tuple(float(x) for x in ref.to_numpy())
    assert result.missing == kz["founded"].isna().sum()


def test_other_texts_are_listed(civic, kz, kz_raw):
    result = multiple_response(civic, kz, "spheres")
    assert result.other == tuple(t for t in kz_raw["spheres_other"] if t)


def test_multiple_response_against_column_sums(civic, kz):
    result = multiple_response(civic, kz, "spheres", ci=True)
    columns = [f"spheres/{c}" for c in result.names]
    sums = kz[columns].sum()
    answered = kz["spheres/women"].notna().sum()
    assert result.counts == tuple(float(x) for x in sums.to_numpy())
    assert result.answered == answered == 28
    assert result.not_answered == 3
    np.testing.assert_allclose(result.percent, sums.to_numpy() / answered * 100)
    np.testing.assert_allclose(result.percent_mentions, sums.to_numpy() / sums.sum() * 100)
    assert sum(result.percent_mentions) == pytest.approx(100)
    assert result.mentions == sums.sum()
    lo, hi = proportion_confint(result.counts[1], answered, method="wilson")
    assert result.ci[1] == pytest.approx((lo * 100, hi * 100))


def test_multiple_response_weighted_and_filtered(civic, kz):
    result = multiple_response(civic, kz, "spheres", where="respondent_type = cso", weight="w")
    sub = kz[(kz["respondent_type"] == "Representative of a CSO")]
    answered = sub["spheres/women"].notna()
    expected = [sub.loc[sub[f"spheres/{c}"].fillna(False).astype(bool), "w"].sum()
                for c in result.names]
    np.testing.assert_allclose(result.counts, expected)
    assert result.answered == pytest.approx(sub.loc[answered, "w"].sum())
    assert result.respondents == len(sub)


def test_frequencies_of_a_multiple_answer_question_points_to_multiple_response(civic, kz):
    with pytest.raises(SyrmakError) as err:
        frequencies(civic, kz, "spheres")
    assert "multiple_response" in err.value.hint


def test_multiple_response_of_a_single_answer_question_is_refused(civic, kz):
    with pytest.raises(SyrmakError, match="multiple-answer"):
        multiple_response(civic, kz, "importance")


def test_missing_option_column_is_named(civic, kz):
    frame = kz.drop(columns=["spheres/lgbt"])
    with pytest.raises(SyrmakError) as err:
        multiple_response(civic, frame, "spheres")
    assert "'spheres/lgbt'" in str(err.value)


def test_object_column_of_labels_in_any_language(civic, gappy):
    frame = gappy.copy()
    frame["importance"] = frame["importance"].astype(object)
    frame.loc[frame["importance"] == "Difficult to answer", "importance"] = "затрудняюсь ответить"
    result = frequencies(civic, frame, "importance")
    assert result.counts == frequencies(civic, gappy, "importance").counts


def test_frequencies_to_frame(civic, gappy):
    frame = frequencies(civic, gappy, "importance", ci=True).to_frame()
    assert list(frame.columns) == [
        "name", "count", "percent", "percent_all", "ci_low", "ci_high",
    ]
    assert frame["count"].dtype == np.int64
    assert frame["count"].sum() == 34
    assert isinstance(frame.index, pd.Index) and frame.index[0] == "Difficult to answer"


def test_multiple_response_to_frame(civic, kz):
    result = multiple_response(civic, kz, "spheres", ci=True)
    frame = result.to_frame()
    assert list(frame.columns) == [
        "name", "count", "percent", "percent_mentions", "ci_low", "ci_high",
    ]
    assert frame["count"].dtype == np.int64
    assert list(frame["name"]) == list(result.names)
    assert frame["percent_mentions"].sum() == pytest.approx(100)
    assert frame["ci_low"].iloc[1] == pytest.approx(result.ci[1][0])
