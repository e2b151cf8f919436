"""The live service end to end on both back ends: a real TCP server feeds the TCP client source,
the engine writes vessels, tracks, zone log, AtoN status and alerts; its events equal
``giamsat ais events`` on the same lines; a restart continues where it stopped; edits to
zones and watched vessels apply while running; the raw archive replays to the same events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.core.store.schema import alerts
from giamsat.maritime import manage, scenario
from giamsat.maritime.atons import parse_aton_csv
from giamsat.maritime.rules import CONTRACT_TYPES, Event
from giamsat.maritime.schema import atons, tracks, vessels, zone_log
from giamsat.maritime.service import MaritimeService
from giamsat.maritime.sources import FileReplaySource, Source, TcpClientSource, TcpServerSource
from tests.maritime_engine.helpers import T0, Log, collection, iso, run_events, square

ATONS_CSV = "mmsi,name,lat,lon,radius_m\n" + "".join(
    f"{b.mmsi},{b.name},{b.lat},{b.lon},50\n" for b in scenario.BUOYS
)


def _configure(store: Store, settings: Settings, zones: dict[str, Any] | None,
               atons_csv: str | None, values: dict[str, Any]) -> None:  # fmt: skip
    from giamsat.maritime.registry import seed_settings

    with store.write() as conn:
        seed_settings(conn, settings)
        manage.update_settings(conn, values)
        if zones is not None:
            manage.import_zones(conn, zones)
        if atons_csv is not None:
            configs, problems = parse_aton_csv(atons_csv)
            assert not problems
            manage.import_atons(conn, configs)


async def _serve(port_holder: list[int], lines: list[str]) -> asyncio.Server:
    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for start in range(0, len(lines), 500):
            writer.write(("\r\n".join(lines[start : start + 500]) + "\r\n").encode())
            await writer.drain()

    server = await asyncio.start_server(client, "127.0.0.1", 0)
    port_holder.append(server.sockets[0].getsockname()[1])
    return server


async def _run(settings: Settings, store: Store, sources: list[Source],
               done: Callable[[MaritimeService], bool],
               during: Callable[[MaritimeService], Any] | None = None,
               timeout: float = 60.0) -> tuple[MaritimeService, list[Event]]:  # fmt: skip
    svc = MaritimeService(settings, store, sources=sources, idle_clock_seconds=1e9)
    events: list[Event] = []
    svc.listeners.append(events.extend)
    await svc.start()
    try:
        if during is not None:
            await during(svc)
        deadline = time.monotonic() + timeout
        while not done(svc):
            assert time.monotonic() < deadline, svc.status()
            await asyncio.sleep(0.05)
    finally:
        await svc.stop()
    return svc, events


def _processed(n: int) -> Callable[[MaritimeService], bool]:
    return lambda svc: (
        svc.engine is not None and svc.engine.decoder.line_no >= n and not svc.pending
    )


def _contract(events: list[Event]) -> list[dict[str, Any]]:
    return [e.as_dict() for e in events if e.type in CONTRACT_TYPES]


def _count(store: Store, table: Any, *where: Any) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_live_tcp_path_equals_cli_and_fills_the_store(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    lines = scenario.scenario_lines(T0, 600)
    values = {"lost_after_min": 2, "low_voltage_v": 11.5, "speed_limit_kn": None}
    _configure(store, settings, scenario.ZONES, ATONS_CSV, values)
    settings = replace(settings, maritime_flush_seconds=0.05)

    async def scenario_run() -> tuple[MaritimeService, list[Event]]:
        port: list[int] = []
        server = await _serve(port, lines)
        source = TcpClientSource("demo", "127.0.0.1", port[0], backoff_initial=0.05)
        try:
            return await _run(settings, store, [source], _processed(len(lines)))
        finally:
            server.close()

    svc, live = asyncio.run(scenario_run())
    log = Log(lines=list(lines))
    cli, _ = run_events(tmp_path, log, scenario.ZONES, ATONS_CSV, "--lost-after", "2",
                        "--low-voltage", "11.5")  # fmt: skip
    assert _contract(live) == cli
    kinds = {e["type"] for e in cli}
    assert kinds == set(CONTRACT_TYPES)  # the scenario has every kind of event

    # the store has what the events say
    enters = [e for e in cli if e["type"] == "zone_enter"]
    exits = [e for e in cli if e["type"] == "zone_exit"]
    assert _count(store, zone_log) == len(enters)
    assert _count(store, zone_log, zone_log.c.time_out.is_not(None)) == len(exits)
    assert _count(store, vessels) == len(scenario.SHIPS)
    assert _count(store, vessels, vessels.c.name == "HAI PHONG EXPRESS") == 1
    assert _count(store, tracks) > len(scenario.SHIPS) * 5
    with store.engine.connect() as conn:
        status = dict(conn.execute(select(atons.c.mmsi, atons.c.status)).all())
        conditions = dict(conn.execute(select(atons.c.mmsi, atons.c.conditions)).all())
        rows = conn.execute(
            select(alerts.c.rule, alerts.c.state).where(alerts.c.domain == "maritime")
        ).all()
    open_rules = {rule for rule, state in rows if state != "resolved"}
    assert status[scenario.SILENT] == "lost"
    assert "off_position" in conditions[scenario.DRIFTING]
    assert "low_voltage" in conditions[scenario.LOW_VOLTAGE]
    assert "light_failure" in conditions[scenario.LIGHT_FAILURE]
    for rule in ("off_position", "low_voltage", "light_failure", "lost_signal", "zone_entry"):
        assert rule in open_rules, rule
    assert ("speeding", "resolved") in rows  # the speeder slows down after 7 minutes
    assert "speeding" not in open_rules
    assert svc.sources[0].stats.lines == len(lines)
    assert svc.status()["decoder_errors"] == {}


def test_restart_continues_where_it_stopped(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    lines = scenario.scenario_lines(T0, 600)
    half = len(lines) // 2
    while lines[half].startswith("\\g:2"):  # do not cut a multipart message
        half += 1
    (tmp_path / "a.nmea").write_text("\n".join(lines[:half]) + "\n")
    (tmp_path / "b.nmea").write_text("\n".join(lines[half:]) + "\n")
    values = {"lost_after_min": 2, "low_voltage_v": 11.5, "speed_limit_kn": 12}
    _configure(store, settings, scenario.ZONES, ATONS_CSV, values)

    first = asyncio.run(_run(settings, store, [FileReplaySource("f", [str(tmp_path / "a.nmea")])],
                             _processed(half)))[1]  # fmt: skip
    second = asyncio.run(_run(settings, store, [FileReplaySource("f", [str(tmp_path / "b.nmea")])],
                              _processed(len(lines) - half)))[1]  # fmt: skip
    cli, _ = run_events(tmp_path, Log(lines=list(lines)), scenario.ZONES, ATONS_CSV,
                        "--lost-after", "2", "--low-voltage", "11.5", "--speed-limit", "12")  # fmt: skip
    assert _contract(first) + _contract(second) == cli
    assert _contract(second)  # the second run had events of its own


def test_edits_apply_while_running(store: Store, settings: Settings) -> None:
    vessel, other = 574009001, 574009002
    _configure(store, settings, None, None, {"vessel_lost_after_min": 1})

    async def scenario_run() -> tuple[MaritimeService, list[Event]]:
        source = TcpServerSource("rx", "127.0.0.1", 0)

        async def during(svc: MaritimeService) -> None:
            await source.bound.wait()
            _, writer = await asyncio.open_connection("127.0.0.1", source.port)

            async def send(log: Log) -> None:
                writer.write(("\r\n".join(log.lines) + "\r\n").encode())
                await writer.drain()
                n = svc.engine.counters["messages"] + len(log.lines)  # type: ignore[union-attr]
                for _ in range(400):
                    if svc.engine.counters["messages"] >= n and not svc.pending:  # type: ignore[union-attr]
                        return
                    await asyncio.sleep(0.02)

            await send(Log().pos(T0, vessel, 20.5, 106.5))  # no zone yet: nothing
            with store.write() as conn:
                manage.create_zone(conn, _zone("Z"), "test")
                manage.update_vessel(conn, vessel, {"watched": True})
            svc.reload()
            await asyncio.sleep(0.3)
            await send(Log().pos(T0 + 10, vessel, 20.6, 106.5))  # inside the new zone
            await send(Log().pos(T0 + 100, other, 10.0, 100.0))  # 90 s later: vessel is lost
            await send(Log().pos(T0 + 110, vessel, 20.6, 106.5))  # and back
            writer.close()

        return await _run(settings, store, [source], lambda svc: True, during)

    _, events = asyncio.run(scenario_run())
    got = [(e.type, e.mmsi, e.as_dict()["time"], e.asset) for e in events]
    assert got == [
        ("zone_enter", vessel, iso(T0 + 10), "vessel"),
        ("lost_signal", vessel, iso(T0 + 70), "vessel"),
        ("signal_restored", vessel, iso(T0 + 110), "vessel"),
    ]
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(alerts.c.rule, alerts.c.state).where(alerts.c.asset_id == str(vessel))
        ).all()
    assert sorted(rows) == [("lost_signal", "resolved"), ("zone_entry", "open")]


def _zone(name: str) -> Any:
    from giamsat.maritime.zones import zones_from_geojson

    return zones_from_geojson(collection(square(name, 106.0, 20.55, 107.0, 21.0)))[0]


def test_raw_archive_replays_to_the_same_events(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    zones = collection(square("Z", 106.0, 20.0, 107.0, 21.0, speed_limit_kn=8))
    _configure(store, settings, zones, None, {})
    untimed = Log()
    for i in range(40):  # no tag blocks: the arrival time is the time
        untimed.pos(None, 574009100 + i % 4, 20.5 if i % 8 < 4 else 21.5, 106.5, sog=5 + i % 7)

    async def scenario_run() -> tuple[MaritimeService, list[Event]]:
        source = TcpServerSource("rx", "127.0.0.1", 0)

        async def during(svc: MaritimeService) -> None:
            await source.bound.wait()
            _, writer = await asyncio.open_connection("127.0.0.1", source.port)
            for line in untimed.lines:
                writer.write(line.encode() + b"\r\n")
                await writer.drain()
                await asyncio.sleep(0.01)
            writer.close()

        return await _run(settings, store, [source], _processed(len(untimed.lines)), during)

    svc, live = asyncio.run(scenario_run())
    files = sorted(str(p) for p in (settings.home / "ais" / "raw").rglob("*.nmea"))
    assert len(files) == 1
    archived = Log(lines=Path(files[0]).read_text().splitlines())
    assert len(archived.lines) == len(untimed.lines)
    assert all(line.startswith("\\c:") for line in archived.lines)  # stamped on arrival
    replayed, _ = run_events(tmp_path, archived, zones)
    assert _contract(live) == replayed
    assert {e["type"] for e in replayed} >= {"zone_enter", "zone_exit", "speeding"}
    with contextlib.suppress(Exception):
        json.dumps(svc.status())
