"""Completeness (transmission rate) on crafted days: gaps, calibration, late files, 80% rule."""

from __future__ import annotations

import pytest

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.completeness import below_target, completeness, local_midnight
from giamsat.environment.ingest import Ingestor
from giamsat.environment.stations import upsert_station

from .tt10_helpers import epoch, local, series_files

A, B = "HN_NMA_NT01", "HN_NMB_NT01"
DAY = local("2024-03-15T00:05")
START, END = local_midnight("2024-03-15"), local_midnight("2024-03-17")


def day_values(n: int = 288, base: float = 40.0) -> list[float]:
    return [base + (i % 7) for i in range(n)]


@pytest.fixture
def two_days(store: Store, settings: Settings) -> Store:
    with store.engine.begin() as conn:
        for code in (A, B):
            upsert_station(conn, {"code": code, "component": "wastewater"})
    cod = day_values(2 * 288)
    # station A: a 2-hour gap on day 1 (slots 100–123), 12 calibration values on day 2,
    # one failed value (negative) on day 2; pH only on day 2
    for i in range(100, 124):
        cod[i] = None
    for i in range(300, 312):
        cod[i] = (cod[i], 1)
    cod[400] = -1
    ph = [None] * 288 + [7.0 + (i % 3) / 10 for i in range(288)]
    files = series_files(A, DAY, {"COD": cod, "pH": ph}, received_delay=60)
    # ten of A's files on day 1 arrive 3 hours late
    for f in files[10:20]:
        f.received_at += 3 * 3600
    # station B sends only the first half of day 1
    files += series_files(B, DAY, {"COD": day_values(144)}, received_delay=60)
    Ingestor(store, settings).ingest(files)
    return store


def by_key(rows: list[dict]) -> dict[tuple[str, str, str], dict]:
    return {(r["station"], r["parameter"], r["period"]): r for r in rows}


def test_daily_coverage_shape_and_counts(two_days: Store) -> None:
    now = END + 3600
    rows = by_key(completeness(two_days, None, START, END, "day", now=now))
    day1 = rows[(A, "COD", "2024-03-15")]
    assert set(day1) == {
        "station", "parameter", "period", "datetime_from", "datetime_to", "expected_count",
        "expected_interval", "observed_count", "observed_interval", "valid_count", "late_count",
        "percent_complete", "percent_valid", "percent_coverage",
    }  # fmt: skip
    assert day1["datetime_from"] == "2024-03-15T00:00:00+07:00"
    assert day1["datetime_to"] == "2024-03-16T00:00:00+07:00"
    assert (day1["expected_count"], day1["observed_count"], day1["valid_count"]) == (288, 264, 264)
    assert day1["expected_interval"] == "24:00:00" and day1["observed_interval"] == "22:00:00"
    assert day1["percent_complete"] == pytest.approx(91.67)
    assert day1["late_count"] == 10
    day2 = rows[(A, "COD", "2024-03-16")]
    # calibration values are received but not valid; so is the failed one
    assert (day2["observed_count"], day2["valid_count"]) == (288, 288 - 12 - 1)
    assert day2["percent_valid"] == pytest.approx(100 * 275 / 288, abs=0.01)
    assert day2["late_count"] == 0
    # pH started on day 2: day 1 is not reported for it
    assert (A, "pH", "2024-03-15") not in rows
    assert rows[(A, "pH", "2024-03-16")]["percent_complete"] == 100.0
    assert rows[(B, "COD", "2024-03-15")]["percent_complete"] == 50.0
    assert rows[(B, "COD", "2024-03-16")]["observed_count"] == 0  # silent all day: 0 %


def test_late_threshold_is_configurable(two_days: Store) -> None:
    rows = by_key(completeness(two_days, [A], START, END, "day", now=END, late_hours=4))
    assert rows[(A, "COD", "2024-03-15")]["late_count"] == 0


def test_monthly_and_expected_stops_at_now(two_days: Store) -> None:
    month = by_key(completeness(two_days, [A], START, END, "month", now=END))
    m = month[(A, "COD", "2024-03")]
    assert (m["expected_count"], m["observed_count"], m["valid_count"]) == (576, 552, 539)
    assert m["datetime_from"] == "2024-03-15T00:00:00+07:00"
    # at 12:00 on day 2 only 144 slots of that day were expected so far
    noon = epoch("2024-03-16T12:00")
    rows = by_key(completeness(two_days, [A], START, END, "day", now=noon))
    assert rows[(A, "COD", "2024-03-16")]["expected_count"] == 144


def test_below_target_report(two_days: Store) -> None:
    report = below_target(two_days, START, END, 80.0, now=END)
    assert [r["station"] for r in report] == [B]
    assert report[0]["percent_complete"] == 25.0 and report[0]["parameters_below"] == ["COD"]
    strict = below_target(two_days, START, END, 98.0, now=END)  # A: (552 + 288) / 864
    assert [r["station"] for r in strict] == [B, A]
    valid = below_target(two_days, START, END, 96.0, now=END, measure="valid")
    assert A in [r["station"] for r in valid]


def test_defaults_come_from_settings(two_days: Store) -> None:
    assert Settings().completeness_target_percent == 80.0
    assert [r["station"] for r in below_target(two_days, START, END, now=END)] == [B]


def test_midnight_value_belongs_to_the_day_before(store: Store, settings: Settings) -> None:
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": A})
    Ingestor(store, settings).ingest(
        series_files(A, local("2024-03-15T23:55"), {"COD": [1.0, 2.0, 3.0]})
    )
    rows = by_key(completeness(store, [A], START, END, "day", now=END))
    assert rows[(A, "COD", "2024-03-15")]["observed_count"] == 2  # 23:55 and 24:00
    assert rows[(A, "COD", "2024-03-16")]["observed_count"] == 1


def test_corrections_do_not_count_twice(store: Store, settings: Settings) -> None:
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": A})
    ing = Ingestor(store, settings)
    files = series_files(A, DAY, {"COD": [10.0, 11.0]})
    ing.ingest(files)
    fixed = series_files(A, DAY, {"COD": [(12.0, 1)]})
    [result] = ing.ingest(fixed)
    assert result.outcome == "corrected"
    rows = by_key(completeness(store, [A], START, START + 86400, "day", now=END))
    assert (
        rows[(A, "COD", "2024-03-15")]["observed_count"],
        rows[(A, "COD", "2024-03-15")]["valid_count"],
    ) == (2, 1)
