"""Domain-neutral tables: places, organisations, users, and the shared alert lifecycle."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from giamsat.core.store.metadata import metadata
from giamsat.core.store.types import JsonText, UtcDateTime

provinces = Table(
    "provinces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(120), nullable=False, default=""),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    # ministry | province | enterprise | operator
    Column("kind", String(16), nullable=False),
    Column("province_id", Integer, ForeignKey("provinces.id")),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    # admin | ministry | province | enterprise | operator
    Column("role", String(16), nullable=False),
    Column("province_id", Integer, ForeignKey("provinces.id")),
    Column("organisation_id", Integer, ForeignKey("organisations.id")),
    Column("display_name", String(200), nullable=False, default=""),
    Column("email", String(200)),
    Column("phone", String(40)),
    Column("language", String(2), nullable=False, default="vi"),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
)

# One alert per asset + parameter + rule while it is not resolved: repeats update it.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("domain", String(16), nullable=False),  # environment | maritime
    Column("asset_kind", String(16), nullable=False),  # station | vessel | aton | zone
    Column("asset_id", String(64), nullable=False),  # station code or MMSI
    Column("parameter", String(64), nullable=False, default=""),
    Column("rule", String(48), nullable=False),
    Column("severity", String(16), nullable=False, default="warning"),
    Column("state", String(16), nullable=False, default="open"),
    Column("message", Text, nullable=False, default=""),
    Column("value", Float),
    Column("limit_value", Float),
    Column("province_id", Integer, ForeignKey("provinces.id")),
    Column("zone", String(120)),
    Column("details", JsonText),
    Column("occurrences", Integer, nullable=False, default=1),
    Column("first_at", UtcDateTime, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
    Column("acknowledged_at", UtcDateTime),
    Column("acknowledged_by", String(64)),
    Column("resolved_at", UtcDateTime),
    Column("resolved_by", String(64)),
    Index(
        "uq_alerts_live",
        "asset_kind",
        "asset_id",
        "parameter",
        "rule",
        unique=True,
        sqlite_where=text("state != 'resolved'"),
        postgresql_where=text("state != 'resolved'"),
    ),
    Index("ix_alerts_last_at", "last_at"),
)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column(
        "action", String(16), nullable=False
    ),  # opened | updated | acknowledged | resolved | reopened
    Column("actor", String(64), nullable=False, default="system"),
    Column("note", Text, nullable=False, default=""),
    Column("value", Float),
    Index("ix_alert_events_alert_id", "alert_id"),
)
