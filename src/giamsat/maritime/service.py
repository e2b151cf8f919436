"""The live maritime service: sources → engine → store, live events → web.

Sources run on the asyncio loop and only cut lines; one worker thread owns the engine (decode,
state, rules) and the store writes, so neither the web server nor the receivers wait on
decoding or the database. Lines are counted by their source before they are decoded, kept
in the raw archive (``<home>/ais/raw``) and processed in arrival order.

Every ``flush_seconds`` (and at once when a batch produced events) the batch is written in
one transaction; alert listeners and the live hub hear about it after the commit:
``ais.vessel`` (positions that changed), ``ais.aton`` (AtoN status), ``ais.event`` (rule
events), ``alert`` (maritime alert lifecycle). Configuration edits (zones, AtoNs,
thresholds, watched vessels) are picked up within seconds: the API asks for a reload, and
the store is polled for changes made by other processes.

The rules' clock is message time. When every feed goes quiet, the clock keeps moving with
the wall clock, so AtoNs still turn "lost" although no message advances the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from giamsat.config import Settings
from giamsat.core.events import EventHub
from giamsat.core.events import hub as default_hub
from giamsat.core.store import Store
from giamsat.maritime.ais.asm import registry_from_settings
from giamsat.maritime.archive import RawArchive
from giamsat.maritime.engine import Engine
from giamsat.maritime.persist import Persister, restore
from giamsat.maritime.registry import (
    config_version,
    load_atons,
    load_watched,
    load_zones,
    rule_settings,
    seed_settings,
)
from giamsat.maritime.rules import Event, Rules
from giamsat.maritime.sources import Source, make_source, parse_sources
from giamsat.maritime.tracks import TrackPolicy
from giamsat.maritime.zones import ZoneIndex

log = logging.getLogger(__name__)

#: the running service of this process (the web API reads its status and asks for reloads)
CURRENT: MaritimeService | None = None
HIGH_WATER = 100_000  # queued lines above which sources wait before reading more
HARD_LIMIT = 2_000_000  # queued lines above which lines are counted as overflow
BATCH_LINES = 5_000  # lines processed between two flush checks
IDLE_CLOCK_SECONDS = 5.0


def vessel_brief(v: Any) -> dict[str, Any]:
    return {
        "mmsi": v.mmsi, "lat": v.lat, "lon": v.lon, "sog": v.sog, "cog": v.cog,
        "heading": v.heading, "nav_status": v.nav_status, "name": v.name,
        "ship_type": v.ship_type, "length": v.length, "width": v.width, "flag": v.flag,
        "station": v.station, "ts": None if v.position_ts is None else int(v.position_ts),
    }  # fmt: skip


class MaritimeService:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        hub: EventHub | None = None,
        sources: list[Source] | None = None,
        idle_clock_seconds: float = IDLE_CLOCK_SECONDS,
    ) -> None:
        self.settings = settings
        self.idle_clock_seconds = idle_clock_seconds
        self.store = store
        self.hub = hub or default_hub
        if sources is None:
            sources = [make_source(s, settings) for s in parse_sources(settings.maritime_sources)]
        self.sources = sources
        self.engine: Engine | None = None
        self.persister: Persister | None = None
        self.flush_seconds = max(0.01, settings.maritime_flush_seconds)
        self.state_seconds = max(self.flush_seconds, settings.maritime_state_seconds)
        self.archive = (
            RawArchive(settings.home / "ais" / "raw") if settings.maritime_archive_raw else None
        )
        self.counters: Counter[str] = Counter()
        self.listeners: list[Callable[[list[Event]], None]] = []  # after each committed batch
        self._queue: deque[tuple[list[bytes], str, float]] = deque()
        self._pending = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._reload = threading.Event()
        self._advance_to: float | None = None
        self._thread: threading.Thread | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._version: tuple[Any, ...] | None = None
        self._last_work = time.monotonic()
        self.busy = False  # the worker is processing or writing (benchmarks wait for quiet)

    # --- sink for the sources (called on the event loop) ---------------------------------
    def put(self, lines: list[bytes], source: str, received: float) -> None:
        with self._lock:
            if self._pending > HARD_LIMIT:
                self.counters["overflow"] += len(lines)
                return
            self._queue.append((lines, source, received))
            self._pending += len(lines)
        self.counters["lines"] += len(lines)
        self._wake.set()

    async def room(self) -> None:
        while self._pending > HIGH_WATER:
            await asyncio.sleep(0.005)

    @property
    def pending(self) -> int:
        return self._pending

    # --- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        global CURRENT
        await asyncio.to_thread(self._prepare)
        self._thread = threading.Thread(target=self._work, name="maritime-engine", daemon=True)
        self._thread.start()
        for source in self.sources:
            self._spawn(self._run_source(source), f"ais-source:{source.id}")
        self._spawn(self._tick(), "maritime-tick")
        CURRENT = self
        log.info("maritime engine started with %d source(s)", len(self.sources))

    async def stop(self) -> None:
        global CURRENT
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 30)
        if self.persister is not None:
            await asyncio.to_thread(self.persister.close)
        if self.archive is not None:
            self.archive.close()
        if CURRENT is self:
            CURRENT = None

    def _spawn(self, coro: Any, name: str) -> None:
        self._tasks.append(asyncio.create_task(coro, name=name))

    async def _run_source(self, source: Source) -> None:
        try:
            await source.run(self)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("AIS source %s stopped", source.id)
            source.stats.status = "error"
            source.stats.last_error = str(exc)

    def reload(self) -> None:
        """Re-read zones, AtoNs, thresholds and watched vessels (between two batches)."""
        self._reload.set()
        self._wake.set()

    # --- configuration -------------------------------------------------------------------
    def _prepare(self) -> None:
        with self.store.write() as conn:
            seed_settings(conn, self.settings)
        rules = Rules()
        self.engine = Engine(
            rules,
            registry=registry_from_settings(self.settings),
            dedupe_seconds=self.settings.maritime_dedupe_seconds,
            track_policy=TrackPolicy.from_settings(self.settings),
            collect=True,
        )
        self._apply_config()
        restore(self.store, self.engine)
        self.persister = Persister(self.store, self.engine)

    def _apply_config(self) -> None:
        assert self.engine is not None
        with self.store.engine.connect() as conn:
            version = config_version(conn)
            zones = load_zones(conn)
            atons = load_atons(conn)
            settings = rule_settings(conn)
            watched = load_watched(conn)
        rules = self.engine.rules
        rules.settings = settings
        rules.set_zones(ZoneIndex(zones), self.engine.vessels.values())
        rules.set_atons(atons)
        rules.set_watched(watched)
        for mmsi in watched:
            v = self.engine.vessels.get(mmsi)
            st = rules.watched[mmsi]
            if v is not None and v.last_seen is not None and st.last is None:
                st.last = float(v.last_seen)
                rules._queue(mmsi, st)
        self._version = version
        self.counters["reloads"] += 1

    async def _tick(self) -> None:
        polled = checkpointed = 0.0
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            if self.store.is_sqlite and now - checkpointed >= 10.0:
                checkpointed = now
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self._checkpoint)
            if now - polled >= 3.0:
                polled = now
                try:
                    version = await asyncio.to_thread(self._read_version)
                    if version != self._version:
                        self.reload()
                except Exception:
                    log.exception("maritime configuration poll failed")
            engine = self.engine
            idle = now - self._last_work
            if (
                engine is not None
                and engine.rules.clock is not None
                and idle >= self.idle_clock_seconds
            ):
                self._advance_to = engine.rules.clock + idle
                self._last_work = now
                self._wake.set()

    def _checkpoint(self) -> None:
        """SQLite: copy the WAL into the database now and then, from another connection and
        without waiting for anyone, so the engine's commits never run a large checkpoint."""
        with self.store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def _read_version(self) -> tuple[Any, ...]:
        with self.store.engine.connect() as conn:
            return config_version(conn)

    # --- the worker thread ---------------------------------------------------------------
    def _take(self, limit: int) -> list[tuple[list[bytes], str, float]]:
        out: list[tuple[list[bytes], str, float]] = []
        n = 0
        with self._lock:
            while self._queue and n < limit:
                item = self._queue.popleft()
                out.append(item)
                n += len(item[0])
            self._pending -= n
        return out

    def _work(self) -> None:
        engine = self.engine
        assert engine is not None
        last_flush = last_state = time.monotonic()
        while True:
            stopping = self._stop.is_set()
            if not stopping and not self._pending:
                self._wake.wait(self.flush_seconds)
                self._wake.clear()
            self.busy = True
            try:
                if self._reload.is_set():
                    self._reload.clear()
                    self._apply_config()
                batch = self._take(BATCH_LINES)
                if batch:
                    self._process(batch)
                    self._last_work = time.monotonic()
                elif self._advance_to is not None:
                    target, self._advance_to = self._advance_to, None
                    engine.advance_clock(target)
                now = time.monotonic()
                state_due = now - last_state >= self.state_seconds
                backlog = len(engine.outbox) or (self.persister and self.persister.state_backlog)
                if (
                    engine.outbox.events
                    or state_due
                    or stopping
                    or (backlog and now - last_flush >= self.flush_seconds)
                ):
                    self._flush(state_due or stopping, final=stopping)
                    last_flush = now
                    if state_due or stopping:
                        last_state = now
            except Exception:
                self.counters["errors"] += 1
                log.exception("maritime engine batch failed")
                time.sleep(0.5)
            self.busy = bool(self._pending)
            if stopping and not self._pending:
                break

    def _process(self, batch: list[tuple[list[bytes], str, float]]) -> None:
        engine = self.engine
        assert engine is not None
        feed = engine.feed
        for lines, source, received in batch:
            if self.archive is not None:
                try:
                    self.archive.write(lines, source, received)
                except OSError:
                    self.counters["archive_errors"] += len(lines)
            stamp = float(int(received))  # the archive's c: is whole seconds: replay sees the same
            for line in lines:
                feed(line, source, stamp)
        if self.archive is not None:
            self.archive.flush()

    def _flush(self, state: bool, final: bool = False) -> None:
        engine, persister = self.engine, self.persister
        assert engine is not None and persister is not None
        box = engine.outbox.take()
        moved, engine.changed_vessels = engine.changed_vessels, set()
        changed_atons, engine.changed_atons = engine.changed_atons, set()
        try:
            persister.write(box, state, final)
        except Exception:
            self.counters["store_errors"] += 1
            log.exception("maritime batch could not be stored; retrying with the next one")
            engine.outbox.tracks[:0] = box.tracks
            engine.outbox.static[:0] = box.static
            engine.outbox.aton_messages[:0] = box.aton_messages
            engine.outbox.events[:0] = box.events
            engine.changed_vessels |= moved
            engine.changed_atons |= changed_atons
            time.sleep(1.0)
            return
        self.counters["batches"] += 1
        self._publish(box.events, moved, changed_atons)
        for listener in list(self.listeners):
            try:
                listener(box.events)
            except Exception:
                log.exception("maritime batch listener failed")

    def _publish(self, events: list[Event], moved: set[int], atons: set[int]) -> None:
        engine = self.engine
        assert engine is not None
        hub = self.hub
        for ev in events:
            hub.publish("ais.event", {**ev.as_dict(), "asset": ev.asset})
        if moved and hub.has_listeners("ais.vessel"):
            items = [vessel_brief(engine.vessels[m]) for m in moved if m in engine.vessels]
            for start in range(0, len(items), 2000):
                hub.publish("ais.vessel", {"vessels": items[start : start + 2000]})
        if atons and hub.has_listeners("ais.aton"):
            for mmsi in atons:
                live = engine.atons.get(mmsi)
                if live is None:
                    continue
                status, conditions = engine.aton_status(mmsi)
                hub.publish(
                    "ais.aton",
                    {
                        "mmsi": mmsi,
                        "name": live.name,
                        "status": status,
                        "conditions": conditions,
                        "last_seen": live.last_seen,
                        **live.telemetry(),
                    },
                )

    # --- status for the API --------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        engine = self.engine
        out: dict[str, Any] = {
            "sources": [s.stats.as_dict() for s in self.sources],
            "queued_lines": self._pending,
            "counters": dict(self.counters),
        }
        if engine is not None:
            out.update(
                clock=engine.rules.clock,
                vessels=len(engine.vessels),
                atons=len(engine.atons),
                zones=len(engine.rules.zones),
                engine=dict(engine.counters),
                decoder_errors=engine.decoder.errors(),
                written=dict(self.persister.written) if self.persister else {},
            )
        return out


def current() -> MaritimeService | None:
    return CURRENT
