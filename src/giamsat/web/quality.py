"""The one bridge to the environmental quality engine (status, completeness, exceedances,
limits, VN_AQI) and the shared alert lifecycle, as specified in contracts/quality-api.md.

Those modules may be absent (they are built on another branch); every use goes through here,
imported lazily, and a missing module becomes HTTP 503 with a clear message. ``features()``
tells the UI what is there so it never calls what is missing.
"""

from __future__ import annotations

import importlib
import threading
import time
from dataclasses import asdict, is_dataclass
from types import ModuleType
from typing import Any

from fastapi import HTTPException

from giamsat.core.store import Store

MODULES = {
    "status": "giamsat.environment.status",
    "completeness": "giamsat.environment.completeness",
    "exceedance": "giamsat.environment.exceedance",
    "aqi": "giamsat.environment.aqi",
    "alerts": "giamsat.core.alerts",
}


def module(feature: str, required: bool = True) -> ModuleType | None:
    name = MODULES[feature]
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        if exc.name is not None and not name.startswith(exc.name) and exc.name != name:
            raise  # the module exists but something it needs is broken: say so loudly
        if required:
            raise HTTPException(
                503, f"{feature} is not available: module {name} is not installed"
            ) from None
        return None


def features() -> dict[str, bool]:
    return {feature: module(feature, required=False) is not None for feature in MODULES}


def as_dict(item: Any) -> dict[str, Any]:
    return asdict(item) if is_dataclass(item) and not isinstance(item, type) else dict(item)


class StatusCache:
    """Station statuses of all stations, served from memory so no dashboard request waits.

    The dashboard is polled by every open browser and the whole network's status costs a
    query per station, so: stations that received data (``env`` events name them) are
    recomputed on the next request, alone; everything is recomputed every ``ttl`` seconds
    (a station turns disconnected, a 24-hour mean moves on, with time and no event), in a
    background thread while requests keep getting the previous picture. Only the very first
    request, or one after :meth:`invalidate` without a station, waits for a full computation.
    """

    def __init__(self, store: Store, ttl: float = 15.0) -> None:
        self.store = store
        self.ttl = ttl
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._at = 0.0
        self._dirty_all = True
        self._dirty_codes: set[str] = set()
        self._items: dict[str, dict[str, Any]] = {}
        self._refreshing: threading.Thread | None = None
        self._partial_at: dict[str, float] = {}

    def invalidate(self, event: Any = None) -> None:
        """Mark one station (an event naming it) or everything (no station) as out of date."""
        code = event.get("station") if isinstance(event, dict) else None
        with self._lock:
            if code:
                self._dirty_codes.add(str(code))
            else:
                self._dirty_all = True

    def all(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            full = self._dirty_all or not self._items
            codes = set() if full else self._dirty_codes
            self._dirty_codes = set()
            if full:
                self._dirty_all = False
            stale = time.monotonic() - self._at > self.ttl
        if full:
            self._recompute(None)
        elif codes:
            self._recompute(sorted(codes))
        if stale and not full:
            self._refresh_in_background()
        return self._items

    def for_codes(self, codes: list[str]) -> list[dict[str, Any]]:
        items = self.all()
        return [items[c] for c in codes if c in items]

    def _recompute(self, codes: list[str] | None) -> None:
        mod = module("status")
        started = time.monotonic()
        statuses = mod.station_statuses(self.store, station_codes=codes)  # type: ignore[union-attr]
        fresh = {s.code: as_dict(s) for s in statuses}
        with self._lock:
            if codes is None:
                self._items = fresh
                self._at = started
                # a station recomputed alone while this ran may be newer than what we read
                self._dirty_codes |= {c for c, t in self._partial_at.items() if t >= started}
                self._partial_at = {}
            else:  # copy-on-write: readers iterate the old dict undisturbed
                self._items = {**self._items, **fresh}
                self._partial_at.update(dict.fromkeys(codes, started))

    def _refresh_in_background(self) -> None:
        def run() -> None:
            try:
                self._recompute(None)
            finally:
                self._refresh_lock.release()

        if not self._refresh_lock.acquire(blocking=False):
            return  # one refresh at a time
        self._at = time.monotonic()  # do not start another while this one runs
        self._refreshing = threading.Thread(target=run, name="status-refresh", daemon=True)
        self._refreshing.start()


def summary(statuses: list[dict[str, Any]]) -> dict[str, int]:
    """status_summary of the contract, fed with the cached statuses."""
    mod = module("status")
    objects = [mod.StationStatus(**s) for s in statuses]  # type: ignore[union-attr]
    return dict(mod.status_summary(objects))  # type: ignore[union-attr]


def completeness(store: Store, codes: list[str], start: int, end: int, period: str) -> list[dict]:
    return list(module("completeness").completeness(store, codes, start, end, period))  # type: ignore[union-attr]


def below_target(store: Store, start: int, end: int, target: float | None) -> list[dict]:
    return list(module("completeness").below_target(store, start, end, target))  # type: ignore[union-attr]


def exceedances(store: Store, codes: list[str], start: int, end: int) -> list[dict]:
    return list(module("exceedance").exceedance_episodes(store, codes, start, end))  # type: ignore[union-attr]


def limits(store: Store, code: str) -> list[dict]:
    return list(module("exceedance").station_limits(store, code))  # type: ignore[union-attr]


def limits_if_available(store: Store, code: str) -> list[dict] | None:
    mod = module("exceedance", required=False)
    return None if mod is None else list(mod.station_limits(store, code))


def latest_aqi(store: Store, published_only: bool) -> list[dict]:
    return list(module("aqi").latest_aqi(store, published_only=published_only))  # type: ignore[union-attr]


def aqi_hourly(store: Store, code: str, start: int, end: int) -> list[dict]:
    return list(module("aqi").aqi_hourly(store, code, start, end))  # type: ignore[union-attr]


def aqi_daily(store: Store, code: str, start_day: int, end_day: int) -> list[dict]:
    return list(module("aqi").aqi_daily(store, code, start_day, end_day))  # type: ignore[union-attr]


def aqi_categories() -> list[dict]:
    return list(module("aqi").CATEGORIES)  # type: ignore[union-attr]


def alerts_module() -> ModuleType:
    return module("alerts")  # type: ignore[return-value]
