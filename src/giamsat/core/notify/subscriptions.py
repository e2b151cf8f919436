"""Subscriptions: validated specs and their rows (shared by the web API and the CLI).

Who may set what is the caller's business (the web router): here a spec is only checked for
being complete and coherent — a recipient, an address where the channel needs one, a
well-formed quiet window, an escalation with a contact.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from giamsat.core.notify.schema import SCOPE_KINDS, notify_subscriptions
from giamsat.core.notify.timing import parse_hhmm

EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
PHONE = re.compile(r"^\+?[0-9 ().-]{6,20}$")
KNOWN_RULES = (
    "exceedance",
    "exceedance_days",
    "silence",
    "zone_enter",
    "zone_exit",
    "speeding",
    "aton_low_voltage",
    "aton_light_failure",
    "aton_off_position",
    "aton_racon_error",
    "lost_signal",
)
Channel = Literal["web", "email", "sms", "webhook"]
Severity = Literal["info", "warning", "major", "critical"]


def check_address(channel: str, address: str) -> str:
    address = address.strip()
    if channel == "email" and not EMAIL.match(address):
        raise ValueError(f"{address!r} is not an e-mail address")
    if channel == "sms" and not PHONE.match(address):
        raise ValueError(f"{address!r} is not a phone number")
    if channel == "webhook":
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("a webhook address must be an http:// or https:// URL")
    if channel == "web":
        raise ValueError("web pop-ups go to users, not addresses")
    return address


class SubscriptionSpec(BaseModel):
    """What a subscription says; see docs/notify.md."""

    name: str = Field("", max_length=120)
    channel: Channel
    user_id: int | None = None
    role: Literal["admin", "ministry", "province", "enterprise", "operator"] | None = None
    address: str | None = Field(None, max_length=500)
    secret: str | None = Field(None, min_length=16, max_length=200)
    language: Literal["vi", "en"] | None = None
    domain: Literal["", "environment", "maritime"] = ""
    scope_kind: str = ""
    scope_values: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    min_severity: Severity = "warning"
    on_resolve: bool = False
    quiet_start: str | None = None
    quiet_end: str | None = None
    quiet_bypass: Severity = "critical"
    digest: Literal["", "hourly", "daily"] = ""
    escalate_after_min: int | None = Field(None, ge=1, le=7 * 24 * 60)
    escalate_user_id: int | None = None
    escalate_address: str | None = Field(None, max_length=500)
    escalate_channel: Channel | None = None
    utc_offset_min: int = Field(420, ge=-720, le=840)
    active: bool = True

    @field_validator("scope_kind")
    @classmethod
    def _scope_kind(cls, value: str) -> str:
        if value not in SCOPE_KINDS:
            raise ValueError(
                f"scope_kind must be one of {', '.join(k or '(none)' for k in SCOPE_KINDS)}"
            )
        return value

    @field_validator("scope_values", "rules")
    @classmethod
    def _clean_list(cls, value: list[str]) -> list[str]:
        return sorted({v.strip() for v in value if v and v.strip()})

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        minutes = parse_hhmm(value)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    @model_validator(mode="after")
    def _coherent(self) -> SubscriptionSpec:
        if sum(x is not None for x in (self.user_id, self.role)) > 1:
            raise ValueError("a subscription is for one user or for one role, not both")
        if self.address:
            self.address = check_address(self.channel, self.address)
        if self.user_id is None and self.role is None and not self.address:
            raise ValueError("say who receives it: a user, a role or an address")
        if self.channel == "webhook" and not self.address:
            raise ValueError("a webhook needs its URL in address")
        if self.channel == "web" and self.address:
            raise ValueError("web pop-ups go to users, not addresses")
        if self.scope_kind and not self.scope_values:
            raise ValueError(f"scope {self.scope_kind!r} needs at least one value")
        if not self.scope_kind and self.scope_values:
            raise ValueError("scope values need a scope_kind")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet hours need both quiet_start and quiet_end")
        if self.escalate_after_min is not None:
            if self.escalate_user_id is None and not self.escalate_address:
                raise ValueError(
                    "escalation needs a second contact (escalate_user_id or escalate_address)"
                )
            channel = self.escalate_channel or self.channel
            if self.escalate_address:
                self.escalate_address = check_address(channel, self.escalate_address)
        elif self.escalate_user_id is not None or self.escalate_address:
            raise ValueError("a second contact needs escalate_after_min")
        return self


def _values(spec: SubscriptionSpec) -> dict[str, Any]:
    data = spec.model_dump()
    data["scope_values"] = data["scope_values"] or None
    data["rules"] = data["rules"] or None
    return data


def create(
    conn: Connection, spec: SubscriptionSpec, owner_id: int | None = None
) -> tuple[int, str | None]:
    """Insert a subscription; returns (id, webhook secret when one was generated)."""
    now = datetime.now(UTC)
    values = _values(spec)
    generated = None
    if spec.channel == "webhook" and not spec.secret:
        generated = secrets.token_urlsafe(32)
        values["secret"] = generated
    new_id = conn.execute(
        notify_subscriptions.insert().values(
            **values, owner_id=owner_id, created_at=now, updated_at=now
        )
    ).inserted_primary_key[0]
    return int(new_id), generated


def replace(conn: Connection, sub_id: int, spec: SubscriptionSpec) -> None:
    """Overwrite a subscription (its webhook secret stays unless the spec gives a new one)."""
    values = _values(spec)
    if not spec.secret:
        values.pop("secret")
    result = conn.execute(
        update(notify_subscriptions)
        .where(notify_subscriptions.c.id == sub_id)
        .values(**values, updated_at=datetime.now(UTC))
    )
    if not result.rowcount:
        raise LookupError(f"no subscription {sub_id}")


def delete(conn: Connection, sub_id: int) -> None:
    result = conn.execute(notify_subscriptions.delete().where(notify_subscriptions.c.id == sub_id))
    if not result.rowcount:
        raise LookupError(f"no subscription {sub_id}")


def get(conn: Connection, sub_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(notify_subscriptions).where(notify_subscriptions.c.id == sub_id)
    ).first()
    return public(row) if row else None


def public(row: Any) -> dict[str, Any]:
    """A subscription as the API shows it: the webhook secret is never read back."""
    data = dict(row._mapping)
    data["has_secret"] = bool(data.pop("secret", None))
    data["scope_values"] = data.get("scope_values") or []
    data["rules"] = data.get("rules") or []
    for key in ("created_at", "updated_at"):
        if isinstance(data.get(key), datetime):
            data[key] = data[key].astimezone(UTC).isoformat().replace("+00:00", "Z")
    return data


def spec_of(row: dict[str, Any]) -> SubscriptionSpec:
    """The spec of a stored subscription (to patch it)."""
    fields = set(SubscriptionSpec.model_fields)
    return SubscriptionSpec(**{k: v for k, v in row.items() if k in fields and k != "secret"})
