"""Notification benchmark: delivery latency and outbox throughput, on loopback servers.

1. Latency: alerts raised one at a time through ``core.alerts`` while the notifier runs; time
   from the alert's commit to (a) the pop-up event on the live hub, (b) the e-mail accepted by a
   local SMTP server (aiosmtpd), (c) the webhook request received by a local HTTP server.
2. Routing: alert events turned into outbox rows (3 subscriptions per alert), events/s.
3. Outbox throughput: messages already in the outbox drained to the SMTP and HTTP servers
   (rate limits off), messages/s — against the peer "no outbox": the same messages sent
   straight from a loop (one smtplib connection; sequential httpx POSTs). The ratio is what
   durability costs (persisted state, claim/lease, per-attempt log). Webhooks are measured
   against an instant receiver and one answering in 20 ms (a receiver across a network, where
   the channel's 8 concurrent requests pay off).

    python bench/notify.py [--alerts 200] [--messages 2000] [--backend sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import smtplib
import socket
import statistics
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.events import EventHub
from giamsat.core.notify import outbox
from giamsat.core.notify.channels.email import build
from giamsat.core.notify.router import Router
from giamsat.core.notify.schema import notify_outbox, notify_subscriptions
from giamsat.core.notify.subscriptions import SubscriptionSpec, create
from giamsat.core.notify.worker import Notifier
from giamsat.core.store import Store
from giamsat.core.store.schema import users

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


# --- loopback servers ---------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[float, str]] = []  # (perf_counter, X-Giamsat-Delivery)
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                head = envelope.content.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
                delivery = next(
                    (
                        ln.split(":", 1)[1].strip()
                        for ln in head.splitlines()
                        if ln.startswith("X-Giamsat-Delivery:")
                    ),
                    "",
                )
                sink.received.append((time.perf_counter(), delivery))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class HttpSink:
    """A webhook receiver; ``delay`` seconds per answer stands for a receiver across a network."""

    def __init__(self) -> None:
        self.received: list[tuple[float, dict[str, Any]]] = []
        self.delay = 0.0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs (40 ms)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.received.append((time.perf_counter(), json.loads(body)))
                if sink.delay:
                    time.sleep(sink.delay)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> HttpSink:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class LoopThread:
    """An asyncio loop in a thread, running one notifier."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> LoopThread:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.notifier.start(), self.loop).result(30)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.notifier.stop(), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


# --- set-up -------------------------------------------------------------------------------
def make_store(backend: str, folder: Path) -> tuple[Store, str | None]:
    if backend == "sqlite":
        store = Store(f"sqlite:///{folder / 'giamsat.db'}")
        pg_name = None
    else:
        import psycopg

        pg_name = f"gs_bench_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        store = Store(PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}")
    store.upgrade()
    return store, pg_name


def drop(pg_name: str | None) -> None:
    if pg_name:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def subscribe_all(store: Store, webhook_url: str) -> None:
    now = datetime.now(UTC)
    with store.write() as conn:
        conn.execute(notify_subscriptions.delete())
        uid = conn.execute(
            users.insert().values(
                username="operator",
                password_hash="-",
                role="operator",
                email="operator@example.vn",
                language="vi",
                active=True,
                created_at=now,
            )
        ).inserted_primary_key[0]
        for spec in (
            SubscriptionSpec(channel="web", user_id=uid, min_severity="info"),
            SubscriptionSpec(channel="email", user_id=uid, min_severity="info"),
            SubscriptionSpec(
                channel="webhook", address=webhook_url, secret="s" * 32, min_severity="info"
            ),
        ):
            create(conn, spec)


def raise_one(store: Store, i: int) -> int:
    with store.write() as conn:
        return alerts.raise_alert(
            conn,
            domain="maritime",
            asset_kind="aton",
            asset_id=str(992350000 + i),
            rule="aton_low_voltage",
            parameter="voltage",
            severity="major",
            value=10.2,
            limit_value=11.5,
            details={"name": f"Phao {i}", "unit": "V"},
        )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(ms: list[float]) -> str:
    return (
        f"p50 {statistics.median(ms):6.1f} ms  p95 {pct(ms, 0.95):6.1f} ms  "
        f"max {max(ms):6.1f} ms  (n={len(ms)})"
    )


# --- measurements -------------------------------------------------------------------------
def latency(
    store: Store, settings: Settings, smtp: SmtpSink, http: HttpSink, n: int, gap: float, first: int
) -> dict[str, list[float]]:
    hub = EventHub()
    popups: dict[int, float] = {}
    hub.add_callback(lambda e: popups.setdefault(e["alert_id"], time.perf_counter()), {"notify"})
    committed: dict[int, float] = {}
    with LoopThread(Notifier(store, settings, hub=hub)):
        time.sleep(0.5)
        for i in range(n):
            alert_id = raise_one(store, first + i)
            committed[alert_id] = time.perf_counter()
            time.sleep(gap)
        deadline = time.monotonic() + 60
        while (
            len(smtp.received) < n or len(http.received) < n or len(popups) < n
        ) and time.monotonic() < deadline:
            time.sleep(0.05)
    with store.engine.connect() as conn:
        alert_of = dict(conn.execute(select(notify_outbox.c.id, notify_outbox.c.alert_id)).all())
    mail = [(t - committed[alert_of[int(d)]]) * 1000 for t, d in smtp.received if d]
    hook = [(t - committed[b["alert"]["id"]]) * 1000 for t, b in http.received]
    web = [(t - committed[a]) * 1000 for a, t in popups.items()]
    smtp.received.clear()
    http.received.clear()
    return {"web pop-up": web, "e-mail (SMTP)": mail, "webhook (HTTP)": hook}


def routing(store: Store, settings: Settings, n: int) -> tuple[float, int]:
    for i in range(n):
        raise_one(store, 100_000 + i)
    with store.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(notify_outbox)).scalar_one()
    started = time.perf_counter()
    Router(store, settings).route_pending()
    elapsed = time.perf_counter() - started
    with store.write() as conn:
        after = conn.execute(select(func.count()).select_from(notify_outbox)).scalar_one()
        # not part of the drain measurement below
        conn.execute(
            notify_outbox.update()
            .where(notify_outbox.c.state == "pending")
            .values(state="cancelled")
        )
    return n / elapsed, after - before


def fill(store: Store, channel: str, destination: str, n: int) -> None:
    rows = [
        {"dedupe_key": f"bench:{channel}:{i}:{secrets.token_hex(4)}", "kind": "test", "channel": channel,
         "destination": destination, "severity": "info", "subject": f"[giamsat] bench {i}",
         "body_text": "Giá trị đo: 320,5 mg/L\nGiới hạn: 150 mg/L\n" * 4,
         "body_html": "<p>Giá trị đo: <b>320,5 mg/L</b></p>" * 4,
         "payload": {"event": "test", "alert": {"id": i, "value": 320.5}}}
        for i in range(n)
    ]  # fmt: skip
    with store.write() as conn:
        for row in rows:
            outbox.insert(store, conn, row)


def drain(store: Store, settings: Settings, channel: str, n: int) -> float:
    def pending() -> int:
        with store.engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(notify_outbox)
                .where(notify_outbox.c.channel == channel, notify_outbox.c.state == "pending")
            ).scalar_one()

    started = time.perf_counter()
    with LoopThread(Notifier(store, settings, hub=EventHub())):
        while pending():
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
    return n / elapsed


def direct_smtp(port: int, n: int) -> float:
    """The peer: the same messages straight from a loop, one connection, no outbox."""
    sample = outbox.Message(
        id=0, dedupe_key="direct", kind="test", channel="email", destination="operator@example.vn",
        recipient_user_id=None, subscription_id=None, alert_id=None, severity="info", language="vi",
        subject="[giamsat] bench", body_text="Giá trị đo: 320,5 mg/L\nGiới hạn: 150 mg/L\n" * 4,
        body_html="<p>Giá trị đo: <b>320,5 mg/L</b></p>" * 4, payload=None, attempts=0,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            sample.id = i
            smtp.send_message(build(sample, "canhbao@giamsat.example.vn"))
    return n / (time.perf_counter() - started)


def direct_http(url: str, n: int) -> float:
    started = time.perf_counter()
    with httpx.Client() as client:
        for i in range(n):
            client.post(url, json={"event": "test", "alert": {"id": i, "value": 320.5}})
    return n / (time.perf_counter() - started)


def run(backend: str, n_alerts: int, n_messages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, SmtpSink() as smtp, HttpSink() as http:
        store, pg_name = make_store(backend, Path(tmp))
        try:
            settings = replace(
                Settings(home=Path(tmp)),
                smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
                smtp_from="canhbao@giamsat.example.vn", smtp_rate_per_minute=0,
                webhook_rate_per_minute=0, notify_poll_seconds=1.0,
            )  # fmt: skip
            subscribe_all(store, http.url)
            print(f"\n== {backend}")
            for gap, n, first in ((0.25, max(20, n_alerts // 4), 0), (0.02, n_alerts, 10_000)):
                lat = latency(store, settings, smtp, http, n, gap, first)
                print(
                    f"delivery latency, alert commit -> received ({n} alerts, {gap * 1000:.0f} ms apart):"
                )
                for name, values in lat.items():
                    print(f"  {name:15s} {summary(values)}")
            events_s, rows = routing(store, settings, n_messages)
            print(
                f"routing: {events_s:,.0f} alert events/s into the outbox ({rows} messages for {n_messages} alerts)"
            )
            smtp.received.clear()
            fill(store, "email", "operator@example.vn", n_messages)
            email_rate = drain(store, settings, "email", n_messages)
            assert len(smtp.received) == n_messages, len(smtp.received)
            peer_mail = direct_smtp(smtp.port, n_messages)
            print(f"outbox throughput ({n_messages} messages each, rate limits off):")
            print(
                f"  e-mail                  {email_rate:7,.0f} msg/s   peer (smtplib loop, no outbox) "
                f"{peer_mail:7,.0f} msg/s   ratio {email_rate / peer_mail:.2f}"
            )
            for delay in (0.0, 0.02):
                http.delay = delay
                count = n_messages if not delay else n_messages // 4
                http.received.clear()
                fill(store, "webhook", http.url, count)
                hook_rate = drain(store, settings, "webhook", count)
                assert len(http.received) == count, len(http.received)
                peer_hook = direct_http(http.url, count)
                print(
                    f"  webhook, reply in {delay * 1000:2.0f} ms {hook_rate:7,.0f} msg/s   peer (httpx loop, no outbox) "
                    f"  {peer_hook:7,.0f} msg/s   ratio {hook_rate / peer_hook:.2f}"
                )
        finally:
            store.dispose()
            drop(pg_name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--backend", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backend.split(","):
        run(backend.strip(), args.alerts, args.messages)


if __name__ == "__main__":
    main()
