"""Limits as data (permits, coefficients, versions) and exceedance episodes and alerts."""

from __future__ import annotations

import pytest

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.store import Store
from giamsat.environment.completeness import local_midnight
from giamsat.environment.exceedance import exceedance_days, exceedance_episodes, station_limits
from giamsat.environment.ingest import Ingestor
from giamsat.environment.limits import coefficient, set_limit, sync_package_limits
from giamsat.environment.schema import stations
from giamsat.environment.stations import upsert_station

from .tt10_helpers import epoch, local, series_files

WW, AIR, RIVER, STACK = "HN_NMA_NT01", "HN_KK_01", "HN_SONG_NM01", "HN_NMB_KT01"


def station(store: Store, code: str, component: str, **permit) -> None:
    data = {"code": code, "component": component, **permit}
    with store.engine.begin() as conn:
        upsert_station(conn, data)


def limit(limits: list[dict], parameter: str, averaging: str = "1h") -> dict:
    [found] = [x for x in limits if x["parameter"] == parameter and x["averaging"] == averaging]
    return found


def test_permit_picks_standard_column_and_coefficients(store: Store) -> None:
    station(store, WW, "wastewater", permit_standard="QCVN40_2011", permit_column="B",
            permit_coefficients={"Kq": 0.9, "Kf": 1.1})  # fmt: skip
    got = station_limits(store, WW)
    cod = limit(got, "COD")
    assert (cod["max"], cod["base_max"], cod["standard"], cod["column"]) == (
        148.5,
        150,
        "QCVN40_2011",
        "B",
    )
    assert cod["coefficients"] == {"Kq": 0.9, "Kf": 1.1}
    ph = limit(got, "pH")  # a range, never multiplied
    assert (ph["min"], ph["max"], ph["coefficients"]) == (5.5, 9, {})
    assert limit(got, "Temp")["max"] == 40
    station(store, WW, "wastewater", permit_column="A")
    assert limit(station_limits(store, WW), "COD")["max"] == pytest.approx(75 * 0.99)


def test_coefficients_derived_from_permit_facts(store: Store) -> None:
    station(store, WW, "wastewater", permit_standard="QCVN40", permit_column="B",
            permit_coefficients={"Kq": {"receiving": "river", "flow_m3s": 120},
                                 "Kf": {"discharge_m3d": 800}})  # fmt: skip
    assert limit(station_limits(store, WW), "COD")["max"] == 150  # Kq 1.0, Kf 1.0
    assert coefficient("Kq", {"receiving": "river", "flow_m3s": 50}) == 0.9  # bound inclusive
    assert coefficient("Kq", {"receiving": "lake", "volume_m3": 5e6}) == 0.6
    assert coefficient("Kq", {"receiving": "coastal"}) == 1.3
    assert coefficient("Kf", {"discharge_m3d": 6000}) == 0.9
    station(store, STACK, "emission", permit_standard="QCVN19_2009", permit_column="B",
            permit_coefficients={"Kp": {"stack_flow_m3h": 50000}, "Kv": {"area_type": 2}})  # fmt: skip
    dust = limit(station_limits(store, STACK), "PM")
    assert dust["max"] == pytest.approx(200 * 0.9 * 0.8) and dust["unit"] == "mg/Nm3"
    with pytest.raises(ValueError):
        coefficient("Kf", {"wrong": 1})


def test_versions_and_dated_values(store: Store) -> None:
    station(store, AIR, "ambient_air")  # no permit: the component's default family QCVN05
    before = station_limits(store, AIR, at=epoch("2023-06-01T12:00"))
    assert {x["standard"] for x in before} == {"QCVN05_2013"}
    assert limit(before, "PM10", "24h")["max"] == 150
    after = station_limits(store, AIR, at=epoch("2025-06-01T12:00"))
    assert limit(after, "PM10", "24h")["max"] == 100 and limit(after, "PM2.5", "24h")["max"] == 50
    assert limit(after, "CO", "8h")["max"] == 10000 and limit(after, "SO2", "year")["max"] == 50
    y2026 = station_limits(store, AIR, at=epoch("2026-01-02T12:00"))
    assert limit(y2026, "PM2.5", "24h")["max"] == 45


def test_surface_water_minimum_and_range(store: Store) -> None:
    station(store, RIVER, "surface_water", permit_standard="QCVN08_2015", permit_column="B1")
    got = station_limits(store, RIVER)
    assert (limit(got, "DO")["min"], limit(got, "DO")["max"]) == (4, None)
    assert (limit(got, "pH")["min"], limit(got, "pH")["max"]) == (5.5, 9)
    with store.engine.begin() as conn:  # no column in the permit: no limit can be chosen
        conn.execute(stations.update().where(stations.c.code == RIVER).values(permit_column=None))
    assert station_limits(store, RIVER) == []


def test_edited_limits_survive_package_updates(store: Store) -> None:
    station(store, WW, "wastewater", permit_standard="QCVN40_2011", permit_column="B")
    with store.engine.begin() as conn:
        set_limit(conn, standard="QCVN40_2011", column="B", parameter="COD", averaging="1h",
                  min=None, max=120, actor="admin", note="checked against the PDF")  # fmt: skip
        sync_package_limits(conn, force=True)
    assert limit(station_limits(store, WW), "COD")["max"] == 120
    with store.engine.begin() as conn, pytest.raises(ValueError):
        set_limit(conn, standard="NOPE", column="B", parameter="COD", averaging="1h",
                  min=None, max=1, actor="admin")  # fmt: skip


def hours_of(values: list[float | tuple | None]) -> list:
    """Twelve 5-minute values per hourly value (so hourly means are the values given)."""
    out: list = []
    for v in values:
        out.extend([v] * 12)
    return out


def test_episodes_with_limit_edges_and_calibration(store: Store, settings: Settings) -> None:
    station(store, WW, "wastewater", permit_standard="QCVN40_2011", permit_column="B",
            permit_coefficients={"Kq": 0.9, "Kf": 1.1})  # 148.5  # fmt: skip
    with store.engine.begin() as conn:  # keep the plateaus of this test out of the flat-line test
        conn.execute(stations.update().where(stations.c.code == WW).values(
            settings={"qc": {"defaults": {"flat_line": False}}}))  # fmt: skip
    cod = hours_of([100, 148.5, 160, 170, 200, 120, 149, (400, 1), 100])
    # 148.5 is at the limit (not over); 400 is calibrating (not counted)
    Ingestor(store, settings).ingest(series_files(WW, local("2024-03-15T00:05"), {"COD": cod}))
    episodes = exceedance_episodes(
        store, [WW], local_midnight("2024-03-15"), local_midnight("2024-03-16")
    )
    assert [
        (e["start_time"][11:16], e["end_time"][11:16], e["peak"], e["ratio"]) for e in episodes
    ] == [
        ("02:00", "05:00", 200, round(200 / 148.5, 4)),
        ("06:00", "07:00", 149, round(149 / 148.5, 4)),
    ]
    first = episodes[0]
    assert (first["count"], first["peak_ts"], first["averaging"], first["kind"]) == (
        3,
        epoch("2024-03-15T05:00"),
        "1h",
        "max",
    )


def test_minimum_and_range_episodes(store: Store, settings: Settings) -> None:
    station(store, RIVER, "surface_water", permit_standard="QCVN08_2015", permit_column="B1")
    do = hours_of([6, 3.0, 3.5, 5, 5])
    ph = hours_of([7, 7, 10, 4, 7])
    Ingestor(store, settings).ingest(
        series_files(RIVER, local("2024-03-15T00:05"), {"DO": do, "pH": ph})
    )
    episodes = exceedance_episodes(
        store, [RIVER], local_midnight("2024-03-15"), local_midnight("2024-03-16")
    )
    got = sorted((e["parameter"], e["kind"], e["peak"], e["limit"], e["count"]) for e in episodes)
    assert got == [("DO", "min", 3.0, 4, 2), ("pH", "max", 10, 9, 1), ("pH", "min", 4, 5.5, 1)]
    do_ep = next(e for e in episodes if e["parameter"] == "DO")
    assert do_ep["ratio"] == 0.75


def _daily_pm(store: Store, settings: Settings, first_day: str, means: list[float]) -> None:
    station(store, AIR, "ambient_air")
    with store.engine.begin() as conn:
        conn.execute(stations.update().where(stations.c.code == AIR).values(
            expected_interval_s=3600, settings={"qc": {"defaults": {"flat_line": False}}}))  # fmt: skip
    values: list[float] = []
    for m in means:
        values.extend([m] * 24)
    files = series_files(
        AIR,
        local(f"{first_day}T01:00"),
        {"PM2.5": values, "PM10": [v * 2 for v in values]},
        step_minutes=60,
    )
    Ingestor(store, settings).ingest(files)


def test_consecutive_days_and_dated_limit(store: Store, settings: Settings) -> None:
    _daily_pm(store, settings, "2025-12-28", [30, 60, 70, 48, 48, 40])
    start, end = local_midnight("2025-12-28"), local_midnight("2026-01-03")
    episodes = exceedance_episodes(store, [AIR], start, end)
    pm25 = [e for e in episodes if e["parameter"] == "PM2.5"]
    # 24-hour limit 50 until 31 Dec 2025 (48 complies), 45 from 1 Jan 2026 (48 exceeds)
    assert [(e["start_time"][:10], e["end_time"][:10], e["count"], e["limit"]) for e in pm25] == [
        ("2025-12-29", "2025-12-31", 2, 50),
        ("2026-01-01", "2026-01-02", 1, 45),
    ]
    assert pm25[0]["peak"] == 70 and pm25[0]["ratio"] == 1.4
    runs = exceedance_days(store, [AIR], start, end, min_days=2)
    # PM10 (twice PM2.5) exceeds its 24-hour limit of 100 on the same two days
    assert sorted((r["parameter"], r["first_day"], r["last_day"], r["days"]) for r in runs) == [
        ("PM10", 20251229, 20251230, 2),
        ("PM2.5", 20251229, 20251230, 2),
    ]
    assert exceedance_days(store, [AIR], start, end, min_days=3) == []


def test_exceedance_alert_on_ingest_opens_and_resolves(store: Store, settings: Settings) -> None:
    station(store, WW, "wastewater", permit_standard="QCVN40_2011", permit_column="B")
    ing = Ingestor(store, settings)
    ing.ingest(series_files(WW, local("2024-03-15T10:05"), {"COD": [320] * 12}))
    with store.engine.connect() as conn:
        [alert], _ = alerts.query_alerts(conn, rule="exceedance", state="open")
    assert (alert["asset_id"], alert["parameter"], alert["severity"]) == (WW, "COD", "critical")
    assert (alert["value"], alert["limit_value"]) == (320, 150)
    ing.ingest(series_files(WW, local("2024-03-15T11:05"), {"COD": [100] * 12}))
    with store.engine.connect() as conn:
        assert alerts.query_alerts(conn, rule="exceedance", state="open")[1] == 0
        assert alerts.query_alerts(conn, rule="exceedance", state="resolved")[1] == 1


def test_alert_message_reads_like_a_person_wrote_it(store: Store, settings: Settings) -> None:
    """An hourly mean of 12 values has many decimals; the message shows two, the limit as is."""
    station(store, WW, "wastewater", permit_standard="QCVN40_2011", permit_column="B")
    values = [
        320.17,
        321.33,
        319.91,
        322.05,
        318.77,
        320.4,
        321.9,
        319.2,
        320.66,
        321.01,
        318.3,
        322.2,
    ]
    Ingestor(store, settings).ingest(series_files(WW, local("2024-03-15T10:05"), {"COD": values}))
    with store.engine.connect() as conn:
        [alert], _ = alerts.query_alerts(conn, rule="exceedance", state="open")
    number = alert["message"].split()[1]
    assert float(number) == pytest.approx(alert["value"], abs=0.005)
    assert len(number.partition(".")[2]) <= 2
    assert " > 150 " in alert["message"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(49.4566, "49.46"), (150.0, "150"), (7.1, "7.1"), (0.012345, "0.0123"), (0.5, "0.5"),
     (-3.14159, "-3.14"), (0.0, "0"), (1234567.891, "1234567.89")],
)  # fmt: skip
def test_readable_numbers(value: float, text: str) -> None:
    from giamsat.environment.exceedance_live import readable

    assert readable(value) == text


def test_days_alert(store: Store, settings: Settings) -> None:
    _daily_pm(store, settings, "2025-03-01", [80, 90, 70])  # three days over (default N = 3)
    with store.engine.connect() as conn:
        rows, _ = alerts.query_alerts(conn, rule="exceedance_days", state="open")
    assert sorted((r["parameter"], r["details"]["days"]) for r in rows) == [
        ("PM10", 3),
        ("PM2.5", 3),
    ]


def test_days_alert_needs_n_days(store: Store, settings: Settings) -> None:
    _daily_pm(store, settings, "2025-03-01", [80, 90, 30])
    with store.engine.connect() as conn:
        assert alerts.query_alerts(conn, rule="exceedance_days")[1] == 0
