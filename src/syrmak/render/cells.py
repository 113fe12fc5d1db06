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


def round_half_up(value: float, decimals: int):
    """``value`` rounded as people round (2.5 -> 3), not to even: published tables must
    match a report computed by hand or in a spreadsheet."""
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def fmt_percent(value: float | None, decimals: int = 2, sign: bool = True) -> str:
    """``12.90%``, ``0%``, ``100%`` (of a 0-100 value): whole values lose their zeros, as
    in the reference report; "–" when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    d = round_half_up(value, decimals)
    text = f"{d:.{decimals}f}"
    if decimals and d == d.to_integral_value():
        text = f"{d:.0f}"
    return text + ("%" if sign else "")


def fmt_count(value: float | None, weighted: bool = False) -> str:
    """A count: whole, or with one decimal when weighted; "–" when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.1f}" if weighted else f"{int(round(value))}"
