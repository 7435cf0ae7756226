"""Load a scenario from TOML text, a file or an embedded name, reporting every problem at once."""

from __future__ import annotations

import difflib
import re
import tomllib
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from lrtsim.errors import ScenarioError
from lrtsim.model import checks
from lrtsim.model.schema import (
    Demand,
    Line,
    Operations,
    Publication,
    RollingStock,
    Scenario,
    Service,
    Signalling,
    Station,
)

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def embedded_names() -> list[str]:
    """Names of the scenarios shipped inside the package."""
    folder = resources.files("lrtsim.model") / "scenarios"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def embedded_text(name: str) -> str:
    """The TOML text of an embedded scenario, comments included."""
    if name not in embedded_names():
        raise ScenarioError(
            name, [f"no embedded scenario '{name}' (have: {', '.join(embedded_names())})"]
        )
    return (resources.files("lrtsim.model") / "scenarios" / f"{name}.toml").read_text("utf-8")


def load_scenario(ref: str) -> Scenario:
    """A scenario from an embedded name (`astana`) or a path to a TOML file."""
    path = Path(ref)
    try:
        is_folder, is_file = path.is_dir(), path.is_file()
    except OSError as exc:  # e.g. a folder on the way the user may not search
        raise ScenarioError(ref, [f"cannot read the file: {exc.strerror or exc}"]) from None
    if is_folder:
        raise ScenarioError(ref, ["is a directory; give a scenario TOML file"])
    if is_file:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(ref, [f"cannot read the file: {exc}"]) from None
        return scenario_from_toml(text, source=ref)
    if ref in embedded_names():
        return scenario_from_toml(embedded_text(ref), source=ref)
    if path.suffix == ".toml" or "/" in ref:
        raise ScenarioError(ref, ["no such file"])
    raise ScenarioError(
        ref,
        [f"not a file and not an embedded scenario (embedded: {', '.join(embedded_names())})"],
    )


def scenario_from_toml(text: str, source: str = "<scenario>") -> Scenario:
    """Parse and validate TOML text; syntax errors name the line and column."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        if match:
            where = f"TOML syntax error at line {match.group(1)}, column {match.group(2)}"
            message = f"{where}: {message[: match.start()]}"
        else:
            message = f"TOML syntax error: {message}"
        raise ScenarioError(source, [message]) from None
    except RecursionError:
        raise ScenarioError(
            source, [f"TOML nested deeper than Python can read ({_DEEP})"]
        ) from None
    try:
        return scenario_from_dict(raw, source)
    except RecursionError:
        raise ScenarioError(source, [f"values nested too deep to check ({_DEEP})"]) from None


_DEEP = "a scenario nests tables and arrays a few levels at most"


def scenario_from_dict(raw: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a parsed scenario: structure, types and ranges, then the rules between values."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = describe_errors(exc)
        problems += _partial_checks(raw, exc)
        raise ScenarioError(source, _unique(problems)) from None
    found = checks.check_scenario(scenario)
    if found:
        raise ScenarioError(source, [f"{path}: {message}" for path, message in found])
    return scenario


def describe_errors(exc: ValidationError, at: tuple[int | str, ...] = ()) -> list[str]:
    """Each structural problem as 'key path: what is wrong', for a part of a scenario validated
    on its own: `at` is where that part sits in a scenario (`('operations', 'incidents', 2)`)."""
    errors = [{**error, "loc": (*at, *error["loc"])} for error in exc.errors()]
    return [_describe(error) for error in _union_branches_that_fit(errors)]


def key_path(loc: tuple[int | str, ...]) -> str:
    """('line', 'stations', 3, 'km') -> 'line.stations[3].km'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _union_branches_that_fit(errors: list[Any]) -> list[Any]:
    """Errors with pydantic's union-member tags taken out of their key paths.

    A value of a union field (`hourly_profile`: a list of shares or a preset name) is tried
    against every member, and each failing member reports. When the value is of one member's
    type, the other members' "should be a valid …" errors say nothing: only the errors of the
    members the value fits are kept (all of them if it fits none).
    """
    tagged = [(error, *_untagged(tuple(error["loc"]))) for error in errors]
    fits: dict[tuple[int | str, ...], set[str]] = {}
    for error, _, union in tagged:
        if union is not None:
            field, tag, depth = union
            misfit = depth == len(error["loc"]) and str(error["type"]).endswith("_type")
            fits.setdefault(field, set())
            if not misfit:
                fits[field].add(tag)
    kept = []
    for error, loc, union in tagged:
        if union is not None:
            field, tag, _ = union
            if fits[field] and tag not in fits[field]:
                continue
        kept.append({**error, "loc": loc})
    return kept


def _untagged(
    loc: tuple[int | str, ...],
) -> tuple[tuple[int | str, ...], tuple[tuple[int | str, ...], str, int] | None]:
    """A key path without union-member tags, and (union field's path, tag, depth after the tag)
    for the first tag found."""
    annotation: Any = Scenario
    out: list[int | str] = []
    union: tuple[tuple[int | str, ...], str, int] | None = None
    for depth, part in enumerate(loc, start=1):
        members = _union_members(annotation)
        if members and isinstance(part, str):
            if union is None:
                union = (tuple(out), part, depth)
            annotation = next((m for m in members if _tag(m) == part), None)
            continue
        out.append(part)
        annotation = _step(annotation, part)
    return tuple(out), union


def _union_members(annotation: Any) -> list[Any]:
    """The members of a union of two or more types other than None (else empty)."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return []
    members = [a for a in typing.get_args(annotation) if a is not type(None)]
    if len(members) == 1:
        return _union_members(members[0])
    return members


def _tag(member: Any) -> str:
    """The tag pydantic gives a union member in an error's location."""
    if typing.get_origin(member) is not None:
        return str(member)
    return str(getattr(member, "__name__", member))


def _step(annotation: Any, part: int | str) -> Any:
    """The annotation one key or index further in."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    members = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(members) == 1:
        annotation = members[0]
    if isinstance(part, str):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {f.alias or n: f for n, f in annotation.model_fields.items()}
            return fields[part].annotation if part in fields else None
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args:
        return args[0]
    if origin is tuple and len(args) > part:
        return args[part]
    return None


def _describe(error: Any) -> str:
    loc = tuple(error["loc"])
    path = key_path(loc)
    kind = error["type"]
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind == "extra_forbidden":
        return f"{path}: unknown key{_suggestion(loc)}"
    if kind == "finite_number":
        return f"{path}: {error['input']!r} is not allowed: must be a finite number"
    message: str = error["msg"]
    message = message.removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    value = error.get("input")
    if isinstance(value, dict | list):
        return f"{path}: {message}"
    shown = str(value).lower() if isinstance(value, bool) else repr(value)
    return f"{path}: {shown} is not allowed: {message}"


def _suggestion(loc: tuple[int | str, ...]) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return ""
    known = [f.alias or name for name, f in model.model_fields.items()]
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; allowed here: {', '.join(known)}"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model that describes the table at a key path, if any."""
    model: type[BaseModel] = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        if part not in fields:
            return None
        inner = _inner_model(fields[part].annotation)
        if inner is None:
            return None
        model = inner
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _partial_checks(raw: dict[str, Any], exc: ValidationError) -> list[str]:
    """Cross-value rules of the structurally sound sections, so all problems show at once."""
    broken = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    line: Line | None = None
    if "line" not in broken and isinstance(raw.get("line"), dict):
        line = Line.model_validate(raw["line"])
    found: list[checks.Problem] = []
    if line is not None:
        found += checks.check_line(line)
    elif isinstance(raw.get("line"), dict) and "stations" in raw["line"]:
        try:
            stations = TypeAdapter(list[Station]).validate_python(raw["line"]["stations"])
        except ValidationError:
            stations = []
        found += checks.check_stations(stations)
    line_ok = line is not None and not any(path.endswith(".km") for path, _ in found)
    sections: list[tuple[str, type[BaseModel]]] = [
        ("rolling_stock", RollingStock),
        ("signalling", Signalling),
        ("demand", Demand),
        ("service", Service),
        ("operations", Operations),
        ("gtfs", Publication),
    ]
    stock: RollingStock | None = None
    signalling: Signalling | None = Signalling() if "signalling" not in raw else None
    service: Service | None = Service() if "service" not in raw else None
    for key, model in sections:
        if key in broken or not isinstance(raw.get(key), dict):
            continue
        section = model.model_validate(raw[key])
        if isinstance(section, RollingStock):
            stock = section
            found += checks.check_rolling_stock(section)
        elif isinstance(section, Signalling):
            signalling = section
            found += checks.check_signalling(section, line if line_ok else None)
        elif isinstance(section, Demand):
            found += checks.check_demand(section, line if line_ok else None)
        elif isinstance(section, Service):
            service = section
            found += checks.check_service(section)
        elif isinstance(section, Operations) and service is not None:
            found += checks.check_operations(section, line if line_ok else None, service)
        elif isinstance(section, Publication):
            found += checks.check_publication(section)
    if stock is not None:
        found += checks.check_with_the_train(line if line_ok else None, signalling, stock)
    return [f"{path}: {message}" for path, message in found]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
