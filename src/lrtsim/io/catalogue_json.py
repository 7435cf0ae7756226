"""The catalogue's runs and experiments as JSON-ready dicts: `lrtsim runs list | show | compare
--json`, `lrtsim experiment list | show --json`.

Their shape is fixed by `docs/json/runs-list.schema.json`, `runs-show.schema.json`,
`runs-compare.schema.json`, `experiments-list.schema.json` and `experiments-show.schema.json`.
Values are raw; `lrtsim.io.json_style.tidy` rounds them by unit when they are written (a
difference of `peak_load_factor` as a fraction, of `mean_wait_s` as seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lrtsim.io.catalogue_records import ExperimentRecord, KpiDifference, RunRecord, time_text


def run_payload(r: RunRecord) -> dict[str, Any]:
    """One run: every field of the catalogue's row, its status as read, its duration."""
    return {
        "id": r.id,
        "scenario": r.scenario,
        "scenario_hash": r.scenario_hash,
        "seed": r.seed,
        "status": r.status,
        "stored_status": r.stored_status,
        "started_at": time_text(r.started_at),
        "ended_at": None if r.ended_at is None else time_text(r.ended_at),
        "duration_s": r.duration_s,
        "folder": r.folder,
        "error": r.error,
        "lrtsim_version": r.lrtsim_version,
        "pid": r.pid,
        "host": r.host,
        "options": r.options,
        "kpis": r.kpis,
    }


def runs_list_payload(catalogue: str, records: Sequence[RunRecord]) -> dict[str, Any]:
    """`lrtsim runs list --json`: the catalogue and its runs, newest first."""
    return {"catalogue": catalogue, "runs": [run_payload(r) for r in records]}


def run_show_payload(catalogue: str, record: RunRecord) -> dict[str, Any]:
    """`lrtsim runs show --json`: the catalogue and the run."""
    return {"catalogue": catalogue, "run": run_payload(record)}


def runs_compare_payload(
    catalogue: str, a: RunRecord, b: RunRecord, differences: Sequence[KpiDifference]
) -> dict[str, Any]:
    """`lrtsim runs compare --json`: both runs and, by KPI, both values, run 2 − run 1 and the
    change in % of run 1 (null where either value is null, or run 1's is 0)."""
    return {
        "catalogue": catalogue,
        "run_1": run_payload(a),
        "run_2": run_payload(b),
        "differences": {
            d.key: {
                "run_1": d.a,
                "run_2": d.b,
                "difference": d.difference,
                "change_pct": None if d.relative_change is None else 100 * d.relative_change,
            }
            for d in differences
        },
    }


def experiment_payload(e: ExperimentRecord) -> dict[str, Any]:
    """One experiment: every field of the catalogue's row, its status as read, its duration."""
    return {
        "id": e.id,
        "kind": e.kind,
        "scenario": e.scenario,
        "scenario_hash": e.scenario_hash,
        "seed": e.seed,
        "days": e.days,
        "status": e.status,
        "stored_status": e.stored_status,
        "started_at": time_text(e.started_at),
        "ended_at": None if e.ended_at is None else time_text(e.ended_at),
        "duration_s": e.duration_s,
        "folder": e.folder,
        "error": e.error,
        "lrtsim_version": e.lrtsim_version,
        "pid": e.pid,
        "host": e.host,
        "options": e.options,
        "summary": e.summary,
    }


def experiments_list_payload(catalogue: str, records: Sequence[ExperimentRecord]) -> dict[str, Any]:
    """`lrtsim experiment list --json`: the catalogue and its experiments, newest first."""
    return {"catalogue": catalogue, "experiments": [experiment_payload(e) for e in records]}


def experiment_show_payload(catalogue: str, record: ExperimentRecord) -> dict[str, Any]:
    """`lrtsim experiment show --json`: the catalogue and the experiment."""
    return {"catalogue": catalogue, "experiment": experiment_payload(record)}
