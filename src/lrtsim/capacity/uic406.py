"""Infrastructure occupancy by the compression method of UIC Code 406.

The trips of a period keep their order and their blocking-time stairways; each is moved as close
behind the one before as the blocks of the section allow (its minimum headway there). The
occupation time is from the first blocking to the last once compressed, and the occupancy is its
share of the period. UIC Code 406, *Capacity*, 1st ed. (2004) and 2nd ed. (2013); its recommended
maxima are 85 % in the peak hour and 70 % over the day for dedicated suburban passenger lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtsim.capacity.blocking import Stairway


@dataclass(frozen=True)
class Trip:
    """One train's path through a direction: its departure time and its stairway."""

    departure_s: float
    stairway: Stairway


@dataclass(frozen=True)
class Section:
    """A stretch of one direction, in the run's coordinate (usually stop to stop)."""

    name: str
    from_m: float
    to_m: float
    between: tuple[str, str] | None = None
    """The stations at its ends, in the direction of travel."""


@dataclass(frozen=True)
class Occupancy:
    """Compressed occupation of one section over the period."""

    section: str
    trips: int
    occupation_s: float
    period_s: float
    between: tuple[str, str] | None = None
    """The stations at the section's ends, in the direction of travel."""

    @property
    def share(self) -> float:
        """Occupation time / period (UIC 406 occupancy)."""
        return self.occupation_s / self.period_s


def occupancy(trips: list[Trip], sections: list[Section], period_s: float) -> list[Occupancy]:
    """UIC 406 occupancy of each section by `trips` (same direction, one stairway layout)."""
    if period_s <= 0:
        raise ValueError("the period must be positive")
    ordered = sorted(trips, key=lambda t: t.departure_s)
    out = []
    for section in sections:
        if not ordered:
            out.append(Occupancy(section.name, 0, 0.0, period_s, section.between))
            continue
        first = ordered[0].stairway
        mask = (first.from_m >= section.from_m - 1e-9) & (first.to_m <= section.to_m + 1e-9)
        mask &= ~np.isnan(first.end_s)
        if not mask.any():
            out.append(Occupancy(section.name, len(ordered), 0.0, period_s, section.between))
            continue
        start = [t.stairway.start_s[mask] for t in ordered]
        end = [t.stairway.end_s[mask] for t in ordered]
        offset = 0.0
        for k in range(1, len(ordered)):
            offset += float(np.max(end[k - 1] - start[k]))
        occupation = offset + float(np.max(end[-1])) - float(np.min(start[0]))
        out.append(Occupancy(section.name, len(ordered), occupation, period_s, section.between))
    return out
