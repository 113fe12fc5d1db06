"""One text normaliser (syrmak.text.normal) under the three places that compare typed words."""

from __future__ import annotations

import pytest

from syrmak.analysis._variables import normal as answer_normal
from syrmak.report.geo import normal as place_normal
from syrmak.survey.layouts import normalise as header_normal
from syrmak.text import normal


@pytest.mark.parametrize(("raw", "expected"), [
    ("  Agree\n  strongly ", "agree strongly"),
    ("ИНОЕ", "иное"),
    ("Straße", "strasse"),                     # casefold, not lower
    ("Краи\u0306", "край"),                    # a decomposed й is the typed one
])
def test_normal(raw, expected):
    assert normal(raw) == expected


@pytest.mark.parametrize(("compare", "a", "b"), [
    (answer_normal, "Краи\u0306 ", "край"),
    (header_normal, "Ваш  возраст:*", "ваш возраст"),
    (header_normal, "Краи\u0306", "КРАЙ"),
    (place_normal, "Усть–Каменогорск", "усть-каменогорск"),
    (place_normal, "Семёй", "СЕМЕЙ"),
])
def test_every_comparison_builds_on_it(compare, a, b):
    assert compare(a) == compare(b)


@pytest.mark.parametrize(("compare", "a", "b"), [
    (answer_normal, "Семёй", "Семей"),        # only place names equate ё and е
    (answer_normal, "age:", "age"),           # only import headers drop a trailing colon
])
def test_extensions_stay_where_they_belong(compare, a, b):
    assert compare(a) != compare(b)
