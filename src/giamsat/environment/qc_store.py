"""QC against the store: flags on ingest, re-runs over a period, manual overrides.

A point's flags depend on its neighbours (spike, rate of change, flat line) and on other
parameters at the same time (cross checks), so every evaluation loads enough stored history
around the points in question, evaluates the whole window with :func:`qc.evaluate_station`, and
writes back only what changed: ``observations.flag``, the sparse ``qc_results``, and — when a
value became usable or unusable — the rollups, the completeness counts and the AQI.

A flag set by hand (``qc_overrides``) wins over the automatic one until it is revoked; both
the override and its revocation stay in the table (who, when, why).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Connection

from giamsat.environment import qc_tests as T
from giamsat.environment.qc import Channel, evaluate_station
from giamsat.environment.qc_config import QCConfig, default_qc_config
from giamsat.environment.qc_meta import Meta, SeriesMeta, StationMeta
from giamsat.environment.quality_schema import qc_overrides, qc_results, qc_runs
from giamsat.environment.rollups import USABLE_FLAGS
from giamsat.environment.schema import series, stations

FLAG_NAMES = {1: "pass", 2: "not_evaluated", 3: "suspect", 4: "fail", 9: "missing"}


@dataclass
class Update:
    """A stored point whose flag or recorded tests must change."""

    series_id: int
    ts: int
    flag: int
    tests: int
    old_flag: int
    old_tests: int
    status: int
    finite: bool

    @property
    def usable_changed(self) -> bool:
        return _usable(self.status, self.old_flag, self.finite) != _usable(
            self.status, self.flag, self.finite
        )


def _usable(status: int, flag: int, finite: bool) -> bool:
    return status == 0 and flag in USABLE_FLAGS and finite


@dataclass
class Window:
    """One series as :meth:`QualityControl.evaluate` judged it (for the online QC state)."""

    channel: Channel
    outcome: Any
    flag: np.ndarray  # after manual flags
    tests: np.ndarray
    judged: np.ndarray  # points whose flags the evaluation decides
    before_cut: bool  # stored values exist before the loaded window
    after_cut: bool  # … and after it


@dataclass
class Evaluation:
    """Outcome of a window: new flags of the batch rows and updates of stored points."""

    batch: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # → (flag, tests)
    updates: list[Update] = field(default_factory=list)
    points: int = 0


class QualityControl:
    """Runs QC for the store; one per process is enough (it only caches metadata)."""

    def __init__(self, config: QCConfig | None = None, meta: Meta | None = None) -> None:
        self.config = config or default_qc_config()
        self.meta = meta or Meta()

    # --- window sizes ------------------------------------------------------------------
    def _context(self, station: StationMeta, meta: SeriesMeta) -> int:
        """Points each side a point's flags can depend on: its flat-line window plus a
        neighbour (spike, rate of change) and a margin."""
        rules = self.config.rules(station.component, meta.parameter, meta.unit, station.qc)
        longest = rules.flat_line.fail_seconds if rules.flat_line and rules.enabled else 0.0
        return int(longest // max(station.interval, 1)) + 3

    def _partners(self, parameter: str, station: StationMeta) -> set[str]:
        out = set()
        for rule in self.config.cross(station.qc):
            if rule.left == parameter:
                out.add(rule.right)
            elif rule.right == parameter:
                out.add(rule.left)
        return out

    # --- loading -----------------------------------------------------------------------
    @staticmethod
    def _load(
        conn: Connection, sid: int, lo: int, hi: int, before: int, after: int
    ) -> tuple[np.ndarray, ...]:
        """Points in [lo, hi] plus up to ``before``/``after`` measured points outside."""
        rows = conn.execute(
            text(
                "SELECT ts, value, status, flag, 0 AS part FROM observations "
                "WHERE series_id = :s AND ts >= :lo AND ts <= :hi "
                "UNION ALL SELECT * FROM (SELECT ts, value, status, flag, -1 AS part "
                "FROM observations WHERE series_id = :s AND ts < :lo AND status = 0 "
                "AND value IS NOT NULL ORDER BY ts DESC LIMIT :kb) b "
                "UNION ALL SELECT * FROM (SELECT ts, value, status, flag, 1 AS part "
                "FROM observations WHERE series_id = :s AND ts > :hi AND status = 0 "
                "AND value IS NOT NULL ORDER BY ts LIMIT :ka) a"
            ),
            {"s": sid, "lo": lo, "hi": hi, "kb": before, "ka": after},
        ).all()
        rows.sort(key=lambda r: r[0])
        ts = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        value = np.fromiter((np.nan if r[1] is None else r[1] for r in rows), np.float64, len(rows))
        status = np.fromiter((r[2] for r in rows), np.int16, len(rows))
        flag = np.fromiter((r[3] for r in rows), np.int16, len(rows))
        part = np.fromiter((r[4] for r in rows), np.int8, len(rows))
        return ts, value, status, flag, part

    @staticmethod
    def _stored_tests(conn: Connection, sid: int, lo: int, hi: int) -> dict[int, int]:
        rows = conn.execute(
            select(qc_results.c.ts, qc_results.c.tests).where(
                qc_results.c.series_id == sid, qc_results.c.ts >= lo, qc_results.c.ts <= hi
            )
        )
        return {int(r.ts): int(r.tests) for r in rows}

    @staticmethod
    def active_overrides(
        conn: Connection, sids: Iterable[int], lo: int, hi: int
    ) -> dict[int, list[tuple[int, int, int]]]:
        """series → [(from, to, flag)] of live overrides, oldest first (later ones win)."""
        rows = conn.execute(
            select(qc_overrides.c.series_id, qc_overrides.c.ts_from, qc_overrides.c.ts_to)
            .add_columns(qc_overrides.c.flag)
            .where(
                qc_overrides.c.series_id.in_(list(sids)),
                qc_overrides.c.ts_to >= lo,
                qc_overrides.c.ts_from <= hi,
                qc_overrides.c.revoked_at.is_(None),
            )
            .order_by(qc_overrides.c.created_at, qc_overrides.c.id)
        )
        out: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for r in rows:
            out[r.series_id].append((r.ts_from, r.ts_to, r.flag))
        return out

    # --- evaluation --------------------------------------------------------------------
    def evaluate(
        self,
        conn: Connection,
        station: StationMeta,
        focus: dict[int, tuple[int, int]],
        batch: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
        windows: dict[int, Window] | None = None,
    ) -> Evaluation:
        """Evaluate a station around ``focus`` (series → [lo, hi]) with ``batch`` rows merged in
        (series → ts, value, status; not stored yet, or just stored). ``windows`` receives each
        evaluated window (to seed the online QC state)."""
        batch = batch or {}
        by_parameter = self.meta.station_series(conn, station.id)
        metas = self.meta.series(conn, set(by_parameter.values()) | set(focus))
        # cross partners must be re-judged too
        focus = dict(focus)
        for sid, (lo, hi) in list(focus.items()):
            if sid not in metas:
                continue
            for partner in self._partners(metas[sid].parameter, station):
                psid = by_parameter.get(partner)
                if psid is not None:
                    plo, phi = focus.get(psid, (lo, hi))
                    focus[psid] = (min(plo, lo), max(phi, hi))
        channels: list[Channel] = []
        parts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        for sid, (lo, hi) in focus.items():
            meta = metas.get(sid)
            if meta is None:
                continue
            k = self._context(station, meta)
            ts, value, status, flag, part = self._load(conn, sid, lo, hi, 2 * k, k + 1)
            is_batch = np.zeros(len(ts), dtype=bool)
            if sid in batch:
                bts, bval, bst = batch[sid]
                keep = ~np.isin(ts, bts)
                ts, value, status, flag, part = (
                    ts[keep],
                    value[keep],
                    status[keep],
                    flag[keep],
                    part[keep],
                )
                ts = np.concatenate([ts, bts])
                value = np.concatenate([value, bval])
                status = np.concatenate([status, bst.astype(np.int16)])
                flag = np.concatenate([flag, np.zeros(len(bts), np.int16)])
                part = np.concatenate([part, np.zeros(len(bts), np.int8)])
                is_batch = np.concatenate(
                    [np.zeros(int(keep.sum()), bool), np.ones(len(bts), bool)]
                )
                order = np.argsort(ts, kind="stable")
                ts, value, status, flag, part, is_batch = (
                    ts[order],
                    value[order],
                    status[order],
                    flag[order],
                    part[order],
                    is_batch[order],
                )
            channels.append(Channel(sid, meta.parameter, meta.unit, ts, value, status))
            parts[sid] = (flag, part, is_batch, self._targets(part, k))
        outcomes = evaluate_station(
            channels, station.component, station.interval, station.qc, self.config
        )
        result = Evaluation()
        loaded = [c for c in channels if len(c.ts)]
        overrides = (
            self.active_overrides(
                conn,
                [c.series_id for c in loaded],
                min(int(c.ts[0]) for c in loaded),
                max(int(c.ts[-1]) for c in loaded),
            )
            if loaded
            else {}
        )
        for ch in channels:
            out = outcomes[ch.series_id]
            flag, part, is_batch, target = parts[ch.series_id]
            # the last value before the focus that the time tests saw gets a new neighbour
            # (its spike); values after it that failed a point test keep their flags anyway
            seen = np.flatnonzero((part == -1) & out.eligible)
            if len(seen):
                target = target | ((part == -1) & (np.arange(len(part)) >= seen[-1]))
            new_flag = out.flag.astype(np.int16)
            new_tests = out.tests.astype(np.int64)
            for t_from, t_to, f in overrides.get(ch.series_id, ()):
                hit = (ch.ts >= t_from) & (ch.ts <= t_to)
                new_flag[hit] = f
                new_tests[hit] |= T.MANUAL
            idx = np.flatnonzero(target)
            result.points += len(idx)
            if windows is not None:
                k = self._context(station, metas[ch.series_id])
                windows[ch.series_id] = Window(
                    ch,
                    out,
                    new_flag,
                    new_tests,
                    target,
                    int((part == -1).sum()) >= 2 * k,
                    int((part == 1).sum()) >= k + 1,
                )
            stored_idx = idx[~is_batch[idx]]
            stored_tests = (
                self._stored_tests(
                    conn, ch.series_id, int(ch.ts[stored_idx[0]]), int(ch.ts[stored_idx[-1]])
                )
                if len(stored_idx)
                else {}
            )
            for i in idx.tolist():
                t = int(ch.ts[i])
                if is_batch[i]:
                    result.batch[(ch.series_id, t)] = (int(new_flag[i]), int(new_tests[i]))
                    continue
                old_tests = stored_tests.get(t, 0)
                if int(flag[i]) != int(new_flag[i]) or old_tests != int(new_tests[i]):
                    result.updates.append(
                        Update(
                            ch.series_id,
                            t,
                            int(new_flag[i]),
                            int(new_tests[i]),
                            int(flag[i]),
                            old_tests,
                            int(ch.status[i]),
                            bool(math.isfinite(ch.value[i])),
                        )
                    )
        return result

    @staticmethod
    def _targets(part: np.ndarray, k: int) -> np.ndarray:
        """Loaded points whose flags the focus can change: the focus itself, the last measured
        point before it, and the following points up to (not including) the last one loaded,
        unless the series ends there."""
        target = part == 0
        before = np.flatnonzero(part == -1)
        if len(before):
            target[before[-1]] = True
        after = np.flatnonzero(part == 1)
        if len(after):
            target[after] = True
            if len(after) >= k + 1:
                target[after[-1]] = False
        return target

    # --- writing -----------------------------------------------------------------------
    def apply(self, conn: Connection, updates: list[Update]) -> list[Update]:
        """Write changed flags and their side effects; returns the updates that changed
        whether a value is usable (the caller refreshes what is derived from hourly means)."""
        if not updates:
            return []
        changed_flag = [u for u in updates if u.flag != u.old_flag]
        if changed_flag:
            conn.execute(
                text("UPDATE observations SET flag = :f WHERE series_id = :s AND ts = :t"),
                [{"f": u.flag, "s": u.series_id, "t": u.ts} for u in changed_flag],
            )
            conn.execute(
                text("UPDATE series SET last_flag = :f WHERE id = :s AND last_ts = :t"),
                [{"f": u.flag, "s": u.series_id, "t": u.ts} for u in changed_flag],
            )
        write_results(conn, [(u.series_id, u.ts, u.flag, u.tests) for u in updates], replace=True)
        usable = [u for u in updates if u.usable_changed]
        if usable:
            from giamsat.environment import completeness
            from giamsat.environment.rollups import recompute

            metas = self.meta.series(conn, {u.series_id for u in usable})
            offsets = {
                sid: self.meta.station(conn, m.station_id).utc_offset_min
                for sid, m in metas.items()
            }
            recompute(conn, [(u.series_id, u.ts, offsets[u.series_id]) for u in usable])
            completeness.adjust_valid(
                conn,
                [
                    (u.series_id, u.ts, offsets[u.series_id], 1 if u.flag in USABLE_FLAGS else -1)
                    for u in usable
                ],
            )
        return usable

    # --- re-runs -----------------------------------------------------------------------
    def reflag(
        self,
        conn: Connection,
        station_id: int,
        start: int,
        end: int,
        series_ids: list[int] | None = None,
    ) -> tuple[int, list[Update]]:
        """Re-evaluate stored points of a station in [start, end]; returns (points, applied)."""
        station = self.meta.station(conn, station_id)
        sids = series_ids or list(self.meta.station_series(conn, station_id).values())
        if not sids:
            return 0, []
        evaluation = self.evaluate(conn, station, {sid: (start, end) for sid in sids})
        usable = self.apply(conn, evaluation.updates)
        _refresh_aqi(conn, self, station, usable)
        return evaluation.points, evaluation.updates


def write_results(
    conn: Connection, rows: list[tuple[int, int, int, int]], replace: bool = True
) -> None:
    """Keep qc_results sparse: a row only where a value test or a person set the flag (device
    status and missing values are already in the observation itself)."""
    keep = [r for r in rows if r[3] & ~(T.DEVICE | T.MISSING_VALUE)]
    drop = [r for r in rows if not r[3] & ~(T.DEVICE | T.MISSING_VALUE)]
    if replace and rows:
        conn.execute(
            text("DELETE FROM qc_results WHERE series_id = :s AND ts = :t"),
            [{"s": s, "t": t} for s, t, _, _ in (keep + drop)],
        )
    if keep:
        conn.execute(
            qc_results.insert(),
            [{"series_id": s, "ts": t, "flag": f, "tests": b} for s, t, f, b in keep],
        )


def _refresh_aqi(
    conn: Connection, qc: QualityControl, station: StationMeta, usable: list[Update]
) -> None:
    if station.component != "ambient_air" or not usable:
        return
    from giamsat.environment.aqi import AQI_PARAMETERS, refresh_station

    metas = qc.meta.series(conn, {u.series_id for u in usable})
    hours = [u.ts for u in usable if metas[u.series_id].parameter in AQI_PARAMETERS]
    if hours:
        refresh_station(conn, station.id, station.utc_offset_min, hours)


def rerun(
    conn: Connection,
    *,
    station_ids: list[int] | None,
    start: int,
    end: int,
    actor: str = "system",
    qc: QualityControl | None = None,
    station_codes: list[str] | None = None,
    chunk_seconds: int = 31 * 86400,
) -> dict[str, int]:
    """Re-run QC over a period (e.g. after the configuration changed) and record the run."""
    qc = qc or QualityControl()
    if station_ids is None:
        station_ids = [int(i) for i in conn.execute(select(stations.c.id)).scalars()]
    run_id = conn.execute(
        qc_runs.insert().values(
            started_at=int(time.time()),
            actor=actor,
            stations=station_codes,
            ts_from=start,
            ts_to=end,
            points=0,
            changed=0,
        )
    ).inserted_primary_key[0]
    points = changed = 0
    for station_id in station_ids:
        span = conn.execute(
            select(func.min(series.c.first_ts), func.max(series.c.last_ts)).where(
                series.c.station_id == station_id
            )
        ).one()
        if span[0] is None:
            continue
        lo, last = max(start, int(span[0])), min(end, int(span[1]))
        while lo <= last:
            hi = min(last, lo + chunk_seconds - 1)
            n, updates = qc.reflag(conn, station_id, lo, hi)
            points += n
            changed += sum(1 for u in updates if u.flag != u.old_flag)
            lo = hi + 1
    conn.execute(
        update(qc_runs)
        .where(qc_runs.c.id == run_id)
        .values(finished_at=int(time.time()), points=points, changed=changed)
    )
    return {"run": int(run_id), "points": points, "changed": changed}


# --- manual overrides ----------------------------------------------------------------------
def add_override(
    conn: Connection,
    *,
    series_id: int,
    start: int,
    end: int,
    flag: int,
    reason: str,
    actor: str,
    qc: QualityControl | None = None,
) -> int:
    """Set the flag of a series' values in [start, end] by hand, and apply it now."""
    if flag not in FLAG_NAMES:
        raise ValueError(f"flag {flag} must be one of {sorted(FLAG_NAMES)}")
    if not reason.strip():
        raise ValueError("a manual flag needs a reason")
    if not actor.strip():
        raise ValueError("a manual flag needs the name of who sets it")
    if end < start:
        raise ValueError("the period ends before it starts")
    qc = qc or QualityControl()
    override_id = conn.execute(
        qc_overrides.insert().values(
            series_id=series_id,
            ts_from=start,
            ts_to=end,
            flag=flag,
            reason=reason.strip(),
            actor=actor.strip(),
            created_at=int(time.time()),
        )
    ).inserted_primary_key[0]
    station_id = qc.meta.series(conn, [series_id])[series_id].station_id
    qc.reflag(conn, station_id, start, end, [series_id])
    return int(override_id)


def revoke_override(
    conn: Connection, override_id: int, *, actor: str, reason: str, qc: QualityControl | None = None
) -> None:
    """Withdraw a manual flag (the row stays, with who revoked it and why)."""
    qc = qc or QualityControl()
    row = conn.execute(select(qc_overrides).where(qc_overrides.c.id == override_id)).first()
    if row is None:
        raise LookupError(f"no manual flag {override_id}")
    if row.revoked_at is not None:
        raise ValueError(f"manual flag {override_id} was already revoked")
    conn.execute(
        update(qc_overrides)
        .where(qc_overrides.c.id == override_id)
        .values(revoked_at=int(time.time()), revoked_by=actor, revoke_reason=reason)
    )
    station_id = qc.meta.series(conn, [row.series_id])[row.series_id].station_id
    qc.reflag(conn, station_id, row.ts_from, row.ts_to, [row.series_id])


def flag_reasons(conn: Connection, series_id: int, start: int, end: int) -> list[dict[str, Any]]:
    """Each non-pass value of a series in [start, end] with the tests that set its flag."""
    stored = {
        int(r.ts): int(r.tests)
        for r in conn.execute(
            select(qc_results.c.ts, qc_results.c.tests).where(
                qc_results.c.series_id == series_id,
                qc_results.c.ts >= start,
                qc_results.c.ts <= end,
            )
        )
    }
    rows = conn.execute(
        text(
            "SELECT ts, value, status, flag FROM observations WHERE series_id = :s "
            "AND ts >= :a AND ts <= :b AND (flag != 1 OR status != 0) ORDER BY ts"
        ),
        {"s": series_id, "a": start, "b": end},
    )
    out = []
    for r in rows:
        bits = stored.get(int(r.ts), 0)
        if r.status != 0:
            bits |= T.DEVICE
        if r.value is None:
            bits |= T.MISSING_VALUE
        out.append(
            {
                "ts": int(r.ts),
                "value": r.value,
                "status": int(r.status),
                "flag": int(r.flag),
                "tests": T.test_names(bits),
            }
        )
    return out
