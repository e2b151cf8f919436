"""Hourly means of a batch's stations read once, for the AQI and the exceedance rules.

After a batch is written, every touched ambient-air station recomputes its AQI and every
station with limits re-evaluates its alerts; each reads a few days of ``rollup_hourly`` for
several channels. Reading those rows for all of the batch's stations in one query, and serving
the rules from memory, replaces a dozen queries per station. The cache lives in ``conn.info``
for the duration of that step only (nothing it covers is written meanwhile) and answers only
requests inside the span it read; anything else goes to the store as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

KEY = "giamsat.hourly_cache"
MAX_SPAN = 12 * 86400  # a station needing more (an old correction) reads the store itself


class HourlyCache:
    """series → hourly (ts, mean) from ``start`` on (no upper bound)."""

    def __init__(self, start: int, data: dict[int, tuple[np.ndarray, np.ndarray]]) -> None:
        self.start = start
        self.data = data
        self.aqi_series: dict[int, dict[str, int]] = {}  # station → AQI pollutant → series

    @classmethod
    def read(cls, conn: Connection, sids: list[int], start: int) -> HourlyCache:
        data: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        query = text(
            "SELECT series_id, ts, mean FROM rollup_hourly WHERE series_id IN :ids AND ts >= :a "
            "ORDER BY series_id, ts"
        ).bindparams(bindparam("ids", expanding=True))
        for i in range(0, len(sids), 2000):
            rows = conn.execute(query, {"ids": sids[i : i + 2000], "a": start}).all()
            n = len(rows)
            sid = np.fromiter((r[0] for r in rows), np.int64, n)
            ts = np.fromiter((r[1] for r in rows), np.int64, n)
            mean = np.fromiter((np.nan if r[2] is None else r[2] for r in rows), np.float64, n)
            cut = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]]) if n else np.array([], int)
            ends = [*cut[1:].tolist(), n]
            for a, b in zip(cut.tolist(), ends, strict=True):
                data[int(sid[a])] = (ts[a:b], mean[a:b])
            empty = (np.zeros(0, np.int64), np.zeros(0))
            for s in sids[i : i + 2000]:
                data.setdefault(int(s), empty)
        return cls(start, data)

    def get(self, sid: int, first: int, last: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Hourly means with first ≤ ts ≤ last, or None when the cache cannot tell."""
        found = self.data.get(sid)
        if found is None or first < self.start:
            return None
        ts, mean = found
        a = int(np.searchsorted(ts, first, side="left"))
        b = int(np.searchsorted(ts, last, side="right"))
        return ts[a:b], mean[a:b]

    def newest(self, sids: list[int]) -> tuple[bool, int | None]:
        """(known, newest hour label) over the series; unknown when one is not cached or the
        newest is older than the cached span."""
        best: int | None = None
        for s in sids:
            found = self.data.get(s)
            if found is None:
                return False, None
            if len(found[0]):
                t = int(found[0][-1])
                best = t if best is None else max(best, t)
        return best is not None, best


def lookup(conn: Connection) -> HourlyCache | None:
    return conn.info.get(KEY)


@contextmanager
def cached(
    conn: Connection,
    wanted: dict[int, tuple[list[int], int]],
    aqi_series: dict[int, dict[str, int]] | None = None,
) -> Iterator[None]:
    """Serve hourly means from memory inside the block. ``wanted``: station → (series, the
    earliest hour its rules may read); stations reaching too far back are left out.
    ``aqi_series``: station → AQI pollutant → series, as :func:`aqi._series_of` finds them."""
    if not wanted:
        yield
        return
    latest = max(start for _, start in wanted.values())
    keep = {k: v for k, v in wanted.items() if v[1] >= latest - MAX_SPAN}
    start = min(v[1] for v in keep.values())
    sids = sorted({s for v in keep.values() for s in v[0]})
    cache = HourlyCache.read(conn, sids, start)
    cache.aqi_series = {k: v for k, v in (aqi_series or {}).items() if k in keep}
    conn.info[KEY] = cache
    try:
        yield
    finally:
        conn.info.pop(KEY, None)
