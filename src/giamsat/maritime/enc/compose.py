"""Serve one chart source from many per-cell PMTiles: the best-scale cell wins where cells overlap.

For a tile z/x/y we take every cell whose bounds meet the tile and whose zoom range has begun,
best first (higher usage band, then larger compilation scale, then newer issue). A cell's
features are kept only outside the M_COVR data coverage of the better cells already drawn, so
a harbour cell replaces the approach cell under it. A cell past its max zoom is overzoomed
here (scaled and clipped), so the client sees one source with one zoom range. The common case
(one cell, or the best cell covering the whole tile, at a native zoom) returns the stored tile
bytes untouched.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pmtiles.reader import MmapSource, Reader
from shapely.geometry import box, shape

from giamsat.maritime.enc import mvt

EXTENT = 4096
BUFFER = 80  # GDAL's MVT writer default, in tile units


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """West, south, east, north (degrees) of a Web Mercator tile."""
    n = 2.0**z

    def lat(yy: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def lonlat_to_tile_xy(lon: Any, lat: Any, z: int, x: int, y: int) -> tuple[Any, Any]:
    """Degrees → coordinates in tile (z, x, y) units, 0..EXTENT, y down (vectorised)."""
    n = 2.0**z
    lat_r = np.radians(np.clip(lat, -85.05112878, 85.05112878))
    gx = (np.asarray(lon) + 180.0) / 360.0 * n
    gy = (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0 * n
    return (gx - x) * EXTENT, (gy - y) * EXTENT


@dataclass
class CellSource:
    name: str
    path: Path
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]
    coverage: shapely.Geometry | None
    priority: tuple

    @classmethod
    def from_row(cls, row: dict[str, Any], path: Path) -> CellSource:
        cov = shape(row["coverage"]) if row.get("coverage") else None
        priority = (
            -int(row["usage_band"]),
            int(row["compilation_scale"] or 10**9),
            -int(row["issue_date"] or 0) if str(row["issue_date"] or "").isdigit() else 0,
            row["name"],
        )
        bounds = (row["west"], row["south"], row["east"], row["north"])
        return cls(row["name"], path, row["min_zoom"], row["max_zoom"], bounds, cov, priority)


class TileComposer:
    """Composite tiles over a set of cells; keeps readers open and a small LRU of results."""

    def __init__(self, cells: list[CellSource], cache_size: int = 512) -> None:
        self.cells = sorted(cells, key=lambda c: c.priority)
        self._readers: dict[Path, tuple[Any, Reader]] = {}
        self._cache: OrderedDict[tuple[int, int, int], bytes | None] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def min_zoom(self) -> int:
        return min((c.min_zoom for c in self.cells), default=0)

    @property
    def max_zoom(self) -> int:
        return max((c.max_zoom for c in self.cells), default=14)

    def close(self) -> None:
        for fh, _ in self._readers.values():
            fh.close()
        self._readers.clear()

    def _reader(self, path: Path) -> Reader:
        if path not in self._readers:
            fh = open(path, "rb")  # noqa: SIM115 - kept open for mmap reads
            self._readers[path] = (fh, Reader(MmapSource(fh)))
        return self._readers[path][1]

    def cell_tile(self, cell: CellSource, z: int, x: int, y: int) -> bytes | None:
        """The stored tile of one cell (gzip MVT) or None."""
        return self._reader(cell.path).get(z, x, y)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        key = (z, x, y)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            result = self._compose(z, x, y)
            self._cache[key] = result
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return result

    def _compose(self, z: int, x: int, y: int) -> bytes | None:
        w, s, e, n = tile_bounds(z, x, y)
        tile_box = box(w, s, e, n)
        candidates = []
        for cell in self.cells:
            cw, cs, ce, cn = cell.bounds
            if z < cell.min_zoom or ce < w or cw > e or cn < s or cs > n:
                continue
            zc = min(z, cell.max_zoom)
            d = z - zc
            data = self.cell_tile(cell, zc, x >> d, y >> d)
            if data:
                candidates.append((cell, data, d))
        if not candidates:
            return None
        first_cell, first_data, first_d = candidates[0]
        covers = first_cell.coverage is not None and first_cell.coverage.contains(tile_box)
        if first_d == 0 and (len(candidates) == 1 or covers):
            return first_data
        builder = mvt.LayerBuilder("enc", EXTENT)
        mask_lonlat: shapely.Geometry | None = None
        for cell, data, d in candidates:
            if mask_lonlat is not None and mask_lonlat.contains(tile_box):
                break
            mask = _to_tile(mask_lonlat, z, x, y) if mask_lonlat is not None else None
            self._add_cell(builder, mvt.parse(data), d, x, y, mask)
            if cell.coverage is not None:
                mask_lonlat = (
                    cell.coverage if mask_lonlat is None else mask_lonlat.union(cell.coverage)
                )
        return builder.bytes()

    @staticmethod
    def _add_cell(
        builder: mvt.LayerBuilder, tile: Any, d: int, x: int, y: int, mask: shapely.Geometry | None
    ) -> None:
        for layer in tile.layers:
            scale = 2**d
            ox = (x - ((x >> d) << d)) * layer.extent / scale
            oy = (y - ((y >> d) << d)) * layer.extent / scale
            factor = EXTENT / layer.extent * scale
            clip = box(-BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
            for feature in layer.features:
                if d == 0 and mask is None and layer.extent == EXTENT:
                    builder.add(layer, feature)
                    continue
                geom = mvt.to_shape(feature.type, feature.geometry)
                if geom is None:
                    continue
                if d or layer.extent != EXTENT:
                    geom = shapely.transform(geom, _affine(ox, oy, factor))
                    geom = _clip(geom, clip)
                if mask is not None and geom is not None and not geom.is_empty:
                    geom = geom.difference(mask) if geom.intersects(mask) else geom
                encoded = mvt.from_shape(geom) if geom is not None else None
                if encoded is not None:
                    builder.add(layer, feature, encoded)


def _affine(ox: float, oy: float, factor: float):
    return lambda c: (c - [ox, oy]) * factor


def _clip(geom: shapely.Geometry, clip: shapely.Geometry) -> shapely.Geometry | None:
    if geom.geom_type in ("Point", "MultiPoint"):
        kept = geom.intersection(clip)
        return None if kept.is_empty else kept
    out = shapely.clip_by_rect(geom, *clip.bounds)
    return None if out.is_empty else out


def _to_tile(geom: shapely.Geometry, z: int, x: int, y: int) -> shapely.Geometry:
    return shapely.transform(
        geom,
        lambda c: np.column_stack(lonlat_to_tile_xy(c[:, 0], c[:, 1], z, x, y)),
    )
