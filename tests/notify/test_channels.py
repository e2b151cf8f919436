"""Channels against real servers on loopback: SMTP (clear, STARTTLS, implicit TLS, login,
refusals, outage), an HTTP SMS gateway described only by settings, signed webhooks."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from giamsat.config import Settings
from giamsat.core.notify.channels.email import EmailChannel
from giamsat.core.notify.channels.sms import SmsChannel, e164, national, strip_diacritics
from giamsat.core.notify.channels.webhook import WebhookChannel, verify
from giamsat.core.notify.outbox import Message
from giamsat.environment.receiver.keys import ensure_tls_certificate
from tests.notify.servers import HttpSink, SmtpSink, free_port

SUBJECT = "[giamsat] Cảnh báo mới – Khẩn cấp: Vượt quy chuẩn – COD – Trạm Nhà máy A"


def message(n: int = 1, **over) -> Message:
    data = dict(
        id=n,
        dedupe_key=f"a:1:abc:{n}:critical",
        kind="alert",
        channel="email",
        destination=f"user{n}@example.vn",
        recipient_user_id=None,
        subscription_id=1,
        alert_id=n,
        severity="critical",
        language="vi",
        subject=SUBJECT,
        body_text=f"Giá trị đo: 320 mg/L (tin {n})\nGiới hạn: 150 mg/L\n",
        body_html=f"<p>Giá trị đo: <b>320 mg/L</b> (tin {n})</p>",
        payload={"event": "alert.opened", "alert": {"id": n, "value": 320.0}},
        attempts=0,
        created_at=datetime(2024, 3, 15, 3, 55, tzinfo=UTC),
    )
    data.update(over)
    return Message(**data)


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    return ensure_tls_certificate(tmp_path / "tls", "127.0.0.1")


def mail_settings(port: int, **over) -> Settings:
    base = Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_from="Giám sát <canhbao@giamsat.example.vn>",
        smtp_timeout_seconds=5,
    )
    return replace(base, **over)


def run(coro):
    return asyncio.run(coro)


# --- e-mail ------------------------------------------------------------------------------------
def test_email_over_starttls_with_login_and_a_verified_certificate(cert) -> None:
    with SmtpSink(tls="starttls", cert=cert, auth=("canhbao", "s3cret-pass")) as sink:
        settings = mail_settings(
            sink.port,
            smtp_security="starttls",
            smtp_ca_file=str(cert[0]),
            smtp_username="canhbao",
            smtp_password="s3cret-pass",
        )
        outcomes = run(EmailChannel(settings).send_batch([message(1), message(2)]))
        assert [o.status for o in outcomes] == ["sent", "sent"]
        assert outcomes[0].response.startswith("250")
        got = sink.wait(2)
    assert [g.rcpt_tos for g in got] == [["user1@example.vn"], ["user2@example.vn"]]
    assert all(g.encrypted for g in got)
    first = got[0].message
    assert first["Subject"] == SUBJECT  # Vietnamese survives the RFC 2047 round trip
    assert first["From"] == "Giám sát <canhbao@giamsat.example.vn>"
    assert first["Auto-Submitted"] == "auto-generated"
    assert "320 mg/L (tin 1)" in got[0].text
    assert "<b>320 mg/L</b>" in got[0].html
    # the Message-ID comes from the outbox key: a re-send after a crash carries the same one
    assert first["Message-ID"].endswith(".1@giamsat.example.vn>")
    with SmtpSink(tls="starttls", cert=cert, auth=("canhbao", "s3cret-pass")) as sink2:
        run(EmailChannel(replace(settings, smtp_port=sink2.port)).send_batch([message(1)]))
        assert sink2.wait(1)[0].message["Message-ID"] == first["Message-ID"]


def test_email_over_implicit_tls(cert) -> None:
    with SmtpSink(tls="implicit", cert=cert) as sink:
        settings = mail_settings(sink.port, smtp_security="tls", smtp_ca_file=str(cert[0]))
        [outcome] = run(EmailChannel(settings).send_batch([message()]))
        assert outcome.status == "sent", outcome.detail
        [got] = sink.wait(1)
    assert got.encrypted and got.message["Subject"] == SUBJECT


def test_no_clear_text_fallback_and_an_untrusted_certificate_is_refused(cert) -> None:
    with SmtpSink() as plain:  # offers no STARTTLS
        settings = mail_settings(plain.port, smtp_security="starttls")
        [outcome] = run(EmailChannel(settings).send_batch([message()]))
        assert outcome.status == "waiting"
        assert "STARTTLS" in outcome.detail
        assert plain.messages == []
    with SmtpSink(tls="starttls", cert=cert) as sink:
        settings = mail_settings(sink.port, smtp_security="starttls")  # system CAs only
        [outcome] = run(EmailChannel(settings).send_batch([message()]))
        assert outcome.status == "waiting"
        assert "CERTIFICATE_VERIFY_FAILED" in outcome.detail
        assert sink.messages == []


def test_refusals_are_failed_or_retried_by_their_code() -> None:
    with SmtpSink() as sink:
        sink.refuse["user1@example.vn"] = "550 5.1.1 no such user"
        sink.refuse["user2@example.vn"] = "451 4.3.0 try again later"
        outcomes = run(
            EmailChannel(mail_settings(sink.port)).send_batch([message(1), message(2), message(3)])
        )
        got = sink.wait(1)
    assert [(o.status, o.id) for o in outcomes] == [("failed", 1), ("retry", 2), ("sent", 3)]
    assert "550" in outcomes[0].detail and "451" in outcomes[1].detail
    assert [g.rcpt_tos for g in got] == [["user3@example.vn"]]


def test_unreachable_server_makes_the_channel_wait() -> None:
    port = free_port()  # nothing listens
    outcomes = run(EmailChannel(mail_settings(port)).send_batch([message(1), message(2)]))
    assert [o.status for o in outcomes] == ["waiting", "waiting"]
    assert [o.log for o in outcomes] == [True, False]  # one probe in the log, not one per message
    assert "Connection refused" in outcomes[0].detail
    assert "s3cret" not in repr(mail_settings(port, smtp_password="s3cret"))


# --- SMS gateway -------------------------------------------------------------------------------
def test_sms_json_gateway_with_headers() -> None:
    with HttpSink() as gw:
        settings = Settings(
            sms_url=f"{gw.url}/v1/sms/send",
            sms_headers={"Authorization": "Bearer key-123"},
            sms_body='{"to": "{to_e164}", "text": "{text}", "from": "{sender}", "ref": "{id}"}',
            sms_sender="GIAMSAT",
        )
        sms = message(
            7, channel="sms", destination="0912 345 678", body_text='Trạm "A": COD 320 > 150'
        )
        [outcome] = run(SmsChannel(settings).send_batch([sms]))
        [req] = gw.wait(1)
    assert outcome.status == "sent" and outcome.response.startswith("HTTP 200")
    assert req.method == "POST" and req.path == "/v1/sms/send"
    assert req.headers["Authorization"] == "Bearer key-123"
    assert req.headers["Content-Type"] == "application/json"
    assert json.loads(req.body) == {
        "to": "+84912345678",
        "text": 'Trạm "A": COD 320 > 150',
        "from": "GIAMSAT",
        "ref": "7",
    }


def test_sms_form_and_get_gateways_with_plain_text() -> None:
    with HttpSink() as gw:
        form = Settings(
            sms_url=f"{gw.url}/send",
            sms_body="To={to_e164}&Body={text}",
            sms_content_type="application/x-www-form-urlencoded",
            sms_ascii=True,
        )
        get = Settings(
            sms_url=gw.url + "/api?phone={to_national}&msg={text}",
            sms_method="GET",
            sms_max_chars=20,
        )
        sms = message(
            1, channel="sms", destination="+84 912 345 678", body_text="Đèn hỏng & điện áp thấp"
        )
        assert run(SmsChannel(form).send_batch([sms]))[0].status == "sent"
        assert run(SmsChannel(get).send_batch([sms]))[0].status == "sent"
        posted, fetched = gw.wait(2)
    assert parse_qs(posted.body.decode()) == {
        "To": ["+84912345678"],
        "Body": ["Den hong & dien ap thap"],
    }
    query = parse_qs(urlsplit(fetched.path).query)
    assert query["phone"] == ["0912345678"]
    [text] = query["msg"]  # cut to sms_max_chars (20), on a word edge, marked with an ellipsis
    assert text == "Đèn hỏng & điện áp…" and len(text) <= 20
    assert fetched.method == "GET" and fetched.body == b""


def test_sms_gateway_answers() -> None:
    replies = iter(
        [
            (429, {"Retry-After": "42"}, b"slow down"),
            (400, {}, b'{"error":"invalid number"}'),
            (200, {}, b'{"status":"error","code":17}'),
            (200, {}, b'{"status":"ok","id":"abc"}'),
        ]
    )
    with HttpSink(answer=lambda r: next(replies)) as gw:
        settings = Settings(sms_url=f"{gw.url}/send", sms_success_match=r'"status":\s*"ok"')
        outcomes = run(
            SmsChannel(settings).send_batch(
                [message(i, channel="sms", destination="0912345678") for i in range(1, 5)]
            )
        )
    assert [o.status for o in outcomes] == ["retry", "failed", "retry", "sent"]
    assert outcomes[0].retry_after == 42.0
    assert "invalid number" in outcomes[1].detail
    assert "sms_success_match" in outcomes[2].detail


def test_sms_gateway_down_waits_without_leaking_the_url() -> None:
    port = free_port()
    settings = Settings(sms_url=f"http://127.0.0.1:{port}/send?apikey=TOPSECRET")
    outcomes = run(
        SmsChannel(settings).send_batch([message(1, channel="sms", destination="0912345678")] * 2)
    )
    assert [o.status for o in outcomes] == ["waiting", "waiting"]
    assert "TOPSECRET" not in outcomes[0].detail and "unreachable" in outcomes[0].detail
    assert "TOPSECRET" not in repr(settings)


def test_phone_numbers_and_diacritics() -> None:
    assert e164("0912 345 678") == "+84912345678"
    assert e164("84912345678") == "+84912345678"
    assert e164("0084912345678") == "+84912345678"
    assert national("+84912345678") == "0912345678"
    assert strip_diacritics("Cảnh báo – Đà Nẵng: điện áp") == "Canh bao - Da Nang: dien ap"


# --- webhooks ----------------------------------------------------------------------------------
def test_webhook_is_signed_and_receivers_can_check_it() -> None:
    with HttpSink() as hook:
        hook_msg = message(
            3, channel="webhook", destination=f"{hook.url}/hooks/giamsat?token=abc", secret="k" * 32
        )
        [outcome] = run(WebhookChannel(Settings()).send_batch([hook_msg]))
        [req] = hook.wait(1)
    assert outcome.status == "sent"
    headers = {k.lower(): v for k, v in req.headers.items()}
    assert headers["x-giamsat-event"] == "alert.opened"
    assert verify(
        "k" * 32, headers["x-giamsat-timestamp"], req.body, headers["x-giamsat-signature"]
    )
    assert not verify(
        "wrong-key" * 4, headers["x-giamsat-timestamp"], req.body, headers["x-giamsat-signature"]
    )
    tampered = req.body.replace(b"320.0", b"32.0")
    assert not verify(
        "k" * 32, headers["x-giamsat-timestamp"], tampered, headers["x-giamsat-signature"]
    )
    body = json.loads(req.body)
    assert body["alert"] == {"id": 3, "value": 320.0}
    assert body["delivery"]["id"] == headers["x-giamsat-delivery"]
    assert req.path == "/hooks/giamsat?token=abc"


def test_webhook_errors_and_a_dead_receiver() -> None:
    replies = iter([(503, {}, b"busy"), (410, {}, b"gone")])
    dead = f"http://127.0.0.1:{free_port()}/x"
    with HttpSink(answer=lambda r: next(replies)) as hook:
        msgs = [
            message(1, channel="webhook", destination=f"{hook.url}/a"),
            message(2, channel="webhook", destination=f"{hook.url}/b"),
            message(3, channel="webhook", destination=dead),
            message(4, channel="webhook", destination=dead),
        ]
        outcomes = run(WebhookChannel(Settings(), concurrency=1).send_batch(msgs))
    assert [o.status for o in outcomes] == ["retry", "failed", "retry", "waiting"]
    assert outcomes[3].log is False  # the same dead receiver is not tried twice in one batch
