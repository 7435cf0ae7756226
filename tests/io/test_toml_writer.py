"""The TOML writer: what it writes loads back with `tomllib`, strings and comments made safe."""

from __future__ import annotations

from typing import Any

from lrtsim.io.toml_writer import toml_text


def test_toml_writer_escapes_strings_and_comments() -> None:
    raw: dict[str, Any] = {
        "name": 'quote " back \\ tab \t nl \n del \x7f é',
        "seed": 3,
        "flag": True,
        "nested": {"pairs": [(1.5, -2.25), (1e-7, 3.0)], "inline": {"a": 1, "b": "x"}},
    }
    text = toml_text(raw, {"": ["top\nline", "bell \x07 gone"], "nested.pairs": ["p"]})
    import tomllib

    back = tomllib.loads(text)
    assert back["name"] == raw["name"]
    assert back["seed"] == 3
    assert back["flag"] is True
    assert back["nested"]["pairs"] == [[1.5, -2.25], [1e-7, 3.0]]
    assert back["nested"]["inline"] == {"a": 1, "b": "x"}
    assert "\x07" not in text
