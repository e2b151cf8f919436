"""Values a batch brings for keys already stored: kept, conflicting, or corrections.

An ordinary file never overwrites a stored value: an equal one counts as already stored, a
different one as a conflict (the stored value stays; the file's record says so). A correction —
a re-sent file with the same name and other content — replaces the differing values and keeps
the old ones in ``observation_revisions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection

from giamsat.environment.ingest_records import Pending, Rows
from giamsat.environment.schema import observation_revisions, observations

if TYPE_CHECKING:
    from giamsat.core.store import Store

Stored = dict[tuple[int, int], tuple[float | None, int, int]]  # (series, ts) → value, status, flag


def existing(conn: Connection, sid: np.ndarray, ts: np.ndarray) -> Stored:
    """The stored value, status and flag of each (series, ts) key that has one."""
    found: Stored = {}
    query = text(
        "SELECT series_id, ts, value, status, flag FROM observations WHERE series_id = :s AND ts = :t"
    )
    for s, t in set(zip(sid.tolist(), ts.tolist(), strict=True)):
        row = conn.execute(query, {"s": s, "t": t}).first()
        if row is not None:
            found[(s, t)] = (row.value, row.status, row.flag)
    return found


def _differing(stored: Stored, pendings: list[Pending], rows: Rows) -> list[int]:
    """Rows whose value or status is not the stored one; the others count as already stored."""
    out = []
    items = zip(
        rows.owner.tolist(),
        rows.sid.tolist(),
        rows.ts.tolist(),
        rows.value.tolist(),
        rows.status.tolist(),
        strict=True,
    )
    for i, (o, s, t, v, st) in enumerate(items):
        old = stored.get((s, t))
        if old is not None and old[0] == v and old[1] == st:
            pendings[o].unchanged += 1
        else:
            out.append(i)
    return out


def compare_existing(conn: Connection, pendings: list[Pending], rows: Rows) -> None:
    """Ordinary files whose keys were stored already: count equal and conflicting values."""
    stored = existing(conn, rows.sid, rows.ts)
    for i in _differing(stored, pendings, rows):
        pendings[int(rows.owner[i])].conflicting += 1


def apply_corrections(
    store: Store, conn: Connection, pendings: list[Pending], rows: Rows, now: int
) -> None:
    """Corrections: new values win; each replaced value is kept as a revision."""
    stored = existing(conn, rows.sid, rows.ts)
    revisions = []
    upserts = []
    for i in _differing(stored, pendings, rows):
        o, s, t = int(rows.owner[i]), int(rows.sid[i]), int(rows.ts[i])
        old = stored.get((s, t))
        if old is not None:
            revisions.append(
                {
                    "series_id": s,
                    "ts": t,
                    "value": old[0],
                    "status": old[1],
                    "flag": old[2],
                    "replaced_at": now,
                    "replaced_by_file_id": pendings[o].record.id,
                    "reason": "correction",
                }
            )
        v, st, f = rows.value[i].item(), int(rows.status[i]), int(rows.flag[i])
        upserts.append({"series_id": s, "ts": t, "value": v, "status": st, "flag": f})
        pendings[o].inserted += 1
    if revisions:
        conn.execute(observation_revisions.insert(), revisions)
    if upserts:
        conn.execute(
            store.upsert(observations, ["series_id", "ts"], ["value", "status", "flag"]),
            upserts,
        )
