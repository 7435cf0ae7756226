"""The fit against schedules lrtsim wrote itself from known zones (`calibration_support`), and
against the closed form of a trapezoidal run."""

from __future__ import annotations

import math

import pytest
from calibration_support import DWELL_S, STATION_KM, TRUE_ZONES_KMH, bare, schedule_of, truth

from lrtsim.calibration.fit import TOLERANCE_PCT, fit_schedule
from lrtsim.calibration.schedule import DirectionSchedule
from lrtsim.calibration.zones import MIN_ZONE_KMH
from lrtsim.dynamics.runtime import running_times
from lrtsim.errors import LrtsimError
from lrtsim.model.load import scenario_from_dict


@pytest.mark.parametrize("allowance", [0.0, 3.0])
def test_the_fit_recovers_the_true_zones_and_times(allowance: float) -> None:
    schedule = schedule_of(truth(allowance))
    fit = fit_schedule(bare(allowance), schedule)
    assert fit.allowance_pct == allowance
    assert {z.segment for z in fit.zones} == set(TRUE_ZONES_KMH)
    for zone in fit.zones:
        assert zone.kmh == pytest.approx(TRUE_ZONES_KMH[zone.segment], abs=0.3)
        assert (zone.from_km, zone.to_km) == (
            STATION_KM[zone.segment],
            STATION_KM[zone.segment + 1],
        )
    assert fit.worst_error_pct <= 0.2
    assert abs(fit.end_to_end_error_pct) <= 0.05
    before = [g.before_s for g in fit.segments]
    assert before == pytest.approx(
        [
            g.run_time_s
            for g in running_times(bare(allowance), ("up",), load=0.5, allowance_pct=allowance)[
                0
            ].profile.segments
        ]
    )


def test_with_a_large_allowance_the_times_still_match() -> None:
    schedule = schedule_of(truth(6.0))
    fit = fit_schedule(bare(6.0), schedule)
    assert fit.allowance_pct == 6.0
    assert fit.worst_error_pct <= TOLERANCE_PCT
    # Coasting can trade with a zone here, so only the slow zones are pinned down.
    speeds = {z.segment: z.kmh for z in fit.zones}
    for segment in (0, 1, 2):
        assert speeds[segment] == pytest.approx(TRUE_ZONES_KMH[segment], abs=0.5)


def test_the_calibrated_run_is_what_the_planner_runs() -> None:
    """The rows are the calibrated scenario's own driven run: nothing is kept from the search."""
    fit = fit_schedule(bare(3.0), schedule_of(truth(3.0)))
    run = running_times(
        fit.scenario, ("up",), load=0.5, allowance_pct=fit.scenario.service.allowance_pct
    )[0]
    assert [g.calibrated_s for g in fit.segments] == [g.run_time_s for g in run.profile.segments]
    assert scenario_from_dict(fit.scenario.model_dump(by_alias=True)) == fit.scenario
    limits = fit.scenario.line.speed_limits
    assert [(z.from_km, z.to_km, z.kmh) for z in limits] == [
        (z.from_km, z.to_km, z.kmh) for z in fit.zones
    ]


def test_a_segment_scheduled_too_fast_gets_no_zone_and_is_reported() -> None:
    schedule = schedule_of(truth(0.0))
    flat = running_times(bare(0.0), ("up",), load=0.5)[0].profile.segments
    fast = list(schedule.run_s)
    fast[3] = 0.9 * flat[3].run_time_s  # segment 3 runs free in the truth: now below flat out
    fit = fit_schedule(bare(0.0), DirectionSchedule("up", tuple(fast), schedule.dwell_s))
    assert 3 not in {z.segment for z in fit.zones}
    # It runs as in the truth (held behind segment 2's zone for a train length), unrestricted.
    truth_s = float(schedule.run_s[3] or 0.0)
    assert fit.segments[3].error_pct == pytest.approx(100 * (truth_s / fast[3] - 1), abs=0.3)
    assert any("faster than lrtsim's flat-out minimum" in n and "S3 → S4" in n for n in fit.notes)
    others = [abs(g.error_pct or 0.0) for i, g in enumerate(fit.segments) if i != 3]
    assert max(others) <= 0.2


def test_segments_scheduled_at_their_unrestricted_time_get_no_zone() -> None:
    fit = fit_schedule(bare(0.0), schedule_of(bare(0.0)))
    assert fit.zones == ()
    assert fit.worst_error_pct == pytest.approx(0.0, abs=1e-9)
    assert any("no restriction" in n for n in fit.notes)


@pytest.mark.parametrize("true_allowance", [1.0, 4.0])
def test_an_allowance_the_schedule_cannot_hold_is_lowered_to_the_true_one(
    true_allowance: float,
) -> None:
    """The truth runs free on segments 3 and 5; a larger allowance spent coasting there would
    make them slower than scheduled, so the fit comes back down to about the truth's."""
    schedule = schedule_of(truth(true_allowance))
    fit = fit_schedule(bare(8.0), schedule)
    assert true_allowance <= fit.allowance_pct <= true_allowance + 0.2
    assert fit.requested_allowance_pct == 8.0
    assert fit.scenario.service.allowance_pct == fit.allowance_pct
    assert fit.worst_error_pct <= TOLERANCE_PCT
    assert any("allowance lowered from 8 %" in n for n in fit.notes)

    kept = fit_schedule(bare(8.0), schedule, keep_allowance=True)
    assert kept.allowance_pct == 8.0
    assert kept.worst_error_pct > 2.0
    slow = {i for i, g in enumerate(kept.segments) if (g.error_pct or 0.0) > TOLERANCE_PCT}
    assert slow <= {3, 5}
    assert any("kept as asked" in n for n in kept.notes)


def test_published_dwells_go_to_the_stations() -> None:
    schedule = schedule_of(truth(0.0))
    start = bare(0.0)
    stations = [s.model_copy(update={"dwell_s": None}) for s in start.line.stations]
    start = start.model_copy(update={"line": start.line.model_copy(update={"stations": stations})})
    fit = fit_schedule(start, schedule)
    assert [s.dwell_s for s in fit.scenario.line.stations] == list(DWELL_S)
    assert fit.scenario.service.dwell.base_s == min(d for d in DWELL_S if d is not None)
    assert "at every intermediate station" in fit.notes[0]


def test_unpublished_dwells_are_inside_the_segment_times() -> None:
    """A feed with arrival = departure: each segment's time includes the dwell at its end."""
    run_s = schedule_of(truth(0.0)).run_s
    dwell = [d or 0.0 for d in DWELL_S]
    folded = tuple(
        t + (dwell[i + 1] if i + 1 < len(dwell) - 1 else 0.0) for i, t in enumerate(run_s)
    )
    schedule = DirectionSchedule("up", folded, (None,) * len(DWELL_S))
    fit = fit_schedule(bare(0.0), schedule)
    assert {z.segment for z in fit.zones} == set(TRUE_ZONES_KMH)
    for zone in fit.zones:
        assert zone.kmh == pytest.approx(TRUE_ZONES_KMH[zone.segment], abs=0.3)
    assert [g.includes_dwell_s for g in fit.segments] == [*dwell[1:-1], 0.0]
    assert fit.worst_error_pct <= 0.2
    assert "publishes no dwells" in fit.notes[0]


def test_the_fit_is_deterministic() -> None:
    schedule = schedule_of(truth(3.0))
    one, two = fit_schedule(bare(3.0), schedule), fit_schedule(bare(3.0), schedule)
    assert one.zones == two.zones
    assert one.segments == two.segments
    assert one.scenario == two.scenario


def test_a_one_segment_line_fits_the_trapezoidal_closed_form() -> None:
    """No resistance, constant rates, no allowance: t = d / v + v / 2 · (1 / a + 1 / b)."""
    raw = bare(0.0).model_dump(by_alias=True)
    raw["line"]["stations"] = [{"name": "A", "km": 0.0}, {"name": "B", "km": 1.5}]
    raw["line"]["curves"] = []
    raw["rolling_stock"].update(
        davis_a_kn=0.0, davis_b_kn_per_kmh=0.0, davis_c_kn_per_kmh2=0.0,
        max_tractive_effort_kn=1000.0, max_power_kw=50_000.0, max_accel_mps2=1.0,
        service_brake_mps2=0.8,
    )  # fmt: skip
    scenario = scenario_from_dict(raw)
    d, a, b, t = 1500.0, 1.0, 0.8, 150.0
    k = 0.5 * (1 / a + 1 / b)
    v = (t - math.sqrt(t * t - 4 * k * d)) / (2 * k)  # the lower root: the cruising run
    fit = fit_schedule(scenario, DirectionSchedule("up", (t,), (None, None)))
    assert fit.zones[0].kmh == pytest.approx(v * 3.6, abs=0.02)
    assert fit.segments[0].calibrated_s == pytest.approx(t, abs=0.05)


def test_a_schedule_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(LrtsimError, match="segment times"):
        fit_schedule(bare(0.0), DirectionSchedule("up", (60.0, 60.0), (None, None, None)))


def test_a_segment_no_zone_can_slow_enough_leaves_the_rest_fitted() -> None:
    """Standing time in a running time (600 s over 400 m, under the 5 km/h floor): that segment
    is missed and said to be; the others still fit (the search does not stall on it)."""
    schedule = schedule_of(truth(3.0))
    held = list(schedule.run_s)
    held[1] = 600.0
    fit = fit_schedule(bare(3.0), DirectionSchedule("up", tuple(held), schedule.dwell_s))
    assert fit.segments[1].zone_kmh == MIN_ZONE_KMH
    assert (fit.segments[1].error_pct or 0.0) < -30.0
    assert any("miss their schedule" in n and "S1 → S2" in n for n in fit.notes)
    # The floor zone holds the next segment's first train length at 5 km/h too: that one is
    # slower than scheduled whatever its zone; every other segment fits.
    others = [abs(g.error_pct or 0.0) for i, g in enumerate(fit.segments) if i not in (1, 2)]
    assert max(others) <= TOLERANCE_PCT
    assert (fit.segments[2].error_pct or 0.0) > 0
