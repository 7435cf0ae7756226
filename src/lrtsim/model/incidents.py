"""Incidents written as one line of text (the command line's `--incident`), read into the
scenario's own `Incident` model and checked by the same rules as the scenario file's.

Grammar: comma-separated items, spaces around each item ignored:

    AT,KIND,A[,B],DURATION_MIN[,direction=up|down|both]

- `AT`: the start, `HH:MM` (as `operations.incidents[].at`);
- `KIND`: `track_blocked`, `train_failure` or `station_closed`;
- one station name (`station = A`) or two (`between = [A, B]`), as in the scenario's
  `line.stations`;
- `DURATION_MIN`: minutes, a number;
- options `key=value`, anywhere after the first item: only `direction` (default `both`).

So `08:15,track_blocked,Baiterek,House of Ministries,12` blocks both tracks between Baiterek and
House of Ministries from 08:15 for 12 minutes, and `08:15,station_closed,Baiterek,20,direction=up`
closes Baiterek's up platform for 20 minutes. A station name cannot contain a comma, nor be a
word followed by `=` (that is an option).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from lrtsim.errors import ScenarioError
from lrtsim.model import checks
from lrtsim.model.load import describe_errors, key_path
from lrtsim.model.schema import Incident, Scenario

OPTIONS = ("direction",)
"""The `key=value` items of an incident's text."""

_OPTION = re.compile(r"^([A-Za-z_]+)\s*=\s*(.*)$", re.S)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$", re.I)

_GRAMMAR = "AT,KIND,A[,B],DURATION_MIN[,direction=up|down|both]"


def parse_incident(text: str) -> Incident:
    """The incident a line of text describes (grammar: the module's docstring).

    Raises `ScenarioError` with every problem of the text: its grammar, then the incident's
    keys as the scenario file's are checked (kind, time, duration, direction). Whether the
    stations exist and are adjacent needs a scenario: see `with_incidents`.
    """
    incident, problems = _read(text, ("operations", "incidents", 0))
    if incident is None:
        source = f"incident '{text}'"
        raise ScenarioError(
            source, [_renamed(p, "operations.incidents[0]", None) for p in problems]
        )
    return incident


def incident_text(incident: Incident) -> str:
    """The line of text `parse_incident` reads back as `incident` (the inverse).

    Raises ValueError for a station name the grammar cannot carry (a comma, spaces at an end,
    or a `word=` start).
    """
    names = [incident.station] if incident.between is None else list(incident.between)
    for name in names:
        if name is None or "," in name or name != name.strip() or _OPTION.match(name):
            raise ValueError(f"the station name {name!r} cannot be written as an incident item")
    items = [incident.at, incident.kind, *names, _number(incident.duration_min)]
    if incident.direction != "both":
        items.append(f"direction={incident.direction}")
    return ",".join(str(item) for item in items)


def with_incidents(
    scenario: Scenario,
    texts: Sequence[str],
    label: str = "--incident",
    source: str | None = None,
) -> Scenario:
    """The scenario with incidents given as text added after its own, checked as the file's.

    Every problem names the text by its place among `texts` as `<label> N` (counted from 1)
    and the incident's key in parentheses, with the file's message:
    `--incident 1 (between): 'Baiterek' and 'Nurly Zhol' are not adjacent stations …`.
    Raises `ScenarioError` (from `source`, by default the scenario's name) with all of them.
    """
    start = len(scenario.operations.incidents)
    added: list[Incident] = []
    problems: list[str] = []
    for n, text in enumerate(texts, start=1):
        where = key_path(("operations", "incidents", start + n - 1))
        incident, found = _read(text, ("operations", "incidents", start + n - 1))
        if incident is not None:
            added.append(incident)
            found = [
                f"{path}: {message}"
                for path, message in checks.check_incident(
                    incident, where, scenario.line, scenario.service
                )
            ]
        problems += [_renamed(p, where, f"{label} {n}") for p in found]
    if problems:
        raise ScenarioError(source or scenario.name, problems)
    operations = scenario.operations.model_copy(
        update={"incidents": [*scenario.operations.incidents, *added]}
    )
    return scenario.model_copy(update={"operations": operations})


def _read(text: str, at: tuple[int | str, ...]) -> tuple[Incident | None, list[str]]:
    """The incident of a text, or None and its problems as 'key path: message' (the incident's
    key path `at` in a scenario, its sub-keys after it; grammar problems at `at` itself)."""
    where = key_path(at)
    fields, problems = _fields(text)
    if fields is None:
        return None, [f"{where}: {p}" for p in problems]
    try:
        return Incident.model_validate(fields), []
    except ValidationError as exc:
        return None, describe_errors(exc, at)


def _fields(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The keys of an incident from its text, or None and what is wrong with the text."""
    items = [item.strip() for item in text.split(",")]
    problems: list[str] = []
    positional: list[str] = []
    options: dict[str, str] = {}
    for i, item in enumerate(items):
        match = _OPTION.match(item)
        if not item:
            problems.append(f"item {i + 1} is empty (items: {_GRAMMAR})")
        elif match is None or i == 0:
            positional.append(item)
        elif match.group(1) not in OPTIONS:
            problems.append(
                f"unknown option '{match.group(1)}' in item {i + 1} (options: "
                f"{', '.join(OPTIONS)}); a station name cannot start with a word and '='"
            )
        elif match.group(1) in options:
            problems.append(f"gives {match.group(1)} twice")
        else:
            options[match.group(1)] = match.group(2).strip()
    if problems:
        return None, problems
    if len(positional) < 4 or len(positional) > 5:
        count = len(positional)
        got = f"{count} item{'' if count == 1 else 's'}" + (
            f" ({count - 3} station names)" if count > 5 else ""
        )
        return None, [
            f"needs {_GRAMMAR}: the time, the kind, one station or two adjacent stations and the "
            f"duration in minutes, but has {got}"
        ]
    at, kind, *names, duration = positional
    if not _NUMBER.match(duration):
        return None, [
            f"'{duration}' is not a number of minutes (the duration is the last item before "
            f"any option; items: {_GRAMMAR})"
        ]
    whole = re.fullmatch(r"[+-]?\d{1,15}", duration) is not None
    minutes = int(duration) if whole else float(duration)
    fields: dict[str, Any] = {"at": at, "kind": kind, "duration_min": minutes}
    if len(names) == 1:
        fields["station"] = names[0]
    else:
        fields["between"] = names
    fields.update(options)
    return fields, []


def _number(value: float) -> str:
    """A float as the shortest text that reads back as the same float (12.0 as '12')."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _renamed(problem: str, where: str, name: str | None) -> str:
    """A problem of the incident at key path `where` under another name: with `name`
    '--incident 1', 'operations.incidents[3].between: …' becomes '--incident 1 (between): …';
    without one, 'between: …' (the incident's own problems: the message alone)."""
    path, _, message = problem.partition(": ")
    if not path.startswith(where) or path[len(where) : len(where) + 1] not in ("", ".", "["):
        return problem
    key = path[len(where) :].lstrip(".")
    if name is None:
        return f"{key}: {message}" if key else message
    return f"{name} ({key}): {message}" if key else f"{name}: {message}"
