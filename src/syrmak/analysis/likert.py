"""Likert batteries: several single-answer items on one scale, one row per item."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from syrmak.analysis import _variables as v
from syrmak.analysis import stats
from syrmak.analysis.results import Likert
from syrmak.analysis.tables import (
    DESIGN_CI_NOTE,
    _bincount,
    _check_ci,
    _floats,
    _intervals,
    _matrix,
    _sample_notes,
)
from syrmak.analysis.where import sample
from syrmak.errors import SyrmakError
from syrmak.survey.instrument import Question, Questionnaire

BASES = ("all", "valid", "scale")
SORTS = ("net", "top", "bottom")

#: Choice names (split on _ - and spaces) that mean "no position on the scale".
_DK_NAMES = {
    "dk", "dont_know", "don_t_know", "do_not_know", "dontknow", "difficult",
    "difficult_to_answer", "hard_to_say", "undecided", "not_sure", "unsure", "no_opinion",
    "cant_say", "cannot_say", "no_answer", "refused", "refuse", "na", "n_a", "prefer_not",
    "prefer_not_to_say", "hard_to_answer", "not_applicable", "no_problem",
}
#: Label fragments with the same meaning, in the languages of the reference study.
_DK_PHRASES = (
    "don't know", "do not know", "dont know", "difficult to answer", "hard to say",
    "hard to answer", "undecided", "not sure", "can't say", "cannot say", "no opinion",
    "prefer not to", "не знаю", "затрудняюсь", "трудно сказать", "сложно сказать",
    "трудно ответить", "сложно ответить", "не определил", "нет мнения", "білмеймін",
    "жауап беру қиын", "қиналамын",
    # "Not applicable" answers are no position on the scale either.
    "not applicable", "does not apply", "did not have this problem", "no such problem",
    "не применимо", "неприменимо", "не было такой проблемы", "не было этой проблемы",
)


def is_dont_know(name: str, labels: Iterable[str]) -> bool:
    """Whether a choice reads as "don't know", "difficult to answer", "undecided" or "not
    applicable": an answer that takes no position on the scale."""
    key = re.sub(r"[\s\-]+", "_", name.strip().casefold())
    if key in _DK_NAMES:
        return True
    for label in labels:
        text = v.normal(label).replace("\u2019", "'")
        if any(phrase in text for phrase in _DK_PHRASES):
            return True
    return False


def _items(questionnaire: Questionnaire, questions) -> list[Question]:
    if isinstance(questions, str):
        found = [
            q for q in questionnaire.questions
            if q.type == v.SELECT_ONE and q.list_name == questions
        ]
        if found:
            return found
        if questionnaire.has(questions):
            return [questionnaire.question(questions)]
        lists = sorted({q.list_name for q in questionnaire.questions if q.list_name})
        raise SyrmakError(
            f"no single-answer question uses the choice list '{questions}'.",
            f"pass a list of question names, or one of the lists: {', '.join(lists)}.",
            code="unknown-list",
            value=questions,
        )
    items = [v.question(questionnaire, name) for name in questions]
    if not items:
        raise SyrmakError(
            "a Likert table needs at least one question.",
            "pass questions=['q1', 'q2', ...] or the name of their choice list.",
            code="bad-argument",
        )
    return items


def _check_scale(items: Sequence[Question]) -> None:
    first = items[0]
    names = tuple(c.name for c in first.choices)
    for q in items:
        if q.type != v.SELECT_ONE:
            raise v.wrong_type(q, "a single-answer (select_one) question on the scale")
        if tuple(c.name for c in q.choices) != names:
            raise SyrmakError(
                f"question '{q.name}' does not share the choices of '{first.name}' "
                f"(list '{q.list_name}' vs '{first.list_name}').",
                "put only items of one choice list in a Likert table.",
                code="mixed-scales",
                value=q.name,
            )


def _resolve(q: Question, values: Iterable[str], context: str) -> list[int]:
    lookup = v.choice_lookup(q)
    out = []
    for value in values:
        hit = lookup.get(v.normal(value))
        if hit is None:
            raise v.unknown_option(q, value, context)
        out.append(hit)
    return out


def _columns(
    q: Question,
    order: list[int],
    collapse: Mapping[str, Sequence[str]] | None,
    lang: str | None,
) -> list[tuple[str, list[int]]]:
    """(label, member choice indices) for each column over ``order``."""
    group_of: dict[int, str] = {}
    members: dict[str, list[int]] = {}
    for label, names in (collapse or {}).items():
        if isinstance(names, str):
            names = [names]
        idx = _resolve(q, names, f"collapse '{label}': ")
        for i in idx:
            if i in group_of:
                raise SyrmakError(
                    f"option '{q.choices[i].name}' is in two collapsed groups "
                    f"('{group_of[i]}' and '{label}').",
                    "put each option in at most one group.",
                    code="bad-collapse",
                )
            group_of[i] = label
        members[label] = idx
    columns, done = [], set()
    within = set(order)
    for i in order:
        label = group_of.get(i)
        if label is None:
            columns.append((q.choices[i].label(lang), [i]))
        elif label not in done:
            done.add(label)
            if not within.issuperset(members[label]):
                raise SyrmakError(
                    f"collapsed group '{label}' mixes scale points with \"don't know\" "
                    "answers.",
                    "collapse scale points only, or pass dont_know= explicitly.",
                    code="bad-collapse",
                )
            columns.append((label, [j for j in order if group_of.get(j) == label]))
    return columns


def likert(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    questions,
    collapse: Mapping[str, Sequence[str]] | None = None,
    dont_know=None,
    sort: str | None = None,
    lang: str | None = None,
    ci: bool = False,
    where=None,
    weight: str | None = None,
    base: str = "all",
    box: int | None = None,
    title: str | None = None,
) -> Likert:
    """Items sharing one choice list in one table, the scale in order and "don't know"
    answers kept apart.

    ``questions``: question names, or the name of their choice list. ``dont_know``: None
    detects such choices by name or label; a name/label or a list of them sets them; False
    or [] means none. ``collapse``: ``{"column label": [choice names or labels]}``.
    ``base``: "all" (every respondent in the analysis, as the reference report's Tables 3
    and 4), "valid" (who answered the item, "don't know" included) or "scale" (who
    answered on the scale). ``box``: how many scale points make the top and bottom boxes
    (2 by default, 1 for scales of fewer than 4 points). ``sort``: "net", "top" or
    "bottom", highest first.
    """
    if base not in BASES:
        raise SyrmakError(
            f"base must be one of {', '.join(BASES)}, not {base!r}.",
            "'all' counts every respondent, 'valid' those who answered the item.",
            code="bad-argument",
        )
    if sort is not None and sort not in SORTS:
        raise SyrmakError(
            f"sort must be one of {', '.join(SORTS)} or None, not {sort!r}.",
            "sort='net' puts the item with the most net agreement first.",
            code="bad-argument",
        )
    lang = v.language(questionnaire, frame, lang)
    items = _items(questionnaire, questions)
    _check_scale(items)
    first = items[0]
    k = len(first.choices)

    if dont_know is None:
        dk = [i for i, c in enumerate(first.choices) if is_dont_know(c.name, c.labels.values())]
    elif dont_know is False:
        dk = []
    else:
        dk = _resolve(first, [dont_know] if isinstance(dont_know, str) else dont_know,
                      "dont_know: ")
    scale = [i for i in range(k) if i not in dk]
    if not scale:
        raise SyrmakError(
            f"every option of '{first.name}' was taken as \"don't know\"; no scale is left.",
            "pass dont_know=[...] with the options to keep apart, or dont_know=False.",
            code="bad-argument",
        )
    dk = sorted(dk)
    scale_cols = _columns(first, scale, collapse, lang)
    dk_cols = _columns(first, dk, collapse, lang)
    for label in (collapse or {}):
        if not any(lab == label for lab, _ in scale_cols + dk_cols):
            raise SyrmakError(f"collapsed group '{label}' is empty.", code="bad-collapse")
    columns = scale_cols + dk_cols

    if box is None:
        box = 2 if len(scale) >= 4 else 1
    if not 1 <= box <= len(scale) // 2:
        raise SyrmakError(
            f"box={box} does not fit a scale of {len(scale)} points.",
            f"use a box between 1 and {max(1, len(scale) // 2)}.",
            code="bad-argument",
        )
    bottom_idx, top_idx = scale[:box], scale[-box:]

    s = sample(questionnaire, frame, where, weight)
    w = s.weights
    everyone = float(s.n) if w is None else float(w.sum())
    rows_counts, bases, n_bases, missing, effs, tops, bottoms = [], [], [], [], [], [], []
    memberships = []  # per item: (respondent x column membership, in the base)
    dk_mask = np.zeros(k + 1, dtype=bool)
    dk_mask[[i + 1 for i in dk]] = True
    for q in items:
        codes = s.take(v.single(questionnaire, frame, q.name, lang)).codes
        full = _bincount(codes, k, w)
        counts = full[1:]
        rows_counts.append([counts[idx].sum() for _, idx in columns])
        missing.append(float(full[0]))
        tops.append(counts[top_idx].sum())
        bottoms.append(counts[bottom_idx].sum())
        if base == "all":
            in_base = np.ones(len(codes), dtype=bool)
        elif base == "valid":
            in_base = codes >= 0
        else:
            in_base = (codes >= 0) & ~dk_mask[codes.astype(np.intp) + 1]
        memberships.append((np.column_stack([np.isin(codes, idx) for _, idx in columns]),
                            in_base))
        n_bases.append(int(np.count_nonzero(in_base)))
        bases.append(everyone if base == "all" else _weighted(in_base, w))
        effs.append(stats.kish(w[in_base]) if w is not None else bases[-1])
    counts = np.array(rows_counts, dtype=float).reshape(len(items), len(columns))
    bases_a = np.array(bases)
    pct = stats.percent(counts, bases_a[:, None])
    if base == "scale":
        pct[:, len(scale_cols):] = np.nan
    top = stats.percent(np.array(tops), bases_a)
    bottom = stats.percent(np.array(bottoms), bases_a)
    net = top - bottom

    order = list(range(len(items)))
    if sort is not None:
        key = {"net": net, "top": top, "bottom": bottom}[sort]
        order = sorted(order, key=lambda i: -np.nan_to_num(key[i], nan=-np.inf))

    intervals = None
    if _check_ci(ci):
        if w is None:
            eff = np.array(effs)[:, None]
            lo, hi = stats.wilson(np.nan_to_num(pct) / 100 * eff,
                                  np.broadcast_to(eff, pct.shape))
        else:
            pairs = [stats.design_interval(y, in_base, w, s) for y, in_base in memberships]
            lo = np.array([a for a, _ in pairs]).reshape(pct.shape)
            hi = np.array([b for _, b in pairs]).reshape(pct.shape)
        lo[np.isnan(pct)] = np.nan
        hi[np.isnan(pct)] = np.nan
        intervals = _intervals(lo[order], hi[order])

    n_eff = stats.kish(w) if w is not None else None
    notes = _sample_notes(s, n_eff)
    if intervals is not None and w is not None:
        notes.append(DESIGN_CI_NOTE)
    small = [f"'{items[i].name}' (n={n_bases[i]})" for i in order
             if n_bases[i] < stats.SMALL_BASE]
    if small:
        notes.append(
            f"small base (below {stats.SMALL_BASE}): {', '.join(small)}; "
            "percentages are unstable."
        )
    if dk:
        kept_apart = ", ".join(first.choices[i].label(lang) for i in dk)
        notes.append(f"kept apart from the scale: {kept_apart}.")
    if base == "all" and any(m > 0 for m in missing):
        unanswered = ", ".join(
            f"'{items[i].name}' ({missing[i]:g})" for i in order if missing[i] > 0
        )
        notes.append(
            "percentages are of all respondents, so rows with unanswered items add up to "
            f"less than 100: {unanswered}."
        )
    if base == "scale" and dk:
        notes.append("percentages exclude \"don't know\" answers; their columns show counts.")
    top_names = " + ".join(first.choices[i].label(lang) for i in top_idx)
    bottom_names = " + ".join(first.choices[i].label(lang) for i in bottom_idx)
    notes.append(f"Top-{box} = {top_names}; Bottom-{box} = {bottom_names}; net = top - bottom.")

    if title is None:
        sections = {q.section for q in items}
        if len(sections) == 1 and None not in sections:
            section = next(iter(sections))
            try:
                title = questionnaire.section(section).label(lang)
            except SyrmakError:
                title = section
        else:
            title = first.list_name or first.name
    return Likert(
        question=first.list_name or first.name,
        title=title,
        lang=lang,
        where=s.where,
        weight=s.weight,
        respondents=s.n,
        effective_n=n_eff,
        notes=tuple(notes),
        items=tuple(items[i].name for i in order),
        rows=tuple(items[i].label(lang) for i in order),
        columns=tuple(label for label, _ in columns),
        column_names=tuple(tuple(first.choices[i].name for i in idx) for _, idx in columns),
        scale_columns=len(scale_cols),
        counts=_matrix(counts[order]),
        percent=_matrix(pct[order]),
        percent_of=base,
        ci=intervals,
        bases=_floats(bases_a[order]),
        missing=tuple(missing[i] for i in order),
        top_label=f"Top-{box}",
        bottom_label=f"Bottom-{box}",
        top=_floats(top[order]),
        bottom=_floats(bottom[order]),
        net=_floats(net[order]),
        sort=sort,
    )


def _weighted(mask: np.ndarray, w: np.ndarray | None) -> float:
    return float(np.count_nonzero(mask)) if w is None else float(w[mask].sum())
