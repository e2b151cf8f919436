"""Hourly and daily rollups (count, min, max, mean) kept current as observations arrive.

Conventions (DESIGN §3): an hour is labelled by its end, so 00:05 … 01:00 is the 01:00 hour;
a station's day D is made of the hours labelled D 01:00 … D+1 00:00 in its local time and is
stored as the integer yyyymmdd. Only usable values count: device status 00 and QC flag 1, 2 or 3.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection

USABLE_FLAGS = (1, 2, 3)


def hour_label(ts: np.ndarray) -> np.ndarray:
    """End-of-hour label of each Unix time (an exact hour labels itself)."""
    return -(-ts // 3600) * 3600


def local_day(ts: np.ndarray, utc_offset_min: np.ndarray) -> np.ndarray:
    """yyyymmdd of the local day each time belongs to (hours 01:00 … 24:00)."""
    start = (hour_label(ts + utc_offset_min * 60) - 3600) // 86400
    unique, inverse = np.unique(start, return_inverse=True)
    as_int = np.array(
        [int(datetime.fromtimestamp(int(d) * 86400, UTC).strftime("%Y%m%d")) for d in unique],
        dtype=np.int64,
    )
    return as_int[inverse]


def day_bounds(day: int, utc_offset_min: int) -> tuple[int, int]:
    """UTC (exclusive start, inclusive end] of a local day: observations with start < ts <= end."""
    d = datetime.strptime(str(day), "%Y%m%d").replace(tzinfo=UTC)
    start = int(d.timestamp()) - utc_offset_min * 60
    return start, start + 86400


def aggregate(
    keys_a: np.ndarray, keys_b: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group ``values`` by (a, b): returns a, b, count, min, max, mean per group."""
    if len(values) == 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty, np.array([]), np.array([]), np.array([])
    order = np.lexsort((keys_b, keys_a))
    a, b, v = keys_a[order], keys_b[order], values[order]
    starts = np.flatnonzero(np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])])
    counts = np.diff(np.r_[starts, len(v)])
    return (
        a[starts],
        b[starts],
        counts,
        np.minimum.reduceat(v, starts),
        np.maximum.reduceat(v, starts),
        np.add.reduceat(v, starts) / counts,
    )


def _merge_sql(table: str, key: str, dialect: str) -> str:
    least, greatest = ("min", "max") if dialect == "sqlite" else ("LEAST", "GREATEST")
    t = table
    mark = "?" if dialect == "sqlite" else "%s"
    return (
        f"INSERT INTO {t} (series_id, {key}, count, min, max, mean) "
        f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark}) "
        f"ON CONFLICT (series_id, {key}) DO UPDATE SET "
        f"count = {t}.count + excluded.count, "
        f"min = {least}({t}.min, excluded.min), "
        f"max = {greatest}({t}.max, excluded.max), "
        f"mean = ({t}.mean * {t}.count + excluded.mean * excluded.count) / ({t}.count + excluded.count)"
    )


def add_observations(
    conn: Connection,
    series_id: np.ndarray,
    ts: np.ndarray,
    value: np.ndarray,
    utc_offset_min: np.ndarray,
) -> None:
    """Fold newly inserted usable observations into the rollups (incremental, exact)."""
    if len(ts) == 0:
        return
    dialect = conn.dialect.name
    for table, key, bucket in (
        ("rollup_hourly", "ts", hour_label(ts)),
        ("rollup_daily", "day", local_day(ts, utc_offset_min)),
    ):
        a, b, n, lo, hi, mean = aggregate(series_id, bucket, value)
        rows = list(
            zip(
                a.tolist(),
                b.tolist(),
                n.tolist(),
                lo.tolist(),
                hi.tolist(),
                mean.tolist(),
                strict=True,
            )
        )
        conn.exec_driver_sql(_merge_sql(table, key, dialect), rows)


def recompute(conn: Connection, buckets: Iterable[tuple[int, int, int]]) -> None:
    """Rebuild rollups from raw values for (series_id, ts, utc_offset_min) touched by edits.

    Used after corrections and QC re-runs, where an incremental merge cannot subtract.
    """
    hours: set[tuple[int, int]] = set()
    days: set[tuple[int, int, int]] = set()
    for sid, t, offset in buckets:
        hours.add((sid, int(hour_label(np.array([t]))[0])))
        days.add((sid, int(local_day(np.array([t]), np.array([offset]))[0]), offset))
    flags = ", ".join(str(f) for f in USABLE_FLAGS)
    usable = f"status = 0 AND flag IN ({flags}) AND value IS NOT NULL"
    for sid, label in hours:
        _rebuild(conn, "rollup_hourly", "ts", sid, label, label - 3600, label, usable)
    for sid, day, offset in days:
        start, end = day_bounds(day, offset)
        _rebuild(conn, "rollup_daily", "day", sid, day, start, end, usable)


def _rebuild(
    conn: Connection, table: str, key: str, sid: int, label: int, start: int, end: int, usable: str
) -> None:
    row = conn.execute(
        text(
            f"SELECT count(*), min(value), max(value), avg(value) FROM observations "
            f"WHERE series_id = :s AND ts > :a AND ts <= :b AND {usable}"
        ),
        {"s": sid, "a": start, "b": end},
    ).one()
    conn.execute(
        text(f"DELETE FROM {table} WHERE series_id = :s AND {key} = :k"), {"s": sid, "k": label}
    )
    if row[0]:
        conn.execute(
            text(
                f"INSERT INTO {table} (series_id, {key}, count, min, max, mean) VALUES (:s, :k, :n, :lo, :hi, :m)"
            ),
            {"s": sid, "k": label, "n": row[0], "lo": row[1], "hi": row[2], "m": row[3]},
        )
