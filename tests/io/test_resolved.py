"""The resolved scenario a run writes: it loads back to an equal scenario, from any folder."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import numpy as np
import pytest

from lrtsim.io.od_csv import scenario_od_matrix
from lrtsim.io.resolved import resolved_dict, resolved_toml, scenario_hash
from lrtsim.model.load import embedded_text, load_scenario, scenario_from_toml
from lrtsim.pipeline import configure

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"


@pytest.mark.parametrize(
    ("incidents", "control"), [((), None), ((INCIDENT,), "holding"), ((INCIDENT,), "none")]
)
def test_the_resolved_scenario_loads_back_equal(
    incidents: tuple[str, ...], control: str | None
) -> None:
    scenario = configure(load_scenario("astana"), incidents, control)
    text = resolved_toml(scenario, "astana", "a header")
    assert scenario_from_toml(text) == scenario
    assert text.startswith("# a header\n")


def test_every_default_is_written_out() -> None:
    """Keys the embedded file leaves to their defaults are in the resolved file with them."""
    scenario = load_scenario("astana")
    given = tomllib.loads(embedded_text("astana"))
    written = tomllib.loads(resolved_toml(scenario, "astana", "h"))
    assert "signalling" in written
    assert written["service"]["dwell"] == scenario.service.dwell.model_dump()
    assert set(written["demand"]) >= set(given["demand"]) | {"gravity_beta"}
    assert written["seed"] == scenario.seed


def test_an_od_matrix_file_is_named_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [s.name for s in load_scenario("astana").line.stations]
    matrix = np.arange(len(names) ** 2, dtype=float).reshape(len(names), -1)
    np.fill_diagonal(matrix, 0.0)
    home = tmp_path / "study"
    home.mkdir()
    rows = ["," + ",".join(names)] + [
        n + "," + ",".join(f"{v:g}" for v in row) for n, row in zip(names, matrix, strict=True)
    ]
    (home / "od.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    text = embedded_text("astana").replace("[demand]\n", '[demand]\nod_matrix_csv = "od.csv"\n', 1)
    (home / "line.toml").write_text(text, encoding="utf-8")
    ref = str(home / "line.toml")
    scenario = load_scenario(ref)
    raw = resolved_dict(scenario, ref)
    assert Path(raw["demand"]["od_matrix_csv"]) == (home / "od.csv").resolve()
    elsewhere = tmp_path / "run"
    elsewhere.mkdir()
    (elsewhere / "scenario.toml").write_text(resolved_toml(scenario, ref, "h"), encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    again = load_scenario("scenario.toml")
    np.testing.assert_array_equal(
        scenario_od_matrix(again, "scenario.toml"), scenario_od_matrix(scenario, ref)
    )
    before = scenario_hash(scenario, ref)
    assert scenario_hash(again, "scenario.toml") == before
    (home / "od.csv").write_text("\n".join(rows).replace(",1,", ",2,", 1) + "\n", "utf-8")
    assert scenario_hash(scenario, ref) != before
    assert os.path.isabs(again.demand.od_matrix_csv or "")
