"""UTF-16 offsets of the browser against code points of the store, at the boundary."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syrmak.web.offsets import OffsetMap, to_store


def dom(text: str) -> str:
    """The text as the DOM holds it: the HTML parser turns CRLF and CR into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(("text", "passage"), [
    ("plain ascii text, nothing odd", "nothing odd"),
    ("Мы 😀 выгорели за год", "выгорели"),                       # emoji before
    ("семья 👩‍👩‍👧 и работа 🙂", "👩‍👩‍👧 и работа 🙂"),    # ZWJ sequence inside
    ("мы\u0301 закрыли офис", "мы\u0301 закрыли"),              # combining accent
    ("Қазақстанда ғана әрі үкімет", "ғана әрі үкімет"),         # Kazakh letters
    ("first line\r\nsecond line\r\nthird", "second line\r\nthird"),  # Windows line ends
    ("😀\r\n😀 қ\r\nә́ end", "қ\r\nә́ end"),
])
def test_selection_maps_to_the_stored_passage(text, passage):
    start = text.index(passage)
    seen = dom(text)
    b_start = units(dom(text[:start]))
    b_end = units(dom(text[:start + len(passage)]))
    assert seen[len(dom(text[:start])):][: len(dom(passage))] == dom(passage)
    lo, hi = to_store(text, b_start, b_end)
    assert text[lo:hi] == passage


@given(st.text(alphabet=st.sampled_from(list("ab қә\r\n😀\u0301🙂")), max_size=40))
def test_round_trip_for_every_position(text):
    offsets = OffsetMap(text)
    assert offsets.browser_length == units(dom(text))
    for point in range(len(text) + 1):
        if 0 < point < len(text) and text[point - 1] == "\r" and text[point] == "\n":
            continue  # inside a CRLF pair: no position of the browser's
        assert offsets.to_store(offsets.to_browser(point)) == point


def test_an_offset_inside_a_surrogate_pair_snaps_outward():
    offsets = OffsetMap("a😀b")
    assert offsets.to_store(2) == 1 and offsets.to_store(2, end=True) == 2


def test_an_offset_past_the_end_is_refused():
    from syrmak.errors import SyrmakError

    with pytest.raises(SyrmakError):
        OffsetMap("abc").to_store(4)
