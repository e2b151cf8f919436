"""Routing alert events into the outbox on both back ends: filters and visibility, once per
alert and severity, resolutions, quiet hours, digests per province, escalation, restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.notify import routing
from giamsat.core.notify.router import Router
from giamsat.core.notify.schema import notify_escalations, notify_outbox
from giamsat.core.store import Store
from giamsat.core.store.schema import alert_events
from tests.notify.conftest import aton_alert, outbox_rows, setup_network, station_alert, subscribe

# 23:00 in Viet Nam (UTC+7) on 15 March 2024
NIGHT = datetime(2024, 3, 15, 16, 0, tzinfo=UTC)


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    return setup_network(store)


def route(store: Store, settings: Settings, now: datetime | None = None) -> Router:
    router = Router(store, settings)
    router.route_pending(now)
    return router


def test_alerts_reach_the_subscribers_allowed_to_see_them_once(store, settings, ids) -> None:
    hn_role = subscribe(store, channel="email", role="province")
    everything = subscribe(store, channel="email", user_id=ids["ministry"])
    enterprise = subscribe(store, channel="email", user_id=ids["nma"])
    operators = subscribe(store, channel="web", role="operator")
    station_alert(store, "HN_NMA_NT01")
    station_alert(store, "BD_CHENG_NT01")
    aton_alert(store)
    route(store, settings)
    got = {(r["subscription_id"], r["destination"], r["alert_id"]) for r in outbox_rows(store)}
    assert got == {
        (hn_role, "hanoi@example.vn", 1),
        (everything, "ministry@example.vn", 1),
        (everything, "ministry@example.vn", 2),
        (everything, "ministry@example.vn", 3),
        (enterprise, "nma@example.vn", 1),  # NMA's own station only
        (operators, f"user:{ids['operator']}", 3),  # maritime only
        (operators, f"user:{ids['operator2']}", 3),
    }
    # routing again (a restart re-reading the trail) and repeats of the same severity add nothing
    route(store, settings)
    station_alert(store, "HN_NMA_NT01")  # same severity: an update, no new message
    route(store, settings)
    assert len(outbox_rows(store)) == 7
    # worse: the subscribers hear about it once more
    aton_alert(store, severity="critical", value=9.1)
    route(store, settings)
    raised = outbox_rows(store, kind="raised")
    assert {r["destination"] for r in raised} == {
        "ministry@example.vn",
        f"user:{ids['operator']}",
        f"user:{ids['operator2']}",
    }
    assert all(r["severity"] == "critical" for r in raised)
    [en] = [r for r in raised if r["destination"] == f"user:{ids['operator2']}"]
    assert en["language"] == "en" and en["subject"] == "Critical: AtoN low voltage"


def test_filters_domain_rule_severity_and_scope(store, settings, ids) -> None:
    admin = ids["admin"]
    subs = {
        "maritime": subscribe(store, channel="email", user_id=admin, domain="maritime"),
        "light": subscribe(store, channel="email", user_id=admin, rules=["aton_light_failure"]),
        "critical": subscribe(store, channel="email", user_id=admin, min_severity="critical"),
        "province": subscribe(store, channel="email", user_id=admin, scope_kind="province", scope_values=["BD"]),
        "station": subscribe(store, channel="email", user_id=admin, scope_kind="station", scope_values=["HN_QT_KK01"]),
        "aton": subscribe(store, channel="email", user_id=admin, scope_kind="aton", scope_values=["992351002"]),
        "zone": subscribe(store, channel="email", user_id=admin, scope_kind="zone", scope_values=["Luồng Hải Phòng"]),
        "group": subscribe(store, channel="email", user_id=admin, scope_kind="vessel_group", scope_values=["Tàu dầu"]),
    }  # fmt: skip
    station_alert(store, "HN_NMA_NT01", severity="major")  # 1
    station_alert(store, "BD_CHENG_NT01", severity="warning")  # 2
    station_alert(store, "HN_QT_KK01", parameter="PM10", severity="critical")  # 3
    aton_alert(store, mmsi="992351002", rule="aton_light_failure", severity="warning")  # 4
    with store.write() as conn:
        alerts.raise_alert(conn, domain="maritime", asset_kind="vessel", asset_id="574001234",
                           rule="zone_enter", parameter="", severity="warning",
                           zone="Luồng Hải Phòng", details={"groups": ["Tàu dầu"]})  # 5  # fmt: skip
        alerts.raise_alert(conn, domain="maritime", asset_kind="vessel", asset_id="574009999",
                           rule="speeding", severity="warning", value=14.2, limit_value=10)  # 6  # fmt: skip

    def resolver(mmsi: str) -> list[str]:
        return ["Tàu dầu"] if mmsi == "574009999" else []

    routing.register_group_resolver(resolver)
    try:
        route(store, settings)
    finally:
        routing.unregister_group_resolver(resolver)
    by_sub: dict[int, set[int]] = {}
    for r in outbox_rows(store):
        by_sub.setdefault(r["subscription_id"], set()).add(r["alert_id"])
    assert {name: by_sub.get(sub, set()) for name, sub in subs.items()} == {
        "maritime": {4, 5, 6},
        "light": {4},
        "critical": {3},
        "province": {2},
        "station": {3},
        "aton": {4},
        "zone": {5},
        "group": {5, 6},  # from the alert's details and from the maritime engine's resolver
    }


def test_no_address_is_a_failed_delivery_in_the_log(store, settings, ids) -> None:
    with store.write() as conn:
        from giamsat.core.store.schema import users

        conn.execute(users.update().where(users.c.id == ids["operator"]).values(phone=None))
    subscribe(store, channel="sms", user_id=ids["operator"])
    aton_alert(store)
    route(store, settings)
    [row] = outbox_rows(store)
    assert (row["state"], row["destination"]) == ("failed", f"user:{ids['operator']}")
    assert row["last_error"] == "user operator has no phone number"


def test_resolutions_go_to_those_told_who_asked_for_them(store, settings, ids) -> None:
    told = subscribe(store, channel="email", user_id=ids["operator"], on_resolve=True)
    not_asked = subscribe(store, channel="email", user_id=ids["admin"])
    never_told = subscribe(store, channel="email", user_id=ids["ministry"], on_resolve=True,
                           min_severity="critical")  # fmt: skip
    alert_id = aton_alert(store)
    route(store, settings)
    with store.write() as conn:
        alerts.resolve_alert(conn, alert_id, "operator", "battery replaced")
    route(store, settings)
    rows = outbox_rows(store)
    assert {(r["subscription_id"], r["kind"]) for r in rows} == {
        (told, "alert"),
        (told, "resolved"),
        (not_asked, "alert"),
    }
    assert never_told not in {r["subscription_id"] for r in rows}
    [resolved] = [r for r in rows if r["kind"] == "resolved"]
    assert resolved["subject"].startswith("[giamsat] Đã hết cảnh báo")


def test_quiet_hours_hold_then_one_digest(store, settings, ids) -> None:
    sub = subscribe(
        store, channel="email", user_id=ids["admin"], quiet_start="22:00", quiet_end="06:00"
    )
    station_alert(store, "HN_NMA_NT01", severity="warning")
    station_alert(store, "BD_CHENG_NT01", severity="major")
    station_alert(store, "HN_QT_KK01", parameter="PM10", severity="critical")  # bypasses
    router = route(store, settings, now=NIGHT)
    rows = {r["alert_id"]: r for r in outbox_rows(store)}
    assert {a: r["state"] for a, r in rows.items()} == {1: "held", 2: "held", 3: "pending"}
    morning = datetime(2024, 3, 15, 23, 0, tzinfo=UTC)  # 06:00 local
    assert rows[1]["release_at"] == morning
    assert router.release_due(morning - timedelta(seconds=1)) == 0
    assert router.release_due(morning) == 1
    [digest] = outbox_rows(store, kind="digest")
    assert (digest["state"], digest["subscription_id"], digest["destination"]) == (
        "pending",
        sub,
        "admin@example.vn",
    )
    assert "2 thông báo" in digest["subject"]
    assert "HN_NMA_NT01" in digest["body_text"] and "BD_CHENG_NT01" in digest["body_text"]
    carried = outbox_rows(store, parent_id=digest["id"])
    assert {r["alert_id"] for r in carried} == {1, 2}
    assert {r["state"] for r in carried} == {"digested"}
    assert router.release_due(morning + timedelta(hours=1)) == 0  # nothing twice


def test_a_lone_quiet_message_goes_out_as_itself(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["admin"], quiet_start="22:00", quiet_end="06:00")
    station_alert(store, severity="warning")
    router = route(store, settings, now=NIGHT)
    router.release_due(datetime(2024, 3, 16, 0, 0, tzinfo=UTC))
    [row] = outbox_rows(store)
    assert (row["kind"], row["state"]) == ("alert", "pending")


def test_hourly_digest_per_province(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["ministry"], digest="hourly")
    at = datetime(2024, 3, 15, 3, 20, tzinfo=UTC)  # 10:20 local
    station_alert(store, "HN_NMA_NT01")
    station_alert(store, "HN_QT_KK01", parameter="PM10")
    station_alert(store, "BD_CHENG_NT01")
    router = route(store, settings, now=at)
    assert {r["state"] for r in outbox_rows(store)} == {"held"}
    assert {r["release_at"] for r in outbox_rows(store)} == {
        datetime(2024, 3, 15, 4, 0, tzinfo=UTC)
    }
    router.release_due(datetime(2024, 3, 15, 4, 0, 5, tzinfo=UTC))
    digests = outbox_rows(store, kind="digest")
    by_province = {d["subject"].split("–")[1].split(":")[0].strip(): d for d in digests}
    assert set(by_province) == {"Hà Nội", "Bình Dương"}
    assert "2 thông báo" in by_province["Hà Nội"]["subject"]
    assert "1 thông báo" in by_province["Bình Dương"]["subject"]


def test_daily_digest_goes_out_at_the_configured_hour(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["ministry"], digest="daily")
    station_alert(store)
    route(
        store,
        replace(settings, notify_daily_digest_hour=8),
        now=datetime(2024, 3, 15, 3, 0, tzinfo=UTC),
    )
    [row] = outbox_rows(store)
    assert row["release_at"] == datetime(2024, 3, 16, 1, 0, tzinfo=UTC)  # 08:00 next local day


def test_escalation_when_nobody_acknowledges(store, settings, ids) -> None:
    sub = subscribe(store, channel="web", user_id=ids["operator"], escalate_after_min=15,
                    escalate_user_id=ids["operator2"], escalate_channel="email")  # fmt: skip
    t0 = datetime(2024, 3, 15, 3, 0, tzinfo=UTC)
    ignored = aton_alert(store, mmsi="992351001", at=t0)
    seen = aton_alert(store, mmsi="992351002", at=t0)
    router = route(store, settings, now=t0)
    assert router.escalate_due(t0 + timedelta(minutes=14)) == 0
    with store.write() as conn:
        alerts.acknowledge_alert(conn, seen, "operator")
    router.route_pending(t0 + timedelta(minutes=5))
    assert router.escalate_due(t0 + timedelta(minutes=15)) == 1
    [esc] = outbox_rows(store, kind="escalation")
    assert (esc["alert_id"], esc["channel"], esc["destination"]) == (
        ignored,
        "email",
        "operator2@example.vn",
    )
    assert esc["subscription_id"] == sub and esc["language"] == "en"
    assert "not been acknowledged after 15 minutes" in esc["body_text"]
    with store.engine.connect() as conn:
        states = dict(
            conn.execute(select(notify_escalations.c.alert_id, notify_escalations.c.state)).all()
        )
    assert states == {ignored: "sent", seen: "cancelled"}
    assert router.escalate_due(t0 + timedelta(hours=2)) == 0


def test_events_written_while_no_router_ran_are_routed_once_later(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["operator"])
    aton_alert(store, mmsi="992351001")
    route(store, settings)
    aton_alert(store, mmsi="992351002")  # nobody routing: a crash, or another process
    aton_alert(store, mmsi="992351003")
    route(store, settings)  # a new router (restart) starts from the stored cursor
    route(store, settings)
    assert sorted(r["alert_id"] for r in outbox_rows(store)) == [1, 2, 3]


def test_out_of_order_commits_are_not_skipped(store, settings, ids) -> None:
    """PostgreSQL may commit event 3 before event 2; the router must still route event 2."""
    subscribe(store, channel="email", user_id=ids["operator"])
    first = aton_alert(store, mmsi="992351001")
    late = aton_alert(store, mmsi="992351002")
    third = aton_alert(store, mmsi="992351003")
    with store.write() as conn:  # event 2 is not committed yet when the router looks
        event = conn.execute(select(alert_events).where(alert_events.c.alert_id == late)).one()
        conn.execute(alert_events.delete().where(alert_events.c.id == event.id))
    router = Router(store, settings)
    router.route_pending()
    assert sorted(r["alert_id"] for r in outbox_rows(store)) == [first, third]
    assert set(router.gaps) == {event.id}
    with store.write() as conn:  # now it commits
        conn.execute(alert_events.insert().values(**dict(event._mapping)))
    router.route_pending()
    assert sorted(r["alert_id"] for r in outbox_rows(store)) == [first, late, third]
    assert not router.gaps
    # a gap that never fills (a rolled-back transaction) is given up after gap_timeout
    with store.write() as conn:
        conn.execute(alert_events.insert().values(id=event.id + 10, alert_id=first,
                                                  at=datetime.now(UTC), action="updated",
                                                  actor="system", note=""))  # fmt: skip
    router.route_pending()
    assert len(router.gaps) == 8
    router.gap_timeout = 0
    router.route_pending()
    assert not router.gaps


def test_an_event_that_cannot_be_routed_is_logged_and_skipped(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["operator"], scope_kind="vessel_group",
              scope_values=["Tàu khách"])  # fmt: skip

    def broken(mmsi: str) -> list[str]:
        if mmsi == "574000666":
            raise RuntimeError("group table unavailable")
        return ["Tàu khách"]

    with store.write() as conn:
        for mmsi in ("574000001", "574000666", "574000002"):
            alerts.raise_alert(conn, domain="maritime", asset_kind="vessel", asset_id=mmsi,
                               rule="speeding", severity="warning")  # fmt: skip
    routing.register_group_resolver(broken)
    try:
        route(store, settings)
    finally:
        routing.unregister_group_resolver(broken)
    rows = outbox_rows(store)
    assert sorted(r["alert_id"] for r in rows if r["channel"] == "email") == [1, 3]
    [failed] = [r for r in rows if r["channel"] == "router"]
    assert failed["state"] == "failed" and "group table unavailable" in failed["last_error"]
    route(store, settings)  # and the router has moved on
    assert len(outbox_rows(store)) == 3
    with store.engine.connect() as conn:
        assert conn.execute(select(notify_outbox.c.id)).all()
