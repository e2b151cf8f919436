"""Online QC on ingest gives the flags of the classic window evaluation and of a re-run.

Segments judged together equal each series judged alone (random data); ingest file by file
(online states), in one batch, and file by file with a fresh process state every few files
(states read back from the store) end with the same flags, test bits, rollups, completeness and
live alerts — and a QC re-run over the period changes nothing.
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import text

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment import qc_batch as B
from giamsat.environment import qc_tests as T
from giamsat.environment.aqi import rebuild
from giamsat.environment.exceedance_live import update_alerts
from giamsat.environment.ingest import Incoming, Ingestor
from giamsat.environment.qc import Channel, evaluate_channel
from giamsat.environment.qc_config import FlatLine, RateOfChange, Rules, Spike
from giamsat.environment.qc_store import add_override, rerun
from giamsat.environment.stations import upsert_station

from .tt10_helpers import local, series_files

RULES = [
    Rules(
        fail_span=(0, 500),
        suspect_span=(0, 200),
        negative=T.FAIL,
        zero=T.SUSPECT,
        flat_line=FlatLine(1500, 3000, 0.0),
        spike=Spike(20, 60, "differential", 3),
        rate_of_change=RateOfChange(0.05, 0.2),
    ),
    Rules(
        flat_line=FlatLine(1200, 2400, 0.5),
        spike=Spike(5, None, "average", None),
        rate_of_change=RateOfChange(0.01, None),
    ),
    Rules(negative=T.SUSPECT, flat_line=FlatLine(900, 600, 0.0)),
    Rules(enabled=False),
]


def _series(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gaps = rng.choice([300, 300, 300, 600, 1800], n)
    ts = 1_700_000_000 + np.cumsum(gaps)
    x = np.round(rng.normal(50, 15, n), 0)
    for _ in range(3):  # flat runs
        a = int(rng.integers(0, n))
        x[a : a + int(rng.integers(2, 15))] = x[a]
    x[rng.random(n) < 0.05] = np.nan
    x[rng.random(n) < 0.05] = -3
    x[rng.random(n) < 0.05] = 0
    x[rng.random(n) < 0.05] += 300
    status = rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 2], n).astype(np.int16)
    return ts, x, status


@pytest.mark.parametrize("rules", RULES)
def test_segments_judged_together_equal_each_judged_alone(rules: Rules) -> None:
    rng = np.random.default_rng(3)
    parts = [_series(rng, int(rng.integers(1, 40))) for _ in range(60)]
    lengths = [len(p[0]) for p in parts]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    x = np.concatenate([p[1] for p in parts])
    t = np.concatenate([p[0] for p in parts])
    status = np.concatenate([p[2] for p in parts])
    R, eligible = B.evaluate_segments(x, t, status, starts, np.zeros(len(parts), int), rules, 300)
    flag, tests = B.finish(R, status)
    for k, (ts, value, st) in enumerate(parts):
        alone = evaluate_channel(Channel(1, "X", "", ts, value, st), rules, 300)
        from giamsat.environment.qc import _finish

        _finish(alone, st)
        sl = slice(starts[k], starts[k] + lengths[k])
        assert flag[sl].tolist() == alone.flag.tolist(), k
        assert tests[sl].tolist() == alone.tests.tolist(), k
        assert eligible[sl].tolist() == alone.eligible.tolist(), k


WW, AIR = "HN_NMA_NT", "HN_KK_0"


def _wastewater(n: int) -> dict[str, list]:
    rng = np.random.default_rng(5)
    cod = np.round(60 + 10 * np.sin(np.arange(n) / 9) + rng.normal(0, 2, n), 1)
    cod[20:50] = cod[20]  # flat run: suspect after 2 h
    cod[70] += 400  # spike
    cod[71] = -3  # negative
    cod[90] = 0  # zero
    cod[130] = cod[129]  # equal neighbours
    ph = np.round(7 + rng.normal(0, 0.1, n), 2)
    ph[100] = 9.5  # spike and rate of change
    values: dict[str, list] = {"COD": cod.tolist(), "pH": ph.tolist()}
    values["COD"][60] = (61.0, 1)  # calibrating
    values["COD"][61] = (61.0, 2)  # device error
    values["pH"][110] = None  # missing from a file
    return values


def _air(n: int) -> dict[str, list]:
    rng = np.random.default_rng(6)
    pm25 = np.round(40 + rng.normal(0, 5, n), 1)
    pm10 = np.round(70 + rng.normal(0, 5, n), 1)
    pm25[30:34] = 90  # PM2.5 > PM10: cross check
    no2 = np.round(150 + 80 * np.sin(np.arange(n) / 20), 1)  # over the 1-h limit at times
    return {"PM2.5": pm25.tolist(), "PM10": pm10.tolist(), "NO2": no2.tolist()}


def _snapshot(store: Store, suffix: str) -> dict[str, object]:
    """Everything QC decides for the stations ending in ``suffix``, station code stripped."""
    out: dict[str, object] = {}
    with store.engine.connect() as conn:
        where = "WHERE st.code LIKE :c"
        join = (
            "JOIN series s ON s.id = x.series_id JOIN stations st ON st.id = s.station_id "
            "JOIN parameters p ON p.id = s.parameter_id "
        )
        c = {"c": f"%{suffix}"}
        for name, cols, table in (
            ("obs", "x.ts, x.value, x.status, x.flag", "observations"),
            ("qc", "x.ts, x.flag, x.tests", "qc_results"),
            ("hourly", "x.ts, x.count, x.mean", "rollup_hourly"),
            ("daily", "x.day, x.count, x.mean", "rollup_daily"),
            ("completeness", "x.day, x.received, x.valid", "completeness_daily"),
        ):
            rows = conn.execute(
                text(
                    f"SELECT substr(st.code, 1, length(st.code) - 1), p.code, {cols} "
                    f"FROM {table} x {join}{where} ORDER BY 1, 2, 3"
                ),
                c,
            ).all()
            out[name] = [tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows]
        for table, cols in (
            ("aqi_hourly", "ts, aqi, dominant"),
            ("aqi_daily", "day, aqi, dominant"),
        ):
            out[table] = [
                tuple(r)
                for r in conn.execute(
                    text(
                        f"SELECT substr(st.code, 1, length(st.code) - 1), {cols} FROM {table} x "
                        f"JOIN stations st ON st.id = x.station_id {where} ORDER BY 1, 2"
                    ),
                    c,
                )
            ]
        out["alerts"] = sorted(
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT substr(asset_id, 1, length(asset_id) - 1), rule, parameter, severity, "
                    "value, limit_value FROM alerts WHERE state != 'resolved' AND asset_id LIKE :c"
                ),
                c,
            )
        )
        last = conn.execute(
            text(
                "SELECT p.code, s.last_flag FROM series s JOIN stations st ON st.id = s.station_id "
                "JOIN parameters p ON p.id = s.parameter_id WHERE st.code LIKE :c ORDER BY 1"
            ),
            c,
        ).all()
        out["last_flag"] = [tuple(r) for r in last]
    return out


def test_file_by_file_batch_and_fresh_states_agree_with_rerun(
    store: Store, settings: Settings
) -> None:
    n = 150
    with store.engine.begin() as conn:
        for tag in "ABC":
            upsert_station(conn, {"code": WW + tag, "component": "wastewater"})
            upsert_station(conn, {"code": AIR + tag, "component": "ambient_air"})
    start = local("2024-03-15T00:05")
    files = {
        tag: series_files(WW + tag, start, _wastewater(n)) + series_files(AIR + tag, start, _air(n))
        for tag in "ABC"
    }
    # A: one file at a time in time order (both stations interleaved), one process state;
    # a late file and a swapped pair go the classic way and re-seed the state
    by_time = sorted(range(2 * n), key=lambda i: (i % n, i // n))
    late = by_time.pop(80)
    by_time[100], by_time[102] = by_time[102], by_time[100]
    ing = Ingestor(store, settings)
    for i in by_time:
        ing.ingest([files["A"][i]])
    ing.ingest([files["A"][late]])
    counts = ing.after_write.__self__.counts  # type: ignore[attr-defined]
    assert counts["online"] > 5 * counts["classic"] > 0
    # B: everything in one batch
    Ingestor(store, settings).ingest(files["B"])
    # C: batches of 3 files, with a new ingestor (states read from the store) every 15 files
    ordered = sorted(range(2 * n), key=lambda i: (i % n, i // n))
    for k in range(0, len(ordered), 15):
        ing = Ingestor(store, settings)
        for j in range(k, min(k + 15, len(ordered)), 3):
            ing.ingest([files["C"][i] for i in ordered[j : j + 3]])
    a, b, c = _snapshot(store, "A"), _snapshot(store, "B"), _snapshot(store, "C")
    for key in a:
        assert a[key] == b[key], key
        assert c[key] == b[key], key
    flags = [r[5] for r in a["obs"] if r[1] == "COD"]  # type: ignore[index]
    assert flags[70] == 4 and flags[71] == 4 and flags[90] == 3 and flags[44:50] == [3] * 6
    assert [r for r in a["qc"] if r[4] & T.CROSS]  # type: ignore[index]
    assert a["alerts"] and a["aqi_hourly"]
    with store.engine.begin() as conn:
        summary = rerun(conn, station_ids=None, start=0, end=2**40, actor="test")
        # the alert rules and the AQI again, reading the store (no batch cache)
        for code in (WW + "A", AIR + "A"):
            st = conn.execute(text("SELECT * FROM stations WHERE code = :c"), {"c": code}).one()
            update_alerts(conn, st, now=int(time.time()))
    assert summary["changed"] == 0
    rebuild(store, [AIR + "A"])
    assert _snapshot(store, "A") == a


def test_manual_flag_reaches_values_judged_online(store: Store, settings: Settings) -> None:
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": WW + "A", "component": "wastewater"})
    files = series_files(WW + "A", local("2024-03-15T00:05"), _wastewater(150))[:40]
    ing = Ingestor(store, settings)
    for f in files[:20]:
        ing.ingest([f])
    with store.engine.begin() as conn:
        sid = conn.execute(
            text("SELECT s.id FROM series s JOIN parameters p ON p.id = s.parameter_id "
                 "WHERE p.code = 'COD'")
        ).scalar_one()  # fmt: skip
        t0 = int(local("2024-03-15T01:30").timestamp())
        add_override(conn, series_id=sid, start=t0, end=2**40, flag=4, reason="r", actor="me")
    for f in files[20:]:
        ing.ingest([f])
    counts = ing.after_write.__self__.counts  # type: ignore[attr-defined]
    assert counts["online"] > 30
    with store.engine.connect() as conn:
        got = conn.execute(
            text("SELECT ts, flag FROM observations WHERE series_id = :s ORDER BY ts"), {"s": sid}
        ).all()
    assert all(f == 4 for t, f in got if t >= t0) and any(f != 4 for t, f in got if t < t0)
    with store.engine.begin() as conn:
        assert rerun(conn, station_ids=None, start=0, end=2**40)["changed"] == 0


def test_classic_window_rejudges_the_last_value_the_time_tests_saw(
    store: Store, settings: Settings
) -> None:
    """A cross partner already stored at the new time sends the station the classic way; the
    spike before a failed value must still be judged with its new neighbour, as a re-run does."""
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": AIR + "A", "component": "ambient_air"})
    start = local("2024-03-15T10:05")
    ing = Ingestor(store, settings)
    ing.ingest(series_files(AIR + "A", start, {"PM2.5": [50, 52, 51, 200, -5], "PM10": [900] * 5}))
    later = local("2024-03-15T10:30")
    ing.ingest(series_files(AIR + "A", later, {"PM10": [900]}))
    ing.ingest(series_files(AIR + "A", later, {"PM2.5": [49]}))
    counts = ing.after_write.__self__.counts  # type: ignore[attr-defined]
    assert counts["classic"] >= 1
    with store.engine.connect() as conn:
        got = conn.execute(
            text(
                "SELECT o.value, o.flag FROM observations o JOIN series s ON s.id = o.series_id "
                "JOIN parameters p ON p.id = s.parameter_id WHERE p.code = 'PM2.5' ORDER BY o.ts"
            )
        ).all()
    assert [f for _, f in got] == [1, 1, 1, 3, 4, 1]  # 200: spike; -5: negative
    with store.engine.begin() as conn:
        assert rerun(conn, station_ids=None, start=0, end=2**40)["changed"] == 0


def test_a_batch_that_stores_nothing_leaves_the_states_as_they_were(
    store: Store, settings: Settings
) -> None:
    """Values that conflict with stored ones are not stored: what QC staged for them must not
    become the state the next values are judged with."""
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": WW + "A", "component": "wastewater"})
    start = local("2024-03-15T10:05")
    values = [50, 52, 51, 53, 50, 52, 51, 53, 52, 50]
    files = series_files(WW + "A", start, {"COD": [*values, 900, 51]})
    ing = Ingestor(store, settings)
    ing.ingest(files[:10])
    name_stamp = (start + timedelta(minutes=50)).strftime("%Y%m%d%H%M%S")
    line_stamp = (start + timedelta(minutes=45)).strftime("%Y%m%d%H%M%S")
    clash = Incoming(f"{WW}A_{name_stamp}.txt", f"COD\t999\tmg/L\t{line_stamp}\t00\r\n".encode())
    (result,) = ing.ingest([clash])
    assert result.observations == 0 and any(p.code == "conflicts_stored" for p in result.problems)
    for f in files[10:]:
        ing.ingest([f])
    with store.engine.connect() as conn:
        got = [r[0] for r in conn.execute(text("SELECT flag FROM observations ORDER BY ts"))]
    assert got[10] == 4  # the spike at 900 (judged with 50 before and 51 after)
    with store.engine.begin() as conn:
        assert rerun(conn, station_ids=None, start=0, end=2**40)["changed"] == 0
