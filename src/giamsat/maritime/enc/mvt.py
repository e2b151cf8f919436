"""Just enough Mapbox Vector Tile handling to merge, clip and overzoom tiles at serve time.

Protobuf messages come from mapbox-vector-tile's generated module; geometry commands
(MoveTo/LineTo/ClosePath with zigzag deltas, MVT spec 2.1 section 4.3) are decoded and encoded
here so features that need no change are copied without touching their geometry.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from typing import Any

import shapely
from mapbox_vector_tile.Mapbox import vector_tile_pb2 as pb
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point, Polygon
from shapely.geometry.polygon import orient

POINT, LINESTRING, POLYGON = 1, 2, 3
MOVE_TO, LINE_TO, CLOSE_PATH = 1, 2, 7


def parse(data: bytes) -> Any:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    tile = pb.tile()
    tile.ParseFromString(data)
    return tile


def serialise(tile: Any) -> bytes:
    return gzip.compress(tile.SerializeToString(), compresslevel=6)


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 31)


def _unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def decode_parts(geometry: Iterable[int]) -> list[list[tuple[int, int]]]:
    """Geometry commands → parts (a point group, a line, or a ring), in tile coordinates."""
    parts: list[list[tuple[int, int]]] = []
    cmds = list(geometry)
    i = x = y = 0
    current: list[tuple[int, int]] | None = None
    while i < len(cmds):
        cmd, count = cmds[i] & 0x7, cmds[i] >> 3
        i += 1
        if cmd == CLOSE_PATH:
            continue
        if cmd == MOVE_TO:
            current = []
            parts.append(current)
        for _ in range(count):
            x += _unzigzag(cmds[i])
            y += _unzigzag(cmds[i + 1])
            i += 2
            if current is None:
                current = []
                parts.append(current)
            current.append((x, y))
    return parts


def to_shape(kind: int, geometry: Iterable[int]) -> shapely.Geometry | None:
    parts = decode_parts(geometry)
    if kind == POINT:
        pts = [p for part in parts for p in part]
        return MultiPoint(pts) if len(pts) > 1 else (Point(pts[0]) if pts else None)
    if kind == LINESTRING:
        lines = [p for p in parts if len(p) >= 2]
        return (
            MultiLineString(lines) if len(lines) > 1 else (LineString(lines[0]) if lines else None)
        )
    if kind == POLYGON:
        polygons: list[list[list[tuple[int, int]]]] = []
        for ring in parts:
            if len(ring) < 3:
                continue
            area = sum(
                ring[k][0] * ring[(k + 1) % len(ring)][1]
                - ring[(k + 1) % len(ring)][0] * ring[k][1]
                for k in range(len(ring))
            )
            if area > 0 or not polygons:
                polygons.append([ring])
            elif area < 0:
                polygons[-1].append(ring)
        shapes = [Polygon(r[0], r[1:]) for r in polygons]
        shapes = [s if s.is_valid else shapely.make_valid(s) for s in shapes]
        merged = shapely.union_all(shapes) if len(shapes) > 1 else (shapes[0] if shapes else None)
        return merged
    return None


def _encode_ring(coords: list[tuple[int, int]], closed: bool, cursor: list[int]) -> list[int]:
    pts: list[tuple[int, int]] = []
    for cx, cy in coords:
        p = (round(cx), round(cy))
        if not pts or p != pts[-1]:
            pts.append(p)
    if closed and len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    if (closed and len(pts) < 3) or len(pts) < 2:
        return []
    out = [(1 << 3) | MOVE_TO]
    x, y = pts[0]
    out += [_zigzag(x - cursor[0]), _zigzag(y - cursor[1])]
    out.append(((len(pts) - 1) << 3) | LINE_TO)
    for px, py in pts[1:]:
        out += [_zigzag(px - x), _zigzag(py - y)]
        x, y = px, py
    if closed:
        out.append((1 << 3) | CLOSE_PATH)
    cursor[0], cursor[1] = x, y
    return out


def from_shape(shape: shapely.Geometry) -> tuple[int, list[int]] | None:
    """A shapely geometry in tile coordinates → (MVT type, commands), or None when degenerate."""
    if shape is None or shape.is_empty:
        return None
    cursor = [0, 0]
    geoms = list(getattr(shape, "geoms", [shape]))
    kinds = {g.geom_type for g in geoms}
    if kinds <= {"Point"}:
        pts = []
        for g in geoms:
            p = (round(g.x), round(g.y))
            pts.append(p)
        out = [(len(pts) << 3) | MOVE_TO]
        for px, py in pts:
            out += [_zigzag(px - cursor[0]), _zigzag(py - cursor[1])]
            cursor = [px, py]
        return POINT, out
    if kinds <= {"LineString", "LinearRing"}:
        out = []
        for g in geoms:
            out += _encode_ring(list(g.coords), False, cursor)
        return (LINESTRING, out) if out else None
    polys = [g for g in geoms if g.geom_type == "Polygon"]
    if polys:
        out = []
        for poly in polys:
            poly = orient(poly, sign=1.0)
            ring = _encode_ring(list(poly.exterior.coords), True, cursor)
            if not ring:
                continue
            out += ring
            for hole in poly.interiors:
                out += _encode_ring(list(hole.coords), True, cursor)
        return (POLYGON, out) if out else None
    lines = [g for g in geoms if g.geom_type in ("LineString", "MultiLineString")]
    if lines:
        return from_shape(shapely.union_all(lines))
    return None


class LayerBuilder:
    """Collects features from several source layers into one layer with shared key/value tables."""

    def __init__(self, name: str, extent: int = 4096) -> None:
        self.tile = pb.tile()
        self.layer = self.tile.layers.add()
        self.layer.name = name
        self.layer.version = 2
        self.layer.extent = extent
        self._keys: dict[str, int] = {}
        self._values: dict[tuple[str, Any], int] = {}

    def _key(self, key: str) -> int:
        if key not in self._keys:
            self._keys[key] = len(self.layer.keys)
            self.layer.keys.append(key)
        return self._keys[key]

    def _value(self, value: Any) -> int:
        fields = value.ListFields()
        which, raw = (fields[0][0].name, fields[0][1]) if fields else ("string_value", "")
        k = (which, raw)
        if k not in self._values:
            self._values[k] = len(self.layer.values)
            v = self.layer.values.add()
            setattr(v, which, raw)
        return self._values[k]

    def add(
        self, source_layer: Any, feature: Any, geometry: tuple[int, list[int]] | None = None
    ) -> None:
        f = self.layer.features.add()
        if feature.HasField("id"):
            f.id = feature.id
        tags = feature.tags
        for i in range(0, len(tags) - 1, 2):
            f.tags.append(self._key(source_layer.keys[tags[i]]))
            f.tags.append(self._value(source_layer.values[tags[i + 1]]))
        if geometry is None:
            f.type = feature.type
            f.geometry.extend(feature.geometry)
        else:
            f.type, cmds = geometry
            f.geometry.extend(cmds)

    def bytes(self) -> bytes | None:
        return serialise(self.tile) if len(self.layer.features) else None
