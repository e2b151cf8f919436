"""Notifications: subscriptions, the delivery log, the pop-up inbox and one's own contact
details. Everyone manages their own subscriptions (web, e-mail and SMS to their own address);
administrators manage all of them, role-wide ones, explicit addresses and webhooks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection

from giamsat.core.notify import outbox, subscriptions
from giamsat.core.notify.channels.webhook import host_of
from giamsat.core.notify.router import Router
from giamsat.core.notify.schema import (
    notify_attempts,
    notify_inbox,
    notify_outbox,
    notify_subscriptions,
)
from giamsat.core.notify.subscriptions import KNOWN_RULES, SubscriptionSpec
from giamsat.core.store.schema import users
from giamsat.web.auth import Principal, audit
from giamsat.web.context import Admin, Ctx, User, client_of
from giamsat.web.tabular import Paging

router = APIRouter(prefix="/notify", tags=["notify"])


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value


def _guard(principal: Principal, spec: SubscriptionSpec) -> SubscriptionSpec:
    """What a non-administrator may ask for: only for themselves, to their own addresses."""
    if principal.admin:
        return spec
    if spec.role is not None or spec.address or spec.escalate_address or spec.secret:
        raise HTTPException(
            403, "only administrators set roles, addresses, webhook secrets or external contacts"
        )
    if spec.channel == "webhook":
        raise HTTPException(403, "only administrators create webhooks")
    if spec.user_id not in (None, principal.user_id):
        raise HTTPException(403, "you can only subscribe yourself")
    return spec.model_copy(update={"user_id": principal.user_id})


def _visible(principal: Principal) -> Any:
    """Subscriptions a user sees: their own, those they manage, and those of their role."""
    if principal.admin:
        return True
    t = notify_subscriptions.c
    return or_(
        t.user_id == principal.user_id, t.owner_id == principal.user_id, t.role == principal.role
    )


def _owned(conn: Connection, principal: Principal, sub_id: int) -> dict[str, Any]:
    """The subscription if the caller may change it: administrators any, others their own."""
    row = conn.execute(
        select(notify_subscriptions).where(notify_subscriptions.c.id == sub_id)
    ).first()
    if row is None:
        raise HTTPException(404, "no such subscription")
    if principal.admin or (row.role is None and principal.user_id in (row.user_id, row.owner_id)):
        return dict(row._mapping)
    if row.role == principal.role:
        raise HTTPException(403, "a subscription of your whole role is changed by administrators")
    raise HTTPException(404, "no such subscription")


def _spec(data: Any, principal: Principal) -> SubscriptionSpec:
    """The spec of a request body; without a recipient, the caller is the recipient."""
    if not isinstance(data, dict):
        raise HTTPException(422, "send a JSON object")
    if not any(data.get(k) for k in ("user_id", "role", "address")):
        data = {**data, "user_id": principal.user_id}
    try:
        return SubscriptionSpec(**data)
    except ValidationError as exc:
        raise HTTPException(
            422, "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        ) from None


@router.get("/options")
def options(ctx: Ctx, principal: User) -> dict[str, Any]:
    """What the subscription form offers: channels that are set up, rule types, scopes."""
    s = ctx.settings
    return {
        "channels": {
            "web": True,
            "email": bool(s.smtp_host and s.smtp_from),
            "sms": bool(s.sms_url),
            "webhook": principal.admin,
        },
        "rules": list(KNOWN_RULES),
        "scope_kinds": ["province", "station", "zone", "vessel_group", "vessel", "aton"],
        "severities": ["info", "warning", "major", "critical"],
        "digests": ["hourly", "daily"],
    }


@router.get("/subscriptions")
def list_subscriptions(ctx: Ctx, principal: User, paging: Paging = Depends()) -> dict[str, Any]:
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(
            select(notify_subscriptions)
            .where(_visible(principal))
            .order_by(notify_subscriptions.c.id)
        ).all()
    items = [subscriptions.public(r) for r in rows]
    for item in items:
        item["editable"] = principal.admin or (
            item["role"] is None and principal.user_id in (item["user_id"], item["owner_id"])
        )
    return paging.slice(items)


@router.post("/subscriptions", status_code=201)
async def create_subscription(request: Request, ctx: Ctx, principal: User) -> dict[str, Any]:
    spec = _guard(principal, _spec(await request.json(), principal))
    with ctx.store.write() as conn:
        _check_users(conn, spec)
        sub_id, secret = subscriptions.create(conn, spec, owner_id=principal.user_id)
        audit(
            conn,
            principal.username,
            "notify.subscribe",
            f"#{sub_id} {spec.channel}",
            client=client_of(request),
        )
        out = subscriptions.get(conn, sub_id) or {}
    if secret:
        out["secret"] = secret  # shown once
    return out


def _check_users(conn: Connection, spec: SubscriptionSpec) -> None:
    for uid in (spec.user_id, spec.escalate_user_id):
        if (
            uid is not None
            and conn.execute(select(users.c.id).where(users.c.id == uid)).first() is None
        ):
            raise HTTPException(422, f"no user {uid}")


@router.put("/subscriptions/{sub_id}")
async def replace_subscription(
    sub_id: int, request: Request, ctx: Ctx, principal: User
) -> dict[str, Any]:
    with ctx.store.write() as conn:
        current = _owned(conn, principal, sub_id)
        spec = _guard(principal, _spec(await request.json(), principal))
        if not principal.admin:
            spec = spec.model_copy(update={"user_id": current["user_id"]})
        _check_users(conn, spec)
        subscriptions.replace(conn, sub_id, spec)
        audit(conn, principal.username, "notify.update", f"#{sub_id}", client=client_of(request))
        return subscriptions.get(conn, sub_id) or {}


@router.delete("/subscriptions/{sub_id}")
def delete_subscription(sub_id: int, request: Request, ctx: Ctx, principal: User) -> dict[str, Any]:
    with ctx.store.write() as conn:
        _owned(conn, principal, sub_id)
        subscriptions.delete(conn, sub_id)
        audit(
            conn, principal.username, "notify.unsubscribe", f"#{sub_id}", client=client_of(request)
        )
    return {"deleted": sub_id}


@router.post("/subscriptions/{sub_id}/test")
def test_subscription(sub_id: int, ctx: Ctx, principal: User, request: Request) -> dict[str, Any]:
    """Queue a test message to every recipient of the subscription (watch the delivery log)."""
    with ctx.store.engine.connect() as conn:
        _owned(conn, principal, sub_id)
    ids = Router(ctx.store, ctx.settings).enqueue_test(sub_id)
    notifier = getattr(request.app.state, "notifier", None)
    if notifier is not None:
        notifier.wake("web")
        for name in ("email", "sms", "webhook"):
            notifier.wake(name)
    return {"queued": ids}


# --- delivery log ----------------------------------------------------------------------------
LOG_COLUMNS = (
    "id",
    "kind",
    "channel",
    "destination",
    "recipient_user_id",
    "subscription_id",
    "alert_id",
    "severity",
    "language",
    "subject",
    "state",
    "attempts",
    "created_at",
    "sent_at",
    "next_attempt_at",
    "release_at",
    "last_error",
    "response",
    "parent_id",
)


def _log_item(row: Any) -> dict[str, Any]:
    data = {k: _iso(getattr(row, k)) for k in LOG_COLUMNS}
    if data["channel"] == "webhook":
        data["destination"] = host_of(data["destination"])
    return data


def _log_scope(principal: Principal) -> Any:
    if principal.admin:
        return True
    mine = select(notify_subscriptions.c.id).where(
        notify_subscriptions.c.owner_id == principal.user_id
    )
    return or_(
        notify_outbox.c.recipient_user_id == principal.user_id,
        notify_outbox.c.subscription_id.in_(mine),
    )


@router.get("/deliveries")
def deliveries(
    ctx: Ctx,
    principal: User,
    paging: Paging = Depends(),
    state: list[str] | None = Query(None),
    channel: list[str] | None = Query(None),
    kind: str | None = None,
    alert_id: int | None = None,
) -> dict[str, Any]:
    """The delivery log, newest first: what was sent, what failed and why, what waits."""
    conds = [_log_scope(principal)]
    if state:
        conds.append(notify_outbox.c.state.in_(state))
    if channel:
        conds.append(notify_outbox.c.channel.in_(channel))
    if kind:
        conds.append(notify_outbox.c.kind == kind)
    if alert_id is not None:
        conds.append(notify_outbox.c.alert_id == alert_id)
    where = and_(*conds)
    with ctx.store.engine.connect() as conn:
        total = conn.execute(
            select(func.count()).select_from(notify_outbox).where(where)
        ).scalar_one()
        rows = conn.execute(
            select(notify_outbox)
            .where(where)
            .order_by(notify_outbox.c.id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
        ).all()
        counts = dict(
            conn.execute(
                select(notify_outbox.c.state, func.count())
                .where(_log_scope(principal))
                .group_by(notify_outbox.c.state)
            ).all()
        )
    return paging.envelope([_log_item(r) for r in rows], int(total), counts=counts)


@router.get("/deliveries/{delivery_id}")
def delivery(delivery_id: int, ctx: Ctx, principal: User) -> dict[str, Any]:
    """One message: what it said and every attempt to send it."""
    with ctx.store.engine.connect() as conn:
        row = conn.execute(
            select(notify_outbox).where(notify_outbox.c.id == delivery_id, _log_scope(principal))
        ).first()
        if row is None:
            raise HTTPException(404, "no such delivery")
        attempts = conn.execute(
            select(notify_attempts)
            .where(notify_attempts.c.outbox_id == delivery_id)
            .order_by(notify_attempts.c.id)
        ).all()
        carried = conn.execute(
            select(notify_outbox.c.id, notify_outbox.c.alert_id).where(
                notify_outbox.c.parent_id == delivery_id
            )
        ).all()
    item = _log_item(row)
    item["body_text"] = row.body_text
    item["attempts_log"] = [
        {"at": _iso(a.at), "outcome": a.outcome, "detail": a.detail, "duration_ms": a.duration_ms}
        for a in attempts
    ]
    item["digest_of"] = [{"id": c.id, "alert_id": c.alert_id} for c in carried]
    return item


@router.post("/deliveries/{delivery_id}/retry")
def retry_delivery(
    delivery_id: int, request: Request, ctx: Ctx, principal: Admin
) -> dict[str, Any]:
    """Send a failed message again (its attempts start over)."""
    n = outbox.retry(ctx.store, [delivery_id])
    if not n:
        raise HTTPException(409, "only a failed message can be sent again")
    with ctx.store.write() as conn:
        audit(
            conn, principal.username, "notify.retry", f"#{delivery_id}", client=client_of(request)
        )
    notifier = getattr(request.app.state, "notifier", None)
    if notifier is not None:
        for name in ("web", "email", "sms", "webhook"):
            notifier.wake(name)
    return {"retried": delivery_id}


@router.get("/status")
def status(request: Request, ctx: Ctx, principal: Admin) -> dict[str, Any]:
    """Outbox counts per channel and state, and the channels as this process sees them."""
    s = ctx.settings
    notifier = getattr(request.app.state, "notifier", None)
    return {
        "outbox": outbox.counts(ctx.store),
        "channels": {
            "email": {
                "configured": bool(s.smtp_host and s.smtp_from),
                "server": f"{s.smtp_host}:{s.smtp_port}" if s.smtp_host else None,
                "security": s.smtp_security,
                "rate_per_minute": s.smtp_rate_per_minute,
            },
            "sms": {
                "configured": bool(s.sms_url),
                "method": s.sms_method,
                "rate_per_minute": s.sms_rate_per_minute,
            },
            "webhook": {"configured": True, "rate_per_minute": s.webhook_rate_per_minute},
            "web": {"configured": True},
        },
        "worker": notifier.status() if notifier is not None else None,
    }


# --- pop-up inbox ----------------------------------------------------------------------------
@router.get("/inbox")
def inbox(
    ctx: Ctx,
    principal: User,
    unread: bool = False,
    limit: int = Query(20, ge=1, le=200),
) -> dict[str, Any]:
    """My pop-ups, newest first (the UI shows unread ones it missed while offline)."""
    conds = [notify_inbox.c.user_id == principal.user_id]
    if unread:
        conds.append(notify_inbox.c.read_at.is_(None))
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(
            select(notify_inbox).where(*conds).order_by(notify_inbox.c.id.desc()).limit(limit)
        ).all()
        unread_n = conn.execute(
            select(func.count())
            .select_from(notify_inbox)
            .where(notify_inbox.c.user_id == principal.user_id, notify_inbox.c.read_at.is_(None))
        ).scalar_one()
    items = [{k: _iso(v) for k, v in r._mapping.items()} for r in rows]
    return {"items": items, "unread": int(unread_n)}


class ReadIn(BaseModel):
    ids: list[int] | None = Field(None, description="Entries to mark read; none: all of mine.")


@router.post("/inbox/read")
def mark_read(body: ReadIn, ctx: Ctx, principal: User) -> dict[str, Any]:
    conds = [notify_inbox.c.user_id == principal.user_id, notify_inbox.c.read_at.is_(None)]
    if body.ids is not None:
        conds.append(notify_inbox.c.id.in_(body.ids))
    with ctx.store.write() as conn:
        n = conn.execute(
            update(notify_inbox).where(*conds).values(read_at=datetime.now(UTC))
        ).rowcount
    return {"read": int(n or 0)}


# --- my contact details ----------------------------------------------------------------------
class ProfileIn(BaseModel):
    email: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    language: Literal["vi", "en"] | None = None


@router.get("/profile")
def profile(ctx: Ctx, principal: User) -> dict[str, Any]:
    with ctx.store.engine.connect() as conn:
        row = conn.execute(
            select(users.c.email, users.c.phone, users.c.language).where(
                users.c.id == principal.user_id
            )
        ).one()
    return dict(row._mapping)


@router.put("/profile")
def set_profile(body: ProfileIn, request: Request, ctx: Ctx, principal: User) -> dict[str, Any]:
    """Where my e-mail and SMS notifications go, and their language."""
    values: dict[str, Any] = {}
    try:
        if body.email is not None:
            values["email"] = (
                subscriptions.check_address("email", body.email) if body.email.strip() else None
            )
        if body.phone is not None:
            values["phone"] = (
                subscriptions.check_address("sms", body.phone) if body.phone.strip() else None
            )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    if body.language is not None:
        values["language"] = body.language
    with ctx.store.write() as conn:
        if values:
            conn.execute(update(users).where(users.c.id == principal.user_id).values(**values))
            audit(
                conn,
                principal.username,
                "notify.profile",
                principal.username,
                client=client_of(request),
            )
    return profile(ctx, principal)
