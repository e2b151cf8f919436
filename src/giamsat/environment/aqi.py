"""VN_AQI kept current in the store for ambient-air stations, and read back for the UI/API.

Hourly means come from ``rollup_hourly`` (usable values only: status 00, flag 1/2/3), so QC and
calibration exclusions apply. After new values or changed flags, :func:`refresh_station`
recomputes the hours they can influence (NowCast reaches 11 hours ahead) and the days (the
O3 8-hour mean reaches 7 hours ahead). The arithmetic is :mod:`giamsat.environment.vn_aqi`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Connection

from giamsat.core.store import Store
from giamsat.environment.hourly_cache import lookup
from giamsat.environment.quality_schema import aqi_daily as daily_table
from giamsat.environment.quality_schema import aqi_hourly as hourly_table
from giamsat.environment.rollups import day_bounds, hour_label, local_day
from giamsat.environment.schema import parameters, series, stations
from giamsat.environment.vn_aqi import (
    HOUR,
    NOWCAST_HOURS,
    POLLUTANTS,
    AqiValue,
    categories,
    category,
    daily_aqi,
    hourly_aqi,
)

AQI_PARAMETERS = POLLUTANTS
AQI_UNIT = "µg/m3"
CATEGORIES: list[dict[str, Any]] = [
    {
        "min": c["min"],
        "max": c["max"],
        "vi": c["vi"],
        "en": c["en"],
        "colour": c["colour"],
        "advice_vi": c["advice_vi"],
        "advice_en": c["advice_en"],
        "advice_sensitive_vi": c["advice_sensitive_vi"],
        "advice_sensitive_en": c["advice_sensitive_en"],
        "effect_vi": c["effect_vi"],
        "effect_en": c["effect_en"],
    }
    for c in categories()
]


def _series_of(conn: Connection, station_id: int) -> dict[str, int]:
    cache = lookup(conn)
    if cache is not None and station_id in cache.aqi_series:
        return dict(cache.aqi_series[station_id])
    rows = conn.execute(
        select(series.c.id, parameters.c.code)
        .join(parameters, parameters.c.id == series.c.parameter_id)
        .where(
            series.c.station_id == station_id,
            parameters.c.code.in_(AQI_PARAMETERS),
            series.c.unit == AQI_UNIT,
        )
    )
    return {r.code: r.id for r in rows}


def _hourly_grid(
    conn: Connection, sids: dict[str, int], first: int, last: int
) -> dict[str, np.ndarray]:
    """pollutant → hourly means on the grid of labels first … last (NaN where none)."""
    n = (last - first) // HOUR + 1
    grid = {p: np.full(n, np.nan) for p in sids}
    if not sids or n <= 0:
        return grid
    by_id = {sid: p for p, sid in sids.items()}
    cache = lookup(conn)
    if cache is not None:
        found = {sid: cache.get(sid, first, last) for sid in by_id}
        if all(f is not None for f in found.values()):
            for sid, f in found.items():
                assert f is not None
                grid[by_id[sid]][(f[0] - first) // HOUR] = f[1]
            return grid
    rows = conn.execute(
        text(
            "SELECT series_id, ts, mean FROM rollup_hourly WHERE series_id IN :ids "
            "AND ts >= :a AND ts <= :b"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": list(by_id), "a": first, "b": last},
    )
    for sid, ts, mean in rows:
        grid[by_id[sid]][(ts - first) // HOUR] = mean
    return grid


def _hour_row(station_id: int, ts: int, v: AqiValue) -> dict[str, Any]:
    return {
        "station_id": station_id,
        "ts": ts,
        "aqi": v.aqi,
        "dominant": v.dominant,
        "sub_indices": v.sub_indices,
    }


def refresh_station(
    conn: Connection, station_id: int, utc_offset_min: int, changed_ts: Iterable[int]
) -> None:
    """Recompute the hourly and daily AQI that values at ``changed_ts`` can affect."""
    hours = np.unique(hour_label(np.asarray(list(changed_ts), dtype=np.int64)))
    if len(hours) == 0:
        return
    sids = _series_of(conn, station_id)
    if not sids:
        return
    cache = lookup(conn)
    known, newest = cache.newest(list(sids.values())) if cache is not None else (False, None)
    if not known:
        newest = conn.execute(
            text("SELECT max(ts) FROM rollup_hourly WHERE series_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": list(sids.values())},
        ).scalar()
    if newest is None:
        conn.execute(hourly_table.delete().where(hourly_table.c.station_id == station_id))
        return
    # hours: each changed hour and the 11 after it (NowCast), up to the newest hourly mean
    targets = np.unique((hours[:, None] + HOUR * np.arange(NOWCAST_HOURS)[None, :]).ravel())
    targets = targets[targets <= max(int(newest), int(hours.max()))]
    first, last = int(targets.min()), int(targets.max())
    grid = _hourly_grid(conn, sids, first - (NOWCAST_HOURS - 1) * HOUR, last)
    values = hourly_aqi(grid)
    offset = NOWCAST_HOURS - 1
    rows = []
    for t in targets.tolist():
        v = values[(t - first) // HOUR + offset]
        if v is not None:
            rows.append(_hour_row(station_id, t, v))
    conn.execute(
        text("DELETE FROM aqi_hourly WHERE station_id = :s AND ts IN :ts").bindparams(
            bindparam("ts", expanding=True)
        ),
        {"s": station_id, "ts": targets.tolist()},
    )
    if rows:
        conn.execute(hourly_table.insert(), rows)
    # days: the day of each changed hour and of the hour 7 hours later (O3 8-hour means)
    reach = np.unique(np.concatenate([hours, hours + 7 * HOUR]))
    days = sorted(set(local_day(reach, np.full(len(reach), utc_offset_min)).tolist()))
    for day in days:
        _refresh_day(conn, station_id, utc_offset_min, sids, int(day))


def _refresh_day(
    conn: Connection, station_id: int, offset: int, sids: dict[str, int], day: int
) -> None:
    start, end = day_bounds(day, offset)  # hours labelled start+1h … end
    grid = _hourly_grid(conn, sids, start - 6 * HOUR, end)
    day_values = {p: g[7:] for p, g in grid.items()}
    o3_before = grid["O3"][:7] if "O3" in grid else None
    value = daily_aqi(day_values, o3_before)
    conn.execute(
        daily_table.delete().where(daily_table.c.station_id == station_id, daily_table.c.day == day)
    )
    if value is not None:
        conn.execute(
            daily_table.insert().values(
                station_id=station_id,
                day=day,
                aqi=value.aqi,
                dominant=value.dominant,
                sub_indices=value.sub_indices,
            )
        )


def rebuild(store: Store, station_codes: list[str] | None = None) -> int:
    """Recompute every stored AQI of ambient-air stations from the rollups (e.g. after import)."""
    done = 0
    with store.write() as conn:
        query = select(stations.c.id, stations.c.utc_offset_min).where(
            stations.c.component == "ambient_air"
        )
        if station_codes:
            query = query.where(stations.c.code.in_(station_codes))
        for sid, offset in conn.execute(query).all():
            ids = list(_series_of(conn, sid).values())
            if not ids:
                continue
            hours = conn.execute(
                text("SELECT DISTINCT ts FROM rollup_hourly WHERE series_id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": ids},
            ).scalars()
            hours = sorted(hours)
            for i in range(0, len(hours), 24 * 31):
                refresh_station(conn, sid, offset, hours[i : i + 24 * 31])
            done += 1
    return done


# --- reading --------------------------------------------------------------------------------
def _iso(ts: int, offset_min: int) -> str:
    return datetime.fromtimestamp(ts, timezone(timedelta(minutes=offset_min))).isoformat()


def _describe(aqi: int) -> dict[str, Any]:
    c = category(aqi)
    return {"category": c["vi"], "category_en": c["en"], "colour": c["colour"]}


def latest_aqi(store: Store, published_only: bool = True) -> list[dict[str, Any]]:
    """The newest hourly AQI of every ambient-air station (published ones unless told)."""
    newest = hourly_table.alias("newest")
    with store.engine.connect() as conn:
        query = (
            select(
                stations.c.id,
                stations.c.code,
                stations.c.name,
                stations.c.lat,
                stations.c.lon,
                stations.c.utc_offset_min,
                hourly_table.c.ts,
                hourly_table.c.aqi,
                hourly_table.c.dominant,
                hourly_table.c.sub_indices,
            )
            .join(hourly_table, hourly_table.c.station_id == stations.c.id)
            .where(
                stations.c.component == "ambient_air",
                hourly_table.c.ts
                == select(func.max(newest.c.ts))
                .where(newest.c.station_id == stations.c.id)
                .scalar_subquery(),
            )
            .order_by(stations.c.code)
        )
        if published_only:
            query = query.where(stations.c.published.is_(True))
        rows = conn.execute(query).all()
    return [
        {
            "station": r.code,
            "name": r.name,
            "lat": r.lat,
            "lon": r.lon,
            "time": _iso(r.ts, r.utc_offset_min),
            "ts": r.ts,
            "aqi": r.aqi,
            **_describe(r.aqi),
            "dominant": r.dominant,
            "sub_indices": r.sub_indices,
        }
        for r in rows
    ]


def _station(conn: Connection, code: str) -> Any:
    row = conn.execute(
        select(stations.c.id, stations.c.utc_offset_min).where(stations.c.code == code)
    ).first()
    if row is None:
        raise LookupError(f"no station {code!r}")
    return row


def aqi_hourly(store: Store, station_code: str, start: int, end: int) -> list[dict[str, Any]]:
    """Hourly AQI of a station for hours labelled start … end (Unix seconds)."""
    with store.engine.connect() as conn:
        st = _station(conn, station_code)
        rows = conn.execute(
            select(hourly_table)
            .where(
                hourly_table.c.station_id == st.id,
                hourly_table.c.ts >= start,
                hourly_table.c.ts <= end,
            )
            .order_by(hourly_table.c.ts)
        ).all()
    return [
        {
            "time": _iso(r.ts, st.utc_offset_min),
            "ts": r.ts,
            "aqi": r.aqi,
            "dominant": r.dominant,
            "sub_indices": r.sub_indices,
            **_describe(r.aqi),
        }
        for r in rows
    ]


def aqi_daily(
    store: Store, station_code: str, start_day: int, end_day: int
) -> list[dict[str, Any]]:
    """Daily AQI of a station for local days start_day … end_day (yyyymmdd)."""
    with store.engine.connect() as conn:
        st = _station(conn, station_code)
        rows = conn.execute(
            select(daily_table)
            .where(
                daily_table.c.station_id == st.id,
                daily_table.c.day >= start_day,
                daily_table.c.day <= end_day,
            )
            .order_by(daily_table.c.day)
        ).all()
    return [
        {
            "day": r.day,
            "date": f"{str(r.day)[:4]}-{str(r.day)[4:6]}-{str(r.day)[6:]}",
            "aqi": r.aqi,
            "dominant": r.dominant,
            "sub_indices": r.sub_indices,
            **_describe(r.aqi),
        }
        for r in rows
    ]
