"""Shipped vehicles: the data file loads from the package, every value has its reason."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from lrtsim.model.schema import RollingStock
from lrtsim.model.vehicle_data import DEFAULT_VEHICLE, key_comments, vehicle_data, vehicle_names

REPO = Path(__file__).resolve().parents[2]


def test_the_default_vehicle_loads_from_the_package_as_valid_rolling_stock() -> None:
    assert DEFAULT_VEHICLE in vehicle_names()
    vehicle = vehicle_data()
    assert vehicle.name == DEFAULT_VEHICLE
    assert vehicle.description.startswith("A 2-car low-floor LRV of the Siemens S70 class.")
    stock = RollingStock.model_validate(vehicle.rolling_stock())
    assert stock.max_speed_kmh == 88.5
    assert stock.length_m == 58.2
    assert all(v.reason for v in vehicle.values)
    shipped = resources.files("lrtsim.model") / "vehicles" / f"{DEFAULT_VEHICLE}.toml"
    assert vehicle.rolling_stock() == tomllib.loads(shipped.read_text("utf-8"))


def test_every_shipped_data_file_is_package_data() -> None:
    """A file that no package-data pattern names would be missing from an installed lrtsim."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["lrtsim"]
    package = REPO / "src" / "lrtsim"
    for folder in ("model/vehicles", "model/scenarios"):
        files = sorted((package / folder).glob("*.toml"))
        assert files, folder
        for path in files:
            relative = path.relative_to(package).as_posix()
            assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_comments_above_a_key_are_its_reason() -> None:
    text = (
        "# The vehicle,\n# described.\n\n# a note for maintainers\n\n"
        "# first line\n#\n# second line\nlength_m = 30.0\n\nseats = 60  # trailing, not a reason\n"
        "# after a blank line\n\nmass_t = 40\n"
    )
    description, reasons = key_comments(text)
    assert description == "The vehicle, described."
    assert reasons == {"length_m": "first line second line", "seats": "", "mass_t": ""}


def test_an_unknown_vehicle_is_refused() -> None:
    with pytest.raises(ValueError, match="no vehicle 'tram-9000'"):
        vehicle_data("tram-9000")
