"""Who should hear about an alert: subscription filters (domain, scope, rule, severity) and the
recipient's right to see it (the same role rules as the web UI). Pure functions over plain
values, so routing is testable without a database.

Vessel groups belong to the maritime engine: it registers a resolver with
:func:`register_group_resolver` (MMSI → group names); groups listed in an alert's
``details["groups"]`` count too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from giamsat.core.alerts import SEVERITIES

RANK = {s: i for i, s in enumerate(SEVERITIES)}
ENV_ROLES = ("admin", "ministry", "province", "enterprise")
MARITIME_ROLES = ("admin", "ministry", "operator")

GroupResolver = Callable[[str], Iterable[str]]
_group_resolvers: list[GroupResolver] = []


def register_group_resolver(resolver: GroupResolver) -> None:
    """``resolver(mmsi)`` → names of the vessel groups the vessel belongs to."""
    if resolver not in _group_resolvers:
        _group_resolvers.append(resolver)


def unregister_group_resolver(resolver: GroupResolver) -> None:
    if resolver in _group_resolvers:
        _group_resolvers.remove(resolver)


def rank(severity: str) -> int:
    return RANK.get(severity, 0)


@dataclass(frozen=True)
class Subscription:
    id: int
    name: str
    channel: str
    user_id: int | None = None
    role: str | None = None
    address: str | None = None
    secret: str | None = None
    language: str | None = None
    domain: str = ""
    scope_kind: str = ""
    scope_values: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    min_severity: str = "warning"
    on_resolve: bool = False
    quiet_start: str | None = None
    quiet_end: str | None = None
    quiet_bypass: str = "critical"
    digest: str = ""
    escalate_after_min: int | None = None
    escalate_user_id: int | None = None
    escalate_address: str | None = None
    escalate_channel: str | None = None
    utc_offset_min: int = 420
    active: bool = True

    @classmethod
    def from_row(cls, row: Any) -> Subscription:
        data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
        names = set(cls.__dataclass_fields__)
        values = {k: v for k, v in data.items() if k in names}
        values["scope_values"] = tuple(str(x) for x in (data.get("scope_values") or ()))
        values["rules"] = tuple(str(x) for x in (data.get("rules") or ()))
        return cls(**values)


@dataclass(frozen=True)
class Recipient:
    """A user (web, e-mail, SMS to their own address) or just an address."""

    user_id: int | None
    role: str | None = None
    province_id: int | None = None
    organisation_id: int | None = None
    email: str | None = None
    phone: str | None = None
    language: str = "vi"
    username: str = ""


@dataclass(frozen=True)
class Facts:
    """What routing needs to know about an alert's asset besides the alert row."""

    province_id: int | None = None
    province_code: str = ""
    province_name: str = ""
    organisation_id: int | None = None
    asset_name: str = ""
    latest_at: int | None = None
    offset_min: int = 420
    groups: frozenset[str] = field(default_factory=frozenset)


def vessel_groups(alert: dict[str, Any]) -> set[str]:
    details = alert.get("details") or {}
    groups = {str(g) for g in details.get("groups") or ()}
    if details.get("group"):
        groups.add(str(details["group"]))
    if alert.get("asset_kind") == "vessel":
        for resolver in list(_group_resolvers):
            groups.update(str(g) for g in resolver(str(alert["asset_id"])))
    return groups


def in_scope(sub: Subscription, alert: dict[str, Any], facts: Facts) -> bool:
    values = set(sub.scope_values)
    kind = sub.scope_kind
    if not kind:
        return True
    asset_kind, asset_id = alert.get("asset_kind"), str(alert.get("asset_id"))
    if kind == "province":
        province = {facts.province_code, str(facts.province_id or alert.get("province_id") or "")}
        return bool(values & (province - {""}))
    if kind == "station":
        return asset_kind == "station" and asset_id in values
    if kind == "zone":
        return (alert.get("zone") or "") in values or (asset_kind == "zone" and asset_id in values)
    if kind == "vessel":
        return asset_kind == "vessel" and asset_id in values
    if kind == "aton":
        return asset_kind == "aton" and asset_id in values
    if kind == "vessel_group":
        return asset_kind == "vessel" and bool(values & (facts.groups or vessel_groups(alert)))
    return False


def matches(sub: Subscription, alert: dict[str, Any], facts: Facts) -> bool:
    """Does the alert pass the subscription's filters (not counting severity changes)?"""
    if not sub.active:
        return False
    if sub.domain and sub.domain != alert.get("domain"):
        return False
    if sub.rules and alert.get("rule") not in sub.rules:
        return False
    if rank(alert.get("severity", "warning")) < rank(sub.min_severity):
        return False
    return in_scope(sub, alert, facts)


def may_see(recipient: Recipient, alert: dict[str, Any], facts: Facts) -> bool:
    """The web UI's visibility rules: admin and ministry see everything; province users their
    province's stations, enterprises their own stations, operators maritime alerts."""
    if recipient.user_id is None:
        return True  # an address an administrator configured
    role = recipient.role
    if role in ("admin", "ministry"):
        return True
    if alert.get("domain") == "maritime":
        return role in MARITIME_ROLES
    if role not in ENV_ROLES:
        return False
    province = facts.province_id if facts.province_id is not None else alert.get("province_id")
    if role == "province":
        return recipient.province_id is not None and province == recipient.province_id
    if role == "enterprise":
        return (
            recipient.organisation_id is not None
            and facts.organisation_id == recipient.organisation_id
        )
    return False


def destination(channel: str, recipient: Recipient, address: str | None) -> str | None:
    """Where the message goes on this channel, or None when the recipient has no address."""
    if channel == "web":
        return f"user:{recipient.user_id}" if recipient.user_id is not None else None
    if address:
        return address.strip()
    if channel == "email":
        return (recipient.email or "").strip() or None
    if channel == "sms":
        return (recipient.phone or "").strip() or None
    return None
