"""The scenarios the service offers: the embedded ones and those uploaded, kept as TOML files in
the runs folder under names that are never paths."""

from __future__ import annotations

import re
from pathlib import Path

from lrtsim.errors import LrtsimError, ScenarioError
from lrtsim.model.schema import Scenario
from lrtsim.web.models import SCENARIO_NAME, ScenarioSummary, StationOut

SCENARIO_FOLDER = "uploaded-scenarios"
"""The folder of the runs folder that holds uploaded scenarios (a run folder is NAME-DATE-TIME,
so never this)."""

_NAME = re.compile(SCENARIO_NAME)


class UnknownScenarioError(LrtsimError):
    """No scenario of that name."""


class ScenarioExistsError(LrtsimError):
    """A scenario of that name is already stored (or embedded)."""


def uploaded_folder(runs_dir: Path) -> Path:
    """Where uploaded scenarios are kept."""
    return runs_dir / SCENARIO_FOLDER


def scenario_ref(runs_dir: Path, name: str) -> str:
    """What `load_scenario` takes for the scenario `name`: an embedded name, or the uploaded
    file's path; `UnknownScenarioError` when there is none (a name that is not `SCENARIO_NAME` is
    never looked up, so it cannot reach outside the folder)."""
    from lrtsim.model.load import embedded_names

    if not _NAME.fullmatch(name):
        raise UnknownScenarioError(f"no scenario '{name}'")
    if name in embedded_names():
        return name
    path = uploaded_folder(runs_dir) / f"{name}.toml"
    if path.is_file():
        return str(path)
    raise UnknownScenarioError(f"no scenario '{name}'")


def scenario_names(runs_dir: Path) -> list[tuple[str, str]]:
    """Every scenario's (name, source): the embedded ones, then the uploaded ones by name."""
    from lrtsim.model.load import embedded_names

    embedded = embedded_names()
    folder = uploaded_folder(runs_dir)
    uploaded = sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
    names = [(n, "embedded") for n in embedded]
    return names + [(n, "uploaded") for n in uploaded if _NAME.fullmatch(n) and n not in embedded]


def summary(name: str, source: str, scenario: Scenario) -> ScenarioSummary:
    """A scenario as listed: its line's name, stations and length."""
    stations = scenario.line.stations
    return ScenarioSummary(
        name=name,
        title=scenario.line.name,
        source="embedded" if source == "embedded" else "uploaded",
        stations=[StationOut(name=s.name, km=s.km) for s in stations],
        length_m=abs(stations[-1].km - stations[0].km) * 1000.0,
    )


def parse_upload(text: str, name: str | None) -> tuple[str, Scenario]:
    """The name an uploaded TOML is stored under (`name`, else its own `name` when that is a
    valid one) and the scenario, validated by lrtsim's loader (`ScenarioError` with every
    problem and its key path)."""
    from lrtsim.model.load import scenario_from_toml

    scenario = scenario_from_toml(text, source="uploaded scenario")
    if scenario.demand.od_matrix_csv:
        raise ScenarioError(
            "uploaded scenario",
            ["demand.od_matrix_csv: an uploaded scenario cannot name a file; leave it out"],
        )
    stored = name if name is not None else scenario.name
    if not _NAME.fullmatch(stored):
        raise ScenarioError(
            "uploaded scenario",
            [
                f"name: '{stored}' cannot name a stored scenario (1 to 64 of a-z, 0-9, _ and -);"
                " give ?name=…"
            ],
        )
    return stored, scenario


def store(runs_dir: Path, name: str, text: str) -> None:
    """Keep an uploaded scenario's text as `name`; `ScenarioExistsError` when that name is taken."""
    from lrtsim.io.atomic import OverwriteError, write_text_atomic
    from lrtsim.model.load import embedded_names

    if name in embedded_names():
        raise ScenarioExistsError(f"'{name}' is an embedded scenario; upload under another name")
    try:
        write_text_atomic(uploaded_folder(runs_dir) / f"{name}.toml", text, overwrite=False)
    except OverwriteError:
        raise ScenarioExistsError(
            f"a scenario '{name}' is already stored; use another name"
        ) from None
