"""Live maritime path: TCP → decode → state → rules (500 zones, 20,000 vessels) → store.

A feeder thread plays pre-encoded AIS traffic of 20,000 moving vessels to the live service's
TCP client source at a fixed rate, stamping each line with its send time (tag block ``c:``
in milliseconds); the service decodes, merges state, runs the zone/speed/AtoN rules, thins
tracks and writes everything (tracks, vessel state, zone log, alerts) to the store. The
latency of an alert is the time from its message's send time to the moment the alert
listener hears about it - after its transaction committed.

Targets (issue 5): >= 5,000 messages/s sustained, p99 message-to-alert latency <= 200 ms.
Then the same traffic as fast as the engine takes it (the ceiling), and the memory the
engine keeps per vessel. Everything runs in this one process (feeder included), on
SQLite by default (``--db`` for PostgreSQL).

    .venv/bin/python bench/maritime.py [--rate 5000] [--seconds 30] [--vessels 20000]
                                       [--zones 500] [--db URL | --pg ADMIN_URL] [--no-max]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import random
import resource
import socket
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any

TARGET_RATE = 5000.0
TARGET_P99_MS = 200.0
AREA = (19.5, 21.5, 106.0, 108.5)  # lat min/max, lon min/max (Gulf of Tonkin)


def make_zones(n: int, rng: random.Random) -> dict[str, Any]:
    kinds = ["watch", "danger", "restricted", "channel", "anchorage"]
    features = []
    for i in range(n):
        lat = rng.uniform(AREA[0], AREA[1])
        lon = rng.uniform(AREA[2], AREA[3])
        r = rng.uniform(1500, 5000) / 111_320
        sides = rng.choice((4, 6, 8))
        ring = [[round(lon + r * math.cos(2 * math.pi * k / sides) / math.cos(math.radians(lat)), 6),
                 round(lat + r * math.sin(2 * math.pi * k / sides), 6)] for k in range(sides)]  # fmt: skip
        ring.append(ring[0])
        props: dict[str, Any] = {"name": f"Z{i:03d}", "kind": rng.choice(kinds)}
        if rng.random() < 0.3:
            props["speed_limit_kn"] = rng.choice((6, 8, 10, 12))
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


class Fleet:
    """20,000 vessels sailing straight lines (bouncing off the area's edges)."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.mmsi = [574_000_000 + i if i % 5 else 412_000_000 + i for i in range(n)]
        self.lat = [rng.uniform(AREA[0], AREA[1]) for _ in range(n)]
        self.lon = [rng.uniform(AREA[2], AREA[3]) for _ in range(n)]
        self.cog = [rng.uniform(0, 360) for _ in range(n)]
        self.sog = [rng.choice((0.0, 4.0, 8.0, 10.0, 12.0, 15.0, 18.0)) for _ in range(n)]
        self.types = [rng.choice((30, 52, 60, 70, 71, 80, 36)) for _ in range(n)]

    def move(self, i: int, dt: float) -> None:
        metres = self.sog[i] * 1852 / 3600 * dt
        rad = math.radians(self.cog[i])
        self.lat[i] += metres * math.cos(rad) / 111_320
        self.lon[i] += metres * math.sin(rad) / (111_320 * math.cos(math.radians(self.lat[i])))
        if not (AREA[0] < self.lat[i] < AREA[1] and AREA[2] < self.lon[i] < AREA[3]):
            self.cog[i] = (self.cog[i] + 180) % 360


def make_traffic(fleet: Fleet, count: int, rate: float) -> tuple[list[list[str]], list[list[str]]]:
    """(introduction, traffic): every vessel's static data and first position, then ``count``
    position reports round-robin over the fleet (static data again now and then)."""
    from giamsat.maritime.ais.encode import encode

    n = len(fleet.mmsi)
    dt = n / rate  # seconds between two reports of one vessel

    def static(i: int, k: int) -> list[str]:
        return encode({"type": 5, "mmsi": fleet.mmsi[i], "shipname": f"BENCH {i}",
                       "shiptype": fleet.types[i], "to_bow": 60, "to_stern": 20, "to_port": 6,
                       "to_starboard": 6, "callsign": f"XV{i}", "destination": "HAI PHONG"},
                      seq_id=k % 10)  # fmt: skip

    def position(i: int, k: int) -> list[str]:
        msg_type = 18 if i % 10 == 0 else 1
        return encode({"type": msg_type, "mmsi": fleet.mmsi[i], "lat": round(fleet.lat[i], 6),
                       "lon": round(fleet.lon[i], 6), "sog": fleet.sog[i],
                       "cog": round(fleet.cog[i], 1), "heading": int(fleet.cog[i]) % 360,
                       "second": k % 60})  # fmt: skip

    intro = [static(i, i) for i in range(n)] + [position(i, i) for i in range(n)]
    out: list[list[str]] = []
    for k in range(count):
        i = k % n
        if k % 97 == 0:
            out.append(static(i, k))
            continue
        fleet.move(i, dt)
        out.append(position(i, k))
    return intro, out


def tag(ms: int) -> str:
    from giamsat.maritime.nmea.checksum import checksum

    body = f"c:{ms},s:bench".encode()
    return f"\\{body.decode()}*{checksum(body):02X}\\"


class Feeder:
    """A TCP server thread: first the introduction as fast as it goes, then (after ``go``)
    message k of the traffic at ``start + k / rate`` (or all at once with rate 0)."""

    def __init__(self, intro: list[list[str]], traffic: list[list[str]], rate: float) -> None:
        self.intro, self.traffic, self.rate = intro, traffic, rate
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.go = threading.Event()
        self.started = self.finished = 0.0
        self.intro_sentences = sum(len(m) for m in intro)
        self.sentences = self.intro_sentences + sum(len(m) for m in traffic)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def _send(self, conn: socket.socket, messages: list[list[str]], start: float) -> None:
        k, total = 0, len(messages)
        while k < total:
            now = time.time()
            due = total if not self.rate else min(total, int((now - start) * self.rate) + 1)
            if due <= k:
                time.sleep(0.002)
                continue
            parts = []
            for j in range(k, min(due, k + 2000)):
                stamp = tag(int((start + (j / self.rate if self.rate else 0)) * 1000))
                parts.extend(stamp + s for s in messages[j])
            k = min(due, k + 2000)
            conn.sendall(("\r\n".join(parts) + "\r\n").encode("ascii"))

    def run(self) -> None:
        conn, _ = self.sock.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rate, self.rate = self.rate, 0.0
        self._send(conn, self.intro, time.time())
        self.rate = rate
        self.go.wait()
        self.started = time.time()
        self._send(conn, self.traffic, self.started)
        self.finished = time.time()
        time.sleep(2)
        conn.close()


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


async def run_live(db_url: str | None, zones: dict[str, Any], intro: list[list[str]],
                   traffic: list[list[str]], rate: float, home: Path) -> dict[str, Any]:  # fmt: skip
    from giamsat.config import Settings
    from giamsat.core import alerts
    from giamsat.core.store import Store
    from giamsat.maritime import manage
    from giamsat.maritime.registry import seed_settings
    from giamsat.maritime.service import MaritimeService
    from giamsat.maritime.sources import TcpClientSource

    settings = Settings(home=home, db_url=db_url or "", maritime_archive_raw=False,
                        maritime_flush_seconds=0.05)  # fmt: skip
    store = Store.from_settings(settings)
    store.upgrade()
    with store.write() as conn:
        seed_settings(conn, settings)
        manage.update_settings(conn, {"speed_limit_kn": 20})
        manage.import_zones(conn, zones)
    latencies: list[float] = []
    measuring = [False]

    def heard(event: dict[str, Any]) -> None:
        if event["action"] == "opened" and measuring[0]:
            first = datetime.fromisoformat(event["alert"]["first_at"].replace("Z", "+00:00"))
            latencies.append((time.time() - first.timestamp()) * 1000)

    alerts.add_listener(heard)
    feeder = Feeder(intro, traffic, rate)
    source = TcpClientSource("bench", "127.0.0.1", feeder.port, backoff_initial=0.05)
    svc = MaritimeService(settings, store, sources=[source])
    await svc.start()
    t_intro = time.time()
    quiet = 0
    while quiet < 10:  # everything processed and written, for half a second
        engine = svc.engine
        done_reading = engine is not None and engine.decoder.line_no >= feeder.intro_sentences
        idle = done_reading and not svc.pending and not svc.busy and not len(engine.outbox)
        quiet = quiet + 1 if idle else 0
        await asyncio.sleep(0.05)
    await asyncio.sleep(svc.state_seconds + 0.5)  # and its state write
    intro_seconds = time.time() - t_intro
    intro_alerts = svc.persister.written["alerts"] if svc.persister else 0
    messages0 = svc.engine.counters["messages"]
    written0 = dict(svc.persister.written) if svc.persister else {}
    cpu0 = time.process_time()
    measuring[0] = True
    feeder.go.set()
    backlog = 0
    while svc.engine.decoder.line_no < feeder.sentences or svc.pending:
        backlog = max(backlog, svc.pending)
        await asyncio.sleep(0.05)
    done = time.time()
    cpu = time.process_time() - cpu0
    await svc.stop()
    alerts.remove_listener(heard)
    engine = svc.engine
    messages = engine.counters["messages"] - messages0
    elapsed = done - feeder.started
    written = {
        k: v - written0.get(k, 0)
        for k, v in (svc.persister.written if svc.persister else {}).items()
    }
    result = {
        "intro_messages": messages0,
        "intro_seconds": intro_seconds,
        "intro_alerts": intro_alerts,
        "messages": messages,
        "send_seconds": feeder.finished - feeder.started,
        "elapsed": elapsed,
        "rate": messages / elapsed,
        "lag_at_end": done - feeder.finished,
        "max_backlog_lines": backlog,
        "cpu_seconds": cpu,
        "alerts": len(latencies),
        "latency_ms": latencies,
        "written": written,
        "vessels": len(engine.vessels),
        "decoder_errors": engine.decoder.errors(),
    }
    store.dispose()
    return result


def memory_per_vessel(fleet: Fleet, zones: dict[str, Any]) -> tuple[float, float]:
    """Bytes the engine keeps per vessel (state with static data, in 500 zones' index)."""
    from giamsat.maritime.engine import Engine
    from giamsat.maritime.rules import Rules
    from giamsat.maritime.zones import ZoneIndex, zones_from_geojson

    engine = Engine(Rules(ZoneIndex(zones_from_geojson(zones))), collect=False)
    n = len(fleet.mmsi)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        engine.apply({"type": 5, "mmsi": fleet.mmsi[i], "shipname": f"BENCH VESSEL {i}",
                      "callsign": f"XV{i}", "imo": 9_000_000 + i, "shiptype": 70, "to_bow": 60,
                      "to_stern": 20, "to_port": 6, "to_starboard": 6, "draught": 6.5,
                      "destination": "HAI PHONG", "source": "bench"}, 1.0)  # fmt: skip
        engine.apply({"type": 1, "mmsi": fleet.mmsi[i], "lat": fleet.lat[i], "lon": fleet.lon[i],
                      "sog": fleet.sog[i], "cog": fleet.cog[i], "heading": 90, "nav_status": 0,
                      "rot": 0.0, "source": "bench"}, 2.0)  # fmt: skip
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    static_only = (after - before) / n
    return static_only, len(engine.vessels)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="messages per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--vessels", type=int, default=20_000)
    parser.add_argument("--zones", type=int, default=500)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temp dir)")
    parser.add_argument(
        "--pg",
        default=None,
        metavar="ADMIN_URL",
        help="PostgreSQL: create a throwaway database through this server (dropped after)",
    )
    parser.add_argument("--no-max", action="store_true", help="skip the as-fast-as-possible run")
    args = parser.parse_args()

    pg_name = None
    if args.pg:
        import secrets

        import psycopg

        pg_name = f"gs_bench_{secrets.token_hex(4)}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        args.db = f"{args.pg.rsplit('/', 1)[0]}/{pg_name}"
    try:
        return _bench(args)
    finally:
        if pg_name:
            import psycopg

            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _bench(args: argparse.Namespace) -> int:
    rng = random.Random(5)
    zones = make_zones(args.zones, rng)
    fleet = Fleet(args.vessels, rng)
    count = int(args.rate * args.seconds)
    t = time.perf_counter()
    intro, traffic = make_traffic(fleet, count, args.rate)
    print(f"traffic: {len(intro):,} + {len(traffic):,} messages of {args.vessels:,} vessels, "
          f"{args.zones} zones "
          f"(encoded in {time.perf_counter() - t:.1f} s)", flush=True)  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        live = asyncio.run(run_live(args.db, zones, intro, traffic, args.rate, Path(tmp) / "paced"))
        print(
            f"\n== introduction: {live['intro_messages']:,} messages (static data and first "
            f"position of every vessel) as fast as possible: {live['intro_seconds']:.1f} s, "
            f"{live['intro_alerts']:,} alerts (every vessel already in a zone enters it)"
        )
        lat = live["latency_ms"]
        p50, p95, p99 = (_percentile(lat, p) for p in (50, 95, 99))
        print(f"\n== paced at {args.rate:,.0f} msg/s for {args.seconds:.0f} s "
              f"({'SQLite' if not args.db else 'PostgreSQL'})")  # fmt: skip
        print(f"messages processed      {live['messages']:,} in {live['elapsed']:.2f} s "
              f"(sending took {live['send_seconds']:.2f} s)")  # fmt: skip
        print(f"sustained rate          {live['rate']:,.0f} msg/s  "
              f"= {live['rate'] / TARGET_RATE:.2f}x the 5,000 msg/s target")  # fmt: skip
        print(f"lag after last line     {live['lag_at_end'] * 1000:.0f} ms; "
              f"largest backlog {live['max_backlog_lines']:,} lines")  # fmt: skip
        print(f"CPU of this process     {live['cpu_seconds']:.1f} s "
              f"({live['cpu_seconds'] / live['elapsed'] * 100:.0f}% of one core, feeder included)")  # fmt: skip
        print(f"alerts opened           {live['alerts']:,}; written {live['written']}")
        print(f"message-to-alert (ms)   p50 {p50:.0f}  p95 {p95:.0f}  p99 {p99:.0f}  "
              f"max {max(lat) if lat else float('nan'):.0f}  "
              f"= p99 {p99 / TARGET_P99_MS:.2f}x the 200 ms budget")  # fmt: skip
        if live["decoder_errors"]:
            print(f"decoder problems        {live['decoder_errors']}")
        if not args.no_max:
            top = asyncio.run(run_live(args.db, zones, intro, traffic, 0.0, Path(tmp) / "max"))
            print("\n== as fast as the engine takes it (same traffic, fresh store)")
            print(f"throughput              {top['rate']:,.0f} msg/s "
                  f"= {top['rate'] / TARGET_RATE:.2f}x the target "
                  f"({top['messages']:,} messages in {top['elapsed']:.2f} s, "
                  f"CPU {top['cpu_seconds']:.1f} s)")  # fmt: skip
    per_vessel, n = memory_per_vessel(fleet, zones)
    print(f"\nmemory per vessel       {per_vessel:,.0f} bytes ({n:,} vessels with static data "
          f"and position: {per_vessel * n / 2**20:.1f} MiB)")  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS                {rss:,.0f} MiB")
    print(f"machine load            {' '.join(Path('/proc/loadavg').read_text().split()[:3])} "
          f"on {len(__import__('os').sched_getaffinity(0))} cores")  # fmt: skip
    ok = live["rate"] >= TARGET_RATE * 0.98 and p99 <= TARGET_P99_MS
    print(f"\nverdict                 {'targets met' if ok else 'TARGETS NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
