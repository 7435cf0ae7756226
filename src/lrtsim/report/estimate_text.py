"""Numbers of a Monte Carlo experiment as the report writes them: an estimate to the precision
its interval supports, other values to a few significant figures, never in exponent form."""

from __future__ import annotations

import math


def significant(value: float, digits: int = 4) -> str:
    """`value` to `digits` significant figures, never in exponent form, whole from 10^digits
    ("52,350", "212.5", "0.01781"); "—" when it is not finite."""
    if not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    decimals = min(6, max(0, digits - 1 - math.floor(math.log10(abs(value)))))
    return f"{value:,.{decimals}f}"


def estimate_texts(value: float, low: float, high: float) -> tuple[str, str]:
    """('212.48', '212.13–212.83'): the value and its interval, both to the interval's
    precision (two significant figures of its half-width; three of the value when the
    interval is a point); "—" for what is not a number."""
    finite = math.isfinite(low) and math.isfinite(high)
    half = (high - low) / 2.0 if finite else 0.0
    if half > 0:
        decimals = min(6, max(0, 1 - math.floor(math.log10(half))))
    elif math.isfinite(value) and value != 0:
        decimals = min(6, max(0, 2 - math.floor(math.log10(abs(value)))))
    else:
        decimals = 0

    def number(x: float) -> str:
        return f"{x:,.{decimals}f}".replace("-", "−") if math.isfinite(x) else "—"

    return number(value), f"{number(low)}–{number(high)}" if finite else "—"
