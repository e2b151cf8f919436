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
from giamsat.core import alerts
from giamsat.environment import completeness
from giamsat.environment.aqi import AQI_PARAMETERS, refresh_station
from giamsat.environment.qc_store import Evaluation, QualityControl, Update, write_results
from giamsat.environment.rollups import USABLE_FLAGS
from giamsat.environment.schema import stations
from giamsat.environment.status import SILENCE_RULE

if TYPE_CHECKING:
    from giamsat.environment.ingest import Written

log = logging.getLogger(__name__)
_STASH = "giamsat.qc.stash"


@dataclass
class _Stash:
    """What :meth:`flag` computed, for :meth:`after_write` of the same batch."""

    values: dict[tuple[int, int], tuple[float, int]] = field(default_factory=dict)
    evaluations: dict[int, Evaluation] = field(default_factory=dict)  # station id →
    focus: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)


class QualityPipeline:
    def __init__(self, settings: Settings | None = None, qc: QualityControl | None = None) -> None:
        self.settings = settings or Settings()
        self.qc = qc or QualityControl()
        self._days_checked: dict[int, int] = {}  # station → newest hour the day rule saw

    # --- before the write ------------------------------------------------------------------
    def flag(
        self,
        conn: Connection,
        series_id: np.ndarray,
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
    ) -> np.ndarray:
        """QARTOD flags of a batch, judged with the stored history around it."""
        conn.info.pop(_STASH, None)
        n = len(series_id)
        flags = np.full(n, 2, dtype=np.int16)
        if n == 0:
            return flags
        keys = series_id.astype(np.int64) * (1 << 34) + ts.astype(np.int64)
        _, first = np.unique(keys, return_index=True)
        first = np.sort(first)  # the first of repeated keys is the one stored
        metas = self.qc.meta.series(conn, set(series_id.tolist()))
        by_station: dict[int, list[int]] = defaultdict(list)
        for i in first.tolist():
            meta = metas.get(int(series_id[i]))
            if meta is not None:
                by_station[meta.station_id].append(i)
        stash = _Stash()
        results: dict[tuple[int, int], int] = {}
        for station_id, rows in by_station.items():
            station = self.qc.meta.station(conn, station_id)
            known = self.qc.meta.station_series(conn, station_id)
            if any(int(series_id[i]) not in known.values() for i in rows):
                self.qc.meta.forget_station(station_id)  # a channel created by this batch
            idx = np.asarray(rows)
            batch: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
            focus: dict[int, tuple[int, int]] = {}
            for sid in np.unique(series_id[idx]).tolist():
                sel = idx[series_id[idx] == sid]
                order = sel[np.argsort(ts[sel], kind="stable")]
                batch[sid] = (
                    ts[order].astype(np.int64),
                    value[order].astype(np.float64),
                    status[order].astype(np.int16),
                )
                focus[sid] = (int(ts[order][0]), int(ts[order][-1]))
            evaluation = self.qc.evaluate(conn, station, focus, batch)
            stash.evaluations[station_id] = evaluation
            stash.focus[station_id] = focus
            for key, (f, _) in evaluation.batch.items():
                results[key] = f
        for i in range(n):
            key = (int(series_id[i]), int(ts[i]))
            if key in results:
                flags[i] = results[key]
            stash.values.setdefault(key, (float(value[i]), int(status[i])))
        conn.info[_STASH] = stash
        return flags

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
        touched = self._touched_stations(conn, written, changed)
        for station_id, ts_list in touched.items():
            station = self.qc.meta.station(conn, station_id)
            if station.component == "ambient_air" and ts_list:
                refresh_station(conn, station_id, station.utc_offset_min, ts_list)
        self._alerts(conn, touched)

    def _qc_after_write(self, conn: Connection, written: Written, stash: _Stash) -> list[Update]:
        written_keys = set(zip(written.series_id.tolist(), written.ts.tolist(), strict=True))
        # batch values that were not stored (a conflicting value already there): the window
        # computed before the write is then wrong for that station; judge it again from the store
        redo: set[int] = set()
        unwritten = [k for k in stash.values if k not in written_keys]
        if unwritten:
            metas = self.qc.meta.series(conn, {s for s, _ in unwritten})
            for s, t in unwritten:
                row = conn.execute(
                    text("SELECT value, status FROM observations WHERE series_id = :s AND ts = :t"),
                    {"s": s, "t": t},
                ).first()
                want = stash.values[(s, t)]
                same = (
                    row is not None
                    and row.status == want[1]
                    and (row.value == want[0] or (row.value is None and np.isnan(want[0])))
                )
                if not same and s in metas:
                    redo.add(metas[s].station_id)
        rows = []
        for evaluation in stash.evaluations.values():
            for key, (f, tests) in evaluation.batch.items():
                if key in written_keys:
                    rows.append((key[0], key[1], f, tests))
        write_results(conn, rows, replace=bool(written.replaced.any()) or bool(redo))
        updates: list[Update] = []
        for station_id, evaluation in stash.evaluations.items():
            if station_id in redo:
                station = self.qc.meta.station(conn, station_id)
                updates.extend(self.qc.evaluate(conn, station, stash.focus[station_id]).updates)
            else:
                updates.extend(evaluation.updates)
        return self.qc.apply(conn, updates)

    def _touched_stations(
        self, conn: Connection, written: Written, changed: list[Update]
    ) -> dict[int, list[int]]:
        """station → times of AQI-relevant values that changed what hourly means contain."""
        sids = set(written.series_id.tolist()) | {u.series_id for u in changed}
        metas = self.qc.meta.series(conn, sids)
        out: dict[int, list[int]] = defaultdict(list)
        for sid, t in zip(written.series_id.tolist(), written.ts.tolist(), strict=True):
            m = metas.get(sid)
            if m is None:
                continue
            lst = out[m.station_id]
            if m.parameter in AQI_PARAMETERS:
                lst.append(t)
        for u in changed:
            m = metas.get(u.series_id)
            if m is not None and m.parameter in AQI_PARAMETERS:
                out[m.station_id].append(u.ts)
        return out

    def _alerts(self, conn: Connection, touched: dict[int, list[int]]) -> None:
        from giamsat.environment.exceedance import update_alerts

        if not touched:
            return
        rows = conn.execute(select(stations).where(stations.c.id.in_(list(touched)))).all()
        for st in rows:
            alerts.resolve_matching(
                conn,
                asset_kind="station",
                asset_id=st.code,
                rule=SILENCE_RULE,
                note="data received again",
            )
            # the consecutive-days rule can only change when a new hour of data comes in
            newest_hour = -(-int(st.last_obs_ts or 0) // 3600)
            days = self._days_checked.get(st.id) != newest_hour
            try:  # an alert rule must never lose a stored file
                if conn.dialect.name == "sqlite":  # pysqlite's SAVEPOINT would end the batch
                    update_alerts(conn, st, settings=self.settings, check_days=days)
                else:
                    with conn.begin_nested():
                        update_alerts(conn, st, settings=self.settings, check_days=days)
                self._days_checked[st.id] = newest_hour
            except Exception:
                log.exception("exceedance alerts of %s failed", st.code)
