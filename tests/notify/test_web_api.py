"""The notification API: who may subscribe what, the delivery log each user may read, the pop-up
inbox and one's own contact details."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from giamsat.core.notify import outbox
from giamsat.core.notify.router import Router
from giamsat.web.app import create_app
from tests.notify.conftest import PASSWORD, aton_alert, outbox_rows, setup_network, station_alert


@pytest.fixture
def web(store, settings) -> Iterator[tuple]:
    ids = setup_network(store)
    app = create_app(replace(settings, smtp_host="127.0.0.1", smtp_from="a@b.vn"), store)
    clients: list[TestClient] = []

    def client_for(username: str) -> TestClient:
        client = TestClient(app)
        reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert reply.status_code == 200, reply.text
        client.headers["X-CSRF-Token"] = reply.json()["csrf_token"]
        clients.append(client)
        return client

    yield ids, client_for
    for c in clients:
        c.close()


def test_a_user_subscribes_themselves_only(web, store) -> None:
    ids, client_for = web
    hanoi = client_for("hanoi")
    made = hanoi.post(
        "/api/v1/notify/subscriptions",
        json={"channel": "email", "rules": ["exceedance"], "min_severity": "major",
              "quiet_start": "22:00", "quiet_end": "6:00", "name": "COD đêm"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    sub = made.json()
    assert (sub["user_id"], sub["owner_id"], sub["quiet_end"]) == (
        ids["hanoi"],
        ids["hanoi"],
        "06:00",
    )
    for forbidden in (
        {"channel": "email", "role": "province"},
        {"channel": "email", "address": "someone@else.vn"},
        {"channel": "webhook", "address": "https://hooks.example.vn/x"},
        {"channel": "email", "user_id": ids["ministry"]},
    ):
        reply = hanoi.post("/api/v1/notify/subscriptions", json=forbidden)
        assert reply.status_code == 403, (forbidden, reply.text)
    bad = hanoi.post(
        "/api/v1/notify/subscriptions", json={"channel": "email", "quiet_start": "22:00"}
    )
    assert bad.status_code == 422 and "quiet_end" in bad.json()["detail"]
    bad = hanoi.post(
        "/api/v1/notify/subscriptions", json={"channel": "sms", "scope_kind": "station"}
    )
    assert bad.status_code == 422 and "at least one value" in bad.json()["detail"]
    # an operator can neither see nor change it
    operator = client_for("operator")
    assert operator.delete(f"/api/v1/notify/subscriptions/{sub['id']}").status_code == 404
    listed = operator.get("/api/v1/notify/subscriptions").json()["items"]
    assert sub["id"] not in {s["id"] for s in listed}
    # the owner edits and deletes it
    edited = hanoi.put(
        f"/api/v1/notify/subscriptions/{sub['id']}", json={"channel": "sms", "digest": "daily"}
    )
    assert edited.status_code == 200 and edited.json()["channel"] == "sms"
    assert hanoi.delete(f"/api/v1/notify/subscriptions/{sub['id']}").json() == {
        "deleted": sub["id"]
    }


def test_administrators_set_up_webhooks_whose_secret_is_shown_once(web) -> None:
    ids, client_for = web
    admin = client_for("admin")
    made = admin.post(
        "/api/v1/notify/subscriptions",
        json={"channel": "webhook", "address": "https://hooks.example.vn/giamsat?token=x",
              "domain": "maritime", "escalate_after_min": 10, "escalate_user_id": ids["ministry"]},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    assert len(secret) >= 32
    listed = admin.get("/api/v1/notify/subscriptions").json()["items"]
    [hook] = [s for s in listed if s["id"] == made.json()["id"]]
    assert hook["has_secret"] is True and "secret" not in hook
    role = admin.post("/api/v1/notify/subscriptions", json={"channel": "web", "role": "operator"})
    assert role.status_code == 201
    # operators see the role-wide subscription that concerns them, but cannot change it
    operator = client_for("operator")
    mine = {s["id"]: s for s in operator.get("/api/v1/notify/subscriptions").json()["items"]}
    assert mine[role.json()["id"]]["editable"] is False
    assert operator.delete(f"/api/v1/notify/subscriptions/{role.json()['id']}").status_code == 403


def test_delivery_log_shows_each_user_their_own(web, store, settings) -> None:
    ids, client_for = web
    admin = client_for("admin")
    hanoi = client_for("hanoi")
    for user, channel in (("hanoi", "email"), ("operator", "web"), ("admin", "webhook")):
        body = {"channel": channel}
        if user == "admin":
            body["address"] = "https://hooks.example.vn/path?token=SECRET-TOKEN"
            body["domain"] = "environment"
        else:
            body["user_id"] = ids[user]
        assert admin.post("/api/v1/notify/subscriptions", json=body).status_code == 201
    station_alert(store, "HN_NMA_NT01")
    aton_alert(store)
    Router(store, settings).route_pending()
    [email] = outbox_rows(store, channel="email")
    outbox.record(
        store,
        [outbox.Outcome(email["id"], "failed", "550 5.1.1 mailbox unknown", duration_ms=12.0)],
        max_attempts=5,
        retry_base=1,
        retry_max=1,
    )
    log = admin.get("/api/v1/notify/deliveries").json()
    assert log["total"] == 3 and log["counts"] == {"failed": 1, "pending": 2}
    hook = next(i for i in log["items"] if i["channel"] == "webhook")
    assert hook["destination"] == "https://hooks.example.vn"  # no token in the log
    mine = hanoi.get("/api/v1/notify/deliveries").json()
    assert [i["id"] for i in mine["items"]] == [email["id"]]
    detail = hanoi.get(f"/api/v1/notify/deliveries/{email['id']}").json()
    assert detail["state"] == "failed" and detail["last_error"] == "550 5.1.1 mailbox unknown"
    assert [a["outcome"] for a in detail["attempts_log"]] == ["failed"]
    assert "320" in detail["body_text"]
    assert hanoi.get(f"/api/v1/notify/deliveries/{hook['id']}").status_code == 404
    assert hanoi.post(f"/api/v1/notify/deliveries/{email['id']}/retry").status_code == 403
    assert admin.post(f"/api/v1/notify/deliveries/{email['id']}/retry").json() == {
        "retried": email["id"]
    }
    assert admin.post(f"/api/v1/notify/deliveries/{email['id']}/retry").status_code == 409
    assert outbox_rows(store, channel="email")[0]["state"] == "pending"
    failed_only = admin.get("/api/v1/notify/deliveries", params={"state": "failed"}).json()
    assert failed_only["total"] == 0
    status = admin.get("/api/v1/notify/status").json()
    assert status["outbox"]["email"] == {"pending": 1}
    assert status["channels"]["email"]["configured"] is True
    assert hanoi.get("/api/v1/notify/status").status_code == 403


def test_inbox_and_profile(web, store) -> None:
    _, client_for = web
    operator = client_for("operator")
    assert operator.get("/api/v1/notify/inbox").json() == {"items": [], "unread": 0}
    profile = operator.put(
        "/api/v1/notify/profile", json={"email": "ca.truc@example.vn", "phone": "+84 912 000 111"}
    )
    assert profile.json() == {
        "email": "ca.truc@example.vn",
        "phone": "+84 912 000 111",
        "language": "vi",
    }
    bad = operator.put("/api/v1/notify/profile", json={"email": "not-an-address"})
    assert bad.status_code == 422
    cleared = operator.put("/api/v1/notify/profile", json={"phone": "", "language": "en"})
    assert cleared.json()["phone"] is None and cleared.json()["language"] == "en"
    options = operator.get("/api/v1/notify/options").json()
    assert options["channels"] == {"web": True, "email": True, "sms": False, "webhook": False}
    assert "aton_low_voltage" in options["rules"]


def test_acknowledging_twice_from_two_pop_ups_is_a_conflict_not_an_error(web, store) -> None:
    _, client_for = web
    alert_id = aton_alert(store)
    first, second = client_for("operator"), client_for("operator2")
    assert (
        first.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": ""}).status_code == 200
    )
    again = second.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": ""})
    assert again.status_code == 409 and "acknowledged" in again.json()["detail"]
