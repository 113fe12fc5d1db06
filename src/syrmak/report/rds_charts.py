"""Charts of a respondent-driven sample: the recruitment tree coloured by a trait, and the
convergence and bottleneck plots of an RDS-II estimate.

Like ``charts``, each chart is a frozen dataclass of plain values made from an analysis
result (``syrmak.analysis.rds``; this module computes no statistic) and drawn by matplotlib
with the report's style (``charts.RC``: text kept as text in SVG, a Cyrillic-capable font
stack), so the report's chart cache and worker processes draw them like any other chart.

The tree's layout is computed here, in layers: a respondent's wave is its row (seeds on
top), leaves take consecutive columns in the order of recruitment, a recruiter sits above
the middle of its recruits; when the trees are too wide for one row of the page they are
packed into several rows of panels, so a node stays big enough to see its colour.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from syrmak.report import charts as C
from syrmak.report import i18n

#: A node without an answer to the trait.
MISSING = "#FFFFFF"
MISSING_EDGE = "#888888"
EDGE = "#9A9A9A"
#: Leaves per row of panels before the trees are split into more rows.
ROW_LEAVES = 70

WORDS = {
    "en": {"wave": "Wave", "seeds": "seeds", "no_answer": "no answer", "seed": "seed {n}",
           "order": "Respondents in order of recruitment",
           "order_tree": "Respondents of the seed's tree, in order of recruitment",
           "estimate": "RDS-II estimate, %", "final": "dashed: final estimate",
           "tree_n": "n = {n} respondents from {seeds} seeds; {waves} waves after the seeds",
           "rds_n": "n = {n} with an answer and a degree"},
    "ru": {"wave": "Волна", "seeds": "семена", "no_answer": "нет ответа",
           "seed": "семя {n}", "order": "Респонденты в порядке рекрутирования",
           "order_tree": "Респонденты дерева семени в порядке рекрутирования",
           "estimate": "Оценка RDS-II, %", "final": "пунктир: итоговая оценка",
           "tree_n": "n = {n} респондентов от {seeds} семян; волн после семян: {waves}",
           "rds_n": "n = {n} с ответом и размером сети"},
    "kk": {"wave": "Толқын", "seeds": "тұқымдар", "no_answer": "жауап жоқ",
           "seed": "тұқым {n}", "order": "Респонденттер тарту ретімен",
           "order_tree": "Тұқым ағашының респонденттері, тарту ретімен",
           "estimate": "RDS-II бағасы, %", "final": "үзік сызық: қорытынды баға",
           "tree_n": "n = {n} респондент, {seeds} тұқымнан; тұқымнан кейінгі толқындар: "
                     "{waves}",
           "rds_n": "n = {n}, жауабы мен желі өлшемі бар"},
}


def word(lang: str | None, key: str, **values) -> str:
    return i18n.translate(WORDS, lang, key, **values)


@dataclass(frozen=True)
class TreeChart:
    """One node per respondent: ``parents[i]`` is the index of its recruiter's node (None
    for a seed); ``groups[i]`` the index of its answer in ``categories`` (-1: none)."""

    nodes: tuple[int, ...]
    parents: tuple[int | None, ...]
    groups: tuple[int, ...]
    categories: tuple[str, ...]
    title: str
    n_text: str
    words: tuple[str, str, str] = ("Wave", "seeds", "no answer")


@dataclass(frozen=True)
class ConvergenceChart:
    """``paths[k][i]``: the estimate (%) of category k after the first i + 1 respondents."""

    categories: tuple[str, ...]
    paths: tuple[tuple[float, ...], ...]
    final: tuple[float, ...]
    axis: str
    value_axis: str
    n_text: str


@dataclass(frozen=True)
class BottleneckChart:
    """``paths[s][k]``: the convergence of category k within seed s's tree alone (%)."""

    categories: tuple[str, ...]
    seeds: tuple[str, ...]
    paths: tuple[tuple[tuple[float, ...], ...], ...]
    final: tuple[float, ...]
    axis: str
    value_axis: str
    n_text: str


RdsChart = TreeChart | ConvergenceChart | BottleneckChart


# --------------------------------------------------------------------------- descriptions


def categories_of(values: pd.Series) -> tuple[str, ...]:
    """The answers' categories in the questionnaire's order (a labelled frame column is
    categorical), those given by somebody; else sorted."""
    present = set(values.dropna().astype(str))
    if isinstance(values.dtype, pd.CategoricalDtype):
        return tuple(str(c) for c in values.cat.categories if str(c) in present)
    return tuple(sorted(present))


def tree_chart(tree: pd.DataFrame, answers: pd.Series, *, title: str,
               categories: Sequence[str] | None = None, lang: str | None = None) -> TreeChart:
    """The recruitment tree (``syrmak.collect.tree.recruitment``) coloured by ``answers``
    (a Series indexed by respondent number, labels as values)."""
    nodes = [int(n) for n in tree.index]
    position = {n: i for i, n in enumerate(nodes)}
    parents = tuple(None if pd.isna(r) else position.get(int(r)) for r in tree["recruiter"])
    values = answers.reindex(tree.index)
    categories = tuple(categories) if categories is not None else categories_of(values)
    index = {c: k for k, c in enumerate(categories)}
    groups = tuple(-1 if pd.isna(v) else index.get(str(v), -1) for v in values)
    waves = int(tree["wave"].max()) if len(tree) else 0
    seeds = sum(p is None for p in parents)
    return TreeChart(tuple(nodes), parents, groups, categories, title,
                     word(lang, "tree_n", n=len(nodes), seeds=seeds, waves=waves),
                     (word(lang, "wave"), word(lang, "seeds"), word(lang, "no_answer")))


def _percent(column) -> tuple[float, ...]:
    return tuple(round(float(v) * 100, 6) for v in column)


def convergence_chart(result, lang: str | None = None) -> ConvergenceChart:
    """From an ``RdsEstimate``: its convergence data, in percent."""
    frame = result.convergence
    return ConvergenceChart(
        tuple(result.categories), tuple(_percent(frame[c]) for c in result.categories),
        _percent(result.estimate), word(lang, "order"), word(lang, "estimate"),
        word(lang, "rds_n", n=result.n) + "; " + word(lang, "final"))


def bottleneck_chart(result, lang: str | None = None) -> BottleneckChart:
    """From an ``RdsEstimate``: the convergence of each seed's tree alone, in percent."""
    frame = result.seed_convergence
    seeds = list(dict.fromkeys(frame.index.get_level_values("seed")))
    paths = tuple(tuple(_percent(frame.loc[s][c]) for c in result.categories) for s in seeds)
    return BottleneckChart(
        tuple(result.categories), tuple(word(lang, "seed", n=s) for s in seeds), paths,
        _percent(result.estimate), word(lang, "order_tree"), word(lang, "estimate"),
        word(lang, "rds_n", n=result.n) + "; " + word(lang, "final"))


def alt(chart: RdsChart) -> str:
    """A text alternative: what a reader of the picture learns."""
    if isinstance(chart, TreeChart):
        counts = [sum(1 for g in chart.groups if g == k) for k in range(len(chart.categories))]
        parts = [f"{c}: {n}" for c, n in zip(chart.categories, counts, strict=True)]
        missing = sum(1 for g in chart.groups if g < 0)
        if missing:
            parts.append(f"{chart.words[2]}: {missing}")
        return f"{chart.title}. {'; '.join(parts)}. {chart.n_text}."
    parts = [f"{c} {C.pct_text(v)}" for c, v in zip(chart.categories, chart.final, strict=True)]
    return f"{'; '.join(parts)}. {chart.n_text}."


# --------------------------------------------------------------------------- layout


def colour(group: int) -> str:
    return MISSING if group < 0 else C.OKABE_ITO[group % len(C.OKABE_ITO)]


def node_colours(chart: TreeChart) -> list[str]:
    """The fill of each node, in the order of ``chart.nodes``."""
    return [colour(g) for g in chart.groups]


def _children(parents: Sequence[int | None]) -> tuple[list[int], dict[int, list[int]]]:
    roots, children = [], {}
    for i, p in enumerate(parents):
        if p is None:
            roots.append(i)
        else:
            children.setdefault(p, []).append(i)
    return roots, children


def _leaves(node: int, children: Mapping[int, list[int]]) -> int:
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        kids = children.get(n, [])
        count += 0 if kids else 1
        stack.extend(kids)
    return count


def layout(parents: Sequence[int | None]) -> tuple[list[float], list[int], list[int]]:
    """(x, depth, panel row) of each node. Leaves take consecutive columns (a gap of one
    between seeds' trees), a recruiter is centred over its recruits, and whole trees are
    packed into rows of about ``ROW_LEAVES`` leaves."""
    roots, children = _children(parents)
    x = [0.0] * len(parents)
    depth = [0] * len(parents)
    row = [0] * len(parents)
    panel, column = 0, 0.0
    for root in roots:
        width = _leaves(root, children)
        if column and column + width > ROW_LEAVES:
            panel, column = panel + 1, 0.0
        # Iterative post-order: deep chains must not reach Python's recursion limit.
        stack = [(root, 0, False)]
        while stack:
            node, level, done = stack.pop()
            kids = children.get(node, [])
            if done:
                x[node] = (x[kids[0]] + x[kids[-1]]) / 2
                continue
            depth[node], row[node] = level, panel
            if not kids:
                x[node] = column
                column += 1
                continue
            stack.append((node, level, True))
            stack.extend((k, level + 1, False) for k in reversed(kids))
        column += 1  # the gap between two seeds' trees
    return x, depth, row


# --------------------------------------------------------------------------- drawing


def _tree(c: TreeChart) -> Figure:
    x, depth, row = layout(c.parents)
    panels = (max(row) + 1) if row else 1
    widest = max([sum(1 for i in range(len(x)) if row[i] == p and
                      not any(q == i for q in c.parents)) for p in range(panels)] + [1])
    # A node's diameter follows the column width; never below 3 pt, never above 13 pt.
    column_pt = 6.2 * 72 / (widest + panels)
    size = max(3.0, min(13.0, column_pt * 0.8))
    label = len(x) <= 60 and size >= 9
    # Each row of panels as deep as its own trees; a deep sample gets flatter levels so
    # the figure stays within a page (about 9 in).
    depths = [max([depth[i] for i in range(len(x)) if row[i] == p] + [0]) + 1
              for p in range(panels)]
    level_in = max(0.14, min(0.4, 7.0 / sum(depths)))
    fig = C._figure(max(2.0, sum(d * level_in + 0.3 for d in depths) + 0.9))
    axes = fig.subplots(panels, 1, squeeze=False, height_ratios=[d + 0.6 for d in depths])[:, 0]
    colours = node_colours(c)
    for p, ax in enumerate(axes):
        members = [i for i in range(len(x)) if row[i] == p]
        segments = [((x[c.parents[i]], -depth[c.parents[i]]), (x[i], -depth[i]))
                    for i in members if c.parents[i] is not None]
        ax.add_collection(LineCollection(segments, colors=EDGE, linewidths=0.7, zorder=1))
        ax.scatter([x[i] for i in members], [-depth[i] for i in members], s=size ** 2,
                   c=[colours[i] for i in members],
                   edgecolors=[MISSING_EDGE if c.groups[i] < 0 else "white" for i in members],
                   linewidths=0.6, zorder=2)
        if label:
            for i in members:
                ax.text(x[i], -depth[i], str(c.nodes[i]), ha="center", va="center",
                        fontsize=5.5, color=C._ink(colours[i]), zorder=3)
        span = [x[i] for i in members] or [0.0]
        # A small sample is centred at a readable spacing rather than stretched.
        half = max(max(span) - min(span), ROW_LEAVES * 0.25) / 2 + 0.8
        middle = (max(span) + min(span)) / 2
        ax.set_xlim(middle - half, middle + half)
        ax.set_ylim(-(depths[p] - 1) - 0.5, 0.5)
        step = 1 if depths[p] <= 12 else 2 if depths[p] <= 24 else 5
        ticks = list(range(0, depths[p], step))
        ax.set_yticks([-t for t in ticks], [c.words[1] if t == 0 else str(t) for t in ticks])
        ax.set_xticks([])
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0, labelsize=7.5)
        ax.set_ylabel(c.words[0], color=C.MUTED, fontsize=8)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=colour(k),
                      markeredgecolor="white", label=C._wrap(name, 28))
               for k, name in enumerate(c.categories)]
    if any(g < 0 for g in c.groups):
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=7,
                              markerfacecolor=MISSING, markeredgecolor=MISSING_EDGE,
                              label=c.words[2]))
    fig.legend(handles=handles, loc="outside upper center", ncols=min(len(handles), 4),
               fontsize=7.5, frameon=False, title=C._wrap(c.title, 80), title_fontsize=8)
    axes[-1].set_xlabel(c.n_text, color=C.MUTED, fontsize=8)
    return fig


def _lines(ax, paths: Sequence[Sequence[float]], names: Sequence[str],
           final: Sequence[float], colours: Sequence[str], reference: str | None) -> None:
    for path, name, col in zip(paths, names, colours, strict=True):
        steps = range(1, len(path) + 1)
        ax.plot(steps, path, color=col, linewidth=1.3, label=name)
    for value, col in zip(final, [reference] * len(final) if reference else colours,
                          strict=True):
        ax.axhline(value, color=col, linewidth=0.9, linestyle=(0, (4, 3)), zorder=0)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}%")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.yaxis.grid(True, color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)


def _convergence(c: ConvergenceChart) -> Figure:
    fig = C._figure(3.2)
    ax = fig.add_subplot()
    colours = [colour(k) for k in range(len(c.categories))]
    _lines(ax, c.paths, [C._wrap(n, 28) for n in c.categories], c.final, colours, None)
    ax.set_xlim(1, max(2, max((len(p) for p in c.paths), default=1)))
    ax.set_ylabel(c.value_axis, color=C.MUTED, fontsize=8)
    ax.set_xlabel(f"{c.axis}\n{c.n_text}", color=C.MUTED, fontsize=8)
    fig.legend(loc="outside upper center", ncols=min(len(c.categories), 4), frameon=False,
               fontsize=7.5)
    return fig


def _bottleneck(c: BottleneckChart) -> Figure:
    k = len(c.categories)
    cols = 1 if k == 1 else 2
    rows = math.ceil(k / cols)
    fig = C._figure(1.9 * rows + 1.2)
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    colours = [C.OKABE_ITO[s % len(C.OKABE_ITO)] for s in range(len(c.seeds))]
    styles = ["-", (0, (1, 1)), (0, (5, 1, 1, 1))]
    for j, name in enumerate(c.categories):
        ax = axes[j // cols][j % cols]
        for s, seed in enumerate(c.seeds):
            path = c.paths[s][j]
            ax.plot(range(1, len(path) + 1), path, color=colours[s], linewidth=1.2,
                    linestyle=styles[(s // len(C.OKABE_ITO)) % len(styles)],
                    # A tree of one respondent is a point, not a line.
                    marker="o" if len(path) == 1 else None, markersize=3,
                    label=seed if j == 0 else None)
        ax.axhline(c.final[j], color=C.TEXT, linewidth=0.9, linestyle=(0, (4, 3)), zorder=0)
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}%")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(C._wrap(name, 40), fontsize=8.5, color=C.TEXT)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.yaxis.grid(True, color="#E5E5E5", linewidth=0.6)
        ax.tick_params(labelsize=7.5)
    for j in range(k, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    fig.supxlabel(f"{c.axis}\n{c.n_text}", color=C.MUTED, fontsize=8)
    fig.supylabel(c.value_axis, color=C.MUTED, fontsize=8)
    fig.legend(loc="outside upper center", ncols=min(len(c.seeds), 6), frameon=False,
               fontsize=7.5)
    return fig


C.register(TreeChart, _tree)
C.register(ConvergenceChart, _convergence)
C.register(BottleneckChart, _bottleneck)


def draw(chart: RdsChart) -> Figure:
    return C.draw(chart)


def render(chart: RdsChart, fmt: str) -> bytes:
    """SVG (text as text) or PNG bytes of an RDS chart, in the report's style."""
    return C.render(chart, fmt, f"syrmak-rds-{type(chart).__name__.lower()}")
