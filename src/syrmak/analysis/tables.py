"""Frequencies, multiple response, crosstabs and banners.

Every function takes the questionnaire and a response frame (see docs/analysis.md for
the frame's contract) and returns a frozen result; nothing here prints or renders.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from syrmak.analysis import _variables as v
from syrmak.analysis import stats
from syrmak.analysis.results import (
    Banner,
    BannerGroup,
    Crosstab,
    Frequencies,
    MultipleResponse,
    RankFrequencies,
)
from syrmak.analysis.where import Sample, sample
from syrmak.errors import SyrmakError
from syrmak.survey.instrument import Question, Questionnaire

PERCENT_OF = ("total", "row", "column")
#: Rows per block when multiplying two multiple-answer questions (bounds memory).
_BLOCK = 65_536


def _floats(values) -> tuple[float, ...]:
    return tuple(float(x) for x in np.asarray(values, dtype=float).ravel())


def _matrix(values) -> tuple[tuple[float, ...], ...]:
    return tuple(_floats(row) for row in np.asarray(values, dtype=float))


def _intervals(lo, hi) -> tuple:
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    if lo.ndim == 1:
        return tuple((float(a), float(b)) for a, b in zip(lo, hi, strict=True))
    return tuple(_intervals(a, b) for a, b in zip(lo, hi, strict=True))


def _bincount(codes: np.ndarray, k: int, w: np.ndarray | None) -> np.ndarray:
    """Counts of codes -1..k-1 (index 0 holds the unanswered), as floats."""
    shifted = codes.astype(np.intp) + 1
    return np.bincount(shifted, weights=w, minlength=k + 1).astype(float, copy=False)


def _total(mask: np.ndarray, w: np.ndarray | None) -> float:
    if w is None:
        return float(np.count_nonzero(mask))
    return float(w[mask].sum())


def _sample_notes(s: Sample, effective_n: float | None = None) -> list[str]:
    notes = []
    if s.where is not None:
        notes.append(f"filtered by '{s.where}': {s.n} of {s.size} respondents.")
    if s.weights is not None:
        text = f"weighted by '{s.weight}': counts are sums of weights"
        if effective_n is not None:
            text += f"; Kish effective n = {effective_n:.1f} (information only)"
        notes.append(text + ".")
        notes.append(f"design: {s.design.design.describe()}; variances by Taylor "
                     "linearisation over sampling units (as R's survey package).")
    return notes


DESIGN_CI_NOTE = ("95% intervals are design-based logit intervals (as R's svyciprop, "
                  "method \"logit\", t on the design's degrees of freedom).")


def _small_base(n: float, what: str) -> list[str]:
    if n < stats.SMALL_BASE:
        return [
            f"small base: {what} n = {n:g} (below {stats.SMALL_BASE}); "
            "percentages are unstable."
        ]
    return []


def _small_groups(labels: Sequence[str], bases: np.ndarray, what: str) -> list[str]:
    small = [
        f"'{lab}' (n={b:g})"
        for lab, b in zip(labels, bases, strict=True)
        if b < stats.SMALL_BASE
    ]
    if not small:
        return []
    return [
        f"small {what} bases (below {stats.SMALL_BASE}): {', '.join(small)}; "
        "their percentages are unstable."
    ]


def _check_ci(ci: bool) -> bool:
    if not isinstance(ci, bool):
        raise SyrmakError(
            f"ci must be True or False, not {ci!r}.", "pass ci=True for 95% Wilson intervals."
        )
    return ci


def _option_intervals(ci: bool, pct: np.ndarray, nobs: float | None):
    """Wilson intervals of one-column percentages over ``nobs`` (unweighted)."""
    if not _check_ci(ci):
        return None
    lo, hi = stats.wilson(pct / 100 * nobs, nobs)
    return _intervals(lo, hi)


def _members(var: v.Variable) -> tuple[np.ndarray, np.ndarray]:
    """Per kept respondent: membership of each row/option (n x k bool), and who answered."""
    if isinstance(var, v.Single):
        codes = var.codes
        return codes[:, None] == np.arange(var.k)[None, :], codes >= 0
    return np.column_stack([np.asarray(o, dtype=bool) for o in var.options]), var.answered


def _design_intervals(s: Sample, y: np.ndarray, domain: np.ndarray):
    """Design-based logit intervals (percent) of the columns of ``y`` within ``domain``."""
    return stats.design_interval(y, domain, s.weights, s)


# --------------------------------------------------------------------------- frequencies


def _numeric_single(q: Question, series: pd.Series) -> v.Single:
    """Distinct values of a number question, sorted, as if they were choices."""
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    labels = tuple(str(x) for x in uniques)
    return v.Single(q, codes, labels, labels)


def frequencies(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    question: str,
    lang: str | None = None,
    ci: bool = False,
    where=None,
    weight: str | None = None,
) -> Frequencies:
    """Counts and percentages of one single-answer question, options in questionnaire
    order (options nobody chose are kept). Integer questions count their distinct values."""
    lang = v.language(questionnaire, frame, lang)
    q = v.question(questionnaire, question)
    if q.type == "integer":
        var = _numeric_single(q, v.column(frame, q.name, q))
    elif q.type == v.SELECT_ONE:
        var = v.single(questionnaire, frame, question, lang)
    else:
        raise v.wrong_type(q, "a single-answer (select_one) or integer question")
    s = sample(questionnaire, frame, where, weight)
    var = s.take(var)
    w = s.weights
    full = _bincount(var.codes, var.k, w)
    counts, missing = full[1:], float(full[0])
    valid = float(counts.sum())
    total = valid + missing
    n_valid = int(np.count_nonzero(var.codes >= 0))
    n_eff = stats.kish(w[var.codes >= 0]) if w is not None else None
    pct = stats.percent(counts, valid)
    if w is None or not _check_ci(ci):
        intervals = _option_intervals(ci, pct, valid)
    else:
        member, answered = _members(var)
        intervals = _intervals(*_design_intervals(s, member, answered))
    notes = _sample_notes(s, n_eff)
    if intervals is not None and w is not None:
        notes.append(DESIGN_CI_NOTE)
    notes += _small_base(n_valid, "valid answers")
    if n_eff is not None and n_valid >= stats.SMALL_BASE:
        notes += _small_base(n_eff, "effective")
    return Frequencies(
        question=q.name,
        title=q.label(lang),
        lang=lang,
        where=s.where,
        weight=s.weight,
        respondents=s.n,
        effective_n=n_eff,
        notes=tuple(notes),
        names=var.names,
        rows=var.labels,
        counts=_floats(counts),
        percent=_floats(pct),
        percent_all=_floats(stats.percent(counts, total)),
        ci=intervals,
        valid=valid,
        missing=missing,
        total=total,
        other=v.other_texts(frame, q, s.mask),
    )


def multiple_response(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    question: str,
    lang: str | None = None,
    ci: bool = False,
    where=None,
    weight: str | None = None,
) -> MultipleResponse:
    """How many respondents ticked each option of a multiple-answer question, as % of
    those who answered it and as % of all mentions; "other" texts listed."""
    lang = v.language(questionnaire, frame, lang)
    var = v.multiple(questionnaire, frame, question, lang)
    s = sample(questionnaire, frame, where, weight)
    var = s.take(var)
    w = s.weights
    if w is None:
        counts = np.array([np.count_nonzero(o) for o in var.options], dtype=float)
    else:
        counts = np.array([w[o].sum() for o in var.options], dtype=float)
    answered = _total(var.answered, w)
    total = float(len(var.answered)) if w is None else float(w.sum())
    mentions = float(counts.sum())
    n_answered = int(np.count_nonzero(var.answered))
    n_eff = stats.kish(w[var.answered]) if w is not None else None
    pct = stats.percent(counts, answered)
    if w is None or not _check_ci(ci):
        intervals = _option_intervals(ci, pct, answered)
    else:
        member, who = _members(var)
        intervals = _intervals(*_design_intervals(s, member, who))
    notes = _sample_notes(s, n_eff)
    if intervals is not None and w is not None:
        notes.append(DESIGN_CI_NOTE)
    notes += _small_base(n_answered, "respondents who answered")
    q = var.question
    return MultipleResponse(
        question=q.name,
        title=q.label(lang),
        lang=lang,
        where=s.where,
        weight=s.weight,
        respondents=s.n,
        effective_n=n_eff,
        notes=tuple(notes),
        names=var.names,
        rows=var.labels,
        counts=_floats(counts),
        percent=_floats(pct),
        percent_mentions=_floats(stats.percent(counts, mentions)),
        ci=intervals,
        answered=answered,
        not_answered=total - answered,
        mentions=mentions,
        total=total,
        other=v.other_texts(frame, q, s.mask),
    )


# --------------------------------------------------------------------------- crosstab


@dataclass(frozen=True, eq=False)
class _Cross:
    """Counts of a two-way table and its margins; ``*2`` are sums of squared weights."""

    table: np.ndarray
    row_totals: np.ndarray
    column_totals: np.ndarray
    base: float
    missing: float
    row_totals2: np.ndarray | None = None
    column_totals2: np.ndarray | None = None
    base2: float | None = None
    n_base: int = 0  # unweighted respondents who answered both


def _single_single(r: v.Single, c: v.Single, w: np.ndarray | None) -> _Cross:
    R, C = r.k, c.k
    # (r + 1) * (C + 1) + (c + 1), so unanswered (-1) lands in row/column 0.
    idx = np.multiply(r.codes, C + 1, dtype=np.intp)
    idx += c.codes
    idx += C + 2
    size = (R + 1) * (C + 1)
    full = np.bincount(idx, weights=w, minlength=size).reshape(R + 1, C + 1)
    table = full[1:, 1:].astype(float)
    if w is None:
        n_base = int(table.sum())
        everyone = float(len(idx))
    else:
        n_base = int(np.bincount(idx, minlength=size).reshape(R + 1, C + 1)[1:, 1:].sum())
        everyone = float(w.sum())
    base = float(table.sum())
    cross = _Cross(table, table.sum(1), table.sum(0), base, everyone - base, n_base=n_base)
    if w is not None:
        full2 = np.bincount(idx, weights=w * w, minlength=size).reshape(R + 1, C + 1)[1:, 1:]
        cross = _Cross(
            table, cross.row_totals, cross.column_totals, base, cross.missing,
            full2.sum(1), full2.sum(0), float(full2.sum()), n_base,
        )
    return cross


#: Up to this many columns, unweighted option counts are AND-and-count over boolean
#: masks (memory-bound, about 0.1 ms per million respondents and cell); beyond it one
#: bincount per option is cheaper.
_MASKED_COLUMNS = 32


def _multiple_single(r: v.Multiple, c: v.Single, w: np.ndarray | None) -> _Cross:
    C = c.k
    valid = r.answered & (c.codes >= 0)
    if w is None and C <= _MASKED_COLUMNS:
        masks = [valid & (c.codes == j) for j in range(C)]
        table = np.empty((r.k, C))
        scratch = np.empty(len(valid), dtype=bool)
        for i, option in enumerate(r.options):
            for j, mask in enumerate(masks):
                np.logical_and(option, mask, out=scratch)
                table[i, j] = np.count_nonzero(scratch)
        columns = np.array([np.count_nonzero(m) for m in masks], dtype=float)
        base = float(columns.sum())
        return _Cross(
            table, table.sum(1), columns, base, len(valid) - base, n_base=int(base)
        )
    # Column index + 1 for respondents in the base, 0 for the rest: multiplying by an
    # option's booleans then sends everyone who did not tick it to bin 0.
    c1 = np.where(valid, c.codes.astype(np.intp) + 1, 0)
    table = np.empty((r.k, C))
    for i, option in enumerate(r.options):
        table[i] = np.bincount(c1 * option, weights=w, minlength=C + 1)[1:]
    columns = np.bincount(c1, weights=w, minlength=C + 1)[1:].astype(float)
    base = float(columns.sum())
    everyone = float(len(c1)) if w is None else float(w.sum())
    n_base = int(np.count_nonzero(valid))
    if w is None:
        return _Cross(table, table.sum(1), columns, base, everyone - base, n_base=n_base)
    w2 = w * w
    rows2 = np.array([w2[valid & o].sum() for o in r.options])
    columns2 = np.bincount(c1, weights=w2, minlength=C + 1)[1:]
    return _Cross(
        table, table.sum(1), columns, base, everyone - base,
        rows2, columns2, float(columns2.sum()), n_base,
    )


def _transpose(x: _Cross) -> _Cross:
    return _Cross(
        x.table.T.copy(), x.column_totals, x.row_totals, x.base, x.missing,
        x.column_totals2, x.row_totals2, x.base2, x.n_base,
    )


def _multiple_multiple(r: v.Multiple, c: v.Multiple, w: np.ndarray | None) -> _Cross:
    valid = r.answered & c.answered
    n = len(valid)
    table = np.zeros((r.k, c.k))
    if w is None:
        columns_in = [o & valid for o in c.options]
        scratch = np.empty(n, dtype=bool)
        for i, option in enumerate(r.options):
            for j, mask in enumerate(columns_in):
                np.logical_and(option, mask, out=scratch)
                table[i, j] = np.count_nonzero(scratch)
        rows = np.array([_total(valid & o, None) for o in r.options])
        columns = np.array([float(np.count_nonzero(m)) for m in columns_in])
        base = float(np.count_nonzero(valid))
        return _Cross(table, rows, columns, base, n - base, n_base=int(base))
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        keep = valid[start:stop]
        a = np.stack([o[start:stop] & keep for o in r.options], axis=1).astype(float)
        b = np.stack([o[start:stop] for o in c.options], axis=1).astype(float)
        if w is not None:
            a *= w[start:stop, None]
        table += a.T @ b
    rows = np.array([_total(valid & o, w) for o in r.options])
    columns = np.array([_total(valid & o, w) for o in c.options])
    base = _total(valid, w)
    everyone = float(w.sum())
    n_base = int(np.count_nonzero(valid))
    w2 = w * w
    return _Cross(
        table, rows, columns, base, everyone - base,
        np.array([w2[valid & o].sum() for o in r.options]),
        np.array([w2[valid & o].sum() for o in c.options]),
        float(w2[valid].sum()), n_base,
    )


def _cross(r: v.Variable, c: v.Variable, w: np.ndarray | None) -> _Cross:
    if isinstance(r, v.Single) and isinstance(c, v.Single):
        return _single_single(r, c, w)
    if isinstance(r, v.Multiple) and isinstance(c, v.Single):
        return _multiple_single(r, c, w)
    if isinstance(r, v.Single) and isinstance(c, v.Multiple):
        return _transpose(_multiple_single(c, r, w))
    return _multiple_multiple(r, c, w)


def _kind(var: v.Variable) -> str:
    return "single" if isinstance(var, v.Single) else "multiple"


def _n_eff(total, squares) -> np.ndarray | float:
    return stats.effective(total, squares)


def _rao_scott_note(result: dict) -> str:
    rs = result["rao_scott"]
    return (f"weighted test: Pearson chi-square with the Rao-Scott second-order "
            f"correction (as R's svychisq): F = {rs['statistic']:.3f} on "
            f"{rs['ndf']:.2f} and {rs['ddf']:.2f} df, p = {rs['p']:.4g}; design df = "
            f"{rs['design_df']}; Fisher's test is not run on weighted data.")


def _codes(var: v.Variable, option: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-respondent category codes of one side of a tested table: a single question's
    choices, or an option of a multiple one as 0 = ticked, 1 = not ticked."""
    if option is None:
        return var.codes, var.codes >= 0, var.k
    return np.where(var.options[option], 0, 1), var.answered, 2


def _tests(r: v.Variable, c: v.Variable, x: _Cross, s: Sample):
    """Independence tests; with a multiple-answer side, one per option (option vs rest).
    Weighted: the design-based Rao-Scott test on the respondents' answers."""
    weighted = s.weights is not None

    def run(table, i=None, j=None):
        if not weighted:
            return stats.independence(table)
        row, row_ok, R = _codes(r, i)
        col, col_ok, C = _codes(c, j)
        return stats.rao_scott(row, col, row_ok & col_ok, s.weights, s, (R, C))

    if isinstance(r, v.Single) and isinstance(c, v.Single):
        result = run(x.table)
        notes = list(result["notes"])
        if weighted and result["rao_scott"]:
            notes.append(_rao_scott_note(result))
        return {k: val for k, val in result.items() if k != "notes"}, notes
    entries = []
    t = x.table
    if isinstance(r, v.Multiple) and isinstance(c, v.Single):
        for i in range(r.k):
            table = np.vstack([t[i], x.column_totals - t[i]])
            entries.append((r.labels[i], None, table, i, None))
    elif isinstance(r, v.Single) and isinstance(c, v.Multiple):
        for j in range(c.k):
            table = np.column_stack([t[:, j], x.row_totals - t[:, j]])
            entries.append((None, c.labels[j], table, None, j))
    else:
        for i in range(r.k):
            for j in range(c.k):
                a = t[i, j]
                table = np.array(
                    [
                        [a, x.row_totals[i] - a],
                        [x.column_totals[j] - a, x.base - x.row_totals[i] - x.column_totals[j] + a],
                    ]
                )
                entries.append((r.labels[i], c.labels[j], np.clip(table, 0, None), i, j))
    by_option = []
    sparse, skipped, untestable = [], set(), []
    for row, col, table, i, j in entries:
        result = run(table, i, j)
        name = " x ".join(part for part in (row, col) if part is not None)
        tested = result["rao_scott"] if weighted else result["chi2"]
        if tested is None:
            untestable.append(name)
        elif not weighted and result["chi2"]["cells_expected_below_5"]:
            sparse.append(name)
        if result["fisher"] and not result["fisher"]["computed"] and tested:
            skipped.add(result["fisher"]["reason"])
        entry = {"row": row, "column": col}
        entry.update({k: val for k, val in result.items() if k != "notes"})
        by_option.append(entry)
    notes = [
        "a multiple-answer question is tested option by option (ticked vs not ticked "
        "among those who answered both questions), not over mentions."
    ]
    if weighted:
        notes.append(
            "weighted tests: Pearson chi-square with the Rao-Scott second-order correction "
            "(as R's svychisq), F on the design's degrees of freedom; see tests.by_option."
        )
    if sparse:
        notes.append(
            "expected counts below 5 in the tests of: " + ", ".join(sparse)
            + "; prefer Fisher's exact test there."
        )
    if untestable:
        notes.append("no test for (answers in a single row or column): " + ", ".join(untestable))
    for reason in sorted(skipped):
        notes.append(f"Fisher's exact test not computed: {reason}.")
    return {"by_option": by_option}, notes


def crosstab(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    row: str,
    col: str,
    percent: str = "total",
    lang: str | None = None,
    ci: bool = False,
    where=None,
    weight: str | None = None,
) -> Crosstab:
    """Two select questions against each other, with totals, percentages of the total,
    row or column, chi-square, Fisher's exact test and Cramér's V."""
    if percent not in PERCENT_OF:
        raise SyrmakError(
            f"percent must be one of {', '.join(PERCENT_OF)}, not {percent!r}.",
            "use 'total' (share of everyone), 'row' or 'column'.",
            code="bad-argument",
        )
    lang = v.language(questionnaire, frame, lang)
    r = v.variable(questionnaire, frame, row, lang)
    c = v.variable(questionnaire, frame, col, lang)
    s = sample(questionnaire, frame, where, weight)
    r, c = s.take(r), s.take(c)
    w = s.weights
    x = _cross(r, c, w)
    weighted = w is not None
    tests, test_notes = _tests(r, c, x, s)

    row_pct = stats.percent(x.row_totals, x.base)
    col_pct = stats.percent(x.column_totals, x.base)
    if percent == "total":
        denominator = np.full(x.table.shape, x.base)
        eff = np.full(x.table.shape, float(_n_eff(x.base, x.base2)) if weighted else x.base)
    elif percent == "row":
        denominator = np.repeat(x.row_totals[:, None], x.table.shape[1], axis=1)
        e = _n_eff(x.row_totals, x.row_totals2) if weighted else x.row_totals
        eff = np.repeat(np.asarray(e)[:, None], x.table.shape[1], axis=1)
    else:
        denominator = np.repeat(x.column_totals[None, :], x.table.shape[0], axis=0)
        e = _n_eff(x.column_totals, x.column_totals2) if weighted else x.column_totals
        eff = np.repeat(np.asarray(e)[None, :], x.table.shape[0], axis=0)
    pct = stats.percent(x.table, denominator)
    intervals = None
    if _check_ci(ci) and not weighted:
        lo, hi = stats.wilson(np.nan_to_num(pct) / 100 * eff, eff)
        intervals = _intervals(lo, hi)
    elif _check_ci(ci):
        intervals = _intervals(*_crosstab_design_intervals(r, c, s, percent))

    n_eff = float(_n_eff(x.base, x.base2)) if weighted else None
    notes = _sample_notes(s, n_eff)
    if intervals is not None and weighted:
        notes.append(DESIGN_CI_NOTE)
    notes += _small_base(x.n_base, "respondents who answered both questions")
    if x.n_base >= stats.SMALL_BASE and percent != "total":
        # Small bases are about how many people a percentage rests on, whatever the weights.
        people = _cross(r, c, None) if weighted else x
        if percent == "row":
            notes += _small_groups(r.labels, people.row_totals, "row")
        else:
            notes += _small_groups(c.labels, people.column_totals, "column")
    for side in (r, c):
        if isinstance(side, v.Multiple):
            notes.append(
                f"'{side.question.name}' is a multiple-answer question: a respondent counts "
                "in every option ticked, so its totals are mentions and exceed the base."
            )
    notes += test_notes
    rq, cq = r.question, c.question
    return Crosstab(
        question=rq.name,
        title=rq.label(lang),
        lang=lang,
        where=s.where,
        weight=s.weight,
        respondents=s.n,
        effective_n=n_eff,
        notes=tuple(notes),
        column_question=cq.name,
        column_title=cq.label(lang),
        row_kind=_kind(r),
        column_kind=_kind(c),
        row_names=r.names,
        rows=r.labels,
        column_names=c.names,
        columns=c.labels,
        counts=_matrix(x.table),
        row_totals=_floats(x.row_totals),
        column_totals=_floats(x.column_totals),
        base=x.base,
        missing=x.missing,
        percent_of=percent,
        percent=_matrix(pct),
        row_total_percent=_floats(row_pct),
        column_total_percent=_floats(col_pct),
        ci=intervals,
        tests=tests,
    )




def _crosstab_design_intervals(r: v.Variable, c: v.Variable, s: Sample, percent: str):
    """Logit intervals of every cell's percentage on its own base (the respondents who
    answered both, or the cell's row or column among them)."""
    rm, r_ok = _members(r)
    cm, c_ok = _members(c)
    valid = r_ok & c_ok
    lo = np.full((r.k, c.k), np.nan)
    hi = np.full((r.k, c.k), np.nan)
    if percent == "total":
        for i in range(r.k):
            lo[i], hi[i] = _design_intervals(s, rm[:, i:i + 1] & cm, valid)
    elif percent == "row":
        for i in range(r.k):
            lo[i], hi[i] = _design_intervals(s, cm, valid & rm[:, i])
    else:
        for j in range(c.k):
            lo[:, j], hi[:, j] = _design_intervals(s, rm, valid & cm[:, j])
    return lo, hi


# --------------------------------------------------------------------------- banner


def letters(n: int) -> list[str]:
    """A, B, ..., Z, AA, AB, ... for n banner columns."""
    out = []
    for i in range(n):
        s, k = "", i
        while True:
            s = string.ascii_uppercase[k % 26] + s
            k = k // 26 - 1
            if k < 0:
                break
        out.append(s)
    return out


def banner(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    row: str,
    columns: Sequence[str],
    lang: str | None = None,
    ci: bool = False,
    where=None,
    weight: str | None = None,
    alpha: float = 0.05,
) -> Banner:
    """One row question against several column questions, column percentages, with
    column-proportion z-tests marked by letters (Bonferroni within each row and question)."""
    if isinstance(columns, str):
        columns = [columns]
    if not columns:
        raise SyrmakError(
            "a banner needs at least one column question.",
            "pass columns=['q1', 'q2', ...].",
            code="bad-argument",
        )
    if not 0 < alpha < 1:
        raise SyrmakError(f"alpha must be between 0 and 1, not {alpha!r}.", "use 0.05.")
    lang = v.language(questionnaire, frame, lang)
    r = v.variable(questionnaire, frame, row, lang)
    cols = [v.variable(questionnaire, frame, name, lang) for name in columns]
    s = sample(questionnaire, frame, where, weight)
    r = s.take(r)
    cols = [s.take(c) for c in cols]
    w = s.weights
    weighted = w is not None

    # Total column: the row question on its own.
    if isinstance(r, v.Single):
        full = _bincount(r.codes, r.k, w)
        total_counts, total_base = full[1:], float(full[1:].sum())
        sq = _bincount(r.codes, r.k, w * w)[1:].sum() if weighted else None
        n_total = int(np.count_nonzero(r.codes >= 0))
    else:
        total_counts = np.array([_total(o, w) for o in r.options])
        total_base = _total(r.answered, w)
        sq = float((w * w)[r.answered].sum()) if weighted else None
        n_total = int(np.count_nonzero(r.answered))
    count_blocks = [total_counts[:, None]]
    base_blocks = [np.array([total_base])]
    eff_blocks = [np.array([stats.effective(total_base, sq) if weighted else total_base])]
    n_blocks = [np.array([n_total])]
    groups, labels = [], ["Total"]
    marks_blocks = [np.full((r.k, 1), "", dtype=object)]
    tags = letters(sum(c.k for c in cols))
    column_letters = [""]
    comparisons = []
    position = 1
    for c in cols:
        x = _cross(r, c, w)
        eff = _n_eff(x.column_totals, x.column_totals2) if weighted else x.column_totals
        n_cols = _cross(r, c, None).column_totals if weighted else x.column_totals
        group_tags = tags[position - 1 : position - 1 + c.k]
        pct = stats.percent(x.table, x.column_totals[None, :])
        effective_counts = np.nan_to_num(pct) / 100 * np.asarray(eff)[None, :]
        results = stats.column_ztests(effective_counts, eff, alpha=alpha)
        marks = [[[] for _ in range(c.k)] for _ in range(r.k)]
        for i, pairs in enumerate(results):
            for a, b, z, p, padj, higher in pairs:
                winner = None
                if higher is not None:
                    lower = b if higher == a else a
                    marks[i][higher].append(group_tags[lower])
                    winner = group_tags[higher]
                comparisons.append(
                    {
                        "question": c.question.name,
                        "row": r.labels[i],
                        "a": group_tags[a],
                        "b": group_tags[b],
                        "z": z,
                        "p": p,
                        "p_adjusted": padj,
                        "higher": winner,
                        # False where a column's proportion is 0 or 1 (SPSS leaves it out).
                        "tested": bool(np.isfinite(p)),
                    }
                )
        # Single letters run together as in SPSS ("AC"); longer tags need a separator.
        joiner = "" if len(tags) <= 26 else " "
        marks = np.array(
            [[joiner.join(sorted(m, key=_letter_key)) for m in line] for line in marks],
            dtype=object,
        ).reshape(x.table.shape)
        groups.append(
            BannerGroup(c.question.name, c.question.label(lang), _kind(c),
                        position, position + c.k)
        )
        position += c.k
        labels += list(c.labels)
        column_letters += group_tags
        count_blocks.append(x.table)
        base_blocks.append(x.column_totals)
        eff_blocks.append(np.asarray(eff, dtype=float))
        n_blocks.append(np.asarray(n_cols))
        marks_blocks.append(marks)
    counts = np.hstack(count_blocks)
    bases = np.concatenate(base_blocks)
    effs = np.concatenate(eff_blocks)
    ns = np.concatenate(n_blocks)
    marks_all = np.hstack(marks_blocks)
    pct = stats.percent(counts, bases[None, :])
    intervals = None
    if _check_ci(ci) and not weighted:
        lo, hi = stats.wilson(np.nan_to_num(pct) / 100 * effs[None, :], effs[None, :])
        intervals = _intervals(lo, hi)
    elif _check_ci(ci):
        rm, r_ok = _members(r)
        lo_blocks, hi_blocks = [], []
        lo, hi = _design_intervals(s, rm, r_ok)
        lo_blocks.append(lo[:, None])
        hi_blocks.append(hi[:, None])
        for c in cols:
            cm, c_ok = _members(c)
            lo, hi = np.full((r.k, c.k), np.nan), np.full((r.k, c.k), np.nan)
            for j in range(c.k):
                lo[:, j], hi[:, j] = _design_intervals(s, rm, r_ok & c_ok & cm[:, j])
            lo_blocks.append(lo)
            hi_blocks.append(hi)
        intervals = _intervals(np.hstack(lo_blocks), np.hstack(hi_blocks))

    n_eff = float(effs[0]) if weighted else None
    notes = _sample_notes(s, n_eff)
    if intervals is not None and weighted:
        notes.append(DESIGN_CI_NOTE)
    notes += _small_base(n_total, "respondents who answered the row question")
    notes += _small_groups(
        [f"{t} {lab}" for t, lab in zip(column_letters[1:], labels[1:], strict=True)],
        ns[1:],
        "column",
    )
    notes.append(
        "letters mark a column proportion significantly higher than that of the lettered "
        f"column of the same question (two-proportion z-test, alpha = {alpha:g}, Bonferroni "
        "over the pairs of each row that are tested); as SPSS, a column whose proportion "
        "in a row is 0% or 100% is left out of that row's comparisons."
    )
    if any(isinstance(c, v.Multiple) for c in cols):
        notes.append(
            "columns of a multiple-answer question overlap (a respondent can be in several); "
            "their z-tests treat them as independent samples and are approximate."
        )
    if isinstance(r, v.Multiple):
        notes.append(
            f"'{r.question.name}' is a multiple-answer question: column percentages are of "
            "respondents and add up to more than 100."
        )
    if weighted:
        notes.append(
            "weighted: the column z-tests use effective (Kish) column bases, not the design "
            "(strata and clusters are ignored there); use crosstab for a design-based test."
        )
    return Banner(
        question=r.question.name,
        title=r.question.label(lang),
        lang=lang,
        where=s.where,
        weight=s.weight,
        respondents=s.n,
        effective_n=n_eff,
        notes=tuple(notes),
        row_kind=_kind(r),
        row_names=r.names,
        rows=r.labels,
        columns=tuple(labels),
        letters=tuple(column_letters),
        groups=tuple(groups),
        counts=_matrix(counts),
        bases=_floats(bases),
        percent=_matrix(pct),
        ci=intervals,
        marks=tuple(tuple(str(m) for m in row) for row in marks_all),
        alpha=alpha,
        tests={
            "method": "two-proportion z-test (pooled), statsmodels proportions_ztest",
            "correction": "bonferroni",
            "alpha": alpha,
            "comparisons": comparisons,
        },
    )


def _letter_key(tag: str) -> tuple[int, str]:
    return (len(tag), tag)


def rank_frequencies(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    question: str,
    lang: str | None = None,
    where=None,
    weight: str | None = None,
) -> RankFrequencies:
    """A rank question's rank-frequency table: for each option, how many put it in each
    place, how many ranked it at all, and its mean place (1 = first)."""
    lang = v.language(questionnaire, frame, lang)
    q = v.question(questionnaire, question)
    if q.type != "rank":
        raise v.wrong_type(q, "a rank question")
    q = v.with_frame_codes(q, frame)
    s = sample(questionnaire, frame, where, weight)
    places = np.column_stack([
        v.column(frame, f"{q.name}/{c.name}", q).fillna(0).to_numpy(dtype=np.int64)
        for c in q.choices]) if q.choices else np.zeros((len(frame), 0), dtype=np.int64)
    if s.mask is not None:
        places = places[s.mask]
    w = s.weights if s.weights is not None else np.ones(len(places))
    depth = int(places.max()) if places.size else 0
    counts = np.zeros((len(q.choices), depth))
    for j in range(depth):
        counts[:, j] = ((places == j + 1) * w[:, None]).sum(axis=0)
    ranked = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (counts * np.arange(1, depth + 1)).sum(axis=1) / ranked
    answered = float(w[(places > 0).any(axis=1)].sum()) if places.size else 0.0
    n_eff = stats.kish(s.weights) if s.weights is not None else None
    return RankFrequencies(
        question=q.name, title=q.label(lang), lang=lang, where=s.where, weight=s.weight,
        respondents=s.n, effective_n=n_eff, notes=(),
        names=tuple(c.name for c in q.choices), rows=tuple(c.label(lang) for c in q.choices),
        counts=tuple(tuple(float(x) for x in row) for row in counts),
        mean_rank=tuple(float(x) for x in mean), ranked=tuple(float(x) for x in ranked),
        answered=answered, not_answered=float(w.sum()) - answered,
    )
