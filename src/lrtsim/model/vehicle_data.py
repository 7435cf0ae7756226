"""Vehicles shipped with lrtsim (`model/vehicles/*.toml`): [rolling_stock] values with reasons.

A vehicle file is flat TOML: one key of `[rolling_stock]` per value, with the `#` lines directly
above a key as that value's reason (why this number, and its source). The comment block at the
top of the file, before the first blank line, describes the vehicle. Comments are read here
because `tomllib` drops them; a reason spread over several lines is joined with spaces.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

DEFAULT_VEHICLE = "siemens_s70_2car"
"""The vehicle a scenario imported from GTFS gets, since a feed has no vehicle data."""

_KEY = re.compile(r"^([A-Za-z0-9_-]+)\s*=")


@dataclass(frozen=True)
class VehicleValue:
    """One key of a vehicle, with the one-line reason for its value."""

    key: str
    value: float | int | str
    reason: str


@dataclass(frozen=True)
class VehicleData:
    """A shipped vehicle: its description and its values in file order."""

    name: str
    """The file's name without `.toml`."""
    description: str
    values: tuple[VehicleValue, ...]

    def rolling_stock(self) -> dict[str, float | int | str]:
        """The values as a `[rolling_stock]` table (key → value, in file order)."""
        return {v.key: v.value for v in self.values}


def vehicle_names() -> list[str]:
    """Names of the vehicles shipped inside the package."""
    folder = resources.files("lrtsim.model") / "vehicles"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def vehicle_data(name: str = DEFAULT_VEHICLE) -> VehicleData:
    """A shipped vehicle's values and reasons; `ValueError` for an unknown name or a key
    without a reason (the file's promise is a reason for every value)."""
    if name not in vehicle_names():
        raise ValueError(f"no vehicle '{name}' (have: {', '.join(vehicle_names())})")
    text = (resources.files("lrtsim.model") / "vehicles" / f"{name}.toml").read_text("utf-8")
    values = tomllib.loads(text)
    description, reasons = key_comments(text)
    missing = [k for k in values if not reasons.get(k)]
    if missing:
        raise ValueError(f"vehicle '{name}': no reason above {', '.join(missing)}")
    odd = [k for k, v in values.items() if not isinstance(v, int | float | str)]
    if odd:
        raise ValueError(f"vehicle '{name}': {', '.join(odd)} must be numbers or text")
    return VehicleData(
        name=name,
        description=description,
        values=tuple(VehicleValue(k, v, reasons[k]) for k, v in values.items()),
    )


def key_comments(text: str) -> tuple[str, dict[str, str]]:
    """The first comment block of the file (before any key), and each key's comment lines
    directly above it, each joined into one line."""
    description: str | None = None
    reasons: dict[str, str] = {}
    pending: list[str] = []
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("#"):
            words = stripped.removeprefix("#").strip()
            if words:
                pending.append(words)
            continue
        match = _KEY.match(stripped)
        if match:
            reasons[match.group(1)] = " ".join(pending)
            description = "" if description is None else description
        elif not stripped and pending and description is None:
            description = " ".join(pending)
        pending = []
    return description or "", reasons
