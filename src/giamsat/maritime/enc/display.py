"""Display data (our S-52-style tables): colour tokens per palette, class categories, groups."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMES = ("DAY", "DUSK", "NIGHT")
CATEGORIES = ("base", "standard", "all")
_RANK = {c: i for i, c in enumerate(CATEGORIES)}


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("giamsat.maritime.enc").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


def colours(scheme: str = "DAY") -> dict[str, str]:
    """Token → ``#rrggbb`` for one palette (DAY, DUSK or NIGHT)."""
    scheme = scheme.upper()
    if scheme not in SCHEMES:
        raise ValueError(f"unknown colour scheme {scheme!r} (use DAY, DUSK or NIGHT)")
    return dict(_load("s52_colours.json")["palettes"][scheme])


def s57_colour_token(code: str | int) -> str:
    """S-57 COLOUR code (1 white, 3 red …) → the chart colour token that paints it."""
    return _load("s52_colours.json")["s57_colour"].get(str(code), "CHGRD")


def s57_colour_name(code: str | int, lang: str = "en") -> str:
    names = _load("s52_colours.json")["s57_colour_names"].get(str(code))
    return names[0 if lang == "vi" else 1] if names else str(code)


def light_colour_token(codes: list[str]) -> str:
    """LIGHTS colour → flare token (S-52: red, green, else white/yellow/orange → yellow)."""
    table = _load("s52_colours.json")["light_colour"]
    for code in codes:
        if code in table:
            return table[code]
    return "CHMGD"


def display_table() -> dict[str, Any]:
    return _load("display.json")


def class_info(objname: str) -> dict[str, str]:
    """Category, group and bilingual name of an object class (unknown classes: all/meta)."""
    info = _load("display.json")["classes"].get(objname)
    if info is None:
        return {"category": "all", "group": "meta", "vi": objname, "en": objname}
    return dict(info)


def classes_in(category: str) -> list[str]:
    """Classes shown in a display category (base ⊂ standard ⊂ all)."""
    rank = _RANK[category]
    return [
        name
        for name, info in _load("display.json")["classes"].items()
        if _RANK[info["category"]] <= rank
    ]


def category_rank(category: str) -> int:
    try:
        return _RANK[category.lower()]
    except KeyError:
        raise ValueError(f"unknown display category {category!r} (base, standard, all)") from None
