"""Distances and times the maritime rules share.

Rules measure on the WGS84 ellipsoid (pyproj's geodesic, Karney's algorithm) because an AtoN's
allowed radius is tens of metres: a spherical formula is off by up to 0.5 %, which is enough
to flip an off-position decision near the limit. Track thinning only needs "moved about this
much", so it uses a cheap local approximation.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from pyproj import Geod

WGS84 = Geod(ellps="WGS84")
_M_PER_DEG = 111_320.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance on WGS84, metres."""
    return WGS84.inv(lon1, lat1, lon2, lat2)[2]


def rough_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular approximation (good to ~0.5 % over a few km): for thinning only."""
    dy = (lat2 - lat1) * _M_PER_DEG
    dx = (lon2 - lon1) * _M_PER_DEG * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def angle_diff(a: float, b: float) -> float:
    """Smallest difference between two bearings, degrees (0-180)."""
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


def valid_position(lat: float | None, lon: float | None) -> bool:
    """AIS sends lat 91 / lon 181 for "not available" (the decoder already maps those to
    None); anything else outside the globe is just as unusable."""
    return lat is not None and lon is not None and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def iso_utc(ts: float | None) -> str | None:
    """ISO 8601 UTC to the second with ``Z`` (fractions are cut, never rounded up)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(math.floor(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
