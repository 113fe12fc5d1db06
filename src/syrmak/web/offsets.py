"""Browser offsets <-> store offsets, at the one boundary where they meet.

A page's JavaScript measures positions in UTF-16 code units of the text as the DOM holds
it; the store counts Unicode code points of the stored text (docs/ARCHITECTURE.md). Two
things differ: a character beyond the Basic Multilingual Plane (an emoji, some CJK) is two
UTF-16 units and one code point; and the HTML parser turns the ``\\r\\n`` of a document kept
as imported (REFI-QDA) into one ``\\n``, so the browser never sees the ``\\r``. Combining
accents and Kazakh letters (қ ғ ә ү) are one unit and one code point each, as is ``\\n``.

``OffsetMap`` answers both ways in O(log n) after one regex pass over the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from syrmak.errors import SyrmakError

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CRLF = re.compile("\r\n")


class OffsetMap:
    """Offsets of one text: ``to_browser(code point)`` and ``to_store(UTF-16 unit)``."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # Code point positions that the browser counts differently: +1 for each astral
        # character before a position, -1 for each '\r' of a '\r\n' pair.
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._cr = [m.start() for m in _CRLF.finditer(text)]
        self.plain = not self._astral and not self._cr
        self.browser_length = self.to_browser(self.length)

    def to_browser(self, point: int) -> int:
        if self.plain:
            return point
        return (point + bisect_left(self._astral, point)
                - bisect_left(self._cr, point))

    def to_store(self, unit: int, *, end: bool = False) -> int:
        """The code point at browser offset ``unit``. An offset inside a character (between
        the halves of a surrogate pair) snaps outward: back for a start, on for an end."""
        if not 0 <= unit <= self.browser_length:
            raise SyrmakError(f"the position {unit} is outside the document "
                              f"(0-{self.browser_length}).", "reload the page.",
                              code="bad-span", value=unit)
        if self.plain:
            return unit
        lo, hi = 0, self.length  # the last code point whose browser offset <= unit
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.to_browser(mid) <= unit:
                lo = mid
            else:
                hi = mid - 1
        if end and self.to_browser(lo) < unit:
            lo += 1
        # A position between '\r' and '\n' is the browser's position before its '\n'.
        while lo > 0 and lo - 1 in self._cr_set and self.to_browser(lo - 1) == unit:
            lo -= 1
        return lo

    @property
    def _cr_set(self) -> set[int]:
        if not hasattr(self, "_cr_cache"):
            self._cr_cache = set(self._cr)
        return self._cr_cache


def to_store(text: str, start: int, end: int) -> tuple[int, int]:
    """A browser selection ``[start, end)`` (UTF-16 units) as code points of ``text``."""
    offsets = OffsetMap(text)
    return offsets.to_store(start), offsets.to_store(end, end=True)
