"""Notification tables: who wants what (subscriptions), what must go out (the outbox), what
happened when it went (attempts), web pop-ups kept for their user (inbox), pending escalations,
and how far the router has read the alert audit trail (cursor)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from giamsat.core.store.metadata import metadata
from giamsat.core.store.types import JsonText, UtcDateTime

CHANNELS = ("web", "email", "sms", "webhook")
SCOPE_KINDS = ("", "province", "station", "zone", "vessel_group", "vessel", "aton")
DIGESTS = ("", "hourly", "daily")
# held: waiting for quiet hours to end or a digest period to close; digested: folded into
# the digest message ``parent_id``; pending: due for (another) attempt at ``next_attempt_at``.
STATES = ("held", "pending", "sent", "failed", "cancelled", "digested")

notify_subscriptions = Table(
    "notify_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, default=""),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),  # who manages it
    # the recipient: one user, every active user of a role, or only ``address`` (webhooks)
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("role", String(16)),
    Column("channel", String(16), nullable=False),  # web | email | sms | webhook
    Column("address", String(500)),  # e-mail, phone or URL instead of the user's own
    Column("secret", String(200)),  # webhook HMAC key; shown once, never read back by the API
    Column("language", String(2)),  # vi | en; default: the recipient's language
    Column("domain", String(16), nullable=False, default=""),  # "" | environment | maritime
    Column("scope_kind", String(16), nullable=False, default=""),  # see SCOPE_KINDS
    Column("scope_values", JsonText),  # codes: provinces, stations, zones, groups, MMSIs
    Column("rules", JsonText),  # rule names; empty or null: every rule
    Column("min_severity", String(16), nullable=False, default="warning"),
    Column("on_resolve", Boolean, nullable=False, default=False),
    Column("quiet_start", String(5)),  # "22:00" local time; messages wait until quiet_end
    Column("quiet_end", String(5)),
    Column("quiet_bypass", String(16), nullable=False, default="critical"),  # never held
    Column("digest", String(8), nullable=False, default=""),  # "" | hourly | daily
    Column("escalate_after_min", Integer),  # unacknowledged this long: tell the second contact
    Column("escalate_user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("escalate_address", String(500)),
    Column("escalate_channel", String(16)),  # default: the subscription's channel
    Column("utc_offset_min", Integer, nullable=False, default=420),  # for quiet hours, digests
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_notify_subscriptions_user_id", "user_id"),
)

notify_outbox = Table(
    "notify_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("kind", String(12), nullable=False),  # alert | resolved | escalation | digest | test
    Column("channel", String(16), nullable=False),
    Column("destination", String(500), nullable=False),  # address, phone, URL or user:<id>
    Column("recipient_user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("subscription_id", Integer, ForeignKey("notify_subscriptions.id", ondelete="SET NULL")),
    Column("alert_id", Integer),
    Column("alert_event_id", Integer),
    Column("severity", String(16), nullable=False, default="warning"),
    Column("province_id", Integer),
    Column("language", String(2), nullable=False, default="vi"),
    Column("subject", Text, nullable=False, default=""),
    Column("body_text", Text, nullable=False, default=""),
    Column("body_html", Text),
    Column("payload", JsonText),  # the JSON a webhook or pop-up receives
    Column("state", String(12), nullable=False),
    Column("release_at", UtcDateTime),  # held rows: when quiet hours end or the digest closes
    Column("group_key", String(200)),  # held rows with one key become one digest
    Column("parent_id", Integer),  # digested rows: the digest that carried them
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime),
    Column("lease_owner", String(40)),  # a sender working on it, until lease_until
    Column("lease_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("last_error", Text),
    Column("response", String(500)),  # what the server said when it took the message
    Index("ix_notify_outbox_due", "state", "channel", "next_attempt_at"),
    Index("ix_notify_outbox_held", "state", "release_at"),
    Index("ix_notify_outbox_alert_id", "alert_id"),
    Index("ix_notify_outbox_created_at", "created_at"),
)

notify_attempts = Table(
    "notify_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "outbox_id", Integer, ForeignKey("notify_outbox.id", ondelete="CASCADE"), nullable=False
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("outcome", String(12), nullable=False),  # sent | retry | failed | waiting
    Column("detail", Text, nullable=False, default=""),
    Column("duration_ms", Float),
    Index("ix_notify_attempts_outbox_id", "outbox_id"),
)

notify_escalations = Table(
    "notify_escalations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "subscription_id",
        Integer,
        ForeignKey("notify_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("alert_id", Integer, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("state", String(12), nullable=False, default="pending"),  # pending | sent | cancelled
    Column("done_at", UtcDateTime),
    UniqueConstraint("subscription_id", "alert_id"),
    Index("ix_notify_escalations_due", "state", "due_at"),
)

notify_inbox = Table(
    "notify_inbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("outbox_id", Integer, nullable=False, unique=True),  # one pop-up per message
    Column("alert_id", Integer),
    Column("severity", String(16), nullable=False, default="warning"),
    Column("title", Text, nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Column("payload", JsonText),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime),
    Index("ix_notify_inbox_user_id", "user_id", "read_at"),
)

notify_cursor = Table(
    "notify_cursor",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
)
