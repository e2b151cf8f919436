"""Frame rate of the maritime chart page with 20,000 vessels on screen.

A real server (SQLite store with N vessels in the Gulf of Tonkin, all in view at zoom 7.6)
and Debian's Chromium, headless, with software GL (--disable-gpu: SwiftShader, no graphics
card). Every second the bench publishes a position report for every vessel through the live
hub (the web socket sends them in chunks of 2,000, as the live service does), so every
vessel moves every second. Measured in the page:

* idle FPS: requestAnimationFrame callbacks per second while only the live updates arrive;
* map frames per second while the chart is also panned continuously (every frame redraws
  every vessel: the worst case an operator produces by dragging the chart);
* update cost: time from a batch arriving on the web socket to the source updated, and the
  vessels the chart actually draws (queryRenderedFeatures).

    .venv/bin/python bench/maritime_ui.py [--vessels 20000] [--seconds 20] [--no-pan] [--zoom 7.6]
"""

from __future__ import annotations

import argparse
import math
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
AREA = (19.8, 21.2, 106.2, 108.4)  # lat min/max, lon min/max
PASSWORD = "bench password 123"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fleet:
    """N vessels sailing straight lines, bouncing off the area."""

    def __init__(self, n: int) -> None:
        rnd = random.Random(7)
        self.v = [
            [rnd.uniform(AREA[0], AREA[1]), rnd.uniform(AREA[2], AREA[3]), rnd.uniform(0, 360),
             rnd.uniform(4, 20), rnd.choice([30, 52, 60, 70, 71, 80, 37, 0])]
            for _ in range(n)
        ]  # fmt: skip

    def step(self, seconds: float) -> list[dict[str, Any]]:
        out = []
        now = int(time.time())
        for i, v in enumerate(self.v):
            lat, lon, cog, sog, _ = v
            d = sog * 1852 / 3600 * seconds * 30  # 30x faster than life, so motion is visible
            lat += d * math.cos(math.radians(cog)) / 111320
            lon += d * math.sin(math.radians(cog)) / (111320 * math.cos(math.radians(lat)))
            if not AREA[0] < lat < AREA[1] or not AREA[2] < lon < AREA[3]:
                cog = (cog + 180) % 360
            v[0], v[1], v[2] = min(max(lat, AREA[0]), AREA[1]), min(max(lon, AREA[2]), AREA[3]), cog
            out.append({"mmsi": 574000000 + i, "lat": v[0], "lon": v[1], "sog": round(sog, 1),
                        "cog": round(cog, 1), "heading": int(cog), "ts": now})  # fmt: skip
        return out


def seed(store: Any, fleet: Fleet) -> None:
    from giamsat.maritime.schema import vessels
    from giamsat.web.routers.admin import UserIn, create_user

    now = int(time.time())
    rows = [
        {"mmsi": 574000000 + i, "name": f"BENCH {i}", "ship_type": v[4], "length": 80,
         "width": 14, "lat": v[0], "lon": v[1], "sog": v[3], "cog": v[2], "heading": int(v[2]),
         "position_ts": now, "first_seen": now, "last_seen": now, "messages": 1,
         "watched": False, "note": "", "flag": "VN", "station": "A"}
        for i, v in enumerate(fleet.v)
    ]  # fmt: skip
    with store.write() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(vessels.insert(), rows[start : start + 2000])
        create_user(conn, UserIn(username="bench", role="operator", password=PASSWORD))


MEASURE = """async ([seconds, pan]) => {
  const map = window.__muiMap, layer = window.__mui.vessels;
  let raf = 0, renders = 0, running = true;
  const onRender = () => renders++;
  map.on('render', onRender);
  const tick = () => { raf++; if (running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  let dir = 1, panned = 0;
  const panner = () => { if (!running) return; map.panBy([dir * 3, 0], {duration: 0}); if (++panned % 60 === 0) dir = -dir; requestAnimationFrame(panner); };
  const updates0 = layer.updates;
  const t0 = performance.now();
  if (pan) requestAnimationFrame(panner);
  await new Promise(r => setTimeout(r, seconds * 1000));
  running = false;
  const dt = (performance.now() - t0) / 1000;
  map.off('render', onRender);
  return {raf_fps: raf / dt, map_fps: renders / dt, source_updates: layer.updates - updates0, seconds: dt};
}"""

FLUSH_COST = """() => {
  const layer = window.__mui.vessels;
  const items = [...layer.vessels.values()].map(v => ({...v, lat: v.lat + 0.001}));
  const t0 = performance.now();
  layer.queue(items);
  const queued = performance.now() - t0;
  return new Promise(resolve => requestAnimationFrame(() => {
    const t1 = performance.now();
    resolve({queue_ms: queued, frame_after_ms: t1 - t0});
  }));
}"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vessels", type=int, default=20000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--no-pan", action="store_true")
    ap.add_argument("--zoom", type=float, default=7.6, help="7.6: all in view (dots below 8)")
    args = ap.parse_args()

    import uvicorn
    from playwright.sync_api import sync_playwright

    from giamsat.config import Settings
    from giamsat.core.events import EventHub
    from giamsat.core.store import Store
    from giamsat.web.app import STATIC, create_app

    if not (STATIC / "index.html").is_file():
        sys.exit("build the UI first: cd web && npm ci && npm run build")
    tmp = Path(tempfile.mkdtemp(prefix="mui-bench-"))
    settings = Settings(home=tmp / "home", db_url=f"sqlite:///{tmp / 'g.db'}",
                        archive_url=f"sqlite:///{tmp / 'a.db'}")  # fmt: skip
    store = Store.from_settings(settings)
    store.upgrade()
    fleet = Fleet(args.vessels)
    seed(store, fleet)
    hub = EventHub()
    app = create_app(settings, store, hub=hub)
    port = _port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"

    stop = threading.Event()
    sent = {"batches": 0, "reports": 0, "build_ms": 0.0}

    def feeder() -> None:
        while not stop.wait(1.0):
            t0 = time.perf_counter()
            items = fleet.step(1.0)
            sent["build_ms"] += (time.perf_counter() - t0) * 1000
            for start in range(0, len(items), 2000):
                hub.publish("ais.vessel", {"vessels": items[start : start + 2000]})
            sent["batches"] += 1
            sent["reports"] += len(items)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_context(
            viewport={"width": 1600, "height": 1000}, service_workers="block"
        ).new_page()
        page.goto(base + "/login")
        page.wait_for_selector("body[data-ready='login']")
        page.fill("input[name=username]", "bench")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-ready='home']")
        t0 = time.perf_counter()
        page.goto(f"{base}/maritime?lon=107.3&lat=20.5&z={args.zoom}")
        page.wait_for_selector("body[data-ready='maritime']", timeout=180000)
        load_s = time.perf_counter() - t0
        page.wait_for_selector(".live-dot.up", timeout=30000)
        drawn = page.evaluate(
            "() => __muiMap.queryRenderedFeatures({layers: ['mui-vessels', 'mui-vessel-dots']}).length"
        )
        threading.Thread(target=feeder, daemon=True).start()
        time.sleep(2)
        idle = page.evaluate(MEASURE, [args.seconds, False])
        panned = None if args.no_pan else page.evaluate(MEASURE, [args.seconds, True])
        stop.set()
        time.sleep(1.2)
        cost = [page.evaluate(FLUSH_COST) for _ in range(5)]
        drawn_end = page.evaluate(
            "() => __muiMap.queryRenderedFeatures({layers: ['mui-vessels', 'mui-vessel-dots']}).length"
        )
        renderer = page.evaluate("""() => { const gl = document.createElement('canvas').getContext('webgl2');
            const ext = gl && gl.getExtension('WEBGL_debug_renderer_info');
            return ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : (gl ? gl.getParameter(gl.RENDERER) : 'none'); }""")
        browser.close()
    srv.should_exit = True
    print(f"zoom {args.zoom}: {'dots' if args.zoom < 8 else 'ship icons rotated by heading'}")
    print(f"vessels: {args.vessels}, drawn on screen: {drawn} at start, {drawn_end} at end")
    print(f"renderer: {renderer}")
    print(f"page load to ready (all vessels, chart, panels): {load_s:.1f} s")
    print(f"live updates: {sent['batches']} batches of {args.vessels} reports "
          f"({sent['reports']} reports, every vessel moves every second)")  # fmt: skip
    print(f"idle with updates: {idle['raf_fps']:.1f} rAF/s, {idle['map_fps']:.1f} map frames/s, "
          f"{idle['source_updates']} source updates in {idle['seconds']:.0f} s")  # fmt: skip
    if panned:
        print(f"panning continuously + updates: {panned['map_fps']:.1f} map frames/s "
              f"({panned['raf_fps']:.1f} rAF/s)")  # fmt: skip
    q = sorted(c["queue_ms"] for c in cost)
    f = sorted(c["frame_after_ms"] for c in cost)
    print(f"queueing {args.vessels} reports: median {q[2]:.1f} ms; next frame after "
          f"median {f[2]:.1f} ms (includes building and sending the update)")  # fmt: skip


if __name__ == "__main__":
    main()
