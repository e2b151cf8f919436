"""The alert lifecycle every rule shares: open → acknowledged → resolved, with an audit trail.

One live alert per asset + parameter + rule (a partial unique index enforces it): raising it
again updates that alert (occurrences, last value, severity) instead of adding a duplicate.
Every change is an ``alert_events`` row. Listeners hear about changes after the transaction
that made them commits (never about a change that was rolled back).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from giamsat.core.store.schema import alert_events, alerts

log = logging.getLogger(__name__)

STATES = ("open", "acknowledged", "resolved")
SEVERITIES = ("info", "warning", "major", "critical")
_PENDING = "giamsat.alerts.pending"  # events of the open transaction
_READY = "giamsat.alerts.ready"  # events of a committed transaction, not yet delivered

Listener = Callable[[dict[str, Any]], None]
_listeners: list[Listener] = []


def add_listener(callback: Listener) -> None:
    """Call ``callback(event)`` after each committed change:
    ``{"alert_id", "action" (opened|updated|acknowledged|resolved), "alert": {...}}``."""
    if callback not in _listeners:
        _listeners.append(callback)


def remove_listener(callback: Listener) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def _as_datetime(value: datetime | int | float | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("alert times must be timezone-aware")
        return value.astimezone(UTC)
    return datetime.fromtimestamp(float(value), UTC)


def _row_dict(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return data


# --- delivery after commit ------------------------------------------------------------------
def _on_commit(conn: Connection) -> None:
    pending = conn.info.pop(_PENDING, None)
    if pending:
        conn.info.setdefault(_READY, []).extend(pending)


def _on_rollback(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)


def _on_checkin(dbapi_conn: Any, record: Any) -> None:
    if record is not None:
        ready = record.info.pop(_READY, None)
        if ready:
            _deliver(ready)


_hooked: weakref.WeakSet[Any] = weakref.WeakSet()  # engines and pools that have our listeners


def _hook(engine: Engine) -> None:
    """Queue events per connection; move them to 'ready' on commit, drop them on rollback,
    deliver when the connection goes back to the pool (after the commit has happened).

    Hooked targets are remembered in a weak set, not asked with ``event.contains``: that keys
    on ``id()``, so a new pool at the address of a collected one looked hooked and its
    events were never delivered (the intermittent PostgreSQL test failure)."""
    if engine not in _hooked:
        event.listen(engine, "commit", _on_commit)
        event.listen(engine, "rollback", _on_rollback)
        _hooked.add(engine)
    if engine.pool not in _hooked:
        event.listen(engine.pool, "checkin", _on_checkin)
        _hooked.add(engine.pool)


def _deliver(events: Iterable[dict[str, Any]]) -> None:
    for ev in events:
        for callback in list(_listeners):
            try:
                callback(ev)
            except Exception:  # a listener must never break the rule that raised the alert
                log.exception("alert listener failed")


def deliver_ready(conn: Connection) -> None:
    """Deliver the events of transactions this connection has committed, now (for callers
    that keep a connection open across several transactions)."""
    ready = conn.info.pop(_READY, None)
    if ready:
        _deliver(ready)


def _queue(conn: Connection, alert_id: int, action: str) -> None:
    _hook(conn.engine)
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).one()
    conn.info.setdefault(_PENDING, []).append(
        {"alert_id": alert_id, "action": action, "alert": _row_dict(row)}
    )


def _event(
    conn: Connection,
    alert_id: int,
    action: str,
    at: datetime,
    actor: str = "system",
    note: str = "",
    value: float | None = None,
) -> None:
    conn.execute(
        alert_events.insert().values(
            alert_id=alert_id, at=at, action=action, actor=actor, note=note, value=value
        )
    )


def _live(conn: Connection, asset_kind: str, asset_id: str, rule: str, parameter: str) -> Any:
    return conn.execute(
        select(alerts).where(
            alerts.c.asset_kind == asset_kind,
            alerts.c.asset_id == asset_id,
            alerts.c.rule == rule,
            alerts.c.parameter == parameter,
            alerts.c.state != "resolved",
        )
    ).first()


# --- lifecycle ------------------------------------------------------------------------------
def _open(conn: Connection, row: dict[str, Any], when: datetime) -> int:
    alert_id = int(conn.execute(alerts.insert().values(**row)).inserted_primary_key[0])
    _event(conn, alert_id, "opened", when, note=row["message"], value=row["value"])
    _queue(conn, alert_id, "opened")
    return alert_id


def raise_alert(
    conn: Connection,
    *,
    domain: str,
    asset_kind: str,
    asset_id: str,
    rule: str,
    parameter: str = "",
    severity: str = "warning",
    message: str = "",
    value: float | None = None,
    limit_value: float | None = None,
    province_id: int | None = None,
    zone: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Open an alert, or update the live one with the same asset + parameter + rule."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity {severity!r} must be one of {', '.join(SEVERITIES)}")
    when = _as_datetime(at) or datetime.now(UTC)
    asset_id = str(asset_id)
    current = _live(conn, asset_kind, asset_id, rule, parameter)
    if current is None:
        row = {
            "domain": domain,
            "asset_kind": asset_kind,
            "asset_id": asset_id,
            "parameter": parameter,
            "rule": rule,
            "severity": severity,
            "state": "open",
            "message": message,
            "value": value,
            "limit_value": limit_value,
            "province_id": province_id,
            "zone": zone,
            "details": details,
            "occurrences": 1,
            "first_at": when,
            "last_at": when,
        }
        if conn.dialect.name == "sqlite":
            # one writer at a time, so no race; and pysqlite's SAVEPOINT would end the transaction
            return _open(conn, row, when)
        try:
            with conn.begin_nested():
                return _open(conn, row, when)
        except IntegrityError:  # another writer opened it between our look and our insert
            current = _live(conn, asset_kind, asset_id, rule, parameter)
            if current is None:
                raise
    changes: dict[str, Any] = {
        "occurrences": alerts.c.occurrences + 1,
        "last_at": max(when, current.last_at),
        "severity": severity,
    }
    if message:
        changes["message"] = message
    if value is not None:
        changes["value"] = value
    if limit_value is not None:
        changes["limit_value"] = limit_value
    if details is not None:
        changes["details"] = details
    if province_id is not None:
        changes["province_id"] = province_id
    if zone is not None:
        changes["zone"] = zone
    conn.execute(update(alerts).where(alerts.c.id == current.id).values(**changes))
    _event(conn, current.id, "updated", when, note=message, value=value)
    _queue(conn, current.id, "updated")
    return int(current.id)


def acknowledge_alert(conn: Connection, alert_id: int, actor: str, note: str = "") -> None:
    """Someone has seen it: it stays live (repeats update it) until resolved."""
    row = conn.execute(select(alerts.c.state).where(alerts.c.id == alert_id)).first()
    if row is None:
        raise LookupError(f"no alert {alert_id}")
    if row.state != "open":
        raise ValueError(f"alert {alert_id} is {row.state}, only an open alert can be acknowledged")
    when = datetime.now(UTC)
    conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id)
        .values(state="acknowledged", acknowledged_at=when, acknowledged_by=actor)
    )
    _event(conn, alert_id, "acknowledged", when, actor, note)
    _queue(conn, alert_id, "acknowledged")


def resolve_alert(conn: Connection, alert_id: int, actor: str = "system", note: str = "") -> None:
    """Close it; the next occurrence opens a new alert."""
    row = conn.execute(select(alerts.c.state).where(alerts.c.id == alert_id)).first()
    if row is None:
        raise LookupError(f"no alert {alert_id}")
    if row.state == "resolved":
        return
    when = datetime.now(UTC)
    conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id)
        .values(state="resolved", resolved_at=when, resolved_by=actor)
    )
    _event(conn, alert_id, "resolved", when, actor, note)
    _queue(conn, alert_id, "resolved")


def resolve_matching(
    conn: Connection,
    *,
    asset_kind: str,
    asset_id: str,
    rule: str,
    parameter: str = "",
    actor: str = "system",
    note: str = "",
) -> int | None:
    """Resolve the live alert of this key if there is one; returns its id."""
    current = _live(conn, asset_kind, str(asset_id), rule, parameter)
    if current is None:
        return None
    resolve_alert(conn, current.id, actor, note)
    return int(current.id)


def live_alerts(
    conn: Connection, *, asset_kind: str, asset_ids: Iterable[str] | None = None, rule: str
) -> list[dict[str, Any]]:
    query = select(alerts).where(
        alerts.c.asset_kind == asset_kind, alerts.c.rule == rule, alerts.c.state != "resolved"
    )
    if asset_ids is not None:
        query = query.where(alerts.c.asset_id.in_([str(a) for a in asset_ids]))
    return [_row_dict(r) for r in conn.execute(query)]


def query_alerts(
    conn: Connection,
    *,
    state: str | Iterable[str] | None = None,
    domain: str | None = None,
    asset_ids: Iterable[str] | None = None,
    province_ids: Iterable[int] | None = None,
    rule: str | Iterable[str] | None = None,
    start: int | datetime | None = None,
    end: int | datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """The alert log, newest activity first: (rows of this page, total matching).

    ``start``/``end`` (Unix seconds or aware datetimes) select alerts active in the period.
    """
    conds = []
    if state is not None:
        states = [state] if isinstance(state, str) else list(state)
        conds.append(alerts.c.state.in_(states))
    if domain is not None:
        conds.append(alerts.c.domain == domain)
    if asset_ids is not None:
        conds.append(alerts.c.asset_id.in_([str(a) for a in asset_ids]))
    if province_ids is not None:
        conds.append(alerts.c.province_id.in_(list(province_ids)))
    if rule is not None:
        rules = [rule] if isinstance(rule, str) else list(rule)
        conds.append(alerts.c.rule.in_(rules))
    if start is not None:
        conds.append(alerts.c.last_at >= _as_datetime(start))
    if end is not None:
        conds.append(alerts.c.first_at <= _as_datetime(end))
    total = conn.execute(select(func.count()).select_from(alerts).where(*conds)).scalar_one()
    rows = conn.execute(
        select(alerts)
        .where(*conds)
        .order_by(alerts.c.last_at.desc(), alerts.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [_row_dict(r) for r in rows], int(total)


def alert_history(conn: Connection, alert_id: int) -> list[dict[str, Any]]:
    """The audit trail of one alert, oldest first."""
    rows = conn.execute(
        select(alert_events).where(alert_events.c.alert_id == alert_id).order_by(alert_events.c.id)
    ).all()
    return [_row_dict(r) for r in rows]
