"""Observation reads for charts, look-up tables and exports.

Long periods come from the hourly and daily rollups, never from raw 5-minute values
(DESIGN §1): :func:`choose_resolution` picks the finest source that keeps a chart near a couple
of thousand points per parameter, so three years of one station read ~1,100 daily rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from giamsat.environment.schema import parameters, series
from giamsat.web.timeparams import day_int, day_iso, day_start, iso

RESOLUTIONS = ("raw", "hour", "day")
MAX_RAW_POINTS = 1500
MAX_HOURLY_POINTS = 2500


def choose_resolution(span_s: int, interval_s: int = 300) -> str:
    if span_s / max(interval_s, 1) <= MAX_RAW_POINTS:
        return "raw"
    if span_s / 3600 <= MAX_HOURLY_POINTS:
        return "hour"
    return "day"


@dataclass(frozen=True)
class Channel:
    """One series (station × parameter) as the API shows it."""

    series_id: int
    station_id: int
    station: str
    offset_min: int
    parameter: str
    unit: str
    name_vi: str
    name_en: str


def channels(
    conn: Connection, station_rows: list[Any], codes: list[str] | None = None
) -> list[Channel]:
    """The series of these stations, optionally only the given parameter codes."""
    if not station_rows:
        return []
    by_id = {r.id: r for r in station_rows}
    query = (
        select(
            series.c.id,
            series.c.station_id,
            series.c.unit,
            parameters.c.code,
            parameters.c.name_vi,
            parameters.c.name_en,
        )
        .join(parameters, parameters.c.id == series.c.parameter_id)
        .where(series.c.station_id.in_(list(by_id)))
        .order_by(series.c.station_id, parameters.c.code)
    )
    if codes:
        query = query.where(parameters.c.code.in_(codes))
    out = []
    for r in conn.execute(query):
        st = by_id[r.station_id]
        out.append(
            Channel(
                r.id, r.station_id, st.code, st.utc_offset_min, r.code, r.unit, r.name_vi, r.name_en
            )
        )
    if codes:  # keep the order the caller asked for
        rank = {c: i for i, c in enumerate(codes)}
        out.sort(key=lambda c: (c.station, rank.get(c.parameter, 0)))
    return out


def _bounds(resolution: str, start: int, end: int, offset_min: int) -> tuple[str, int, int]:
    if resolution == "raw":
        return "observations", start, end
    if resolution == "hour":
        return "rollup_hourly", start, end
    return "rollup_daily", day_int(start, offset_min), day_int(end, offset_min)


def _columns(resolution: str) -> str:
    if resolution == "raw":
        return "series_id, ts, value, status, flag"
    key = "ts" if resolution == "hour" else "day"
    return f"series_id, {key}, mean, min, max, count"


def _select(
    resolution: str, ids: list[int], start: int, end: int, offset_min: int, by_time: bool = False
) -> Any:
    table, lo, hi = _bounds(resolution, start, end, offset_min)
    key = "day" if resolution == "day" else "ts"
    id_list = ",".join(str(int(i)) for i in ids) or "NULL"
    order = f"{key}, series_id" if by_time else f"series_id, {key}"
    return text(
        f"SELECT {_columns(resolution)} FROM {table} WHERE series_id IN ({id_list}) "
        f"AND {key} >= :lo AND {key} <= :hi ORDER BY {order}"
    ).bindparams(lo=lo, hi=hi)


def chart_series(
    conn: Connection, chans: list[Channel], start: int, end: int, resolution: str
) -> list[dict[str, Any]]:
    """Columnar series (what uPlot draws): t, value and, per resolution, status/flag or
    min/max/count. Daily points sit at the local midnight that starts the day."""
    if not chans:
        return []
    offset = chans[0].offset_min
    out: dict[int, dict[str, Any]] = {}
    for ch in chans:
        item: dict[str, Any] = {
            "parameter": ch.parameter,
            "unit": ch.unit,
            "name_vi": ch.name_vi,
            "name_en": ch.name_en,
            "t": [],
            "value": [],
        }
        if resolution == "raw":
            item.update(status=[], flag=[])
        else:
            item.update(min=[], max=[], count=[])
        out[ch.series_id] = item
    rows = conn.execute(_select(resolution, list(out), start, end, offset))
    if resolution == "raw":
        for sid, ts, value, status, flag in rows:
            item = out[sid]
            item["t"].append(ts)
            item["value"].append(value)
            item["status"].append(status)
            item["flag"].append(flag)
    else:
        for sid, key, mean, lo, hi, count in rows:
            item = out[sid]
            item["t"].append(day_start(key, offset) if resolution == "day" else key)
            item["value"].append(mean)
            item["min"].append(lo)
            item["max"].append(hi)
            item["count"].append(count)
    return list(out.values())


# --- look-up tables: one row per station and time, one column per parameter -------------


def _time_label(resolution: str, key: int, offset_min: int) -> tuple[int, str]:
    if resolution == "day":
        return day_start(key, offset_min), day_iso(key)
    return key, iso(key, offset_min) or ""


def iter_wide(
    conn: Connection, chans: list[Channel], start: int, end: int, resolution: str
) -> Iterator[dict[str, Any]]:
    """Every (station, time) row of the period, in station then time order."""
    by_station: dict[int, list[Channel]] = {}
    for ch in chans:
        by_station.setdefault(ch.station_id, []).append(ch)
    for station_chans in sorted(by_station.values(), key=lambda cs: cs[0].station):
        param_of = {c.series_id: c.parameter for c in station_chans}
        offset = station_chans[0].offset_min
        current: dict[str, Any] | None = None
        rows = conn.execute(_select(resolution, list(param_of), start, end, offset, True))
        for row in rows:
            key = row[1]
            if current is None or current["_key"] != key:
                if current is not None:
                    current.pop("_key")
                    yield current
                ts, label = _time_label(resolution, key, offset)
                current = {
                    "_key": key,
                    "station": station_chans[0].station,
                    "ts": ts,
                    "time": label,
                    "values": {},
                }
            if resolution == "raw":
                cell = {"v": row[2], "s": row[3], "f": row[4]}
            else:
                cell = {"v": row[2], "min": row[3], "max": row[4], "n": row[5]}
            current["values"][param_of[row[0]]] = cell
        if current is not None:
            current.pop("_key")
            yield current


def count_wide(
    conn: Connection, chans: list[Channel], start: int, end: int, resolution: str
) -> int:
    """How many (station, time) rows :func:`iter_wide` would give."""
    total = 0
    by_station: dict[int, list[int]] = {}
    for ch in chans:
        by_station.setdefault(ch.station_id, []).append(ch.series_id)
    offset = chans[0].offset_min if chans else 420
    for ids in by_station.values():
        table, lo, hi = _bounds(resolution, start, end, offset)
        key = "day" if resolution == "day" else "ts"
        id_list = ",".join(str(int(i)) for i in ids)
        total += conn.execute(
            text(
                f"SELECT count(DISTINCT {key}) FROM {table} WHERE series_id IN ({id_list}) "
                f"AND {key} >= :lo AND {key} <= :hi"
            ),
            {"lo": lo, "hi": hi},
        ).scalar_one()
    return int(total)


def page_wide(
    conn: Connection,
    chans: list[Channel],
    start: int,
    end: int,
    resolution: str,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """One page of :func:`iter_wide`, skipping whole stations by their row counts first."""
    out: list[dict[str, Any]] = []
    by_station: dict[int, list[Channel]] = {}
    for ch in chans:
        by_station.setdefault(ch.station_id, []).append(ch)
    skip = offset
    for station_chans in sorted(by_station.values(), key=lambda cs: cs[0].station):
        if len(out) >= limit:
            break
        n = count_wide(conn, station_chans, start, end, resolution)
        if skip >= n:
            skip -= n
            continue
        # narrow the period to the keys of this page so big stations are not scanned whole
        table, lo, hi = _bounds(resolution, start, end, station_chans[0].offset_min)
        key = "day" if resolution == "day" else "ts"
        id_list = ",".join(str(c.series_id) for c in station_chans)
        keys = list(
            conn.execute(
                text(
                    f"SELECT DISTINCT {key} FROM {table} WHERE series_id IN ({id_list}) "
                    f"AND {key} >= :lo AND {key} <= :hi ORDER BY {key} "
                    f"LIMIT {int(limit - len(out))} OFFSET {int(skip)}"
                ),
                {"lo": lo, "hi": hi},
            ).scalars()
        )
        skip = 0
        if not keys:
            continue
        if resolution == "day":
            offs = station_chans[0].offset_min
            sub_start, sub_end = day_start(keys[0], offs), day_start(keys[-1], offs) + 3600
        else:
            sub_start, sub_end = keys[0], keys[-1]
        out.extend(iter_wide(conn, station_chans, sub_start, sub_end, resolution))
    return out[:limit]


def iter_long_rollups(
    conn: Connection, chans: list[Channel], start: int, end: int, resolution: str
) -> Iterator[tuple[Any, ...]]:
    """station, parameter, time, mean, min, max, count, unit — rollups in long form."""
    for ch in chans:
        for row in conn.execute(_select(resolution, [ch.series_id], start, end, ch.offset_min)):
            _, label = _time_label(resolution, row[1], ch.offset_min)
            yield ch.station, ch.parameter, label, row[2], row[3], row[4], row[5], ch.unit
