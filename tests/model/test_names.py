"""`slug`: ASCII, lower-case, hyphen-joined names; '' when nothing is left."""

from __future__ import annotations

import pytest

from lrtsim.model.names import slug, stop_ids


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


def test_stop_ids_take_the_code_else_the_name_and_are_unique() -> None:
    from types import SimpleNamespace

    stations = [
        SimpleNamespace(code="A1", name="Alpha"),
        SimpleNamespace(code=None, name="Mangilik El"),
        SimpleNamespace(code="  ", name="Mangilik El"),
        SimpleNamespace(code=None, name="Нұрлы жол"),
        SimpleNamespace(code="A1", name="Other"),
    ]
    ids = stop_ids(stations)  # type: ignore[arg-type]
    assert ids == ("A1", "mangilik-el", "mangilik-el-2", "station-4", "A1-2")
    assert len(set(ids)) == len(ids)
