"""The KPI section: every KPI, its unit and definition, against the reference day."""

from __future__ import annotations

import dataclasses

from lrtsim.metrics.kpis import KPI_JSON_KEYS, Kpis
from lrtsim.pipeline import RunResult, day_kpis
from lrtsim.report.kpi_table import KPI_DEFINITIONS, format_value, kpi_section


def test_definitions_cover_every_kpi_once() -> None:
    keys = [k for k, *_ in KPI_DEFINITIONS]
    assert len(keys) == len(set(keys))
    assert set(KPI_JSON_KEYS) <= set(keys)
    assert set(keys) == {f.name for f in dataclasses.fields(Kpis)}
    assert all(label and definition for _, label, _, definition in KPI_DEFINITIONS)


def test_table_covers_every_contract_key_with_values(astana_run: RunResult) -> None:
    table = kpi_section(astana_run).tables[0]
    assert table.header == ("KPI", "value", "unit", "reference day", "difference", "definition")
    labels = {k: label for k, label, *_ in KPI_DEFINITIONS}
    by_label = {row[0]: row for row in table.rows}
    for key, value in astana_run.kpis.contract().items():
        row = by_label[labels[key]]
        unit = next(u for k, _, u, _ in KPI_DEFINITIONS if k == key)
        assert row[1] == format_value(value, unit)


def test_reference_column_is_the_pipelines_kpis_of_the_reference_day(
    astana_run: RunResult, astana_calm: RunResult
) -> None:
    assert astana_run.reference is not None
    ref = astana_run.reference_kpis
    assert ref is not None
    assert ref == day_kpis(astana_run.day, astana_run.reference, None)
    # The reference day is the undisturbed day: the calm run of the same seed, figure for figure.
    assert ref.contract() == astana_calm.kpis.contract()
    assert astana_calm.reference_kpis is None
    table = kpi_section(astana_run).tables[0]
    row = next(r for r in table.rows if r[0] == "Punctuality")
    assert row[3] == format_value(ref.punctuality_pct, "%")
    delta = astana_run.kpis.punctuality_pct - ref.punctuality_pct
    assert row[4] == format_value(delta, "%")
    # Without a reference day: no such columns.
    calm = kpi_section(astana_calm).tables[0]
    assert "reference day" not in calm.header
    assert len(calm.rows[0]) == 4
