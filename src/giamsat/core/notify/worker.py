"""The notifier: one router task (alert events → outbox, held messages, escalations) and one
sender task per channel (outbox → the world), all on the service's event loop.

A committed alert wakes the router at once (``core.alerts`` listener); alerts written by other
processes are found by polling every ``notify_poll_seconds``. Each channel sends on its own,
so a dead SMTP server never delays pop-ups or webhooks. A channel that cannot be reached is
probed with one message at a time, backing off up to a minute, and its messages wait without
using up their attempts. Database work runs in threads (blocking drivers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.events import EventHub
from giamsat.core.events import hub as default_hub
from giamsat.core.notify import outbox
from giamsat.core.notify.channels import Channel, build_channels
from giamsat.core.notify.ratelimit import TokenBucket
from giamsat.core.notify.router import Router
from giamsat.core.store import Store

log = logging.getLogger(__name__)
BATCH = 100
DOWN_BACKOFF_MAX = 60.0
UNCONFIGURED_WAIT = 300.0


@dataclass
class ChannelState:
    name: str
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    down_since: float | None = None
    down_delay: float = 0.0
    last_error: str = ""
    sent: int = 0
    failed: int = 0


class Notifier:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        hub: EventHub | None = None,
        channels: Mapping[str, Channel] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.hub = hub or default_hub
        self.router = Router(store, settings)
        self.channels: dict[str, Channel] = dict(channels or build_channels(settings))
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        rates = {
            "email": settings.smtp_rate_per_minute,
            "sms": settings.sms_rate_per_minute,
            "webhook": settings.webhook_rate_per_minute,
        }
        self.limits = {name: TokenBucket(rate) for name, rate in rates.items()}
        self.limits["web"] = TokenBucket(0)
        self.state: dict[str, ChannelState] = {}
        self._router_wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._stopping = False
        self._keeper: Any = None
        self._db_lock: asyncio.Lock | None = None

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.store.is_sqlite:
            self._db_lock = asyncio.Lock()
        if self.store.is_sqlite and self._keeper is None:
            # SQLite checkpoints the WAL whenever its last connection closes (the store opens one
            # per transaction): one idle connection held open spares every commit that cost.
            self._keeper = await asyncio.to_thread(self.store.engine.connect)
        self._router_wake = asyncio.Event()
        for name in ("web", *self.channels):
            self.state[name] = ChannelState(name)
        alerts.add_listener(self._on_alert)
        self._spawn(self._route_loop(), "notify-router")
        for name in self.state:
            self._spawn(self._send_loop(name), f"notify-{name}")
        log.info(
            "notifier started: %s",
            ", ".join(n for n in self.state if n == "web" or self.channels[n].configured),
        )

    async def stop(self, grace: float = 30.0) -> None:
        """Let each loop finish what it is doing — a message sent is always recorded as sent, or
        a restart would send it twice — then stop (cancelling after ``grace`` seconds)."""
        alerts.remove_listener(self._on_alert)
        self._stopping = True
        for st in self.state.values():
            st.wake.set()
        if self._router_wake is not None:
            self._router_wake.set()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=grace)
            for task in late:
                task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(outbox.release_leases, self.store, self.owner)
        for channel in self.channels.values():
            with contextlib.suppress(Exception):
                await channel.close()
        if self._keeper is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._keeper.close)
            self._keeper = None

    async def run(self) -> None:
        """Start, then run until cancelled (``giamsat notify run``)."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(self._done)
        self._tasks.append(task)

    @staticmethod
    def _done(task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("notifier task %s stopped", task.get_name(), exc_info=task.exception())

    async def _db(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Database work in a thread; on SQLite one at a time, because concurrent writers of one
        process would only wait for each other in SQLite's busy handler (sleeps of up to 100 ms)."""
        if self._db_lock is None:
            return await asyncio.to_thread(fn, *args, **kwargs)
        async with self._db_lock:
            return await asyncio.to_thread(fn, *args, **kwargs)

    # --- waking -----------------------------------------------------------------------------
    def _on_alert(self, event: dict[str, Any]) -> None:
        """After an alert change commits (any thread): wake the router."""
        self.wake()

    def wake(self, channel: str | None = None) -> None:
        """Look at the outbox now (thread-safe)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        events = [self.state[channel].wake] if channel in self.state else []
        if channel is None and self._router_wake is not None:
            events.append(self._router_wake)
        for ev in events:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(ev.set)

    @staticmethod
    async def _sleep(event: asyncio.Event, seconds: float) -> None:
        """Until woken or ``seconds`` pass (the caller clears the event before its work)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=max(0.0, seconds))

    # --- routing ----------------------------------------------------------------------------
    async def _route_loop(self) -> None:
        assert self._router_wake is not None
        loop = asyncio.get_running_loop()
        timers_at = 0.0
        while not self._stopping:
            self._router_wake.clear()
            timers = loop.time() >= timers_at
            try:
                await self.route_once(timers)
            except Exception:
                log.exception("notification routing failed; retrying")
            if timers:
                timers_at = loop.time() + self.settings.notify_poll_seconds
            await self._sleep(self._router_wake, self.settings.notify_poll_seconds)

    async def route_once(self, timers: bool = True) -> None:
        """Route new alert events; with ``timers``, also release held messages and escalate
        (time-driven work, done once per poll interval rather than on every alert)."""
        await self._db(self.router.route_pending)
        if timers:
            await self._db(self.router.release_due)
            await self._db(self.router.escalate_due)
        touched, self.router.touched = self.router.touched, set()
        for name in touched:
            st = self.state.get(name)
            if st is not None and st.down_since is None:  # a channel that is down keeps its pace
                st.wake.set()

    # --- sending ----------------------------------------------------------------------------
    async def _send_loop(self, name: str) -> None:
        st = self.state[name]
        while not self._stopping:
            st.wake.clear()
            try:
                pause = await self.send_once(name)
            except Exception:
                log.exception("sending on %s failed; retrying", name)
                pause = 5.0
            if pause > 0 and not self._stopping:
                await self._sleep(st.wake, pause)

    async def send_once(self, name: str) -> float:
        """One batch on one channel; returns how long to pause (0: more may be due now)."""
        st = self.state[name]
        bucket = self.limits.get(name) or TokenBucket(0)
        allowance = bucket.available()
        if allowance <= 0:
            return bucket.wait_time()
        size = 1 if st.down_since is not None else min(BATCH, allowance)
        messages = await self._db(outbox.claim, self.store, name, size, self.owner)
        if not messages:
            return self.settings.notify_poll_seconds
        bucket.take(len(messages))
        if name == "web":
            entries = await self._db(outbox.deliver_web, self.store, messages)
            for entry in entries:
                self.hub.publish("notify.popup", entry)
            st.sent += len(entries)
            return 0.0
        channel = self.channels[name]
        if not channel.configured:
            outcomes = [
                outbox.Outcome(m.id, "waiting", channel.missing, log=False) for m in messages
            ]
            await self._record(outcomes, UNCONFIGURED_WAIT)
            st.last_error = channel.missing
            return UNCONFIGURED_WAIT
        outcomes = await channel.send_batch(messages)
        if outcomes and all(o.status == "waiting" for o in outcomes):
            loop = asyncio.get_running_loop()
            st.down_since = st.down_since or loop.time()
            st.down_delay = min(DOWN_BACKOFF_MAX, max(1.0, st.down_delay * 2))
            st.last_error = outcomes[0].detail
            if st.down_delay == 1.0:
                log.warning("notification channel %s is down: %s", name, st.last_error)
            await self._record(outcomes, st.down_delay)
            await self._db(outbox.mark_waiting, self.store, name, st.last_error)
            return st.down_delay
        if st.down_since is not None:
            log.info("notification channel %s is back", name)
        st.down_since, st.down_delay = None, 0.0
        st.sent += sum(o.status == "sent" for o in outcomes)
        st.failed += sum(o.status == "failed" for o in outcomes)
        await self._record(outcomes, 1.0)
        return 0.0

    async def _record(self, outcomes: list[outbox.Outcome], wait: float) -> None:
        s = self.settings
        await self._db(
            outbox.record,
            self.store,
            outcomes,
            max_attempts=s.notify_max_attempts,
            retry_base=s.notify_retry_base_seconds,
            retry_max=s.notify_retry_max_seconds,
            wait_seconds=wait,
        )

    def status(self) -> dict[str, Any]:
        """Per channel: configured, down since (loop time), last error, counts this run."""
        return {
            name: {
                "configured": name == "web" or self.channels[name].configured,
                "down": st.down_since is not None,
                "last_error": st.last_error,
                "sent": st.sent,
                "failed": st.failed,
            }
            for name, st in self.state.items()
        }
