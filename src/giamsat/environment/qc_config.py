"""QC configuration: which tests run on a station's parameter, with what thresholds.

Defaults live in ``qc.toml`` (data, reviewed like code but edited without it); ranges fall back
to the parameter catalog; a station overrides anything through ``stations.settings["qc"]``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from giamsat.environment.catalog import Catalog, default_catalog
from giamsat.environment.qc_tests import FAIL, SUSPECT

QC_FILE = Path(__file__).with_name("qc.toml")
_LEVELS = {"off": None, "pass": None, "suspect": SUSPECT, "fail": FAIL}


@dataclass(frozen=True)
class FlatLine:
    suspect_seconds: float
    fail_seconds: float
    tolerance: float = 0.0


@dataclass(frozen=True)
class Spike:
    suspect: float | None
    fail: float | None
    method: str = "differential"
    max_gap_intervals: float | None = 3  # neighbours further apart: not evaluated


@dataclass(frozen=True)
class RateOfChange:
    suspect_per_second: float
    fail_per_second: float | None


@dataclass(frozen=True)
class Rules:
    """The tests of one channel. ``None`` means the test does not run."""

    fail_span: tuple[float, float] | None = None
    suspect_span: tuple[float, float] | None = None
    negative: int | None = None
    zero: int | None = None
    flat_line: FlatLine | None = None
    spike: Spike | None = None
    rate_of_change: RateOfChange | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Cross:
    left: str
    right: str
    flag: int
    factor: float = 1.0


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _number(value: Any) -> float:
    if isinstance(value, str):
        return float(value.replace("∞", "inf"))
    return float(value)


def _span(value: Any, where: str) -> tuple[float, float] | None:
    if value is None or value is False:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"{where}: a span is [min, max], got {value!r}")
    lo, hi = sorted((_number(value[0]), _number(value[1])))
    return lo, hi


def _level(value: Any, where: str) -> int | None:
    if value is None or value is False:
        return None
    key = str(value).lower()
    if key not in _LEVELS:
        raise ValueError(f"{where}: {value!r} must be one of off, suspect, fail")
    return _LEVELS[key]


class QCConfig:
    """The layered QC configuration (package defaults, then per station)."""

    def __init__(self, data: dict[str, Any], catalog: Catalog | None = None) -> None:
        self.data = data
        self.catalog = catalog or default_catalog()
        self._cache: dict[tuple[str, str, str, str], Rules] = {}

    def block(self, component: str, parameter: str, station: dict[str, Any] | None) -> dict:
        """The merged raw settings of one parameter at one station."""
        d = self.data
        comp = d.get("components", {}).get(component, {})
        layers = [
            d.get("defaults", {}),
            d.get("parameters", {}).get(parameter, {}),
            comp.get("defaults", {}),
            comp.get("parameters", {}).get(parameter, {}),
        ]
        if station:
            layers += [
                station.get("defaults", {}),
                station.get("parameters", {}).get(parameter, {}),
            ]
        merged: dict[str, Any] = {}
        for layer in layers:
            merged = _merge(merged, layer)
        return merged

    def rules(
        self,
        component: str,
        parameter: str,
        unit: str,
        station: dict[str, Any] | None = None,
    ) -> Rules:
        key = (component, parameter, unit, repr(station) if station else "")
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._build(component, parameter, unit, station)
        return found

    def _build(
        self, component: str, parameter: str, unit: str, station: dict[str, Any] | None
    ) -> Rules:
        where = f"QC {component}/{parameter}"
        b = self.block(component, parameter, station)
        if b.get("enabled") is False:
            return Rules(enabled=False)
        spec = self.catalog.parameters.get(parameter)
        expected_unit = b.get("unit") or (spec.unit_for(component) if spec else None)
        same_unit = expected_unit is None or unit in ("", expected_unit)
        fail_span = _span(b.get("fail_span"), where)
        suspect_span = _span(b.get("suspect_span"), where)
        if (
            spec is not None
            and fail_span is None
            and (spec.sensor_min, spec.sensor_max)
            != (
                None,
                None,
            )
        ):
            fail_span = (
                -math.inf if spec.sensor_min is None else spec.sensor_min,
                math.inf if spec.sensor_max is None else spec.sensor_max,
            )
        if (
            spec is not None
            and suspect_span is None
            and (
                spec.plausible_min,
                spec.plausible_max,
            )
            != (None, None)
        ):
            suspect_span = (
                -math.inf if spec.plausible_min is None else spec.plausible_min,
                math.inf if spec.plausible_max is None else spec.plausible_max,
            )
        if suspect_span is not None and fail_span is not None:
            suspect_span = (max(suspect_span[0], fail_span[0]), min(suspect_span[1], fail_span[1]))
        if suspect_span is not None and fail_span is None:
            fail_span = (-math.inf, math.inf)
        nonnegative = spec is not None and spec.sensor_min is not None and spec.sensor_min >= 0
        negative = _level(b.get("negative", "fail" if nonnegative else "off"), where)
        flat = b.get("flat_line")
        spike = b.get("spike") or {}
        roc = b.get("rate_of_change")
        spike_rule = None
        if spike.get("suspect") or spike.get("fail"):
            method = spike.get("method", "differential")
            if method not in ("differential", "average"):
                raise ValueError(f"{where}: spike method {method!r}")
            spike_rule = Spike(
                spike.get("suspect"),
                spike.get("fail"),
                method,
                spike.get("max_gap_intervals"),
            )
        roc_rule = None
        if roc and roc.get("suspect") is not None:
            per = float(roc.get("per_seconds", 1))
            roc_rule = RateOfChange(
                float(roc["suspect"]) / per,
                float(roc["fail"]) / per if roc.get("fail") is not None else None,
            )
        return Rules(
            # unit-dependent tests only run on the unit their thresholds are written in
            fail_span=fail_span if same_unit else None,
            suspect_span=suspect_span if same_unit else None,
            negative=negative,
            zero=_level(b.get("zero"), where),
            flat_line=FlatLine(
                float(flat["suspect_seconds"]),
                float(flat["fail_seconds"]),
                float(flat.get("tolerance", 0.0)),
            )
            if flat
            else None,
            spike=spike_rule if same_unit else None,
            rate_of_change=roc_rule if same_unit else None,
        )

    def cross(self, station: dict[str, Any] | None = None) -> list[Cross]:
        items = list(self.data.get("cross", []))
        if station and "cross" in station:
            items = list(station["cross"])
        out = []
        for item in items:
            level = _level(item.get("flag", "suspect"), "QC cross")
            if level is not None:
                out.append(
                    Cross(item["left"], item["right"], level, float(item.get("factor", 1.0)))
                )
        return out


def load_qc_config(path: Path | None = None, catalog: Catalog | None = None) -> QCConfig:
    data = tomllib.loads((path or QC_FILE).read_text("utf-8"))
    config = QCConfig(data, catalog)
    for component in data.get("components", {}) or {"": None}:
        for parameter in data.get("parameters", {}):
            config.rules(component, parameter, "")  # fail early on a bad file
    config.cross()
    return config


@cache
def default_qc_config() -> QCConfig:
    return load_qc_config()
