"""Read S-57 cells through GDAL's S57 driver (pyogrio), with update files applied.

GDAL applies ``CELL.001``, ``.002`` … found beside ``CELL.000`` (``UPDATES=APPLY``). We read
feature counts with the driver's default options, exactly as any GDAL user would, and the
display data with soundings split into points carrying their depth (MVT has no Z).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyogrio
import shapely
from pyogrio.raw import read_arrow

DISPLAY_OPTIONS = {"SPLIT_MULTIPOINT": "ON", "ADD_SOUNDG_DEPTH": "ON", "UPDATES": "APPLY"}
NOT_FEATURES = {"DSID"}  # the data set descriptive record, not an object class


class CellReadError(ValueError):
    """GDAL could not read the cell (message says which file and why)."""


@dataclass
class CellData:
    """Everything the importer needs from one cell, read once."""

    path: Path
    dsid: dict[str, Any]
    counts: dict[str, int]
    layers: dict[str, pa.Table] = field(default_factory=dict)  # display read, geometry as WKB

    @property
    def name(self) -> str:
        return str(self.dsid.get("DSID_DSNM") or self.path.name).split(".")[0]

    @property
    def edition(self) -> int:
        return int(self.dsid.get("DSID_EDTN") or 0)

    @property
    def update(self) -> int:
        return int(self.dsid.get("DSID_UPDN") or 0)

    @property
    def usage_band(self) -> int:
        return int(self.dsid.get("DSID_INTU") or 0)

    @property
    def compilation_scale(self) -> int:
        return int(self.dsid.get("DSPM_CSCL") or 0)

    def geometries(self, name: str) -> np.ndarray:
        table = self.layers.get(name)
        if table is None or "wkb_geometry" not in table.column_names:
            return np.array([], dtype=object)
        return shapely.from_wkb(table["wkb_geometry"].to_numpy(zero_copy_only=False))

    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north of the cell's data coverage (or of all features)."""
        cov = self.coverage()
        if cov is not None and not cov.is_empty:
            return tuple(float(v) for v in cov.bounds)  # type: ignore[return-value]
        boxes = [shapely.total_bounds(self.geometries(n)) for n in self.layers]
        boxes = [b for b in boxes if np.isfinite(b).all()]
        if not boxes:
            raise CellReadError(f"{self.path}: the cell has no geometry")
        arr = np.array(boxes)
        return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())

    def coverage(self) -> shapely.Geometry | None:
        """Union of M_COVR areas with CATCOV = 1 (where the cell has data)."""
        table = self.layers.get("M_COVR")
        if table is None or table.num_rows == 0:
            return None
        geoms = self.geometries("M_COVR")
        catcov = table["CATCOV"].to_pylist() if "CATCOV" in table.column_names else [1] * len(geoms)
        keep = [g for g, c in zip(geoms, catcov, strict=True) if c == 1 and g is not None]
        return shapely.union_all(keep) if keep else None

    def contours(self) -> list[float]:
        table = self.layers.get("DEPCNT")
        if table is None or "VALDCO" not in table.column_names:
            return []
        values = {float(v) for v in table["VALDCO"].to_pylist() if v is not None}
        return sorted(values)


def _open_check(path: Path) -> None:
    if not path.is_file():
        raise CellReadError(f"{path}: no such file")


def layer_names(path: Path) -> list[str]:
    _open_check(path)
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise CellReadError(f"{path}: GDAL cannot open the cell: {exc}") from None


def read_dsid(path: Path) -> dict[str, Any]:
    _, table = read_arrow(path, layer="DSID")
    rows = table.to_pylist()
    if not rows:
        raise CellReadError(f"{path}: no DSID record")
    return rows[0]


def feature_counts(path: Path) -> dict[str, int]:
    """Features per object class as GDAL reads them (default options, updates applied)."""
    counts: dict[str, int] = {}
    for name in layer_names(path):
        if name in NOT_FEATURES:
            continue
        info = pyogrio.read_info(path, layer=name, force_feature_count=True)
        counts[name] = int(info["features"])
    return counts


def read_cell(path: Path | str) -> CellData:
    """Read a cell (updates beside it are applied) for display and counting."""
    path = Path(path)
    names = layer_names(path)
    if "DSID" not in names:
        raise CellReadError(f"{path}: not an S-57 cell (no DSID)")
    data = CellData(path=path, dsid=read_dsid(path), counts=feature_counts(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            if name in NOT_FEATURES:
                continue
            _, table = read_arrow(path, layer=name, **DISPLAY_OPTIONS)
            data.layers[name] = table
    return data
