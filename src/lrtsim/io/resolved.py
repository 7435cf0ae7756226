"""The scenario as a run used it, as TOML: every value the run read written out (defaults
included), so the file loads back to an equal scenario and re-runs the same day."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from lrtsim.io.od_csv import od_csv_path
from lrtsim.io.toml_writer import toml_text
from lrtsim.model.schema import Scenario


def resolved_dict(scenario: Scenario, ref: str) -> dict[str, Any]:
    """`scenario` as the nested dict of its TOML form, every default filled in.

    A key left unset (None: a station without its own dwell, a curve without a given cant) is
    left out, which is how a scenario file says "unset"; `demand.od_matrix_csv` becomes an
    absolute path, so the file can be read from any folder.
    """
    raw = scenario_as_dict(scenario)
    csv = od_csv_path(scenario, ref)
    if csv is not None:
        raw["demand"]["od_matrix_csv"] = str(csv.resolve())
    return raw


def scenario_as_dict(scenario: Scenario) -> dict[str, Any]:
    """`scenario` as the nested dict of its TOML form, every default filled in, each unset
    (None) key left out, as a file leaves it out."""
    raw: dict[str, Any] = _without_none(scenario.model_dump(mode="json", by_alias=True))
    return raw


def resolved_toml(scenario: Scenario, ref: str, header: str) -> str:
    """The TOML text of `resolved_dict`, with `header` as its opening comment."""
    return toml_text(resolved_dict(scenario, ref), {"": [header]})


def scenario_hash(scenario: Scenario, ref: str) -> str:
    """SHA-256 (hex) of the resolved scenario (its TOML without a header) and of the OD matrix
    file it names: two runs with the same hash read the same inputs."""
    digest = hashlib.sha256(toml_text(resolved_dict(scenario, ref)).encode("utf-8"))
    csv = od_csv_path(scenario, ref)
    if csv is not None and Path(csv).is_file():
        digest.update(Path(csv).read_bytes())
    return digest.hexdigest()


def _without_none(value: Any) -> Any:
    """`value` with every None-valued key of every nested dict dropped."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value
