"""SIGKILL the server during a burst of uploads: nothing acknowledged is lost, nothing doubled."""

from __future__ import annotations

import ftplib
import io
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from giamsat.core.store import Store
from giamsat.environment.accounts import add_account
from giamsat.environment.schema import observations, received_files
from tests.service_util import wait_for

THREADS = 4
PARAMS = ("COD", "TSS", "pH", "Flow")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, db_url: str, ftp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "GIAMSAT_HOME": str(home),
        "GIAMSAT_DB_URL": db_url,
        "GIAMSAT_FTP_PASSIVE_PORTS": "",
    }
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "ab")  # noqa: SIM115 - the child keeps writing to it
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "giamsat",
            "serve",
            "--ftp-port",
            str(ftp_port),
            "--sftp-port",
            "0",
            "--web-port",
            "0",
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    log.close()

    def listening() -> bool:
        try:
            socket.create_connection(("127.0.0.1", ftp_port), timeout=0.2).close()
            return True
        except OSError:
            assert proc.poll() is None, "server exited"
            return False

    wait_for(listening, timeout=60, interval=0.1)
    return proc


def file_for(station: int, k: int) -> tuple[str, bytes]:
    t = datetime(2024, 3, 15, 0, 0) + timedelta(minutes=5 * k)
    stamp = t.strftime("%Y%m%d%H%M%S")
    lines = [
        f"{p}\t{station * 1000 + k + i / 10:.1f}\tmg/L\t{stamp}\t00" for i, p in enumerate(PARAMS)
    ]
    return f"HN_FA_ST{station}_{stamp}.txt", ("\r\n".join(lines) + "\r\n").encode()


def uploader(port: int, station: int, acknowledged: list[str], stop: threading.Event) -> None:
    k = 0
    try:
        ftp = ftplib.FTP(timeout=5)
        ftp.connect("127.0.0.1", port)
        ftp.login("burst", "burst-password-1")
        while not stop.is_set():
            name, content = file_for(station, k)
            reply = ftp.storbinary(f"STOR {name}", io.BytesIO(content))
            if reply.startswith("226"):
                acknowledged.append(name)
            k += 1
    except (OSError, EOFError, ftplib.Error):
        return  # the server was killed


def test_sigkill_during_burst_loses_nothing_acknowledged(
    store: Store, settings, tmp_path: Path
) -> None:
    add_account(store, "burst", "burst-password-1", ["HN_FA_*"])
    home = settings.home
    port = free_port()
    server = start_server(home, settings.db_url, port)
    acknowledged: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=uploader, args=(port, s, acknowledged, stop))
        for s in range(1, THREADS + 1)
    ]
    for t in threads:
        t.start()
    wait_for(lambda: len(acknowledged) >= 150, timeout=60)
    server.send_signal(signal.SIGKILL)
    server.wait(10)
    stop.set()
    for t in threads:
        t.join(10)
    acked = set(acknowledged)
    assert len(acked) >= 150

    server = start_server(home, settings.db_url, port)
    try:

        def stored_names() -> set[str]:
            with store.engine.connect() as conn:
                return set(
                    conn.execute(
                        select(received_files.c.name).where(
                            received_files.c.outcome.in_(("accepted", "duplicate"))
                        )
                    ).scalars()
                )

        wait_for(lambda: acked <= stored_names(), timeout=60, interval=0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)

    with store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(observations)).scalar_one()
        accepted = conn.execute(
            select(func.count())
            .select_from(received_files)
            .where(received_files.c.outcome == "accepted")
        ).scalar_one()
        # rollups must count each observation exactly once
        mismatched = conn.execute(
            text(
                "SELECT count(*) FROM rollup_hourly r WHERE r.count != (SELECT count(*) FROM observations o "
                "WHERE o.series_id = r.series_id AND o.ts > r.ts - 3600 AND o.ts <= r.ts)"
            )
        ).scalar_one()
    assert total == accepted * len(PARAMS)  # every accepted file once, each value once
    assert total >= len(acked) * len(PARAMS)
    assert mismatched == 0
    assert not list((home / "inbox").rglob("*.part"))
