"""What ingest does with values besides storing them: QC, completeness, AQI and alerts.

The :class:`~giamsat.environment.ingest.Ingestor` calls :meth:`QualityPipeline.flag` before it
writes a batch (the flags go into ``observations``) and :meth:`QualityPipeline.after_write`
after, in the same transaction: the tests behind each flag, neighbours whose flags the new
values change (a spike is only known once the next value arrives), the daily completeness
counts, the AQI of ambient-air stations, and the exceedance and silence alerts.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from giamsat.config import Settings
from giamsat.environment import completeness
from giamsat.environment import qc_tests as T
from giamsat.environment.aqi import AQI_PARAMETERS, AQI_UNIT, refresh_station
from giamsat.environment.exceedance import DAY, HOUR
from giamsat.environment.exceedance_live import day_rule_days
from giamsat.environment.hourly_cache import cached
from giamsat.environment.limits import load_limit_table, permit_standards
from giamsat.environment.qc_config import Rules
from giamsat.environment.qc_online import Job, OnlineQC, SeriesState, seed_state
from giamsat.environment.qc_store import (
    QualityControl,
    SeriesMeta,
    StationMeta,
    Update,
    Window,
    write_results,
)
from giamsat.environment.rollups import USABLE_FLAGS
from giamsat.environment.schema import stations
from giamsat.environment.station_alerts import update_station_alerts

if TYPE_CHECKING:
    from giamsat.environment.ingest import Written

log = logging.getLogger(__name__)
_STASH = "giamsat.qc.stash"


@dataclass
class _Stash:
    """What :meth:`flag` computed, for :meth:`after_write` of the same batch."""

    keys: np.ndarray  # series·2³⁴ + ts of each judged row (sorted, unique)
    value: np.ndarray
    status: np.ndarray
    flag: np.ndarray
    tests: np.ndarray
    station_of: dict[int, int]  # series → station
    updates: dict[int, list[Update]] = field(default_factory=dict)  # station → stored points
    focus: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)
    staged: dict[int, SeriesState] = field(default_factory=dict)  # online QC states


class QualityPipeline:
    def __init__(self, settings: Settings | None = None, qc: QualityControl | None = None) -> None:
        self.settings = settings or Settings()
        self.qc = qc or QualityControl()
        self.online = OnlineQC(self.qc)
        self._days_checked: dict[int, int] = {}  # station → newest hour the day rule saw
        self._rules: dict[int, tuple[StationMeta, Rules]] = {}
        self._staged: dict[int, SeriesState] = {}
        self._unwritten = False  # flag() ran, after_write() not yet
        self.counts = {"online": 0, "classic": 0}  # series judged each way (tests, benchmarks)

    # --- transaction end ---------------------------------------------------------------------
    def committed(self, ok: bool) -> None:
        """The batch's transaction ended: its QC states become current, or all are forgotten.

        States staged by :meth:`flag` count only if :meth:`after_write` saw the rows stored
        (when none was, e.g. every value conflicted with a stored one, they describe nothing)."""
        if not ok:
            self.online.states.clear()
        elif not self._unwritten:
            self.online.states.update(self._staged)
        self._staged = {}
        self._unwritten = False

    # --- before the write ------------------------------------------------------------------
    def flag(
        self,
        conn: Connection,
        series_id: np.ndarray,
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
    ) -> np.ndarray:
        """QARTOD flags of a batch, judged with the history around it (docs/quality.md)."""
        conn.info.pop(_STASH, None)
        self._staged = {}
        n = len(series_id)
        if n == 0:
            return np.full(0, 2, dtype=np.int16)
        keys = series_id.astype(np.int64) * (1 << 34) + ts.astype(np.int64)
        # the first of repeated keys is the one stored; sorted by series, then time
        ukeys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        sid_s, ts_s = series_id[first].astype(np.int64), ts[first].astype(np.int64)
        val_s, st_s = value[first].astype(np.float64), status[first].astype(np.int16)
        m = len(first)
        flag_s = np.full(m, 2, dtype=np.int16)
        tests_s = np.zeros(m, dtype=np.int64)
        cut = np.flatnonzero(np.r_[True, sid_s[1:] != sid_s[:-1]])
        bounds = zip(sid_s[cut].tolist(), cut.tolist(), [*cut[1:].tolist(), m], strict=True)
        metas = self.qc.meta.series(conn, set(sid_s[cut].tolist()))
        by_station: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for sid, lo, hi in bounds:
            meta = metas.get(sid)
            if meta is not None:
                by_station[meta.station_id].append((sid, lo, hi))
        self.qc.meta.preload(conn, by_station)
        stash = _Stash(ukeys, val_s, st_s, flag_s, tests_s, {})
        self.online.check_epoch(conn)
        spans = self._stored_spans(conn, by_station)
        stored = {sid: None if span is None else span[1] for sid, span in spans.items()}
        self._seed(conn, by_station, metas, ts_s, spans)
        jobs: list[Job] = []
        fallback: list[int] = []
        for station_id, items in by_station.items():
            station = self.qc.meta.station(conn, station_id)
            known = self.qc.meta.station_series(conn, station_id)
            if any(sid not in known.values() for sid, _, _ in items):
                self.qc.meta.forget_station(station_id)  # a channel created by this batch
                known = self.qc.meta.station_series(conn, station_id)
            stash.focus[station_id] = {
                sid: (int(ts_s[lo]), int(ts_s[hi - 1])) for sid, lo, hi in items
            }
            for sid, _, _ in items:
                stash.station_of[sid] = station_id
            found = self._appending(station, known, items, metas, ts_s, stored)
            if found is None:
                fallback.append(station_id)
            else:
                jobs.extend(found)
        self.counts["online"] += len(jobs)
        self.counts["classic"] += sum(len(by_station[s]) for s in fallback)
        if jobs:
            result = self.online.evaluate(conn, jobs, ts_s, val_s, st_s)
            rows = np.concatenate([np.arange(j.lo, j.hi) for j in jobs])
            flag_s[rows], tests_s[rows] = result.flag[rows], result.tests[rows]
            for u in result.updates:
                stash.updates.setdefault(stash.station_of[u.series_id], []).append(u)
            stash.staged.update(result.staged)
        for station_id in fallback:
            self._classic(
                conn, station_id, by_station[station_id], stash, stored, ts_s, val_s, st_s
            )
        self._staged = stash.staged
        self._unwritten = True
        conn.info[_STASH] = stash
        return flag_s[inverse].astype(np.int16)

    def _rules_of(self, station: StationMeta, meta: SeriesMeta) -> Rules:
        cached = self._rules.get(meta.series_id)
        if cached is None or cached[0] is not station:
            rules = self.qc.config.rules(station.component, meta.parameter, meta.unit, station.qc)
            self._rules[meta.series_id] = cached = (station, rules)
        return cached[1]

    def _seed(
        self,
        conn: Connection,
        by_station: dict[int, list[tuple[int, int, int]]],
        metas: dict[int, SeriesMeta],
        ts: np.ndarray,
        spans: dict[int, tuple[int, int] | None],
    ) -> None:
        """Read the states of appending series this process has not seen yet, together."""
        wanted = {}
        for station_id, items in by_station.items():
            station = self.qc.meta.station(conn, station_id)
            for sid, lo, _ in items:
                span = spans.get(sid)
                if span is None or span[1] >= int(ts[lo]):
                    continue
                rules = self._rules_of(station, metas[sid])
                if self.online.state_for(sid, rules, station.interval, span[1]) is None:
                    need = 2 * self.qc._context(station, metas[sid])
                    wanted[sid] = (rules, station.interval, span[0], span[1], need)
        if wanted:
            self.online.seed(conn, wanted)

    def _stored_spans(
        self, conn: Connection, by_station: dict[int, list[tuple[int, int, int]]]
    ) -> dict[int, tuple[int, int] | None]:
        """Stored time span of the batch's series and of their cross-check partners."""
        wanted = {sid for items in by_station.values() for sid, _, _ in items}
        for station_id in by_station:
            station = self.qc.meta.station(conn, station_id)
            rules = self.qc.config.cross(station.qc)
            if rules:
                known = self.qc.meta.station_series(conn, station_id)
                names = {r.left for r in rules} | {r.right for r in rules}
                wanted.update(known[p] for p in names if p in known)
        return self.online.stored_span(conn, sorted(wanted))

    def _appending(
        self,
        station: StationMeta,
        known: dict[str, int],
        items: list[tuple[int, int, int]],
        metas: dict[int, SeriesMeta],
        ts: np.ndarray,
        stored: dict[int, int | None],
    ) -> list[Job] | None:
        """Online QC jobs when every series of the station only appends (else None)."""
        jobs = []
        for sid, lo, hi in items:
            meta = metas[sid]
            rules = self._rules_of(station, meta)
            state = self.online.state_for(sid, rules, station.interval, stored.get(sid))
            if state is None or (state.last_ts is not None and int(ts[lo]) <= state.last_ts):
                return None
            jobs.append(Job(sid, station, meta.parameter, state, lo, hi))
        by_parameter = {j.parameter: j for j in jobs}
        for rule in self.qc.config.cross(station.qc):
            for this, other in ((rule.left, rule.right), (rule.right, rule.left)):
                job, partner = by_parameter.get(this), known.get(other)
                if job is None or partner is None:
                    continue
                last = stored.get(partner)
                if last is not None and last >= int(ts[job.lo]):
                    return None  # a stored partner value at a new time: re-judge the classic way
        return jobs

    def _classic(
        self,
        conn: Connection,
        station_id: int,
        items: list[tuple[int, int, int]],
        stash: _Stash,
        stored: dict[int, int | None],
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
    ) -> None:
        """Judge a station with its window read from the store, and seed its online states."""
        station = self.qc.meta.station(conn, station_id)
        batch = {sid: (ts[lo:hi], value[lo:hi], status[lo:hi]) for sid, lo, hi in items}
        windows: dict[int, Window] = {}
        evaluation = self.qc.evaluate(conn, station, stash.focus[station_id], batch, windows)
        for sid, lo, hi in items:
            for i in range(lo, hi):
                got = evaluation.batch.get((sid, int(ts[i])))
                if got is not None:
                    stash.flag[i], stash.tests[i] = got
        stash.updates[station_id] = list(evaluation.updates)
        newest = {sid: int(ts[hi - 1]) for sid, _, hi in items}
        for sid, w in windows.items():
            if sid not in stored:
                continue
            last = stored[sid]
            if sid in newest:
                last = newest[sid] if last is None else max(last, newest[sid])
            ch = w.channel
            j = np.flatnonzero(w.outcome.eligible)
            state = None
            if not w.after_cut and (not len(j) or w.judged[j[-1]]):
                state = seed_state(
                    self._rules_of(station, SeriesMeta(sid, station.id, ch.parameter, ch.unit)),
                    station.interval,
                    last,
                    ch.ts,
                    ch.value,
                    w.outcome.eligible,
                    (w.outcome.flag, w.outcome.tests),
                    (w.flag, w.tests),
                    w.before_cut,
                )
            if state is not None:
                stash.staged[sid] = state
            else:
                stash.staged.pop(sid, None)
                self.online.states.pop(sid, None)

    # --- after the write -------------------------------------------------------------------
    def after_write(self, conn: Connection, written: Written) -> None:
        stash: _Stash | None = conn.info.pop(_STASH, None)
        usable = (
            (written.status == 0)
            & np.isin(written.flag, USABLE_FLAGS)
            & np.isfinite(written.value.astype(np.float64))
        )
        changed: list[Update] = []
        if stash is not None:
            changed = self._qc_after_write(conn, written, stash)
            self._unwritten = False
        new = ~written.replaced
        completeness.count_new(
            conn,
            written.series_id[new],
            written.ts[new],
            usable[new],
            written.utc_offset_min[new],
        )
        if written.replaced.any():
            completeness.recount(
                conn,
                zip(
                    written.series_id[written.replaced].tolist(),
                    written.ts[written.replaced].tolist(),
                    written.utc_offset_min[written.replaced].tolist(),
                    strict=True,
                ),
            )
        touched, earliest = self._touched_stations(conn, written, changed)
        self._refresh_stations(conn, touched, earliest)

    def _refresh_stations(
        self, conn: Connection, touched: dict[int, list[int]], earliest: dict[int, int]
    ) -> None:
        """AQI of ambient-air stations, then every station's alerts, hourly means read once."""
        if not touched:
            return
        rows = conn.execute(select(stations).where(stations.c.id.in_(sorted(touched)))).all()
        table = load_limit_table(conn)
        wanted: dict[int, tuple[list[int], int]] = {}
        aqi_series: dict[int, dict[str, int]] = {}
        for st in rows:
            ambient = st.component == "ambient_air"
            if not ambient and not permit_standards(st, table):
                continue
            known = self.qc.meta.station_series(conn, st.id)
            days = day_rule_days(st, self.settings) + 3
            newest = int(st.last_obs_ts or earliest[st.id])
            start = min(earliest[st.id] - 3 * DAY, newest - days * DAY) // HOUR * HOUR
            wanted[st.id] = (list(known.values()), start)
            if ambient:
                metas = self.qc.meta.series(conn, known.values())
                aqi_series[st.id] = {
                    code: sid
                    for code, sid in known.items()
                    if code in AQI_PARAMETERS and metas[sid].unit == AQI_UNIT
                }
        with cached(conn, wanted, aqi_series):
            for st in rows:
                if st.component == "ambient_air" and touched[st.id]:
                    refresh_station(conn, st.id, st.utc_offset_min, touched[st.id])
            update_station_alerts(conn, rows, self.settings, self._days_checked)

    def _qc_after_write(self, conn: Connection, written: Written, stash: _Stash) -> list[Update]:
        wkeys = written.series_id.astype(np.int64) * (1 << 34) + written.ts.astype(np.int64)
        stored = np.isin(stash.keys, wkeys)
        # batch values that were not stored (a conflicting value already there): the window
        # computed before the write is then wrong for that station; judge it again from the store
        redo: set[int] = set()
        for i in np.flatnonzero(~stored).tolist():
            s, t = divmod(int(stash.keys[i]), 1 << 34)
            row = conn.execute(
                text("SELECT value, status FROM observations WHERE series_id = :s AND ts = :t"),
                {"s": s, "t": t},
            ).first()
            want = float(stash.value[i])
            same = (
                row is not None
                and row.status == int(stash.status[i])
                and (row.value == want or (row.value is None and np.isnan(want)))
            )
            if not same and s in stash.station_of:
                redo.add(stash.station_of[s])
        replace = bool(written.replaced.any()) or bool(redo)
        keep = stored if replace else stored & ((stash.tests & ~(T.DEVICE | T.MISSING_VALUE)) != 0)
        idx = np.flatnonzero(keep)
        sids, tss = np.divmod(stash.keys[idx], 1 << 34)
        write_results(
            conn,
            list(
                zip(
                    sids.tolist(),
                    tss.tolist(),
                    stash.flag[idx].tolist(),
                    stash.tests[idx].tolist(),
                    strict=True,
                )
            ),
            replace=replace,
        )
        updates: list[Update] = []
        for station_id, items in stash.updates.items():
            if station_id not in redo:
                updates.extend(items)
        for station_id in redo:
            station = self.qc.meta.station(conn, station_id)
            updates.extend(self.qc.evaluate(conn, station, stash.focus[station_id]).updates)
            for sid in stash.focus[station_id]:
                self._staged.pop(sid, None)
                self.online.states.pop(sid, None)
        return self.qc.apply(conn, updates)

    def _touched_stations(
        self, conn: Connection, written: Written, changed: list[Update]
    ) -> tuple[dict[int, list[int]], dict[int, int]]:
        """station → times of AQI-relevant values that changed what hourly means contain;
        station → earliest time written or changed."""
        sid = np.concatenate([written.series_id, [u.series_id for u in changed]]).astype(np.int64)
        ts = np.concatenate([written.ts, [u.ts for u in changed]]).astype(np.int64)
        uniq, inverse = np.unique(sid, return_inverse=True)
        metas = self.qc.meta.series(conn, uniq.tolist())
        found = [metas.get(s) for s in uniq.tolist()]
        station = np.array([-1 if m is None else m.station_id for m in found], np.int64)[inverse]
        aqi = np.array([m is not None and m.parameter in AQI_PARAMETERS for m in found])[inverse]
        known = station >= 0
        stations_u, where = np.unique(station[known], return_inverse=True)
        first = np.full(len(stations_u), np.iinfo(np.int64).max)
        np.minimum.at(first, where, ts[known])
        earliest = dict(zip(stations_u.tolist(), first.tolist(), strict=True))
        out: dict[int, list[int]] = {s: [] for s in earliest}
        pick = known & aqi
        for s, t in zip(station[pick].tolist(), ts[pick].tolist(), strict=True):
            out[s].append(t)
        return out, earliest
