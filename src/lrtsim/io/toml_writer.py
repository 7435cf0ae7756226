"""TOML text of nested dicts, with comments above keys and tables (`tomllib` only reads TOML).

It writes scalars, arrays, arrays of inline tables and nested tables, a comment block above any
key or table and a trailing comment after each item of an array of tables, and escapes strings
and keys as TOML 1.0 requires (https://toml.io/en/v1.0.0#string), so that `tomllib.loads` gives
the dict back.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class TomlDocument:
    """A nested dict and its comments, kept apart until written, so a later step can change
    values and add comments (`toml_text` says what each part holds)."""

    raw: dict[str, Any]
    comments: dict[str, list[str]] = field(default_factory=dict)
    item_comments: dict[str, list[str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The document as TOML."""
        return toml_text(self.raw, self.comments, self.item_comments)


def toml_text(
    raw: dict[str, Any],
    comments: dict[str, list[str]] | None = None,
    item_comments: dict[str, list[str]] | None = None,
) -> str:
    """TOML text of a nested dict, with comments before keys and tables.

    Takes scalars (str, bool, int, finite float), arrays of scalars, arrays of arrays (pairs),
    arrays of flat inline tables, and nested tables. Below the top level, a dict whose values are
    all scalars and that has at most four keys is written inline; other dicts become [tables].
    `comments` maps a dotted key path ('' for the top of the file) to comment lines, wrapped at
    100 columns; `item_comments` maps the path of an array of tables to one trailing comment per
    item.
    """
    notes = comments or {}
    per_item = item_comments or {}
    lines = _comment_block(notes.get("", []))
    if lines:
        lines.append("")
    _write_table(lines, raw, "", notes, per_item)
    return "\n".join(lines).rstrip("\n") + "\n"


def _is_inline(value: Any) -> bool:
    """A short flat dict, written as an inline table (`{ a = 1, b = "x" }`)."""
    return (
        isinstance(value, dict) and len(value) <= 4 and all(_is_scalar(v) for v in value.values())
    )


def _is_scalar(value: Any) -> bool:
    """A TOML string, boolean, integer or float."""
    return isinstance(value, str | bool | int | float)


def _write_table(
    lines: list[str],
    table: dict[str, Any],
    path: str,
    notes: dict[str, list[str]],
    per_item: dict[str, list[str]],
) -> None:
    """Append a table's lines: its keys first, then its sub-tables, each under its comments."""

    def is_table(value: Any) -> bool:
        return isinstance(value, dict) and (not path or not _is_inline(value))

    subtables = [(k, v) for k, v in table.items() if is_table(v)]
    for key, value in table.items():
        if is_table(value):
            continue
        full = f"{path}.{key}" if path else key
        lines.extend(_comment_block(notes.get(full, [])))
        if isinstance(value, list) and value and not all(_is_scalar(v) for v in value):
            lines.append(f"{_key(key)} = [")
            trailing = per_item.get(full, [])
            if all(isinstance(v, dict) for v in value):
                for i, item in enumerate(value):
                    comment = _comment_lines([trailing[i]]) if i < len(trailing) else []
                    suffix = f"  # {comment[0]}" if comment else ""
                    lines.append(f"  {_value(item)},{suffix}")
            else:
                for i in range(0, len(value), 4):
                    lines.append("  " + ", ".join(_value(v) for v in value[i : i + 4]) + ",")
            lines.append("]")
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in subtables:
        full = f"{path}.{key}" if path else key
        lines.append("")
        lines.extend(_comment_block(notes.get(full, [])))
        lines.append(f"[{'.'.join(_key(p) for p in full.split('.'))}]")
        _write_table(lines, value, full, notes, per_item)


def _comment_block(texts: Sequence[str]) -> list[str]:
    """Comment lines wrapped at 100 columns."""
    return [
        f"# {part}"
        for text in _comment_lines(texts)
        for part in textwrap.wrap(text, width=98, break_long_words=False, break_on_hyphens=False)
    ]


def _comment_lines(texts: Sequence[str]) -> list[str]:
    """Comment text made safe: one line each, no control characters."""
    return ["".join(c for c in " ".join(t.split()) if c >= " " and c != "\x7f") for t in texts]


def _key(key: str) -> str:
    """A bare key when TOML allows one, else a quoted key."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _string(key)


def _string(text: str) -> str:
    """A basic string: quote and backslash escaped, control characters as \\uXXXX."""
    out = ['"']
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c < " " or c == "\x7f":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _value(value: Any) -> str:
    """A value as TOML: scalars, arrays and inline tables, recursively."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be written: TOML written here takes finite numbers")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
