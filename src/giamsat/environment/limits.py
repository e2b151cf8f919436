"""QCVN limits as versioned data: which bounds apply to a station's parameter on a given day.

The package's ``limits.toml`` seeds the ``limit_standards`` / ``limit_values`` tables; rows an
administrator edited (``source = 'user'``) are never overwritten by a later package. A station's
permit picks the standard (a version such as ``QCVN40_2011`` or a family such as ``QCVN05``,
resolved to the version in force that day), the column and the coefficients.
"""

from __future__ import annotations

import math
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from giamsat.environment.quality_schema import limit_standards, limit_values

LIMITS_FILE = Path(__file__).with_name("limits.toml")
AVERAGING = ("instant", "1h", "8h", "24h", "year")
AVERAGING_SECONDS = {"instant": 0, "1h": 3600, "8h": 3600, "24h": 86400, "year": 0}
FOREVER = 99991231


@dataclass(frozen=True)
class Limit:
    """One applicable bound set: min and/or max for a parameter over an averaging period."""

    parameter: str
    averaging: str
    min: float | None
    max: float | None
    unit: str
    standard: str
    column: str
    base_min: float | None = None  # table values before coefficients
    base_max: float | None = None
    coefficients: dict[str, float] = field(default_factory=dict)
    uncertain: bool = False
    effective_from: int = 0
    effective_to: int = FOREVER

    def as_dict(self) -> dict[str, Any]:
        return {
            "parameter": self.parameter,
            "averaging": self.averaging,
            "min": self.min,
            "max": self.max,
            "unit": self.unit,
            "standard": self.standard,
            "column": self.column,
            "base_min": self.base_min,
            "base_max": self.base_max,
            "coefficients": dict(self.coefficients),
            "uncertain": self.uncertain,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
        }

    def breach(self, value: float) -> tuple[str, float] | None:
        """('max'|'min', the bound) when ``value`` is outside the limit."""
        if self.max is not None and value > self.max:
            return "max", self.max
        if self.min is not None and value < self.min:
            return "min", self.min
        return None


def _bound(v: Any) -> float | None:
    if v is None or v == "-" or v == "":
        return None
    return float(v)


@cache
def package_data() -> dict[str, Any]:
    return tomllib.loads(LIMITS_FILE.read_text("utf-8"))


def package_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(standards, values) rows of the packaged tables."""
    data = package_data()
    standards, values = [], []
    for code, s in data["standards"].items():
        columns: list[str] = []
        standards.append(
            {
                "code": code,
                "family": s["family"],
                "name_vi": s.get("name_vi", code),
                "name_en": s.get("name_en", code),
                "component": s["component"],
                "effective_from": int(s.get("effective_from", 0)),
                "effective_to": int(s.get("effective_to", FOREVER)),
                "coefficients": list(s.get("coefficients", [])),
                "averaging": s.get("averaging", "1h"),
                "columns": columns,
                "note": s.get("note", ""),
                "source": "package",
            }
        )
        fixed = set(s.get("fixed", []))
        base_uncertain = bool(s.get("uncertain", False))
        groups = (
            (s.get("values", []), base_uncertain, False),
            (s.get("uncertain_values", []), True, False),
            (s.get("dated_values", []), base_uncertain, True),
        )
        for rows, uncertain, dated in groups:
            for row in rows:
                parameter, column, averaging, lo, hi = row[:5]
                if averaging not in AVERAGING:
                    raise ValueError(f"limits.toml {code} {parameter}: averaging {averaging!r}")
                if column not in columns:
                    columns.append(column)
                values.append(
                    {
                        "standard": code,
                        "col": column,
                        "parameter": parameter,
                        "averaging": averaging,
                        "min": _bound(lo),
                        "max": _bound(hi),
                        "unit": data.get("units", {}).get(parameter, s.get("unit", "")),
                        "effective_from": int(row[5]) if dated else 0,
                        "effective_to": int(row[6]) if dated else FOREVER,
                        "apply_coefficients": parameter not in fixed,
                        "uncertain": uncertain,
                        "note": "",
                        "source": "package",
                    }
                )
    return standards, values


_synced: set[str] = set()


def _insert_once(conn: Connection, table: Table, row: dict[str, Any]) -> int:
    """Insert unless another process inserted the same packaged row meanwhile (1 if inserted)."""
    try:
        with conn.begin_nested():
            conn.execute(table.insert().values(**row))
        return 1
    except IntegrityError:
        return 0


def sync_package_limits(conn: Connection, force: bool = False) -> int:
    """Insert or refresh packaged limit rows; rows with source 'user' stay as edited.

    Returns how many rows changed. Runs once per process and database unless ``force``.
    """
    key = str(conn.engine.url)
    if key in _synced and not force:
        return 0
    standards, values = package_rows()
    changed = 0
    have_std = {r.code: r for r in conn.execute(select(limit_standards))}
    for row in standards:
        old = have_std.get(row["code"])
        if old is None:
            changed += _insert_once(conn, limit_standards, row)
        elif old.source == "package" and any(getattr(old, k) != v for k, v in row.items()):
            conn.execute(
                update(limit_standards).where(limit_standards.c.code == row["code"]).values(**row)
            )
            changed += 1
    have = {
        (r.standard, r.col, r.parameter, r.averaging, r.effective_from): r
        for r in conn.execute(select(limit_values))
    }
    for row in values:
        k = (row["standard"], row["col"], row["parameter"], row["averaging"], row["effective_from"])
        old = have.get(k)
        if old is None:
            changed += _insert_once(conn, limit_values, row)
        elif old.source == "package" and any(getattr(old, c) != v for c, v in row.items()):
            conn.execute(update(limit_values).where(limit_values.c.id == old.id).values(**row))
            changed += 1
    _synced.add(key)
    return changed


def set_limit(
    conn: Connection,
    *,
    standard: str,
    column: str,
    parameter: str,
    averaging: str,
    min: float | None,
    max: float | None,
    actor: str,
    note: str = "",
    unit: str | None = None,
    effective_from: int = 0,
    effective_to: int = FOREVER,
    apply_coefficients: bool | None = None,
) -> int:
    """Create or edit one limit row (kept as 'user', never overwritten by the package)."""
    sync_package_limits(conn)
    forget_cached_tables()
    if averaging not in AVERAGING:
        raise ValueError(f"averaging {averaging!r} must be one of {', '.join(AVERAGING)}")
    if min is None and max is None:
        raise ValueError("a limit needs a min, a max or both")
    if min is not None and max is not None and min > max:
        raise ValueError(f"min {min} is above max {max}")
    std = conn.execute(select(limit_standards).where(limit_standards.c.code == standard)).first()
    if std is None:
        raise ValueError(f"unknown standard {standard!r}")
    values: dict[str, Any] = {
        "min": min,
        "max": max,
        "effective_to": effective_to,
        "source": "user",
        "uncertain": False,
        "note": note,
        "updated_at": int(time.time()),
        "updated_by": actor,
    }
    if unit is not None:
        values["unit"] = unit
    if apply_coefficients is not None:
        values["apply_coefficients"] = apply_coefficients
    existing = conn.execute(
        select(limit_values.c.id).where(
            limit_values.c.standard == standard,
            limit_values.c.col == column,
            limit_values.c.parameter == parameter,
            limit_values.c.averaging == averaging,
            limit_values.c.effective_from == effective_from,
        )
    ).scalar()
    if existing is not None:
        conn.execute(update(limit_values).where(limit_values.c.id == existing).values(**values))
        return int(existing)
    values.setdefault("unit", "")
    values.setdefault("apply_coefficients", bool(std.coefficients))
    return int(
        conn.execute(
            limit_values.insert().values(
                standard=standard,
                col=column,
                parameter=parameter,
                averaging=averaging,
                effective_from=effective_from,
                **values,
            )
        ).inserted_primary_key[0]
    )


# --- coefficients --------------------------------------------------------------------------
def _steps(spec: dict[str, Any], x: float) -> float:
    for bound, coefficient in spec["steps"]:
        if x <= float(bound):
            return float(coefficient)
    return float(spec["steps"][-1][1])


def coefficient(name: str, given: Any) -> float:
    """A permit's coefficient: a number, or the facts of ``limits.toml``'s tables."""
    if given is None:
        return 1.0
    if isinstance(given, int | float):
        return float(given)
    if isinstance(given, str):
        return float(given)
    spec = package_data().get("coefficients", {}).get(name)
    if spec is None or not isinstance(given, dict):
        raise ValueError(f"coefficient {name}: give a number (no table to derive it from)")
    if "receiving" in given:  # Kq: by kind of receiving water
        kind = spec.get(str(given["receiving"]))
        if kind is None:
            raise ValueError(f"{name}: unknown receiving water {given['receiving']!r}")
        if "value" in kind:
            return float(kind["value"])
        x = given.get(kind["input"])
        return float(kind.get("default", 1.0)) if x is None else _steps(kind, float(x))
    x = given.get(spec.get("input", ""))
    if x is None:
        raise ValueError(f"{name}: needs {spec.get('input')!r} to be derived")
    return _steps(spec, float(x))


# --- resolution ----------------------------------------------------------------------------
@dataclass
class LimitTable:
    standards: dict[str, Any]
    values: list[Any]
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # answers for permits

    def version(self, code: str, day: int) -> Any | None:
        """A standard by code, or the version of a family in force on ``day``."""
        if code in self.standards:
            return self.standards[code]
        versions = [s for s in self.standards.values() if s.family == code]
        live = [s for s in versions if s.effective_from <= day < s.effective_to]
        if live:
            return max(live, key=lambda s: s.effective_from)
        earlier = [s for s in versions if s.effective_from <= day]
        return max(earlier, key=lambda s: s.effective_from) if earlier else None


_tables: dict[str, tuple[float, LimitTable]] = {}
TABLE_MAX_AGE = 30.0


def load_limit_table(conn: Connection, fresh: bool = False) -> LimitTable:
    """The limit tables (cached for a few seconds per database; edits clear the cache)."""
    key = str(conn.engine.url)
    cached = _tables.get(key)
    if cached is not None and not fresh and time.monotonic() - cached[0] < TABLE_MAX_AGE:
        return cached[1]
    sync_package_limits(conn)
    standards = {r.code: r for r in conn.execute(select(limit_standards))}
    table = LimitTable(standards, list(conn.execute(select(limit_values))))
    _tables[key] = (time.monotonic(), table)
    return table


def forget_cached_tables() -> None:
    _tables.clear()


def permit_standards(station: Any, table: LimitTable) -> list[str]:
    """Standard codes or families a station answers to: its permit, else its component's."""
    raw = station.permit_standard or package_data().get("defaults", {}).get(station.component)
    if not raw:
        return []
    return [part.strip() for part in str(raw).replace(";", ",").split(",") if part.strip()]


def _permit_key(station: Any) -> tuple[Any, ...]:
    coefficients = station.permit_coefficients or {}
    return (
        station.permit_standard,
        station.component,
        station.permit_column,
        repr(sorted(coefficients.items())),
    )


def limits_on(table: LimitTable, station: Any, day: int) -> list[Limit]:
    """The limits that apply to a station on a local day (yyyymmdd)."""
    key = ("on", *_permit_key(station), day)
    found = table.memo.get(key)
    if found is None:
        found = table.memo[key] = _limits_on(table, station, day)
    return list(found)


def _limits_on(table: LimitTable, station: Any, day: int) -> list[Limit]:
    out: list[Limit] = []
    given = station.permit_coefficients or {}
    for code in permit_standards(station, table):
        std = table.version(code, day)
        if std is None:
            continue
        column = (station.permit_column or "").strip()
        columns = std.columns or [""]
        if column not in columns:
            if len(columns) == 1:
                column = columns[0]
            else:
                continue  # the permit must say which column (A/B, A1…B2)
        coefficients = {name: coefficient(name, given.get(name)) for name in std.coefficients}
        factor = math.prod(coefficients.values()) if coefficients else 1.0
        rows = [
            v
            for v in table.values
            if v.standard == std.code
            and v.col == column
            and v.effective_from <= day < v.effective_to
        ]
        best: dict[tuple[str, str], Any] = {}
        for v in rows:
            key = (v.parameter, v.averaging)
            if key not in best or v.effective_from > best[key].effective_from:
                best[key] = v
        for v in best.values():
            k = factor if v.apply_coefficients else 1.0
            out.append(
                Limit(
                    parameter=v.parameter,
                    averaging=v.averaging,
                    min=_scaled(v.min, k),
                    max=_scaled(v.max, k),
                    unit=v.unit,
                    standard=std.code,
                    column=column,
                    base_min=v.min,
                    base_max=v.max,
                    coefficients=coefficients if v.apply_coefficients else {},
                    uncertain=bool(v.uncertain),
                    effective_from=max(v.effective_from, std.effective_from),
                    effective_to=min(v.effective_to, std.effective_to),
                )
            )
    return out


def _scaled(value: float | None, factor: float) -> float | None:
    """C·K without float noise (150 × 0.9 × 1.1 is 148.5, not 148.50000000000003)."""
    return None if value is None else float(f"{value * factor:.10g}")


def change_days(table: LimitTable, station: Any, first_day: int, last_day: int) -> list[int]:
    """Days in (first_day, last_day] on which the limits that apply may change."""
    key = ("change", *_permit_key(station), first_day, last_day)
    found = table.memo.get(key)
    if found is None:
        found = table.memo[key] = _change_days(table, station, first_day, last_day)
    return list(found)


def _change_days(table: LimitTable, station: Any, first_day: int, last_day: int) -> list[int]:
    codes = set(permit_standards(station, table))
    related = {s.code for s in table.standards.values() if s.code in codes or s.family in codes}
    days: set[int] = set()
    for s in table.standards.values():
        if s.code in related:
            days.update((s.effective_from, s.effective_to))
    for v in table.values:
        if v.standard in related:
            days.update((v.effective_from, v.effective_to))
    return sorted(d for d in days if first_day < d <= last_day)


def today_local(offset_min: int = 420, now: float | None = None) -> int:
    t = datetime.fromtimestamp((now if now is not None else time.time()) + offset_min * 60, UTC)
    return int(t.strftime("%Y%m%d"))
