"""What the report is made of: sections of text, tables and charts, each chart both interactive
(plotly, for report.html) and static (matplotlib, for png/), and the run they describe.

The report layer sits below `pipeline` (DESIGN.md), so it reads a run through `RunView`, the
fields of `pipeline.RunResult` it needs, and never imports the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from lrtsim.capacity.analysis import HeadwayAnalysis
    from lrtsim.dynamics.line_runs import LineRuns
    from lrtsim.metrics.kpis import Kpis
    from lrtsim.model.schema import Scenario
    from lrtsim.planning.day_types import DayPlan
    from lrtsim.simulation.day import DayResult


class RunView(Protocol):
    """A run as the report reads it (`pipeline.RunResult` is one)."""

    @property
    def scenario(self) -> Scenario: ...
    @property
    def seed(self) -> int: ...
    @property
    def runs(self) -> LineRuns: ...
    @property
    def headways(self) -> HeadwayAnalysis: ...
    @property
    def day_plans(self) -> tuple[DayPlan, ...]: ...
    @property
    def design(self) -> DayPlan: ...
    @property
    def day(self) -> Scenario: ...
    @property
    def result(self) -> DayResult: ...
    @property
    def reference(self) -> DayResult | None: ...
    @property
    def kpis(self) -> Kpis: ...
    @property
    def reference_kpis(self) -> Kpis | None: ...


@dataclass(frozen=True, eq=False)
class Chart:
    """One chart: interactive for the HTML report, static (built on demand) for png/."""

    key: str
    """File stem of its PNG and HTML id: lowercase, digits and hyphens (`marey`)."""
    title: str
    """The chart's title, as it stands above it in the report."""
    figure: go.Figure
    """The interactive chart: titled, with axis titles and units."""
    static: Callable[[], Figure]
    """Builds the same chart with matplotlib (for png/)."""
    caption: str = ""
    """One or two sentences under the chart: what it shows and how to read it (plain text)."""


@dataclass(frozen=True, eq=False)
class Section:
    """One section of the report: a heading, text, tables and charts, in that order."""

    key: str
    """HTML id (lowercase, digits and hyphens)."""
    title: str
    text: tuple[str, ...] = ()
    """Paragraphs, plain text (escaped when written)."""
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Table:
    """A small table of text cells for the report (plain text, escaped when written)."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    """Per column: right-aligned (a number); empty means every column but the first."""
    note: str = ""
