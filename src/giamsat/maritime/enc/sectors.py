"""Light sectors as chart lines (S-52 conditional procedure LIGHTS05, simplified).

A sector light is a LIGHTS feature with SECTR1 and SECTR2: bearings *from seaward* (looking
towards the light), the sector running clockwise from SECTR1 to SECTR2. On the chart each sector
is an arc in the light's colour around the light, and each limit a dashed leg from the light out
to sea, at bearing + 180°.

S-52 draws the arc 25 mm from the light on the screen at every scale. Vector tiles carry
geometry, not screen sizes, so the arc is placed 25 mm from the light *at the cell's compilation
scale* (1:40,000 → 1,000 m) and grows and shrinks with the chart when zooming.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import shapely

from giamsat.maritime.enc.display import light_colour_token

WGS84_A = 6_378_137.0
WGS84_E2 = (1 / 298.257223563) * (2 - 1 / 298.257223563)
ARC_MM = 25.0  # S-52: the arc's radius on the display
ARC_STEP_DEG = 2.0  # one vertex per 2° of arc
SECTOR_CLASS = "_LIGHTSECT"  # display-only rows: not an S-57 object class


def destination(lon: float, lat: float, bearing_deg: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` from (lon, lat) along the true bearing, on the WGS 84 ellipsoid's
    tangent plane at the light (exact to ~1e-6 of the distance over the few km drawn here)."""
    phi, theta = math.radians(lat), math.radians(bearing_deg)
    w = 1.0 - WGS84_E2 * math.sin(phi) ** 2
    meridian = WGS84_A * (1.0 - WGS84_E2) / w**1.5  # radius of curvature north-south
    normal = WGS84_A / math.sqrt(w)  # east-west
    dlat = metres * math.cos(theta) / meridian
    dlon = metres * math.sin(theta) / (normal * math.cos(phi))
    return lon + math.degrees(dlon), lat + math.degrees(dlat)


def sector_radius_m(compilation_scale: int) -> float:
    return ARC_MM / 1000.0 * max(compilation_scale, 1)


def sector_lines(
    lon: float, lat: float, sectr1: float, sectr2: float, radius_m: float
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], list[tuple[float, float]]]:
    """(arc, leg at SECTR1, leg at SECTR2) as lon/lat vertex lists."""
    start = (sectr1 + 180.0) % 360.0
    sweep = (sectr2 - sectr1) % 360.0 or 360.0  # 0 → 360: an all-round sector
    steps = max(2, math.ceil(sweep / ARC_STEP_DEG))
    arc = [destination(lon, lat, start + sweep * i / steps, radius_m) for i in range(steps + 1)]
    legs = [
        [(lon, lat), destination(lon, lat, (bearing + 180.0) % 360.0, radius_m)]
        for bearing in (sectr1, sectr2)
    ]
    return arc, legs[0], legs[1]


def sector_rows(
    lights: Sequence[dict[str, Any]], points: Sequence[Any], compilation_scale: int
) -> list[dict[str, Any]]:
    """Display rows (``OBJNAME`` = :data:`SECTOR_CLASS`, ``_part`` arc|leg, ``_col`` colour
    token, ``_minz`` as the light's, ``geometry`` shapely) for the sector lights among
    ``lights`` (attribute dicts, COLOUR as a list or "1,3", with their point geometries)."""
    radius = sector_radius_m(compilation_scale)
    rows: list[dict[str, Any]] = []
    for attrs, point in zip(lights, points, strict=True):
        s1, s2 = _bearing(attrs.get("SECTR1")), _bearing(attrs.get("SECTR2"))
        if s1 is None or s2 is None or point is None or shapely.get_type_id(point) != 0:
            continue
        lon, lat = shapely.get_x(point), shapely.get_y(point)
        arc, leg1, leg2 = sector_lines(lon, lat, s1, s2, radius)
        colour = attrs.get("COLOUR") or []
        colours = colour.split(",") if isinstance(colour, str) else [str(c) for c in colour]
        base = {
            "OBJNAME": SECTOR_CLASS,
            "LNAM": attrs.get("LNAM"),
            "_col": light_colour_token(colours),
            "_minz": attrs.get("_minz"),
        }
        rows.append({**base, "_part": "arc", "geometry": shapely.LineString(arc)})
        for leg in (leg1, leg2):
            rows.append({**base, "_part": "leg", "geometry": shapely.LineString(leg)})
    return rows


def _bearing(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
