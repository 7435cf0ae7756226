"""The static charts of a report: every chart's matplotlib twin rendered to PNG bytes, for the
run folder's png/ (for slides and documents, where an interactive chart cannot go)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrtsim.report.sections import Section

PNG_FOLDER = "png"
"""Folder of the PNGs in the run folder."""


def png_name(key: str) -> str:
    """The run-folder path of a chart's PNG: `png/<key>.png`."""
    return f"{PNG_FOLDER}/{key}.png"


def static_pngs(sections: Sequence[Section]) -> dict[str, bytes]:
    """`png/<key>.png` → PNG bytes for every chart of `sections`, in report order.

    Each figure is built, rendered and released in turn, so that only one is alive at a time.
    The PNGs carry no software or date metadata, so the same charts give the same bytes.
    Raises ValueError when two charts share a key (their PNGs would overwrite each other).
    """
    files: dict[str, bytes] = {}
    for section in sections:
        for chart in section.charts:
            name = png_name(chart.key)
            if name in files:
                raise ValueError(f"two charts have the key {chart.key!r}: {name} would be lost")
            figure = chart.static()
            try:
                files[name] = render_png(figure)
            finally:
                release(figure)
    return files


def render_png(figure: Figure) -> bytes:
    """`figure` as PNG bytes at its own size and dpi, without metadata that would change from
    one run to the next (matplotlib's version as `Software`)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def release(figure: Figure) -> None:
    """Free a figure's artists, and close it in pyplot if pyplot manages it (a figure made
    with `plt.figure` stays alive in pyplot until it is closed)."""
    if getattr(figure.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(figure)
    figure.clear()
