"""Scenario schema: the public contract of a scenario file, one pydantic model per TOML table.

Structure, types and ranges live here; rules that relate several values (km increasing, zones
inside the line) live in `checks.py`, so that every problem of a file can be reported at once.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from lrtsim.model.units import PASSENGER_MASS_KG

_TIME_RE = re.compile(r"^(\d{1,2}):([0-5]\d)$")


class Strict(BaseModel):
    """Base of every table: immutable, and unknown keys are errors rather than silently ignored."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, allow_inf_nan=False
    )


def _finite(value: object) -> bool:
    """False only for a float NaN or infinity (other values are left to their own rules)."""
    return not (isinstance(value, float) and not math.isfinite(value))


def clock_to_s(text: str) -> int:
    """'HH:MM' (hours may pass 24 for after-midnight service) to seconds after midnight."""
    match = _TIME_RE.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a time of day as HH:MM")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours * 60 + minutes > 30 * 60:
        raise ValueError(f"'{text}' is past 30:00, the latest a service day may run")
    return hours * 3600 + minutes * 60


def _clock(value: str) -> str:
    """A valid `HH:MM` (checked by `clock_to_s`), kept as written."""
    clock_to_s(value)
    return value


ClockTime = Annotated[
    str,
    AfterValidator(_clock),
    Field(description="HH:MM; hours past 24 allowed for after midnight"),
]
"""A time of day as `HH:MM` (hours may pass 24, up to 30:00), checked wherever it is used."""


# ----------------------------------------------------------------------------------------- line
class Station(Strict):
    """A stop on the line; `km` is where the head of a stopped train stands."""

    name: str = Field(min_length=1)
    km: float
    dwell_s: float | None = Field(default=None, ge=0, le=3600)
    code: str | None = None
    name_kk: str | None = None
    name_ru: str | None = None


class Depot(Strict):
    """The depot and its link to the line: junction chainage, length and time of the access move."""

    name: str = Field(min_length=1)
    km: float
    access_m: float = Field(ge=0, le=50_000)
    access_time_s: float = Field(ge=0, le=7200)


class Gradient(Strict):
    """A constant gradient; positive rises toward higher km."""

    from_km: float
    to_km: float
    permille: float = Field(ge=-100, le=100)


class Curve(Strict):
    """A horizontal curve; its speed limit follows from radius, cant and cant deficiency."""

    from_km: float
    to_km: float
    radius_m: float = Field(ge=50, le=100_000)
    cant_mm: float | None = Field(default=None, ge=0, le=200)


class SpeedLimit(Strict):
    """A civil speed restriction over a stretch of track."""

    from_km: float
    to_km: float
    kmh: float = Field(gt=0, le=300)


class TailTracks(Strict):
    """Track beyond each terminal platform, in metres (start = before the first station)."""

    start: float = Field(default=0.0, ge=0, le=5000)
    end: float = Field(default=0.0, ge=0, le=5000)


class Geometry(Strict):
    """Coordinates (lon, lat, WGS84) of the track and of each station, for maps and GTFS.

    Either may be left out, not both: without `track`, GTFS shapes are straight lines between
    the stations; without `stations`, there are no stop coordinates, so no GTFS feed.
    """

    track: list[tuple[float, float]] = Field(default_factory=list)
    stations: list[tuple[float, float]] = Field(default_factory=list)
    track_start_km: float = 0.0
    source: str = ""

    @field_validator("track", "stations", mode="before")
    @classmethod
    def _pairs(cls, points: object) -> object:
        """TOML has arrays, not tuples: accept [lon, lat] pairs."""
        if isinstance(points, list):
            return [tuple(p) if isinstance(p, list) else p for p in points]
        return points

    @field_validator("track", "stations")
    @classmethod
    def _lon_lat_ranges(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for i, (lon, lat) in enumerate(points):
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"point {i} ({lon}, {lat}) is not a (lon, lat) pair in degrees")
        return points

    @field_validator("track")
    @classmethod
    def _polyline(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if len(points) == 1:
            raise ValueError("a polyline needs at least 2 points (or leave `track` out)")
        return points

    @model_validator(mode="after")
    def _track_or_stations(self) -> Geometry:
        if not self.track and not self.stations:
            raise ValueError(
                "needs `track` (the polyline, [lon, lat] pairs), `stations` (one [lon, lat] "
                "per station) or both"
            )
        return self


class Line(Strict):
    """The line: stations in order (direction `up` runs from the first to the last), track data."""

    name: str = Field(min_length=1)
    max_speed_kmh: float = Field(gt=0, le=300)
    stations: list[Station] = Field(min_length=2)
    depot: Depot | None = None
    gradients: list[Gradient] = Field(default_factory=list)
    curves: list[Curve] = Field(default_factory=list)
    speed_limits: list[SpeedLimit] = Field(default_factory=list)
    tail_tracks_m: TailTracks = Field(default_factory=TailTracks)
    cant_mm: float = Field(default=100.0, ge=0, le=200)
    cant_deficiency_mm: float = Field(default=75.0, ge=0, le=200)
    rail_centres_mm: float = Field(default=1500.0, ge=1000, le=1800)
    geometry: Geometry | None = None


# ------------------------------------------------------------------------------- rolling stock
class RollingStock(Strict):
    """One train as it runs (a fixed formation): dimensions, traction, braking, resistance."""

    name: str = Field(min_length=1)
    length_m: float = Field(gt=0, le=400)
    mass_t: float = Field(gt=0, le=2000)
    rotating_mass_factor: float = Field(default=1.08, ge=1.0, le=1.5)
    max_speed_kmh: float = Field(gt=0, le=300)
    max_tractive_effort_kn: float = Field(gt=0, le=2000)
    max_power_kw: float = Field(gt=0, le=50_000)
    max_accel_mps2: float | None = Field(default=None, gt=0, le=3)
    service_brake_mps2: float = Field(gt=0, le=3)
    davis_a_kn: float = Field(ge=0, le=100)
    davis_b_kn_per_kmh: float = Field(ge=0, le=10)
    davis_c_kn_per_kmh2: float = Field(ge=0, le=1)
    seats: int = Field(ge=0, le=5000)
    standing_area_m2: float = Field(ge=0, le=2000)
    standing_capacity_pax_per_m2: float = Field(default=4.0, gt=0, le=10)
    crush_standing_pax_per_m2: float = Field(default=6.0, gt=0, le=12)
    doors_per_side: int = Field(ge=1, le=100)
    traction_efficiency: float = Field(default=0.85, gt=0, le=1)
    regen_efficiency: float = Field(default=0.0, ge=0, le=1)
    aux_power_kw: float = Field(default=0.0, ge=0, le=5000)

    @property
    def capacity_pax(self) -> float:
        """Planning capacity: seats + standing area at `standing_capacity_pax_per_m2`."""
        return self.capacity_at(self.standing_capacity_pax_per_m2)

    def capacity_at(self, standing_pax_per_m2: float) -> float:
        """Passengers on board with seats full and the standing area at a given density."""
        return self.seats + self.standing_area_m2 * standing_pax_per_m2

    def mass_kg(self, load: float) -> float:
        """Static mass with a load given as a fraction of capacity (70 kg a passenger)."""
        return self.mass_t * 1000.0 + load * self.capacity_pax * PASSENGER_MASS_KG

    def inertial_mass_kg(self, load: float) -> float:
        """Mass for inertia: the rotating-mass factor applies to the tare, not to passengers."""
        passengers_kg = load * self.capacity_pax * PASSENGER_MASS_KG
        return self.mass_t * 1000.0 * self.rotating_mass_factor + passengers_kg


# ---------------------------------------------------------------------------------- signalling
class Turnback(Strict):
    """How trains reverse at one terminal (used by the capacity layer).

    `crossover_before`: a scissors crossover before a terminal with `platforms` platform tracks;
    trains arrive over it and leave over it. `tail_track`: trains unload at the arrival platform,
    run on into the tail track beyond it, reverse there, and come back over a crossover to the
    departure platform.
    """

    kind: Literal["crossover_before", "tail_track"] = "crossover_before"
    crossover_speed_kmh: float = Field(default=25.0, gt=0, le=120)
    route_setting_s: float = Field(default=10.0, ge=0, le=300)
    min_layover_s: float = Field(default=60.0, ge=0, le=3600)
    crossover_length_m: float = Field(default=50.0, gt=0, le=500)
    crossover_clearance_m: float = Field(default=10.0, ge=0, le=1000)
    platforms: int = Field(default=2, ge=1, le=6)


class TurnbackPair(Strict):
    """Turnback at the first (`start`) and last (`end`) station."""

    start: Turnback = Field(default_factory=Turnback)
    end: Turnback = Field(default_factory=Turnback)


class Signalling(Strict):
    """Train separation: moving block (CBTC) or fixed block, with its margins."""

    kind: Literal["moving_block", "fixed_block"] = "moving_block"
    safety_margin_m: float = Field(default=50.0, ge=0, le=2000)
    reaction_time_s: float = Field(default=3.0, ge=0, le=120)
    block_length_m: float = Field(default=400.0, gt=0, le=10_000)
    block_boundaries_km: list[float] = Field(default_factory=list)
    operating_margin_s: float = Field(default=10.0, ge=0, le=600)
    turnback: TurnbackPair = Field(default_factory=TurnbackPair)


# -------------------------------------------------------------------------------------- demand
class StationWeight(Strict):
    """Relative trip productions and attractions of one station (gravity model)."""

    station: str = Field(min_length=1)
    production: float = Field(ge=0)
    attraction: float = Field(ge=0)


class Demand(Strict):
    """Passenger demand: a daily total spread over hours and between stations."""

    daily_boardings: float = Field(default=0.0, ge=0, le=10_000_000)
    hourly_profile: list[float] | str = "weekday_two_peaks"
    weights: list[StationWeight] = Field(default_factory=list)
    od_matrix_csv: str | None = None
    gravity_beta: float = Field(default=0.1, ge=0, le=10)

    @field_validator("hourly_profile", mode="before")
    @classmethod
    def _profile(cls, value: object) -> object:
        if isinstance(value, str):
            if value not in HOURLY_PRESETS:
                raise ValueError(f"unknown preset '{value}'; presets: {', '.join(HOURLY_PRESETS)}")
            return value
        if isinstance(value, list):
            if len(value) != 24:
                raise ValueError(f"needs 24 hourly shares, got {len(value)}")
            if any(not isinstance(v, int | float) or v < 0 for v in value if _finite(v)):
                raise ValueError("hourly shares must be non-negative numbers")
            if all(_finite(v) for v in value) and sum(value) <= 0:
                raise ValueError("hourly shares must not all be zero")
            # NaN and infinity are left to the finite-number rule, which names the share.
            return [float(v) for v in value]
        raise ValueError("must be a list of 24 shares or a preset name")


HOURLY_PRESETS = ("weekday_two_peaks", "flat")


# ------------------------------------------------------------------------------------- service
class DwellModel(Strict):
    """Dwell time at a stop: base + per-passenger times per door channel, raised by crowding."""

    base_s: float = Field(default=25.0, ge=0, le=600)
    per_boarding_s: float = Field(default=1.5, ge=0, le=30)
    per_alighting_s: float = Field(default=1.2, ge=0, le=30)
    crowding_factor: float = Field(default=1.3, ge=1, le=5)


def station_dwell_s(station: Station, dwell: DwellModel) -> float:
    """A station's own dwell: its `dwell_s`, else `dwell.base_s`.

    The dwell of running times and headways at an intermediate stop, and the least dwell there
    of the passenger-driven dwell model.
    """
    return dwell.base_s if station.dwell_s is None else station.dwell_s


class Period(Strict):
    """A part of the service day with its policy maximum headway."""

    from_: ClockTime = Field(alias="from")
    to: ClockTime
    max_headway_s: float = Field(gt=0, le=7200)


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
"""The days of the week, as `service.day_types[].days` and GTFS calendar.txt name them."""


class DayType(Strict):
    """A kind of service day (weekday, weekend, …): the days it runs and what differs from
    `[service]` and `[demand]`. Keys left out take the `[service]`/`[demand]` value."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    days: list[Weekday] = Field(min_length=1)
    start: ClockTime | None = None
    end: ClockTime | None = None
    periods: list[Period] | None = None
    demand_factor: float = Field(default=1.0, ge=0, le=10)
    hourly_profile: list[float] | str | None = None

    @field_validator("hourly_profile", mode="before")
    @classmethod
    def _profile(cls, value: object) -> object:
        return None if value is None else Demand._profile(value)

    @field_validator("days")
    @classmethod
    def _once(cls, days: list[str]) -> list[str]:
        twice = sorted({d for d in days if days.count(d) > 1}, key=WEEKDAYS.index)
        if twice:
            raise ValueError(f"lists {', '.join(twice)} more than once")
        return days


class Service(Strict):
    """Service design inputs: operating day, periods, loading standard, layover, spares, dwell."""

    start: ClockTime = "06:00"
    end: ClockTime = "23:00"
    periods: list[Period] = Field(default_factory=list)
    loading_standard_pax_per_m2: float = Field(default=4.0, gt=0, le=10)
    layover_s: float = Field(default=180.0, ge=0, le=3600)
    spare_ratio: float = Field(default=0.1, ge=0, le=1)
    allowance_pct: float = Field(default=5.0, ge=0, le=100)
    dwell: DwellModel = Field(default_factory=DwellModel)
    day_types: list[DayType] = Field(default_factory=list)


# ---------------------------------------------------------------------------------- operations
IncidentKind = Literal["track_blocked", "train_failure", "station_closed"]
INCIDENT_KINDS: tuple[IncidentKind, ...] = ("track_blocked", "train_failure", "station_closed")
"""What an incident does: blocks the track between two adjacent stations; stops a train where
it is for a while; closes a station (trains pass it without stopping)."""

IncidentDirection = Literal["up", "down", "both"]

StationName = Annotated[str, Field(min_length=1)]
"""The `name` of a station of the line (that it is one is a rule of `checks.py`)."""

MAX_INCIDENT_MIN = 24 * 60
"""Longest incident, and longest recovery of a failed train, in minutes: one day."""

MAX_PUNCTUALITY_S = 3600.0
"""Widest punctuality window, either side of the scheduled time, in seconds."""


class Incident(Strict):
    """A planned disruption of the simulated day: what happens, where, when and for how long.

    `between` (two adjacent stations, in either order) or `station` says where; which one a kind
    needs is a rule of `checks.check_incident`, so that every problem of a file is reported.
    """

    at: ClockTime
    kind: IncidentKind
    between: tuple[StationName, StationName] | None = None
    station: StationName | None = None
    direction: IncidentDirection = "both"
    duration_min: float = Field(gt=0, le=MAX_INCIDENT_MIN)

    @field_validator("between", mode="before")
    @classmethod
    def _pair(cls, value: object) -> object:
        """TOML has arrays, not tuples: two station names as [A, B]."""
        if isinstance(value, list):
            if len(value) != 2:
                raise ValueError(
                    f"needs two adjacent stations [A, B], got {len(value)} "
                    f"name{'' if len(value) == 1 else 's'}"
                )
            return tuple(value)
        return value

    @property
    def at_s(self) -> int:
        """Start, in seconds after midnight of the service day."""
        return clock_to_s(self.at)

    @property
    def duration_s(self) -> float:
        """How long it lasts, in seconds."""
        return self.duration_min * 60.0


class Control(Strict):
    """How trains are regulated during the day: one strategy, and the settings of each.

    `timepoints` left out means the two terminals. The settings of a strategy not chosen are
    kept (a command line may choose another strategy) but not used.
    """

    strategy: Literal["none", "holding", "short_turn"] = "none"
    mode: Literal["schedule", "headway"] = "schedule"
    timepoints: list[StationName] | None = None
    max_hold_s: float = Field(default=120.0, gt=0, le=3600)
    crossovers: list[StationName] = Field(default_factory=list)

    def timepoint_names(self, line: Line) -> tuple[str, ...]:
        """Stations where holding may hold a train: `timepoints`, else the two terminals."""
        if self.timepoints is None:
            return (line.stations[0].name, line.stations[-1].name)
        return tuple(self.timepoints)


class Operations(Strict):
    """Day-to-day variability, disruptions and control for the service-day simulation."""

    dwell_cv: float = Field(default=0.15, ge=0, le=2)
    run_time_cv: float = Field(default=0.02, ge=0, le=1)
    incidents: list[Incident] = Field(default_factory=list)
    failure_rate_per_train_km: float = Field(default=0.0, ge=0, le=1)
    failure_recovery_min: float = Field(default=10.0, gt=0, le=MAX_INCIDENT_MIN)
    control: Control = Field(default_factory=Control)
    punctuality_window_s: tuple[float, float] = (-60.0, 180.0)

    @field_validator("punctuality_window_s", mode="before")
    @classmethod
    def _window_pair(cls, value: object) -> object:
        """TOML has arrays, not tuples: [early, late]."""
        if isinstance(value, list):
            if len(value) != 2:
                raise ValueError(f"needs two numbers [early, late], got {len(value)}")
            return tuple(value)
        return value

    @field_validator("punctuality_window_s")
    @classmethod
    def _window(cls, value: tuple[float, float]) -> tuple[float, float]:
        early, late = value
        if not early <= 0 <= late:
            raise ValueError(
                f"[{early:g}, {late:g}] must have early ≤ 0 ≤ late (seconds from the "
                "scheduled departure: early is negative, late positive)"
            )
        if early < -MAX_PUNCTUALITY_S or late > MAX_PUNCTUALITY_S:
            raise ValueError(
                f"[{early:g}, {late:g}] reaches beyond ±{MAX_PUNCTUALITY_S:g} s (one hour)"
            )
        return value

    @property
    def failure_recovery_s(self) -> float:
        """How long a randomly failed train stands, in seconds."""
        return self.failure_recovery_min * 60.0


# ---------------------------------------------------------------------------------------- gtfs
class Publication(Strict):
    """What a published GTFS feed says about its operator, route and validity."""

    agency_name: str = Field(default="lrtsim", min_length=1)
    agency_url: str = Field(default="https://example.org/lrtsim", pattern=r"^https?://\S+$")
    agency_timezone: str = Field(default="UTC", min_length=1)
    agency_lang: str = Field(default="en", pattern=r"^[a-z]{2,3}$")
    route_id: str = Field(default="1", min_length=1)
    route_short_name: str = Field(default="1", min_length=1)
    route_long_name: str = ""
    route_color: str = Field(default="0057B8", pattern=r"^[0-9A-Fa-f]{6}$")
    route_text_color: str = Field(default="FFFFFF", pattern=r"^[0-9A-Fa-f]{6}$")
    start_date: str = "20260101"
    """YYYYMMDD; a real date (checks.check_publication)."""
    end_date: str = "20261231"
    """YYYYMMDD, not before start_date."""
    feed_version: str = "1"
    contact_email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    contact_url: str | None = Field(default=None, pattern=r"^https?://\S+$")


# ------------------------------------------------------------------------------------ scenario
MAX_SEED = 2**63 - 1
"""Largest seed (a 64-bit signed integer): `Scenario.seed`, `--seed`, the results catalogue."""


class Scenario(Strict):
    """A whole scenario: only `name`, `line` and `rolling_stock` are required."""

    name: str = Field(min_length=1)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    description: str = ""
    line: Line
    rolling_stock: RollingStock
    signalling: Signalling = Field(default_factory=Signalling)
    demand: Demand = Field(default_factory=Demand)
    service: Service = Field(default_factory=Service)
    operations: Operations = Field(default_factory=Operations)
    gtfs: Publication = Field(default_factory=Publication)
