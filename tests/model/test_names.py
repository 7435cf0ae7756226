"""`slug`: ASCII, lower-case, hyphen-joined names; '' when nothing is left."""

from __future__ import annotations

import pytest

from lrtsim.model.names import slug


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mangilik El", "mangilik-el"),
        ("TriMet MAX Green Line", "trimet-max-green-line"),
        ("  Café — Gare du Nord (Paris)  ", "cafe-gare-du-nord-paris"),
        ("Nurly Zhol/Line_1", "nurly-zhol-line-1"),
        ("ÅÄÖ 42", "aao-42"),
        ("---", ""),
        ("Нұрлы жол", ""),  # Cyrillic has no ASCII form: the caller's fallback applies
        ("", ""),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_a_slug_is_its_own_slug() -> None:
    for text in ("Mangilik El", "Café — Gare", "a--b", "x1 y2"):
        once = slug(text)
        assert slug(once) == once
        assert all(c.isascii() and (c.isalnum() or c == "-") for c in once)
        assert not once.startswith("-")
        assert not once.endswith("-")
        assert "--" not in once
