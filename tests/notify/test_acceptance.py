"""Acceptance, end to end on loopback with the real service (``giamsat serve``'s Service):

- a TT10 file uploaded through the real FTP receiver exceeds its permit: the e-mail reaches a
  real SMTP server (STARTTLS, verified certificate) with the station, value, limit and time; the
  SMS gateway and a signed webhook on a local HTTP server receive it too;
- an AtoN low-voltage alert raised through ``core.alerts`` reaches the operator's pop-up over
  the live WebSocket (and nobody else's);
- outage: the SMTP server is down while alerts fire and the service restarts; once it is back,
  every message arrives exactly once.
"""

from __future__ import annotations

import ftplib
import io
import json
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from websockets.sync.client import connect

from giamsat.config import Settings
from giamsat.core.notify.channels.webhook import verify
from giamsat.core.store import Store
from giamsat.environment.accounts import add_account
from giamsat.environment.receiver.keys import ensure_tls_certificate
from giamsat.environment.stations import upsert_station
from tests.notify.conftest import PASSWORD, aton_alert, outbox_rows, setup_network, subscribe
from tests.notify.servers import HttpSink, SmtpSink, free_port
from tests.service_util import RunningService, wait_for

VN = timezone(timedelta(hours=7))
FTP_PASSWORD = "pw-nma-123456"
SECRET = "webhook-shared-secret-0123456789"


def tt10(station: str, when: datetime, values: dict[str, tuple[float, str]]) -> tuple[str, bytes]:
    stamp = when.strftime("%Y%m%d%H%M%S")
    lines = [f"{p}\t{v}\t{unit}\t{stamp}\t00" for p, (v, unit) in values.items()]
    return f"{station}_{stamp}.txt", ("\r\n".join(lines) + "\r\n").encode()


def upload(port: int, name: str, data: bytes) -> None:
    ftp = ftplib.FTP(timeout=10)
    ftp.connect("127.0.0.1", port)
    ftp.login("nma", FTP_PASSWORD)
    assert ftp.storbinary(f"STOR {name}", io.BytesIO(data)).startswith("226")
    ftp.quit()


@pytest.fixture
def network(store: Store) -> dict[str, int]:
    ids = setup_network(store)
    with store.engine.begin() as conn:
        upsert_station(conn, {"code": "HN_NMA_NT01", "name": "Nhà máy xử lý nước thải A",
                              "component": "wastewater", "province_name": "Hà Nội",
                              "permit_standard": "QCVN40_2011", "permit_column": "B"})  # fmt: skip
    add_account(store, "nma", FTP_PASSWORD, ["HN_NMA_*"])
    return ids


def service_settings(settings: Settings, smtp_port: int, **over) -> Settings:
    return replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_from="Giám sát môi trường <canhbao@giamsat.example.vn>",
        notify_poll_seconds=0.3,
        notify_base_url="https://giamsat.example.vn",
        **over,
    )


def test_exceedance_in_an_uploaded_file_reaches_email_sms_and_webhook(
    store: Store, settings: Settings, network: dict[str, int], tmp_path
) -> None:
    cert = ensure_tls_certificate(tmp_path / "smtp-tls", "127.0.0.1")
    measured = datetime(2024, 3, 15, 10, 55, tzinfo=VN)  # the file's own (local) time
    name, data = tt10("HN_NMA_NT01", measured, {"COD": (320.5, "mg/L"), "pH": (7.1, "-")})
    with (
        SmtpSink(tls="starttls", cert=cert, auth=("canhbao", "smtp-pass-123")) as smtp,
        HttpSink() as http,
    ):
        cfg = service_settings(
            settings,
            smtp.port,
            smtp_security="starttls",
            smtp_ca_file=str(cert[0]),
            smtp_username="canhbao",
            smtp_password="smtp-pass-123",
            sms_url=f"{http.url}/sms",
            sms_body='{"to": "{to_e164}", "text": "{text}"}',
        )
        subscribe(store, channel="email", role="province")  # the Hà Nội officer
        subscribe(store, channel="sms", user_id=network["hanoi"], min_severity="major")
        subscribe(store, channel="webhook", address=f"{http.url}/hook", secret=SECRET,
                  scope_kind="station", scope_values=["HN_NMA_NT01"])  # fmt: skip
        with RunningService(cfg, store) as svc:
            upload(svc.ftp_port, name, data)
            [mail] = smtp.wait(1, timeout=20)
            [sms] = http.wait(1, path="/sms", timeout=20)
            [hook] = http.wait(1, path="/hook", timeout=20)
    # e-mail: to the province user, encrypted, with station, value, limit and time
    assert mail.rcpt_tos == ["hanoi@example.vn"] and mail.encrypted
    subject = mail.message["Subject"]
    assert "Vượt quy chuẩn" in subject and "COD" in subject and "HN_NMA_NT01" in subject
    text = mail.text.splitlines()
    assert "Trạm: Trạm Nhà máy xử lý nước thải A (HN_NMA_NT01)" in text
    assert "Giá trị đo: 320,5 mg/L" in text
    assert "Giới hạn: 150 mg/L (QCVN40_2011 B, trung bình 1 giờ)" in text
    hour_start = measured.replace(minute=0)
    hour_end = hour_start + timedelta(hours=1)
    assert (
        f"Khoảng đo: {hour_start:%H:%M}–{hour_end:%H:%M %d/%m/%Y} (UTC+07:00)" in text
    )  # the hourly mean that contains the file's value
    assert f"Số liệu mới nhất lúc: {measured:%H:%M %d/%m/%Y} (UTC+07:00)" in text
    assert "https://giamsat.example.vn/stations/HN_NMA_NT01" in mail.text
    assert "320,5 mg/L" in mail.html and "Nhà máy xử lý nước thải A" in mail.html
    # SMS gateway: JSON built from the settings' template
    body = json.loads(sms.body)
    assert body["to"] == "+84912345678"
    assert "320,5 mg/L / 150" in body["text"] and f"{hour_end:%H:%M %d/%m/%Y}" in body["text"]
    # webhook: signed, with the facts as data
    headers = {k.lower(): v for k, v in hook.headers.items()}
    assert verify(SECRET, headers["x-giamsat-timestamp"], hook.body, headers["x-giamsat-signature"])
    alert = json.loads(hook.body)["alert"]
    assert (alert["asset_id"], alert["parameter"], alert["value"], alert["limit"], alert["unit"]) == (
        "HN_NMA_NT01", "COD", 320.5, 150.0, "mg/L",
    )  # fmt: skip
    assert alert["measured_at"] == hour_end.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert {r["state"] for r in outbox_rows(store) if r["channel"] != "web"} == {"sent"}


def test_aton_low_voltage_reaches_the_operator_popup_over_the_live_websocket(
    store: Store, settings: Settings, network: dict[str, int]
) -> None:
    subscribe(store, channel="web", role="operator", domain="maritime")
    subscribe(store, channel="web", role="province")
    cfg = replace(settings, notify_poll_seconds=0.3)
    with RunningService(cfg, store, web_enabled=True) as svc, ExitStack() as stack:
        base = f"http://127.0.0.1:{svc.service.web_port}"
        sockets = {}
        clients = {}
        for user in ("operator", "hanoi"):
            client = stack.enter_context(httpx.Client(base_url=base))
            reply = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
            assert reply.status_code == 200, reply.text
            clients[user] = client
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            ws = stack.enter_context(
                connect(
                    f"ws://127.0.0.1:{svc.service.web_port}/api/v1/live",
                    additional_headers={"Cookie": cookie},
                )
            )
            assert json.loads(ws.recv(timeout=5))["user"] == user
            sockets[user] = ws
        aton_alert(store, mmsi="992351001", value=10.2, time="2024-03-15T03:55:00Z")
        popup = None
        while popup is None:
            event = json.loads(sockets["operator"].recv(timeout=10))
            if event["topic"] == "notify.popup":
                popup = event
        # the province officer is connected too, and gets no maritime pop-up
        with pytest.raises(TimeoutError):
            while True:
                other = json.loads(sockets["hanoi"].recv(timeout=1.0))
                assert other["topic"] != "notify.popup", other
        inbox = clients["operator"].get("/api/v1/notify/inbox", params={"unread": True}).json()
        csrf = clients["operator"].cookies.get("gs_csrf")
        read = clients["operator"].post(
            "/api/v1/notify/inbox/read",
            json={"ids": [popup["id"]]},
            headers={"X-CSRF-Token": csrf},
        )
        assert read.json() == {"read": 1}
    assert popup["user_id"] == network["operator"]
    assert popup["title"] == "Nghiêm trọng: Báo hiệu điện áp thấp"
    assert "Phao số 0 Hải Phòng (992351001)" in popup["body"]
    assert "10,2 V" in popup["body"] and "10:55 15/03/2024" in popup["body"]
    assert popup["payload"]["alert"]["rule"] == "aton_low_voltage"
    assert [i["id"] for i in inbox["items"]] == [popup["id"]] and inbox["unread"] == 1


def test_smtp_outage_across_restarts_delivers_each_message_exactly_once(
    store: Store, settings: Settings, network: dict[str, int]
) -> None:
    port = free_port()  # the SMTP server is down: nothing listens here yet
    cfg = service_settings(settings, port, smtp_security="none")
    subscribe(store, channel="email", role="province")
    subscribe(store, channel="email", user_id=network["ministry"], on_resolve=True)
    day = datetime(2024, 3, 15, tzinfo=VN)

    def emails() -> list[dict]:
        return outbox_rows(store, channel="email")

    def waiting(n: int):
        rows = emails()
        return len(rows) == n and all(
            r["state"] == "pending" and "unavailable" in (r["last_error"] or "") for r in rows
        )

    with RunningService(cfg, store) as svc:
        upload(
            svc.ftp_port,
            *tt10("HN_NMA_NT01", day.replace(hour=9, minute=55), {"COD": (320, "mg/L")}),
        )
        wait_for(lambda: waiting(2), timeout=20)  # province officer + ministry
    with RunningService(cfg, store) as svc:  # restarted, the server still down; more alerts
        upload(svc.ftp_port, *tt10("HN_NMA_NT01", day.replace(hour=10, minute=55),
                                   {"COD": (320, "mg/L"), "TSS": (250, "mg/L")}))  # fmt: skip
        wait_for(lambda: waiting(4), timeout=20)
        upload(svc.ftp_port, *tt10("HN_NMA_NT01", day.replace(hour=11, minute=55),
                                   {"COD": (90, "mg/L"), "TSS": (250, "mg/L")}))  # COD resolved  # fmt: skip
        wait_for(lambda: waiting(5), timeout=20)
    assert all(r["attempts"] == 0 for r in emails())  # an outage does not use up attempts
    with SmtpSink(port=port) as sink, RunningService(cfg, store):
        wait_for(lambda: {r["state"] for r in emails()} == {"sent"}, timeout=30)
        time.sleep(1.5)  # anything sent twice would arrive now
        got = list(sink.messages)
    rows = emails()
    assert len(rows) == 5 and len(got) == 5
    assert sorted(g.message["X-Giamsat-Delivery"] for g in got) == sorted(
        str(r["id"]) for r in rows
    )
    seen = sorted((g.rcpt_tos[0], g.message["Subject"].split(" – ")[0], g.message["Subject"].split(" – ")[2]) for g in got)  # fmt: skip
    assert seen == [
        ("hanoi@example.vn", "[giamsat] Cảnh báo mới", "COD"),
        ("hanoi@example.vn", "[giamsat] Cảnh báo mới", "TSS"),
        ("ministry@example.vn", "[giamsat] Cảnh báo mới", "COD"),
        ("ministry@example.vn", "[giamsat] Cảnh báo mới", "TSS"),
        ("ministry@example.vn", "[giamsat] Đã hết cảnh báo", "COD"),
    ]
