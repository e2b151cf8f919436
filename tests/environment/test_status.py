"""Live station status, the dashboard counts, and the silence alert."""

from __future__ import annotations

import time

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.store import Store
from giamsat.environment.ingest import Ingestor
from giamsat.environment.schema import stations
from giamsat.environment.stations import upsert_station
from giamsat.environment.status import station_statuses, status_summary, update_silence_alerts

from .tt10_helpers import local, series_files

GOOD, ERR, CAL, EXC, OLD = "HN_A_GOOD", "HN_A_ERR", "HN_A_CAL", "HN_A_EXC", "HN_A_OLD"


def setup_stations(store: Store, settings: Settings) -> None:
    with store.engine.begin() as conn:
        for code in (GOOD, ERR, CAL, EXC, OLD):
            upsert_station(
                conn,
                {
                    "code": code,
                    "component": "wastewater",
                    "permit_standard": "QCVN40_2011",
                    "permit_column": "B",
                    "permit_coefficients": {"Kq": 0.9, "Kf": 1.1},  # COD max 148.5
                },
            )
    start = local("2024-03-15T10:05")
    ing = Ingestor(store, settings)
    ing.ingest(series_files(GOOD, start, {"COD": [100] * 12, "pH": [7.0] * 12}))
    ing.ingest(series_files(ERR, start, {"COD": [100] * 12, "pH": [7.0] * 11 + [(7.0, 2)]}))
    ing.ingest(series_files(CAL, start, {"COD": [100] * 11 + [(100, 1)], "pH": [7.0] * 12}))
    # hourly mean 150 > 148.5 (and every raw value too)
    ing.ingest(series_files(EXC, start, {"COD": [150] * 12, "pH": [7.0] * 12}))
    # a station that stopped sending: pretend its last file came 2 hours ago
    ing.ingest(series_files(OLD, start, {"COD": [100] * 12}))
    with store.engine.begin() as conn:
        conn.execute(
            stations.update()
            .where(stations.c.code == OLD)
            .values(last_file_at=int(time.time()) - 2 * 3600)
        )


def test_statuses_and_summary(store: Store, settings: Settings) -> None:
    setup_stations(store, settings)
    statuses = {s.code: s for s in station_statuses(store, settings=settings)}
    assert {c: s.status for c, s in statuses.items()} == {
        GOOD: "good",
        ERR: "device_error",
        CAL: "calibrating",
        EXC: "exceeding",
        OLD: "disconnected",
    }
    assert statuses[ERR].device_error == ["pH"] and statuses[CAL].calibrating == ["COD"]
    [exc] = statuses[EXC].exceeding
    assert exc["parameter"] == "COD" and exc["value"] == 150
    assert exc["limit"] == 148.5 and exc["ratio"] == round(150 / 148.5, 4)
    assert statuses[OLD].last_file_at is not None
    summary = status_summary(list(statuses.values()))
    assert summary == {
        "total": 5,
        "disconnected": 1,
        "connected": 4,
        "good": 1,
        "exceeding": 1,
        "device_error": 1,
        "calibrating": 1,
    }


def test_disconnect_period_is_configurable(store: Store, settings: Settings) -> None:
    setup_stations(store, settings)
    later = int(time.time()) + 90 * 60
    assert {s.status for s in station_statuses(store, later, [GOOD], settings)} == {"disconnected"}
    lenient = Settings(home=settings.home, disconnect_minutes=180)
    assert station_statuses(store, later, [GOOD], lenient)[0].status == "good"
    with store.engine.begin() as conn:  # a station may set its own period
        conn.execute(
            stations.update()
            .where(stations.c.code == GOOD)
            .values(settings={"disconnect_minutes": 240})
        )
    assert station_statuses(store, later, [GOOD], settings)[0].status == "good"


def test_silence_alert_opens_once_and_resolves_when_data_returns(
    store: Store, settings: Settings
) -> None:
    setup_stations(store, settings)
    now = int(time.time())
    assert update_silence_alerts(store, now + 11 * 3600, settings) == {"opened": 1, "resolved": 0}
    assert update_silence_alerts(store, now + 13 * 3600, settings)["opened"] == 4
    assert update_silence_alerts(store, now + 14 * 3600, settings)["opened"] == 0  # no repeats
    with store.engine.connect() as conn:
        live, total = alerts.query_alerts(conn, rule="silence", state=["open"])
    assert total == 5 and all(a["occurrences"] == 1 for a in live)
    Ingestor(store, settings).ingest(series_files(GOOD, local("2024-03-15T11:05"), {"COD": [90]}))
    with store.engine.connect() as conn:
        open_now = {
            a["asset_id"] for a in alerts.query_alerts(conn, rule="silence", state="open")[0]
        }
        resolved = alerts.query_alerts(conn, rule="silence", state="resolved")[0]
    assert GOOD not in open_now and [a["asset_id"] for a in resolved] == [GOOD]
    # the periodic check resolves stations whose files are recent again
    with store.engine.begin() as conn:
        conn.execute(stations.update().where(stations.c.code == OLD).values(last_file_at=now))
    assert update_silence_alerts(store, now + 60, settings) == {"opened": 0, "resolved": 4}
    with store.engine.connect() as conn:
        assert alerts.query_alerts(conn, rule="silence", state="open")[1] == 0
