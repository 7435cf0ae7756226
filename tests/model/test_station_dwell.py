"""The one rule for a station's own dwell: its `dwell_s`, else `service.dwell.base_s`."""

from __future__ import annotations

from lrtsim.model.load import load_scenario
from lrtsim.model.schema import DwellModel, Station, station_dwell_s


def test_own_dwell_else_the_base() -> None:
    model = DwellModel(base_s=22.0)
    assert station_dwell_s(Station(name="A", km=0.0), model) == 22.0
    assert station_dwell_s(Station(name="B", km=1.0, dwell_s=40.0), model) == 40.0
    # A dwell of 0 is a dwell, not a missing one.
    assert station_dwell_s(Station(name="C", km=2.0, dwell_s=0.0), model) == 0.0


def test_astana_dwells() -> None:
    """25 s everywhere but the four largest attractors, 30 s (the scenario's comment)."""
    scenario = load_scenario("astana")
    dwells = [station_dwell_s(s, scenario.service.dwell) for s in scenario.line.stations]
    assert sorted(set(dwells)) == [25.0, 30.0]
    assert dwells.count(30.0) == 4
