"""Headless Chromium renders our style and tiles with MapLibre (DAY and NIGHT screenshots).

maplibre-gl comes from the npm registry into a cache folder on first run; Debian's Chromium is
installed by scripts/setup-system.sh. Screenshots are kept in test-artifacts/ (not in git).
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from giamsat.web.enc import EncService, router

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "giamsat-test" / "maplibre"


@pytest.fixture(scope="module")
def maplibre_dist() -> Path:
    dist = CACHE / "node_modules" / "maplibre-gl" / "dist"
    if not (dist / "maplibre-gl.mjs").is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed")
        CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(CACHE), "maplibre-gl@6"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not (dist / "maplibre-gl.mjs").is_file():
            pytest.skip(f"could not install maplibre-gl from npm: {done.stderr[-300:]}")
    return dist


@pytest.fixture(scope="module")
def server(imported_library, maplibre_dist: Path):
    if not Path(CHROMIUM).is_file():
        pytest.skip("Debian chromium is not installed (scripts/setup-system.sh)")
    mimetypes.add_type("text/javascript", ".mjs")
    app = FastAPI()
    app.state.enc = EncService(imported_library)
    app.include_router(router, prefix="/api/v1/enc")
    app.mount("/maplibre", StaticFiles(directory=maplibre_dist), name="maplibre")
    page = Path(__file__).with_name("browser") / "enc_page.html"
    app.get("/page.html")(lambda: FileResponse(page))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _render(server: str, scheme: str, path: Path) -> dict[str, int]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 750})
            style = f"scheme%3D{scheme}%26category%3Dall"
            page.goto(f"{server}/page.html?style={style}&lon=-76.42&lat=38.92&zoom=12")
            page.wait_for_function("/^(IDLE|ERR)/.test(document.title)", timeout=90_000)
            title = page.title()
            assert title == "IDLE", title
            page.screenshot(path=str(path))
            return page.evaluate("window.renderedCounts")
        finally:
            browser.close()


def _mean_brightness(path: Path) -> float:
    from PIL import Image, ImageStat

    return sum(ImageStat.Stat(Image.open(path).convert("RGB")).mean) / 3


def test_chart_renders_by_day_and_night(server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    day_png, night_png = ARTIFACTS / "enc-day.png", ARTIFACTS / "enc-night.png"
    day = _render(server, "DAY", day_png)
    night = _render(server, "NIGHT", night_png)
    for counts in (day, night):
        for layer in ("enc-depth-areas", "enc-land", "enc-coastline", "enc-buoys", "enc-soundings"):
            assert counts.get(layer, 0) > 0, (layer, counts)
    assert _mean_brightness(night_png) < _mean_brightness(day_png) / 2
