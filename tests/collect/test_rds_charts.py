"""Charts of a respondent-driven sample: the recruitment tree coloured by a trait, the
convergence and bottleneck plots; drawn from data, checked against it."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex

from syrmak.analysis import rds
from syrmak.report import rds_charts as R

KINDS = ["Зарегистрированная организация", "Независимый активист", "Инициативная группа"]


def branching_tree(n: int, seeds: int, random_seed: int = 5):
    """A recruitment frame grown as a branching process (0-3 recruits each), answers
    (one missing) and degrees."""
    rng = np.random.default_rng(random_seed)
    recruiter: list = [None] * seeds
    frontier, following = list(range(1, seeds + 1)), seeds + 1
    while following <= n:
        frontier = frontier or [int(rng.integers(1, following))]
        grown = []
        for node in frontier:
            for _ in range(int(rng.choice([0, 1, 1, 2, 2, 3]))):
                if following > n:
                    break
                recruiter.append(node)
                grown.append(following)
                following += 1
        frontier = grown
    tree = pd.DataFrame({"recruiter": pd.array(recruiter, dtype="Int64")},
                        index=pd.RangeIndex(1, n + 1, name="respondent"))
    tree["seed"], tree["wave"] = tree.index.to_series(), 0
    for i in tree.index[seeds:]:
        parent = tree.loc[i, "recruiter"]
        tree.loc[i, ["seed", "wave"]] = tree.loc[parent, "seed"], tree.loc[parent, "wave"] + 1
    tree["seed"] = tree["seed"].astype("Int64")
    tree["coupons_issued"], tree["coupons_used"] = 3, 0
    answers = pd.Series(rng.choice(KINDS, n), index=tree.index, dtype=object)
    answers.iloc[4] = None
    degrees = pd.Series(rng.integers(1, 30, n), index=tree.index)
    return tree, answers, degrees


def drawn_nodes(fig) -> list[tuple[float, float, str]]:
    out = []
    for ax in fig.axes:
        for collection in ax.collections:
            if isinstance(collection, PathCollection):
                colours = collection.get_facecolors()
                for (x, y), colour in zip(collection.get_offsets(), colours, strict=True):
                    out.append((ax, round(float(x), 6), round(float(y), 6), to_hex(colour)))
    return out


@pytest.mark.parametrize(("n", "seeds"), [(30, 3), (300, 8)])
def test_the_tree_has_one_node_per_respondent_coloured_by_its_answer(n, seeds):
    tree, answers, _ = branching_tree(n, seeds)
    chart = R.tree_chart(tree, answers, title="Кого вы представляете?", lang="ru")
    assert chart.nodes == tuple(tree.index)
    assert set(chart.categories) == set(answers.dropna())
    # The colour of each respondent is the colour of their own answer's category.
    palette = {c: R.colour(k) for k, c in enumerate(chart.categories)}
    expected = [palette[a] if isinstance(a, str) else R.MISSING for a in answers]
    assert R.node_colours(chart) == expected
    assert len(set(palette.values())) == len(palette)
    fig = R.draw(chart)
    nodes = drawn_nodes(fig)
    assert len(nodes) == len(tree)
    # Each drawn node, found by its laid-out position, has its respondent's colour.
    x, depth, row = R.layout(chart.parents)
    axes = [ax for ax in fig.axes if ax.collections]
    want = sorted((id(axes[row[i]]), round(x[i], 6), float(-depth[i]), to_hex(expected[i]))
                  for i in range(len(tree)))
    got = sorted((id(ax), x_, y_, colour) for ax, x_, y_, colour in nodes)
    assert got == want


def test_the_layout_puts_seeds_on_top_and_recruits_one_level_below():
    tree, answers, _ = branching_tree(120, 5)
    chart = R.tree_chart(tree, answers, title="kind")
    x, depth, row = R.layout(chart.parents)
    for i, parent in enumerate(chart.parents):
        if parent is None:
            assert depth[i] == 0
        else:
            assert depth[i] == depth[parent] + 1 and row[i] == row[parent]
            assert depth[i] == tree["wave"].iloc[i]
    for r in set(row):
        spots = [(x[i], depth[i]) for i in range(len(x)) if row[i] == r]
        assert len(spots) == len(set(spots))  # no two nodes on one spot


def test_tree_svg_keeps_text_as_text_and_png_stays_within_a_page():
    tree, answers, _ = branching_tree(300, 8)
    chart = R.tree_chart(tree, answers, title="Кого вы представляете?", lang="kk")
    svg = R.render(chart, "svg").decode()
    assert "Кого вы представляете?" in svg and "Толқын" in svg and "<text" in svg
    assert R.render(chart, "svg").decode() == svg  # deterministic
    from PIL import Image

    png = Image.open(io.BytesIO(R.render(chart, "png")))
    assert png.size[0] == 1300 and png.size[1] <= 10 * 200


def test_convergence_ends_at_the_rds_ii_estimate():
    tree, answers, degrees = branching_tree(80, 4)
    result = rds.estimate(tree, answers, degrees, question="kind", replicates=50)
    chart = R.convergence_chart(result, "en")
    usable = answers.notna()
    by_hand = rds.rds_ii(answers[usable], degrees[usable], result.categories)
    for k in range(len(chart.categories)):
        path = chart.paths[k]
        assert len(path) == usable.sum()
        assert path[-1] == pytest.approx(by_hand[k] * 100)
        assert chart.final[k] == pytest.approx(by_hand[k] * 100)
    fig = R.draw(chart)
    # One line per category (then the dashed references), each ending at its estimate.
    lines = fig.axes[0].get_lines()[:len(chart.categories)]
    assert len(lines[0].get_ydata()) == usable.sum()
    assert [line.get_ydata()[-1] for line in lines] == pytest.approx(list(chart.final))


def test_bottleneck_draws_each_seeds_tree_ending_at_its_own_estimate():
    tree, answers, degrees = branching_tree(80, 4)
    result = rds.estimate(tree, answers, degrees, question="kind", replicates=50)
    chart = R.bottleneck_chart(result, "ru")
    assert chart.seeds == tuple(f"семя {s}" for s in sorted(tree["seed"].unique()))
    usable = answers.notna()
    for s, seed in enumerate(sorted(tree["seed"].unique())):
        members = tree.index[(tree["seed"] == seed) & usable]
        own = rds.rds_ii(answers[members], degrees[members], result.categories)
        for k in range(len(result.categories)):
            assert len(chart.paths[s][k]) == len(members)
            assert chart.paths[s][k][-1] == pytest.approx(own[k] * 100)
    fig = R.draw(chart)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_lines()]
    assert len(panels) == len(result.categories)
    assert len(panels[0].get_lines()) == len(chart.seeds) + 1  # + the overall estimate


def test_a_chart_worker_process_draws_the_tree_as_the_report_process_does():
    from syrmak.report import _draw_in_workers
    from syrmak.report.charts import render_both

    tree, answers, _ = branching_tree(40, 3)
    job = (R.tree_chart(tree, answers, title="kind"), "syrmak-tree", ("svg",))
    # The worker learns the tree's drawing by unpickling the chart (rds_charts registers it).
    (drawn,) = _draw_in_workers([job], 1, None)
    assert drawn == render_both(job)
