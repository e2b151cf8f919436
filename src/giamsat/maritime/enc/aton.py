"""Aids to navigation charted in a cell: buoys, beacons and lights, with their characteristics.

The AtoN registry imports these (an operator then links each one to its AIS MMSI). A buoy's
light and topmark are separate S-57 features linked from the buoy by LNAM_REFS; we fold them
into the buoy's record, and keep lights that stand on their own (lighthouses) as AtoNs too.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import shapely

from giamsat.maritime.enc.display import class_info, s57_colour_name
from giamsat.maritime.enc.portrayal import (
    BEACON_SHAPES,
    BEACONS,
    BUOY_SHAPES,
    BUOYS,
    LIGHT_CHARACTERS,
    TOPMARK_SHAPES,
    light_description,
    split_list,
)
from giamsat.maritime.enc.reader import CellData, read_cell

KIND = {**dict.fromkeys(BUOYS, "buoy"), **dict.fromkeys(BEACONS, "beacon")}
KIND.update({"LITFLT": "light-float", "LITVES": "light-vessel", "LIGHTS": "light"})
CATEGORY_ATTR = {"LAT": "CATLAM", "CAR": "CATCAM", "SPP": "CATSPM"}
CATEGORY_NAMES = {
    "CATLAM": {1: "port", 2: "starboard", 3: "preferred-channel-starboard",
               4: "preferred-channel-port"},
    "CATCAM": {1: "north", 2: "east", 3: "south", 4: "west"},
}  # fmt: skip


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _rows(cell: CellData, objname: str) -> list[tuple[dict[str, Any], Any]]:
    table = cell.layers.get(objname)
    if table is None or table.num_rows == 0:
        return []
    geoms = cell.geometries(objname)
    rows = table.drop_columns(["wkb_geometry"]).to_pylist()
    return [({k: _clean(v) for k, v in r.items()}, g) for r, g in zip(rows, geoms, strict=True)]


def _colours(attrs: dict[str, Any]) -> list[str]:
    return [s57_colour_name(c) for c in split_list(attrs.get("COLOUR"))]


def _number(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _light(attrs: dict[str, Any]) -> dict[str, Any]:
    sectors = None
    if _number(attrs.get("SECTR1")) is not None and _number(attrs.get("SECTR2")) is not None:
        sectors = [_number(attrs["SECTR1"]), _number(attrs["SECTR2"])]
    litchr = attrs.get("LITCHR")
    return {
        "description": light_description(attrs),
        "character": LIGHT_CHARACTERS.get(int(litchr)) if litchr is not None else None,
        "group": attrs.get("SIGGRP") or None,
        "colours": _colours(attrs),
        "period_s": _number(attrs.get("SIGPER")),
        "height_m": _number(attrs.get("HEIGHT")),
        "range_nm": _number(attrs.get("VALNMR")),
        "sectors": sectors,
        "category": split_list(attrs.get("CATLIT")),
        "lnam": attrs.get("LNAM"),
    }


def extract_atons(cell: CellData) -> list[dict[str, Any]]:
    """Buoys, beacons, light floats/vessels and stand-alone lights of one cell."""
    by_lnam: dict[str, tuple[str, dict[str, Any], Any]] = {}
    for objname in ("LIGHTS", "TOPMAR", "DAYMAR", "FOGSIG", "RTPBCN"):
        for attrs, geom in _rows(cell, objname):
            if attrs.get("LNAM"):
                by_lnam[attrs["LNAM"]] = (objname, attrs, geom)
    at_point: dict[tuple[float, float], list[str]] = {}
    for lnam, (_, _, geom) in by_lnam.items():
        if geom is not None and geom.geom_type == "Point":
            at_point.setdefault((round(geom.x, 7), round(geom.y, 7)), []).append(lnam)
    used: set[str] = set()
    atons: list[dict[str, Any]] = []
    masters = [*sorted(BUOYS), *sorted(BEACONS), "LITFLT", "LITVES"]
    for objname in masters:
        for attrs, geom in _rows(cell, objname):
            if geom is None or geom.is_empty:
                continue
            point = geom if geom.geom_type == "Point" else geom.representative_point()
            refs = [r for r in (attrs.get("LNAM_REFS") or []) if r in by_lnam]
            refs += [
                r for r in at_point.get((round(point.x, 7), round(point.y, 7)), []) if r not in refs
            ]
            used.update(refs)
            atons.append(_record(cell, objname, attrs, point, [by_lnam[r] for r in refs]))
    for attrs, geom in _rows(cell, "LIGHTS"):
        if attrs.get("LNAM") in used or geom is None or geom.is_empty:
            continue
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        if attrs.get("LNAM"):
            used.add(attrs["LNAM"])
        atons.append(_record(cell, "LIGHTS", attrs, point, [("LIGHTS", attrs, geom)]))
    _merge_lights_at_same_place(atons)
    return atons


def _merge_lights_at_same_place(atons: list[dict[str, Any]]) -> None:
    """Sector lights of one lighthouse are several LIGHTS features at one point: one AtoN."""
    seen: dict[tuple[float, float], dict[str, Any]] = {}
    keep: list[dict[str, Any]] = []
    for aton in atons:
        key = (round(aton["lon"], 7), round(aton["lat"], 7))
        if aton["class"] == "LIGHTS" and key in seen and seen[key]["class"] == "LIGHTS":
            seen[key]["lights"].extend(aton["lights"])
            seen[key]["name"] = seen[key]["name"] or aton["name"]
            continue
        seen.setdefault(key, aton)
        keep.append(aton)
    atons[:] = keep


def _category(attr: str | None, code: Any) -> Any:
    if code is None:
        return None
    if isinstance(code, list):
        return ",".join(str(c) for c in code) or None
    return CATEGORY_NAMES.get(attr or "", {}).get(int(code), code)


def _record(
    cell: CellData,
    objname: str,
    attrs: dict[str, Any],
    point: shapely.Point,
    slaves: list[tuple[str, dict[str, Any], Any]],
) -> dict[str, Any]:
    info = class_info(objname)
    category_attr = CATEGORY_ATTR.get(objname[3:]) if objname != "LIGHTS" else None
    category_code = attrs.get(category_attr) if category_attr else None
    if objname in BUOYS or objname in ("LITFLT", "LITVES"):
        shape = BUOY_SHAPES.get(int(attrs.get("BOYSHP") or 0))
    elif objname in BEACONS:
        shape = BEACON_SHAPES.get(int(attrs.get("BCNSHP") or 0))
    else:
        shape = None
    topmark = next(((a, g) for o, a, g in slaves if o == "TOPMAR"), None)
    lights = [_light(a) for o, a, _ in slaves if o == "LIGHTS"]
    name = attrs.get("OBJNAM") or next(
        (a.get("OBJNAM") for o, a, _ in slaves if a.get("OBJNAM")), None
    )
    lnam = attrs.get("LNAM") or f"{objname}-{point.x:.6f}-{point.y:.6f}"
    return {
        "id": f"{cell.name}:{lnam}",
        "cell": cell.name,
        "lnam": attrs.get("LNAM"),
        "class": objname,
        "class_vi": info["vi"],
        "class_en": info["en"],
        "kind": KIND.get(objname, "other"),
        "name": name,
        "name_national": attrs.get("NOBJNM"),
        "lon": round(point.x, 7),
        "lat": round(point.y, 7),
        "category": _category(category_attr, category_code),
        "shape": shape,
        "colours": _colours(attrs),
        "colour_pattern": (split_list(attrs.get("COLPAT")) or [None])[0],
        "topmark": None
        if topmark is None
        else {
            "shape": TOPMARK_SHAPES.get(int(topmark[0].get("TOPSHP") or 0)),
            "colours": _colours(topmark[0]),
        },
        "lights": lights,
        "fog_signal": any(o == "FOGSIG" for o, _, _ in slaves),
        "racon": any(o == "RTPBCN" for o, _, _ in slaves),
        "status": split_list(attrs.get("STATUS")),
    }


def atons_from_file(path: Path | str) -> list[dict[str, Any]]:
    """Read a cell file (updates beside it applied) and return its AtoNs."""
    return extract_atons(read_cell(path))


def as_geojson(atons: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": a["id"],
                "geometry": {"type": "Point", "coordinates": [a["lon"], a["lat"]]},
                "properties": {k: v for k, v in a.items() if k not in ("lon", "lat")},
            }
            for a in atons
        ],
    }
