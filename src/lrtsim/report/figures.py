"""Figures to files: the format is the one the file's extension names (PNG, SVG, PDF, JPEG…)."""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.figure import Figure

from lrtsim.io.atomic import OutputError, write_bytes_atomic

FORMATS = {
    ".png": "png",
    ".svg": "svg",
    ".pdf": "pdf",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".eps": "eps",
    ".ps": "ps",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".webp": "webp",
}
"""File extensions a plot may have and the matplotlib format each one writes."""


def figure_format(path: Path) -> str:
    """The matplotlib format for `path`'s extension; `OutputError` for an unknown one."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        shown = f"'{suffix}'" if suffix else "no extension"
        raise OutputError(f"cannot write the plot {path}: {shown} is not a plot format ({known})")
    return FORMATS[suffix]


def save_figure(fig: Figure, path: Path) -> None:
    """Render `fig` in the format of `path`'s extension and write it atomically."""
    fmt = figure_format(path)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt)
    write_bytes_atomic(path, buffer.getvalue())
