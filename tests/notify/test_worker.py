"""The notifier loop against real servers: retries with backoff, refusals, the web pop-up,
rate limits, and two workers sharing one outbox without sending anything twice."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from giamsat.core.events import EventHub
from giamsat.core.notify import outbox
from giamsat.core.notify.schema import notify_attempts, notify_inbox
from giamsat.core.notify.worker import Notifier
from tests.notify.conftest import aton_alert, outbox_rows, setup_network, subscribe
from tests.notify.servers import SmtpSink


@pytest.fixture
def ids(store):
    return setup_network(store)


def mail(settings, port: int, **over):
    return replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_from="canhbao@giamsat.example.vn",
        notify_poll_seconds=0.2,
        **over,
    )


async def until(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def attempts_of(store, outbox_id: int) -> list[str]:
    with store.engine.connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                select(notify_attempts.c.outcome)
                .where(notify_attempts.c.outbox_id == outbox_id)
                .order_by(notify_attempts.c.id)
            )
        ]


def test_temporary_refusal_is_retried_with_backoff(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["operator"])
    with SmtpSink() as sink:
        sink.refuse["operator@example.vn"] = "451 4.7.1 greylisted, try again"
        cfg = mail(settings, sink.port, notify_retry_base_seconds=0.5)

        async def scenario() -> None:
            notifier = Notifier(store, cfg, hub=EventHub())
            await notifier.start()
            try:
                aton_alert(store)
                [row] = await until(lambda: outbox_rows(store, channel="email", attempts=1))
                assert row["state"] == "pending" and "451" in row["last_error"]
                sink.refuse.clear()
                await until(lambda: outbox_rows(store, channel="email", state="sent"))
            finally:
                await notifier.stop()

        asyncio.run(scenario())
        [got] = sink.wait(1)
    [row] = outbox_rows(store, channel="email")
    assert row["attempts"] == 2 and row["last_error"] is None
    assert attempts_of(store, row["id"]) == ["retry", "sent"]
    assert got.message["Subject"].startswith("[giamsat] Cảnh báo mới – Nghiêm trọng")


def test_permanent_refusal_fails_and_can_be_sent_again(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["operator"])
    with SmtpSink() as sink:
        sink.refuse["operator@example.vn"] = "550 5.1.1 mailbox unknown"
        cfg = mail(settings, sink.port)

        async def scenario() -> None:
            notifier = Notifier(store, cfg, hub=EventHub())
            await notifier.start()
            try:
                aton_alert(store)
                [row] = await until(lambda: outbox_rows(store, channel="email", state="failed"))
                assert "550" in row["last_error"]
                sink.refuse.clear()
                assert await asyncio.to_thread(outbox.retry, store) == 1
                notifier.wake("email")
                await until(lambda: outbox_rows(store, channel="email", state="sent"))
            finally:
                await notifier.stop()

        asyncio.run(scenario())
        assert len(sink.wait(1)) == 1


def test_web_popup_goes_to_the_inbox_and_the_live_popups(store, settings, ids) -> None:
    subscribe(store, channel="web", role="operator", min_severity="major")
    hub = EventHub()

    async def scenario() -> list[dict]:
        popups = hub.subscribe({"notify"})
        notifier = Notifier(store, replace(settings, notify_poll_seconds=0.2), hub=hub)
        await notifier.start()
        try:
            await asyncio.to_thread(aton_alert, store)
            return [await popups.get(10), await popups.get(10)]
        finally:
            await notifier.stop()

    got = asyncio.run(scenario())
    assert {e["user_id"] for e in got} == {ids["operator"], ids["operator2"]}
    by_user = {e["user_id"]: e for e in got}
    assert by_user[ids["operator"]]["title"] == "Nghiêm trọng: Báo hiệu điện áp thấp"
    assert by_user[ids["operator2"]]["title"] == "Major: AtoN low voltage"
    assert "Phao số 0 Hải Phòng" in by_user[ids["operator"]]["body"]
    with store.engine.connect() as conn:
        inbox = conn.execute(select(notify_inbox.c.user_id, notify_inbox.c.read_at)).all()
    assert sorted(inbox) == sorted([(ids["operator"], None), (ids["operator2"], None)])
    assert {r["state"] for r in outbox_rows(store)} == {"sent"}


def test_rate_limit_spreads_a_burst(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["operator"], min_severity="info")
    n = 16
    with SmtpSink() as sink:
        cfg = mail(settings, sink.port, smtp_rate_per_minute=120)  # 2/s after a burst of 12

        async def scenario() -> None:
            notifier = Notifier(store, cfg, hub=EventHub())
            await notifier.start()
            try:
                for i in range(n):
                    aton_alert(store, mmsi=f"99235{i:04d}")
                await until(lambda: len(outbox_rows(store, channel="email", state="sent")) == n, 30)
            finally:
                await notifier.stop()

        asyncio.run(scenario())
        got = sink.wait(n)
    rows = outbox_rows(store, channel="email")
    sent = sorted(r["sent_at"] for r in rows)
    # 12 at once, then 2 per second: the last 4 need at least ~1.5 s more
    assert (sent[-1] - sent[0]).total_seconds() >= 1.4
    assert len(got) == n


def test_two_workers_share_the_outbox_without_duplicates(store, settings, ids) -> None:
    subscribe(store, channel="email", user_id=ids["operator"], min_severity="info")
    n = 40
    for i in range(n):
        aton_alert(store, mmsi=f"99236{i:04d}")
    with SmtpSink() as sink:
        cfg = mail(settings, sink.port, smtp_rate_per_minute=0)

        async def scenario() -> None:
            a = Notifier(store, cfg, hub=EventHub())
            b = Notifier(store, cfg, hub=EventHub())
            await a.start()
            await b.start()
            try:
                await until(lambda: len(outbox_rows(store, channel="email", state="sent")) == n, 30)
            finally:
                await a.stop()
                await b.stop()

        asyncio.run(scenario())
        time.sleep(0.5)
        got = sink.messages
    ids_sent = [g.message["X-Giamsat-Delivery"] for g in got]
    assert len(ids_sent) == n and len(set(ids_sent)) == n
