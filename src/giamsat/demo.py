"""``giamsat demo``: the whole product on the embedded store, with simulated stations.

First start registers a small national network (every component, with its permit), fills in a
day of history, then the stations upload real TT10 files through the FTP receiver: the last hour
on an accelerated clock (a 5-minute slot every few seconds), then in step with the real clock.
Every start generates fresh passwords — for the admin user (printed) and the station accounts
(kept in memory by the simulator) — so there are no default passwords.
"""

from __future__ import annotations

import asyncio
import contextlib
import ftplib
import io
import logging
import socket
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from giamsat.config import Settings
from giamsat.core.auth import generate_password, hash_password
from giamsat.core.store import Store
from giamsat.core.store.schema import users
from giamsat.core.store.types import utcnow
from giamsat.environment.ingest import Incoming, Ingestor
from giamsat.environment.schema import accounts, stations
from giamsat.environment.simulator import SimStation, demo_stations, now_utc, slots
from giamsat.environment.stations import seed_catalog, upsert_station

log = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=1)  # uploaded live, accelerated, on every start
ACCELERATED_SLOT_SECONDS = 4.0


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """``preferred`` if it is free, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind((host, port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise OSError("no free port")


def account_name(station: SimStation) -> str:
    return "sim_" + station.code.lower()


def prepare(store: Store, sims: list[SimStation]) -> tuple[str, dict[str, str]]:
    """Register stations, (re)set passwords; returns the admin password and station accounts'."""
    seed_catalog(store)
    secrets_by_account: dict[str, str] = {}
    with store.write() as conn:
        for sim in sims:
            standard, column, coefficients = sim.permit or (None, None, None)
            upsert_station(
                conn,
                {
                    "code": sim.code,
                    "name": sim.name,
                    "component": sim.component,
                    "lat": sim.lat,
                    "lon": sim.lon,
                    "province_name": sim.province_name,
                    "permit_standard": standard,
                    "permit_column": column,
                    "permit_coefficients": coefficients,
                    "published": "1" if sim.published else "",
                },
            )
        for sim in sims:
            password = generate_password(20)
            secrets_by_account[account_name(sim)] = password
            done = conn.execute(
                update(accounts)
                .where(accounts.c.username == account_name(sim))
                .values(password_hash=hash_password(password))
            ).rowcount
            if not done:
                conn.execute(
                    accounts.insert().values(
                        username=account_name(sim),
                        password_hash=hash_password(password),
                        home=account_name(sim),
                        stations=[sim.code],
                        active=True,
                        created_at=int(time.time()),
                    )
                )
        admin_password = generate_password(16)
        if (
            conn.execute(
                update(users)
                .where(users.c.username == "admin")
                .values(password_hash=hash_password(admin_password), active=True)
            ).rowcount
            == 0
        ):
            conn.execute(
                users.insert().values(
                    username="admin",
                    password_hash=hash_password(admin_password),
                    role="admin",
                    display_name="Quản trị viên",
                    language="vi",
                    active=True,
                    created_at=utcnow(),
                )
            )
    return admin_password, secrets_by_account


def fill_history(store: Store, settings: Settings, sims: list[SimStation], now: datetime) -> int:
    """A day of files before the live part, ingested directly (only on the first start)."""
    with store.engine.connect() as conn:
        have = conn.execute(
            select(func.count()).select_from(stations).where(stations.c.last_obs_ts.is_not(None))
        ).scalar()
    if have:
        return 0
    ingestor = Ingestor(store, settings)
    start = now - timedelta(hours=24)
    batch: list[Incoming] = []
    count = 0
    for t in slots(start, now - CATCH_UP):
        for sim in sims:
            if sim.sends_at(t, now):
                folder, name, content = sim.file(t)
                batch.append(
                    Incoming(
                        name,
                        content,
                        source="sim",
                        path=f"{folder}/{name}".lstrip("/"),
                        received_at=int(t.timestamp()) + 20,
                    )
                )
        if len(batch) >= 1000:
            count += len(ingestor.ingest(batch))
            batch = []
    if batch:
        count += len(ingestor.ingest(batch))
    return count


class Uploader:
    """The stations' dataloggers: real FTP uploads into the running receiver."""

    def __init__(
        self, sims: list[SimStation], passwords: dict[str, str], port: int, start: datetime
    ) -> None:
        self.sims, self.passwords, self.port = sims, passwords, port
        self.next_slot = start
        self.uploaded = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-uploader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = now_utc()
            due = slots(self.next_slot - timedelta(minutes=5), now)
            if not due:
                self._stop.wait(5)
                continue
            t = due[0]
            for sim in self.sims:
                if sim.sends_at(t, now):
                    self._upload(sim, t)
            self.next_slot = t + timedelta(minutes=5)
            behind = now - self.next_slot > timedelta(minutes=5)
            self._stop.wait(ACCELERATED_SLOT_SECONDS if behind else 1)

    def _upload(self, sim: SimStation, t: datetime) -> None:
        folder, name, content = sim.file(t)
        try:
            with ftplib.FTP() as ftp:
                ftp.connect("127.0.0.1", self.port, timeout=10)
                ftp.login(account_name(sim), self.passwords[account_name(sim)])
                for part in [p for p in folder.split("/") if p]:
                    with contextlib.suppress(ftplib.error_perm):
                        ftp.mkd(part)
                    ftp.cwd(part)
                ftp.storbinary(f"STOR {name}", io.BytesIO(content))
            self.uploaded += 1
        except (OSError, ftplib.Error) as exc:
            log.warning("simulated upload of %s failed: %s", name, exc)


async def run_demo(settings: Settings, port: int, open_browser: bool) -> None:
    from giamsat.service import Service

    settings = replace(
        settings,
        web_port=port,
        ftp_port=free_port(settings.ftp_port),
        sftp_port=free_port(settings.sftp_port),
        ftp_passive_ports="",
        web_enabled=True,
    )
    store = Store.from_settings(settings)
    await asyncio.to_thread(store.upgrade)
    sims = demo_stations()
    admin_password, passwords = await asyncio.to_thread(prepare, store, sims)
    now = now_utc()
    history = await asyncio.to_thread(fill_history, store, settings, sims, now)
    from giamsat.maritime.scenario import start_demo as start_ais_demo

    ais_feed, settings = await start_ais_demo(store, settings)  # AIS scenario near Hai Phong
    service = Service(settings, store)
    await service.start()
    uploader = Uploader(sims, passwords, service.ftp.port, now - CATCH_UP)
    uploader.start()
    url = f"http://{settings.web_host}:{getattr(service, 'web_port', settings.web_port)}/"
    _banner(url, admin_password, service, history, settings)
    if open_browser:
        import webbrowser

        with contextlib.suppress(Exception):
            webbrowser.open(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        uploader.stop()
        await service.stop()
        await ais_feed.stop()


def _banner(url: str, password: str, service: Any, history: int, settings: Settings) -> None:
    lines = [
        "",
        "  Giám sát — demo / bản trình diễn",
        f"  Web:      {url}",
        "  Login:    admin",
        f"  Password: {password}   (new on every start / mật khẩu mới mỗi lần chạy)",
        f"  Public AQI page (no login): {url}public",
        f"  FTP/FTPS: 127.0.0.1:{service.ftp.port}   SFTP: 127.0.0.1:{service.sftp.port}",
        f"  Data:     {settings.home.resolve()}"
        + (f"  (history: {history} files ingested)" if history else ""),
        "  Stations upload the last hour now, then every 5 minutes. Ctrl+C stops.",
        "  AIS: a scripted scenario near Hai Phong plays through the TCP source "
        f"({settings.maritime_sources}).",
        "",
    ]
    print("\n".join(lines), flush=True)
