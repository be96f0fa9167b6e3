"""Numbers and counts as people read them, the same on every page (templates have them as
the filters `lms_count`, `lms_hours`, `lms_number` and `lms_points`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 question", "2 questions", "0 questions"; `plural_form` for irregular words."""
    word = singular if count == 1 else plural_form or f"{singular}s"
    return f"{count:,} {word}"


def hours_number(hours: Decimal | int | float | str) -> str:
    """Hours (CE credit, study time) in one format everywhere: one decimal at least, more
    only when the value has them: 3 -> "3.0", 7.50 -> "7.5", 0.25 -> "0.25"."""
    number = Decimal(str(hours)).normalize()
    if number.as_tuple().exponent >= 0:  # type: ignore[operator]  # a whole number
        return f"{number:,.1f}"
    return f"{number:,f}"


def json_number(number: Decimal) -> int | float:
    """A decimal as JSON writes a number: 3.00 -> 3, 2.50 -> 2.5."""
    return int(number) if number == number.to_integral_value() else float(number)


def format_number(value: Any) -> str:
    """Points and scores: "6", "2.5" (no trailing zeros)."""
    return str(json_number(Decimal(str(value))))


def points_text(points: Decimal | int | float) -> str:
    """'1 point', '2 points', '2.5 points'."""
    text = format_number(points)
    return f"{text} point" if text == "1" else f"{text} points"
