"""Import side, step 6: the curves of the shape as scenario curves, on line km.

`lrtsim.model.geometry.detect_curves` finds the curves of the shape polyline; they are mapped to
line km, clipped to the stations, and adjusted for radii the schema or physics cannot take.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrtsim.io.gtfs.chainage import Chainage, Shape
from lrtsim.model.geometry import detect_curves

KINK_RADIUS_M = 20.0
"""Detected radii below this are digitising kinks of the shape, not track: no light-rail vehicle
negotiates less than about 25 m (Siemens S70/S700: 25 m minimum radius)."""

SCHEMA_MIN_RADIUS_M = 50.0
"""Smallest radius a scenario accepts (`Curve.radius_m`); tighter real curves are entered at this
radius, which makes their speed limit a little too high (the minimum time stays a lower bound)."""

STREET_CURVE_RADIUS_M = 100.0
"""Curves tighter than this are taken as street-running corners or tight embedded curves, laid
without cant (ESTIMATE: embedded track is rarely superelevated); wider ones use the line's cant."""


def scenario_curves(
    shape: Shape, chainage: Chainage, last_km: float
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Curves of the shape as scenario tables, with a comment for each and notes.

    Detected radii below `KINK_RADIUS_M` are dropped (digitising kinks); radii between that and
    the schema's 50 m floor are entered at 50 m; curves tighter than `STREET_CURVE_RADIUS_M` get
    no cant. Curves are clipped to the stations and trimmed apart where their estimated arcs
    overlap.
    """
    notes: list[str] = []
    found = detect_curves(shape.track)
    kinks = [c for c in found if c.radius_m < KINK_RADIUS_M]
    items: list[tuple[float, float, float, float]] = []
    for c in found:
        if c.radius_m < KINK_RADIUS_M:
            continue
        ends = chainage.shape_to_line_m(np.array([c.from_m, c.to_m])) / 1000.0
        lo, hi = max(float(ends[0]), 0.0), min(float(ends[1]), last_km)
        if hi > lo:
            items.append((lo, hi, c.radius_m, c.angle_deg))
    items.sort()
    for i in range(1, len(items)):
        prev, cur = items[i - 1], items[i]
        if cur[0] < prev[1]:
            mid = 0.5 * (cur[0] + prev[1])
            items[i - 1] = (prev[0], mid, prev[2], prev[3])
            items[i] = (mid, cur[1], cur[2], cur[3])
    if kinks:
        notes.append(
            f"{len(kinks)} bend(s) of the shape with radius under {KINK_RADIUS_M:g} m "
            f"(tightest {min(c.radius_m for c in kinks):.0f} m) were taken as digitising kinks "
            "and dropped"
        )
    curves: list[dict[str, Any]] = []
    comments: list[str] = []
    raised = 0
    for lo, hi, radius, angle in items:
        from_km, to_km = round(lo, 3), round(hi, 3)
        if to_km <= from_km:
            continue
        entry: dict[str, Any] = {"from_km": from_km, "to_km": to_km}
        r = max(round(radius), int(SCHEMA_MIN_RADIUS_M))
        entry["radius_m"] = r
        note = f"{angle:.0f}° bend"
        if radius < SCHEMA_MIN_RADIUS_M:
            raised += 1
            note += f", detected R ≈ {radius:.0f} m, entered at the schema's {r} m floor"
        if radius < STREET_CURVE_RADIUS_M:
            entry["cant_mm"] = 0
            note += ", no cant (street-running or tight embedded curve)"
        curves.append(entry)
        comments.append(note)
    if raised:
        notes.append(
            f"{raised} curve(s) tighter than {SCHEMA_MIN_RADIUS_M:g} m were entered at "
            f"{SCHEMA_MIN_RADIUS_M:g} m (the scenario's floor), so their speed limit is a little "
            "high"
        )
    return curves, comments, notes
