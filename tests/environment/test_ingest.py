"""Receive → archive → parse → store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.ingest import Incoming, Ingestor
from giamsat.environment.schema import (
    observation_revisions,
    observations,
    received_files,
    rollup_daily,
    rollup_hourly,
    stations,
)

NAME = "HN_ABCD_NUOC01_20240315103000.txt"


def tt10(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).astimezone(UTC).timestamp())


def count(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_accept_then_duplicate(store: Store, settings: Settings) -> None:
    ing = Ingestor(store, settings)
    content = tt10("COD\t45.3\tmg/L\t20240315103000\t00", "pH\t7.1\t-\t20240315103000\t00")
    [first] = ing.ingest([Incoming(NAME, content)])
    assert (first.outcome, first.observations) == ("accepted", 2)
    [again] = ing.ingest([Incoming(NAME, content)])
    assert (again.outcome, again.observations) == ("duplicate", 0)
    # the same content under another name adds nothing either
    [other] = ing.ingest([Incoming("HN_ABCD_NUOC01_20240315103500.txt", content)])
    assert other.outcome == "duplicate"
    assert count(store, observations) == 2
    assert count(store, received_files) == 3


def test_local_time_is_stored_as_utc(store: Store, settings: Settings) -> None:
    Ingestor(store, settings).ingest([Incoming(NAME, tt10("COD\t1\tmg/L\t20240315103000\t00"))])
    with store.engine.connect() as conn:
        ts = conn.execute(select(observations.c.ts)).scalar_one()
    assert ts == epoch("2024-03-15T10:30:00+07:00")


def test_correction_replaces_values_and_keeps_the_old(store: Store, settings: Settings) -> None:
    ing = Ingestor(store, settings)
    ing.ingest(
        [
            Incoming(
                NAME, tt10("COD\t45.3\tmg/L\t20240315103000\t00", "pH\t7.1\t-\t20240315103000\t00")
            )
        ]
    )
    [fix] = ing.ingest(
        [
            Incoming(
                NAME, tt10("COD\t40\tmg/L\t20240315103000\t00", "pH\t7.1\t-\t20240315103000\t00")
            )
        ]
    )
    assert fix.outcome == "corrected" and fix.observations == 1
    with store.engine.connect() as conn:
        values = dict(conn.execute(select(observations.c.series_id, observations.c.value)).all())
        old = conn.execute(
            select(observation_revisions.c.value, observation_revisions.c.replaced_by_file_id)
        ).all()
        hourly = conn.execute(
            select(rollup_hourly.c.count, rollup_hourly.c.max).order_by(rollup_hourly.c.max)
        ).all()
    assert sorted(values.values()) == [7.1, 40.0]
    assert old == [(45.3, fix.file_id)]
    assert hourly == [(1, 7.1), (1, 40.0)]


def test_rollups_follow_the_end_of_hour_convention(store: Store, settings: Settings) -> None:
    ing = Ingestor(store, settings)
    items = []
    for minute, value in ((5, 1.0), (30, 2.0), (0, 9.0)):
        hour = "11" if minute == 0 else "10"
        stamp = f"20240315{hour}{minute:02d}00"
        items.append(
            Incoming(f"HN_ABCD_NUOC01_{stamp}.txt", tt10(f"COD\t{value}\tmg/L\t{stamp}\t00"))
        )
    # calibrating and device-error values are not usable
    items.append(
        Incoming("HN_ABCD_NUOC01_20240315103500.txt", tt10("COD\t100\tmg/L\t20240315103500\t01"))
    )
    items.append(
        Incoming("HN_ABCD_NUOC01_20240315104000.txt", tt10("COD\t200\tmg/L\t20240315104000\t02"))
    )
    results = ing.ingest(items[:2]) + ing.ingest(items[2:])
    assert all(r.outcome == "accepted" for r in results)
    with store.engine.connect() as conn:
        hourly = conn.execute(
            select(
                rollup_hourly.c.ts,
                rollup_hourly.c.count,
                rollup_hourly.c.min,
                rollup_hourly.c.max,
                rollup_hourly.c.mean,
            )
        ).all()
        daily = conn.execute(
            select(rollup_daily.c.day, rollup_daily.c.count, rollup_daily.c.mean)
        ).all()
    # 10:05, 10:30 and 11:00 local all belong to the hour labelled 11:00 local
    assert hourly == [(epoch("2024-03-15T11:00:00+07:00"), 3, 1.0, 9.0, 4.0)]
    assert daily == [(20240315, 3, 4.0)]


def test_midnight_belongs_to_the_day_before(store: Store, settings: Settings) -> None:
    ing = Ingestor(store, settings)
    ing.ingest(
        [
            Incoming("HN_ABCD_NUOC01_20240316000000.txt", tt10("COD\t1\tmg/L\t20240316000000\t00")),
            Incoming("HN_ABCD_NUOC01_20240316000500.txt", tt10("COD\t2\tmg/L\t20240316000500\t00")),
        ]
    )
    with store.engine.connect() as conn:
        daily = conn.execute(
            select(rollup_daily.c.day, rollup_daily.c.count).order_by(rollup_daily.c.day)
        ).all()
    assert daily == [(20240315, 1), (20240316, 1)]


def test_bad_files_are_rejected_with_reasons_and_kept(store: Store, settings: Settings) -> None:
    ing = Ingestor(store, settings)
    future = datetime.now(UTC).replace(year=datetime.now(UTC).year + 1).strftime("%Y%m%d%H%M%S")
    cases = {
        "binary": ("HN_A_B_20240315103000.txt", b"\x00\xff\x00garbage\x01\x02"),
        "empty": ("HN_A_B_20240315103500.txt", b""),
        "bad_name": ("report.txt", tt10("COD\t1\tmg/L\t20240315103000\t00")),
        "too_large": ("HN_A_B_20240315104000.txt", b"COD\t1\tmg/L\t20240315104000\t00\n" * 700_000),
        "bad_value": ("HN_A_B_20240315104500.txt", tt10("COD\tabc\tmg/L\t20240315104500\t00")),
        "future_time": (f"HN_A_B_{future}.txt", tt10(f"COD\t1\tmg/L\t{future}\t00")),
    }
    results = ing.ingest([Incoming(name, content) for name, content in cases.values()])
    for (reason, _), result in zip(cases.items(), results, strict=True):
        assert result.outcome == "rejected", reason
        assert reason in {p.code for p in result.problems}, (reason, result.problems)
        assert result.quarantined
    with store.engine.connect() as conn:
        recorded = conn.execute(select(received_files.c.outcome, received_files.c.reasons)).all()
    assert [o for o, _ in recorded] == ["rejected"] * len(cases)
    assert all(r for _, r in recorded)
    quarantined = sorted(p.name for p in (settings.home / "quarantine").rglob("*") if p.is_file())
    assert len(quarantined) == 2 * len(cases)
    # every byte is archived, even the 20 MB file
    assert store.archive.get(1) == cases["binary"][1]
    assert len(store.archive.get(4)) == len(cases["too_large"][1])


def test_repeated_lines_and_time_mismatch_are_flagged_but_kept(
    store: Store, settings: Settings
) -> None:
    ing = Ingestor(store, settings)
    [repeated, mismatch] = ing.ingest(
        [
            Incoming(
                NAME, tt10("COD\t1\tmg/L\t20240315103000\t00", "COD\t1\tmg/L\t20240315103000\t00")
            ),
            Incoming("HN_ABCD_NUOC01_20240315120000.txt", tt10("COD\t2\tmg/L\t20240315000000\t00")),
        ]
    )
    assert repeated.outcome == "accepted" and "repeated_line" in {p.code for p in repeated.problems}
    assert mismatch.outcome == "accepted" and "time_mismatch" in {p.code for p in mismatch.problems}
    assert repeated.quarantined and mismatch.quarantined


def test_unregistered_station_is_created(store: Store, settings: Settings) -> None:
    [result] = Ingestor(store, settings).ingest(
        [Incoming("QN_XYZ_KK01_20240315103000.txt", tt10("PM2,5\t12\tug/m3\t20240315103000\t00"))]
    )
    assert result.outcome == "accepted"
    with store.engine.connect() as conn:
        row = conn.execute(
            select(stations.c.code, stations.c.registered, stations.c.component)
        ).one()
    assert tuple(row) == ("QN_XYZ_KK01", False, "ambient_air")


def test_unit_conversion_only_where_exact(store: Store, settings: Settings) -> None:
    from giamsat.environment.stations import upsert_station

    with store.engine.begin() as conn:
        upsert_station(conn, {"code": "HN_KK_01", "component": "ambient_air"})
    [result] = Ingestor(store, settings).ingest(
        [
            Incoming(
                "HN_KK_01_20240315103000.txt",
                tt10("CO\t1.5\tmg/m3\t20240315103000\t00", "SO2\t3\tppm\t20240315103000\t00"),
            )
        ]
    )
    with store.engine.connect() as conn:
        values = sorted(conn.execute(select(observations.c.value)).scalars())
    assert values == [
        3.0,
        1500.0,
    ]  # CO mg/m3 -> µg/m3 exactly; ppm cannot be converted without T and P
    assert [p.code for p in result.problems] == ["unit"]


def test_receive_then_process_is_idempotent(store: Store, settings: Settings) -> None:
    ing = Ingestor(store, settings)
    ids = ing.receive([Incoming(NAME, tt10("COD\t1\tmg/L\t20240315103000\t00"))])
    assert ing.pending() == ids
    assert [r.outcome for r in ing.process(ids)] == ["accepted"]
    assert ing.process(ids) == []  # processed files are not processed again
    assert ing.pending() == []
    assert count(store, observations) == 1


def test_last_file_time_is_the_arrival_of_the_latest_file(store: Store, settings: Settings) -> None:
    ing = Ingestor(store, settings)
    late, early = epoch("2024-03-15T12:00:00+07:00"), epoch("2024-03-15T11:00:00+07:00")
    ing.ingest([Incoming(NAME, tt10("COD\t1\tmg/L\t20240315103000\t00"), received_at=late)])
    ing.ingest(
        [
            Incoming(
                "HN_ABCD_NUOC01_20240315102500.txt",
                tt10("COD\t1\tmg/L\t20240315102500\t00"),
                received_at=early,
            )
        ]
    )
    with store.engine.connect() as conn:
        row = conn.execute(select(stations.c.last_file_at, stations.c.last_obs_ts)).one()
    assert tuple(row) == (late, epoch("2024-03-15T10:30:00+07:00"))
