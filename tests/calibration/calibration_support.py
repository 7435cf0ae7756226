"""A synthetic line whose "published schedule" lrtsim writes itself, from known speed zones.

The line has street-like short interstations and fast long ones, a curve, and a light-rail train
with running resistance and regenerative braking (so an allowance is driven by coasting). The
truth scenario adds speed restrictions over whole interstations; its driven run is the schedule a
calibration must reproduce, and its zone speeds are what the fit should recover.
"""

from __future__ import annotations

from typing import Any

from lrtsim.calibration.schedule import DirectionSchedule
from lrtsim.dynamics.runtime import running_times
from lrtsim.model.direction import Direction
from lrtsim.model.load import scenario_from_dict
from lrtsim.model.schema import Scenario

STATION_KM = (0.0, 0.35, 0.75, 1.2, 2.6, 4.4, 5.3, 7.1)
DWELL_S = (None, 30.0, 25.0, 40.0, 20.0, 25.0, 35.0, None)
TRUE_ZONES_KMH = {0: 22.0, 1: 26.0, 2: 18.0, 4: 55.0, 6: 47.0}
"""Line segment → km/h of the truth scenario (segments 3 and 5 run free)."""
LOAD = 0.5


def scenario_raw(allowance_pct: float = 0.0) -> dict[str, Any]:
    """The bare line (no restrictions) as a scenario dict."""
    return {
        "name": "synthetic-calibration",
        "line": {
            "name": "Synthetic",
            "max_speed_kmh": 80.0,
            "stations": [
                {"name": f"S{i}", "km": km, **({} if d is None else {"dwell_s": d})}
                for i, (km, d) in enumerate(zip(STATION_KM, DWELL_S, strict=True))
            ],
            "curves": [{"from_km": 4.6, "to_km": 4.9, "radius_m": 300.0}],
        },
        "rolling_stock": {
            "name": "LRV",
            "length_m": 40.0,
            "mass_t": 60.0,
            "max_speed_kmh": 80.0,
            "max_tractive_effort_kn": 110.0,
            "max_power_kw": 700.0,
            "max_accel_mps2": 1.2,
            "service_brake_mps2": 1.1,
            "davis_a_kn": 1.2,
            "davis_b_kn_per_kmh": 0.01,
            "davis_c_kn_per_kmh2": 0.0004,
            "seats": 80,
            "standing_area_m2": 40.0,
            "doors_per_side": 6,
            "regen_efficiency": 0.5,
        },
        "service": {"allowance_pct": allowance_pct},
    }


def bare(allowance_pct: float = 0.0, **service: Any) -> Scenario:
    """The line without any restriction (what calibration starts from)."""
    raw = scenario_raw(allowance_pct)
    raw["service"].update(service)
    return scenario_from_dict(raw)


def truth(allowance_pct: float = 0.0, zones: dict[int, float] | None = None) -> Scenario:
    """The line with the true restrictions, station km to station km."""
    raw = scenario_raw(allowance_pct)
    chosen = TRUE_ZONES_KMH if zones is None else zones
    raw["line"]["speed_limits"] = [
        {"from_km": STATION_KM[i], "to_km": STATION_KM[i + 1], "kmh": v}
        for i, v in sorted(chosen.items())
    ]
    return scenario_from_dict(raw)


def schedule_of(scenario: Scenario, direction: Direction = "up") -> DirectionSchedule:
    """The scenario's driven run (its own allowance, load 0.5) as a published schedule."""
    run = running_times(
        scenario, (direction,), load=LOAD, allowance_pct=scenario.service.allowance_pct
    )[0]
    dwell = DWELL_S if direction == "up" else DWELL_S[::-1]
    return DirectionSchedule(
        direction, tuple(g.run_time_s for g in run.profile.segments), tuple(dwell)
    )
