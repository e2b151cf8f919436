"""Ingest benchmark: a simulated national day of TT10 files through `giamsat env ingest`.

1,200 stations × 288 five-minute files ≈ 345,600 files and ~3 M values (the issue's target:
>= 5,000 files/s into SQLite and <= 40 bytes per observation on SQLite). Prints files/s,
values/s and bytes per observation (whole database, then split by table) for SQLite and
PostgreSQL. Generated files are cached under bench/out/ (not in git).

    python bench/ingest.py [--stations 1200] [--slots 288] [--backend sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

# (component, share of stations, parameters with (unit, typical value))
PROFILES = [
    (
        "wastewater",
        0.40,
        [
            ("Flow", "m3/h", 40),
            ("Temp", "°C", 29),
            ("pH", "-", 7.2),
            ("TSS", "mg/L", 30),
            ("COD", "mg/L", 60),
            ("NH4", "mg/L", 3),
            ("TN", "mg/L", 12),
            ("TP", "mg/L", 1.5),
            ("Color", "Pt-Co", 40),
        ],
    ),
    (
        "emission",
        0.25,
        [
            ("Flow", "m3/h", 90000),
            ("Temp", "°C", 120),
            ("P", "kPa", 101),
            ("O2", "%", 9),
            ("SO2", "mg/Nm3", 300),
            ("NOx", "mg/Nm3", 400),
            ("CO", "mg/Nm3", 200),
            ("PM", "mg/Nm3", 40),
            ("HCl", "mg/Nm3", 10),
        ],
    ),
    (
        "ambient_air",
        0.15,
        [
            ("PM2,5", "µg/m3", 35),
            ("PM10", "µg/m3", 60),
            ("NO2", "µg/m3", 40),
            ("SO2", "µg/m3", 20),
            ("CO", "µg/m3", 900),
            ("O3", "µg/m3", 60),
            ("Temp", "°C", 28),
            ("RH", "%", 75),
            ("P", "hPa", 1008),
        ],
    ),
    (
        "surface_water",
        0.12,
        [
            ("Temp", "°C", 27),
            ("pH", "-", 7.4),
            ("DO", "mg/L", 6),
            ("EC", "µS/cm", 300),
            ("TSS", "mg/L", 25),
            ("COD", "mg/L", 12),
            ("NH4", "mg/L", 0.4),
            ("Turbidity", "NTU", 30),
            ("TOC", "mg/L", 5),
        ],
    ),
    (
        "groundwater",
        0.08,
        [
            ("Level", "m", 5.2),
            ("Temp", "°C", 25),
            ("pH", "-", 6.8),
            ("EC", "µS/cm", 500),
            ("TDS", "mg/L", 320),
            ("Cl", "mg/L", 40),
            ("NH4", "mg/L", 0.2),
        ],
    ),
]


def station_plan(n: int) -> list[tuple[str, list[tuple[str, str, float]]]]:
    """Station codes and parameters, components in the shares of PROFILES."""
    bounds, acc = [], 0.0
    for component, share, params in PROFILES:
        acc += share
        bounds.append((acc, component, params))
    plan = []
    rnd = random.Random(42)
    for i in range(n):
        x = (i + 0.5) / n
        _, component, params = next(b for b in bounds if x <= b[0] + 1e-9)
        plan.append(
            (
                f"P{i % 63:02d}_F{i:04d}_{component[:2].upper()}{i % 7}",
                [(p, u, v * rnd.uniform(0.7, 1.3)) for p, u, v in params],
            )
        )
    return plan


def generate(folder: Path, stations: int, slots: int) -> tuple[int, int]:
    """Write the files (once); returns (files, values)."""
    marker = folder.with_name(folder.name + ".complete")
    plan = station_plan(stations)
    values = sum(len(p) for _, p in plan) * slots
    if marker.exists():
        return stations * slots, values
    shutil.rmtree(folder, ignore_errors=True)
    rnd = random.Random(7)
    day = datetime(2026, 10, 1)
    for slot in range(slots):
        t = day + timedelta(minutes=5 * (slot + 1))
        stamp = t.strftime("%Y%m%d%H%M%S")
        sub = folder / t.strftime("%H")
        sub.mkdir(parents=True, exist_ok=True)
        for code, params in plan:
            lines = [
                f"{p}\t{v * rnd.uniform(0.9, 1.1):.2f}\t{u}\t{stamp}\t00" for p, u, v in params
            ]
            (sub / f"{code}_{stamp}.txt").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    marker.write_text("ok")
    return stations * slots, values


def sqlite_sizes(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    finally:
        conn.close()
    return dict(rows)


def run(backend: str, folder: Path, files: int, values: int) -> dict[str, object]:
    work = OUT / f"run-{backend}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, "GIAMSAT_HOME": str(work)}
    pg_name = None
    if backend == "postgresql":
        import psycopg

        pg_name = f"gs_bench_{secrets.token_hex(4)}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{pg_name}"')
        env["GIAMSAT_DB_URL"] = f"postgresql://postgres@127.0.0.1:5432/{pg_name}"
    cmd = [sys.executable, "-m", "giamsat", "env", "ingest", "--quiet", str(folder)]
    subprocess.run(
        [sys.executable, "-m", "giamsat", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    result: dict[str, object] = {
        "backend": backend,
        "files": summary["files"],
        "accepted": summary["accepted"],
        "observations": summary["observations"],
        "seconds": round(elapsed, 1),
        "files_per_s": round(summary["files"] / elapsed),
        "values_per_s": round(summary["observations"] / elapsed),
    }
    if backend == "sqlite":
        db = work / "giamsat.db"
        sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        size = db.stat().st_size
        tables = sqlite_sizes(db)
        result["db_bytes"] = size
        result["bytes_per_observation"] = round(size / summary["observations"], 1)
        result["by_table_bytes_per_observation"] = {
            k: round(v / summary["observations"], 1)
            for k, v in sorted(tables.items(), key=lambda kv: -kv[1])
            if v > 100_000
        }
        result["archive_bytes_per_file"] = round(
            (work / "archive.db").stat().st_size / summary["files"], 1
        )
    else:
        import psycopg

        with psycopg.connect(env["GIAMSAT_DB_URL"]) as c:
            size = c.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        result["db_bytes"] = size
        result["bytes_per_observation"] = round(size / summary["observations"], 1)
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
            c.execute(f'DROP DATABASE "{pg_name}" WITH (FORCE)')
    assert summary["files"] == files and summary["observations"] == values, summary
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stations", type=int, default=1200)
    parser.add_argument("--slots", type=int, default=288)
    parser.add_argument("--backend", default="sqlite,postgresql")
    args = parser.parse_args()
    folder = OUT / f"tt10-{args.stations}x{args.slots}"
    t0 = time.perf_counter()
    files, values = generate(folder, args.stations, args.slots)
    print(
        f"data: {files:,} files, {values:,} values in {folder} (ready in {time.perf_counter() - t0:.0f} s)"
    )
    for backend in args.backend.split(","):
        r = run(backend, folder, files, values)
        target = " (target >= 5,000 files/s, <= 40 B/obs)" if backend == "sqlite" else ""
        print(
            f"{backend}: {r['files_per_s']:,} files/s, {r['values_per_s']:,} values/s, "
            f"{r['bytes_per_observation']} bytes/observation{target}"
        )
        print("  " + json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
