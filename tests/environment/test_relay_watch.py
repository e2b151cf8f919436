"""Relay to an upstream FTP server through an outage; watched-folder mode."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
from sqlalchemy import select

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.export import rows
from giamsat.environment.ingest import Incoming, Ingestor
from giamsat.environment.relay import RelayWorker, Upstream, remote_folder
from giamsat.environment.schema import received_files, relay_queue
from giamsat.environment.stations import upsert_station
from tests.environment.test_crash_safety import free_port
from tests.service_util import RunningService, wait_for


class Upstream_FTP:
    """A plain third-party FTP server (pyftpdlib's own handler) standing in for the ministry."""

    def __init__(self, root: Path, port: int) -> None:
        root.mkdir(parents=True, exist_ok=True)
        auth = DummyAuthorizer()
        auth.add_user("ministry", "upstream-pass", str(root), perm="elradfmw")
        handler = type("H", (FTPHandler,), {"authorizer": auth})
        self.server = FTPServer(("127.0.0.1", port), handler)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.server.serve_forever(timeout=0.1, blocking=False, handle_exit=False)
        self.server.close_all()

    def __enter__(self) -> Upstream_FTP:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def test_relay_survives_an_upstream_outage(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    url = f"ftp://ministry:upstream-pass@127.0.0.1:{port}/prov"
    settings = replace(settings, relay_url=url)
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": "HN_FA_ST1", "component": "wastewater"})
    names = [f"HN_FA_ST1_2024031510{m:02d}00.txt" for m in (0, 5, 10)]
    results = Ingestor(store, settings).ingest(
        [Incoming(n, f"COD\t{i}\tmg/L\t{n[-18:-4]}\t00\n".encode()) for i, n in enumerate(names)]
    )
    assert [r.outcome for r in results] == ["accepted"] * 3
    worker = RelayWorker(store, url)
    worker.send_due()  # upstream is down: nothing is lost, a retry is scheduled
    with store.engine.connect() as conn:
        queue = conn.execute(
            select(
                relay_queue.c.attempts,
                relay_queue.c.done_at,
                relay_queue.c.last_error,
                relay_queue.c.target,
            ).order_by(relay_queue.c.id)
        ).all()
    assert (
        queue[0].attempts == 1 and queue[0].done_at is None and "Connection" in queue[0].last_error
    )
    assert all(
        q.target == "ftp://ministry@127.0.0.1:" + str(port) + "/prov" for q in queue
    )  # no password kept
    with store.engine.begin() as conn:
        conn.execute(relay_queue.update().values(next_attempt_at=0))
    with Upstream_FTP(tmp_path / "ministry", port):
        worker.send_due()
        worker.send_due()
    folder = tmp_path / "ministry" / "prov" / remote_folder("wastewater", "20240315100000")
    assert sorted(p.name for p in folder.iterdir()) == names
    assert (folder / names[1]).read_bytes() == f"COD\t1\tmg/L\t{names[1][-18:-4]}\t00\n".encode()
    with store.engine.connect() as conn:
        assert (
            conn.execute(select(relay_queue.c.done_at).where(relay_queue.c.done_at.is_(None))).all()
            == []
        )


def test_upstream_url_parsing() -> None:
    up = Upstream.parse("sftp://bo%40tnmt:p%40ss@10.0.0.1:2200/data/in")
    assert (up.scheme, up.user, up.password, up.host, up.port, up.path) == (
        "sftp",
        "bo@tnmt",
        "p@ss",
        "10.0.0.1",
        2200,
        "/data/in",
    )
    assert "p@ss" not in up.redacted
    with pytest.raises(ValueError):
        Upstream.parse("http://example.com/")


def test_watched_folder_takes_files_once_settled(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    watched = tmp_path / "vsftpd"
    (watched / "NuocThai" / "2024").mkdir(parents=True)
    settings = replace(settings, watch_dirs=(str(watched),), watch_settle_seconds=1.0)
    with RunningService(settings, store, ftp_enabled=False, sftp_enabled=False):
        target = watched / "NuocThai" / "2024" / "HN_FA_ST1_20240315103000.txt"
        with open(target, "wb") as fh:  # a slow writer: half a file first
            fh.write(b"COD\t45.3\tmg/L\t20240315103000\t00\r\n")
            fh.flush()
            time.sleep(0.6)
            assert not list(rows(store))
            fh.write(b"pH\t7.1\t-\t20240315103000\t00\r\n")
        got = wait_for(
            lambda: list(rows(store)) if len(list(rows(store))) == 2 else None, timeout=10
        )
        wait_for(lambda: not target.exists(), timeout=5)
    assert {r[1] for r in got} == {"COD", "pH"}
    with store.engine.connect() as conn:
        assert conn.execute(select(received_files.c.source, received_files.c.outcome)).all() == [
            ("watch", "accepted")
        ]
