"""Names made safe for identifiers: scenario names, GTFS ids, file names."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str) -> str:
    """ASCII lower-case words joined by hyphens ('Mangilik El' → 'mangilik-el', 'Café' → 'cafe').

    Accents are dropped (NFKD, then ASCII); any other run of characters that are not a–z or 0–9
    becomes one hyphen. Returns '' when nothing is left: the caller gives its own fallback.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
