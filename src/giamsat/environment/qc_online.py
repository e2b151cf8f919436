"""QC on ingest without re-reading history: what each series' next values need, kept in memory.

A new value's flags depend on a few stored neighbours (spike, rate of change), on the run of
equal values before it (flat line) and on partner parameters at the same time (cross checks).
When values arrive in time order — the normal case — that is a small state per series:

- the newest stored time (any value), to know a batch only appends;
- the tail of eligible values (measured, not failed by a point test): the last two, or the values
  since the last step that breaks a flat line, at most one flat-line window long;
- how many eligible values the series has (the flat line's "fewer than 3 points" rule);
- the automatic and the stored flag and tests of the last eligible value: appending a value
  gives it a second neighbour, so its spike can now be judged — the only stored flag an append
  can change (its spike was "not evaluated", so the new flag is the worse of the old one and
  the spike's).

A batch's appending series are judged together with :mod:`qc_batch`. A series without a valid
state (first seen, or the store moved on without this process: another writer, a correction, a
late value, a QC re-run or manual flag) is judged the classic way by
:meth:`QualityControl.evaluate`, reading its window from the store, and that evaluation seeds its
state. Flags are the same either way (tests/environment/test_qc_online.py). States become
current only when the batch's transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from giamsat.environment import qc_batch as B
from giamsat.environment import qc_tests as T
from giamsat.environment.qc_config import Rules
from giamsat.environment.qc_store import QualityControl, StationMeta, Update

MANY = 1 << 30  # "more than enough earlier values"


@dataclass(slots=True)
class SeriesState:
    rules: Rules
    interval: int
    last_ts: int | None  # newest stored value of any kind
    total: int  # eligible values stored
    tail_ts: np.ndarray  # int64, eligible values (see module doc)
    tail_x: np.ndarray  # float64
    auto_flag: int = 0  # the last eligible value: its automatic flag and tests …
    auto_tests: int = 0
    last_flag: int = 0  # … and what is stored (a manual flag may differ)
    last_tests: int = 0


def tail_length(rules: Rules, interval: int) -> int:
    """The longest flat-line window (values), the most a tail ever needs."""
    f = rules.flat_line
    if f is None or not rules.enabled or interval <= 0:
        return 2
    return max(int(int(f.suspect_seconds) / interval), int(int(f.fail_seconds) / interval)) + 1


def _tail_start(x: np.ndarray, first: int, last: int, rules: Rules, width: int) -> int:
    """Index where the tail of x[first … last] starts (eligible values of one series)."""
    start = max(first, last - 1)
    f = rules.flat_line
    if f is None or not rules.enabled or last - first < 2:
        return start
    seg = x[first : last + 1]
    step = np.abs(np.diff(seg))
    apart = np.flatnonzero(step > 0 if f.tolerance == 0 else step >= f.tolerance)
    run = first + (int(apart[-1]) + 1 if len(apart) else 0)
    return min(start, max(run, last - width + 1))


def worse(flag: int, tests: int, other: int, bit: int) -> tuple[int, int]:
    """Fold one more test result into an aggregate flag and its tests (QARTOD priority)."""
    rank = T._PRIORITY
    if rank[other] > rank[flag]:
        return other, bit if other in (T.SUSPECT, T.FAIL) else 0
    if other == flag and other in (T.SUSPECT, T.FAIL):
        return flag, tests | bit
    return flag, tests


def seed_state(
    rules: Rules,
    interval: int,
    last_ts: int | None,
    ts: np.ndarray,
    value: np.ndarray,
    eligible: np.ndarray,
    auto: tuple[np.ndarray, np.ndarray] | None,
    stored: tuple[np.ndarray, np.ndarray],
    before_cut: bool,
) -> SeriesState | None:
    """A state from the newest stored values of a series (None when they cannot tell it).

    ``auto``: automatic flag and tests of each value (None: the stored ones, when no manual
    flag is involved); ``stored``: flag and tests as stored; ``before_cut``: older values exist.
    """
    idx = np.flatnonzero(eligible)
    if not len(idx):
        if before_cut:
            return None
        empty = np.zeros(0)
        return SeriesState(rules, interval, last_ts, 0, empty.astype(np.int64), empty)
    j = int(idx[-1])
    flag, tests = int(stored[0][j]), int(stored[1][j])
    if auto is None:
        if tests & T.MANUAL:
            return None  # the automatic flag under a manual one is not stored
        auto_flag, auto_tests = flag, tests
    else:
        auto_flag, auto_tests = int(auto[0][j]), int(auto[1][j])
    x, t = value[idx], ts[idx]
    width = tail_length(rules, interval)
    start = _tail_start(x, 0, len(x) - 1, rules, width)
    if before_cut and start == 0 and len(x) < width:
        return None  # the flat run may go back further than what was read
    return SeriesState(
        rules,
        interval,
        last_ts,
        len(x) + (MANY if before_cut else 0),
        t[start:].astype(np.int64).copy(),
        x[start:].astype(np.float64).copy(),
        auto_flag,
        auto_tests,
        flag,
        tests,
    )


def point_eligible(rules: Rules, value: np.ndarray) -> np.ndarray:
    """Which measured values no point test fails: the ones the time tests see."""
    point_only = replace(rules, flat_line=None, spike=None, rate_of_change=None)
    zero = np.zeros(1, np.int64)
    n = len(value)
    _, eligible = B.evaluate_segments(
        value, np.zeros(n, np.int64), np.zeros(n, np.int16), zero, zero, point_only, 1
    )
    return eligible


@dataclass
class Job:
    """One appending series of a batch: rows [lo, hi) of the sorted batch arrays."""

    sid: int
    station: StationMeta
    parameter: str
    state: SeriesState
    lo: int
    hi: int


@dataclass
class OnlineResult:
    flag: np.ndarray  # per sorted batch row
    tests: np.ndarray
    updates: list[Update]
    staged: dict[int, SeriesState]


class OnlineQC:
    """The states, and the batch evaluation of appending series."""

    def __init__(self, qc: QualityControl) -> None:
        self.qc = qc
        self.states: dict[int, SeriesState] = {}
        self._epoch: tuple[Any, ...] | None = None

    # --- validity ------------------------------------------------------------------------
    def check_epoch(self, conn: Connection) -> None:
        """Forget every state when manual flags or QC re-runs changed stored flags."""
        overrides = conn.execute(
            text(
                "SELECT count(*), coalesce(max(id), 0), coalesce(max(revoked_at), 0) "
                "FROM qc_overrides"
            )
        ).one()
        runs = conn.execute(text("SELECT coalesce(max(id), 0) FROM qc_runs")).scalar()
        epoch = (*overrides, runs)
        if epoch != self._epoch:
            self.states.clear()
            self._epoch = epoch

    @staticmethod
    def stored_span(conn: Connection, sids: list[int]) -> dict[int, tuple[int, int] | None]:
        """series → (first, newest) stored time (None: nothing stored yet)."""
        out: dict[int, tuple[int, int] | None] = {}
        query = text("SELECT id, first_ts, last_ts FROM series WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        for i in range(0, len(sids), 5000):
            for sid, first, last in conn.execute(query, {"ids": sids[i : i + 5000]}):
                out[int(sid)] = None if last is None else (int(first or last), int(last))
        return out

    def seed(self, conn: Connection, wanted: dict[int, tuple[Rules, int, int, int, int]]) -> None:
        """States from the newest stored values of series (rules, interval, first, last,
        values to read), read together: one query per distinct start time."""
        by_bound: dict[int, list[int]] = {}
        for sid, (_, interval, _, last, need) in wanted.items():
            by_bound.setdefault(last - need * max(interval, 1), []).append(sid)
        obs = text(
            "SELECT series_id, ts, value, status, flag FROM observations WHERE series_id IN :ids "
            "AND ts > :b AND status = 0 AND value IS NOT NULL ORDER BY series_id, ts"
        ).bindparams(bindparam("ids", expanding=True))
        res = text(
            "SELECT series_id, ts, tests FROM qc_results WHERE series_id IN :ids AND ts > :b"
        ).bindparams(bindparam("ids", expanding=True))
        for bound, sids in by_bound.items():
            for i in range(0, len(sids), 2000):
                chunk = sids[i : i + 2000]
                rows = conn.execute(obs, {"ids": chunk, "b": bound}).all()
                tests = {
                    (int(s), int(t)): int(b)
                    for s, t, b in conn.execute(res, {"ids": chunk, "b": bound})
                }
                n = len(rows)
                sid_a = np.fromiter((r[0] for r in rows), np.int64, n)
                ts_a = np.fromiter((r[1] for r in rows), np.int64, n)
                val_a = np.fromiter((r[2] for r in rows), np.float64, n)
                flag_a = np.fromiter((r[4] for r in rows), np.int64, n)
                # which values the time tests see: point tests, once per set of rules
                eligible = np.zeros(n, dtype=bool)
                by_rules: dict[int, list[int]] = {}
                for sid in chunk:
                    by_rules.setdefault(id(wanted[sid][0]), []).append(sid)
                for sids_r in by_rules.values():
                    lo_a = np.searchsorted(sid_a, sids_r)
                    hi_a = np.searchsorted(sid_a, np.asarray(sids_r) + 1)
                    sel = np.concatenate([np.arange(a, b) for a, b in zip(lo_a, hi_a, strict=True)])
                    eligible[sel] = point_eligible(wanted[sids_r[0]][0], val_a[sel])
                for sid in chunk:
                    rules, interval, first, last, need = wanted[sid]
                    lo, hi = np.searchsorted(sid_a, [sid, sid + 1])
                    lo = max(int(lo), int(hi) - need)
                    t, v = ts_a[lo:hi], val_a[lo:hi]
                    tst = np.fromiter(
                        (tests.get((sid, x), 0) for x in t.tolist()), np.int64, len(t)
                    )
                    cut = first <= bound or int(hi) - int(lo) >= need
                    state = seed_state(
                        rules,
                        interval,
                        last,
                        t,
                        v,
                        eligible[lo:hi],
                        None,
                        (flag_a[lo:hi], tst),
                        cut,
                    )
                    if state is not None:
                        self.states[sid] = state

    def state_for(
        self, sid: int, rules: Rules, interval: int, stored: int | None
    ) -> SeriesState | None:
        """The state of a series if it matches the store and its rules (else None)."""
        state = self.states.get(sid)
        if state is not None and (
            state.last_ts != stored or state.interval != interval or state.rules != rules
        ):
            del self.states[sid]
            state = None
        if state is None and stored is None:
            empty = np.zeros(0)
            state = SeriesState(rules, interval, None, 0, empty.astype(np.int64), empty)
        return state

    # --- evaluation ----------------------------------------------------------------------
    def evaluate(
        self,
        conn: Connection,
        jobs: list[Job],
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
    ) -> OnlineResult:
        """Judge sorted batch rows of appending series (rows of a series: [job.lo, job.hi))."""
        n = len(ts)
        R = np.zeros((n, len(B.COLUMNS)), dtype=np.uint8)
        eligible = np.zeros(n, dtype=bool)
        groups: dict[tuple[int, int], list[Job]] = {}
        for job in jobs:
            groups.setdefault((id(job.state.rules), job.state.interval), []).append(job)
        last_spike: dict[int, int] = {}  # sid → new spike flag of its last stored eligible value
        tails: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}  # sid → new tail, eligible added
        for group in groups.values():
            self._evaluate_group(group, ts, value, status, R, eligible, last_spike, tails)
        self._cross(jobs, ts, value, R, eligible)
        auto_flag, auto_tests = B.finish(R, status)
        flag, tests = auto_flag.astype(np.int16), auto_tests.copy()
        overrides = self._overrides(conn, jobs, ts)
        by_sid = {j.sid: j for j in jobs}
        for sid, items in overrides.items():
            job = by_sid[sid]
            for t_from, t_to, f in items:
                rows = np.arange(job.lo, job.hi)
                hit = rows[(ts[rows] >= t_from) & (ts[rows] <= t_to)]
                flag[hit] = f
                tests[hit] |= T.MANUAL
        updates: list[Update] = []
        staged: dict[int, SeriesState] = {}
        last_good = np.maximum.accumulate(np.where(eligible, np.arange(n), -1)) if n else eligible
        for job in jobs:
            st = job.state
            new_tail_t, new_tail_x, added = tails[job.sid]
            auto = (st.auto_flag, st.auto_tests)
            last = (st.last_flag, st.last_tests)
            spike = last_spike.get(job.sid)
            if spike is not None:
                auto = worse(st.auto_flag, st.auto_tests, spike, T.SPIKE)
                lf, lt = auto
                t_last = int(st.tail_ts[-1])
                for t_from, t_to, f in overrides.get(job.sid, ()):
                    if t_from <= t_last <= t_to:
                        lf, lt = f, lt | T.MANUAL
                if (lf, lt) != last:
                    updates.append(Update(job.sid, t_last, lf, lt, *last, 0, True))
                last = (lf, lt)
            j = int(last_good[job.hi - 1])
            if j >= job.lo:
                auto = (int(auto_flag[j]), int(auto_tests[j]))
                last = (int(flag[j]), int(tests[j]))
            newest = int(ts[job.hi - 1])
            staged[job.sid] = SeriesState(
                st.rules,
                st.interval,
                newest if st.last_ts is None else max(st.last_ts, newest),
                st.total + added,
                new_tail_t,
                new_tail_x,
                *auto,
                *last,
            )
        return OnlineResult(flag, tests, updates, staged)

    @staticmethod
    def _evaluate_group(
        group: list[Job],
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
        R: np.ndarray,
        eligible: np.ndarray,
        last_spike: dict[int, int],
        tails: dict[int, tuple[np.ndarray, np.ndarray, int]],
    ) -> None:
        rules, interval = group[0].state.rules, group[0].state.interval
        lt = np.fromiter((len(j.state.tail_x) for j in group), np.int64, len(group))
        lb = np.fromiter((j.hi - j.lo for j in group), np.int64, len(group))
        seg_len = lt + lb
        starts = np.concatenate(([0], np.cumsum(seg_len)[:-1]))
        size = int(seg_len.sum())
        # batch rows of the group, in segment order, and where they go in the segment array
        rows = np.concatenate([np.arange(j.lo, j.hi) for j in group])
        bpos = np.repeat(starts + lt, lb) + (
            np.arange(len(rows)) - np.repeat(np.cumsum(lb) - lb, lb)
        )
        x = np.empty(size)
        t = np.empty(size, dtype=np.int64)
        st = np.zeros(size, dtype=np.int16)
        x[bpos], t[bpos], st[bpos] = value[rows], ts[rows], status[rows]
        if lt.sum():
            tpos = np.repeat(starts, lt) + (
                np.arange(int(lt.sum())) - np.repeat(np.cumsum(lt) - lt, lt)
            )
            x[tpos] = np.concatenate([j.state.tail_x for j in group])
            t[tpos] = np.concatenate([j.state.tail_ts for j in group])
        earlier = np.fromiter(
            (max(j.state.total - len(j.state.tail_x), 0) for j in group), np.int64, len(group)
        )
        Rg, eg = B.evaluate_segments(x, t, st, starts, earlier, rules, interval)
        R[rows] = Rg[bpos]
        eligible[rows] = eg[bpos]
        width = tail_length(rules, interval)
        idx = np.flatnonzero(eg)
        seg_of = np.searchsorted(starts, idx, side="right") - 1
        counts = np.bincount(seg_of, minlength=len(group))
        ends = np.cumsum(counts)
        # each series' new tail, for all at once: values since the last flat-line break
        sub_x = x[idx]
        lasts = ends - 1
        firsts = ends - counts
        start = np.maximum(firsts, lasts - 1)
        f = rules.flat_line
        if f is not None and rules.enabled and len(idx):
            step = np.abs(np.diff(sub_x))
            apart = step > 0 if f.tolerance == 0 else step >= f.tolerance
            mark = np.r_[True, apart]
            mark[firsts[counts > 0]] = True
            run = np.maximum.accumulate(np.where(mark, np.arange(len(idx)), 0))
            has = counts > 0
            run_at = np.where(has, run[np.clip(lasts, 0, None)], 0)
            start = np.where(has, np.minimum(start, np.maximum(run_at, lasts - width + 1)), start)
        added = counts - lt
        spike_rows = starts + lt - 1
        for k, job in enumerate(group):
            if lt[k] and added[k]:
                last_spike[job.sid] = int(Rg[spike_rows[k], B.SPIKE_COL])
            if counts[k] == 0:
                tails[job.sid] = (job.state.tail_ts, job.state.tail_x, 0)
                continue
            keep = idx[start[k] : lasts[k] + 1]
            tails[job.sid] = (t[keep], x[keep], int(added[k]))

    def _cross(
        self,
        jobs: list[Job],
        ts: np.ndarray,
        value: np.ndarray,
        R: np.ndarray,
        eligible: np.ndarray,
    ) -> None:
        """Cross-parameter checks between batch rows of the same station and time."""
        by_station: dict[int, dict[str, Job]] = {}
        for job in jobs:
            by_station.setdefault(job.station.id, {})[job.parameter] = job
        for station_jobs in by_station.values():
            station = next(iter(station_jobs.values())).station
            for rule in self.qc.config.cross(station.qc):
                left, right = station_jobs.get(rule.left), station_jobs.get(rule.right)
                if left is None or right is None:
                    continue
                lrows, rrows = np.arange(left.lo, left.hi), np.arange(right.lo, right.hi)
                _, li, ri = np.intersect1d(
                    ts[lrows], ts[rrows], assume_unique=True, return_indices=True
                )
                li, ri = lrows[li], rrows[ri]
                both = eligible[li] & eligible[ri]
                li, ri = li[both], ri[both]
                if len(li):
                    flags = T.exceeds(value[li], value[ri] * rule.factor, rule.flag)
                    B.cross_check(R, li, ri, flags)

    @staticmethod
    def _overrides(
        conn: Connection, jobs: list[Job], ts: np.ndarray
    ) -> dict[int, list[tuple[int, int, int]]]:
        """Live manual flags over the batch or the last stored values (oldest first)."""
        if not jobs:
            return {}
        lo = min(int(j.state.tail_ts[-1]) if len(j.state.tail_ts) else int(ts[j.lo]) for j in jobs)
        hi = max(int(ts[j.hi - 1]) for j in jobs)
        wanted = {j.sid for j in jobs}
        rows = conn.execute(
            text(
                "SELECT series_id, ts_from, ts_to, flag FROM qc_overrides "
                "WHERE revoked_at IS NULL AND ts_to >= :lo AND ts_from <= :hi "
                "ORDER BY created_at, id"
            ),
            {"lo": lo, "hi": hi},
        )
        out: dict[int, list[tuple[int, int, int]]] = {}
        for sid, a, b, f in rows:
            if sid in wanted:
                out.setdefault(int(sid), []).append((int(a), int(b), int(f)))
        return out
