"""VN_AQI kept in the store as TT10 files arrive, and read back through the API functions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.aqi import CATEGORIES, aqi_daily, aqi_hourly, latest_aqi, rebuild
from giamsat.environment.ingest import Ingestor
from giamsat.environment.quality_schema import aqi_hourly as hourly_table
from giamsat.environment.stations import upsert_station

from .tt10_helpers import epoch, local, series_files

AIR, WW = "HN_KK_01", "HN_NMA_NT01"
PM25 = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6]  # 09:00 … 20:00


def per_hour(values: list) -> list:
    out: list = []
    for v in values:
        out.extend([v] * 12)
    return out


def register(
    store: Store, code: str = AIR, component: str = "ambient_air", published: bool = True
) -> None:
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": code, "component": component, "published": "1" if published else "",
                              "lat": 21.02, "lon": 105.85, "name": "Hoàn Kiếm"})  # fmt: skip


def worked_example_files(code: str = AIR) -> list:
    o3 = [None] * (11 * 12) + [136.1] * 12
    no2 = [None] * (11 * 12) + [118.7] * 12
    return series_files(
        code, local("2024-03-15T08:05"), {"PM2.5": per_hour(PM25), "O3": o3, "NO2": no2}
    )


def test_hourly_aqi_from_ingested_files(store: Store, settings: Settings) -> None:
    register(store)
    Ingestor(store, settings).ingest(worked_example_files())
    rows = aqi_hourly(store, AIR, epoch("2024-03-15T00:00"), epoch("2024-03-16T00:00"))
    # 09:00 has a single hour of PM2.5 (NowCast needs 2 of the latest 3): 10:00 … 20:00
    assert [r["time"][11:16] for r in rows] == [f"{h:02d}:00" for h in range(10, 21)]
    last = rows[-1]
    assert last["time"] == "2024-03-15T20:00:00+07:00"
    assert last["sub_indices"] == {"PM2.5": 41, "O3": 43, "NO2": 59}
    assert (last["aqi"], last["dominant"], last["category"], last["colour"]) == (
        59,
        "NO2",
        "Trung bình",
        "#ffff00",
    )


def test_files_arriving_in_any_order_give_the_same_aqi(store: Store, settings: Settings) -> None:
    register(store, "HN_KK_01")
    register(store, "HN_KK_02")
    ing = Ingestor(store, settings)
    ing.ingest(worked_example_files("HN_KK_01"))
    files = worked_example_files("HN_KK_02")
    late = files[12 * 3 : 12 * 5]  # two hours arrive at the end
    for i in range(0, len(files), 12):
        chunk = [f for f in files[i : i + 12] if f not in late]
        if chunk:
            ing.ingest(chunk)
    a = aqi_hourly(store, "HN_KK_01", 0, 2**40)
    partial = aqi_hourly(store, "HN_KK_02", 0, 2**40)
    assert len(partial) < len(a)  # 12:00 and 13:00 cannot be computed yet
    ing.ingest(late)
    b = aqi_hourly(store, "HN_KK_02", 0, 2**40)
    assert [(r["time"], r["aqi"], r["sub_indices"]) for r in a] == [
        (r["time"], r["aqi"], r["sub_indices"]) for r in b
    ]


def test_calibration_values_do_not_enter_the_aqi(store: Store, settings: Settings) -> None:
    register(store)
    pm = per_hour([30.0, 30.0, 30.0])
    pm[-3:] = [(900.0, 1)] * 3  # the analyzer calibrates at the end of the third hour
    Ingestor(store, settings).ingest(series_files(AIR, local("2024-03-15T08:05"), {"PM2.5": pm}))
    rows = aqi_hourly(store, AIR, 0, 2**40)
    assert [r["sub_indices"]["PM2.5"] for r in rows] == [60, 60]  # NowCast of 30 µg/m³


def wobbly(hours: int, mean: float) -> list[float]:
    """5-minute values averaging ``mean`` every hour, not flat (the flat-line test would fail
    a constant 24-hour signal)."""
    return [mean + (0.5 if i % 2 else -0.5) for i in range(12 * hours)]


def test_daily_aqi_needs_18_hours(store: Store, settings: Settings) -> None:
    register(store)
    files = series_files(AIR, local("2024-03-15T00:05"), {"PM2.5": wobbly(24, 55.7)})
    Ingestor(store, settings).ingest(files)
    [day] = aqi_daily(store, AIR, 20240315, 20240315)
    assert (day["aqi"], day["dominant"], day["date"]) == (110, "PM2.5", "2024-03-15")
    register(store, "HN_KK_02")
    part = series_files("HN_KK_02", local("2024-03-15T00:05"), {"PM2.5": wobbly(17, 55.7)})
    Ingestor(store, settings).ingest(part)
    assert aqi_daily(store, "HN_KK_02", 20240315, 20240315) == []


def test_latest_aqi_for_the_public_page(store: Store, settings: Settings) -> None:
    register(store, "HN_KK_01", published=True)
    register(store, "HN_KK_02", published=False)
    register(store, WW, "wastewater")
    ing = Ingestor(store, settings)
    ing.ingest(worked_example_files("HN_KK_01") + worked_example_files("HN_KK_02"))
    ing.ingest(series_files(WW, local("2024-03-15T08:05"), {"COD": [50, 51, 52]}))
    public = latest_aqi(store)
    assert [p["station"] for p in public] == ["HN_KK_01"]
    p = public[0]
    assert (p["aqi"], p["category"], p["category_en"], p["colour"], p["dominant"]) == (
        59, "Trung bình", "Moderate", "#ffff00", "NO2",
    )  # fmt: skip
    assert (p["name"], p["lat"], p["lon"], p["time"]) == (
        "Hoàn Kiếm",
        21.02,
        105.85,
        "2024-03-15T20:00:00+07:00",
    )
    assert [p["station"] for p in latest_aqi(store, published_only=False)] == [
        "HN_KK_01",
        "HN_KK_02",
    ]
    assert CATEGORIES[0]["colour"] == "#00e400" and CATEGORIES[-1]["en"] == "Hazardous"
    with pytest.raises(LookupError):
        aqi_hourly(store, "NOPE_NO_NO", 0, 1)


def test_rebuild_recomputes_from_rollups(store: Store, settings: Settings) -> None:
    register(store)
    Ingestor(store, settings).ingest(worked_example_files())
    before = aqi_hourly(store, AIR, 0, 2**40)
    with store.engine.begin() as conn:
        conn.execute(hourly_table.delete())
    assert rebuild(store) == 1
    assert aqi_hourly(store, AIR, 0, 2**40) == before
    with store.engine.connect() as conn:
        assert len(conn.execute(select(hourly_table)).all()) == len(before)


def test_real_hanoi_series_through_tt10_files(store: Store, settings: Settings, shared) -> None:
    """US-Embassy Hanoi PM2.5, Oct–Dec 2019, written as hourly TT10 files (operator 'Invalid'
    hours as device error 02), ingested, and the stored PM2.5 sub-index compared with the
    sub-index of the published EPA NowCast (same NowCast rule; EPA truncates to 0.1)."""
    import csv
    from datetime import datetime

    from giamsat.environment.vn_aqi import round_half_up, sub_index

    from .tt10_helpers import LOCAL, tt10_file

    register(store)
    with store.engine.begin() as conn:
        from giamsat.environment.schema import stations

        conn.execute(
            stations.update().where(stations.c.code == AIR).values(expected_interval_s=3600)
        )
    path = shared / "corpus/env/hanoi_us_embassy/Hanoi_PM2.5_2019_YTD.csv"
    published: dict[int, float] = {}
    files = []
    for r in csv.DictReader(path.open()):
        when = datetime.strptime(r["Date (LT)"], "%Y-%m-%d %I:%M %p").replace(tzinfo=LOCAL)
        raw, nowcast = float(r["Raw Conc."]), float(r["NowCast Conc."])
        if nowcast != -999:
            published[int(when.timestamp())] = nowcast
        if raw == -999 or r["QC Name"] == "Missing":
            continue
        files.append(tt10_file(AIR, when, {"PM2.5": (raw, 2 if r["QC Name"] == "Invalid" else 0)}))
    results = Ingestor(store, settings).ingest(files)
    assert all(r.outcome == "accepted" for r in results)
    stored = {r["ts"]: r["sub_indices"]["PM2.5"] for r in aqi_hourly(store, AIR, 0, 2**40)}
    both = [t for t in published if t in stored]
    assert len(both) > 1800
    close = sum(abs(stored[t] - round_half_up(sub_index("PM2.5", published[t]))) <= 1 for t in both)
    assert close / len(both) >= 0.97, close / len(both)
