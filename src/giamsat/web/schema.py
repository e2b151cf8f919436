"""Web tables: browser sessions, API tokens for machines, and an audit trail of admin actions.

Session ids and API tokens are stored only as SHA-256 digests: they are long random secrets, so a
fast hash is enough, and a leaked database does not hand out live sessions.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from giamsat.core.store.metadata import metadata
from giamsat.core.store.types import JsonText, UtcDateTime

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("client", String(200), nullable=False, default=""),  # IP and user agent, for users
    Index("ix_web_sessions_user_id", "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),  # first characters, to recognise a token
    Column("name", String(120), nullable=False, default=""),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
    Index("ix_api_tokens_user_id", "user_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(48), nullable=False),  # login, login_failed, user.create …
    Column("target", String(200), nullable=False, default=""),
    Column("details", JsonText),
    Column("client", Text, nullable=False, default=""),
    Index("ix_audit_log_at", "at"),
)
