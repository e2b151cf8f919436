"""Run a real :class:`giamsat.service.Service` in a background event loop for tests."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
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
