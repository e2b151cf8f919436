"""Writing a batch's rows: new observations, rollups, corrections, and each series' latest.

Usually every row is new, so a plain bulk INSERT is tried first (SQLite: in a savepoint) and
only on a key conflict does the batch fall back to INSERT … ON CONFLICT DO NOTHING RETURNING.
The QC flags come from the ingestor's flagger before the write; its post-write hook runs after
the rows, rollups and corrections are in, in the same transaction.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.engine import Connection

from giamsat.environment import rollups
from giamsat.environment.ingest_corrections import apply_corrections, compare_existing
from giamsat.environment.ingest_records import Pending, Rows, Written

if TYPE_CHECKING:
    from giamsat.environment.ingest import Ingestor

INSERT_CHUNK = 5000


def write(ing: Ingestor, conn: Connection, pendings: list[Pending], now: int) -> None:
    if not pendings:
        return
    sid_l: list[int] = []
    ts_l: list[int] = []
    value_l: list[float] = []
    status_l: list[int] = []
    for p in pendings:
        sid_l += p.sids
        ts_l += p.ts
        value_l += p.values
        status_l += p.statuses
    counts = [len(p.sids) for p in pendings]
    sid = np.array(sid_l, dtype=np.int64)
    ts = np.array(ts_l, dtype=np.int64)
    value = np.array(value_l, dtype=np.float64)
    status = np.array(status_l, dtype=np.int16)
    owners = np.repeat(np.arange(len(pendings), dtype=np.int64), counts)
    # per-file values spread to the file's rows: one Python step per file, not per value
    file_offset = [p.station.utc_offset_min if p.station else 0 for p in pendings]
    offset = np.array(file_offset, np.int64)[owners]
    flag = np.asarray(ing.flagger(conn, sid, ts, value, status), dtype=np.int16)
    ing.store.ensure_partitions(conn, "observations", int(ts.min()), int(ts.max()))
    batch = Rows(owners, sid, ts, value, status, flag)
    is_fix = np.array([p.correction_of is not None for p in pendings], bool)[owners]
    touched: list[tuple[int, int, int]] = []
    new_idx = np.array([], dtype=np.int64)
    # ordinary files: insert what is new, leave what is there
    normal = np.flatnonzero(~is_fix)
    if len(normal):
        keys = sid[normal] * (1 << 34) + ts[normal]
        _, first = np.unique(keys, return_index=True)
        candidates = normal[np.sort(first)]
        inserted = insert_new(
            ing,
            conn,
            sid[candidates],
            ts[candidates],
            value[candidates],
            status[candidates],
            flag[candidates],
        )
        got = np.isin(sid[normal] * (1 << 34) + ts[normal], inserted) & np.isin(normal, candidates)
        new_idx = normal[got]
        for i, count in enumerate(np.bincount(owners[new_idx], minlength=len(pendings)).tolist()):
            pendings[i].inserted += count
        old_idx = normal[~got]
        if len(old_idx):
            compare_existing(conn, pendings, batch.take(old_idx))
        usable = new_idx[(status[new_idx] == 0) & np.isin(flag[new_idx], rollups.USABLE_FLAGS)]
        rollups.add_observations(conn, sid[usable], ts[usable], value[usable], offset[usable])
    # corrections: new values win, the old ones are kept as revisions
    fix = np.flatnonzero(is_fix)
    if len(fix):
        apply_corrections(ing.store, conn, pendings, batch.take(fix), now)
        touched.extend(zip(sid[fix].tolist(), ts[fix].tolist(), offset[fix].tolist(), strict=True))
        rollups.recompute(conn, touched)
    update_latest(ing, conn, pendings, batch)
    stored = np.concatenate([new_idx, fix])
    if len(stored):
        arrival = np.array([p.record.received_at for p in pendings], np.int64)
        received_at = arrival[owners[stored]]
        ing.after_write(
            conn,
            Written(
                sid[stored],
                ts[stored],
                value[stored],
                status[stored],
                flag[stored],
                offset[stored],
                received_at,
                is_fix[stored],
            ),
        )


def insert_new(
    ing: Ingestor,
    conn: Connection,
    sid: np.ndarray,
    ts: np.ndarray,
    value: np.ndarray,
    status: np.ndarray,
    flag: np.ndarray,
) -> np.ndarray:
    """The keys that were really new. Usually every row is new: try a plain bulk INSERT in a
    savepoint; on a key conflict fall back to INSERT … ON CONFLICT DO NOTHING RETURNING."""
    out: list[int] = []
    pg = not ing.store.is_sqlite
    for start in range(0, len(sid), INSERT_CHUNK):
        sl = slice(start, start + INSERT_CHUNK)
        columns = (
            sid[sl].tolist(),
            ts[sl].tolist(),
            value[sl].tolist(),
            status[sl].tolist(),
            flag[sl].tolist(),
        )
        if not pg and insert_all_new(conn, columns):
            out.extend((sid[sl] * (1 << 34) + ts[sl]).tolist())
            continue
        if pg:
            result = ing.store.fetch_all(
                conn,
                "INSERT INTO observations (series_id, ts, value, status, flag) "
                "SELECT * FROM unnest(?::int[], ?::bigint[], ?::float8[], ?::smallint[], ?::smallint[]) "
                "ON CONFLICT DO NOTHING RETURNING series_id, ts",
                columns,
            )
        else:
            flat = np.empty(len(columns[0]) * 5, dtype=object)
            for i, col in enumerate(columns):
                flat[i::5] = col
            result = ing.store.fetch_all(
                conn,
                "INSERT INTO observations (series_id, ts, value, status, flag) VALUES "
                + ",".join(["(?,?,?,?,?)"] * len(columns[0]))
                + " ON CONFLICT DO NOTHING RETURNING series_id, ts",
                flat.tolist(),
            )
        out.extend(s * (1 << 34) + t for s, t in result)
    return np.asarray(out, dtype=np.int64)


def insert_all_new(conn: Connection, columns: tuple[list[Any], ...]) -> bool:
    """SQLite: executemany plain INSERTs in a savepoint; False (and nothing written) on a conflict."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cur = raw.cursor()
    cur.execute("SAVEPOINT new_observations")
    try:
        cur.executemany(
            "INSERT INTO observations (series_id, ts, value, status, flag) VALUES (?, ?, ?, ?, ?)",
            zip(*columns, strict=True),
        )
    except sqlite3.IntegrityError:
        cur.execute("ROLLBACK TO new_observations")
        cur.execute("RELEASE new_observations")
        return False
    cur.execute("RELEASE new_observations")
    cur.close()
    return True


def update_latest(ing: Ingestor, conn: Connection, pendings: list[Pending], rows: Rows) -> None:
    """Each series' first and latest value, each station's newest file and value."""
    sid, ts, value, status, flag = rows.sid, rows.ts, rows.value, rows.status, rows.flag
    order = np.lexsort((ts, sid))
    last = np.flatnonzero(np.r_[sid[order][1:] != sid[order][:-1], True])
    first = np.flatnonzero(np.r_[True, sid[order][1:] != sid[order][:-1]])
    lo, hi = order[first], order[last]
    least, greatest = ("min", "max") if ing.store.is_sqlite else ("LEAST", "GREATEST")
    sid_l, ts_l, value_l = sid.tolist(), ts.tolist(), value.tolist()
    status_l, flag_l = status.tolist(), flag.tolist()
    ing.store.execute_many(
        conn,
        "UPDATE series SET last_ts = ?, last_value = ?, last_status = ?, last_flag = ? "
        "WHERE id = ? AND (last_ts IS NULL OR last_ts <= ?)",
        [(ts_l[h], value_l[h], status_l[h], flag_l[h], sid_l[h], ts_l[h]) for h in hi.tolist()],
    )
    ing.store.execute_many(
        conn,
        f"UPDATE series SET first_ts = {least}(COALESCE(first_ts, ?), ?) WHERE id = ?",
        [(ts_l[i], ts_l[i], sid_l[i]) for i in lo.tolist()],
    )
    newest: dict[int, tuple[int, int]] = {}  # station -> (arrival of its latest file, newest time)
    for p in pendings:
        if p.station is not None and p.ts:
            t = max(p.ts)
            arrived, seen = newest.get(p.station.id, (p.record.received_at, t))
            newest[p.station.id] = (max(arrived, p.record.received_at), max(seen, t))
    ing.store.execute_many(
        conn,
        f"UPDATE stations SET last_file_at = {greatest}(COALESCE(last_file_at, ?), ?), "
        f"last_obs_ts = {greatest}(COALESCE(last_obs_ts, ?), ?) WHERE id = ?",
        [(a, a, t, t, station) for station, (a, t) in newest.items()],
    )
