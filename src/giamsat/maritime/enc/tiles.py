"""Write one PMTiles archive (MVT layer ``enc``) per cell with GDAL's PMTiles writer.

GDAL writes one MVT layer per archive through pyogrio, so every object class goes into the
layer ``enc`` with its class in ``OBJNAME``; the style filters on it. Only attributes the
display and the feature panel need are kept; list attributes become ``"3,1"`` strings.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyogrio
import shapely
from pmtiles.reader import MmapSource, Reader, all_tiles

from giamsat.maritime.enc.portrayal import (
    light_description,
    min_zoom_for_scamin,
    symbol_id,
    zoom_range,
)
from giamsat.maritime.enc.reader import CellData
from giamsat.maritime.enc.sectors import sector_rows

LAYER = "enc"
KEEP = (
    "OBJNAM", "NOBJNM", "DRVAL1", "DRVAL2", "VALDCO", "VALSOU", "WATLEV", "QUASOU", "EXPSOU",
    "CATWRK", "CATOBS", "COLOUR", "COLPAT", "BOYSHP", "BCNSHP", "TOPSHP", "CATLAM", "CATCAM",
    "CATSPM", "CATLIT", "LITCHR", "LITVIS", "SIGGRP", "SIGPER", "SECTR1", "SECTR2", "ORIENT",
    "VALNMR", "HEIGHT", "DEPTH", "CATCOV", "RESTRN", "CATREA", "CATACH", "CONVIS", "CONRAD",
    "CATLMK", "FUNCTN", "STATUS", "VERCLR", "CATSLC", "CATCBL", "CATPIP", "NATSUR", "SCAMIN",
    "LNAM",
)  # fmt: skip
POINT_DANGERS = ("WRECKS", "OBSTRN", "UWTROC")
DROP_CLASSES = {"C_AGGR", "C_ASSO", "M_NPUB", "M_NSYS"}  # no geometry or nothing to draw


@dataclass
class TileStats:
    path: Path
    min_zoom: int
    max_zoom: int
    tiles: int
    bytes: int
    largest: int
    symbols: list[str]


def _flatten(column: pa.ChunkedArray) -> pa.Array:
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        values = column.to_pylist()
        return pa.array([None if v is None else ",".join(map(str, v)) for v in values], pa.string())
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        return column.cast(pa.float64()).combine_chunks()
    return column.cast(pa.string()).combine_chunks()


def _water_depth_under(cell: CellData, points: np.ndarray) -> list[float | None]:
    """Shallowest DRVAL1 of the depth areas a danger lies in (for the isolated-danger rule)."""
    areas = cell.geometries("DEPARE")
    table = cell.layers.get("DEPARE")
    if table is None or len(areas) == 0 or len(points) == 0:
        return [None] * len(points)
    drval1 = np.array([np.nan if v is None else v for v in table["DRVAL1"].to_pylist()], float)
    tree = shapely.STRtree(areas)
    hits = tree.query(points, predicate="intersects")
    out: list[float | None] = [None] * len(points)
    for p_idx, a_idx in zip(hits[0], hits[1], strict=True):
        d = drval1[a_idx]
        if not math.isnan(d) and (out[p_idx] is None or d < out[p_idx]):  # type: ignore[operator]
            out[p_idx] = float(d)
    return out


def display_table(cell: CellData) -> tuple[pa.Table, set[str]]:
    """All drawable features of the cell in one table (geometry as WKB) plus symbol ids used."""
    _west, south, _east, north = cell.bounds()
    latitude = (south + north) / 2
    parts: list[dict[str, Any]] = []
    symbols: set[str] = set()
    for objname, table in cell.layers.items():
        if objname in DROP_CLASSES or "wkb_geometry" not in table.column_names:
            continue
        n = table.num_rows
        if n == 0:
            continue
        cols: dict[str, pa.Array] = {"OBJNAME": pa.array([objname] * n, pa.string())}
        for key in KEEP:
            if key in table.column_names:
                cols[key] = _flatten(table[key])
        rows = pa.table(cols).to_pylist()
        sym = [symbol_id(objname, r) for r in rows]
        symbols.update(s for s in sym if s)
        cols["_sym"] = pa.array(sym, pa.string())
        cols["_minz"] = pa.array(
            [min_zoom_for_scamin(r.get("SCAMIN"), latitude) for r in rows], pa.float64()
        )
        if objname == "LIGHTS":
            cols["_txt"] = pa.array([light_description(r) or None for r in rows], pa.string())
            minz = cols["_minz"].to_pylist()
            sectors = sector_rows(
                [{**r, "_minz": z} for r, z in zip(rows, minz, strict=True)],
                cell.geometries(objname),
                cell.compilation_scale or 50_000,
            )
            if sectors:
                parts.append(_sector_columns(sectors, cell.name))
        if objname in POINT_DANGERS:
            cols["_wdepth"] = pa.array(
                _water_depth_under(cell, cell.geometries(objname)), pa.float64()
            )
        cols["_cell"] = pa.array([cell.name] * n, pa.string())
        cols["geometry"] = table["wkb_geometry"].combine_chunks().cast(pa.binary())
        parts.append(cols)
    fields: dict[str, pa.DataType] = {}
    for cols in parts:
        for key, arr in cols.items():
            if key != "geometry":
                fields.setdefault(key, arr.type)
    tables = []
    for cols in parts:
        n = len(cols["geometry"])
        arrays = [cols.get(k, pa.nulls(n, t)) for k, t in fields.items()]
        tables.append(pa.table([*arrays, cols["geometry"]], names=[*fields, "geometry"]))
    return pa.concat_tables(tables), symbols


def _sector_columns(rows: list[dict[str, Any]], cell_name: str) -> dict[str, pa.Array]:
    n = len(rows)
    return {
        "OBJNAME": pa.array([r["OBJNAME"] for r in rows], pa.string()),
        "LNAM": pa.array([r["LNAM"] for r in rows], pa.string()),
        "_col": pa.array([r["_col"] for r in rows], pa.string()),
        "_part": pa.array([r["_part"] for r in rows], pa.string()),
        "_minz": pa.array([r["_minz"] for r in rows], pa.float64()),
        "_cell": pa.array([cell_name] * n, pa.string()),
        "geometry": pa.array(shapely.to_wkb([r["geometry"] for r in rows]).tolist(), pa.binary()),
    }


def write_pmtiles(cell: CellData, target: Path) -> TileStats:
    """Build ``target`` (.pmtiles) for the cell; zoom range from its compilation scale."""
    table, symbols = display_table(cell)
    _west, south, _east, north = cell.bounds()
    min_zoom, max_zoom = zoom_range(cell.compilation_scale or 50_000, (south + north) / 2)
    if target.exists():
        target.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_arrow(
            table,
            target,
            driver="PMTiles",
            layer=LAYER,
            geometry_name="geometry",
            geometry_type="Unknown",
            crs="EPSG:4326",
            dataset_options={
                "MINZOOM": str(min_zoom),
                "MAXZOOM": str(max_zoom),
                "NAME": cell.name,
                "DESCRIPTION": f"{cell.name} edition {cell.edition} update {cell.update}",
                # Never let GDAL thin a dense tile silently: allow large tiles instead.
                "MAX_SIZE": str(50_000_000),
                "MAX_FEATURES": str(10_000_000),
            },
        )
    count, total, largest = tile_sizes(target)
    return TileStats(target, min_zoom, max_zoom, count, total, largest, sorted(symbols))


def tile_sizes(path: Path) -> tuple[int, int, int]:
    """Number of tiles, their total compressed bytes and the largest one."""
    count = total = largest = 0
    with open(path, "rb") as fh:
        reader = Reader(MmapSource(fh))
        for _, data in all_tiles(reader.get_bytes):
            count += 1
            total += len(data)
            largest = max(largest, len(data))
    return count, total, largest


def file_size(path: Path) -> int:
    return os.path.getsize(path)
