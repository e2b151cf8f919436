"""Compliance with QCVN limits: episodes, consecutive days, live exceedances and their alerts.

Values are compared in their limit's averaging period (docs/quality.md): ``instant`` raw usable
values; ``1h`` hourly means; ``8h`` 8-hour means of hourly means (≥ 6 of 8); ``24h`` means of a
local day's hourly means (≥ 18 of 24; live checks use the last 24 hours); ``year`` a year's
daily means (≥ 75 % of its days). Only usable values count (status 00, flag 1/2/3), so device
errors, calibrations and failed values never make or hide an exceedance. A limit applies only
to a channel stored in the limit's unit.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from giamsat.core.store import Store
from giamsat.environment.hourly_cache import lookup
from giamsat.environment.limits import Limit, LimitTable, change_days, limits_on, load_limit_table
from giamsat.environment.rollups import USABLE_FLAGS, day_bounds, local_day
from giamsat.environment.schema import parameters, series, stations
from giamsat.environment.vn_aqi import rolling_mean_8h

HOUR = 3600
DAY = 86400
MIN_DAY_HOURS = 18
MIN_YEAR_FRACTION = 0.75
DEFAULT_EXCEEDANCE_DAYS = 3
RULE = "exceedance"
RULE_DAYS = "exceedance_days"


@dataclass(frozen=True)
class Channel:
    series_id: int
    parameter: str
    unit: str


_CHANNELS = "giamsat.exceedance.channels"  # conn.info: station → channels, for one batch


def _channels(conn: Connection, station_id: int) -> dict[str, Channel]:
    cached = conn.info.get(_CHANNELS)
    if cached is not None and station_id in cached:
        return cached[station_id]
    rows = conn.execute(
        select(series.c.id, series.c.unit, parameters.c.code)
        .join(parameters, parameters.c.id == series.c.parameter_id)
        .where(series.c.station_id == station_id)
    )
    return {r.code: Channel(r.id, r.code, r.unit) for r in rows}


def _station(conn: Connection, code: str) -> Any:
    row = conn.execute(select(stations).where(stations.c.code == code)).first()
    if row is None:
        raise LookupError(f"no station {code!r}")
    return row


def _day(ts: int, offset: int) -> int:
    return int(local_day(np.array([ts]), np.array([offset]))[0])


def _iso(ts: int, offset_min: int) -> str:
    return datetime.fromtimestamp(ts, timezone(timedelta(minutes=offset_min))).isoformat()


def station_limits(store: Store, station_code: str, at: int | None = None) -> list[dict[str, Any]]:
    """The limits that apply to a station at ``at`` (default now), coefficients applied."""
    with store.write() as conn:
        st = _station(conn, station_code)
        day = _day(int(time.time()) if at is None else at, st.utc_offset_min)
        table = load_limit_table(conn)
        return [lim.as_dict() for lim in limits_on(table, st, day)]


# --- averaged values ------------------------------------------------------------------------
def _hourly(conn: Connection, sid: int, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    cache = lookup(conn)
    found = cache.get(sid, first, last) if cache is not None else None
    if found is not None:
        return found
    rows = conn.execute(
        text(
            "SELECT ts, mean FROM rollup_hourly WHERE series_id = :s AND ts >= :a AND ts <= :b "
            "ORDER BY ts"
        ),
        {"s": sid, "a": first, "b": last},
    ).all()
    return (
        np.fromiter((r[0] for r in rows), np.int64, len(rows)),
        np.fromiter((r[1] for r in rows), np.float64, len(rows)),
    )


def _grid(ts: np.ndarray, values: np.ndarray, first: int, last: int) -> np.ndarray:
    n = max(0, (last - first) // HOUR + 1)
    g = np.full(n, np.nan)
    inside = (ts >= first) & (ts <= last)
    g[(ts[inside] - first) // HOUR] = values[inside]
    return g


def _daily_means(
    ts: np.ndarray, values: np.ndarray, offset: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(day yyyymmdd, label = end of the local day, mean of ≥ 18 hourly means)."""
    if len(ts) == 0:
        e = np.array([], dtype=np.int64)
        return e, e, np.array([])
    days = local_day(ts, np.full(len(ts), offset))
    uniq, inverse = np.unique(days, return_inverse=True)
    counts = np.bincount(inverse)
    sums = np.bincount(inverse, weights=values)
    keep = counts >= MIN_DAY_HOURS
    labels = np.array([day_bounds(int(d), offset)[1] for d in uniq[keep]], dtype=np.int64)
    return uniq[keep], labels, sums[keep] / counts[keep]


def averaged(
    conn: Connection, station: Any, sid: int, averaging: str, start: int, end: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """(labels, values, step) of a channel in an averaging period, labels in (start, end]."""
    offset = int(station.utc_offset_min)
    if averaging == "instant":
        flags = ", ".join(str(f) for f in USABLE_FLAGS)
        rows = conn.execute(
            text(
                "SELECT ts, value FROM observations WHERE series_id = :s AND ts > :a AND ts <= :b "
                f"AND status = 0 AND flag IN ({flags}) AND value IS NOT NULL ORDER BY ts"
            ),
            {"s": sid, "a": start, "b": end},
        ).all()
        return (
            np.fromiter((r[0] for r in rows), np.int64, len(rows)),
            np.fromiter((r[1] for r in rows), np.float64, len(rows)),
            int(station.expected_interval_s or 300),
        )
    if averaging == "1h":
        ts, v = _hourly(conn, sid, start + 1, end)
        return ts, v, HOUR
    if averaging == "8h":
        first = (start // HOUR + 1) * HOUR
        ts, v = _hourly(conn, sid, first - 7 * HOUR, end)
        grid = _grid(ts, v, first - 7 * HOUR, end)
        means = rolling_mean_8h(grid)[7:]
        labels = first + HOUR * np.arange(len(means), dtype=np.int64)
        ok = ~np.isnan(means)
        return labels[ok], means[ok], HOUR
    if averaging == "24h":
        a = day_bounds(_day(start + 1, offset), offset)[0]
        b = day_bounds(_day(end, offset), offset)[1]
        ts, v = _hourly(conn, sid, a + 1, b)
        _, labels, means = _daily_means(ts, v, offset)
        inside = (labels > start) & (labels <= end)
        return labels[inside], means[inside], DAY
    if averaging == "year":
        tz = timezone(timedelta(minutes=offset))
        y0 = datetime.fromtimestamp(start + 1, tz).year
        y1 = datetime.fromtimestamp(end, tz).year
        labels, means = [], []
        for year in range(y0, y1 + 1):
            a = day_bounds(year * 10000 + 101, offset)[0]
            b = day_bounds(year * 10000 + 1231, offset)[1]
            if not (start < b <= end):
                continue
            ts, v = _hourly(conn, sid, a + 1, b)
            _, _, daily = _daily_means(ts, v, offset)
            days_in_year = (b - a) // DAY
            if len(daily) >= MIN_YEAR_FRACTION * days_in_year:
                labels.append(b)
                means.append(float(daily.mean()))
        return np.asarray(labels, dtype=np.int64), np.asarray(means), 366 * DAY
    raise ValueError(f"unknown averaging {averaging!r}")


# --- limits over time -----------------------------------------------------------------------
def _segments(table: LimitTable, st: Any, start: int, end: int) -> list[tuple[int, list[Limit]]]:
    """[(first day, limits)] covering the local days of (start, end]."""
    offset = int(st.utc_offset_min)
    first, last = _day(start + 1, offset), _day(end, offset)
    days = [first, *change_days(table, st, first, last)]
    return [(d, limits_on(table, st, d)) for d in days]


def _bounds_per_label(
    segments: list[tuple[int, list[Limit]]], labels: np.ndarray, offset: int, key: tuple[str, str]
) -> list[Limit | None]:
    starts = np.array([d for d, _ in segments], dtype=np.int64)
    lookup = [
        {(lim.parameter, lim.averaging): lim for lim in lims}.get(key) for _, lims in segments
    ]
    if len(labels) == 0:
        return []
    days = local_day(labels, np.full(len(labels), offset))
    which = np.clip(np.searchsorted(starts, days, side="right") - 1, 0, len(starts) - 1)
    return [lookup[i] for i in which]


def _episodes_of(
    st: Any,
    parameter: str,
    averaging: str,
    labels: np.ndarray,
    values: np.ndarray,
    step: int,
    limits: list[Limit | None],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    last_label = None
    for t, v, lim in zip(labels.tolist(), values.tolist(), limits, strict=True):
        breach = lim.breach(v) if lim is not None else None
        continues = (
            current is not None
            and breach is not None
            and breach[0] == current["kind"]
            and lim.standard == current["standard"]
            and t - last_label <= 2 * max(step, 1)
        )
        if current is not None and not continues:
            out.append(current)
            current = None
        if breach is not None:
            kind, bound = breach
            if current is None:
                current = {
                    "station": st.code,
                    "parameter": parameter,
                    "standard": lim.standard,
                    "column": lim.column,
                    "averaging": averaging,
                    "unit": lim.unit,
                    "kind": kind,
                    "limit": bound,
                    "start": t - (step if averaging != "instant" else 0),
                    "end": t,
                    "peak": v,
                    "peak_ts": t,
                    "ratio": round(v / bound, 4) if bound else None,
                    "count": 1,
                }
            else:
                current["end"] = t
                current["count"] += 1
                worse = v > current["peak"] if kind == "max" else v < current["peak"]
                if worse:
                    current["peak"], current["peak_ts"] = v, t
                    current["ratio"] = round(v / bound, 4) if bound else None
            last_label = t
    if current is not None:
        out.append(current)
    offset = int(st.utc_offset_min)
    for e in out:
        e["start_time"] = _iso(e["start"], offset)
        e["end_time"] = _iso(e["end"], offset)
    return out


def _station_episodes(conn: Connection, table: LimitTable, st: Any, start: int, end: int) -> list:
    segments = _segments(table, st, start, end)
    keys = {(lim.parameter, lim.averaging) for _, lims in segments for lim in lims}
    chans = _channels(conn, st.id)
    out: list[dict[str, Any]] = []
    for parameter, averaging in sorted(keys):
        ch = chans.get(parameter)
        if ch is None:
            continue
        labels, values, step = averaged(conn, st, ch.series_id, averaging, start, end)
        limits = _bounds_per_label(segments, labels, int(st.utc_offset_min), (parameter, averaging))
        limits = [lim if lim is not None and lim.unit == ch.unit else None for lim in limits]
        out.extend(_episodes_of(st, parameter, averaging, labels, values, step, limits))
    return out


def exceedance_episodes(
    store: Store, station_codes: list[str] | None, start: int, end: int
) -> list[dict[str, Any]]:
    """Runs of consecutive averaged values outside a limit, with start, end, peak and ratio.

    ``start``/``end`` of an episode bound the averaging periods (an hourly mean labelled 11:00
    covers 10:00–11:00); ``ratio`` is peak ÷ limit (below 1 for a minimum such as DO).
    """
    out: list[dict[str, Any]] = []
    with store.write() as conn:
        table = load_limit_table(conn)
        query = select(stations).order_by(stations.c.code)
        if station_codes:
            query = query.where(stations.c.code.in_(station_codes))
        for st in conn.execute(query).all():
            out.extend(_station_episodes(conn, table, st, start, end))
    out.sort(key=lambda e: (e["station"], e["start"], e["parameter"], e["averaging"]))
    return out


def exceedance_days(
    store: Store,
    station_codes: list[str] | None,
    start: int,
    end: int,
    min_days: int = DEFAULT_EXCEEDANCE_DAYS,
) -> list[dict[str, Any]]:
    """Runs of ≥ ``min_days`` consecutive local days on which a parameter exceeded a limit."""
    episodes = exceedance_episodes(store, station_codes, start, end)
    with store.engine.connect() as conn:
        offsets = dict(conn.execute(select(stations.c.code, stations.c.utc_offset_min)).all())
    return _day_runs(episodes, offsets, min_days)


def _day_runs(
    episodes: list[dict[str, Any]], offsets: dict[str, int], min_days: int
) -> list[dict[str, Any]]:
    days: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for e in episodes:
        offset = offsets.get(e["station"], 420)
        first = _day(e["start"] + 1 if e["start"] < e["end"] else e["start"], offset)
        last = _day(e["end"], offset)
        d = datetime.strptime(str(first), "%Y%m%d")
        while int(d.strftime("%Y%m%d")) <= last:
            key = int(d.strftime("%Y%m%d"))
            ratio = e["ratio"] if e["kind"] == "max" else (1 / e["ratio"] if e["ratio"] else 0)
            prev = days[(e["station"], e["parameter"])].get(key, 0.0)
            days[(e["station"], e["parameter"])][key] = max(prev, ratio or 0.0)
            d += timedelta(days=1)
    out = []
    for (station, parameter), per_day in sorted(days.items()):
        ordered = sorted(per_day)
        run = [ordered[0]]
        for d in [*ordered[1:], None]:
            if d is not None and _next_day(run[-1]) == d:
                run.append(d)
                continue
            if len(run) >= min_days:
                out.append(
                    {
                        "station": station,
                        "parameter": parameter,
                        "first_day": run[0],
                        "last_day": run[-1],
                        "days": len(run),
                        "worst_ratio": round(max(per_day[x] for x in run), 4),
                    }
                )
            if d is not None:
                run = [d]
    return out


def _next_day(day: int) -> int:
    d = datetime.strptime(str(day), "%Y%m%d") + timedelta(days=1)
    return int(d.strftime("%Y%m%d"))


_MOVED = {"LOOKBACK", "current_exceedances", "update_alerts", "day_rule_days"}


def __getattr__(name: str) -> Any:
    """Names that moved to :mod:`exceedance_live` stay importable from here."""
    if name in _MOVED:
        from giamsat.environment import exceedance_live

        return getattr(exceedance_live, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
