"""Live events: ephemeral notifications (new values, status changes, alerts, vessel positions)
fanned out to whoever listens — the WebSocket hub, notifiers, tests.

Not a work queue (see core/bus.py for durable work): a listener that is slow or absent misses
events, which is fine for live displays that can always re-read the store. Publishing is
thread-safe, so receivers running in threads (FTP) can publish into asyncio consumers.

Topics in use: ``env.file`` (a processed file), ``env.observations`` (new values of a station),
``env.status`` (a station's status changed), ``alert`` (alert lifecycle event),
``ais.vessel`` / ``ais.aton`` (maritime state updates).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Event = dict[str, Any]


@dataclass(eq=False)
class Subscription:
    """An async iterator of events for some topics (all topics when ``topics`` is None)."""

    hub: EventHub
    topics: frozenset[str] | None
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(maxsize=10_000))
    dropped: int = 0

    def wants(self, topic: str) -> bool:
        return self.topics is None or topic in self.topics or topic.split(".", 1)[0] in self.topics

    def _offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1

    def close(self) -> None:
        self.hub._remove(self)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        try:
            while True:
                yield await self.queue.get()
        finally:
            self.close()

    async def get(self, timeout: float | None = None) -> Event:
        return await asyncio.wait_for(self.queue.get(), timeout)


class EventHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[Subscription] = []
        self._callbacks: list[tuple[frozenset[str] | None, Callable[[Event], None]]] = []

    def subscribe(self, topics: set[str] | None = None) -> Subscription:
        """Subscribe from inside a running event loop."""
        sub = Subscription(self, frozenset(topics) if topics else None, asyncio.get_running_loop())
        with self._lock:
            self._subs.append(sub)
        return sub

    def add_callback(
        self, callback: Callable[[Event], None], topics: set[str] | None = None
    ) -> None:
        """A synchronous listener, called in the publisher's thread (keep it quick)."""
        with self._lock:
            self._callbacks.append((frozenset(topics) if topics else None, callback))

    def remove_callback(self, callback: Callable[[Event], None]) -> None:
        with self._lock:
            self._callbacks = [(t, c) for t, c in self._callbacks if c is not callback]

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        event = {"topic": topic, **payload}
        with self._lock:
            subs = [s for s in self._subs if s.wants(topic)]
            callbacks = [
                c
                for t, c in self._callbacks
                if t is None or topic in t or topic.split(".", 1)[0] in t
            ]
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscription]] = {}
        for sub in subs:
            by_loop.setdefault(sub.loop, []).append(sub)
        for loop, group in by_loop.items():  # one wake-up per loop, not per subscriber
            if loop.is_closed():
                for sub in group:
                    self._remove(sub)
                continue
            try:
                loop.call_soon_threadsafe(_offer_all, group, event)
            except RuntimeError:  # loop closed meanwhile
                for sub in group:
                    self._remove(sub)
        for callback in callbacks:
            try:
                callback(event)
            except Exception:
                log.exception("event listener failed on %s", topic)

    def has_listeners(self, topic: str) -> bool:
        """Whether anybody would receive ``topic`` (lets publishers skip building payloads)."""
        with self._lock:
            return any(s.wants(topic) for s in self._subs) or any(
                t is None or topic in t or topic.split(".", 1)[0] in t for t, _ in self._callbacks
            )

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subs)


def _offer_all(group: list[Subscription], event: Event) -> None:
    for sub in group:
        sub._offer(event)


hub = EventHub()  # the process-wide hub
