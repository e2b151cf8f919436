"""Everything ``giamsat serve`` runs, started and stopped as one unit (also used by tests).

Receivers (FTP/FTPS thread, SFTP, watched folders) land files in spools; spool processors archive
and record them and publish their ids on the bus; the ingest worker processes them; the relay
worker forwards accepted files upstream; the notifier routes alerts to web pop-ups, e-mail, SMS
and webhooks through its persisted outbox; the web app (when present) serves the API and UI.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.bus import make_bus
from giamsat.core.events import hub
from giamsat.core.store import Store
from giamsat.environment.ingest import Ingestor
from giamsat.environment.receiver.spool import SpoolProcessor
from giamsat.environment.stations import seed_catalog
from giamsat.environment.worker import IngestWorker

log = logging.getLogger(__name__)


def _alerts_to_live(event: dict[str, Any]) -> None:
    """Every committed alert change, environmental or maritime, to live displays."""
    hub.publish("alert", event)


def _passive_range(text: str) -> range | None:
    if not text:
        return None
    low, _, high = text.partition("-")
    return range(int(low), int(high or low) + 1)


class Service:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store.from_settings(settings)
        self.bus = make_bus(settings.bus, settings.nats_url, settings.nats_stream)
        self.ingestor = Ingestor(self.store, settings)
        self.worker = IngestWorker(self.bus, self.ingestor)
        self.inbox: Path = settings.resolved_inbox
        self.spool = SpoolProcessor(
            self.inbox,
            self.ingestor,
            self.worker.publish,
            source="spool",
            account_of=self._account_of,
        )
        self.watchers = [
            SpoolProcessor(
                Path(d),
                self.ingestor,
                self.worker.publish,
                source="watch",
                settle=settings.watch_settle_seconds,
            )
            for d in settings.watch_dirs
        ]
        self.ftp: Any = None
        self.sftp: Any = None
        self.web: Any = None
        self.notifier: Any = None
        self.maritime: Any = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._homes: dict[str, int] = {}
        self.on_started: list[Callable[[Service], Awaitable[None]]] = []

    # --- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        s = self.settings
        alerts.add_listener(_alerts_to_live)
        await asyncio.to_thread(self._prepare_store)
        await self.bus.start()
        self._spawn(self.worker.run(), "ingest-worker")
        self._spawn(self.spool.run(), "spool")
        for watcher in self.watchers:
            self._spawn(
                watcher.run(scan_interval=max(0.2, s.watch_settle_seconds / 2)),
                f"watch:{watcher.root}",
            )
        if s.ftp_enabled:
            self._start_ftp()
        if s.sftp_enabled:
            await self._start_sftp()
        if s.relay_url:
            from giamsat.environment.relay import RelayWorker

            self._spawn(RelayWorker(self.store, s.relay_url).run(), "relay")
        self._spawn(self._periodic_checks(), "checks")
        if s.notify_enabled:
            from giamsat.core.notify.worker import Notifier

            self.notifier = Notifier(self.store, s)
            await self.notifier.start()
        if s.maritime_enabled and s.maritime_sources.strip():
            from giamsat.maritime.service import MaritimeService

            self.maritime = MaritimeService(s, self.store)
            await self.maritime.start()
        if s.web_enabled:
            await self._start_web()
        for hook in self.on_started:
            await hook(self)

    def _prepare_store(self) -> None:
        self.store.upgrade()
        seed_catalog(self.store)
        self.refresh_accounts()

    def refresh_accounts(self) -> None:
        from giamsat.environment.accounts import list_accounts

        self._homes = {a.home: a.id for a in list_accounts(self.store)}

    def _account_of(self, rel: str) -> tuple[int | None, str]:
        """(account id, path relative to its home) of a path relative to the inbox."""
        best = ""
        for home in self._homes:
            if (rel == home or rel.startswith(home + "/")) and len(home) > len(best):
                best = home
        if not best:
            self.refresh_accounts()
            return (None, rel)
        return self._homes[best], rel[len(best) + 1 :]

    def _notify(self, path: Path, source: str, account_id: int | None) -> None:
        self.spool.notify(path, source, account_id)

    def _start_ftp(self) -> None:
        from giamsat.environment.receiver.ftp import FtpReceiver
        from giamsat.environment.receiver.keys import ensure_tls_certificate

        s = self.settings
        tls = ensure_tls_certificate(s.home / "keys", s.ftp_host) if s.ftp_tls else None
        self.ftp = FtpReceiver(
            self.store,
            self.inbox,
            self._notify,
            s.ftp_host,
            s.ftp_port,
            _passive_range(s.ftp_passive_ports),
            tls,
        )
        self.ftp.start()
        log.info("FTP%s receiver on %s:%d", "/FTPS" if tls else "", s.ftp_host, self.ftp.port)

    async def _start_sftp(self) -> None:
        from giamsat.environment.receiver.keys import ensure_ssh_host_key
        from giamsat.environment.receiver.sftp import SftpReceiver

        s = self.settings
        key = await asyncio.to_thread(ensure_ssh_host_key, s.home / "keys")
        self.sftp = SftpReceiver(
            self.store, self.inbox, self._notify, s.sftp_host, s.sftp_port, key
        )
        await self.sftp.start()
        log.info("SFTP receiver on %s:%d", s.sftp_host, self.sftp.port)

    async def _start_web(self) -> None:
        try:
            from giamsat.web.app import create_app
        except ImportError:
            log.info("web app not available in this build")
            return
        import uvicorn

        s = self.settings
        app = create_app(s, self.store)
        app.state.notifier = self.notifier
        config = uvicorn.Config(
            app, host=s.web_host, port=s.web_port, log_level="warning", lifespan="on"
        )
        self.web = uvicorn.Server(config)
        self._spawn(self.web.serve(), "web")
        while not self.web.started:
            await asyncio.sleep(0.05)
        sockets = [sock for server in self.web.servers for sock in server.sockets]
        self.web_port = sockets[0].getsockname()[1] if sockets else s.web_port

    async def _periodic_checks(self, interval: float = 60.0) -> None:
        """Every minute: silence alerts, and live events for stations whose status changed."""
        from giamsat.core.events import hub
        from giamsat.environment.status import station_statuses, update_silence_alerts

        previous: dict[str, str] = {}
        while True:
            try:
                await asyncio.to_thread(update_silence_alerts, self.store, settings=self.settings)
                statuses = await asyncio.to_thread(station_statuses, self.store)
                for st in statuses:
                    if previous.get(st.code) not in (None, st.status):
                        hub.publish(
                            "env.status",
                            {"station": st.code, "status": st.status, "was": previous[st.code]},
                        )
                    previous[st.code] = st.status
            except Exception:
                log.exception("periodic checks failed")
            await asyncio.sleep(interval)

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(self._task_done)
        self._tasks.append(task)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("service task %s stopped", task.get_name(), exc_info=task.exception())

    async def stop(self) -> None:
        alerts.remove_listener(_alerts_to_live)
        if self.web is not None:
            self.web.should_exit = True
        if self.ftp is not None:
            await asyncio.to_thread(self.ftp.stop)
        if self.sftp is not None:
            await self.sftp.stop()
        web = [t for t in self._tasks if t.get_name() == "web"]
        if web:  # let uvicorn close its connections and lifespan instead of cancelling it
            await asyncio.wait(web, timeout=5)
        if self.maritime is not None:
            await self.maritime.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.notifier is not None:
            await self.notifier.stop()
            self.notifier = None
        await self.bus.close()

    async def run_forever(self) -> None:
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()
