"""Respondent-driven sampling: the recruitment summary and RDS-II estimates.

Pure functions over a recruitment frame (one row per respondent: ``recruiter`` (NA for a
seed), ``seed``, ``wave``, ``coupons_issued``, ``coupons_used``; index: respondent) and
the answers. The frame comes from ``syrmak.collect.tree.recruitment``.

RDS-II (Volz & Heckathorn 2008) weights each respondent by the inverse of their degree
(their network size in the target population): p_k = sum_{i in k} 1/d_i / sum_i 1/d_i.
Intervals come from the tree bootstrap (Salganik 2006): seeds are resampled with
replacement, then each resampled respondent's recruits, wave by wave; percentiles of the
replicates' estimates. The random generator is seeded, so a result can be reproduced.
The assumptions the estimator needs are in docs/collection.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from syrmak.errors import SyrmakError


@dataclass(frozen=True)
class RecruitmentSummary:
    respondents: int
    seeds: int
    depth: int  # the highest wave reached
    per_wave: tuple[tuple[int, int], ...]  # (wave, respondents)
    per_seed: tuple[tuple[int, int], ...]  # (seed, respondents in its tree, itself included)
    recruits_per_recruiter: float  # mean recruits of those who got coupons
    coupon_return_rate: float  # coupons used / coupons issued to respondents
    seed_dominance: float  # the largest tree's share of the sample

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.per_seed, columns=["seed", "respondents"])


@dataclass(frozen=True)
class RdsEstimate:
    question: str
    categories: tuple[str, ...]
    n: int
    sample: tuple[float, ...]  # unweighted sample proportions
    estimate: tuple[float, ...]  # RDS-II
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    level: float
    replicates: int
    random_seed: int
    homophily: float | None  # observed / expected same-category recruitments
    convergence: pd.DataFrame  # RDS-II after each respondent, in order of entry
    bottleneck: pd.DataFrame  # RDS-II within each seed's tree
    #: The convergence of each seed's tree on its own: index (seed, respondent), in order
    #: of entry within the tree; its last row per seed is that seed's ``bottleneck`` row.
    seed_convergence: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"sample": self.sample, "rds_ii": self.estimate,
                             "lower": self.lower, "upper": self.upper},
                            index=pd.Index(self.categories, name=self.question))


def summary(tree: pd.DataFrame) -> RecruitmentSummary:
    """Seeds, waves, recruits per seed and recruiter, coupon return, seed dominance."""
    if tree.empty:
        return RecruitmentSummary(0, 0, 0, (), (), 0.0, 0.0, 0.0)
    seeds = tree.index[tree["recruiter"].isna()]
    per_seed = tree.groupby("seed").size()
    recruits = tree["recruiter"].dropna().value_counts()
    recruiters = tree[tree["coupons_issued"] > 0]
    issued = int(tree["coupons_issued"].sum())
    return RecruitmentSummary(
        respondents=len(tree), seeds=len(seeds), depth=int(tree["wave"].max()),
        per_wave=tuple((int(w), int(c)) for w, c in tree.groupby("wave").size().items()),
        per_seed=tuple((int(s), int(c)) for s, c in per_seed.items()),
        recruits_per_recruiter=float(recruits.reindex(recruiters.index, fill_value=0).mean())
        if len(recruiters) else 0.0,
        coupon_return_rate=float(tree["coupons_used"].sum() / issued) if issued else 0.0,
        seed_dominance=float(per_seed.max() / len(tree)),
    )


def rds_ii(values: pd.Series, degrees: pd.Series, categories) -> np.ndarray:
    """RDS-II proportions of ``categories`` (respondents with an answer and a degree > 0)."""
    weights = 1.0 / degrees.to_numpy(dtype=float)
    total = weights.sum()
    answers = values.to_numpy(dtype=object)
    return np.array([weights[answers == c].sum() / total for c in categories])


def _check(tree: pd.DataFrame, values: pd.Series, degrees: pd.Series, question: str):
    degrees = pd.to_numeric(degrees, errors="coerce")
    usable = values.notna() & degrees.notna() & (degrees > 0)
    usable = usable.reindex(tree.index, fill_value=False)
    if usable.sum() < 2:
        raise SyrmakError(
            f"RDS-II needs respondents with an answer to '{question}' and a degree above 0; "
            f"{int(usable.sum())} have both.",
            "check the degree question (the size of each respondent's network) and that "
            "respondents came through coupons.", code="rds-too-few")
    return usable, degrees


def _bootstrap_sample(children: dict, roots: np.ndarray, rng) -> list:
    """One tree-bootstrap replicate: resample roots, then each node's recruits."""
    picked = list(rng.choice(roots, size=len(roots), replace=True))
    frontier = list(picked)
    while frontier:
        following = []
        for node in frontier:
            kids = children.get(node)
            if kids is not None:
                following.extend(rng.choice(kids, size=len(kids), replace=True))
        picked.extend(following)
        frontier = following
    return picked


def estimate(tree: pd.DataFrame, values: pd.Series, degrees: pd.Series, *, question: str = "",
             categories=None, replicates: int = 1000, level: float = 0.95,
             random_seed: int = 2026) -> RdsEstimate:
    """RDS-II proportions of a categorical answer with tree-bootstrap intervals, recruitment
    homophily, and the data of the convergence and bottleneck plots."""
    usable, degrees = _check(tree, values, degrees, question)
    vals = values.reindex(tree.index)
    degs = degrees.reindex(tree.index)
    if categories is None:
        categories = sorted(vals[usable].astype(str).unique())
    categories = tuple(categories)
    ids = tree.index[usable]
    point = rds_ii(vals[ids], degs[ids], categories)
    sample = np.array([(vals[ids] == c).mean() for c in categories])
    # The bootstrap walks the whole tree (a node without an answer still carries its
    # recruits); the estimate of each replicate uses the usable nodes it drew.
    children: dict = {}
    for node, recruiter in tree["recruiter"].dropna().items():
        children.setdefault(recruiter, []).append(node)
    children = {k: np.array(v) for k, v in children.items()}
    roots = tree.index[tree["recruiter"].isna()].to_numpy()
    rng = np.random.default_rng(random_seed)
    keep = usable.to_dict()
    draws = np.empty((replicates, len(categories)))
    answer_of = vals.to_dict()
    weight_of = (1.0 / degs.where(usable)).to_dict()
    for r in range(replicates):
        nodes = [n for n in _bootstrap_sample(children, roots, rng) if keep[n]]
        w = np.array([weight_of[n] for n in nodes])
        a = np.array([answer_of[n] for n in nodes], dtype=object)
        total = w.sum()
        draws[r] = [w[a == c].sum() / total if total else np.nan for c in categories]
    alpha = (1 - level) / 2
    lower = np.nanquantile(draws, alpha, axis=0)
    upper = np.nanquantile(draws, 1 - alpha, axis=0)
    return RdsEstimate(
        question=question, categories=categories, n=int(usable.sum()),
        sample=tuple(float(x) for x in sample), estimate=tuple(float(x) for x in point),
        lower=tuple(float(x) for x in lower), upper=tuple(float(x) for x in upper),
        level=level, replicates=replicates, random_seed=random_seed,
        homophily=_homophily(tree, vals, usable, dict(zip(categories, point, strict=True))),
        convergence=_convergence(ids, vals, degs, categories),
        bottleneck=_bottleneck(tree, ids, vals, degs, categories),
        seed_convergence=_seed_convergence(tree, ids, vals, degs, categories),
    )


def _homophily(tree, vals, usable, share: dict) -> float | None:
    """Same-category recruitments observed over those expected if recruits were drawn at
    the estimated population shares (1: no homophily; above 1: recruiting one's own)."""
    ties = [(r, n) for n, r in tree["recruiter"].dropna().items()
            if usable.get(n, False) and usable.get(r, False)]
    if not ties:
        return None
    observed = sum(vals[r] == vals[n] for r, n in ties)
    expected = sum(share.get(vals[r], 0.0) for r, _ in ties)
    return float(observed / expected) if expected else None


def _convergence(ids, vals, degs, categories) -> pd.DataFrame:
    ordered = sorted(ids)
    w = 1.0 / degs[ordered].to_numpy(dtype=float)
    a = vals[ordered].to_numpy(dtype=object)
    total = np.cumsum(w)
    return pd.DataFrame({c: np.cumsum(np.where(a == c, w, 0.0)) / total for c in categories},
                        index=pd.Index(ordered, name="respondent"))


def _bottleneck(tree, ids, vals, degs, categories) -> pd.DataFrame:
    rows = {}
    for seed, members in tree.loc[ids].groupby("seed").groups.items():
        rows[int(seed)] = rds_ii(vals[members], degs[members], categories)
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(categories)).rename_axis(
        "seed")


def _seed_convergence(tree, ids, vals, degs, categories) -> pd.DataFrame:
    """Bottleneck plot data: the convergence path of each seed's tree alone."""
    parts = {int(seed): _convergence(pd.Index(members), vals, degs, categories)
             for seed, members in tree.loc[ids].groupby("seed").groups.items()}
    if not parts:
        return pd.DataFrame(columns=list(categories))
    return pd.concat(parts, names=["seed", "respondent"])


__all__ = ["RdsEstimate", "RecruitmentSummary", "estimate", "rds_ii", "summary"]
