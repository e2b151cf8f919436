"""Bulk ingest: what workers hand over (columns, per-station plans) stores what a receiver does."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest
from sqlalchemy import select

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.bulk import CHUNK, list_files, read_all, station_time_order
from giamsat.environment.ingest import Incoming, Ingestor
from giamsat.environment.schema import observations, received_files, series, stations
from giamsat.environment.stations import upsert_station
from giamsat.environment.tt10 import FileName, parse_content, parse_name
from tests.conftest import BACKENDS, database_url

AIR_LINES = [  # parameter, unit as written, base value
    ("PM2,5", "µg/m3", 35.0),
    ("CO", "mg/m3", 1.2),  # converted exactly to µg/m3
    ("SO2", "ppm", 0.02),  # cannot be converted without T and P: stored as reported
    ("NO2", "µg/m3", 40.0),
    ("Bí ẩn", "đơn vị", 3.0),  # not in the catalog: kept
]
WATER_LINES = [("COD", "mg/L", 60.0), ("pH", "-", 7.1), ("Temp", "°C", 29.0)]


def _content(lines: list[tuple[str, str, float]], stamp: str, rng: random.Random) -> bytes:
    rows = []
    for i, (name, unit, base) in enumerate(lines):
        value = f"{base * rng.uniform(0.5, 1.5):.3f}".replace(".", "," if i == 0 else ".")
        status = rng.choice(["00", "00", "00", "01", "02"])
        rows.append(f"{name}\t{value}\t{unit}\t{stamp}\t{status}")
    return ("\r\n".join(rows) + "\r\n").encode()


def make_tree(folder: Path, files: int) -> None:
    """Air and water stations (one unregistered), five-minute files, a few odd ones."""
    rng = random.Random(7)
    plans = [("HN_KK_A01", AIR_LINES), ("HN_NM_W01", WATER_LINES), ("BN_NEW_X01", WATER_LINES)]
    for i in range(files):
        code, lines = plans[i % len(plans)]
        minutes = 5 * (i // len(plans))
        stamp = f"202403{1 + minutes // 1440:02d}{minutes % 1440 // 60:02d}{minutes % 60:02d}00"
        content = _content(lines, stamp, rng)
        if i == 301:  # one line ten years in the future: left out, the rest is stored
            content += f"COD\t1\tmg/L\t2034{stamp[4:]}\t00\r\n".encode()
        if i == 602:  # a line time far from the name time
            content = content.replace(stamp.encode(), (stamp[:8] + "000000").encode())
        (folder / f"{code}_{stamp}.txt").write_bytes(content)
    (folder / "HN_KK_A01_20240301000000.txt").write_bytes(b"")  # empty: rejected
    (folder / "garbage.txt").write_bytes(bytes(range(256)))  # binary and badly named


def stored(store: Store) -> tuple[list[tuple], list[tuple]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                stations.c.code,
                series.c.unit,
                observations.c.ts,
                observations.c.value,
                observations.c.status,
                observations.c.flag,
            )
            .select_from(
                observations.join(series, series.c.id == observations.c.series_id).join(
                    stations, stations.c.id == series.c.station_id
                )
            )
            .order_by(stations.c.code, series.c.parameter_id, observations.c.ts)
        ).all()
        files = conn.execute(
            select(
                received_files.c.name, received_files.c.outcome, received_files.c.reasons
            ).order_by(received_files.c.name)
        ).all()
    return [tuple(r) for r in rows], [tuple(f) for f in files]


def test_parsed_file_travels_as_columns() -> None:
    """Workers pickle a parsed file as columns; the readings come back the same."""
    name = parse_name("HN_KK_A01_20240315103000.txt")
    assert isinstance(name, FileName)
    content = _content(AIR_LINES, "20240315103000", random.Random(1))
    content += b"COD\t1\tmg/L\t20240315110000\t01\r\nPM10 x\tabc\tmg\t20240315103000\t00\r\n"
    parsed = parse_content(content, name)
    again = pickle.loads(pickle.dumps(parsed))
    assert again.name == parsed.name
    assert again.readings == parsed.readings
    assert again.problems == parsed.problems and again.problems  # the bad line is reported
    assert again.columns() == parsed.columns()
    assert b"Reading" not in pickle.dumps(parsed)  # columns, not one object per line


def test_a_separator_inside_a_name_still_travels() -> None:
    """A control character that would make the signature ambiguous: readings go as they are."""
    name = parse_name("HN_KK_A01_20240315103000.txt")
    parsed = parse_content(b"CO\x1fX\t1.5\tmg/m3\t20240315103000\t00\r\n", name)
    assert parsed.columns().signature is None
    again = pickle.loads(pickle.dumps(parsed))
    assert again.readings == parsed.readings and again.readings[0].parameter == "CO\x1fX"


@pytest.mark.parametrize("backend", BACKENDS)
def test_bulk_workers_store_what_a_receiver_stores(tmp_path: Path, backend: str) -> None:
    """The same tree through worker processes and through plain receiving: same rows and
    outcomes, whatever order the series were first seen in."""
    tree = tmp_path / "tree"
    tree.mkdir()
    make_tree(tree, 4 * CHUNK + 300)  # enough for the worker pool to start
    paths = station_time_order(list_files([tree]))
    results = []
    for mode in ("workers", "receiver"):
        with database_url(backend, tmp_path / mode) as url:
            (tmp_path / mode).mkdir(exist_ok=True)
            settings = Settings(home=tmp_path / mode, db_url=url)
            store = Store.from_settings(settings)
            store.upgrade()
            with store.engine.begin() as conn:
                upsert_station(conn, {"code": "HN_KK_A01", "component": "ambient_air"})
                upsert_station(conn, {"code": "HN_NM_W01", "component": "wastewater"})
            ingestor = Ingestor(store, settings)
            if mode == "workers":
                items = [item for _, item in read_all(paths, settings.max_file_bytes, None, 2)]
                assert all(isinstance(i, Incoming) for i in items)
                assert sum(i.parsed is not None for i in items) == len(paths) - 2  # type: ignore[union-attr]
            else:
                items = [Incoming(Path(p).name, Path(p).read_bytes()) for p in paths]
            for start in range(0, len(items), 500):
                ingestor.ingest(items[start : start + 500])  # type: ignore[arg-type]
            results.append(stored(store))
            store.dispose()
    (rows_w, files_w), (rows_r, files_r) = results
    assert len(rows_w) > 4 * CHUNK * 3
    assert rows_w == rows_r
    assert files_w == files_r
    outcomes = [f[1] for f in files_w]
    assert outcomes.count("rejected") == 2
    reasons = " ".join(str(f[2]) for f in files_w)
    for code in ("future_time", "time_mismatch", "unit", "unknown_parameter", "unregistered"):
        assert code in reasons
    units = {r[1] for r in rows_w}
    assert {"µg/m3", "ppm", "đơn vị"} <= units  # CO converted, SO2 and the unknown as reported
    written = sorted(
        float(line.split("\t")[1]) * 1000
        for p in paths
        if Path(p).name.startswith("HN_KK_A01")
        for line in Path(p).read_text().splitlines()
        if line.startswith("CO\t")
    )
    co = [r[3] for r in rows_w if r[0] == "HN_KK_A01" and r[1] == "µg/m3" and r[3] > 500]
    assert sorted(co) == pytest.approx(written)  # mg/m3 → µg/m3, file by file


def test_a_failed_batch_forgets_what_it_created(store: Store, settings: Settings) -> None:
    """Series created in a rolled-back transaction must not be reused from the caches."""
    name = "HN_KK_A01_20240315103000.txt"
    content = _content(AIR_LINES, "20240315103000", random.Random(3))
    calls = 0

    def failing_flagger(conn, sid, ts, value, status):
        nonlocal calls
        calls += 1
        raise RuntimeError("the disk is full")

    broken = Ingestor(store, settings, flagger=failing_flagger, after_write=lambda c, w: None)
    with pytest.raises(RuntimeError):
        broken.ingest([Incoming(name, content)])
    assert calls == 1
    healthy = Ingestor(store, settings)
    healthy.registry = broken.registry  # the same caches, as in a long-running server
    healthy.ingest([Incoming(name, content)])
    rows, files = stored(store)
    assert len(rows) == len(AIR_LINES) and files[-1][1] == "accepted"
