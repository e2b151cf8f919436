"""VN_AQI from a CSV of hourly means: ``station,time,parameter,value`` → AQI rows.

Used by ``giamsat env aqi``. Times are hour labels (the end of the hour averaged); without an
offset they are Vietnam local time (UTC+7), and days are local (hours 01:00 … 24:00).
Parameter names go through the catalog's aliases (``PM2,5`` → ``PM2.5``). Rows that cannot be
read are reported (line, reason) and skipped; negative or empty values are ignored, as the
rules say, and counted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np

from giamsat.environment.catalog import default_catalog
from giamsat.environment.tt10 import parse_value
from giamsat.environment.vn_aqi import HOUR, POLLUTANTS, daily_aqi, hourly_aqi

LOCAL = timezone(timedelta(hours=7))
MISSING_TEXT = {"", "na", "n/a", "nan", "null", "none", "-", "--"}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
_AMPM_FORMATS = ("%Y-%m-%d %I:%M %p", "%Y-%m-%d %I:%M:%S %p", "%m/%d/%Y %I:%M %p")


@dataclass
class Problem:
    line: int
    message: str


@dataclass
class Table:
    """station → pollutant → {hour label (Unix s): value}."""

    values: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)
    # every hour a station's rows name, values used or not: the span AQI is reported over
    hours: dict[str, set[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)
    rows: int = 0


def parse_time(text: str) -> int:
    """Unix seconds of an hour label; naive times are UTC+7; ``24:00`` is the next midnight."""
    raw = text.strip()
    if not raw:
        raise ValueError("empty time")
    s = raw.replace("T", " ") if re.match(r"^\d{4}-\d{2}-\d{2}T", raw) else raw
    extra = timedelta(0)
    m = re.match(r"^(\d{4}[-/]\d{2}[-/]\d{2})[ T]24:00(:00)?(.*)$", s)
    if m:
        s = f"{m.group(1)} 00:00{m.group(3)}"
        extra = timedelta(days=1)
    s = re.sub(r"Z$", "+00:00", s)
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        for fmt in (*_TIME_FORMATS, *_AMPM_FORMATS):
            try:
                dt = datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
    if dt is None:
        raise ValueError(f"time {raw!r} is not ISO 8601 (e.g. 2024-03-15T20:00:00+07:00)")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=LOCAL)
    return int((dt + extra).timestamp())


def read(text: str) -> Table:
    """Read the CSV; every unusable line becomes a :class:`Problem`."""
    table = Table()
    catalog = default_catalog()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        table.problems.append(Problem(1, "the file is empty"))
        return table
    names = [h.strip().lower() for h in header]
    need = ("station", "time", "parameter", "value")
    missing = [n for n in need if n not in names]
    if missing:
        table.problems.append(
            Problem(1, f"header lacks column(s) {', '.join(missing)}; need {','.join(need)}")
        )
        return table
    col = {n: names.index(n) for n in need}
    seen: dict[tuple[str, str, int], int] = {}
    for line, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        table.rows += 1
        if len(row) < len(names):
            row = row + [""] * (len(names) - len(row))
        station = row[col["station"]].strip()
        if not station:
            table.problems.append(Problem(line, "no station"))
            continue
        try:
            ts = parse_time(row[col["time"]])
        except ValueError as exc:
            table.problems.append(Problem(line, str(exc)))
            continue
        if ts % HOUR:
            ts = -(-ts // HOUR) * HOUR
            table.ignored["times not on the hour, moved to the end of their hour"] += 1
        table.hours.setdefault(station, set()).add(ts)
        name = row[col["parameter"]].strip()
        parameter = catalog.canonical_name(name) or name
        if parameter not in POLLUTANTS:
            table.ignored[f"parameter {name!r} is not used by VN_AQI"] += 1
            continue
        text_value = row[col["value"]].strip()
        if text_value.lower() in MISSING_TEXT:
            table.ignored["missing values"] += 1
            continue
        value = parse_value(text_value)
        if value is None or not math.isfinite(value):
            table.problems.append(Problem(line, f"value {text_value!r} is not a number"))
            continue
        if value < 0:
            table.ignored["negative values (ignored by the rules)"] += 1
            continue
        key = (station, parameter, ts)
        if key in seen:
            table.problems.append(
                Problem(
                    line,
                    f"{station} {parameter} at this hour again (line {seen[key]}); the later value is used",
                )
            )
        seen[key] = line
        table.values.setdefault(station, {}).setdefault(parameter, {})[ts] = value
    return table


def _grid(series: dict[str, dict[int, float]], first: int, last: int) -> dict[str, np.ndarray]:
    n = (last - first) // HOUR + 1
    out = {}
    for p, points in series.items():
        g = np.full(n, np.nan)
        for t, v in points.items():
            if first <= t <= last:
                g[(t - first) // HOUR] = v
        out[p] = g
    return out


def iso_local(ts: int) -> str:
    return datetime.fromtimestamp(ts, LOCAL).isoformat()


def _local_day_start(ts: int) -> int:
    """Unix time of local 00:00 that opens the day an hour label belongs to (01:00 … 24:00)."""
    local = datetime.fromtimestamp(ts - 1, LOCAL)
    return int(local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())


def hourly_rows(table: Table) -> list[tuple[str, str, int, str]]:
    """(station, time, aqi, dominant) for every hour within each station's data span."""
    out = []
    for station in sorted(table.values):
        series = table.values[station]
        stamps = table.hours[station]
        first, last = min(stamps), max(stamps)
        grid = _grid(series, first, last)
        for i, v in enumerate(hourly_aqi(grid)):
            if v is not None:
                out.append((station, iso_local(first + i * HOUR), v.aqi, v.dominant))
    return out


def daily_rows(table: Table) -> list[tuple[str, str, int, str]]:
    """(station, date, aqi, dominant) for every local day with a computable AQI."""
    out = []
    for station in sorted(table.values):
        series = table.values[station]
        stamps = [t for points in series.values() for t in points]
        if not stamps:
            continue
        days = sorted({_local_day_start(t) for t in stamps})
        for start in days:
            grid = _grid(series, start - 6 * HOUR, start + 24 * HOUR)
            day = {p: g[7:] for p, g in grid.items()}
            before = grid["O3"][:7] if "O3" in grid else None
            v = daily_aqi(day, before)
            if v is not None:
                date = datetime.fromtimestamp(start, LOCAL).date().isoformat()
                out.append((station, date, v.aqi, v.dominant))
    return out


def write_csv(rows: list[tuple[str, str, int, str]], daily: bool, out: io.TextIOBase) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["station", "date" if daily else "time", "aqi", "dominant"])
    writer.writerows(rows)
