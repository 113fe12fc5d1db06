"""How one value is written in a table cell, for the terminal and the web pages alike."""

from __future__ import annotations

import math
from typing import Any


def missing(value: Any) -> bool:
    """None, NaN and pandas' NA/NaT: shown as a blank (or a dash), never as "nan"."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def percent(value: Any, digits: int = 0, *, proportion: bool = True, blank: str = "") -> str:
    """``0.425`` -> ``43%`` (``proportion=False``: ``42.5`` -> ``43%``); ``blank`` if missing
    or not a number."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return blank
    if math.isnan(x):
        return blank
    return f"{x * 100 if proportion else x:.{digits}f}%"


def number(value: Any, digits: int = 3, *, blank: str = "") -> str:
    """A number with ``digits`` decimals; anything else as its text; ``blank`` if missing."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return blank
    return f"{x:.{digits}f}"
