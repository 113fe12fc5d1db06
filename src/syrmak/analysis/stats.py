"""Intervals, effective sample sizes and tests of independence.

Kept apart from the counting so that each statistic can be checked on its own against
scipy and statsmodels called directly.
"""

from __future__ import annotations

import warnings

import numpy as np

# scipy and statsmodels are imported where they are used: together they take about a
# second to load, which a CLI command that never tests anything should not pay.

#: Below this many respondents a percentage is flagged as resting on a small base.
SMALL_BASE = 30
#: Expected counts below this make the chi-square approximation doubtful.
SPARSE = 5
#: Tables larger than 2x2 get a Monte Carlo Fisher test up to this many respondents;
#: beyond it the chi-square approximation is sound and the simulation only costs time.
FISHER_MAX_N = 10_000
FISHER_RESAMPLES = 9_999
#: Fixed so that the same data always give the same Monte Carlo p-value.
FISHER_SEED = 2022


def wilson(count, nobs, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """95% (by default) Wilson score interval, in percent; NaN where ``nobs`` is 0.

    Weighted analyses pass effective counts (``p * n_eff``) and the effective base.
    """
    from statsmodels.stats.proportion import proportion_confint

    count = np.asarray(count, dtype=float)
    nobs = np.broadcast_to(np.asarray(nobs, dtype=float), count.shape)
    lo = np.full(count.shape, np.nan)
    hi = np.full(count.shape, np.nan)
    ok = nobs > 0
    if np.any(ok):
        low, high = proportion_confint(count[ok], nobs[ok], alpha=alpha, method="wilson")
        lo[ok] = np.clip(low, 0.0, 1.0) * 100
        hi[ok] = np.clip(high, 0.0, 1.0) * 100
    return lo, hi


def kish(weights: np.ndarray) -> float:
    """Kish's effective sample size, (sum w)^2 / sum w^2."""
    total = float(np.sum(weights))
    squares = float(np.dot(weights, weights))
    return total * total / squares if squares > 0 else 0.0


def effective(total, squares):
    """Kish effective n of groups from their sums of weights and of squared weights."""
    total = np.asarray(total, dtype=float)
    squares = np.asarray(squares, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(squares > 0, total * total / np.where(squares > 0, squares, 1), 0.0)


def percent(part, whole):
    """100 * part / whole, NaN where whole is 0."""
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part * 100.0 / np.where(whole > 0, whole, 1), np.nan)


def _number(x) -> float | None:
    # scipy's Monte Carlo Fisher test returns some p-values as 1-element arrays.
    x = float(np.asarray(x, dtype=float).reshape(-1)[0])
    return None if not np.isfinite(x) else x


def independence(table) -> dict:
    """Chi-square, Fisher's exact test and Cramér's V for a table of unweighted counts
    (weighted tables get ``rao_scott``: a test on rescaled weighted counts ignores the
    design and can be far off).

    Rows and columns nobody is in are left out first (they carry no information and
    make the expected counts zero).

    Returns ``{"n", "shape", "chi2": {...} | None, "fisher": {...}, "cramers_v",
    "notes": [...]}``.
    """
    from scipy import stats
    from scipy.stats.contingency import association

    table = np.asarray(table, dtype=float)
    notes: list[str] = []
    kept = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if kept.shape != table.shape:
        notes.append("rows or columns without answers were left out of the tests.")
    n = float(kept.sum())
    out: dict = {
        "n": n,
        "shape": [int(kept.shape[0]), int(kept.shape[1])] if kept.size else [0, 0],
        "chi2": None,
        "fisher": None,
        "cramers_v": None,
        "notes": notes,
    }
    if kept.ndim != 2 or kept.shape[0] < 2 or kept.shape[1] < 2:
        notes.append("no test: the answers fall in a single row or column.")
        out["fisher"] = {"computed": False, "reason": "single row or column"}
        return out
    weighted = False
    res = stats.chi2_contingency(kept, correction=False)
    expected = res.expected_freq
    sparse = int(np.count_nonzero(expected < SPARSE))
    chi2 = {
        "statistic": _number(res.statistic),
        "df": int(res.dof),
        "p": _number(res.pvalue),
        "min_expected": _number(expected.min()),
        "cells_expected_below_5": sparse,
        "share_expected_below_5": sparse / expected.size,
    }
    if kept.shape == (2, 2):
        chi2["yates_p"] = _number(stats.chi2_contingency(kept, correction=True).pvalue)
    out["chi2"] = chi2
    if sparse:
        notes.append(
            f"{sparse} of {expected.size} cells ({100 * sparse / expected.size:.0f}%) have "
            f"expected counts below 5 (smallest {expected.min():.2f}); the chi-square "
            "p-value may be inaccurate, prefer Fisher's exact test."
        )
    integral = np.allclose(kept, np.round(kept))
    if not weighted and integral:
        out["cramers_v"] = _number(association(np.round(kept).astype(np.int64), method="cramer"))
    else:
        k = min(kept.shape) - 1
        out["cramers_v"] = _number(np.sqrt(res.statistic / (kept.sum() * k)))
    out["fisher"] = _fisher(kept, weighted, integral)
    if not out["fisher"]["computed"]:
        notes.append(f"Fisher's exact test not computed: {out['fisher']['reason']}.")
    return out


def _fisher(kept: np.ndarray, weighted: bool, integral: bool) -> dict:
    from scipy import stats

    if weighted or not integral:
        return {"computed": False, "reason": "weighted counts are not whole numbers"}
    counts = np.round(kept).astype(np.int64)
    n = int(counts.sum())
    if counts.shape == (2, 2):
        res = stats.fisher_exact(counts)
        return {
            "computed": True,
            "method": "exact",
            "p": _number(res.pvalue),
            "odds_ratio": _number(res.statistic),
        }
    if n > FISHER_MAX_N:
        return {
            "computed": False,
            "reason": f"n = {n} is above {FISHER_MAX_N}; the chi-square test is reliable here",
        }
    method = stats.MonteCarloMethod(
        n_resamples=FISHER_RESAMPLES, rng=np.random.default_rng(FISHER_SEED)
    )
    res = stats.fisher_exact(counts, method=method)
    return {
        "computed": True,
        "method": f"monte carlo ({FISHER_RESAMPLES} tables, seed {FISHER_SEED})",
        "p": _number(res.pvalue),
    }


def column_ztests(counts, bases, alpha: float = 0.05):
    """Pairwise two-proportion z-tests between columns, row by row, Bonferroni-corrected
    over the pairs of each row (as SPSS's "compare column proportions").

    As SPSS, a column whose proportion in the row is 0 or 1 (or whose base is empty) is
    left out of that row's comparisons ("the proportion is equal to zero or one"): its
    pairs get z, p and p_adjusted NaN and never a letter, and the Bonferroni correction
    counts only the pairs actually tested.

    ``counts`` is rows x columns, ``bases`` the respondents of each column (effective n
    when weighted). Returns, per row, a list of ``(a, b, z, p, p_adjusted, higher)``
    with ``higher`` the index of the larger proportion when the difference is
    significant, else None.
    """
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportions_ztest

    counts = np.asarray(counts, dtype=float)
    bases = np.asarray(bases, dtype=float)
    k = counts.shape[1]
    pairs = [(a, b) for a in range(k) for b in range(a + 1, k)]
    out = []
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(bases > 0, counts / np.where(bases > 0, bases, 1), np.nan)
    for i, row in enumerate(counts):
        # SPSS leaves out columns at 0 or 1 (an exact 0/1 has no sampling variance of
        # its own, and the pooled z-test would mark every other column against it).
        usable = (bases > 0) & (share[i] > 0) & (share[i] < 1)
        zs, ps, tested = [], [], []
        for a, b in pairs:
            z, p = np.nan, np.nan
            if usable[a] and usable[b]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    z, p = proportions_ztest([row[a], row[b]], [bases[a], bases[b]])
                p = 1.0 if not np.isfinite(p) else float(p)
                tested.append(len(ps))
            zs.append(float(z))
            ps.append(p)
        adjusted = np.full(len(pairs), np.nan)
        reject = np.zeros(len(pairs), dtype=bool)
        if tested:
            rej, adj, _, _ = multipletests([ps[k] for k in tested], alpha=alpha,
                                           method="bonferroni")
            adjusted[tested] = adj
            reject[tested] = rej
        result = []
        for k, (a, b) in enumerate(pairs):
            higher = None
            if reject[k]:
                higher = a if share[i, a] > share[i, b] else b
            result.append((a, b, zs[k], ps[k], float(adjusted[k]), higher))
        out.append(result)
    return out


# --------------------------------------------------------------------------- design-based
#
# Weighted analyses take their variances from the sampling design (see design.py): the
# proportions are ratio estimators whose Taylor-linearised scores are summed by sampling
# unit. The formulas follow R's survey package, which the tests check them against.


def design_proportions(y, domain, w, s):
    """Weighted proportions of the indicator columns ``y`` among ``domain`` (kept
    respondents), their design-based covariance and degrees of freedom.

    ``s`` is the analysis' ``Sample`` (its design spans the whole frame). Returns
    ``(p, cov, df)``; ``p`` is NaN and ``cov`` None when the domain weighs nothing.
    """
    w = np.asarray(w, dtype=float)
    y = np.asarray(y, dtype=float).reshape(len(w), -1)
    wd = np.where(domain, w, 0.0)
    total = float(wd.sum())
    if total <= 0:
        return np.full(y.shape[1], np.nan), None, 0
    p = wd @ y / total
    # Scores of a ratio estimator (svymean's linearisation): w_i (y_i - p) / sum(w).
    scores = wd[:, None] * (y - p) / total
    cov = s.design.covariance(s.scatter(scores))
    df = s.design.degrees_of_freedom(s.scatter(np.asarray(domain) & (w > 0)))
    return p, cov, df


def logit_interval(p, se, df, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """R's ``svyciprop(method="logit")``, in percent: a Wald interval on the logit scale
    with t quantiles on the design's degrees of freedom, transformed back (the
    intercept-only quasibinomial svyglm of svyciprop has SE(logit p) = SE(p) / (p(1-p))).
    NaN where p is 0 or 1 (no logit) or the design has no degrees of freedom."""
    from scipy import stats as st
    from scipy.special import expit, logit

    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    lo = np.full(p.shape, np.nan)
    hi = np.full(p.shape, np.nan)
    if df < 1:
        return lo, hi
    q = st.t.ppf(1 - alpha / 2, df)
    ok = (p > 0) & (p < 1) & np.isfinite(se)
    if np.any(ok):
        eta = logit(p[ok])
        half = q * se[ok] / (p[ok] * (1 - p[ok]))
        lo[ok] = expit(eta - half) * 100
        hi[ok] = expit(eta + half) * 100
    return lo, hi


def design_interval(y, domain, w, s, alpha: float = 0.05):
    """Logit intervals (percent) of the proportions of the columns of ``y`` in
    ``domain``; see ``design_proportions`` and ``logit_interval``."""
    p, cov, df = design_proportions(y, domain, w, s)
    if cov is None:
        return np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    return logit_interval(p, se, df, alpha)


def rao_scott(row, col, valid, w, s, shape) -> dict:
    """Pearson's chi-square with the Rao-Scott second-order correction, as R's
    ``svychisq(statistic="F")`` (the default) and Stata's ``svy: tabulate``.

    Rao, J.N.K. and Scott, A.J. (1984) "On chi-squared tests for multiway contingency
    tables with cell proportions estimated from survey data", Annals of Statistics 12,
    46-60; the matrix steps are those of R survey's ``svychisq.survey.design``
    (R/surveychisq.R): Delta = (C' D^-1 C / N)^-1 (C' D^-1 V D^-1 C), with C the
    interaction contrasts orthogonal to the main effects, D the cell proportions and V
    their design-based covariance; F = X^2 / tr(Delta) on F(d0, d0 nu) with
    d0 = tr(Delta)^2 / tr(Delta^2) and nu the design's degrees of freedom; X^2 is
    Pearson's statistic of the weighted table rescaled to the N respondents tested.

    ``row``/``col``: category codes per kept respondent, ``valid``: who is tested,
    ``shape``: (rows, columns). Returns ``{"n", "shape", "chi2": None, "rao_scott",
    "fisher", "cramers_v", "notes"}``; ``rao_scott`` is None when there is no test.
    """
    from scipy import stats as st

    w = np.asarray(w, dtype=float)
    valid = np.asarray(valid, dtype=bool) & (w > 0)
    R, C = shape
    r = np.where(valid, row, 0).astype(np.intp)
    c = np.where(valid, col, 0).astype(np.intp)
    table = np.zeros((R, C))
    np.add.at(table, (r[valid], c[valid]), w[valid])
    rows_kept = np.flatnonzero(table.sum(1) > 0)
    cols_kept = np.flatnonzero(table.sum(0) > 0)
    notes: list[str] = []
    if len(rows_kept) < R or len(cols_kept) < C:
        notes.append("rows or columns without answers were left out of the tests.")
    n = int(np.count_nonzero(valid))
    out: dict = {
        "n": n,
        "shape": [int(len(rows_kept)), int(len(cols_kept))],
        "chi2": None,
        "rao_scott": None,
        "fisher": {"computed": False, "reason": "weighted data: the design-based "
                   "Rao-Scott test is reported instead"},
        "cramers_v": None,
        "notes": notes,
    }
    if len(rows_kept) < 2 or len(cols_kept) < 2:
        notes.append("no test: the answers fall in a single row or column.")
        out["fisher"] = {"computed": False, "reason": "single row or column"}
        return out
    kept = table[np.ix_(rows_kept, cols_kept)]
    R2, C2 = kept.shape
    row_map = np.full(R, -1)
    row_map[rows_kept] = np.arange(R2)
    col_map = np.full(C, -1)
    col_map[cols_kept] = np.arange(C2)
    cell = row_map[r] * C2 + col_map[c]
    inside = valid & (row_map[r] >= 0) & (col_map[c] >= 0)
    y = np.zeros((len(w), R2 * C2))
    y[np.flatnonzero(inside), cell[inside]] = 1.0
    p, V, nu = design_proportions(y, inside, w, s)

    # Cells in row-major order; main effects X1 and the interaction columns of X12.
    i_idx, j_idx = np.divmod(np.arange(R2 * C2), C2)
    rows_d = (i_idx[:, None] == np.arange(1, R2)[None, :]).astype(float)
    cols_d = (j_idx[:, None] == np.arange(1, C2)[None, :]).astype(float)
    X1 = np.column_stack([np.ones(R2 * C2), rows_d, cols_d])
    inter = (rows_d[:, :, None] * cols_d[:, None, :]).reshape(R2 * C2, -1)
    Cmat = inter - X1 @ np.linalg.lstsq(X1, inter, rcond=None)[0]  # qr.resid(qr(X1), .)
    inv_p = np.where(p > 0, 1.0 / np.where(p > 0, p, 1.0), 0.0)
    denom = Cmat.T @ (inv_p[:, None] * Cmat) / n
    numer = Cmat.T @ (inv_p[:, None] * V * inv_p[None, :]) @ Cmat
    delta = np.linalg.solve(denom, numer)
    trace = float(np.trace(delta))
    trace2 = float(np.trace(delta @ delta))
    pearson = float(st.chi2_contingency(kept * (n / kept.sum()), correction=False).statistic)
    k = min(R2, C2) - 1
    out["cramers_v"] = _number(np.sqrt(pearson / (n * k)))
    if nu < 1 or trace <= 0 or trace2 <= 0:
        notes.append("no design-based test: the design has no degrees of freedom left "
                     "for this table (too few sampling units answered).")
        return out
    d0 = trace * trace / trace2
    F = pearson / trace
    out["rao_scott"] = {
        "statistic": _number(F),
        "ndf": _number(d0),
        "ddf": _number(d0 * nu),
        "p": _number(st.f.sf(F, d0, d0 * nu)),
        "pearson": _number(pearson),
        "df": (R2 - 1) * (C2 - 1),
        "design_df": int(nu),
        "mean_design_effect": _number(trace / ((R2 - 1) * (C2 - 1))),
    }
    return out
