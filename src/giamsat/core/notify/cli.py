"""``giamsat notify …``: subscriptions, the outbox and its delivery log, and a stand-alone
notifier for deployments that run it apart from ``giamsat serve``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import typer

from giamsat.cliutil import fail, print_json_line, state

notify_app = typer.Typer(
    help="Notifications: subscriptions, outbox, delivery log.", no_args_is_help=True
)


def _user_id(conn: Any, username: str | None) -> int | None:
    if not username:
        return None
    from sqlalchemy import select

    from giamsat.core.store.schema import users

    found = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if found is None:
        fail(f"no user {username!r}")
    return int(found)


@notify_app.command("subscribe")
def subscribe(
    ctx: typer.Context,
    channel: str = typer.Option(..., help="web, email, sms or webhook."),
    user: str = typer.Option(None, help="Recipient user name."),
    role: str = typer.Option(None, help="Every active user of this role."),
    address: str = typer.Option(None, help="E-mail, phone or webhook URL (instead of a user's)."),
    name: str = typer.Option("", help="A label."),
    domain: str = typer.Option("", help="environment or maritime (default: both)."),
    scope: str = typer.Option(
        "", help="KIND=V1,V2 with KIND province, station, zone, vessel_group, vessel or aton."
    ),
    rule: list[str] = typer.Option([], help="Rule type (repeat); default: every rule."),
    min_severity: str = typer.Option("warning", help="info, warning, major or critical."),
    on_resolve: bool = typer.Option(False, help="Also say when the alert is resolved."),
    quiet: str = typer.Option("", help="Quiet hours HH:MM-HH:MM local time, e.g. 22:00-06:00."),
    quiet_bypass: str = typer.Option("critical", help="This severity and above is never held."),
    digest: str = typer.Option("", help="hourly or daily (one message per province and period)."),
    escalate_after: int = typer.Option(None, help="Minutes unacknowledged before escalating."),
    escalate_user: str = typer.Option(None, help="Second contact (user name)."),
    escalate_address: str = typer.Option(None, help="Second contact (address)."),
    escalate_channel: str = typer.Option(None, help="Channel for the second contact."),
    language: str = typer.Option(None, help="vi or en (default: the recipient's)."),
    secret: str = typer.Option(None, help="Webhook HMAC key (default: generated, printed once)."),
) -> None:
    """Add a subscription; prints its id (and a generated webhook secret, once)."""
    from pydantic import ValidationError

    from giamsat.core.notify import subscriptions

    store = state(ctx).store()
    kind, _, values = scope.partition("=")
    quiet_start, _, quiet_end = quiet.partition("-")
    with store.write() as conn:
        try:
            spec = subscriptions.SubscriptionSpec(
                name=name,
                channel=channel,
                user_id=_user_id(conn, user),
                role=role,
                address=address,
                secret=secret,
                language=language,
                domain=domain,
                scope_kind=kind.strip(),
                scope_values=[v for v in values.split(",") if v.strip()],
                rules=rule,
                min_severity=min_severity,
                on_resolve=on_resolve,
                quiet_start=quiet_start or None,
                quiet_end=quiet_end or None,
                quiet_bypass=quiet_bypass,
                digest=digest,
                escalate_after_min=escalate_after,
                escalate_user_id=_user_id(conn, escalate_user),
                escalate_address=escalate_address,
                escalate_channel=escalate_channel,
            )
        except ValidationError as exc:
            fail("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()))
        sub_id, generated = subscriptions.create(conn, spec)
    out: dict[str, Any] = {"subscription": sub_id}
    if generated:
        out["secret"] = generated
    print_json_line(out)


@notify_app.command("subscriptions")
def list_subscriptions(ctx: typer.Context) -> None:
    """Every subscription, one JSON object per line (webhook secrets are never shown)."""
    from sqlalchemy import select

    from giamsat.core.notify.schema import notify_subscriptions
    from giamsat.core.notify.subscriptions import public

    store = state(ctx).store()
    with store.engine.connect() as conn:
        for row in conn.execute(select(notify_subscriptions).order_by(notify_subscriptions.c.id)):
            print_json_line(public(row))


@notify_app.command("unsubscribe")
def unsubscribe(ctx: typer.Context, subscription: int = typer.Argument(...)) -> None:
    """Delete a subscription."""
    from giamsat.core.notify import subscriptions

    store = state(ctx).store()
    with store.write() as conn:
        try:
            subscriptions.delete(conn, subscription)
        except LookupError as exc:
            fail(str(exc))
    print_json_line({"deleted": subscription})


@notify_app.command("test")
def send_test(ctx: typer.Context, subscription: int = typer.Argument(...)) -> None:
    """Queue a test message for every recipient of a subscription (a running notifier sends it)."""
    from giamsat.core.notify.router import Router

    app_state = state(ctx)
    try:
        ids = Router(app_state.store(), app_state.settings).enqueue_test(subscription)
    except LookupError as exc:
        fail(str(exc))
    print_json_line({"queued": ids})


@notify_app.command("status")
def status(ctx: typer.Context) -> None:
    """Outbox counts per channel and state, as one JSON line."""
    from giamsat.core.notify import outbox

    print_json_line({"outbox": outbox.counts(state(ctx).store())})


@notify_app.command("log")
def delivery_log(
    ctx: typer.Context,
    state_: list[str] = typer.Option([], "--state", help="held, pending, sent, failed …"),
    channel: list[str] = typer.Option([], help="web, email, sms, webhook."),
    limit: int = typer.Option(50, min=1),
) -> None:
    """The delivery log, newest first, one JSON object per line."""
    from sqlalchemy import select

    from giamsat.core.notify.channels.webhook import host_of
    from giamsat.core.notify.schema import notify_outbox as t

    store = state(ctx).store()
    query = select(
        t.c.id, t.c.created_at, t.c.kind, t.c.channel, t.c.destination, t.c.alert_id,
        t.c.severity, t.c.state, t.c.attempts, t.c.sent_at, t.c.last_error, t.c.response,
        t.c.subject,
    ).order_by(t.c.id.desc()).limit(limit)  # fmt: skip
    if state_:
        query = query.where(t.c.state.in_(state_))
    if channel:
        query = query.where(t.c.channel.in_(channel))
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            data = dict(row._mapping)
            if data["channel"] == "webhook":
                data["destination"] = host_of(data["destination"])
            print_json_line(json.loads(json.dumps(data, default=_iso)))


def _iso(value: Any) -> str:
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(value)


@notify_app.command("retry")
def retry(
    ctx: typer.Context,
    ids: list[int] = typer.Argument(None, help="Message ids (default: every failed message)."),
) -> None:
    """Send failed messages again (their attempts start over)."""
    from giamsat.core.notify import outbox

    print_json_line({"retried": outbox.retry(state(ctx).store(), ids or None)})


@notify_app.command("purge")
def purge(
    ctx: typer.Context, older_than_days: int = typer.Option(180, help="Age in days.", min=1)
) -> None:
    """Delete finished messages (sent, failed, cancelled, digested) older than the age given."""
    from giamsat.core.notify import outbox

    print_json_line({"deleted": outbox.purge(state(ctx).store(), older_than_days)})


@notify_app.command("run")
def run(ctx: typer.Context, verbose: bool = typer.Option(False, "--verbose", "-v")) -> None:
    """Run only the notifier (when alerts come from other processes); stop with Ctrl-C."""
    import logging
    import signal

    from giamsat.core.notify.worker import Notifier

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app_state = state(ctx)
    notifier = Notifier(app_state.store(), app_state.settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await notifier.start()
        try:
            await stop.wait()
        finally:
            await notifier.stop()

    asyncio.run(main())
