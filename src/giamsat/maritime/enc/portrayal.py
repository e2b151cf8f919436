"""Per-feature display attributes computed at import: symbol id, light text, minimum zoom.

Doing this once at import keeps the style simple (one ``icon-image: _sym``) and the tiles
self-describing for any client.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from giamsat.maritime.enc.display import light_colour_token

# Web-map scale denominator at zoom 0 for MapLibre's 512-px tiles at 96 dpi, on the equator.
SCALE_Z0 = 295_828_763.8

BUOY_SHAPES = {
    1: "conical",
    2: "can",
    3: "spherical",
    4: "pillar",
    5: "spar",
    6: "barrel",
    7: "super",
    8: "ice",
}
BEACON_SHAPES = {
    1: "stake",
    2: "withy",
    3: "tower",
    4: "lattice",
    5: "pile",
    6: "cairn",
    7: "buoyant",
}
TOPMARK_SHAPES = {
    1: "cone-up",
    2: "cone-down",
    3: "sphere",
    4: "spheres",
    5: "cylinder",
    6: "board",
    7: "x",
    8: "cross",
    9: "cube",
    10: "cones-points",
    11: "cones-bases",
    12: "rhombus",
    13: "cones-up",
    14: "cones-down",
    19: "square",
    20: "board",
    21: "board",
    24: "cone-up",
    25: "cone-down",
    26: "sphere",
}
LIGHT_CHARACTERS = {
    1: "F",
    2: "Fl",
    3: "LFl",
    4: "Q",
    5: "VQ",
    6: "UQ",
    7: "Iso",
    8: "Oc",
    9: "IQ",
    10: "IVQ",
    11: "IUQ",
    12: "Mo",
    13: "FFl",
    14: "Fl+LFl",
    15: "OcFl",
    16: "FLFl",
    17: "Al.Oc",
    18: "Al.LFl",
    19: "Al.Fl",
    20: "Al.Gr",
    25: "Q+LFl",
    26: "VQ+LFl",
    27: "UQ+LFl",
    28: "Al",
    29: "Al.FFl",
}
LIGHT_COLOUR_LETTERS = {
    "1": "W",
    "3": "R",
    "4": "G",
    "5": "Bu",
    "6": "Y",
    "9": "Am",
    "10": "Vi",
    "11": "Or",
    "12": "Mag",
    "13": "Pk",
}
BUOYS = {"BOYLAT", "BOYCAR", "BOYISD", "BOYSAW", "BOYSPP", "BOYINB"}
BEACONS = {"BCNLAT", "BCNCAR", "BCNISD", "BCNSAW", "BCNSPP"}


def split_list(value: object) -> list[str]:
    """S-57 list attribute (``"3,1"``, ``["3", "1"]`` or None) → ``["3", "1"]``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(";", ",").split(",") if v]
    return [str(v) for v in value]  # type: ignore[attr-defined]


def _int(value: object) -> int | None:
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _colour_key(colours: Sequence[str]) -> str:
    return ".".join(colours) if colours else "x"


def symbol_id(objname: str, attrs: dict[str, object]) -> str | None:
    """The sprite image a point feature is drawn with, or None for non-symbolised classes."""
    colours = split_list(attrs.get("COLOUR"))
    pattern = (split_list(attrs.get("COLPAT")) or ["0"])[0]
    if objname in BUOYS or objname in ("LITFLT", "LITVES"):
        shape = BUOY_SHAPES.get(_int(attrs.get("BOYSHP")) or 0, "pillar")
        if objname == "LITVES":
            shape = "super"
        return f"boy-{shape}-{_colour_key(colours)}-{pattern}"
    if objname in BEACONS:
        shape = BEACON_SHAPES.get(_int(attrs.get("BCNSHP")) or 0, "stake")
        return f"bcn-{shape}-{_colour_key(colours)}-{pattern}"
    if objname == "TOPMAR":
        shape = TOPMARK_SHAPES.get(_int(attrs.get("TOPSHP")) or 0, "square")
        return f"top-{shape}-{_colour_key(colours)}"
    if objname == "LIGHTS":
        return f"light-{light_colour_token(colours)}"
    if objname == "WRECKS":
        return "wreck"
    if objname == "UWTROC":
        return "rock"
    if objname == "OBSTRN":
        return "obstruction"
    if objname in ("LNDMRK", "BUISGL", "SILTNK"):
        return "landmark"
    if objname == "DAYMAR":
        return f"daymark-{_colour_key(colours)}"
    if objname in ("PILPNT", "MORFAC", "OFSPLF", "PYLONS"):
        return "structure"
    if objname in ("FOGSIG", "RTPBCN", "RDOSTA", "CGUSTA"):
        return "signal"
    return None


def _number(value: object) -> str:
    f = float(value)  # type: ignore[arg-type]
    return f"{f:g}"


def light_description(attrs: dict[str, object]) -> str:
    """Chart-style light text, e.g. ``Fl(2) R 5s 12m 8M`` (character, colour, period, height, range)."""
    char = LIGHT_CHARACTERS.get(_int(attrs.get("LITCHR")) or 0, "")
    group = str(attrs.get("SIGGRP") or "")
    if group in ("()", "(1)"):
        group = ""
    colours = "".join(LIGHT_COLOUR_LETTERS.get(c, "") for c in split_list(attrs.get("COLOUR")))
    parts = [f"{char}{group}", colours]
    for key, unit in (("SIGPER", "s"), ("HEIGHT", "m"), ("VALNMR", "M")):
        value = attrs.get(key)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            parts.append(f"{_number(value)}{unit}")
    return " ".join(p for p in parts if p)


def min_zoom_for_scamin(scamin: object, latitude: float) -> float | None:
    """SCAMIN (smallest display scale the object is shown at) → the lowest map zoom showing it."""
    value = _int(scamin)
    if not value or value <= 0:
        return None
    z = math.log2(SCALE_Z0 * math.cos(math.radians(latitude)) / value)
    return round(max(z, 0.0), 2)


def zoom_range(compilation_scale: int, latitude: float) -> tuple[int, int]:
    """Tile zoom range for a cell: down to the zoom matching its compilation scale (then overzoom)."""
    native = math.log2(SCALE_Z0 * math.cos(math.radians(latitude)) / max(compilation_scale, 1))
    max_zoom = min(max(math.ceil(native), 4), 16)
    return max(max_zoom - 4, 0), max_zoom
