"""`--set PATH=V1,V2,…`: values set at key paths of a scenario, and the grid of every
combination, each grid point built and validated as a whole scenario before anything runs.

PATH is a key path as in the scenario's TOML, dotted keys with `[i]` list indices
(`service.periods[1].max_headway_s`); each value is a TOML value (`240`, `0.2`, `true`,
`"text"`, `[1, 2]`, `{ from = "07:00", … }`) or, when it is none, the text itself (`holding`,
`07:30`). The values are split at the commas outside brackets, braces and quotes.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrtsim.errors import MAX_SHOWN, LrtsimError, ScenarioError
from lrtsim.model.load import key_path

if TYPE_CHECKING:
    from lrtsim.model.schema import Scenario

MAX_POINTS = 10_000
"""Most grid points a sweep may have: more is a typo, or weeks of computing."""

Key = str | int
"""One step of a key path: a table's key or a list's index."""

_SEGMENT = r"[A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])*"
_PATH = re.compile(rf"^{_SEGMENT}(?:\.{_SEGMENT})*$")
_INDEX = re.compile(r"\[([0-9]+)\]")
_EXAMPLE = "e.g. service.periods[1].max_headway_s=240,300,360"


@dataclass(frozen=True)
class Setting:
    """One `--set`: the key path, its keys, and each value as given and as parsed."""

    path: str
    keys: tuple[Key, ...]
    texts: tuple[str, ...]
    values: tuple[Any, ...]

    def option(self, i: int) -> str:
        """`--set PATH=TEXT` of its `i`-th value, as error messages name it."""
        return f"--set {self.path}={self.texts[i]}"


@dataclass(frozen=True, eq=False)
class GridPoint:
    """One combination of the settings' values (`choice[k]`: the index of setting k's value)
    and the validated scenario it makes."""

    index: int
    choice: tuple[int, ...]
    values: tuple[Any, ...]
    texts: tuple[str, ...]
    scenario: Scenario


@dataclass(frozen=True, eq=False)
class Grid:
    """The settings (their values fitted to the scenario's) and every point, the last
    setting's value changing fastest."""

    settings: tuple[Setting, ...]
    points: tuple[GridPoint, ...]


def parse_path(path: str) -> tuple[Key, ...]:
    """`service.periods[1].max_headway_s` as ('service', 'periods', 1, 'max_headway_s')."""
    if not _PATH.match(path):
        raise LrtsimError(
            f"'{path}' is not a key path (dotted keys with [i] list indices, "
            "e.g. service.periods[1].max_headway_s)"
        )
    keys: list[Key] = []
    for segment in path.split("."):
        name, _, _ = segment.partition("[")
        keys.append(name)
        keys += [int(i) for i in _INDEX.findall(segment)]
    return tuple(keys)


def split_values(text: str) -> list[str]:
    """`text` split at the commas outside brackets, braces and quotes, each part stripped."""
    parts: list[str] = []
    depth, quote, escaped, start = 0, "", False, 0
    for i, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def parse_value(text: str) -> Any:
    """A value as TOML reads it (`240`, `0.2`, `true`, `"x"`, `[1, 2]`), else the text itself
    (`holding`, `07:30`); a TOML date or time stays text, as scenarios write times."""
    try:
        value = tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text
    return value if _plain(value) else text


def _plain(value: Any) -> bool:
    """Whether `value` is made of what a scenario holds: text, numbers, booleans, lists, tables."""
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return isinstance(value, str | int | float | bool)


def parse_setting(text: str) -> Setting:
    """One `--set PATH=V1,V2,…`; `LrtsimError` naming it and what is wrong."""
    path_text, equals, rest = text.partition("=")
    if not equals:
        raise LrtsimError(f"--set {text}: not PATH=V1,V2,… ({_EXAMPLE})")
    path_text = path_text.strip()
    try:
        keys = parse_path(path_text)
    except LrtsimError as exc:
        raise LrtsimError(f"--set {text}: {exc}") from None
    path = key_path(keys)
    if not rest.strip():
        raise LrtsimError(f"--set {path}=: no values; give PATH=V1,V2,… ({_EXAMPLE})")
    texts = split_values(rest)
    if "" in texts:
        raise LrtsimError(f"--set {path}={rest.strip()}: an empty value (two commas in a row?)")
    return Setting(
        path=path, keys=keys, texts=tuple(texts), values=tuple(parse_value(t) for t in texts)
    )


def scenario_dict(scenario: Scenario) -> dict[str, Any]:
    """`scenario` as the nested dict of its TOML form (`io.resolved.scenario_as_dict`)."""
    from lrtsim.io.resolved import scenario_as_dict

    return scenario_as_dict(scenario)


def current_value(raw: dict[str, Any], keys: Sequence[Key]) -> Any:
    """The value at `keys` in `raw`, None when it is not there (unset or unknown)."""
    here: Any = raw
    for key in keys:
        if isinstance(key, int):
            if not isinstance(here, list) or key >= len(here):
                return None
        elif not isinstance(here, dict) or key not in here:
            return None
        here = here[key]
    return here


def with_value(raw: dict[str, Any], keys: Sequence[Key], value: Any) -> dict[str, Any]:
    """`raw` with `value` at `keys` (copied along the path; the rest shared, never changed).

    A key not in a table is added (the schema then says whether it may be there), with the
    tables on the way to it; an index must name an entry of its list. `LrtsimError` names the
    key path where the path cannot go on.
    """

    def put(here: Any, depth: int) -> Any:
        key = keys[depth]
        last = depth == len(keys) - 1
        where = key_path(tuple(keys[:depth]))
        if isinstance(key, int):
            if not isinstance(here, list):
                raise LrtsimError(f"{where} is {_kind(here)}, not a list: it has no [{key}]")
            if key >= len(here):
                count = f"{len(here)} entr{'y' if len(here) == 1 else 'ies'}"
                raise LrtsimError(f"{where} has {count}, so no [{key}]")
            items = list(here)
            items[key] = value if last else put(items[key], depth + 1)
            return items
        if here is None:  # a table the scenario leaves out: added
            here = {}
        if not isinstance(here, dict):
            raise LrtsimError(f"{where} is {_kind(here)}, not a table: it has no key '{key}'")
        if not last and key not in here and isinstance(keys[depth + 1], int):
            raise LrtsimError(
                f"{key_path(tuple(keys[: depth + 1]))} is not in the scenario, so it has "
                f"no [{keys[depth + 1]}]"
            )
        table = dict(here)
        table[key] = value if last else put(table.get(key), depth + 1)
        return table

    result: dict[str, Any] = put(raw, 0)
    return result


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"a value ({value!r})"


def fitted(current: Any, value: Any, text: str) -> Any:
    """`value` fitted to the value it replaces: the text itself where the scenario has text
    (`line.name=2030`), a float where it has a float (`240` for 300.0)."""
    if isinstance(current, str) and not isinstance(value, str):
        return text
    if (
        isinstance(current, float)
        and isinstance(value, int)
        and not isinstance(value, bool)
        and abs(value) < 2**53
    ):
        return float(value)
    return value


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


def build_grid(base: Scenario, settings: Sequence[Setting], source: str) -> Grid:
    """Every combination of the settings' values applied to `base`, each validated as a whole
    scenario (schema and cross-value rules).

    `LrtsimError` with every problem, each naming its `--set PATH=VALUE` (or the several of a
    combination that fail only together): a path given twice or inside another, more than
    `MAX_POINTS` points, a path that goes nowhere, a value given twice or not finite, or one
    the scenario refuses.
    """
    _check_paths(settings)
    count = math.prod(len(s.values) for s in settings)
    if count > MAX_POINTS:
        sizes = " × ".join(str(len(s.values)) for s in settings)
        raise LrtsimError(
            f"--set: {sizes} = {count:,} grid points, more than the {MAX_POINTS:,} allowed"
        )
    raw = scenario_dict(base)
    fitted_settings = tuple(_fit(raw, s) for s in settings)
    problems = [p for s in fitted_settings for p in _value_problems(raw, s)]
    if problems:
        raise _error(problems)
    points: list[GridPoint] = []
    failed: dict[tuple[int, ...], list[str]] = {}
    for n, choice in enumerate(itertools.product(*(range(len(s.values)) for s in settings))):
        point = raw
        for s, i in zip(fitted_settings, choice, strict=True):
            point = with_value(point, s.keys, s.values[i])
        try:
            scenario = _validated(point, source)
        except ScenarioError as exc:
            failed[choice] = exc.problems
            continue
        points.append(
            GridPoint(
                index=n,
                choice=choice,
                values=tuple(s.values[i] for s, i in zip(fitted_settings, choice, strict=True)),
                texts=tuple(s.texts[i] for s, i in zip(fitted_settings, choice, strict=True)),
                scenario=scenario,
            )
        )
    if failed:
        raise _error(_blamed(raw, fitted_settings, failed, source))
    return Grid(settings=fitted_settings, points=tuple(points))


def _blamed(
    raw: dict[str, Any],
    settings: Sequence[Setting],
    failed: dict[tuple[int, ...], list[str]],
    source: str,
) -> list[str]:
    """The failed points' problems, each named by the value to blame: a value that fails at
    every point it is part of, and alone, by its own `--set PATH=VALUE`; any other failed point
    by the `--set`s of all its values (they fail together)."""
    sizes = [len(s.values) for s in settings]
    total = math.prod(sizes)
    fails: dict[tuple[int, int], int] = {}
    for choice in failed:
        for k, i in enumerate(choice):
            fails[(k, i)] = fails.get((k, i), 0) + 1
    found: list[str] = []
    alone: set[tuple[int, int]] = set()
    for (k, i), count in sorted(fails.items()):
        if count < total // sizes[k]:
            continue
        s = settings[k]
        own = _problems(with_value(raw, s.keys, s.values[i]), source)
        if own:
            found.append(f"{s.option(i)}: {'; '.join(own)}")
            alone.add((k, i))
    for choice, problems in failed.items():
        if any((k, i) in alone for k, i in enumerate(choice)):
            continue
        together = " ".join(s.option(i) for s, i in zip(settings, choice, strict=True))
        found.append(f"{together}: {'; '.join(problems)}")
    return found


def _check_paths(settings: Sequence[Setting]) -> None:
    if not settings:
        raise LrtsimError(f"--set: give at least one PATH=V1,V2,… ({_EXAMPLE})")
    for k, s in enumerate(settings):
        for earlier in settings[:k]:
            if earlier.keys == s.keys:
                raise LrtsimError(
                    f"--set {s.path}=…: {s.path} is given twice; list all its values in one --set"
                )
            short, long = sorted((earlier, s), key=lambda x: len(x.keys))
            if long.keys[: len(short.keys)] == short.keys:
                raise LrtsimError(
                    f"--set {long.path}=…: inside --set {short.path}=…, which replaces it whole; "
                    "set one or the other"
                )


def _fit(raw: dict[str, Any], s: Setting) -> Setting:
    current = current_value(raw, s.keys)
    values = tuple(fitted(current, v, t) for v, t in zip(s.values, s.texts, strict=True))
    return Setting(path=s.path, keys=s.keys, texts=s.texts, values=values)


def _value_problems(raw: dict[str, Any], s: Setting) -> list[str]:
    """What is wrong with the setting before any scenario is validated: where its path cannot
    go (once, for its first value), each value that is not finite, each value given again."""
    try:
        with_value(raw, s.keys, s.values[0])
    except LrtsimError as exc:
        return [f"{s.option(0)}: {exc}"]
    found = []
    seen: set[str] = set()
    for i, (v, t) in enumerate(zip(s.values, s.texts, strict=True)):
        if not _finite(v):
            found.append(f"{s.option(i)}: {t} is not allowed: must be a finite number")
        if repr(v) in seen:
            found.append(f"{s.option(i)}: the value is given twice")
        seen.add(repr(v))
    return found


def _validated(raw: dict[str, Any], source: str) -> Scenario:
    from lrtsim.model.load import scenario_from_dict

    return scenario_from_dict(raw, source)


def _problems(raw: dict[str, Any], source: str) -> list[str]:
    try:
        _validated(raw, source)
    except ScenarioError as exc:
        return exc.problems
    return []


def _error(problems: list[str]) -> LrtsimError:
    unique = list(dict.fromkeys(problems))
    if len(unique) == 1:
        return LrtsimError(unique[0])
    shown = unique[:MAX_SHOWN]
    lines = [f"{len(unique)} problems with the --set values:", *(f"  {p}" for p in shown)]
    if len(unique) > len(shown):
        lines.append(f"  … and {len(unique) - len(shown)} more")
    return LrtsimError("\n".join(lines))
