"""Survey designs: weights, strata and clusters, and design-based variances.

A weighted analysis is design-based: its tests and intervals take the variance of the
weighted estimates from the sampling design, not from a simple random sample of Kish's
effective size. The design follows R's ``survey`` package (Lumley 2004, "Analysis of
complex survey samples", J. Stat. Software 9(8)) so that results can be checked against
it:

* ``Design(weight="w")`` is ``svydesign(ids=~1, weights=~w)``: every respondent is a
  primary sampling unit (PSU), one stratum.
* ``Design(weight="w", strata="s", cluster="psu", fpc="N")`` is
  ``svydesign(ids=~psu, strata=~s, weights=~w, fpc=~N, nest=TRUE)``: clusters are
  numbered within their stratum, so the same PSU label in two strata is two PSUs.
* Variances are Taylor-linearised with the first-stage with-replacement formula of
  R's ``svyrecvar`` (``onestage``): for each stratum h with n_h PSUs and PSU totals
  z_hi of the linearised scores, (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - mean_h)^2,
  f_h = n_h / N_h when ``fpc`` gives N_h (or the fraction itself when it is below 1).
* A subgroup (``where``) or the respondents who answered a question are a *domain*:
  everyone else keeps their PSU and stratum with a score of zero, as R's ``subset()``
  of a design does. Degrees of freedom are PSUs minus strata among the domain's
  respondents with a non-zero weight (R's ``degf``).

A stratum with one PSU has no variance estimate; as R (``survey.lonely.psu = "fail"``),
syrmak refuses it rather than guess.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from syrmak.errors import SyrmakError


@dataclass(frozen=True)
class Design:
    """How the respondents were sampled: the names of frame columns.

    ``weight`` (required): sampling or post-stratification weights; ``strata``: the
    stratum of each respondent; ``cluster``: the primary sampling unit (school, village,
    household ...); ``fpc``: the population number of PSUs in the stratum (or the
    sampling fraction), for sampling without replacement.
    """

    weight: str
    strata: str | None = None
    cluster: str | None = None
    fpc: str | None = None

    def describe(self) -> str:
        parts = [f"weights '{self.weight}'"]
        if self.strata:
            parts.append(f"strata '{self.strata}'")
        parts.append(f"clusters '{self.cluster}'" if self.cluster
                     else "each respondent its own sampling unit")
        if self.fpc:
            parts.append(f"finite population correction '{self.fpc}'")
        return ", ".join(parts)

    def to_json(self) -> dict:
        return {"weight": self.weight, "strata": self.strata, "cluster": self.cluster,
                "fpc": self.fpc}


def design_of(weight) -> Design | None:
    """``weight=`` of the analyses takes a column name (weights only) or a ``Design``."""
    if weight is None or isinstance(weight, Design):
        return weight
    if isinstance(weight, str):
        return Design(weight)
    raise SyrmakError(
        f"weight must be a column name or a Design, not {type(weight).__name__}.",
        "pass weight='w' or weight=Design(weight='w', strata='s', cluster='psu').",
        code="bad-weight",
    )


def from_config(config: dict, *, weight: str | None = None, strata: str | None = None,
                cluster: str | None = None, fpc: str | None = None) -> Design | None:
    """The design a study declares in ``syrmak.toml``'s ``[design]`` table, with any of
    its parts replaced by the given names (the CLI's ``--weight/--strata/--cluster``)."""
    declared = config.get("design") or {}
    if not isinstance(declared, dict):
        raise SyrmakError("[design] in syrmak.toml must be a table.",
                          'write [design] then weight = "w", strata = "s", cluster = "psu".',
                          code="bad-config")
    unknown = sorted(set(declared) - {"weight", "strata", "cluster", "fpc"})
    if unknown:
        raise SyrmakError(f"[design] in syrmak.toml has unknown keys: {', '.join(unknown)}.",
                          "use weight, strata, cluster and fpc.", code="bad-config")
    parts = {key: declared.get(key) for key in ("weight", "strata", "cluster", "fpc")}
    for key, value in (("weight", weight), ("strata", strata), ("cluster", cluster),
                       ("fpc", fpc)):
        if value is not None:
            parts[key] = value
    if not any(parts.values()):
        return None
    if not parts["weight"]:
        raise SyrmakError(
            "a design with strata or clusters needs a weight column.",
            "add weight = \"w\" to [design] (a column of 1s for an equal-probability sample) "
            "or pass --weight.",
            code="bad-weight",
        )
    return Design(**parts)


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=3)
        raise SyrmakError(
            f"the response frame has no {role} column '{name}'.",
            f"did you mean {', '.join(repr(c) for c in close)}?" if close
            else f"add the {role} of every respondent as a column, or leave {role} out.",
            code="bad-design", column=name,
        )
    series = frame[name]
    missing = int(series.isna().sum())
    if missing:
        raise SyrmakError(
            f"{missing} respondent(s) have no value in the {role} column '{name}'.",
            f"every respondent belongs to one {role}; fill the column in.",
            code="bad-design", column=name,
        )
    return series


@dataclass(frozen=True, eq=False)
class DesignFrame:
    """A design resolved over every row of the response frame (filters are domains)."""

    design: Design
    stratum: np.ndarray  # stratum code per frame row
    psu: np.ndarray  # PSU code per frame row, unique across strata
    psu_stratum: np.ndarray  # stratum code of each PSU
    psu_count: np.ndarray  # PSUs per stratum (n_h)
    fraction: np.ndarray  # sampling fraction per stratum (f_h; 0 = with replacement)

    def covariance(self, scores: np.ndarray) -> np.ndarray:
        """Linearised covariance of estimates whose scores (one row per frame row,
        one column per estimate) sum to their errors; see the module notes."""
        scores = np.asarray(scores, dtype=float)
        if scores.ndim == 1:
            scores = scores[:, None]
        k = scores.shape[1]
        totals = np.zeros((len(self.psu_stratum), k))
        np.add.at(totals, self.psu, scores)
        h = self.psu_stratum
        means = np.zeros((len(self.psu_count), k))
        np.add.at(means, h, totals)
        means /= self.psu_count[:, None]
        centred = totals - means[h]
        n_h = self.psu_count[h].astype(float)
        # A lone PSU (only possible without strata: a one-respondent frame) has no
        # variance estimate: NaN, not zero.
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, (1.0 - self.fraction[h]) * n_h / (n_h - 1.0), np.nan)
        return (centred * scale[:, None]).T @ centred

    def degrees_of_freedom(self, domain: np.ndarray) -> int:
        """PSUs minus strata among the domain's rows (R's ``degf``)."""
        psus = np.unique(self.psu[domain])
        strata = np.unique(self.stratum[domain])
        return int(len(psus) - len(strata))


def resolve(frame: pd.DataFrame, design: Design) -> DesignFrame:
    """Check the design's columns and number strata and PSUs over the whole frame."""
    n = len(frame)
    if design.strata:
        stratum, labels = pd.factorize(_column(frame, design.strata, "stratum"), sort=True)
    else:
        stratum, labels = np.zeros(n, dtype=np.intp), np.array(["(all)"])
    if design.cluster:
        cluster, _ = pd.factorize(_column(frame, design.cluster, "cluster"), sort=True)
    else:
        cluster = np.arange(n)
    # nest=TRUE: a PSU is a (stratum, cluster) pair.
    psu, inverse = np.unique(np.column_stack([stratum, cluster]), axis=0, return_inverse=True)
    psu_code = np.asarray(inverse).reshape(-1)
    psu_stratum = psu[:, 0]
    psu_count = np.bincount(psu_stratum, minlength=len(labels))
    lonely = [str(labels[h]) for h in np.flatnonzero(psu_count == 1)]
    if lonely and design.strata:
        raise SyrmakError(
            f"stratum {', '.join(repr(x) for x in lonely[:5])} of '{design.strata}' has a "
            "single sampling unit, so its variance cannot be estimated.",
            "merge it with a similar stratum (a new column), as R's survey package also "
            "refuses single-PSU strata by default.",
            code="bad-design", column=design.strata,
        )
    fraction = np.zeros(len(labels))
    if design.fpc:
        values = pd.to_numeric(_column(frame, design.fpc, "population size"), errors="coerce")
        if values.isna().any() or (values <= 0).any():
            raise SyrmakError(
                f"the fpc column '{design.fpc}' must hold positive numbers.",
                "give the population number of sampling units in the stratum (or the "
                "sampling fraction, below 1).",
                code="bad-design", column=design.fpc,
            )
        per = pd.Series(values.to_numpy(float)).groupby(stratum).agg(["min", "max"])
        if (per["min"] != per["max"]).any():
            raise SyrmakError(
                f"the fpc column '{design.fpc}' differs within a stratum.",
                "it is one number per stratum: its population number of sampling units.",
                code="bad-design", column=design.fpc,
            )
        value = per["min"].reindex(range(len(labels))).to_numpy()
        fraction = np.where(value < 1, value, psu_count / np.where(value >= 1, value, 1))
        if (fraction > 1 + 1e-9).any():
            raise SyrmakError(
                f"the fpc column '{design.fpc}' is smaller than the number of sampled "
                "units in a stratum.",
                "give the number of sampling units in the population of each stratum.",
                code="bad-design", column=design.fpc,
            )
    return DesignFrame(design, stratum.astype(np.intp), psu_code.astype(np.intp),
                       psu_stratum.astype(np.intp), psu_count, fraction)
