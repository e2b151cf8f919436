"""Zones: named polygons (watch, danger, restricted, …) with an optional speed limit, their
GeoJSON form, and a spatial index that says which zones contain a position.

A position on a zone's boundary counts as inside: a vessel on the line of a restricted area
is in it. GeoJSON coordinates are [lon, lat] in WGS84 (RFC 7946).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

KINDS = ("watch", "danger", "restricted", "anchorage", "channel", "port", "other")
ALERT_ON = ("enter", "exit", "both", "none")
#: kinds whose entry raises an alert unless the zone says otherwise
DEFAULT_ALERT_ON = {"watch": "enter", "danger": "enter", "restricted": "enter"}
SEVERITY = {"watch": "warning", "danger": "major", "restricted": "critical"}
_RESERVED = {"name", "kind", "speed_limit_kn", "alert_on", "color", "id", "guid", "active"}


class ZoneError(ValueError):
    """A zone definition that cannot be used (what and where)."""


@dataclass(slots=True)
class Zone:
    name: str
    geometry: BaseGeometry
    kind: str = "watch"
    speed_limit_kn: float | None = None
    alert_on: str = "enter"
    color: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    id: int | None = None  # store id (None for zones read from a file)
    guid: str | None = None
    index: int = 0  # position in its ZoneIndex: the order events are reported in

    def feature(self) -> dict[str, Any]:
        props: dict[str, Any] = dict(self.properties)
        props.update(name=self.name, kind=self.kind, alert_on=self.alert_on)
        if self.speed_limit_kn is not None:
            props["speed_limit_kn"] = self.speed_limit_kn
        if self.color:
            props["color"] = self.color
        if self.guid:
            props["guid"] = self.guid
        feature: dict[str, Any] = {
            "type": "Feature",
            "geometry": mapping(self.geometry),
            "properties": props,
        }
        if self.id is not None:
            feature["id"] = self.id
        return feature


def _limit(value: Any, where: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        limit = float(value)
    except (TypeError, ValueError):
        raise ZoneError(f"{where}: speed_limit_kn {value!r} is not a number") from None
    if math.isnan(limit) or limit < 0:
        raise ZoneError(f"{where}: speed_limit_kn {value!r} must be >= 0")
    return limit


def polygon_from_geojson(geometry: Any, where: str = "zone") -> BaseGeometry:
    """A valid Polygon or MultiPolygon from a GeoJSON geometry (repaired when self-crossing)."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise ZoneError(f"{where}: no GeoJSON geometry")
    if geometry["type"] not in ("Polygon", "MultiPolygon"):
        raise ZoneError(f"{where}: a zone is a Polygon or MultiPolygon, not {geometry['type']}")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several kinds for malformed rings
        raise ZoneError(f"{where}: bad coordinates ({exc})") from None
    if geom.is_empty:
        raise ZoneError(f"{where}: empty polygon")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ZoneError(f"{where}: coordinates outside [lon -180..180, lat -90..90]")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        polys = [
            g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")
        ]
        if not polys:
            raise ZoneError(f"{where}: the polygon has no area")
        geom = shapely.union_all(polys)
    return geom


def zone_from_feature(feature: dict[str, Any], index: int, where: str = "") -> Zone:
    where = where or f"feature {index + 1}"
    props = dict(feature.get("properties") or {})
    geom = polygon_from_geojson(feature.get("geometry"), where)
    name = props.get("name")
    if name is None or str(name).strip() == "":
        name = str(feature["id"]) if feature.get("id") is not None else f"zone {index + 1}"
    kind = str(props.get("kind") or "watch")
    alert_on = str(props.get("alert_on") or DEFAULT_ALERT_ON.get(kind, "none"))
    if alert_on not in ALERT_ON:
        raise ZoneError(f"{where}: alert_on {alert_on!r} is one of {', '.join(ALERT_ON)}")
    return Zone(
        name=str(name),
        geometry=geom,
        kind=kind,
        speed_limit_kn=_limit(props.get("speed_limit_kn"), where),
        alert_on=alert_on,
        color=props.get("color"),
        properties={k: v for k, v in props.items() if k not in _RESERVED},
        guid=props.get("guid"),
        index=index,
    )


def features_of(data: Any) -> list[dict[str, Any]]:
    """The features of a FeatureCollection, a Feature or a bare geometry."""
    if not isinstance(data, dict):
        raise ZoneError("GeoJSON must be an object")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise ZoneError("FeatureCollection without a features list")
        return features
    if kind == "Feature":
        return [data]
    if kind in ("Polygon", "MultiPolygon"):
        return [{"type": "Feature", "geometry": data, "properties": {}}]
    raise ZoneError(f"GeoJSON type {kind!r}: want a FeatureCollection, Feature or Polygon")


def zones_from_geojson(data: Any, skipped: list[str] | None = None) -> list[Zone]:
    """Zones of a GeoJSON document. Features that are not areas (points, lines, no geometry)
    are not zones: they are listed in ``skipped`` (or raise when it is None)."""
    out: list[Zone] = []
    for n, feature in enumerate(features_of(data)):
        geometry = (feature or {}).get("geometry") if isinstance(feature, dict) else None
        gtype = geometry.get("type") if isinstance(geometry, dict) else None
        if gtype not in ("Polygon", "MultiPolygon") and skipped is not None:
            skipped.append(f"feature {n + 1}: {gtype or 'no geometry'} is not an area, skipped")
            continue
        out.append(zone_from_feature(feature, len(out), f"feature {n + 1}"))
    return out


def read_zones(path: Path | str, skipped: list[str] | None = None) -> list[Zone]:
    try:
        data = json.loads(Path(path).read_text("utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ZoneError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    try:
        return zones_from_geojson(data, skipped)
    except ZoneError as exc:
        raise ZoneError(f"{path}: {exc}") from None


def to_geojson(zones: list[Zone]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [z.feature() for z in zones]}


class ZoneIndex:
    """Which zones contain a point: the STRtree says which zones may touch a small grid cell
    (answer kept per cell, so a busy area costs one dictionary look-up), then an exact test on
    the prepared polygons. Results are zone indices in ascending order (the file/store order).
    """

    CELL = 0.01  # degrees (~1 km): cells small enough that most hold no zone edge
    MAX_CELLS = 500_000  # remembered cells (about 60 MB at most); forgotten beyond

    def __init__(self, zones: list[Zone]) -> None:
        self.zones = list(zones)
        for i, zone in enumerate(self.zones):
            zone.index = i
        self._geoms = np.array([z.geometry for z in self.zones], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms) if self.zones else None
        self._cells: dict[tuple[int, int], tuple[int, ...]] = {}
        self.limited = any(z.speed_limit_kn is not None for z in self.zones)

    def __len__(self) -> int:
        return len(self.zones)

    def candidates(self, lon: float, lat: float) -> tuple[int, ...]:
        """Zones whose bounding box touches the point's grid cell (a superset of the answer)."""
        if self._tree is None:
            return ()
        cell = (math.floor(lon / self.CELL), math.floor(lat / self.CELL))
        found = self._cells.get(cell)
        if found is None:
            x, y = cell[0] * self.CELL, cell[1] * self.CELL
            box = shapely.box(x, y, x + self.CELL, y + self.CELL)
            found = tuple(sorted(self._tree.query(box).tolist()))
            if len(self._cells) >= self.MAX_CELLS:
                self._cells.clear()
            self._cells[cell] = found
        return found

    def containing(self, lon: float, lat: float) -> tuple[int, ...]:
        found = self.candidates(lon, lat)
        if not found:
            return ()
        geoms = self._geoms
        if len(found) == 1:
            return found if shapely.intersects_xy(geoms[found[0]], lon, lat) else ()
        hits = shapely.intersects_xy(geoms[list(found)], lon, lat)
        return tuple(i for i, hit in zip(found, hits, strict=True) if hit)
