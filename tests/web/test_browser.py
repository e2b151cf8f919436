"""The UI in Debian's Chromium (headless, driven by Playwright): log in, every page shows real
data without a console error, a province user cannot reach another province's station, the
public page works without login. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from giamsat.web.app import STATIC
from tests.service_util import serve_app
from tests.web.conftest import ARTIFACTS, PASSWORD, STATIONS, Network

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server(app, network: Network) -> Iterator[str]:
    """uvicorn on a free loopback port in a background thread."""
    if not (STATIC / "index.html").is_file():
        pytest.fail("the UI is not built: run `make setup` (cd web && npm ci && npm run build)")
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/setup-system.sh (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


class Page:
    """A browser page that records console errors and failed requests."""

    def __init__(self, browser, base: str, backend: str, viewport: dict | None = None) -> None:
        self.context = browser.new_context(
            viewport=viewport or {"width": 1366, "height": 860},
            service_workers="block",
            accept_downloads=True,
        )
        self.page = self.context.new_page()
        self.base = base
        self.backend = backend
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "response",
            lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def goto(self, path: str, ready: str | None) -> None:
        self.page.goto(self.base + path)
        if ready:
            self.page.wait_for_selector(f"body[data-ready='{ready}']", timeout=30000)

    def login(self, username: str) -> None:
        self.goto("/login", "login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("body[data-ready='home']", timeout=30000)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}-{self.backend}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser, server, network: Network, request):
    pages: list[Page] = []
    backend = "pg" if network.store.engine.dialect.name == "postgresql" else "sqlite"

    def make(viewport: dict | None = None) -> Page:
        p = Page(browser, server, backend, viewport)
        pages.append(p)
        return p

    yield make
    for p in pages:
        p.close()


def test_admin_sees_every_page_with_real_data(open_page, network: Network) -> None:
    p = open_page()
    p.login(network.users["admin"])
    page = p.page
    # home: the counts (total at least) link to the list behind them
    assert page.locator("[data-card=total]").inner_text() == str(len(STATIONS))
    p.shot("home")

    p.goto("/stations", "stations")
    assert page.locator("table[data-table=stations] tbody tr").count() == len(STATIONS)

    p.goto("/map", "map")
    assert page.evaluate("window.__mapStations") == len(STATIONS)
    p.shot("map")

    p.goto("/monitoring/wastewater", "monitoring")
    rows = page.locator("table[data-table=monitoring] tbody tr")
    assert rows.count() == 2
    header = page.locator("table[data-table=monitoring] thead").inner_text()
    assert "COD (mg/L)" in header and "Tên trạm" in header
    cell = page.locator("tr[data-station=HN_NMA_NT01] td[data-param=COD]").inner_text()
    from tests.web.conftest import value_at

    expected = value_at("HN_NMA_NT01", "COD", network.end)
    assert cell.replace(".", "").replace(",", ".") == f"{expected:.2f}"
    p.shot("monitoring-wastewater")
    page.locator("tr[data-station=HN_NMA_NT01] button[title='Biểu đồ']").click()
    page.wait_for_selector(".modal .uplot")
    p.shot("monitoring-quick-chart")

    p.goto("/stations/HN_NMA_NT01", "station")
    chart = page.locator("#station-chart")
    assert chart.get_attribute("data-resolution") == "raw"
    assert int(chart.get_attribute("data-points")) == 2 * len(network.times)
    page.wait_for_selector("#station-chart .uplot")
    p.shot("station")
    page.click("text=3y")
    page.wait_for_selector("#station-chart[data-resolution=day]")

    p.goto("/data", "data")
    assert page.locator("table[data-table=lookup] tbody tr").count() > 0
    p.shot("lookup")

    for path, ready in (
        ("/files", "files"),
        ("/reports", "reports"),
        ("/alerts", "alerts"),
        ("/aqi", "aqi"),
        ("/admin?tab=stations", "admin"),
        ("/admin?tab=accounts", "admin"),
        ("/admin?tab=users", "admin"),
    ):
        p.goto(path, ready)
        p.shot(path.strip("/").replace("?tab=", "-") or "root")
    assert page.locator("table[data-table=users] tbody tr").count() >= 5
    assert p.errors == []


def test_english_switch(open_page, network: Network) -> None:
    p = open_page()
    p.login(network.users["ministry"])
    p.page.click("text=English")
    p.page.wait_for_selector("body[data-ready='home']")
    assert "SUMMARY" in p.page.inner_text("main")
    p.goto("/monitoring/emission", "monitoring")
    assert "Station name" in p.page.inner_text("table[data-table=monitoring] thead")
    p.page.evaluate("localStorage.setItem('lang','vi')")
    assert p.errors == []


def test_province_user_cannot_see_another_province(open_page, network: Network) -> None:
    p = open_page()
    p.login(network.users["province"])
    p.goto("/stations", "stations")
    shown = p.page.locator("table[data-table=stations] tbody tr").all_inner_texts()
    assert all("HN_" in row for row in shown) and len(shown) == 2
    p.goto("/monitoring/wastewater", "monitoring")
    assert p.page.locator("tr[data-station=BD_CHENG_NT01]").count() == 0
    p.shot("province-monitoring")
    p.page.goto(p.base + "/stations/BD_CHENG_NT01")
    p.page.wait_for_selector("main .error")
    assert "not found" in p.page.inner_text("main")
    assert p.page.locator("#station-chart").count() == 0


def test_public_page_without_login(open_page, network: Network) -> None:
    p = open_page()
    p.goto("/public", "aqi")
    text = p.page.inner_text("body")
    assert "TRANG CÔNG BỐ THÔNG TIN" in text
    p.shot("public-aqi")
    # nothing behind login is reachable from here
    response = p.page.request.get(p.base + "/api/v1/stations")
    assert response.status == 401
    assert p.errors == []


def test_phone_layout_and_pwa_manifest(open_page, network: Network) -> None:
    p = open_page({"width": 390, "height": 844})
    p.login(network.users["enterprise"])
    p.page.click("button.hamburger")
    assert p.page.locator(".sidebar").is_visible()
    p.shot("phone-menu")
    manifest = p.page.request.get(p.base + "/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and any(
        i["sizes"] == "512x512" for i in manifest["icons"]
    )
    sw = p.page.request.get(p.base + "/sw.js")
    assert sw.status == 200 and "fetch" in sw.text()
    assert p.errors == []
