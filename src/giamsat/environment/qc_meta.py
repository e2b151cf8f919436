"""Series and station facts QC needs, cached briefly (stations are edited rarely).

One ``Meta`` per :class:`~giamsat.environment.qc_store.QualityControl`; a batch's stations and
channels are loaded together (:meth:`Meta.preload`), anything else one at a time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from giamsat.environment.schema import parameters, series, stations


@dataclass(frozen=True)
class SeriesMeta:
    series_id: int
    station_id: int
    parameter: str
    unit: str


@dataclass(frozen=True)
class StationMeta:
    id: int
    code: str
    component: str
    interval: int
    utc_offset_min: int
    province_id: int | None
    qc: dict[str, Any] | None
    settings: dict[str, Any]


def _station_meta(r: Any) -> StationMeta:
    settings = r.settings if isinstance(r.settings, dict) else {}
    return StationMeta(
        r.id,
        r.code,
        r.component,
        int(r.expected_interval_s or 300),
        int(r.utc_offset_min),
        r.province_id,
        settings.get("qc"),
        settings,
    )


class Meta:
    """Series and station facts QC needs, cached briefly (stations are edited rarely)."""

    def __init__(self, max_age: float = 60.0) -> None:
        self.max_age = max_age
        self._series: dict[int, SeriesMeta] = {}
        self._stations: dict[int, StationMeta] = {}
        self._by_station: dict[int, dict[str, int]] = {}
        self._loaded_at = 0.0

    def _expire(self) -> None:
        if time.monotonic() - self._loaded_at > self.max_age:
            self._series.clear()
            self._stations.clear()
            self._by_station.clear()
            self._loaded_at = time.monotonic()

    def series(self, conn: Connection, ids: Iterable[int]) -> dict[int, SeriesMeta]:
        self._expire()
        ids = {int(i) for i in ids}
        found = {i: m for i in ids if (m := self._series.get(i)) is not None}
        missing = ids - found.keys()
        if missing:
            rows = conn.execute(
                select(series.c.id, series.c.station_id, series.c.unit, parameters.c.code)
                .join(parameters, parameters.c.id == series.c.parameter_id)
                .where(series.c.id.in_(sorted(missing)))
            )
            for r in rows:
                found[r.id] = self._series[r.id] = SeriesMeta(r.id, r.station_id, r.code, r.unit)
        return found

    def station(self, conn: Connection, station_id: int) -> StationMeta:
        self._expire()
        found = self._stations.get(station_id)
        if found is None:
            r = conn.execute(select(stations).where(stations.c.id == station_id)).one()
            found = self._stations[station_id] = _station_meta(r)
        return found

    def station_series(self, conn: Connection, station_id: int) -> dict[str, int]:
        """parameter code → series id of every channel of a station."""
        self._expire()
        found = self._by_station.get(station_id)
        if found is None:
            rows = conn.execute(
                select(series.c.id, parameters.c.code)
                .join(parameters, parameters.c.id == series.c.parameter_id)
                .where(series.c.station_id == station_id)
            )
            found = {r.code: r.id for r in rows}
            self._by_station[station_id] = found
        return found

    def preload(self, conn: Connection, station_ids: Iterable[int]) -> None:
        """Load the facts of many stations and their channels at once (a batch's stations)."""
        self._expire()
        todo = sorted({int(i) for i in station_ids} - self._stations.keys())
        for i in range(0, len(todo), 2000):
            chunk = todo[i : i + 2000]
            for r in conn.execute(select(stations).where(stations.c.id.in_(chunk))):
                self._stations[r.id] = _station_meta(r)
            rows = conn.execute(
                select(series.c.id, series.c.station_id, series.c.unit, parameters.c.code)
                .join(parameters, parameters.c.id == series.c.parameter_id)
                .where(series.c.station_id.in_(chunk))
            )
            found: dict[int, dict[str, int]] = {sid: {} for sid in chunk}
            for r in rows:
                self._series[r.id] = SeriesMeta(r.id, r.station_id, r.code, r.unit)
                found[r.station_id][r.code] = r.id
            self._by_station.update(found)

    def forget_station(self, station_id: int) -> None:
        self._by_station.pop(station_id, None)
