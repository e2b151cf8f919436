"""QC through real ingest of TT10 files, on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select, text

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment import qc_tests as T
from giamsat.environment.ingest import Ingestor
from giamsat.environment.qc_store import add_override, flag_reasons, rerun, revoke_override
from giamsat.environment.quality_schema import qc_overrides, qc_results, qc_runs
from giamsat.environment.schema import parameters, rollup_hourly, series, stations
from giamsat.environment.stations import upsert_station

from .tt10_helpers import epoch, local, series_files, tt10_file

WW = "HN_NMA_NT01"
AIR = "HN_KK_01"


def register(store: Store, code: str = WW, component: str = "wastewater", **extra) -> None:
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": code, "component": component, **extra})


def flags(store: Store, code: str, parameter: str) -> list[tuple[int, float, int]]:
    with store.engine.connect() as conn:
        return [
            (int(r.ts), r.value, int(r.flag))
            for r in conn.execute(
                text(
                    "SELECT o.ts, o.value, o.flag FROM observations o "
                    "JOIN series s ON s.id = o.series_id JOIN stations st ON st.id = s.station_id "
                    "JOIN parameters p ON p.id = s.parameter_id "
                    "WHERE st.code = :c AND p.code = :p ORDER BY o.ts"
                ),
                {"c": code, "p": parameter},
            )
        ]


def series_id(store: Store, code: str, parameter: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(
            select(series.c.id)
            .join(stations, stations.c.id == series.c.station_id)
            .join(parameters, parameters.c.id == series.c.parameter_id)
            .where(stations.c.code == code, parameters.c.code == parameter)
        ).scalar_one()


def hourly(store: Store, sid: int) -> dict[int, tuple[int, float]]:
    with store.engine.connect() as conn:
        return {
            r.ts: (r.count, r.mean)
            for r in conn.execute(select(rollup_hourly).where(rollup_hourly.c.series_id == sid))
        }


def test_point_tests_and_device_status_on_ingest(store: Store, settings: Settings) -> None:
    register(store)
    ing = Ingestor(store, settings)
    files = series_files(
        WW,
        local("2024-03-15T10:05"),
        {
            "COD": [40, -5, 0, 12000, (45, 1), (46, 2), 41],
            "pH": [7.1, 7.2, 7.1, 7.3, 7.2, 7.1, 15],
        },
    )
    ing.ingest(files)
    cod = [f for _, _, f in flags(store, WW, "COD")]
    # negative → fail; zero COD → suspect; over sensor range → fail; calibrating → 2; error → 4
    assert cod == [1, 4, 3, 4, 2, 4, 1]
    assert [f for _, _, f in flags(store, WW, "pH")][-1] == 4  # pH 15 outside 0–14
    sid = series_id(store, WW, "COD")
    with store.engine.connect() as conn:
        reasons = {r["ts"]: r["tests"] for r in flag_reasons(conn, sid, 0, 2**40)}
        stored = dict(conn.execute(select(qc_results.c.ts, qc_results.c.tests)).all())
    t = [ts for ts, _, _ in flags(store, WW, "COD")]
    assert reasons[t[1]] == ["gross_range", "negative"]
    assert reasons[t[2]] == ["zero"]
    assert reasons[t[3]] == ["gross_range"]
    assert reasons[t[4]] == ["device_status"] and reasons[t[5]] == ["device_status"]
    # sparse: device-status flags are not stored again (the status is in the observation)
    assert t[4] not in stored and t[5] not in stored and stored[t[2]] == T.ZERO
    # only usable values (40, 0, 41) make the hourly mean
    assert list(hourly(store, sid).values()) == [(3, pytest.approx(27.0))]


def test_a_spike_is_judged_when_the_next_value_arrives(store: Store, settings: Settings) -> None:
    register(store)
    with store.engine.begin() as conn:  # spike test alone (rate of change would also fire)
        conn.execute(
            stations.update()
            .where(stations.c.code == WW)
            .values(settings={"qc": {"parameters": {"COD": {"rate_of_change": False}}}})
        )
    ing = Ingestor(store, settings)
    files = series_files(WW, local("2024-03-15T10:05"), {"COD": [50, 52, 51, 700, 50, 49]})
    for f in files[:4]:
        ing.ingest([f])
    assert [f for _, _, f in flags(store, WW, "COD")] == [1, 1, 1, 1]
    sid = series_id(store, WW, "COD")
    assert next(iter(hourly(store, sid).values()))[0] == 4  # 700 counted for now
    ing.ingest([files[4]])
    assert [f for _, _, f in flags(store, WW, "COD")] == [1, 1, 1, 4, 1]
    # the hourly mean was rebuilt without the spike
    assert list(hourly(store, sid).values()) == [(4, pytest.approx((50 + 52 + 51 + 50) / 4))]
    with store.engine.connect() as conn:
        tests = conn.execute(select(qc_results.c.tests)).scalars().all()
    assert tests == [T.SPIKE]


def _wavy(n: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    x = np.round(50 + 10 * np.sin(np.arange(n) / 7) + rng.normal(0, 2, n), 1)
    x[20:50] = x[20]  # a flat run of 2.5 h
    x[70] += 400  # spikes
    x[71] = -3
    x[90] = 0
    return x.tolist()


def test_file_by_file_equals_one_batch_equals_rerun(store: Store, settings: Settings) -> None:
    register(store, "HN_NMA_NT01")
    register(store, "HN_NMA_NT02")
    values = _wavy(110, 1)
    tss = [v / 2 for v in values]
    one = series_files("HN_NMA_NT01", local("2024-03-15T00:05"), {"COD": values, "TSS": tss})
    two = series_files("HN_NMA_NT02", local("2024-03-15T00:05"), {"COD": values, "TSS": tss})
    ing = Ingestor(store, settings)
    # station 1: files arrive one by one, some late and out of order
    order = list(range(len(one)))
    order[30], order[60] = order[60], order[30]
    late = order.pop(45)
    for i in order:
        ing.ingest([one[i]])
    ing.ingest([one[late]])
    ing.ingest(two)  # station 2: everything in one batch
    a = flags(store, "HN_NMA_NT01", "COD")
    b = flags(store, "HN_NMA_NT02", "COD")
    assert [f for *_, f in a] == [f for *_, f in b]
    got = [f for *_, f in a]
    assert got[71] == 4 and got[70] == 4 and got[90] == 3  # spike/negative, zero
    # flat line (2 h = 24 intervals): from the 25th equal value on, of a 30-value run
    assert got[20:44] == [1] * 24 and got[44:50] == [3] * 6
    with store.engine.begin() as conn:
        summary = rerun(conn, station_ids=None, start=0, end=2**40, actor="test")
        run = conn.execute(select(qc_runs)).one()
    assert summary["changed"] == 0 and summary["points"] >= 4 * 110
    assert run.actor == "test" and run.changed == 0
    assert flags(store, "HN_NMA_NT01", "COD") == a


def test_cross_parameter_check_rejudges_the_partner(store: Store, settings: Settings) -> None:
    register(store, AIR, "ambient_air")
    ing = Ingestor(store, settings)
    when = local("2024-03-15T10:05")
    ing.ingest([tt10_file(AIR, when, {"PM10": 40})])
    assert [f for *_, f in flags(store, AIR, "PM10")] == [1]
    ing.ingest(
        [
            tt10_file(AIR, when, {"PM2.5": 60}),
            tt10_file(AIR, local("2024-03-15T10:10"), {"PM2.5": 20, "PM10": 40}),
        ]
    )
    assert [f for *_, f in flags(store, AIR, "PM2.5")] == [3, 1]
    assert [f for *_, f in flags(store, AIR, "PM10")] == [3, 1]


def test_station_settings_override_the_defaults(store: Store, settings: Settings) -> None:
    register(store)
    with store.engine.begin() as conn:
        conn.execute(
            stations.update()
            .where(stations.c.code == WW)
            .values(
                settings={"qc": {"parameters": {"COD": {"fail_span": [0, 100], "zero": "off"}}}}
            )
        )
    Ingestor(store, settings).ingest(
        series_files(WW, local("2024-03-15T10:05"), {"COD": [50, 150, 0]})
    )
    assert [f for *_, f in flags(store, WW, "COD")] == [1, 4, 1]


def test_unit_dependent_tests_skip_a_channel_stored_in_another_unit(
    store: Store, settings: Settings
) -> None:
    register(store, AIR, "ambient_air")
    f = tt10_file(AIR, local("2024-03-15T10:05"), {"SO2": 3.0})
    f.content = f.content.replace("µg/m3".encode(), b"ppm")
    Ingestor(store, settings).ingest([f])
    # 3 ppm is not judged against µg/m³ ranges; the point tests that need no unit still run
    assert [f for *_, f in flags(store, AIR, "SO2")] == [1]


def test_manual_flag_with_audit_trail(store: Store, settings: Settings) -> None:
    register(store)
    Ingestor(store, settings).ingest(
        series_files(WW, local("2024-03-15T10:05"), {"COD": [40, 42, 44, 46]})
    )
    sid = series_id(store, WW, "COD")
    assert list(hourly(store, sid).values()) == [(4, pytest.approx(43.0))]
    with store.engine.begin() as conn:
        oid = add_override(
            conn,
            series_id=sid,
            start=epoch("2024-03-15T10:10"),
            end=epoch("2024-03-15T10:15"),
            flag=4,
            reason="sampling line blocked (maintenance log #12)",
            actor="inspector.hn",
        )
    assert [f for *_, f in flags(store, WW, "COD")] == [1, 4, 4, 1]
    assert list(hourly(store, sid).values()) == [(2, pytest.approx(43.0))]
    with store.engine.connect() as conn:
        reasons = flag_reasons(conn, sid, 0, 2**40)
    assert [r["tests"] for r in reasons] == [["manual"], ["manual"]]
    with store.engine.begin() as conn:
        revoke_override(conn, oid, actor="chief.hn", reason="log entry was for another line")
        row = conn.execute(select(qc_overrides)).one()
    assert [f for *_, f in flags(store, WW, "COD")] == [1, 1, 1, 1]
    assert list(hourly(store, sid).values()) == [(4, pytest.approx(43.0))]
    assert (row.actor, row.revoked_by, row.flag) == ("inspector.hn", "chief.hn", 4)
    assert row.reason.startswith("sampling") and row.revoke_reason.startswith("log entry")
    with store.engine.begin() as conn, pytest.raises(ValueError):
        add_override(conn, series_id=sid, start=0, end=1, flag=4, reason=" ", actor="x")


def test_rerun_applies_a_changed_configuration(store: Store, settings: Settings) -> None:
    register(store)
    Ingestor(store, settings).ingest(
        series_files(WW, local("2024-03-15T10:05"), {"COD": [40, 90, 95, 41]})
    )
    sid = series_id(store, WW, "COD")
    assert [f for *_, f in flags(store, WW, "COD")] == [1, 1, 1, 1]
    with store.engine.begin() as conn:
        conn.execute(
            stations.update()
            .where(stations.c.code == WW)
            .values(settings={"qc": {"parameters": {"COD": {"suspect_span": [0, 80]}}}})
        )
    with store.engine.begin() as conn:
        summary = rerun(
            conn,
            station_ids=None,
            start=0,
            end=2**40,
            actor="ops",
            qc=__import__("giamsat.environment.qc_store", fromlist=["x"]).QualityControl(),
        )
    assert summary["changed"] == 2
    assert [f for *_, f in flags(store, WW, "COD")] == [1, 3, 3, 1]
    assert next(iter(hourly(store, sid).values()))[0] == 4  # suspect values stay usable
