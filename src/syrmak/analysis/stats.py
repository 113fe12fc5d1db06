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


def independence(table, *, n_effective: float | None = None) -> dict:
    """Chi-square, Fisher's exact test and Cramér's V for a table of counts.

    Rows and columns nobody is in are left out first (they carry no information and
    make the expected counts zero). With weights, the weighted counts are rescaled to
    the Kish effective sample size before testing and Fisher's test is not run.

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
    weighted = n_effective is not None
    if weighted:
        kept = kept * (n_effective / n)
        notes.append(
            f"tests use the weighted counts rescaled to the effective sample size "
            f"(n_eff = {n_effective:.1f})."
        )
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
    for row in counts:
        zs, ps = [], []
        for a, b in pairs:
            z, p = np.nan, 1.0
            if bases[a] > 0 and bases[b] > 0:
                pooled = (row[a] + row[b]) / (bases[a] + bases[b])
                if 0 < pooled < 1:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", RuntimeWarning)
                        z, p = proportions_ztest([row[a], row[b]], [bases[a], bases[b]])
                    p = 1.0 if not np.isfinite(p) else float(p)
            zs.append(float(z))
            ps.append(p)
        if ps:
            reject, adjusted, _, _ = multipletests(ps, alpha=alpha, method="bonferroni")
        else:
            reject, adjusted = [], []
        result = []
        for (a, b), z, p, padj, rej in zip(pairs, zs, ps, adjusted, reject, strict=True):
            higher = None
            if rej:
                higher = a if row[a] / bases[a] > row[b] / bases[b] else b
            result.append((a, b, z, p, float(padj), higher))
        out.append(result)
    return out
