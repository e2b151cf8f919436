"""Relay of accepted raw files to an upstream server (province → ministry).

Every accepted file gets a row in ``relay_queue`` in the same transaction that accepts it, so the
queue survives restarts and upstream outages; this worker sends due rows with exponential
backoff. Upstream: ``ftp://``, ``ftps://`` (explicit TLS) or ``sftp://user:password@host:port/path``.
Files are placed in the TT10 folder layout ``Component/yyyy/MM/ddMMyyyy/`` under the path.
"""

from __future__ import annotations

import asyncio
import ftplib
import io
import logging
import ssl
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, update

from giamsat.core.store import Store
from giamsat.environment.schema import received_files, relay_queue, stations
from giamsat.environment.stations import COMPONENT_FOLDERS

log = logging.getLogger(__name__)

MAX_BACKOFF = 600.0


@dataclass(frozen=True)
class Upstream:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    path: str
    verify_tls: bool = False  # province servers often use self-signed certificates

    @classmethod
    def parse(cls, url: str) -> Upstream:
        parts = urlsplit(url)
        if parts.scheme not in ("ftp", "ftps", "sftp"):
            raise ValueError("relay URL must be ftp://, ftps:// or sftp://")
        default = 22 if parts.scheme == "sftp" else 21
        return cls(
            parts.scheme,
            parts.hostname or "",
            parts.port or default,
            unquote(parts.username or "anonymous"),
            unquote(parts.password or ""),
            parts.path.rstrip("/"),
        )

    @property
    def redacted(self) -> str:
        """For logs and the queue table: never the password."""
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}{self.path or '/'}"


def remote_folder(component: str, name_ts_local: str) -> str:
    """``Component/yyyy/MM/ddMMyyyy`` for a yyyyMMddHHmmss local time."""
    folder = COMPONENT_FOLDERS.get(component, (component,))[0]
    t = name_ts_local
    return f"{folder}/{t[0:4]}/{t[4:6]}/{t[6:8]}{t[4:6]}{t[0:4]}"


def send(upstream: Upstream, folder: str, name: str, content: bytes, timeout: float = 20.0) -> None:
    target_dir = f"{upstream.path}/{folder}".lstrip("/")
    if upstream.scheme == "sftp":
        asyncio.run(_send_sftp(upstream, target_dir, name, content, timeout))
        return
    if upstream.scheme == "ftps":
        context = ssl.create_default_context()
        if not upstream.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        ftp: ftplib.FTP = ftplib.FTP_TLS(context=context, timeout=timeout)
    else:
        ftp = ftplib.FTP(timeout=timeout)
    try:
        ftp.connect(upstream.host, upstream.port)
        ftp.login(upstream.user, upstream.password)
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()
        for part in target_dir.split("/"):
            if not part:
                continue
            try:
                ftp.cwd(part)
            except ftplib.error_perm:
                ftp.mkd(part)
                ftp.cwd(part)
        ftp.storbinary(f"STOR {name}", io.BytesIO(content))
        ftp.quit()
    finally:
        ftp.close()


async def _send_sftp(
    upstream: Upstream, target_dir: str, name: str, content: bytes, timeout: float
) -> None:
    import asyncssh

    async with (
        asyncssh.connect(
            upstream.host,
            upstream.port,
            username=upstream.user,
            password=upstream.password,
            known_hosts=None,
            connect_timeout=timeout,
        ) as conn,
        conn.start_sftp_client() as sftp,
    ):
        path = ""
        for part in target_dir.split("/"):
            if part:
                path = f"{path}/{part}" if path else part
                if not await sftp.isdir(path):
                    await sftp.mkdir(path)
        async with sftp.open(f"{path}/{name}" if path else name, "wb") as fh:
            await fh.write(content)


class RelayWorker:
    def __init__(self, store: Store, url: str, interval: float = 2.0) -> None:
        self.store = store
        self.upstream = Upstream.parse(url)
        self.interval = interval
        self.sent = 0

    async def run(self) -> None:
        while True:
            try:
                busy = await asyncio.to_thread(self.send_due)
            except Exception:
                log.exception("relay pass failed")
                busy = False
            if not busy:
                await asyncio.sleep(self.interval)

    def send_due(self, limit: int = 50) -> bool:
        """Send what is due; True when there may be more to send right away."""
        now = int(time.time())
        with self.store.engine.connect() as conn:
            due = conn.execute(
                select(
                    relay_queue.c.id,
                    relay_queue.c.attempts,
                    received_files.c.name,
                    received_files.c.blob_id,
                    stations.c.component,
                )
                .join(received_files, received_files.c.id == relay_queue.c.file_id)
                .outerjoin(stations, stations.c.id == received_files.c.station_id)
                .where(relay_queue.c.done_at.is_(None), relay_queue.c.next_attempt_at <= now)
                .order_by(relay_queue.c.id)
                .limit(limit)
            ).all()
        for row in due:
            stamp = row.name.rsplit("_", 1)[-1][:14]
            try:
                content = self.store.archive.get(row.blob_id)
                send(
                    self.upstream,
                    remote_folder(row.component or "wastewater", stamp),
                    row.name,
                    content,
                )
            except Exception as exc:  # upstream down, refused, …: retry later
                delay = min(MAX_BACKOFF, 5.0 * 2 ** min(row.attempts, 10))
                with self.store.write() as conn:
                    conn.execute(
                        update(relay_queue)
                        .where(relay_queue.c.id == row.id)
                        .values(
                            attempts=row.attempts + 1,
                            next_attempt_at=int(time.time() + delay),
                            last_error=f"{type(exc).__name__}: {exc}"[:500],
                        )
                    )
                log.warning(
                    "relay of %s to %s failed (%s); retry in %.0f s",
                    row.name,
                    self.upstream.redacted,
                    exc,
                    delay,
                )
                return False
            with self.store.write() as conn:
                conn.execute(
                    update(relay_queue)
                    .where(relay_queue.c.id == row.id)
                    .values(done_at=int(time.time()), attempts=row.attempts + 1, last_error=None)
                )
            self.sent += 1
        return len(due) == limit
