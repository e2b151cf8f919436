"""The shared alert lifecycle on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from giamsat.core import alerts
from giamsat.core.store import Store
from giamsat.core.store.schema import alert_events, provinces


@pytest.fixture
def heard():
    events: list[dict] = []
    alerts.add_listener(events.append)
    yield events
    alerts.remove_listener(events.append)


def _raise(conn, **kw):
    args = {
        "domain": "environment",
        "asset_kind": "station",
        "asset_id": "HN_A_B",
        "rule": "exceedance",
        "parameter": "COD",
        "severity": "warning",
        "value": 80.0,
        "limit_value": 75.0,
    }
    args.update(kw)
    return alerts.raise_alert(conn, **args)


def test_one_live_alert_per_key_and_lifecycle(store: Store, heard: list[dict]) -> None:
    with store.engine.begin() as conn:
        first = _raise(conn)
        again = _raise(conn, value=90.0, severity="major")
        other = _raise(conn, parameter="TSS")
    assert first == again != other
    with store.engine.begin() as conn:
        rows, total = alerts.query_alerts(conn, asset_ids=["HN_A_B"])
        assert total == 2
        cod = next(r for r in rows if r["parameter"] == "COD")
        assert (cod["occurrences"], cod["value"], cod["severity"], cod["state"]) == (
            2,
            90.0,
            "major",
            "open",
        )
        alerts.acknowledge_alert(conn, first, "operator1", "looking")
        with pytest.raises(ValueError):
            alerts.acknowledge_alert(conn, first, "operator1")
        # a repeat while acknowledged updates the same alert, still acknowledged
        assert _raise(conn, value=95.0) == first
        assert (
            alerts.resolve_matching(
                conn, asset_kind="station", asset_id="HN_A_B", rule="exceedance", parameter="COD"
            )
            == first
        )
        # after resolution the next occurrence is a new alert
        reopened = _raise(conn)
        assert reopened != first
        actions = [
            r.action
            for r in conn.execute(
                select(alert_events.c.action)
                .where(alert_events.c.alert_id == first)
                .order_by(alert_events.c.id)
            )
        ]
        history = alerts.alert_history(conn, first)
    assert actions == ["opened", "updated", "acknowledged", "updated", "resolved"]
    assert history[2]["actor"] == "operator1" and history[2]["note"] == "looking"
    assert [(e["alert_id"], e["action"]) for e in heard] == [
        (first, "opened"),
        (first, "updated"),
        (other, "opened"),
        (first, "acknowledged"),
        (first, "updated"),
        (first, "resolved"),
        (reopened, "opened"),
    ]
    assert heard[-1]["alert"]["state"] == "open"


def test_listeners_hear_nothing_from_a_rolled_back_transaction(
    store: Store, heard: list[dict]
) -> None:
    with pytest.raises(RuntimeError), store.engine.begin() as conn:
        _raise(conn)
        raise RuntimeError("rule failed")
    assert heard == []
    with store.engine.connect() as conn:
        assert alerts.query_alerts(conn)[1] == 0


def test_listeners_are_called_after_commit(store: Store) -> None:
    seen_in_db: list[int] = []

    def check(event: dict) -> None:  # another connection must already see the row
        with store.engine.connect() as other:
            seen_in_db.append(alerts.query_alerts(other)[1])

    alerts.add_listener(check)
    try:
        with store.engine.begin() as conn:
            _raise(conn)
    finally:
        alerts.remove_listener(check)
    assert seen_in_db == [1]


def test_query_filters_and_paging(store: Store) -> None:
    t0 = datetime(2024, 3, 1, tzinfo=UTC)
    with store.engine.begin() as conn:
        hn = conn.execute(provinces.insert().values(code="HN", name="Hà Nội")).inserted_primary_key[
            0
        ]
        hcm = conn.execute(provinces.insert().values(code="HCM")).inserted_primary_key[0]
        for i in range(5):
            _raise(
                conn,
                asset_id=f"HN_A_{i}",
                province_id=hn,
                rule="silence",
                parameter="",
                at=t0 + timedelta(days=i),
            )
        _raise(conn, asset_id="HCM_A_1", province_id=hcm, at=t0 + timedelta(days=10))
        _raise(
            conn,
            domain="maritime",
            asset_kind="aton",
            asset_id="574000001",
            rule="low_voltage",
            parameter="voltage",
            at=t0,
        )
        assert alerts.query_alerts(conn, province_ids=[hn])[1] == 5
        assert alerts.query_alerts(conn, rule="exceedance")[1] == 1
        assert alerts.query_alerts(conn, domain="maritime")[1] == 1
        page, total = alerts.query_alerts(conn, rule="silence", limit=2, offset=1)
        assert total == 5 and [r["asset_id"] for r in page] == ["HN_A_3", "HN_A_2"]
        window, n = alerts.query_alerts(
            conn,
            start=int((t0 + timedelta(days=1)).timestamp()),
            end=t0 + timedelta(days=3, hours=1),
        )
        assert n == 3 and {r["asset_id"] for r in window} == {"HN_A_1", "HN_A_2", "HN_A_3"}
        with pytest.raises(ValueError):
            _raise(conn, severity="apocalyptic")


def test_every_new_engine_gets_the_delivery_hooks() -> None:
    """A new pool can sit at a collected one's address; it must still be hooked (the
    intermittent 'listener never called' failure on PostgreSQL)."""
    from sqlalchemy import create_engine

    for _ in range(1000):
        engine = create_engine("sqlite://")
        alerts._hook(engine)
        assert alerts._on_checkin in list(engine.pool.dispatch.checkin)
        assert alerts._on_commit in list(engine.dispatch.commit)
        engine.dispose()
        del engine
