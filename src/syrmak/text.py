"""The one way syrmak compares words typed by people: answers, filter values, headers, labels,
place names.

``normal`` is the common core (Unicode NFC, case folded, runs of white space as one space);
the places that tolerate more build on it instead of re-implementing it: import headers
also drop a trailing ``*`` or ``:`` (``survey.layouts.normalise``), place names also equate
ё with е and every dash (``report.geo.normal``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_SPACE = re.compile(r"\s+")


def normal(text: object) -> str:
    """``text`` as compared: NFC, case-folded, white space collapsed and trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", str(text))).strip().casefold()


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 segment``, ``2 segments``, ``0 entries`` (give ``many`` when it is not one + s)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


@cache
def morph():
    """The one pymorphy3 Russian analyser of the process (search, redaction, pseudonyms):
    loading its dictionaries takes a while and some tens of MB, so it is made once."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")
