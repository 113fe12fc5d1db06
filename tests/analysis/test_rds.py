"""RDS-II against a hand computation and against rdstools on its bundled toy data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from syrmak.analysis import rds

#: Two seeds. 1 -> 3, 4; 3 -> 5; 2 -> 6.   respondent: (recruiter, seed, wave, issued, used)
TREE = pd.DataFrame(
    [(1, None, 1, 0, 3, 2), (2, None, 2, 0, 3, 1), (3, 1, 1, 1, 3, 1), (4, 1, 1, 1, 3, 0),
     (5, 3, 1, 2, 3, 0), (6, 2, 2, 1, 3, 0)],
    columns=["respondent", "recruiter", "seed", "wave", "coupons_issued", "coupons_used"],
).astype({"recruiter": "Int64", "seed": "Int64"}).set_index("respondent")
ANSWERS = pd.Series(["a", "b", "a", "a", "b", "b"], index=TREE.index)
DEGREES = pd.Series([10, 2, 5, 5, 4, 1], index=TREE.index)


def test_rds_ii_equals_the_hand_computation():
    # weights 1/d: a = 1/10 + 1/5 + 1/5 = 0.5; b = 1/2 + 1/4 + 1/1 = 1.75; total 2.25
    result = rds.estimate(TREE, ANSWERS, DEGREES, question="q", replicates=200)
    assert result.categories == ("a", "b")
    assert result.estimate == pytest.approx((0.5 / 2.25, 1.75 / 2.25))
    assert result.sample == pytest.approx((0.5, 0.5))
    for low, point, high in zip(result.lower, result.estimate, result.upper, strict=True):
        assert 0 <= low <= point <= high <= 1
    # 1->3 a-a, 1->4 a-a, 3->5 a-b, 2->6 b-b: 3 same of 4; expected 3*p(a) + 1*p(b)
    expected = 3 * 0.5 / 2.25 + 1.75 / 2.25
    assert result.homophily == pytest.approx(3 / expected)
    assert list(result.bottleneck.index) == [1, 2]
    assert result.bottleneck.loc[2, "b"] == pytest.approx(1.0)
    assert result.convergence.iloc[-1].to_numpy() == pytest.approx(result.estimate)


def _big_tree(n: int = 60):
    """Three seeds, each later respondent recruited by respondent (i - 1) // 2 + ..."""
    rng = np.random.default_rng(1)
    recruiter = [None, None, None] + [int(rng.integers(1, i)) for i in range(4, n + 1)]
    tree = pd.DataFrame({"recruiter": pd.array(recruiter, dtype="Int64")},
                        index=pd.RangeIndex(1, n + 1, name="respondent"))
    tree["seed"] = tree.index.to_series()
    for i in tree.index[3:]:
        tree.loc[i, "seed"] = tree.loc[tree.loc[i, "recruiter"], "seed"]
    tree["wave"], tree["coupons_issued"], tree["coupons_used"] = 0, 3, 0
    answers = pd.Series(rng.choice(["a", "b", "c"], n), index=tree.index)
    degrees = pd.Series(rng.integers(1, 30, n), index=tree.index)
    return tree, answers, degrees


def test_the_bootstrap_is_reproducible_by_its_seed_and_changes_with_it():
    tree, answers, degrees = _big_tree()
    one = rds.estimate(tree, answers, degrees, replicates=300, random_seed=7)
    same = rds.estimate(tree, answers, degrees, replicates=300, random_seed=7)
    other = rds.estimate(tree, answers, degrees, replicates=300, random_seed=8)
    assert (one.lower, one.upper) == (same.lower, same.upper)
    assert (one.lower, one.upper) != (other.lower, other.upper)


def test_summary_of_the_tree():
    found = rds.summary(TREE)
    assert (found.respondents, found.seeds, found.depth) == (6, 2, 2)
    assert found.per_seed == ((1, 4), (2, 2))
    assert found.per_wave == ((0, 2), (1, 3), (2, 1))
    assert found.coupon_return_rate == pytest.approx(4 / 18)
    assert found.seed_dominance == pytest.approx(4 / 6)
    assert found.recruits_per_recruiter == pytest.approx(4 / 6)


def test_too_few_usable_respondents_is_a_clear_error():
    from syrmak.errors import SyrmakError

    with pytest.raises(SyrmakError) as caught:
        rds.estimate(TREE, ANSWERS, pd.Series(0, index=TREE.index), question="q")
    assert caught.value.code == "rds-too-few"


def test_rds_ii_matches_rdstools_on_its_toy_data():
    rdstools = pytest.importorskip("RDSTools")  # a test-only dependency (pip install rdstools)
    np.random.seed(0)  # rdstools imputes missing or zero degrees at random (hot deck)
    data = rdstools.RDSdata(rdstools.load_toy_data(), unique_id="ID", redeemed_coupon="CouponR",
                            issued_coupons=["Coupon1", "Coupon2", "Coupon3"], degree="Degree")
    theirs = rdstools.RDStable("Sex", data=data, weight="WEIGHT").results["Proportions"]
    tree = pd.DataFrame({
        "recruiter": pd.to_numeric(data["R_ID"], errors="coerce").astype("Int64").to_numpy(),
        "seed": pd.to_numeric(data["S_ID"], errors="coerce").astype("Int64").to_numpy(),
        "wave": data["WAVE"].astype(int).to_numpy(),
        "coupons_issued": 3, "coupons_used": 0}, index=pd.Index(data["ID"], name="respondent"))
    answers = pd.Series(data["Sex"].to_numpy(), index=tree.index)
    degrees = pd.Series(data["DEGREE_IMP"].to_numpy(dtype=float), index=tree.index)
    ours = rds.estimate(tree, answers, degrees, question="Sex", replicates=50)
    assert dict(zip(ours.categories, ours.estimate, strict=True)) == pytest.approx(
        {k: float(v) for k, v in theirs.items()})
