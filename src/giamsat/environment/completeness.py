"""Completeness (transmission rate) per station, parameter and day or month.

Shaped like OpenAQ's ``coverage``: expected 5-minute slots, observed (received) values, valid
values (status 00 and flag 1/2/3, i.e. usable in averages), late values (their file arrived more
than N hours after its time), and percentages. Counts come from ``completeness_daily``, kept on
ingest, so a month of the whole network never scans raw values.

Rules (docs/quality.md): a day is local 00:00 < t ≤ 24:00 (the hours labelled 01:00 … 24:00);
expected slots start at a series' first value and stop at ``now``; a value received while the
device calibrates counts as received but not valid.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.rollups import USABLE_FLAGS, day_bounds, local_day
from giamsat.environment.schema import parameters, series, stations

DEFAULT_LATE_HOURS = 1.0


def _merge_sql(dialect: str) -> str:
    return (
        "INSERT INTO completeness_daily (series_id, day, received, valid) "
        "VALUES (:s, :d, :r, :v) ON CONFLICT (series_id, day) DO UPDATE SET "
        "received = completeness_daily.received + excluded.received, "
        "valid = completeness_daily.valid + excluded.valid"
    )


def count_new(
    conn: Connection,
    series_id: np.ndarray,
    ts: np.ndarray,
    usable: np.ndarray,
    utc_offset_min: np.ndarray,
) -> None:
    """Add newly stored values to the daily counts."""
    if len(ts) == 0:
        return
    day = local_day(np.asarray(ts, dtype=np.int64), np.asarray(utc_offset_min, dtype=np.int64))
    keys = np.asarray(series_id, dtype=np.int64) * 100_000_000 + day
    uniq, inverse = np.unique(keys, return_inverse=True)
    received = np.bincount(inverse)
    valid = np.bincount(inverse, weights=np.asarray(usable, dtype=np.float64)).astype(np.int64)
    conn.execute(
        text(_merge_sql(conn.dialect.name)),
        [
            {"s": int(k // 100_000_000), "d": int(k % 100_000_000), "r": int(r), "v": int(v)}
            for k, r, v in zip(uniq, received, valid, strict=True)
        ],
    )


def adjust_valid(conn: Connection, items: Iterable[tuple[int, int, int, int]]) -> None:
    """(series, ts, utc offset, +1/−1): a stored value became usable or unusable."""
    delta: dict[tuple[int, int], int] = defaultdict(int)
    for sid, ts, offset, d in items:
        day = int(local_day(np.array([ts]), np.array([offset]))[0])
        delta[(sid, day)] += d
    rows = [{"s": s, "d": d, "r": 0, "v": v} for (s, d), v in delta.items() if v]
    if rows:
        conn.execute(text(_merge_sql(conn.dialect.name)), rows)


def recount(conn: Connection, items: Iterable[tuple[int, int, int]]) -> None:
    """Rebuild the counts of the days of (series, ts, utc offset) from raw values."""
    days = {
        (sid, int(local_day(np.array([ts]), np.array([offset]))[0]), offset)
        for sid, ts, offset in items
    }
    flags = ", ".join(str(f) for f in USABLE_FLAGS)
    for sid, day, offset in days:
        a, b = day_bounds(day, offset)
        row = conn.execute(
            text(
                "SELECT count(*), coalesce(sum(CASE WHEN status = 0 AND value IS NOT NULL "
                f"AND flag IN ({flags}) THEN 1 ELSE 0 END), 0) FROM observations "
                "WHERE series_id = :s AND ts > :a AND ts <= :b"
            ),
            {"s": sid, "a": a, "b": b},
        ).one()
        conn.execute(
            text("DELETE FROM completeness_daily WHERE series_id = :s AND day = :d"),
            {"s": sid, "d": day},
        )
        if row[0]:
            conn.execute(
                text(
                    "INSERT INTO completeness_daily (series_id, day, received, valid) "
                    "VALUES (:s, :d, :r, :v)"
                ),
                {"s": sid, "d": day, "r": int(row[0]), "v": int(row[1])},
            )


# --- reports -------------------------------------------------------------------------------
def _hms(seconds: int) -> str:
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def _iso(ts: int, offset_min: int) -> str:
    tz = timezone(timedelta(minutes=offset_min))
    return datetime.fromtimestamp(ts, tz).isoformat()


def _days(first: int, last: int) -> list[int]:
    d0 = datetime.strptime(str(first), "%Y%m%d").date()
    d1 = datetime.strptime(str(last), "%Y%m%d").date()
    return [int((d0 + timedelta(days=i)).strftime("%Y%m%d")) for i in range((d1 - d0).days + 1)]


def _expected(day_start: int, day_end: int, interval: int, first_ts: int | None, now: int) -> int:
    """Slots day_start + k·interval (k ≥ 1) in the day, from the series' first value to now."""
    lo = day_start if first_ts is None else max(day_start, first_ts - interval)
    hi = min(day_end, now)
    if hi <= lo:
        return 0
    first_k = (lo - day_start) // interval + 1
    last_k = (hi - day_start) // interval
    return max(0, int(last_k - first_k + 1))


def _station_rows(conn: Connection, codes: list[str] | None) -> list[Any]:
    query = select(stations).order_by(stations.c.code)
    if codes:
        query = query.where(stations.c.code.in_(codes))
    return list(conn.execute(query))


def _late(
    conn: Connection, station_ids: list[int], start: int, end: int, late_seconds: float
) -> dict[int, list[int]]:
    """series → times of values that came in a file received more than late_seconds late."""
    if not station_ids:
        return {}
    rows = conn.execute(
        text(
            "SELECT DISTINCT o.series_id, o.ts FROM archive.received_files f "
            "JOIN series s ON s.station_id = f.station_id "
            "JOIN observations o ON o.series_id = s.id AND o.ts = f.name_ts "
            "WHERE f.station_id IN :ids AND f.name_ts > :a AND f.name_ts <= :b "
            "AND f.outcome IN ('accepted', 'corrected') AND f.received_at - f.name_ts > :late"
        ).bindparams(_expanding("ids")),
        {"ids": station_ids, "a": start, "b": end, "late": late_seconds},
    )
    out: dict[int, list[int]] = defaultdict(list)
    for sid, ts in rows:
        out[int(sid)].append(int(ts))
    return out


def _expanding(name: str) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def completeness(
    store: Store,
    station_codes: list[str] | None,
    start: int,
    end: int,
    period: str = "day",
    *,
    now: int | None = None,
    late_hours: float = DEFAULT_LATE_HOURS,
) -> list[dict[str, Any]]:
    """One dict per station × parameter × period ("day" | "month") over (start, end]."""
    if period not in ("day", "month"):
        raise ValueError("period must be 'day' or 'month'")
    if end <= start:
        return []
    now = int(time.time()) if now is None else now
    out: list[dict[str, Any]] = []
    with store.engine.connect() as conn:
        station_rows = _station_rows(conn, station_codes)
        if not station_rows:
            return []
        ids = [s.id for s in station_rows]
        chans = conn.execute(
            select(series.c.id, series.c.station_id, series.c.first_ts, parameters.c.code)
            .join(parameters, parameters.c.id == series.c.parameter_id)
            .where(series.c.station_id.in_(ids))
            .order_by(series.c.station_id, parameters.c.code)
        ).all()
        by_station: dict[int, list[Any]] = defaultdict(list)
        for c in chans:
            by_station[c.station_id].append(c)
        late = _late(conn, ids, start - 86400, end + 86400, late_hours * 3600)
        for st in station_rows:
            offset, interval = int(st.utc_offset_min), int(st.expected_interval_s or 300)
            first_day = int(local_day(np.array([start + 1]), np.array([offset]))[0])
            last_day = int(local_day(np.array([end]), np.array([offset]))[0])
            days = _days(first_day, last_day)
            sids = [c.id for c in by_station.get(st.id, [])]
            counts: dict[tuple[int, int], tuple[int, int]] = {}
            if sids:
                for r in conn.execute(
                    text(
                        "SELECT series_id, day, received, valid FROM completeness_daily "
                        "WHERE series_id IN :ids AND day >= :a AND day <= :b"
                    ).bindparams(_expanding("ids")),
                    {"ids": sids, "a": first_day, "b": last_day},
                ):
                    counts[(r.series_id, r.day)] = (int(r.received), int(r.valid))
            for c in by_station.get(st.id, []):
                late_days: dict[int, int] = defaultdict(int)
                if late.get(c.id):
                    for d in local_day(
                        np.asarray(late[c.id], dtype=np.int64),
                        np.full(len(late[c.id]), offset, dtype=np.int64),
                    ):
                        late_days[int(d)] += 1
                groups: dict[str, list[int]] = defaultdict(list)
                for d in days:
                    key = (
                        f"{str(d)[:4]}-{str(d)[4:6]}-{str(d)[6:]}"
                        if period == "day"
                        else f"{str(d)[:4]}-{str(d)[4:6]}"
                    )
                    groups[key].append(d)
                for key, group in groups.items():
                    lo = day_bounds(group[0], offset)[0]
                    hi = day_bounds(group[-1], offset)[1]
                    expected = sum(
                        _expected(*day_bounds(d, offset), interval, c.first_ts, now) for d in group
                    )
                    if expected == 0 and c.first_ts is not None and c.first_ts > hi:
                        continue  # the channel did not exist yet
                    received = sum(counts.get((c.id, d), (0, 0))[0] for d in group)
                    valid = sum(counts.get((c.id, d), (0, 0))[1] for d in group)
                    out.append(
                        {
                            "station": st.code,
                            "parameter": c.code,
                            "period": key,
                            "datetime_from": _iso(lo, offset),
                            "datetime_to": _iso(hi, offset),
                            "expected_count": expected,
                            "expected_interval": _hms(expected * interval),
                            "observed_count": received,
                            "observed_interval": _hms(received * interval),
                            "valid_count": valid,
                            "late_count": sum(late_days.get(d, 0) for d in group),
                            "percent_complete": _pct(received, expected),
                            "percent_valid": _pct(valid, expected),
                            "percent_coverage": _pct(received * interval, hi - lo),
                        }
                    )
    return out


def _pct(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def below_target(
    store: Store,
    start: int,
    end: int,
    target_percent: float | None = None,
    *,
    station_codes: list[str] | None = None,
    now: int | None = None,
    measure: str = "complete",
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """Stations whose transmission rate over (start, end] is under the target (the 80% rule).

    A station's rate is all its received values over all its expected ones; ``measure="valid"``
    judges valid values instead. Worst first, with the parameters under the target.
    """
    if target_percent is None:
        target_percent = (settings or Settings()).completeness_target_percent
    target = target_percent
    rows = completeness(store, station_codes, start, end, "month", now=now)
    per: dict[str, dict[str, Any]] = {}
    key = "observed_count" if measure == "complete" else "valid_count"
    for r in rows:
        s = per.setdefault(
            r["station"],
            {
                "station": r["station"],
                "expected_count": 0,
                "observed_count": 0,
                "valid_count": 0,
                "parameters": defaultdict(lambda: [0, 0]),
            },
        )
        s["expected_count"] += r["expected_count"]
        s["observed_count"] += r["observed_count"]
        s["valid_count"] += r["valid_count"]
        p = s["parameters"][r["parameter"]]
        p[0] += r[key]
        p[1] += r["expected_count"]
    with store.engine.connect() as conn:
        info = {
            r.code: r
            for r in conn.execute(
                select(
                    stations.c.code, stations.c.name, stations.c.province_code, stations.c.component
                )
            )
        }
    out = []
    for code, s in per.items():
        percent = _pct(s[key], s["expected_count"])
        if s["expected_count"] == 0 or percent >= target:
            continue
        st = info.get(code)
        out.append(
            {
                "station": code,
                "name": st.name if st else code,
                "province_code": st.province_code if st else "",
                "component": st.component if st else "",
                "expected_count": s["expected_count"],
                "observed_count": s["observed_count"],
                "valid_count": s["valid_count"],
                "percent_complete": _pct(s["observed_count"], s["expected_count"]),
                "percent_valid": _pct(s["valid_count"], s["expected_count"]),
                "target_percent": target,
                "parameters_below": sorted(
                    p
                    for p, (got, exp) in s["parameters"].items()
                    if exp and _pct(got, exp) < target
                ),
            }
        )
    out.sort(
        key=lambda r: (
            r["percent_complete"] if measure == "complete" else r["percent_valid"],
            r["station"],
        )
    )
    return out


def local_midnight(day: date | str | int, offset_min: int = 420) -> int:
    """Unix time of local 00:00 starting ``day`` (for building (start, end] ranges)."""
    d = datetime.strptime(str(day).replace("-", ""), "%Y%m%d").replace(tzinfo=UTC)
    return int(d.timestamp()) - offset_min * 60
