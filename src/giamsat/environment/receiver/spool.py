"""The spool: where uploads land, durably, before anything else happens to them.

An upload is written to a hidden temporary file, flushed to disk (fsync) and renamed into place
*before* the receiver acknowledges it (FTP ``226``, SFTP close). The :class:`SpoolProcessor` then
archives and records each file (the store is the durable queue from there on), publishes it to
the bus and removes it from the spool. A crash at any point leaves the file either in the spool
(rescanned at start) or recorded — so nothing acknowledged is ever lost, and the idempotent ingest
makes a second pass harmless.

Watched folders (sites that keep their own FTP server) are spools too, with a settle time: a file
is taken once its size and mtime have not changed for ``settle`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from giamsat.environment.ingest import Incoming, Ingestor
from giamsat.environment.tt10 import NAME_RE

log = logging.getLogger(__name__)

PART_SUFFIX = ".part"
BATCH = 500


def is_partial(name: str) -> bool:
    return name.startswith(".") and name.endswith(PART_SUFFIX)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SpoolFile:
    """A file being uploaded: bytes go to a hidden temp file; :meth:`commit` makes it durable
    and visible under its real name; closing without commit discards it."""

    def __init__(self, final_path: Path) -> None:
        self.final_path = final_path
        self.temp_path = final_path.with_name(
            f".{final_path.name}.{secrets.token_hex(4)}{PART_SUFFIX}"
        )
        self._fh = open(self.temp_path, "wb")  # noqa: SIM115 - closed in commit/close
        self.committed = False

    @property
    def name(self) -> str:  # pyftpdlib reads file_obj.name
        return str(self.final_path)

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def write(self, data: bytes) -> int:
        return self._fh.write(data)

    def seek(self, offset: int) -> int:
        return self._fh.seek(offset)

    def fileno(self) -> int:
        return self._fh.fileno()

    def flush(self) -> None:
        self._fh.flush()

    def commit(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self.temp_path, self.final_path)
        fsync_dir(self.final_path.parent)
        self.committed = True

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()
        if not self.committed:
            self.temp_path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Landed:
    path: Path
    source: str
    account_id: int | None = None


class SpoolProcessor:
    """Takes landed files from one spool root into the archive and the store, then onto the bus.

    ``account_of`` maps a path relative to the root to (account id, path relative to the
    account's home) — the receivers' inbox has one folder per account.
    """

    def __init__(
        self,
        root: Path,
        ingestor: Ingestor,
        publish: Callable[[list[int]], Awaitable[None]],
        *,
        source: str = "spool",
        settle: float = 0.0,
        account_of: Callable[[str], tuple[int | None, str]] | None = None,
        rename_grace: float = 30.0,
    ) -> None:
        self.root = root
        self.ingestor = ingestor
        self.publish = publish
        self.source = source
        self.settle = settle
        self.account_of = account_of or (lambda rel: (None, rel))
        self.rename_grace = rename_grace  # non-TT10 names may be renamed by the uploader first
        self._queue: asyncio.Queue[Landed] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seen: dict[Path, tuple[int, float, float]] = {}  # watched mode: size, mtime, since
        self.processed = 0

    # called from receiver threads
    def notify(self, path: Path, source: str, account_id: int | None = None) -> None:
        if self._loop is None or self._queue is None:
            return  # not running yet: the start-up scan will find it
        self._loop.call_soon_threadsafe(self._queue.put_nowait, Landed(path, source, account_id))

    async def run(self, scan_interval: float = 5.0) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self.root.mkdir(parents=True, exist_ok=True)
        await self._drain(await asyncio.to_thread(self._scan, True))
        while True:
            try:
                first = await asyncio.wait_for(self._queue.get(), timeout=scan_interval)
                batch = [first]
                while not self._queue.empty() and len(batch) < BATCH:
                    batch.append(self._queue.get_nowait())
            except TimeoutError:
                batch = await asyncio.to_thread(self._scan, False)
            await self._drain(batch)

    def _scan(self, startup: bool) -> list[Landed]:
        """Files sitting in the spool: left by a crash, renamed into place, or (watched mode) settled."""
        now = time.time()
        found: list[Landed] = []
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(dirpath) / name
                if is_partial(name):
                    if startup:  # an upload that was never acknowledged
                        path.unlink(missing_ok=True)
                    continue
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                if self.settle > 0:
                    key = (st.st_size, st.st_mtime)
                    seen = self._seen.get(path)
                    if seen is None or seen[:2] != key:
                        self._seen[path] = (*key, now)
                        continue
                    if now - seen[2] < self.settle:
                        continue
                elif not self._ready(path, st.st_mtime, now):
                    continue
                found.append(Landed(path, self.source))
        return found

    def _ready(self, path: Path, mtime: float, now: float) -> bool:
        """TT10 names go at once; other names may still be renamed by the uploader (.tmp → .txt)."""
        return bool(NAME_RE.match(path.name)) or now - mtime >= self.rename_grace

    async def _drain(self, batch: list[Landed]) -> None:
        if batch:
            ids = await asyncio.to_thread(self._take, batch)
            if ids:
                await self.publish(ids)

    def _take(self, batch: list[Landed]) -> list[int]:
        items: list[Incoming] = []
        taken: list[Path] = []
        now = time.time()
        for landed in dict.fromkeys(batch):
            path = landed.path
            try:
                st = path.stat()
                if self.settle == 0 and not self._ready(path, st.st_mtime, now):
                    continue  # the periodic scan takes it after the grace period
                content = path.read_bytes()
            except FileNotFoundError:
                continue  # renamed or taken meanwhile
            rel = path.relative_to(self.root).as_posix()
            account_id, home_rel = self.account_of(rel)
            items.append(
                Incoming(
                    name=path.name,
                    content=content,
                    source=landed.source,
                    account_id=landed.account_id if landed.account_id is not None else account_id,
                    path=home_rel,
                    received_at=int(st.st_mtime),  # when the upload was committed
                )
            )
            taken.append(path)
        if not items:
            return []
        ids = self.ingestor.receive(items)
        for path in taken:
            path.unlink(missing_ok=True)
            self._seen.pop(path, None)
        self.processed += len(ids)
        return ids
