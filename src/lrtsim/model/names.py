"""Names made safe for identifiers: scenario names, GTFS ids, file names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrtsim.model.schema import Station


def slug(text: str) -> str:
    """ASCII lower-case words joined by hyphens ('Mangilik El' → 'mangilik-el', 'Café' → 'cafe').

    Accents are dropped (NFKD, then ASCII); any other run of characters that are not a–z or 0–9
    becomes one hyphen. Returns '' when nothing is left: the caller gives its own fallback.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def stop_ids(stations: Sequence[Station]) -> tuple[str, ...]:
    """The public id of each station (GTFS stop_id, the timetable's `stop_id`): its code where
    it has one, else a slug of its name, else `station-N`; made unique with `-2`, `-3`… suffixes."""
    ids: list[str] = []
    for i, station in enumerate(stations):
        base = (station.code or "").strip() or slug(station.name) or f"station-{i + 1}"
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return tuple(ids)
