"""Incidents acting on the simulated Astana weekday: a 20-minute blockage in the morning peak
delays passengers, and no train enters the blocked section while it is blocked; a closed
station sees no train stop and nobody board or alight while it is closed.

EXPECTED TO FAIL until the simulation applies `operations.incidents` (being implemented now):
today `simulate_day` ignores them, so the blocked day is the undisturbed day (a delay of
exactly 0 passenger-hours) and its trains run through the blockage and stop at the closed
station. Only `test_incident_days_keep_every_other_invariant` passes today, and must go on
passing once incidents act.
"""

from __future__ import annotations

import pytest
from day_cases import astana_case

from lrtsim.metrics.journeys import delay
from lrtsim.model.incidents import with_incidents
from lrtsim.model.schema import Scenario
from lrtsim.planning.plan import ServicePlan
from lrtsim.simulation.day import DayResult, simulate_day
from support.day_invariants import check_blocked_track, check_closed_stations, check_day

SEED = 1
BLOCKAGE = "08:00,track_blocked,Syganak,Baiterek,20"
"""Both tracks between two central stations, 08:00–08:20: the morning peak (07:00–10:00,
a train every 5 minutes or less), so four or more trains each way are held."""
CLOSURE = "08:00,station_closed,Baiterek,20"


@pytest.fixture(scope="module")
def reference(astana_weekday: tuple[Scenario, ServicePlan]) -> DayResult:
    scenario, plan = astana_weekday
    return astana_case("astana weekday, seed 1", scenario, plan).day


def _with(astana_weekday: tuple[Scenario, ServicePlan], text: str) -> tuple[Scenario, DayResult]:
    scenario, plan = astana_weekday
    disturbed = with_incidents(scenario, [text])
    return disturbed, simulate_day(plan, disturbed, SEED)


@pytest.fixture(scope="module")
def blocked(astana_weekday: tuple[Scenario, ServicePlan]) -> tuple[Scenario, DayResult]:
    return _with(astana_weekday, BLOCKAGE)


@pytest.fixture(scope="module")
def closed(astana_weekday: tuple[Scenario, ServicePlan]) -> tuple[Scenario, DayResult]:
    return _with(astana_weekday, CLOSURE)


# EXPECTED TO FAIL until incidents land in the simulation (delay is exactly 0 today).
def test_a_20_minute_peak_blockage_delays_passengers(
    blocked: tuple[Scenario, DayResult], reference: DayResult
) -> None:
    """Against the same seed's undisturbed day (the same passengers), the blocked day costs
    a strictly positive net delay, and someone is late."""
    _, day = blocked
    late = delay(day.passengers, reference.passengers)
    assert late.compared > 0.9 * len(reference.passengers)
    assert late.late_passenger_hours > 0.0, late
    assert late.passenger_hours > 0.0, late


# EXPECTED TO FAIL until incidents land in the simulation (trains run through it today).
def test_no_train_enters_the_blocked_section(blocked: tuple[Scenario, DayResult]) -> None:
    scenario, day = blocked
    check_blocked_track(day.stop_times, scenario.operations.incidents)


# EXPECTED TO FAIL until incidents land in the simulation (trains stop there today).
def test_no_train_serves_the_closed_station(closed: tuple[Scenario, DayResult]) -> None:
    scenario, day = closed
    check_closed_stations(day.stop_visits, day.passengers, scenario.operations.incidents)


def test_incident_days_keep_every_other_invariant(
    astana_weekday: tuple[Scenario, ServicePlan],
    blocked: tuple[Scenario, DayResult],
    closed: tuple[Scenario, DayResult],
) -> None:
    """Passengers conserved, loads within capacity, train events in causal order, passengers
    where their trains stop: on the disturbed days too (their incidents' own rules are the
    tests above, so the days are checked against the scenario without them)."""
    undisturbed, _ = astana_weekday
    for _, day in (blocked, closed):
        check_day(day, undisturbed)
