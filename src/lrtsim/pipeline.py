"""The one place that chains the steps of a run: scenario → running times → headways → demand
and plan → simulated day → KPIs, as one `RunResult`.

The CLI (`lrtsim run`, `lrtsim simulate`) and the web service call these functions and never
chain the steps themselves. A caller that shows progress passes a `StepRunner`: every step is
handed to it by name, so the caller can time and display it while the pipeline stays free of
clocks and printing (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from lrtsim.errors import ScenarioError

if TYPE_CHECKING:
    from lrtsim.capacity.analysis import HeadwayAnalysis
    from lrtsim.dynamics.line_runs import LineRuns
    from lrtsim.metrics.kpis import Kpis
    from lrtsim.model.schema import Scenario
    from lrtsim.planning.day_types import DayPlan
    from lrtsim.report.sections import Section
    from lrtsim.simulation.day import DayResult

T = TypeVar("T")

STEPS = (
    "running times",
    "headways and capacity",
    "demand and service plan",
    "simulated day",
    "reference day",
    "KPIs",
)
"""The pipeline's steps in order, as named to a `StepRunner` ("reference day" only when the
day is disturbed)."""


class StepRunner(Protocol):
    """Runs one named step of the pipeline and returns its result (a caller times or shows it)."""

    def __call__(self, name: str, work: Callable[[], T], /) -> T: ...


def just_run(name: str, work: Callable[[], T], /) -> T:
    """The `StepRunner` that only runs the step."""
    return work()


@dataclass(frozen=True, eq=False)
class RunResult:
    """Everything one run computes, from the scenario to the KPIs of its simulated day."""

    scenario: Scenario
    """The scenario as run: its own incidents and control with the run's options applied."""
    seed: int
    """Seed of every random draw of the simulated day."""
    runs: LineRuns
    """Running times of the line (minimum and planned, both directions)."""
    headways: HeadwayAnalysis
    """Minimum headways, the bottleneck and the line capacity."""
    day_plans: tuple[DayPlan, ...]
    """The service plan of every day type."""
    design: DayPlan
    """The design day: the day type that needs the most trains; it is the day simulated."""
    day: Scenario
    """The scenario as it is on the design day (its hours and demand)."""
    result: DayResult
    """The simulated design day."""
    reference: DayResult | None
    """The same day, same seed, without incidents or control, when the day is disturbed."""
    kpis: Kpis
    """The simulated day's KPIs (with its delay against `reference`, when there is one)."""
    reference_kpis: Kpis | None
    """The reference day's own KPIs, when there is one."""


def configure(
    scenario: Scenario,
    incidents: Sequence[str] = (),
    control: str | None = None,
    *,
    incident_label: str = "incident",
    control_label: str = "control",
) -> Scenario:
    """The scenario with `incidents` (the command-line form `AT,KIND,A[,B],DURATION_MIN`) added
    to its own and its control strategy set to `control` (when given).

    Raises `ScenarioError` with every problem of both, each named by `incident_label` (numbered)
    or `control_label` and the key path.
    """
    from lrtsim.model.control import with_strategy
    from lrtsim.model.incidents import with_incidents

    problems: list[str] = []
    configured = scenario
    try:
        configured = with_incidents(scenario, list(incidents), label=incident_label)
    except ScenarioError as exc:
        problems += exc.problems
    if control is not None:
        try:
            configured = with_strategy(configured, control, label=f"{control_label} {control}")
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(scenario.name, problems)
    return configured


def plan_days(
    scenario: Scenario,
    daily_matrix: npt.NDArray[np.float64] | None,
    step: StepRunner = just_run,
) -> tuple[LineRuns, HeadwayAnalysis, tuple[DayPlan, ...]]:
    """The line's running times, its headways and the plan of every day type, each computed
    once (`daily_matrix`: the scenario's own OD matrix, trips per day, when it gives one)."""
    from lrtsim.capacity.analysis import analyse
    from lrtsim.dynamics.line_runs import LineRuns
    from lrtsim.planning.day_types import make_day_plans

    def runs_of_line() -> LineRuns:
        runs = LineRuns(scenario)
        _ = runs.minimum, runs.planned  # computed here, so that this step is timed as such
        return runs

    runs = step("running times", runs_of_line)
    headways = step("headways and capacity", lambda: analyse(scenario, runs=runs))
    plans = step(
        "demand and service plan",
        lambda: make_day_plans(scenario, daily_matrix, runs=runs, capacity=headways),
    )
    return runs, headways, plans


def design_scenario(scenario: Scenario, design: DayPlan) -> Scenario:
    """The scenario as it is on the design day's type (its hours and demand)."""
    from lrtsim.planning.day_types import day_scenario, day_types

    kind = next(t for t in day_types(scenario) if t.name == design.day_type)
    return day_scenario(scenario, kind)


def simulate(
    design: DayPlan, day: Scenario, seed: int, step: StepRunner = just_run
) -> tuple[DayResult, DayResult | None, Kpis, Kpis | None]:
    """The design day simulated, the reference day when it is disturbed (same plan and seed,
    no incidents, no control), the day's KPIs and the reference day's."""
    from lrtsim.model.control import is_disturbed, undisturbed
    from lrtsim.simulation.day import simulate_day

    result = step("simulated day", lambda: simulate_day(design.plan, day, seed))
    if not is_disturbed(day):
        return result, None, step("KPIs", lambda: day_kpis(day, result, None)), None
    reference = step("reference day", lambda: simulate_day(design.plan, undisturbed(day), seed))

    def both() -> tuple[Kpis, Kpis]:
        return day_kpis(day, result, reference), day_kpis(day, reference, None)

    figures, own = step("KPIs", both)
    return result, reference, figures, own


def day_kpis(day: Scenario, result: DayResult, reference: DayResult | None) -> Kpis:
    """The KPIs of a simulated day, with the delay against `reference` when given."""
    from lrtsim.metrics.kpis import kpis

    return kpis(
        result.stop_times,
        result.passengers,
        result.stop_visits,
        result.runs,
        capacity=result.capacity_pax,
        window_s=day.operations.punctuality_window_s,
        reference=None if reference is None else reference.passengers,
    )


def run_pipeline(
    scenario: Scenario,
    daily_matrix: npt.NDArray[np.float64] | None = None,
    seed: int | None = None,
    step: StepRunner = just_run,
) -> RunResult:
    """Every step of a run, on a configured scenario (`configure`); `seed` defaults to the
    scenario's. A user error (`LrtsimError`) is raised by the step it happens in."""
    from lrtsim.planning.day_types import design_day

    day_seed = scenario.seed if seed is None else seed
    runs, headways, plans = plan_days(scenario, daily_matrix, step)
    design = design_day(plans)
    day = design_scenario(scenario, design)
    result, reference, figures, reference_figures = simulate(design, day, day_seed, step)
    return RunResult(
        scenario=scenario,
        seed=day_seed,
        runs=runs,
        headways=headways,
        day_plans=plans,
        design=design,
        day=day,
        result=result,
        reference=reference,
        kpis=figures,
        reference_kpis=reference_figures,
    )


@dataclass(frozen=True)
class RunFiles:
    """A run folder's files (relative name → bytes) and why it has no GTFS feed (None: it has)."""

    files: dict[str, bytes]
    no_gtfs: str | None


def run_files(
    run: RunResult, scenario_toml: str, *, title: str, generated: str, step: StepRunner = just_run
) -> RunFiles:
    """Every file of a run folder: the report (`report.html`, `png/`), the published plan
    (`gtfs.zip`, `timetable.csv`, `blocks.csv`), the simulated day (`events.parquet`,
    `passengers.parquet`, `kpis.json`) and `scenario_toml` as `scenario.toml`.

    `title` heads the report; `generated` is the run's time as the report prints it.
    """
    from lrtsim.io.day_files import day_files
    from lrtsim.io.outputs import plan_files
    from lrtsim.io.payloads import simulate_payload
    from lrtsim.report.html import report_html
    from lrtsim.report.static_files import static_pngs

    def published() -> tuple[dict[str, bytes], str | None]:
        return plan_files(run.scenario, run.day_plans)

    plan, no_gtfs = step("timetable, blocks and GTFS feed", published)
    payload = simulate_payload(run.day, run.design.day_type, run.seed, run.kpis)
    day = step("event log and passengers", lambda: day_files(run.result, payload))
    sections = step("report charts", lambda: report_sections(run))
    html = step("report.html", lambda: report_html(run, sections, title=title, generated=generated))
    pngs = step("png/ static charts", lambda: static_pngs(sections))
    files = {
        **plan,
        **day,
        "report.html": html.encode("utf-8"),
        **pngs,
        "scenario.toml": scenario_toml.encode("utf-8"),
    }
    return RunFiles(files=files, no_gtfs=no_gtfs)


def report_sections(run: RunResult) -> list[Section]:
    """The report's sections in reading order."""
    from lrtsim.report.capacity_charts import capacity_section
    from lrtsim.report.day_charts import marey_section
    from lrtsim.report.demand_charts import demand_section
    from lrtsim.report.energy_charts import energy_section
    from lrtsim.report.kpi_table import kpi_section
    from lrtsim.report.line_charts import line_section
    from lrtsim.report.reliability_charts import reliability_section
    from lrtsim.report.service_charts import service_section
    from lrtsim.report.speed_charts import speed_section
    from lrtsim.report.summary import summary_section

    return [
        summary_section(run),
        line_section(run),
        speed_section(run),
        capacity_section(run),
        demand_section(run),
        service_section(run),
        marey_section(run),
        reliability_section(run),
        kpi_section(run),
        energy_section(run),
    ]
