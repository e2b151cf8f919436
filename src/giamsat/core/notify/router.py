"""From alert events to outbox rows: routing, quiet hours, digests, escalation.

The router reads the alert audit trail (``alert_events``), which is written in the same
transaction as the alert itself, from a persisted cursor. So an alert raised just before a
crash, or by another process (``giamsat env check``, the maritime engine), is still routed:
nothing depends on an in-memory callback having run. Routing twice is harmless — outbox rows
are keyed (``dedupe_key``).

PostgreSQL may commit event ids out of order (two writers), so ids missing below the newest one
seen are watched for a while (``gap_timeout``) before the cursor moves past them.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from giamsat.config import Settings
from giamsat.core.notify import outbox
from giamsat.core.notify.routing import (
    Facts,
    Recipient,
    Subscription,
    destination,
    matches,
    may_see,
    rank,
    vessel_groups,
)
from giamsat.core.notify.schema import (
    notify_cursor,
    notify_escalations,
    notify_outbox,
    notify_subscriptions,
)
from giamsat.core.notify.templates import (
    Rendered,
    alert_view,
    render_alert,
    render_digest,
    render_test,
    view_from_json,
)
from giamsat.core.notify.timing import hold_until
from giamsat.core.store import Store
from giamsat.core.store.schema import alert_events, alerts, provinces, users

log = logging.getLogger(__name__)
CURSOR = "alert_events"
MAX_TRACKED_GAP = 1000  # a jump larger than this is not a transaction still in flight


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def content(channel: str, r: Rendered) -> dict[str, Any]:
    """The outbox columns a channel sends from."""
    if channel == "email":
        return {
            "subject": r.subject,
            "body_text": r.text,
            "body_html": r.html,
            "payload": r.payload,
        }
    if channel == "sms":
        return {"subject": r.title, "body_text": r.sms, "payload": r.payload}
    if channel == "web":
        return {"subject": r.title, "body_text": r.body, "payload": r.payload}
    return {"subject": r.title, "body_text": r.text, "payload": r.payload}


Told = dict[tuple[int, str], tuple[int, int | None]]


@dataclass
class _Batch:
    """Lookups shared by the events of one routing transaction."""

    conn: Connection
    subs: list[Subscription]
    users: dict[int, Recipient]
    alerts: dict[int, dict[str, Any] | None] = field(default_factory=dict)
    told: dict[int, Told] = field(default_factory=dict)
    facts: dict[tuple[str, str], Facts] = field(default_factory=dict)

    def sub(self, sub_id: int | None) -> Subscription | None:
        return next((s for s in self.subs if s.id == sub_id), None)

    def recipients(self, sub: Subscription) -> list[Recipient]:
        if sub.user_id is not None:
            user = self.users.get(sub.user_id)
            return [user] if user else []
        if sub.role:
            return [u for u in self.users.values() if u.role == sub.role]
        return [Recipient(user_id=None)] if sub.address else []


def load_subscriptions(conn: Connection, active_only: bool = True) -> list[Subscription]:
    query = select(notify_subscriptions).order_by(notify_subscriptions.c.id)
    if active_only:
        query = query.where(notify_subscriptions.c.active.is_(True))
    return [Subscription.from_row(r) for r in conn.execute(query)]


def load_recipients(conn: Connection) -> dict[int, Recipient]:
    rows = conn.execute(select(users).where(users.c.active.is_(True))).all()
    return {
        r.id: Recipient(
            user_id=r.id,
            role=r.role,
            province_id=r.province_id,
            organisation_id=r.organisation_id,
            email=r.email,
            phone=r.phone,
            language=r.language or "vi",
            username=r.username,
        )
        for r in rows
    }


def _alert_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def load_facts(conn: Connection, alert: dict[str, Any]) -> Facts:
    """Names, province and organisation of the alert's asset (stations: from their table)."""
    province_id = alert.get("province_id")
    name, org, latest, offset = "", None, None, 420
    if alert["asset_kind"] == "station":
        from giamsat.environment.schema import stations

        st = conn.execute(
            select(
                stations.c.name,
                stations.c.province_id,
                stations.c.organisation_id,
                stations.c.last_obs_ts,
                stations.c.utc_offset_min,
            ).where(stations.c.code == alert["asset_id"])
        ).first()
        if st is not None:
            name, org, latest, offset = (
                st.name,
                st.organisation_id,
                st.last_obs_ts,
                int(st.utc_offset_min),
            )
            province_id = st.province_id if st.province_id is not None else province_id
    code = pname = ""
    if province_id is not None:
        prov = conn.execute(
            select(provinces.c.code, provinces.c.name).where(provinces.c.id == province_id)
        ).first()
        if prov is not None:
            code, pname = prov.code, prov.name
    return Facts(
        province_id=province_id,
        province_code=code,
        province_name=pname,
        organisation_id=org,
        asset_name=name,
        latest_at=int(latest) if latest is not None else None,
        offset_min=offset,
        groups=frozenset(vessel_groups(alert)),
    )


class Router:
    def __init__(self, store: Store, settings: Settings, gap_timeout: float = 120.0) -> None:
        self.store = store
        self.settings = settings
        self.gap_timeout = gap_timeout
        self.high: int | None = None  # newest event id routed
        self.gaps: dict[int, float] = {}  # missing id -> when first missed (monotonic)
        self._failures: dict[int, str] = {}  # event id -> why it could not be routed
        self.touched: set[str] = set()  # channels that got messages due now (for wake-ups)

    # --- the cursor over alert_events -------------------------------------------------------
    def _cursor(self, conn: Connection) -> int:
        value = conn.execute(
            select(notify_cursor.c.position).where(notify_cursor.c.name == CURSOR)
        ).scalar()
        if value is None:  # no cursor yet: start after what already exists
            value = (
                conn.execute(select(alert_events.c.id).order_by(alert_events.c.id.desc())).scalar()
                or 0
            )
            conn.execute(notify_cursor.insert().values(name=CURSOR, position=value))
        return int(value)

    def route_pending(self, now: datetime | None = None, batch: int = 500) -> int:
        """Route every alert event not routed yet; returns how many were read."""
        total = 0
        while True:
            try:
                n = self._route_batch(now, batch)
            except _Retry as failure:  # find the culprits alone, then route the rest
                skip = self._isolate(failure.events, now)
                n = self._route_batch(now, batch, skip)
            total += n
            if n < batch:
                return total

    def _route_batch(
        self, now: datetime | None, batch: int, skip: frozenset[int] = frozenset()
    ) -> int:
        with self.store.write() as conn:
            cursor = self._cursor(conn)
            if self.high is None or self.high < cursor:
                self.high, self.gaps = cursor, {}
            rows = conn.execute(
                select(alert_events)
                .where(alert_events.c.id > self.high)
                .order_by(alert_events.c.id)
                .limit(batch)
            ).all()
            late = (
                conn.execute(
                    select(alert_events).where(alert_events.c.id.in_(list(self.gaps)))
                ).all()
                if self.gaps
                else []
            )
            events = sorted([*late, *rows], key=lambda r: r.id)
            for ev in events:
                if ev.id in skip:
                    self._record_failure(conn, ev.id, self._failures.get(ev.id, "routing failed"))
            events = [ev for ev in events if ev.id not in skip]
            if events:
                try:
                    self._route_events(conn, events, now)
                except Exception as exc:
                    if skip:  # already isolated: do not loop
                        raise
                    raise _Retry([ev.id for ev in events]) from exc
            self._advance(conn, cursor, rows, late)
            return len(rows)

    def _advance(self, conn: Connection, cursor: int, rows: list[Any], late: list[Any]) -> None:
        mono = time.monotonic()
        for r in late:
            self.gaps.pop(r.id, None)
        assert self.high is not None
        expected = self.high + 1
        for r in rows:
            if r.id - expected <= MAX_TRACKED_GAP:
                for missing in range(expected, r.id):
                    self.gaps[missing] = mono
            expected = r.id + 1
        if rows:
            self.high = rows[-1].id
        for gid, since in list(self.gaps.items()):
            if mono - since > self.gap_timeout:
                del self.gaps[gid]
        position = min(self.gaps) - 1 if self.gaps else self.high
        if position != cursor:
            conn.execute(
                update(notify_cursor)
                .where(notify_cursor.c.name == CURSOR)
                .values(position=position)
            )

    def _route_events(self, conn: Connection, events: list[Any], now: datetime | None) -> None:
        ctx = _Batch(conn, load_subscriptions(conn), load_recipients(conn))
        ids = sorted({ev.alert_id for ev in events})
        for row in conn.execute(select(alerts).where(alerts.c.id.in_(ids))):
            ctx.alerts[row.id] = _alert_dict(row)
        ctx.told = self._notified(conn, ids)
        for ev in events:
            self.route_event(ctx, ev, now)

    def _isolate(self, event_ids: list[int], now: datetime | None) -> frozenset[int]:
        """Route events of a failed batch one per transaction; returns those that fail alone."""
        failed: dict[int, str] = {}
        for event_id in event_ids:
            try:
                with self.store.write() as conn:
                    ev = conn.execute(
                        select(alert_events).where(alert_events.c.id == event_id)
                    ).one()
                    self._route_events(conn, [ev], now)
            except Exception as exc:
                log.exception("alert event %d could not be routed", event_id)
                failed[event_id] = f"routing failed: {type(exc).__name__}: {exc}"[:2000]
        self._failures.update(failed)
        return frozenset(failed)

    def _record_failure(self, conn: Connection, event_id: int, reason: str) -> None:
        """A message nobody will get, in the delivery log for an administrator to see."""
        outbox.insert(
            self.store,
            conn,
            {
                "dedupe_key": f"x:{event_id}",
                "kind": "alert",
                "channel": "router",
                "destination": "-",
                "alert_event_id": event_id,
                "state": "failed",
                "last_error": reason,
            },
        )

    # --- one event ----------------------------------------------------------------------------
    def route_event(self, ctx: _Batch, ev: Any, now: datetime | None = None) -> None:
        now = now or outbox.utcnow()
        if ev.alert_id not in ctx.alerts:
            row = ctx.conn.execute(select(alerts).where(alerts.c.id == ev.alert_id)).first()
            ctx.alerts[ev.alert_id] = _alert_dict(row) if row else None
        alert = ctx.alerts[ev.alert_id]
        if alert is None:
            return
        if ev.action in ("acknowledged", "resolved"):
            ctx.conn.execute(
                update(notify_escalations)
                .where(
                    notify_escalations.c.alert_id == alert["id"],
                    notify_escalations.c.state == "pending",
                )
                .values(state="cancelled", done_at=now)
            )
        key = (alert["asset_kind"], str(alert["asset_id"]))
        if key not in ctx.facts:
            ctx.facts[key] = load_facts(ctx.conn, alert)
        facts = ctx.facts[key]
        if ev.action in ("opened", "updated", "reopened"):
            self._notify(ctx, ev, alert, facts, now)
        elif ev.action == "resolved":
            self._notify_resolved(ctx, ev, alert, facts, now)

    @staticmethod
    def _notified(conn: Connection, alert_ids: list[int]) -> dict[int, Told]:
        """Per alert: (subscription, destination) -> (highest severity rank told, recipient)."""
        rows = conn.execute(
            select(
                notify_outbox.c.alert_id,
                notify_outbox.c.subscription_id,
                notify_outbox.c.destination,
                notify_outbox.c.severity,
                notify_outbox.c.recipient_user_id,
            ).where(
                notify_outbox.c.alert_id.in_(alert_ids),
                notify_outbox.c.kind.in_(["alert", "raised"]),
            )
        ).all()
        out: dict[int, Told] = {}
        for alert_id, sub_id, dest, severity, user_id in rows:
            if sub_id is None:
                continue
            told = out.setdefault(alert_id, {})
            best = told.get((sub_id, dest))
            if best is None or rank(severity) > best[0]:
                told[(sub_id, dest)] = (rank(severity), user_id)
        return out

    def _notify(
        self, ctx: _Batch, ev: Any, alert: dict[str, Any], facts: Facts, now: datetime
    ) -> None:
        told = ctx.told.setdefault(alert["id"], {})
        severity = rank(alert["severity"])
        for sub in ctx.subs:
            if not matches(sub, alert, facts):
                continue
            reached = False
            for rcp in ctx.recipients(sub):
                if not may_see(rcp, alert, facts):
                    continue
                dest = destination(sub.channel, rcp, sub.address)
                dest_key = dest or f"user:{rcp.user_id}"
                before = told.get((sub.id, dest_key))
                if before is not None and severity <= before[0]:
                    continue
                kind = "alert" if before is None else "raised"
                self.enqueue(ctx, sub, rcp, dest, alert, facts, kind, now, event_id=ev.id)
                told[(sub.id, dest_key)] = (severity, rcp.user_id)
                reached = True
            if reached and sub.escalate_after_min and alert["state"] == "open":
                due = _utc(alert["first_at"]) + timedelta(minutes=sub.escalate_after_min)
                ctx.conn.execute(
                    self.store.insert_ignore(
                        notify_escalations, ["subscription_id", "alert_id"]
                    ).values(
                        subscription_id=sub.id, alert_id=alert["id"], due_at=due, state="pending"
                    )
                )

    def _notify_resolved(
        self, ctx: _Batch, ev: Any, alert: dict[str, Any], facts: Facts, now: datetime
    ) -> None:
        if not any(s.on_resolve for s in ctx.subs):
            return
        for (sub_id, dest), (_, user_id) in list(ctx.told.get(alert["id"], {}).items()):
            sub = ctx.sub(sub_id)
            if sub is None or not sub.on_resolve:
                continue
            rcp = ctx.users.get(user_id) if user_id is not None else Recipient(user_id=None)
            if rcp is None or (dest.startswith("user:") and sub.channel != "web"):
                continue  # the user is gone, or the first message had no address either
            self.enqueue(ctx, sub, rcp, dest, alert, facts, "resolved", now, event_id=ev.id)

    # --- building a message -----------------------------------------------------------------
    def enqueue(
        self,
        ctx: _Batch,
        sub: Subscription,
        rcp: Recipient,
        dest: str | None,
        alert: dict[str, Any],
        facts: Facts,
        kind: str,
        now: datetime,
        *,
        channel: str | None = None,
        event_id: int | None = None,
    ) -> int | None:
        channel = channel or sub.channel
        lang = sub.language or rcp.language or "vi"
        view = alert_view(
            alert,
            asset_name=facts.asset_name,
            province=facts.province_name,
            latest_at=facts.latest_at,
            offset_min=facts.offset_min,
            base_url=self.settings.notify_base_url,
        )
        rendered = render_alert(view, kind, lang, escalate_minutes=sub.escalate_after_min)
        dest_key = dest or f"user:{rcp.user_id}"
        prefix = {"alert": "a", "raised": "a", "resolved": "r", "escalation": "e"}[kind]
        suffix = f":{alert['severity']}" if prefix == "a" else ""
        row: dict[str, Any] = {
            "dedupe_key": f"{prefix}:{sub.id}:{_key(channel + dest_key)}:{alert['id']}{suffix}",
            "kind": kind,
            "channel": channel,
            "destination": dest_key,
            "recipient_user_id": rcp.user_id,
            "subscription_id": sub.id,
            "alert_id": alert["id"],
            "alert_event_id": event_id,
            "severity": alert["severity"],
            "province_id": facts.province_id,
            "language": lang,
            "created_at": now,
            **content(channel, rendered),
        }
        if dest is None:
            what = {"email": "e-mail address", "sms": "phone number"}.get(channel, "address")
            row.update(
                state="failed", last_error=f"user {rcp.username or rcp.user_id} has no {what}"
            )
            return outbox.insert(self.store, ctx.conn, row)
        if kind != "escalation":
            release = hold_until(
                now,
                digest=sub.digest,
                quiet_start=sub.quiet_start,
                quiet_end=sub.quiet_end,
                offset_min=sub.utc_offset_min,
                bypass_quiet=rank(alert["severity"]) >= rank(sub.quiet_bypass),
                daily_hour=self.settings.notify_daily_digest_hour,
            )
            if release is not None:
                stamp = int(release.timestamp())
                group = (
                    f"digest:{sub.id}:{_key(channel + dest_key)}:{facts.province_code or '-'}:{stamp}"
                    if sub.digest
                    else f"quiet:{sub.id}:{_key(channel + dest_key)}:{stamp}"
                )
                row.update(state="held", release_at=release, group_key=group)
        new = outbox.insert(self.store, ctx.conn, row)
        if new is not None and row.get("state", "pending") == "pending":
            self.touched.add(channel)
        return new

    # --- held messages, escalations, tests -----------------------------------------------------
    def release_due(self, now: datetime | None = None) -> int:
        """Quiet hours over or digest period closed: send the held messages (a group of more
        than one, or any digest, as one digest message). Returns messages made due."""
        now = now or outbox.utcnow()
        with self.store.write() as conn:
            rows = conn.execute(
                select(notify_outbox)
                .where(notify_outbox.c.state == "held", notify_outbox.c.release_at <= now)
                .order_by(notify_outbox.c.id)
                .limit(5000)
            ).all()
            groups: dict[str, list[Any]] = defaultdict(list)
            for r in rows:
                groups[r.group_key or f"quiet:single:{r.id}"].append(r)
            made = 0
            for key, items in groups.items():
                self.touched.add(items[0].channel)
                if key.startswith("quiet:") and len(items) == 1:
                    conn.execute(
                        update(notify_outbox)
                        .where(notify_outbox.c.id == items[0].id)
                        .values(state="pending", next_attempt_at=now)
                    )
                else:
                    self._digest(conn, key, items, now)
                made += 1
            return made

    def _digest(self, conn: Connection, key: str, items: list[Any], now: datetime) -> None:
        first = items[0]
        views = [(i.kind, view_from_json((i.payload or {}).get("alert") or {})) for i in items]
        province = (
            next((v.province for _, v in views if v.province), "")
            if key.startswith("digest:")
            else ""
        )
        until = int(_utc(first.release_at).timestamp())
        rendered = render_digest(
            views, first.language, province=province, until=until, offset_min=views[0][1].offset_min
        )
        worst = max((i.severity for i in items), key=rank)
        digest_id = outbox.insert(
            self.store,
            conn,
            {
                "dedupe_key": f"d:{key}"[:200],
                "kind": "digest",
                "channel": first.channel,
                "destination": first.destination,
                "recipient_user_id": first.recipient_user_id,
                "subscription_id": first.subscription_id,
                "severity": worst,
                "province_id": first.province_id,
                "language": first.language,
                "created_at": now,
                **content(first.channel, rendered),
            },
        )
        if digest_id is None:
            digest_id = conn.execute(
                select(notify_outbox.c.id).where(notify_outbox.c.dedupe_key == f"d:{key}"[:200])
            ).scalar_one()
        conn.execute(
            update(notify_outbox)
            .where(notify_outbox.c.id.in_([i.id for i in items]))
            .values(state="digested", parent_id=digest_id)
        )

    def escalate_due(self, now: datetime | None = None) -> int:
        """Alerts still open (not acknowledged) when their escalation is due: tell the second
        contact. Returns escalations decided."""
        now = now or outbox.utcnow()
        with self.store.write() as conn:
            due = conn.execute(
                select(notify_escalations)
                .where(notify_escalations.c.state == "pending", notify_escalations.c.due_at <= now)
                .order_by(notify_escalations.c.id)
                .limit(500)
            ).all()
            if not due:
                return 0
            ctx = _Batch(conn, load_subscriptions(conn, active_only=False), load_recipients(conn))
            for esc in due:
                state = self._escalate(ctx, esc, now)
                conn.execute(
                    update(notify_escalations)
                    .where(notify_escalations.c.id == esc.id)
                    .values(state=state, done_at=now)
                )
            return len(due)

    def _escalate(self, ctx: _Batch, esc: Any, now: datetime) -> str:
        sub = ctx.sub(esc.subscription_id)
        row = ctx.conn.execute(select(alerts).where(alerts.c.id == esc.alert_id)).first()
        if sub is None or not sub.active or row is None or row.state != "open":
            return "cancelled"
        alert = _alert_dict(row)
        facts = load_facts(ctx.conn, alert)
        channel = sub.escalate_channel or sub.channel
        targets: list[tuple[Recipient, str | None]] = []
        if sub.escalate_user_id is not None:
            user = ctx.users.get(sub.escalate_user_id)
            if user is not None:
                targets.append((user, None))
        if sub.escalate_address:
            targets.append((Recipient(user_id=None), sub.escalate_address))
        sent = False
        for rcp, address in targets:
            if not may_see(rcp, alert, facts):
                continue
            dest = destination(channel, rcp, address)
            self.enqueue(ctx, sub, rcp, dest, alert, facts, "escalation", now, channel=channel)
            sent = True
        return "sent" if sent else "cancelled"

    def enqueue_test(self, sub_id: int, now: datetime | None = None) -> list[int]:
        """A test message to every recipient of a subscription, at once (no quiet hours)."""
        now = now or outbox.utcnow()
        ids = []
        with self.store.write() as conn:
            ctx = _Batch(conn, load_subscriptions(conn, active_only=False), load_recipients(conn))
            sub = ctx.sub(sub_id)
            if sub is None:
                raise LookupError(f"no subscription {sub_id}")
            for rcp in ctx.recipients(sub):
                dest = destination(sub.channel, rcp, sub.address)
                lang = sub.language or rcp.language or "vi"
                row: dict[str, Any] = {
                    "dedupe_key": f"t:{sub.id}:{uuid.uuid4().hex}",
                    "kind": "test",
                    "channel": sub.channel,
                    "destination": dest or f"user:{rcp.user_id}",
                    "recipient_user_id": rcp.user_id,
                    "subscription_id": sub.id,
                    "severity": "info",
                    "language": lang,
                    "created_at": now,
                    **content(sub.channel, render_test(sub.name, lang)),
                }
                if dest is None:
                    row.update(state="failed", last_error="no address for this channel")
                new = outbox.insert(self.store, conn, row)
                if new is not None:
                    ids.append(new)
                    self.touched.add(sub.channel)
        return ids


class _Retry(Exception):
    """A routing batch failed; the caller routes event by event."""

    def __init__(self, events: list[int]) -> None:
        super().__init__(f"{len(events)} events")
        self.events = events
