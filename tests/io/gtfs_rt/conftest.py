"""The Astana day, plain, with a track blockage, with a station closed, with short turns, and
with two trips cancelled, built once for the GTFS-Realtime tests, with its static gtfs.zip
written to a temporary folder and read back as tables."""

from __future__ import annotations

import pytest
from rt_support import (
    CANCEL_AT_S,
    CLOSURE,
    INCIDENT,
    SHORT_TURN_BLOCKAGE,
    SHORT_TURN_CROSSOVERS,
    Case,
    cancel_trips,
    make_case,
    trips_to_cancel,
)

from lrtsim.model.load import load_scenario
from lrtsim.pipeline import configure, run_pipeline


@pytest.fixture(scope="package")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Case:
    run = run_pipeline(configure(load_scenario("astana"), []))
    return make_case(run, tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="package")
def blocked(tmp_path_factory: pytest.TempPathFactory) -> Case:
    run = run_pipeline(configure(load_scenario("astana"), [INCIDENT]))
    return make_case(run, tmp_path_factory.mktemp("blocked"))


@pytest.fixture(params=["plain", "blocked"], scope="package")
def case(request: pytest.FixtureRequest) -> Case:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.fixture(scope="package")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """Baiterek closed to up trains for 20 min: the trains pass it without stopping."""
    run = run_pipeline(configure(load_scenario("astana"), [CLOSURE]))
    return make_case(run, tmp_path_factory.mktemp("closed"))


@pytest.fixture(scope="package")
def turned(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """A 40 min blockage the control turns trains short of, at two added crossovers: trips end
    early, and the turned trains' next trips begin mid-line."""
    sc = load_scenario("astana")
    ops = sc.operations
    ctl = ops.control.model_copy(update={"crossovers": SHORT_TURN_CROSSOVERS})
    sc = sc.model_copy(update={"operations": ops.model_copy(update={"control": ctl})})
    run = run_pipeline(configure(sc, [SHORT_TURN_BLOCKAGE], control="short_turn"))
    return make_case(run, tmp_path_factory.mktemp("turned"))


@pytest.fixture(scope="package")
def cancelled(plain: Case) -> Case:
    """The plain day with two trips around 08:20 not operated (`rt_support.cancel_trips`)."""
    live = cancel_trips(plain.live, trips_to_cancel(plain.live, CANCEL_AT_S))
    return Case(run=plain.run, live=live, zip_path=plain.zip_path, tables=plain.tables)
