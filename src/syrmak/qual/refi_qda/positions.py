"""How each QDA program counts ``startPosition``/``endPosition`` of a text selection.

The REFI-QDA 1.5 specification counts Unicode code points from 0, which is also what the
store counts (docs/ARCHITECTURE.md). Not every program does: NVivo counts UTF-16 code units,
so every emoji before a selection shifts it by one, and ATLAS.ti counts a CRLF line break as
one character. The conversion happens here, at the exchange boundary, never in the store.
docs/qualitative.md has the table with what was verified on which file.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

from syrmak.errors import SyrmakError


@dataclass(frozen=True)
class Convention:
    """One program's way of counting positions in the plain text of a source."""

    name: str  # the key for --from / --for
    label: str  # the program, as the import summary names it
    utf16: bool  # True: an astral character (emoji) counts 2, as in UTF-16 code units
    crlf: int  # how many positions a "\r\n" line break counts (1 or 2)

    @property
    def unit(self) -> str:
        unit = "UTF-16 code units" if self.utf16 else "Unicode code points"
        return unit if self.crlf == 2 else f"{unit}, a CRLF line break counting once"

    @property
    def is_code_points(self) -> bool:
        return not self.utf16 and self.crlf == 2


CONVENTIONS: dict[str, Convention] = {c.name: c for c in (
    Convention("standard", "the REFI-QDA standard", utf16=False, crlf=2),
    # Verified on the NVivo 12.6 (Windows) export of the interop corpus: with UTF-16 units all
    # 303 selections read as coded, with code points 290 are shifted.
    Convention("nvivo", "NVivo", utf16=True, crlf=2),
    # Not verified on a file (the corpus's ATLAS.ti exports hold no sources): QualCoder's
    # importer, written against ATLAS.ti exports, counts a CRLF once for ATLAS.ti only.
    Convention("atlasti", "ATLAS.ti", utf16=False, crlf=1),
    # Not verified on a file (no public MAXQDA export was found); QualCoder reads MAXQDA's
    # positions as the standard's.
    Convention("maxqda", "MAXQDA", utf16=False, crlf=2),
    # QualCoder slices Python strings with the positions: code points.
    Convention("qualcoder", "QualCoder", utf16=False, crlf=2),
)}

#: Substrings of the Project element's ``origin`` attribute, in the order they are tried.
_ORIGINS = (("nvivo", "nvivo"), ("atlas", "atlasti"), ("maxqda", "maxqda"),
            ("qualcoder", "qualcoder"))


def convention(name: str) -> Convention:
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise SyrmakError(f"'{name}' is not a known QDA program for positions.",
                          f"use one of {', '.join(CONVENTIONS)}.",
                          code="bad-convention", value=name) from None


def for_origin(origin: str | None) -> Convention:
    """The convention of the program named in ``origin`` (e.g. 'NVivo for Windows 12.6');
    the standard's when the program is unknown."""
    text = (origin or "").lower()
    for needle, name in _ORIGINS:
        if needle in text:
            return CONVENTIONS[name]
    return CONVENTIONS["standard"]


class Positions:
    """Maps one text's positions between a program's convention and code points."""

    def __init__(self, text: str, conv: Convention):
        self.conv = conv
        self.length = len(text)
        self._cumulative: list[int] | None = None
        astral = conv.utf16 and any(ord(ch) > 0xFFFF for ch in text)
        crlf = conv.crlf == 1 and "\r\n" in text
        if astral or crlf:
            def width(i: int, ch: str) -> int:
                if crlf and ch == "\r" and text.startswith("\n", i + 1):
                    # The \r of a CRLF takes no position, so a position at a line break is
                    # the one before the \r (an end) and the next one follows the \n (a start).
                    return 0
                return 2 if astral and ord(ch) > 0xFFFF else 1

            self._cumulative = [0, *accumulate(width(i, ch) for i, ch in enumerate(text))]
        self.units = self._cumulative[-1] if self._cumulative else self.length

    def to_code_point(self, position: int) -> int | None:
        """The code point offset of a position in the program's units, or None when it
        falls outside the text or inside a character (half of a UTF-16 surrogate pair)."""
        if not 0 <= position <= self.units:
            return None
        if self._cumulative is None:
            return position
        i = bisect_left(self._cumulative, position)
        return i if self._cumulative[i] == position else None

    def from_code_point(self, offset: int) -> int:
        return offset if self._cumulative is None else self._cumulative[offset]
