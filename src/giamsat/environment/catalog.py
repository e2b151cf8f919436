"""Parameter and unit catalog: canonical names, units, aliases, exact conversions.

Data lives in ``catalog.toml`` so it can be reviewed and extended without code changes.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CATALOG_FILE = Path(__file__).with_name("catalog.toml")


def fold(text: str) -> str:
    """Key for alias matching: case, accents, spaces and punctuation ignored (PM2,5 == pm2.5)."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def fold_unit(text: str) -> str:
    """Key for unit matching: case and spaces ignored, µ and μ the same; slashes matter."""
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "").replace("μ", "µ")


@dataclass(frozen=True)
class Parameter:
    code: str
    name_vi: str
    name_en: str
    unit: str
    aliases: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)  # component -> stored unit
    sensor_min: float | None = None
    sensor_max: float | None = None
    plausible_min: float | None = None
    plausible_max: float | None = None

    def unit_for(self, component: str) -> str:
        return self.units.get(component, self.unit)


@dataclass(frozen=True)
class Catalog:
    parameters: dict[str, Parameter]
    _names: dict[str, str]
    _units: dict[str, str]
    _conversions: dict[tuple[str, str], float]
    _memo: dict[tuple[str, str], str | None] = field(default_factory=dict)  # hot path of ingest

    def parameter(self, name: str) -> Parameter | None:
        code = self.canonical_name(name)
        return self.parameters[code] if code else None

    def canonical_name(self, name: str) -> str | None:
        key = ("p", name)
        try:
            return self._memo[key]
        except KeyError:
            if len(self._memo) > 100_000:
                self._memo.clear()
            found = self._memo[key] = self._names.get(fold(name))
            return found

    def canonical_unit(self, unit: str) -> str | None:
        key = ("u", unit)
        try:
            return self._memo[key]
        except KeyError:
            if len(self._memo) > 100_000:
                self._memo.clear()
            found = self._memo[key] = self._units.get(fold_unit(unit.strip()))
            return found

    def factor(self, from_unit: str, to_unit: str) -> float | None:
        """Multiplier from one canonical unit to another, only where the conversion is exact."""
        if from_unit == to_unit:
            return 1.0
        return self._conversions.get((from_unit, to_unit))


def build_catalog(data: dict[str, Any]) -> Catalog:
    params: dict[str, Parameter] = {}
    names: dict[str, str] = {}
    for code, spec in data["parameters"].items():
        p = Parameter(
            code=code,
            name_vi=spec.get("name_vi", code),
            name_en=spec.get("name_en", code),
            unit=spec.get("unit", ""),
            aliases=tuple(spec.get("aliases", ())),
            units=dict(spec.get("units", {})),
            sensor_min=spec.get("sensor_min"),
            sensor_max=spec.get("sensor_max"),
            plausible_min=spec.get("plausible_min"),
            plausible_max=spec.get("plausible_max"),
        )
        params[code] = p
        for alias in (code, p.name_vi, p.name_en, *p.aliases):
            key = fold(alias)
            if key in names and names[key] != code:
                raise ValueError(f"catalog alias {alias!r} names both {names[key]} and {code}")
            names.setdefault(key, code)
    units: dict[str, str] = {}
    for canonical, aliases in data.get("units", {}).items():
        for alias in (canonical, *aliases):
            units.setdefault(fold_unit(alias), canonical)
    conversions = {}
    for pair, factor in data.get("conversions", {}).items():
        src, dst = pair.split("->")
        conversions[(src, dst)] = float(factor)
    return Catalog(params, names, units, conversions)


@cache
def default_catalog() -> Catalog:
    return build_catalog(tomllib.loads(CATALOG_FILE.read_text("utf-8")))
