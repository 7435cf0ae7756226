"""Hourly shares of a day's boardings: given in the scenario or a named preset."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lrtsim.model.schema import Demand

FloatArray = npt.NDArray[np.float64]

_WEEKDAY_TWO_PEAKS = (
    0.3, 0.1, 0.0, 0.0, 0.2, 1.2, 4.0, 9.0, 10.0, 6.5, 5.0, 5.0,
    5.5, 5.5, 5.5, 6.0, 7.5, 9.5, 8.5, 5.5, 3.8, 2.8, 1.8, 0.8,
)  # fmt: skip
"""Per cent of daily boardings by hour (00:00 first): a weekday of an urban rail line with a
morning peak at 08–09 (10 %) and a broader evening peak at 17–18 (9.5 %); the shape of published
weekday profiles of metros and light rail (e.g. TCRP Report 165, ch. 3, peak-hour shares of
8–12 % of daily ridership)."""

_FLAT = tuple(1.0 if 6 <= h < 23 else 0.0 for h in range(24))
"""Equal shares over 06:00–23:00, none at night."""

PRESETS: dict[str, tuple[float, ...]] = {
    "weekday_two_peaks": _WEEKDAY_TWO_PEAKS,
    "flat": _FLAT,
}


def hourly_shares(demand: Demand) -> FloatArray:
    """24 shares summing to 1, hour 0 being 00:00–01:00."""
    raw = (
        PRESETS[demand.hourly_profile]
        if isinstance(demand.hourly_profile, str)
        else (demand.hourly_profile)
    )
    values = np.asarray(raw, dtype=np.float64)
    return np.asarray(values / values.sum())
