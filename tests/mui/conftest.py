"""The maritime chart page in a real browser: a store filled by the engine from 15 minutes of
the Hai Phong scenario ending now, a vessel with two stored track points an hour apart (for
the time slider), the NOAA cell imported (tests/enc), users, the web app on uvicorn, and
Debian's Chromium driven by Playwright. Once per back end and module."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from giamsat.config import Settings
from giamsat.core.events import EventHub
from giamsat.core.store import Store
from giamsat.maritime import scenario
from giamsat.maritime.schema import tracks, vessel_static_log, vessels
from tests.conftest import BACKENDS, database_url
from tests.enc.conftest import corpus, imported_library  # noqa: F401  (fixtures)
from tests.maritime_engine.conftest import fill
from tests.service_util import serve_app
from tests.web.test_browser import CHROMIUM, FLAGS

PASSWORD = "correct horse battery staple"
SLIDER_MMSI = 574999001
P1 = (20.7300, 106.9000)  # lat, lon two hours ago
P2 = (20.7700, 106.9600)  # one hour ago
P3 = (20.8000, 107.0000)  # now (live)


@dataclass
class Harbour:
    settings: Settings
    store: Store
    hub: EventHub
    backend: str
    now: int
    t1: int
    t2: int


def _seed_slider_vessel(store: Store, now: int, t1: int, t2: int) -> None:
    """One vessel whose stored track says where it was at t1 and t2, and where it is now."""
    with store.write() as conn:
        conn.execute(
            vessels.insert().values(
                mmsi=SLIDER_MMSI,
                name="SLIDER TEST",
                callsign="XVST1",
                ship_type=70,
                length=90,
                width=15,
                flag="VN",
                station="A",
                lat=P3[0],
                lon=P3[1],
                sog=8.0,
                cog=45.0,
                heading=45,
                position_ts=now - 30,
                first_seen=t1,
                last_seen=now - 30,
                messages=3,
                watched=False,
                note="",
            )
        )
        static = {"name": "SLIDER TEST", "callsign": "XVST1", "ship_type": 70, "length": 90}
        for ts, fields in ((t1, {**static, "name": "SLIDER OLD"}), (t2, static)):
            conn.execute(vessel_static_log.insert().values(mmsi=SLIDER_MMSI, ts=ts, fields=fields))
        for ts, (lat, lon) in ((t1, P1), (t2, P2), (now - 30, P3)):
            conn.execute(
                tracks.insert().values(
                    mmsi=SLIDER_MMSI,
                    ts=ts,
                    lat=lat,
                    lon=lon,
                    sog=8.0,
                    cog=45.0,
                    heading=45,
                    nav_status=0,
                )
            )


@pytest.fixture(scope="module", params=BACKENDS)
def harbour(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harbour]:
    from giamsat.web.routers.admin import UserIn, create_user

    tmp: Path = tmp_path_factory.mktemp("mui")
    with database_url(request.param, tmp) as url:
        settings = Settings(home=tmp / "home", db_url=url, archive_url=f"sqlite:///{tmp / 'a.db'}")
        store = Store.from_settings(settings)
        store.upgrade()
        now = int(time.time())
        fill(settings, store, scenario.scenario_lines(now - 900, 900))
        t1, t2 = now - 7200, now - 3600
        _seed_slider_vessel(store, now, t1, t2)
        with store.write() as conn:
            for role in ("admin", "operator", "ministry"):
                create_user(conn, UserIn(username=f"{role}_user", role=role, password=PASSWORD))  # type: ignore[arg-type]
        try:
            yield Harbour(settings, store, EventHub(), request.param, now, t1, t2)
        finally:
            store.dispose()


@pytest.fixture(scope="module")
def server(harbour: Harbour, imported_library: Any) -> Iterator[str]:  # noqa: F811
    from giamsat.web.app import STATIC, create_app
    from giamsat.web.enc import EncService

    if not (STATIC / "index.html").is_file():
        pytest.fail("the UI is not built: cd web && npm ci && npm run build")
    app = create_app(harbour.settings, harbour.store, hub=harbour.hub)
    app.state.enc = EncService(imported_library)
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    import os

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-system.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


class ChartPage:
    """A logged-in browser page on /maritime that records console errors."""

    def __init__(self, browser: Any, base: str, backend: str, role: str) -> None:
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, service_workers="block"
        )
        self.page = self.context.new_page()
        self.base = base
        self.backend = backend
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(base + "/login")
        self.page.wait_for_selector("body[data-ready='login']", timeout=30000)
        self.page.fill("input[name=username]", f"{role}_user")
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("body[data-ready='home']", timeout=30000)

    def open(self, query: str = "") -> None:
        self.page.goto(f"{self.base}/maritime{query}")
        self.page.wait_for_selector("body[data-ready='maritime']", timeout=60000)

    def eval(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def chart_page(browser: Any, server: str, harbour: Harbour) -> Iterator[Any]:
    pages: list[ChartPage] = []

    def make(role: str = "operator") -> ChartPage:
        p = ChartPage(browser, server, "pg" if harbour.backend != "sqlite" else "sqlite", role)
        pages.append(p)
        return p

    yield make
    for p in pages:
        p.close()
