"""Report sections made in the tests from a run's own data (a line chart, a heatmap, two
stacked plots), so that the HTML report can be tested before the chart modules exist.

Each chart has an interactive (plotly) and a static (matplotlib) version of the same data,
titled and with axis titles and units, as `report.sections.Chart` asks.
"""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure
from plotly.subplots import make_subplots

from lrtsim.report.sections import Chart, RunView, Section, Table
from lrtsim.report.style import DIRECTION_COLOURS, static_figure, style_figure

HOSTILE = "<script>alert('x')</script> & \"Ω\""
"""Text that must stay text wherever the report writes it."""


def headway_chart(run: RunView) -> Chart:
    """The design day's planned headway and policy headway by period, a step line each."""
    periods = run.design.plan.periods
    hours = [p.from_s / 3600 for p in periods] + [periods[-1].to_s / 3600]
    headway = [p.headway_s / 60 for p in periods]
    policy = [p.policy_headway_s / 60 for p in periods]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=hours, y=[*headway, headway[-1]], name="planned", line_shape="hv"))
    fig.add_trace(
        go.Scatter(
            x=hours, y=[*policy, policy[-1]], name="policy", line_shape="hv", line={"dash": "dash"}
        )
    )
    style_figure(fig, "Headway by period", "time of day (h)", "headway (min)")

    def static() -> Figure:
        f = static_figure()
        ax = f.add_subplot()
        ax.step(hours, [*headway, headway[-1]], where="post", label="planned")
        ax.step(hours, [*policy, policy[-1]], where="post", label="policy", linestyle="--")
        ax.set(title="Headway by period", xlabel="time of day (h)", ylabel="headway (min)")
        ax.legend()
        return f

    return Chart("headways", "Headway by period", fig, static, f"Caption with {HOSTILE}.")


def load_heatmap(run: RunView, station_label: str = HOSTILE) -> Chart:
    """Passengers per hour on each link, direction up, by hour of day; the first link is
    named with `station_label` so that a hostile name reaches the chart's data."""
    loads = run.design.plan.loads
    z = loads.link_in("up")
    names = list(loads.stations)
    links = [f"{a} – {b}" for a, b in itertools.pairwise(names)]
    links[0] = station_label
    fig = go.Figure(
        go.Heatmap(
            z=z.T,
            x=list(range(z.shape[0])),
            y=links,
            colorscale="Blues",
            colorbar={"title": {"text": "pax/h"}},
        )
    )
    style_figure(fig, "Link load, direction up", "hour of day", "link")
    fig.update_layout(height=620)

    def static() -> Figure:
        f = static_figure((10.0, 7.0))
        ax = f.add_subplot()
        image = ax.imshow(z.T, aspect="auto", cmap="Blues", origin="lower")
        ax.set_yticks(range(len(links)), links, fontsize=7)
        ax.set(title="Link load, direction up", xlabel="hour of day", ylabel="link")
        f.colorbar(image, ax=ax, label="pax/h")
        return f

    return Chart("link-load-up", "Link load, direction up", fig, static)


def boardings_subplots(run: RunView) -> Chart:
    """Boardings per hour of the whole line, each direction in its own plot, one above the
    other (a figure with two x and two y axes)."""
    loads = run.design.plan.loads
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12)
    series = {d: loads.boardings_in(d).sum(axis=1) for d in ("up", "down")}
    hours = np.arange(len(series["up"]))
    for row, (direction, values) in enumerate(series.items(), start=1):
        fig.add_trace(
            go.Bar(x=hours, y=values, name=direction, marker_color=DIRECTION_COLOURS[direction]),
            row=row,
            col=1,
        )
    style_figure(fig, "Boardings by hour", "hour of day", "boardings (pax/h)")
    fig.update_layout(height=560)

    def static() -> Figure:
        f = static_figure((10.0, 6.0))
        axes = f.subplots(2, 1, sharex=True)
        for ax, (direction, values) in zip(axes, series.items(), strict=True):
            ax.bar(hours, values, color=DIRECTION_COLOURS[direction], label=direction)
            ax.set_ylabel("boardings (pax/h)")
            ax.legend()
        axes[0].set_title("Boardings by hour")
        axes[1].set_xlabel("hour of day")
        return f

    return Chart("boardings", "Boardings by hour", fig, static, "Up above, down below.")


def sample_sections(run: RunView) -> tuple[Section, ...]:
    """Two sections of charts and a table, one of them titled with hostile text."""
    periods = run.design.plan.periods
    table = Table(
        title=f"Periods {HOSTILE}",
        header=("period", "headway min", "max load pax/h"),
        rows=tuple(
            (p.label, f"{p.headway_s / 60:g}", f"{p.max_load_pax_per_h:,.0f}") for p in periods
        ),
        note=HOSTILE,
    )
    return (
        Section(
            key="service-sample",
            title="Service by period",
            text=("The planned headway never exceeds the policy's.", HOSTILE),
            tables=(table,),
            charts=(headway_chart(run),),
        ),
        Section(
            key="demand-sample",
            title=f"Demand {HOSTILE}",
            charts=(load_heatmap(run), boardings_subplots(run)),
        ),
    )
