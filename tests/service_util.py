"""Run a real :class:`giamsat.service.Service` in a background event loop for tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.service import Service


class RunningService:
    def __init__(self, settings: Settings, store: Store | None = None, **overrides: Any) -> None:
        defaults = {
            "ftp_port": 0,
            "sftp_port": 0,
            "web_port": 0,
            "ftp_passive_ports": "",
            "web_enabled": False,
        }
        defaults.update(overrides)
        self.settings = replace(settings, **defaults)
        self.service = Service(self.settings, store)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> RunningService:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.service.start(), self.loop).result(60)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.service.stop(), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    @property
    def ftp_port(self) -> int:
        return self.service.ftp.port

    @property
    def sftp_port(self) -> int:
        return self.service.sftp.port


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll until ``predicate()`` is truthy; returns its value or raises after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(app: Any, timeout: float = 20.0) -> Iterator[str]:
    """An ASGI app on uvicorn, on a free loopback port in a background thread; yields its URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="auto")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
