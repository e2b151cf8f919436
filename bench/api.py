"""Web API benchmarks (issue 6 acceptance), in one process on the embedded SQLite store:

1. status summary over 1,200 stations: p95 <= 100 ms (needs the quality engine; reported
   as not measurable when giamsat.environment.status is missing);
2. a 3-year chart series of one station (auto resolution -> daily rollups): p95 <= 150 ms;
3. the live WebSocket holds 500 clients, each receiving every event.

Data is written straight through the store (numpy + executemany) for speed; the HTTP path is
the real app (TestClient for 1-2, uvicorn on a loopback port for 3). Prints figures and the
ratio to each target.
"""

from __future__ import annotations

import asyncio
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.schema import (
    observations,
    parameters,
    rollup_daily,
    rollup_hourly,
    series,
    stations,
)
from giamsat.environment.stations import ensure_province, seed_catalog
from giamsat.web.auth import create_token
from giamsat.web.routers.admin import UserIn, create_user

N_STATIONS = 1200
YEARS = 3


def p95(samples: list[float]) -> float:
    return float(np.percentile(samples, 95))


def build(store: Store, now: int) -> tuple[str, str]:
    """1,200 stations with three series each and their latest values; one station with three
    years of hourly and daily rollups and 30 days of raw values. Returns (chart station, token)."""
    seed_catalog(store)
    rng = np.random.default_rng(6)
    components = ["wastewater", "emission", "ambient_air", "surface_water", "groundwater"]
    with store.engine.begin() as conn:
        pids = dict(
            conn.execute(
                parameters.select().with_only_columns(parameters.c.code, parameters.c.id)
            ).all()
        )
        provinces = [ensure_province(conn, f"P{i:02d}") for i in range(63)]
        rows = []
        for i in range(N_STATIONS):
            age = int(rng.integers(0, 7200)) if i % 4 else int(rng.integers(4000, 90000))
            rows.append(
                {
                    "code": f"P{i % 63:02d}_F{i:04d}_S1",
                    "name": f"Station {i}",
                    "province_code": f"P{i % 63:02d}",
                    "facility_code": f"F{i:04d}",
                    "province_id": provinces[i % 63],
                    "component": components[i % 5],
                    "lat": 8.5 + rng.random() * 14,
                    "lon": 102.5 + rng.random() * 6.5,
                    "registered": True,
                    "published": i % 5 == 2,
                    "permit_standard": "QCVN40_2011" if i % 5 == 0 else None,
                    "permit_column": "B" if i % 5 == 0 else None,
                    "created_at": now - 86400 * 400,
                    "last_file_at": now - age,
                    "last_obs_ts": now - age,
                }
            )
        conn.execute(insert(stations), rows)
        sids = dict(
            conn.execute(stations.select().with_only_columns(stations.c.code, stations.c.id)).all()
        )
        codes = ("COD", "pH", "TSS")
        conn.execute(
            insert(series),
            [
                {
                    "station_id": sid,
                    "parameter_id": pids[p],
                    "unit": "mg/L",
                    "reported_unit": "mg/L",
                    "first_ts": now - 86400 * 400,
                    "last_ts": rows[k]["last_obs_ts"],
                    "last_value": float(rng.normal(40, 15)),
                    "last_status": int(rng.choice([0, 0, 0, 0, 1, 2])),
                    "last_flag": 1,
                }
                for k, (code, sid) in enumerate(sids.items())
                for p in codes
            ],
        )
        chart_station = rows[0]["code"]
        chart_series = [
            r.id
            for r in conn.execute(series.select().where(series.c.station_id == sids[chart_station]))
        ]
        start = now - YEARS * 365 * 86400
        hours = np.arange(start // 3600 * 3600, now, 3600)
        days = sorted(
            {int(time.strftime("%Y%m%d", time.gmtime(h + 7 * 3600))) for h in hours[::24]}
        )
        for sid in chart_series:
            conn.execute(
                insert(rollup_hourly),
                [
                    {
                        "series_id": sid,
                        "ts": int(h),
                        "count": 12,
                        "min": 10.0,
                        "max": 70.0,
                        "mean": float(v),
                    }
                    for h, v in zip(hours, rng.normal(40, 10, len(hours)), strict=True)
                ],
            )
            conn.execute(
                insert(rollup_daily),
                [
                    {
                        "series_id": sid,
                        "day": d,
                        "count": 288,
                        "min": 10.0,
                        "max": 70.0,
                        "mean": float(v),
                    }
                    for d, v in zip(days, rng.normal(40, 8, len(days)), strict=True)
                ],
            )
            raw = np.arange(now - 30 * 86400, now, 300)
            store.ensure_partitions(conn, "observations", int(raw.min()), int(raw.max()))
            conn.execute(
                insert(observations),
                [
                    {"series_id": sid, "ts": int(t), "value": float(v), "status": 0, "flag": 1}
                    for t, v in zip(raw, rng.normal(40, 10, len(raw)), strict=True)
                ],
            )
        user_id, _ = create_user(
            conn, UserIn(username="bench_admin", role="admin", password="bench-password-0")
        )
    _, token = create_token(store, user_id, "bench")
    return chart_station, token


def timed(client, path: str, params: dict, n: int, headers: dict, before=None) -> list[float]:
    samples = []
    for _ in range(n):
        if before:
            before()
        t0 = time.perf_counter()
        r = client.get(path, params=params, headers=headers)
        samples.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text[:300]
    return samples


async def _clients(url: str, n: int, events: int, ready) -> tuple[int, list[float]]:
    """n WebSocket clients: connect, say ready, then receive ``events`` events each."""
    import orjson
    import websockets

    conns = [await websockets.connect(url, max_queue=None, open_timeout=60) for _ in range(n)]
    for c in conns:
        await c.recv()  # hello
    ready.send("ready")
    latencies: list[float] = []

    async def drain(c) -> int:
        got = 0
        while got < events:
            event = orjson.loads(await asyncio.wait_for(c.recv(), 60))
            latencies.append((time.time() - event["sent"]) * 1000)
            got += 1
        return got

    received = sum(await asyncio.gather(*(drain(c) for c in conns)))
    for c in conns:
        await c.close()
    return received, latencies


def _client_process(url: str, n: int, events: int, pipe) -> None:
    received, latencies = asyncio.run(_clients(url, n, events, pipe))
    pipe.send((received, latencies))


def websocket_clients(url: str, n: int, hub, events: int) -> tuple[int, float, float]:
    """Clients in their own process (as real browsers are), events published here."""
    import multiprocessing

    parent, child = multiprocessing.get_context("fork").Pipe()
    proc = multiprocessing.get_context("fork").Process(
        target=_client_process, args=(url, n, events, child)
    )
    proc.start()
    assert parent.poll(120) and parent.recv() == "ready"
    time.sleep(0.5)
    t0 = time.perf_counter()
    for i in range(events):
        hub.publish(
            "env.observations",
            {"station": "P00_F0000_S1", "values": [], "sent": time.time(), "i": i},
        )
        time.sleep(0.05)
    received, latencies = parent.recv()
    elapsed = time.perf_counter() - t0
    proc.join(30)
    return received, p95(latencies), elapsed


def main() -> int:
    from fastapi.testclient import TestClient

    from giamsat.core.events import EventHub
    from giamsat.web.app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="giamsat-bench-api-"))
    settings = Settings(home=tmp)
    store = Store.from_settings(settings)
    store.upgrade()
    now = int(time.time())
    t0 = time.perf_counter()
    chart_station, token = build(store, now)
    print(
        f"data: {N_STATIONS} stations, {YEARS}-year rollups for {chart_station} in {time.perf_counter() - t0:.1f} s"
    )
    hub = EventHub()
    app = create_app(settings, store, hub)
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {token}"}

    # 1. status summary
    ctx = app.state.ctx
    cold = timed(client, "/api/v1/status/summary", {}, 30, auth, before=ctx.status.invalidate)
    warm = timed(client, "/api/v1/status/summary", {}, 200, auth)
    # the national rate: 1,200 stations every 5 minutes = 4 files/s; a dashboard polling every
    # second sees about 4 stations with new data per request (events name them)
    codes = sorted(ctx.status.all())
    pick = random.Random(7)
    live = timed(
        client,
        "/api/v1/status/summary",
        {},
        200,
        auth,
        before=lambda: [ctx.status.invalidate({"station": c}) for c in pick.sample(codes, 4)],
    )
    print(
        f"status summary, full recomputation each request: p95 {p95(cold):.1f} ms (target 100 ms, ratio {p95(cold) / 100:.2f})"
    )
    print(
        f"status summary, 4 stations with new data per request: p95 {p95(live):.1f} ms (ratio {p95(live) / 100:.2f})"
    )
    print(
        f"status summary, nothing new (dashboards polling): p95 {p95(warm):.1f} ms (ratio {p95(warm) / 100:.2f})"
    )

    # 2. a 3-year chart series
    path = f"/api/v1/stations/{chart_station}/series"
    params = {"from": now - YEARS * 365 * 86400, "to": now}
    first = client.get(path, params=params, headers=auth).json()
    points = sum(len(s["t"]) for s in first["series"])
    samples = timed(client, path, params, 100, auth)
    print(
        f"3-year chart ({first['resolution']} rollups, {len(first['series'])} parameters, {points} points): "
        f"p95 {p95(samples):.1f} ms (target 150 ms, ratio {p95(samples) / 150:.2f})"
    )
    one = timed(client, path, {**params, "parameter": "COD"}, 100, auth)
    print(f"3-year chart, one parameter: p95 {p95(one):.1f} ms (ratio {p95(one) / 150:.2f})")
    for label, span in (("60 days (hourly)", 60 * 86400), ("2 days (raw 5-min)", 2 * 86400)):
        zoom = timed(client, path, {"from": now - span, "to": now}, 50, auth)
        print(f"zoom {label}: p95 {p95(zoom):.1f} ms")

    # 3. 500 WebSocket clients on a real server
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="auto", ws_max_queue=64
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    n, events = 500, 20
    received, lat, elapsed = websocket_clients(
        f"ws://127.0.0.1:{port}/api/v1/live?token={token}", n, hub, events
    )
    print(
        f"live WebSocket: {n} clients held, {received}/{n * events} events delivered in {elapsed:.1f} s, "
        f"delivery p95 {lat:.0f} ms, server subscribers at peak {n}"
    )
    server.should_exit = True
    thread.join(10)
    store.dispose()
    ok = received == n * events
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
