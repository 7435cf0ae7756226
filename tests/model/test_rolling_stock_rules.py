"""Cross-value rules of [rolling_stock]: a train must carry someone."""

from __future__ import annotations

from pathlib import Path

import pytest

from lrtsim.errors import ScenarioError
from lrtsim.model.load import embedded_text, scenario_from_toml
from support.cli import run_cli
from support.scenarios import replaced


def _without_places(text: str) -> str:
    return replaced(
        text, ("seats = 144", "seats = 0"), ("standing_area_m2 = 84", "standing_area_m2 = 0")
    )


def test_a_train_with_no_places_is_refused() -> None:
    text = _without_places(embedded_text("astana"))
    assert "seats = 0" in text
    assert "standing_area_m2 = 0" in text
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml(text, "no-places.toml")
    assert any(p.startswith("rolling_stock.seats:") for p in info.value.problems)
    assert "carries nobody" in str(info.value)


def test_the_rule_holds_beside_other_structural_errors() -> None:
    """A structural error in another section does not hide it (all problems at once)."""
    text = _without_places(embedded_text("astana")).replace(
        "max_speed_kmh = 80\n\n# Chainage", 'max_speed_kmh = "fast"\n\n# Chainage'
    )
    assert 'max_speed_kmh = "fast"' in text
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml(text, "two-problems.toml")
    paths = [p.split(":")[0] for p in info.value.problems]
    assert "line.max_speed_kmh" in paths
    assert "rolling_stock.seats" in paths


def test_plan_on_a_train_with_no_places_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "no-places.toml"
    path.write_text(_without_places(embedded_text("astana")), encoding="utf-8")
    done = run_cli(["plan", str(path), "--out", str(tmp_path / "out")], tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "carries nobody" in done.stderr
    assert not (tmp_path / "out").exists()
