"""The persisted outbox: every message is a row before anything is sent, so a restart or a
channel outage loses nothing.

A message is inserted once (its ``dedupe_key`` is unique, so routing the same alert event twice
adds nothing), claimed by a sender with a lease (several workers never send the same row),
and finished with one of four outcomes: sent; retry later with exponential backoff; failed for
good (the server refused it, or it ran out of attempts); or waiting, when the whole channel is
unreachable — then the message keeps its attempts, because the outage is not its fault.
Every attempt is a ``notify_attempts`` row: the delivery log says what happened and why.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection

from giamsat.core.notify.schema import notify_attempts, notify_inbox, notify_outbox
from giamsat.core.notify.schema import notify_subscriptions as subs_table
from giamsat.core.store import Store


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Message:
    """A claimed outbox row, as a sender sees it."""

    id: int
    dedupe_key: str
    kind: str
    channel: str
    destination: str
    recipient_user_id: int | None
    subscription_id: int | None
    alert_id: int | None
    severity: str
    language: str
    subject: str
    body_text: str
    body_html: str | None
    payload: dict[str, Any] | None
    attempts: int
    created_at: datetime
    secret: str | None = field(default=None, repr=False)  # the subscription's webhook key


@dataclass
class Outcome:
    """What a send attempt did. status: sent | retry | failed | waiting."""

    id: int
    status: str
    detail: str = ""
    duration_ms: float | None = None
    response: str = ""
    retry_after: float | None = None  # seconds, when the server said so (HTTP Retry-After)
    log: bool = True  # waiting outcomes: only the message that probed the channel is logged


_COLUMNS = [c.name for c in notify_outbox.columns if c.name != "id"]
_INSERTS: dict[bool, Any] = {}


def _insert_statement(store: Store) -> Any:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, built once per dialect:
    parameters are bound per call, so nothing is compiled again for each message."""
    stmt = _INSERTS.get(store.is_sqlite)
    if stmt is None:
        stmt = (
            store.insert(notify_outbox)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(notify_outbox.c.id)
        )
        _INSERTS[store.is_sqlite] = stmt
    return stmt


def insert(store: Store, conn: Connection, row: dict[str, Any]) -> int | None:
    """Insert a message unless one with its dedupe key exists; returns the new id or None."""
    now = row.get("created_at") or utcnow()
    values: dict[str, Any] = dict.fromkeys(_COLUMNS)
    values.update(attempts=0, severity="warning", language="vi", subject="", body_text="")
    values.update(row)
    values["created_at"] = now
    if not values.get("state"):
        values["state"] = "pending"
    if values["state"] == "pending" and values["next_attempt_at"] is None:
        values["next_attempt_at"] = now
    found = conn.execute(_insert_statement(store), values).first()
    return int(found[0]) if found else None


def backoff(attempts: int, base: float, cap: float, jitter: float = 0.1) -> float:
    """Seconds before attempt ``attempts + 1``: base · 2^(attempts − 1), capped, ±10 %."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return delay * (1 + random.uniform(-jitter, jitter))


def claim(
    store: Store,
    channel: str,
    limit: int,
    owner: str,
    now: datetime | None = None,
    lease_seconds: float = 120.0,
) -> list[Message]:
    """Lease up to ``limit`` due messages of a channel to ``owner`` (oldest first)."""
    if limit <= 0:
        return []
    now = now or utcnow()
    due = and_(
        notify_outbox.c.state == "pending",
        notify_outbox.c.channel == channel,
        notify_outbox.c.next_attempt_at <= now,
        or_(notify_outbox.c.lease_until.is_(None), notify_outbox.c.lease_until < now),
    )
    with store.write() as conn:
        pick = select(notify_outbox.c.id).where(due).order_by(notify_outbox.c.id).limit(limit)
        if not store.is_sqlite:
            pick = pick.with_for_update(skip_locked=True)
        ids = [r[0] for r in conn.execute(pick)]
        if not ids:
            return []
        until = now + timedelta(seconds=lease_seconds)
        conn.execute(
            update(notify_outbox)
            .where(notify_outbox.c.id.in_(ids), due)
            .values(lease_owner=owner, lease_until=until)
        )
        rows = conn.execute(
            select(notify_outbox, subs_table.c.secret)
            .select_from(
                notify_outbox.outerjoin(
                    subs_table, subs_table.c.id == notify_outbox.c.subscription_id
                )
            )
            .where(notify_outbox.c.id.in_(ids), notify_outbox.c.lease_owner == owner)
            .order_by(notify_outbox.c.id)
        ).all()
    return [_message(r) for r in rows]


def _message(r: Any) -> Message:
    return Message(
        id=r.id,
        dedupe_key=r.dedupe_key,
        kind=r.kind,
        channel=r.channel,
        destination=r.destination,
        recipient_user_id=r.recipient_user_id,
        subscription_id=r.subscription_id,
        alert_id=r.alert_id,
        severity=r.severity,
        language=r.language,
        subject=r.subject,
        body_text=r.body_text,
        body_html=r.body_html,
        payload=r.payload,
        attempts=r.attempts,
        created_at=r.created_at,
        secret=r.secret,
    )


def record(
    store: Store,
    outcomes: Iterable[Outcome],
    *,
    max_attempts: int,
    retry_base: float,
    retry_max: float,
    wait_seconds: float = 5.0,
    now: datetime | None = None,
    conn: Connection | None = None,
) -> None:
    """Store what the attempts did, in one transaction (or in ``conn``'s)."""
    outcomes = list(outcomes)
    if not outcomes:
        return
    if conn is None:
        with store.write() as own:
            _record(own, outcomes, max_attempts, retry_base, retry_max, wait_seconds, now)
    else:
        _record(conn, outcomes, max_attempts, retry_base, retry_max, wait_seconds, now)


def _record(
    conn: Connection,
    outcomes: Sequence[Outcome],
    max_attempts: int,
    retry_base: float,
    retry_max: float,
    wait_seconds: float,
    now: datetime | None,
) -> None:
    now = now or utcnow()
    attempts_of = dict(
        conn.execute(
            select(notify_outbox.c.id, notify_outbox.c.attempts).where(
                notify_outbox.c.id.in_([o.id for o in outcomes])
            )
        ).all()
    )
    log_rows = []
    for o in outcomes:
        done = attempts_of.get(o.id)
        if done is None:
            continue
        free = {"lease_owner": None, "lease_until": None}
        if o.status == "waiting":  # the channel is down: the message keeps its attempts
            if o.log:
                log_rows.append(
                    {
                        "outbox_id": o.id,
                        "at": now,
                        "outcome": "waiting",
                        "detail": o.detail,
                        "duration_ms": o.duration_ms,
                    }
                )
            conn.execute(
                update(notify_outbox)
                .where(notify_outbox.c.id == o.id)
                .values(
                    **free,
                    last_error=o.detail,
                    next_attempt_at=now + timedelta(seconds=wait_seconds),
                )
            )
            continue
        tries = done + 1
        status = o.status
        if status == "retry" and tries >= max_attempts:
            status = "failed"
            o.detail = f"{o.detail} (gave up after {tries} attempts)"
        values: dict[str, Any] = {**free, "attempts": tries}
        if status == "sent":
            values.update(state="sent", sent_at=now, last_error=None, response=o.response[:500])
        elif status == "retry":
            delay = (
                o.retry_after
                if o.retry_after is not None
                else backoff(tries, retry_base, retry_max)
            )
            values.update(
                state="pending", last_error=o.detail, next_attempt_at=now + timedelta(seconds=delay)
            )
        else:
            values.update(state="failed", last_error=o.detail)
        conn.execute(update(notify_outbox).where(notify_outbox.c.id == o.id).values(**values))
        log_rows.append(
            {
                "outbox_id": o.id,
                "at": now,
                "outcome": status,
                "detail": o.detail if status != "sent" else (o.response or o.detail),
                "duration_ms": o.duration_ms,
            }
        )
    if log_rows:
        conn.execute(notify_attempts.insert(), log_rows)


def mark_waiting(store: Store, channel: str, reason: str) -> int:
    """Say on every pending message of a channel that is down why it waits (delivery log)."""
    with store.write() as conn:
        result = conn.execute(
            update(notify_outbox)
            .where(
                notify_outbox.c.channel == channel,
                notify_outbox.c.state == "pending",
                or_(notify_outbox.c.last_error.is_(None), notify_outbox.c.last_error != reason),
            )
            .values(last_error=reason)
        )
        return int(result.rowcount or 0)


def release_leases(store: Store, owner: str) -> None:
    """Give back what a stopping sender still holds, so a restart picks it up at once."""
    with store.write() as conn:
        conn.execute(
            update(notify_outbox)
            .where(notify_outbox.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )


def deliver_web(
    store: Store, messages: Sequence[Message], now: datetime | None = None
) -> list[dict[str, Any]]:
    """The web channel: keep each pop-up in its user's inbox and mark it sent, atomically.
    Returns the inbox entries to announce on the live hub (after the commit)."""
    now = now or utcnow()
    entries: list[dict[str, Any]] = []
    outcomes: list[Outcome] = []
    with store.write() as conn:
        for m in messages:
            if m.recipient_user_id is None:
                outcomes.append(Outcome(m.id, "failed", "a web pop-up needs a user"))
                continue
            payload = {**(m.payload or {}), "kind": m.kind}
            stmt = store.insert_ignore(notify_inbox, ["outbox_id"]).values(
                user_id=m.recipient_user_id,
                outbox_id=m.id,
                alert_id=m.alert_id,
                severity=m.severity,
                title=m.subject,
                body=m.body_text,
                payload=payload,
                created_at=now,
            )
            found = conn.execute(stmt.returning(notify_inbox.c.id)).first()
            inbox_id = (
                int(found[0])
                if found
                else conn.execute(
                    select(notify_inbox.c.id).where(notify_inbox.c.outbox_id == m.id)
                ).scalar_one()
            )
            entries.append(
                {
                    "user_id": m.recipient_user_id,
                    "id": inbox_id,
                    "alert_id": m.alert_id,
                    "severity": m.severity,
                    "title": m.subject,
                    "body": m.body_text,
                    "kind": m.kind,
                    "payload": payload,
                    "created_at": now.isoformat().replace("+00:00", "Z"),
                }
            )
            outcomes.append(Outcome(m.id, "sent", response=f"inbox #{inbox_id}"))
        _record(conn, outcomes, 1, 1.0, 1.0, 5.0, now)
    return entries


# --- reading and managing --------------------------------------------------------------------
def counts(store: Store) -> dict[str, dict[str, int]]:
    """{channel: {state: n}}."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(notify_outbox.c.channel, notify_outbox.c.state, func.count()).group_by(
                notify_outbox.c.channel, notify_outbox.c.state
            )
        ).all()
    out: dict[str, dict[str, int]] = {}
    for channel, state, n in rows:
        out.setdefault(channel, {})[state] = int(n)
    return out


def retry(store: Store, ids: Sequence[int] | None = None, now: datetime | None = None) -> int:
    """Send failed messages again (all failed ones when ``ids`` is None); returns how many."""
    now = now or utcnow()
    cond = notify_outbox.c.state == "failed"
    if ids is not None:
        cond = and_(cond, notify_outbox.c.id.in_(list(ids)))
    with store.write() as conn:
        result = conn.execute(
            update(notify_outbox)
            .where(cond)
            .values(
                state="pending", attempts=0, next_attempt_at=now, lease_owner=None, lease_until=None
            )
        )
        return int(result.rowcount or 0)


def purge(store: Store, older_than_days: int = 180, now: datetime | None = None) -> int:
    """Delete finished messages (sent, failed, cancelled, digested), pop-ups and decided
    escalations older than the limit; returns the messages deleted."""
    from giamsat.core.notify.schema import notify_escalations

    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    with store.write() as conn:
        result = conn.execute(
            notify_outbox.delete().where(
                notify_outbox.c.state.in_(["sent", "failed", "cancelled", "digested"]),
                notify_outbox.c.created_at < cutoff,
            )
        )
        conn.execute(notify_inbox.delete().where(notify_inbox.c.created_at < cutoff))
        conn.execute(
            notify_escalations.delete().where(
                notify_escalations.c.state != "pending", notify_escalations.c.due_at < cutoff
            )
        )
        return int(result.rowcount or 0)
