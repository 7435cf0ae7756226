"""Hourly profiles, the Astana OD matrices and the loads they put on the line.

Link loads are recomputed here by brute force over OD pairs: a trip i → j with i < j loads the
up links i … j−1; with i > j the down links j … i−1.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtsim.demand.loads import LineLoads, line_loads
from lrtsim.demand.od import OdMatrix, build_od
from lrtsim.demand.profile import PRESETS, hourly_shares
from lrtsim.errors import LrtsimError
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Demand, Scenario

ASTANA_DAILY = 90_000.0
"""[demand] daily_boardings of the embedded Astana scenario."""


# --------------------------------------------------------------------------------- profiles
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_have_24_hours_and_sum_to_one(name: str) -> None:
    assert len(PRESETS[name]) == 24
    assert all(v >= 0 for v in PRESETS[name])
    shares = hourly_shares(Demand(hourly_profile=name))
    assert shares.shape == (24,)
    assert shares.sum() == pytest.approx(1.0, abs=1e-12)
    assert (shares >= 0).all()


def test_weekday_preset_peaks_in_the_morning_and_the_evening() -> None:
    shares = hourly_shares(Demand(hourly_profile="weekday_two_peaks"))
    morning = int(np.argmax(shares[:12]))
    evening = 12 + int(np.argmax(shares[12:]))
    assert 7 <= morning <= 9
    assert 16 <= evening <= 19
    assert shares[2] == 0.0


def test_flat_preset_is_even_over_06_to_23() -> None:
    shares = hourly_shares(Demand(hourly_profile="flat"))
    expected = np.array([1 / 17 if 6 <= h < 23 else 0.0 for h in range(24)])
    np.testing.assert_allclose(shares, expected, atol=1e-15)


def test_custom_profile_is_normalised() -> None:
    raw = [float(h % 5) for h in range(24)]  # total 46
    shares = hourly_shares(Demand(hourly_profile=raw))
    np.testing.assert_allclose(shares, np.array(raw) / 46.0, rtol=1e-12)
    assert shares.sum() == pytest.approx(1.0)


def test_default_profile_is_the_weekday_preset() -> None:
    np.testing.assert_array_equal(
        hourly_shares(Demand()), hourly_shares(Demand(hourly_profile="weekday_two_peaks"))
    )


# ------------------------------------------------------------------------------------- OD
def astana_time_s(scenario: Scenario) -> np.ndarray:
    """In-vehicle seconds between stations at 36 km/h plus 25 s a stop in between."""
    km = np.array([s.km for s in scenario.line.stations])
    n = len(km)
    idx = np.arange(n)
    stops = np.maximum(np.abs(idx[:, None] - idx[None, :]) - 1, 0)
    return np.abs(km[:, None] - km[None, :]) * 100.0 + 25.0 * stops


@pytest.fixture(scope="module")
def astana() -> Scenario:
    return load_scenario("astana")


@pytest.fixture(scope="module")
def astana_od(astana: Scenario) -> OdMatrix:
    return build_od(astana, astana_time_s(astana))


def test_astana_od_total_is_the_daily_boardings(astana: Scenario, astana_od: OdMatrix) -> None:
    assert astana.demand.daily_boardings == ASTANA_DAILY
    assert astana_od.total == pytest.approx(ASTANA_DAILY, rel=1e-9)
    assert astana_od.trips.shape == (24, 18, 18)
    assert astana_od.stations == tuple(s.name for s in astana.line.stations)
    assert (astana_od.trips >= 0).all()
    assert np.all(np.einsum("hii->hi", astana_od.trips) == 0.0)


def test_astana_daily_matrix_follows_the_weights(astana: Scenario, astana_od: OdMatrix) -> None:
    names = astana_od.stations
    weight = {w.station: w for w in astana.demand.weights}
    p = np.array([weight[s].production if s in weight else 1.0 for s in names])
    a = np.array([weight[s].attraction if s in weight else 1.0 for s in names])
    np.testing.assert_allclose(astana_od.daily.sum(axis=1), ASTANA_DAILY * p / p.sum(), rtol=1e-6)
    np.testing.assert_allclose(astana_od.daily.sum(axis=0), ASTANA_DAILY * a / a.sum(), rtol=1e-6)


def test_astana_morning_is_the_daily_matrix_afternoon_its_transpose(
    astana: Scenario, astana_od: OdMatrix
) -> None:
    daily = astana_od.daily
    shares = hourly_shares(astana.demand)
    for hour in range(24):
        expected = daily if hour < 12 else daily.T
        np.testing.assert_allclose(
            astana_od.trips[hour], shares[hour] * expected, rtol=1e-12, atol=1e-12
        )
    # The morning is not symmetric (homes → activities), so the transpose is a real change.
    assert np.abs(daily - daily.T).max() > 1.0


def test_astana_boardings_equal_alightings_over_the_day(astana_od: OdMatrix) -> None:
    loads = line_loads(astana_od)
    for board, alight in (
        (loads.boardings_in("up"), loads.alightings_in("up")),
        (loads.boardings_in("down"), loads.alightings_in("down")),
        (loads.boardings, loads.alightings),
    ):
        assert board.sum() == pytest.approx(alight.sum(), rel=1e-9)
    assert loads.boardings.sum() == pytest.approx(ASTANA_DAILY, rel=1e-9)
    # No one boards up at the last station or down at the first.
    assert np.all(loads.boardings_in("up")[:, -1] == 0.0)
    assert np.all(loads.alightings_in("up")[:, 0] == 0.0)
    assert np.all(loads.boardings_in("down")[:, 0] == 0.0)
    assert np.all(loads.alightings_in("down")[:, -1] == 0.0)
    # Every link is empty beyond the ends of the line: up link 0 carries the first station's
    # boardings, the last up link the last station's alightings.
    up_link = loads.link_in("up")
    np.testing.assert_allclose(up_link[:, 0], loads.boardings_in("up")[:, 0], rtol=1e-9)
    np.testing.assert_allclose(up_link[:, -1], loads.alightings_in("up")[:, -1], rtol=1e-9)


def test_zero_daily_boardings_give_an_empty_day(astana: Scenario) -> None:
    data = astana.model_dump(by_alias=True)
    data["demand"]["daily_boardings"] = 0.0
    od = build_od(Scenario.model_validate(data), astana_time_s(astana))
    assert od.total == 0.0
    assert line_loads(od).peak()[3] == 0.0


def test_given_daily_matrix_is_scaled_to_the_daily_boardings(astana: Scenario) -> None:
    n = len(astana.line.stations)
    matrix = np.ones((n, n)) - np.eye(n)
    od = build_od(astana, astana_time_s(astana), matrix)
    np.testing.assert_allclose(od.daily, matrix * ASTANA_DAILY / (n * (n - 1)), rtol=1e-12)
    with pytest.raises(LrtsimError, match="18 stations"):
        build_od(astana, astana_time_s(astana), np.ones((3, 3)))


def test_all_zero_weights_raise(astana: Scenario) -> None:
    data = astana.model_dump(by_alias=True)
    data["demand"]["weights"] = [
        {"station": s.name, "production": 0.0, "attraction": 1.0} for s in astana.line.stations
    ]
    with pytest.raises(LrtsimError, match="must not all be zero"):
        build_od(Scenario.model_validate(data), astana_time_s(astana))


# ---------------------------------------------------------------------------------- loads
def brute_force(trips: np.ndarray) -> dict[str, np.ndarray]:
    hours, n, _ = trips.shape
    out = {
        name: np.zeros((hours, size))
        for name, size in (
            ("link_up", n - 1),
            ("link_down", n - 1),
            ("boardings_up", n),
            ("alightings_up", n),
            ("boardings_down", n),
            ("alightings_down", n),
        )
    }
    for h in range(hours):
        for i in range(n):
            for j in range(n):
                v = trips[h, i, j]
                if i < j:
                    out["boardings_up"][h, i] += v
                    out["alightings_up"][h, j] += v
                    for k in range(i, j):
                        out["link_up"][h, k] += v
                elif i > j:
                    out["boardings_down"][h, i] += v
                    out["alightings_down"][h, j] += v
                    for k in range(j, i):
                        out["link_down"][h, k] += v
    return out


def assert_loads_match(loads: LineLoads, trips: np.ndarray) -> None:
    expected = brute_force(trips)
    by = {"link": loads.link_in, "boardings": loads.boardings_in, "alightings": loads.alightings_in}
    for name, values in expected.items():
        quantity, direction = name.rsplit("_", 1)
        np.testing.assert_allclose(by[quantity](direction), values, rtol=1e-9, atol=1e-9)


def test_astana_link_loads_by_brute_force(astana_od: OdMatrix) -> None:
    assert_loads_match(line_loads(astana_od), astana_od.trips)


@st.composite
def random_od(draw: st.DrawFn) -> OdMatrix:
    n = draw(st.integers(min_value=2, max_value=6))
    hours = 24
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    trips = rng.uniform(0.0, 100.0, size=(hours, n, n))
    trips[rng.uniform(size=trips.shape) < 0.3] = 0.0
    return OdMatrix(stations=tuple(f"S{i}" for i in range(n)), trips=trips, daily=trips.sum(axis=0))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_od())
def test_random_link_loads_by_brute_force(od: OdMatrix) -> None:
    loads = line_loads(od)
    assert_loads_match(loads, od.trips)
    hour, direction, link, load = loads.peak()
    assert load == pytest.approx(max(loads.link_in("up").max(), loads.link_in("down").max()))
    assert loads.link_in(direction)[hour, link] == load


def test_peak_picks_the_down_direction_when_it_is_heavier() -> None:
    trips = np.zeros((24, 3, 3))
    trips[8, 0, 2] = 100.0  # up, links 0 and 1
    trips[17, 2, 1] = 250.0  # down, link 1
    trips[17, 1, 0] = 30.0  # down, link 0
    loads = line_loads(OdMatrix(("A", "B", "C"), trips, trips.sum(axis=0)))
    assert loads.peak() == (17, "down", 1, 250.0)
    trips[8, 0, 1] = 200.0  # up link 0 now carries 300
    loads = line_loads(OdMatrix(("A", "B", "C"), trips, trips.sum(axis=0)))
    assert loads.peak() == (8, "up", 0, 300.0)


def test_load_on_arrival_is_the_link_run_into_each_station() -> None:
    trips = np.zeros((24, 3, 3))
    trips[8, 0, 2] = 100.0  # up over links 0 and 1
    trips[8, 1, 2] = 20.0  # up over link 1
    trips[8, 2, 0] = 50.0  # down over links 1 and 0
    loads = line_loads(OdMatrix(("A", "B", "C"), trips, trips.sum(axis=0)))
    # Stations in line order: up trains arrive at A on nothing, at B on link 0, at C on link 1;
    # down trains at C on nothing, at B on link 1, at A on link 0.
    np.testing.assert_array_equal(loads.on_arrival_in("up")[8], [0.0, 100.0, 120.0])
    np.testing.assert_array_equal(loads.on_arrival_in("down")[8], [50.0, 50.0, 0.0])


def test_loads_are_read_only_and_leave_the_matrix_writable() -> None:
    trips = np.ones((24, 3, 3))
    od = OdMatrix(("A", "B", "C"), trips, trips.sum(axis=0))
    loads = line_loads(od)
    for array in (loads.directional_boardings, loads.link_loads, loads.boardings_in("up")):
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        od.trips[0, 0, 0] = 2.0
    trips[0, 0, 0] = 2.0  # the caller's own array is not locked
