"""Blocking-time diagram of two trains at the minimum headway, around the bottleneck."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lrtsim.capacity.analysis import DirectionCapacity, HeadwayAnalysis
from lrtsim.report.figures import save_figure

STATIONS_AROUND = 2


def headway_window(d: DirectionCapacity, position_m: float, terminal: bool) -> tuple[float, float]:
    """The stretch (run metres) the diagram shows: `STATIONS_AROUND` stations either side of
    `position_m`, or the last 2 × `STATIONS_AROUND` interstations before a terminal."""
    stops = d.trip.stop_m
    if terminal:
        return float(stops[max(0, len(stops) - 1 - 2 * STATIONS_AROUND)]), float(stops[-1])
    i = int(np.searchsorted(stops, position_m))
    lo = stops[max(0, i - STATIONS_AROUND)]
    hi = stops[min(len(stops) - 1, i + STATIONS_AROUND)]
    return float(lo), float(hi)


def plot_headway(analysis: HeadwayAnalysis, path: Path) -> None:
    """Write two trains' blocking-time stairways (or moving-block envelopes) over distance and
    time, the follower at the line's minimum headway, around the bottleneck; the file's format
    is the one its extension names."""
    fig = headway_figure(analysis)
    fig.tight_layout()
    save_figure(fig, path)


def headway_figure(analysis: HeadwayAnalysis, fig: Figure | None = None) -> Figure:
    """The diagram `plot_headway` writes, drawn into `fig` (a new 11 × 7 in figure when not
    given); the report's static chart draws it into a figure of its own size."""
    fig = Figure(figsize=(11, 7), dpi=120) if fig is None else fig
    b = analysis.bottleneck
    d = analysis.direction(b.direction)
    lo, hi = headway_window(d, b.position_m, b.kind == "terminal")
    st = d.stairway
    keep = (st.from_m >= lo - 1e-6) & (st.to_m <= hi + 1e-6) & ~np.isnan(st.end_s)
    h = analysis.line_min_headway_s
    trip = d.trip
    ax = fig.add_subplot()
    km0 = lo
    edges = np.concatenate([st.from_m[keep], st.to_m[keep][-1:]]) if keep.any() else np.zeros(0)
    for shift, colour, label in ((0.0, "#1f77b4", "leader"), (h, "#d62728", "follower")):
        if keep.any():
            start = np.concatenate([st.start_s[keep], st.start_s[keep][-1:]]) + shift
            end = np.concatenate([st.end_s[keep], st.end_s[keep][-1:]]) + shift
            ax.fill_between(
                (edges - km0) / 1000.0,
                start / 60.0,
                end / 60.0,
                step="post",
                color=colour,
                alpha=0.25,
                linewidth=0,
                label=f"{label}: blocking time",
            )
        inside = (trip.position_m >= lo) & (trip.position_m <= hi)
        x = trip.position_m[inside]
        ax.plot((x - km0) / 1000.0, (trip.arrival_s[inside] + shift) / 60.0, color=colour, lw=1.6)
        ax.plot((x - km0) / 1000.0, (trip.departure_s[inside] + shift) / 60.0, color=colour, lw=1.6)
    if b.kind == "terminal":
        term = next(t for t in analysis.terminals if t.name == b.where)
        held, binding = term.binding.occupation_s, term.binding.name
        end_km = (trip.end_m - km0) / 1000.0
        width = max((hi - lo) / 1000.0 * 0.04, 0.05)
        arrival = float(trip.arrival_s[-1])
        for shift, colour in ((0.0, "#1f77b4"), (h, "#d62728")):
            ax.add_patch(
                Rectangle(
                    (end_km, (arrival + shift) / 60.0),
                    width,
                    held / 60.0,
                    color=colour,
                    alpha=0.5,
                    linewidth=0,
                )
            )
        ax.text(
            end_km + width * 1.2,
            (arrival + h) / 60.0,
            f"{b.where}: {binding.replace('_', ' ')}\nheld {held:.0f} s a train",
            fontsize=8,
            va="center",
        )
        ax.set_xlim(right=end_km + width * 6)
    for s, name in zip(trip.stop_m, trip.stop_names, strict=True):
        if lo - 1 <= s <= hi + 1:
            ax.axvline((s - km0) / 1000.0, color="grey", lw=0.6, ls=":")
            ax.text(
                (s - km0) / 1000.0,
                1.01,
                name,
                rotation=30,
                fontsize=8,
                transform=ax.get_xaxis_transform(),
                ha="left",
                va="bottom",
            )
    ax.invert_yaxis()
    ax.set_xlabel(
        f"distance from {trip.stop_names[int(np.searchsorted(trip.stop_m, lo))]} (km), "
        f"direction {d.direction}"
    )
    ax.set_ylabel("time (min)")
    kind = (
        "moving block (drawn as 10 m virtual blocks)"
        if d.rule.kind == "moving_block"
        else ("fixed block")
    )
    ax.set_title(
        f"{analysis.scenario}: {kind}; two trains {h:.1f} s apart (line minimum headway)\n"
        f"bottleneck: {b.where} ({b.kind}, {b.direction}) — "
        f"{analysis.trains_per_hour:.1f} trains/h",
        fontsize=10,
        pad=48,
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    return fig
