"""Design-based inference for weighted data, checked against R's survey package.

Data: ``apistrat`` and ``apiclus2`` of R's survey package (``data(api)``), the columns
used here in ``tests/analysis/data`` (see the header of each file). R is not needed at
test time; every reference number below says where it comes from:

* R: ``tests/api.Rout.save`` of the survey package (its recorded ``example(api)``
  output, CRAN mirror github.com/cran/survey), for the linearised variances.
* samplics: samplics 0.6.1 (``CrossTabulation``/``TaylorEstimator``, an independent
  implementation whose README states agreement with R and Stata), run on the same CSV
  files. Its ``CrossTabulation`` returns F = 0 as released (a ``try/else`` in
  ``categorical/tabulation.py`` overwrites Delta with zeros); the numbers are those it
  gives with that ``else:`` branch removed. Its Delta is computed in a different
  parametrisation (Vsrs-weighted contrasts) from R's (D^-1-scaled contrasts), so
  agreement checks the algebra, not a copy of it. No R-computed svychisq/svyciprop
  values on these data sets were obtainable offline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from syrmak.analysis import Design, banner, crosstab, frequencies, likert, multiple_response
from syrmak.analysis.design import from_config, resolve
from syrmak.errors import SyrmakError
from syrmak.survey.instrument import Choice, Question, Questionnaire, Section

DATA = Path(__file__).parent / "data"
#: Population schools per stratum of apistrat (fpc) and schools sampled.
POPULATION = {"E": 4421, "M": 1018, "H": 755}
SAMPLED = {"E": 100, "M": 50, "H": 50}


def _yes_no(name: str) -> Question:
    return Question(name, "select_one", {"en": name},
                    (Choice("Yes", {"en": "Yes"}), Choice("No", {"en": "No"})), "yes_no")


STYPE = Question("stype", "select_one", {"en": "School type"},
                 tuple(Choice(x, {"en": x}) for x in "EHM"), "stype")
AWARD = Question("award", "select_multiple", {"en": "Awards"},
                 (Choice("sch", {"en": "School-wide target"}),
                  Choice("comp", {"en": "Comparable improvement"})), "award")
FORM = Questionnaire("api", "API 2000", "1", "en", ("en",), (Section("s", {"en": "s"}),),
                     (STYPE, _yes_no("sch.wide"), _yes_no("comp.imp"), _yes_no("yr.rnd"),
                      AWARD))


def api(name: str) -> pd.DataFrame:
    raw = pd.read_csv(DATA / f"{name}.csv", comment="#")
    if "pw" not in raw:  # apistrat: pw = N_h / n_h
        raw["fpc"] = raw["stype"].map(POPULATION)
        raw["pw"] = raw["fpc"] / raw["stype"].map(SAMPLED)
    frame = pd.DataFrame(index=pd.RangeIndex(1, len(raw) + 1, name="respondent"))
    frame["stype"] = pd.Categorical(raw["stype"], categories=list("EHM"), ordered=True)
    for q in ("sch.wide", "comp.imp", "yr.rnd"):
        frame[q] = pd.Categorical(raw[q], categories=["Yes", "No"], ordered=True)
    frame["award/sch"] = pd.array(raw["sch.wide"] == "Yes", dtype="boolean")
    frame["award/comp"] = pd.array(raw["comp.imp"] == "Yes", dtype="boolean")
    for col in ("pw", "fpc", "dnum", "api00", "enroll"):
        if col in raw:
            frame[col] = raw[col].to_numpy()
    return frame


STRAT = api("apistrat")
CLUS2 = api("apiclus2")
DSTRAT = Design("pw", strata="stype", fpc="fpc")  # svydesign(id=~1, strata=~stype, fpc=~fpc)
DCLUS2WR = Design("pw", cluster="dnum")  # svydesign(id=~dnum+snum, weights=~pw): stage 1


def _mean_and_total(frame, design, column):
    """svymean and svytotal of a numeric column, NAs dropped (na.rm=TRUE), through the
    design's linearised covariance."""
    d = resolve(frame, design)
    y = frame[column].to_numpy(float)
    ok = ~np.isnan(y)
    w = np.where(ok, frame[design.weight].to_numpy(float), 0.0)
    y = np.where(ok, y, 0.0)
    mean = (w * y).sum() / w.sum()
    se_mean = np.sqrt(d.covariance(w * (y - mean) / w.sum())[0, 0])
    se_total = np.sqrt(d.covariance(w * y)[0, 0])
    return mean, se_mean, (w * y).sum(), se_total


@pytest.mark.parametrize(
    ("frame", "design", "column", "mean", "se_mean", "total", "se_total"),
    [
        # R tests/api.Rout.save: svymean(~api00, dstrat) 662.29 (9.4089);
        # svytotal(~enroll, dstrat, na.rm=TRUE) 3687178 (114642)
        (STRAT, DSTRAT, None, 662.29, 9.4089, None, None),
        (STRAT, DSTRAT, "enroll", None, None, 3687178, 114642),
        # R tests/api.Rout.save: svymean(~api00, dclus2wr) 670.81 (30.712);
        # svytotal(~enroll, dclus2wr, na.rm=TRUE) 2639273 (820261)
        (CLUS2, DCLUS2WR, None, 670.81, 30.712, None, None),
        (CLUS2, DCLUS2WR, "enroll", None, None, 2639273, 820261),
    ],
)
def test_linearised_variance_matches_r(frame, design, column, mean, se_mean, total, se_total):
    m, sm, t, st = _mean_and_total(frame, design, column or "api00")
    if mean is not None:
        assert m == pytest.approx(mean, abs=0.005)
        assert sm == pytest.approx(se_mean, abs=5e-4)  # R prints 5 significant digits
    if total is not None:
        assert t == pytest.approx(total, abs=0.5)
        assert st == pytest.approx(se_total, abs=0.5)


@pytest.mark.parametrize(
    ("frame", "design", "row", "col", "F", "ndf", "ddf", "p"),
    [
        # samplics, stratum=stype, fpc={h: 1 - n_h/N_h}
        (STRAT, DSTRAT, "sch.wide", "comp.imp", 47.31773177275591, 1.0, 197.0,
         7.822043013305802e-11),
        # samplics, stratum=stype, no fpc
        (STRAT, Design("pw", strata="stype"), "sch.wide", "yr.rnd", 1.2695994347252868,
         1.0, 197.0, 0.2612124658358169),
        # samplics, weights only (each school its own PSU)
        (STRAT, "pw", "sch.wide", "stype", 16.719577769620955, 1.8381237970068793,
         365.786635604369, 2.9778490129306334e-07),
        # samplics, psu=dnum
        (CLUS2, DCLUS2WR, "sch.wide", "stype", 11.48456789702703, 1.3753121947762639,
         53.63717559627429, 0.00040932862358411537),
        (CLUS2, DCLUS2WR, "comp.imp", "yr.rnd", 2.1660509125711966, 1.0, 39.0,
         0.1491122298865012),
    ],
)
def test_rao_scott_matches_reference(frame, design, row, col, F, ndf, ddf, p):
    result = crosstab(FORM, frame, row, col, weight=design)
    rs = result.tests["rao_scott"]
    assert rs["statistic"] == pytest.approx(F, rel=1e-8)
    assert rs["ndf"] == pytest.approx(ndf, rel=1e-8)
    assert rs["ddf"] == pytest.approx(ddf, rel=1e-8)
    assert rs["p"] == pytest.approx(p, rel=1e-6)
    assert result.tests["chi2"] is None
    assert any("Rao-Scott second-order correction" in n for n in result.notes)


def test_clustering_changes_the_p_value_as_it_should():
    """The Kish-rescaled chi-square syrmak used to report ignores the 40 clusters: on
    apiclus2 it is about 6 times smaller than the design-based p-value (0.00007 against
    0.0004)."""
    result = crosstab(FORM, CLUS2, "sch.wide", "stype", weight=DCLUS2WR)
    w = CLUS2["pw"].to_numpy()
    kish = w.sum() ** 2 / (w**2).sum()
    table = np.array(result.counts)
    old = stats.chi2_contingency(table * kish / table.sum(), correction=False).pvalue
    assert result.tests["rao_scott"]["p"] / old > 5


@pytest.mark.parametrize(
    ("frame", "design", "question", "where", "p", "low", "high"),
    [
        # samplics TaylorEstimator(prop): logit interval, t on the design df
        (STRAT, DSTRAT, "sch.wide", None, 0.8279480142072975, 0.7745396574689581,
         0.8708148575989395),
        (CLUS2, DCLUS2WR, "sch.wide", None, 0.7512915129151292, 0.5946625531708409,
         0.8614935111673719),
        (CLUS2, DCLUS2WR, "yr.rnd", None, 0.07675276752767528, 0.018242583284704586,
         0.2711037970282458),
    ],
)
def test_logit_interval_matches_reference(frame, design, question, where, p, low, high):
    result = frequencies(FORM, frame, question, weight=design, ci=True, where=where)
    assert result.percent[0] == pytest.approx(p * 100)
    assert result.ci[0] == pytest.approx((low * 100, high * 100), rel=1e-8)
    assert any("logit" in n and "svyciprop" in n for n in result.notes)


@pytest.mark.parametrize(
    ("stype", "p", "se"),
    [
        # samplics TaylorEstimator(prop, psu=dnum, domain=stype): estimate and SE
        ("E", 0.9306608884073674, 0.03955148244856874),
        ("H", 0.14835164835164835, 0.08723197559376085),
        ("M", 0.5280000000000002, 0.18952872212073282),
    ],
)
def test_a_filter_is_a_domain_of_the_design(stype, p, se):
    """``where`` keeps every cluster in the variance (scores zero outside the subgroup),
    as R's subset() of a design; the df are R's degf of that subset (the clusters with a
    school of that type, minus one), which samplics does not use."""
    result = frequencies(FORM, CLUS2, "sch.wide", where=f"stype = {stype}", weight=DCLUS2WR,
                         ci=True)
    df = CLUS2.loc[CLUS2["stype"] == stype, "dnum"].nunique() - 1
    half = stats.t.ppf(0.975, df) * se / (p * (1 - p))
    eta = np.log(p / (1 - p))
    expected = (100 / (1 + np.exp(-(eta - half))), 100 / (1 + np.exp(-(eta + half))))
    assert result.percent[0] == pytest.approx(p * 100)
    assert result.ci[0] == pytest.approx(expected, rel=1e-8)
    # The same cell of a column-percent crosstab is the same domain estimate.
    table = crosstab(FORM, CLUS2, "sch.wide", "stype", percent="column", weight=DCLUS2WR,
                     ci=True)
    assert table.ci[0]["EHM".index(stype)] == pytest.approx(expected, rel=1e-8)


def test_every_weighted_analysis_reports_design_intervals():
    for result in (
        multiple_response(FORM, CLUS2, "award", weight=DCLUS2WR, ci=True),
        banner(FORM, CLUS2, "sch.wide", ["stype"], weight=DCLUS2WR, ci=True),
        likert(FORM, CLUS2, ["sch.wide", "comp.imp"], weight=DCLUS2WR, ci=True,
               dont_know=False),
    ):
        assert any("logit intervals" in n for n in result.notes), result.kind
        assert any("clusters 'dnum'" in n for n in result.notes), result.kind
    # The banner's Total column is the whole-sample proportion (samplics value above).
    total = banner(FORM, CLUS2, "sch.wide", ["stype"], weight=DCLUS2WR, ci=True)
    assert total.ci[0][0] == pytest.approx((59.46625531708409, 86.14935111673719), rel=1e-8)


def test_multiple_answer_options_get_one_rao_scott_test_each():
    result = crosstab(FORM, CLUS2, "award", "stype", weight=DCLUS2WR)
    first = result.tests["by_option"][0]  # award/sch ticked vs not: sch.wide x stype
    assert first["rao_scott"]["statistic"] == pytest.approx(11.48456789702703, rel=1e-8)


@pytest.mark.parametrize(
    ("frame", "design", "message"),
    [
        (STRAT.assign(lone=lambda f: np.where(f.index == 1, "x", f["stype"].astype(str))),
         Design("pw", strata="lone"), "single sampling unit"),
        (STRAT, Design("pw", strata="stratum"), "no stratum column 'stratum'"),
        (STRAT.assign(s=lambda f: f["stype"].astype(object).where(f.index > 1)),
         Design("pw", strata="s"), r"1 respondent\(s\) have no value in the stratum column"),
        (STRAT.assign(n=lambda f: np.where(f.index == 1, 1, f["fpc"])),
         Design("pw", strata="stype", fpc="n"), "differs within a stratum"),
    ],
)
def test_bad_designs_are_explained(frame, design, message):
    with pytest.raises(SyrmakError, match=message):
        frequencies(FORM, frame, "sch.wide", weight=design)


@pytest.mark.parametrize(
    ("config", "overrides", "expected"),
    [
        ({}, {}, None),
        ({"design": {"weight": "pw", "cluster": "dnum"}}, {}, Design("pw", cluster="dnum")),
        ({"design": {"weight": "pw", "cluster": "dnum"}}, {"weight": "w2"},
         Design("w2", cluster="dnum")),
        ({}, {"weight": "pw", "strata": "stype"}, Design("pw", strata="stype")),
    ],
)
def test_design_from_syrmak_toml_and_flags(config, overrides, expected):
    assert from_config(config, **overrides) == expected


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"design": {"strata": "stype"}}, "needs a weight column"),
        ({"design": {"weights": "pw"}}, "unknown keys: weights"),
    ],
)
def test_bad_design_tables(config, message):
    with pytest.raises(SyrmakError, match=message):
        from_config(config)
