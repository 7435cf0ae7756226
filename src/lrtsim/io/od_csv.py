"""Read a daily origin–destination matrix from CSV: station names as the header row and the
first column, trips per day in the cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.model.schema import Scenario


def read_od_csv(path: Path, stations: list[str]) -> npt.NDArray[np.float64]:
    """The matrix in line order of `stations`; every station once as a row and as a column."""
    try:
        table = pd.read_csv(path, index_col=0)
    except FileNotFoundError:
        raise LrtsimError(f"demand.od_matrix_csv: no such file {path}") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise LrtsimError(f"demand.od_matrix_csv: cannot read {path}: {exc}") from None
    table.index = [str(i).strip() for i in table.index]
    table.columns = [str(c).strip() for c in table.columns]
    for axis, names in (("row", list(table.index)), ("column", list(table.columns))):
        missing = [s for s in stations if s not in names]
        extra = [s for s in names if s not in stations]
        if missing or extra or len(set(names)) != len(names):
            raise LrtsimError(
                f"demand.od_matrix_csv {path}: the {axis} names must be the line's stations once "
                f"each; missing {missing or 'none'}, unknown {extra or 'none'}"
            )
    try:
        values = table.loc[stations, stations].to_numpy(dtype=np.float64)
    except ValueError:
        raise LrtsimError(f"demand.od_matrix_csv {path}: every cell must be a number") from None
    if not np.isfinite(values).all() or (values < 0).any():
        raise LrtsimError(f"demand.od_matrix_csv {path}: cells must be finite numbers ≥ 0")
    return values


def od_csv_path(scenario: Scenario, ref: str) -> Path | None:
    """The file `demand.od_matrix_csv` names, if any: a relative path is read from beside the
    scenario file `ref` (for an embedded scenario, from the working folder)."""
    if not scenario.demand.od_matrix_csv:
        return None
    csv = Path(scenario.demand.od_matrix_csv)
    if not csv.is_absolute() and Path(ref).is_file():
        csv = Path(ref).parent / csv
    return csv


def scenario_od_matrix(scenario: Scenario, ref: str) -> npt.NDArray[np.float64] | None:
    """The scenario's own OD matrix (`od_csv_path`), or None when it names none."""
    csv = od_csv_path(scenario, ref)
    return None if csv is None else read_od_csv(csv, [s.name for s in scenario.line.stations])
