"""Invariants that hold for any answers: counts add up to the base, percentages of the
total add up to 100, row and column percentages agree with the counts."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from syrmak.analysis import crosstab, frequencies, likert, multiple_response
from syrmak.analysis.frames import build_frame
from syrmak.survey.instrument import Choice, Question, Questionnaire


def _choices(*names):
    return tuple(Choice(n, {"en": n.upper()}) for n in names)


FORM = Questionnaire(
    form_id="p", title="p", version=None, default_language="en", languages=("en",),
    sections=(),
    questions=(
        Question("a", "select_one", {"en": "A"}, _choices("a1", "a2", "a3"), "la"),
        Question("b", "select_one", {"en": "B"}, _choices("b1", "b2", "b3", "b4"), "lb"),
        Question("c", "select_one", {"en": "C"}, _choices("b1", "b2", "b3", "b4"), "lb"),
        Question("m", "select_multiple", {"en": "M"}, _choices("x", "y", "z", "t"), "lm"),
    ),
)

single_a = st.one_of(st.none(), st.sampled_from(["a1", "a2", "a3"]))
single_b = st.one_of(st.none(), st.sampled_from(["b1", "b2", "b3", "b4"]))
multi = st.one_of(st.none(), st.lists(st.sampled_from(["x", "y", "z", "t"]), unique=True))


@st.composite
def frames(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    answers = {
        "a": draw(st.lists(single_a, min_size=n, max_size=n)),
        "b": draw(st.lists(single_b, min_size=n, max_size=n)),
        "c": draw(st.lists(single_b, min_size=n, max_size=n)),
        "m": draw(st.lists(multi, min_size=n, max_size=n)),
        "w": draw(st.lists(st.floats(0.1, 5.0), min_size=n, max_size=n)),
    }
    return build_frame(FORM, answers)


SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(frames())
def test_crosstab_counts_and_percentages_are_consistent(frame):
    t = crosstab(FORM, frame, "a", "b", percent="total")
    counts = np.array(t.counts)
    both = frame[["a", "b"]].dropna()
    assert counts.sum() == t.base == len(both)
    assert t.base + t.missing == len(frame)
    np.testing.assert_array_equal(counts.sum(axis=1), t.row_totals)
    np.testing.assert_array_equal(counts.sum(axis=0), t.column_totals)
    ref = pd.crosstab(both["a"], both["b"], dropna=False).to_numpy() if len(both) else 0
    np.testing.assert_array_equal(counts, ref)
    if t.base:
        assert np.isclose(np.sum(t.percent), 100)
        assert np.isclose(sum(t.row_total_percent), 100)
        assert np.isclose(sum(t.column_total_percent), 100)
    rows = crosstab(FORM, frame, "a", "b", percent="row")
    for i, total in enumerate(rows.row_totals):
        if total:
            assert np.isclose(sum(rows.percent[i]), 100)
            np.testing.assert_allclose(np.array(rows.percent[i]) * total / 100, counts[i])
        else:
            assert all(np.isnan(rows.percent[i]))
    cols = crosstab(FORM, frame, "a", "b", percent="column")
    for j, total in enumerate(cols.column_totals):
        column = [r[j] for r in cols.percent]
        if total:
            assert np.isclose(sum(column), 100)
            np.testing.assert_allclose(np.array(column) * total / 100, counts[:, j])


@SETTINGS
@given(frames())
def test_frequencies_add_up(frame):
    f = frequencies(FORM, frame, "b")
    assert sum(f.counts) == f.valid == frame["b"].notna().sum()
    assert f.valid + f.missing == f.total == len(frame)
    if f.valid:
        assert np.isclose(sum(f.percent), 100)
        assert np.isclose(sum(f.percent_all), 100 * f.valid / f.total)
    w = frequencies(FORM, frame, "b", weight="w")
    assert np.isclose(w.total, frame["w"].sum())
    assert np.isclose(sum(w.counts), frame.loc[frame["b"].notna(), "w"].sum())


@SETTINGS
@given(frames())
def test_multiple_response_and_multiple_crosstab_add_up(frame):
    r = multiple_response(FORM, frame, "m")
    answered = frame["m/x"].notna()
    assert r.answered == answered.sum()
    assert all(c <= r.answered for c in r.counts)
    assert r.mentions == sum(r.counts)
    if r.mentions:
        assert np.isclose(sum(r.percent_mentions), 100)
    t = crosstab(FORM, frame, "m", "a", percent="column")
    keep = answered & frame["a"].notna()
    assert t.base == keep.sum() == sum(t.column_totals)
    # Each respondent in a column counts once per option ticked.
    for j, total in enumerate(t.column_totals):
        in_col = keep & (frame["a"] == FORM.question("a").choices[j].label("en"))
        ticked = sum(frame.loc[in_col, f"m/{o}"].astype(bool).sum() for o in "xyzt")
        assert sum(r[j] for r in t.counts) == ticked
        assert total == in_col.sum()


@SETTINGS
@given(frames())
def test_likert_rows_add_up_to_the_base(frame):
    result = likert(FORM, frame, ["b", "c"], base="valid", dont_know=False)
    for i, item in enumerate(result.items):
        answered = frame[item].notna().sum()
        assert sum(result.counts[i]) == answered == result.bases[i]
        if answered:
            assert np.isclose(sum(result.percent[i]), 100)
            assert np.isclose(result.net[i], result.top[i] - result.bottom[i])
