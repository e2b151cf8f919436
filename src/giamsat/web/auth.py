"""Who is asking: browser sessions (HttpOnly cookie + CSRF token), API bearer tokens, and the
login rate limiter. Roles decide what is visible; :mod:`giamsat.web.scope` applies them to queries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from giamsat.core.auth import hash_password, verify_password
from giamsat.core.store import Store
from giamsat.core.store.schema import users
from giamsat.core.store.types import utcnow
from giamsat.web.schema import api_tokens, audit_log, web_sessions

ROLES = ("admin", "ministry", "province", "enterprise", "operator")
ENV_ROLES = ("admin", "ministry", "province", "enterprise")
SESSION_COOKIE = "gs_session"
CSRF_COOKIE = "gs_csrf"
CSRF_HEADER = "x-csrf-token"
TOKEN_PREFIX = "gst_"
# A real hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """The caller of a request; ``role == "public"`` when nobody is logged in."""

    role: str
    username: str = ""
    user_id: int | None = None
    province_id: int | None = None
    organisation_id: int | None = None
    display_name: str = ""
    language: str = "vi"
    via: str = "anonymous"  # session | token | anonymous
    csrf_token: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def sees_all_stations(self) -> bool:
        return self.role in ("admin", "ministry")

    @property
    def environment(self) -> bool:
        return self.role in ENV_ROLES

    @property
    def maritime(self) -> bool:
        return self.role in ("admin", "ministry", "operator")

    @property
    def admin(self) -> bool:
        return self.role == "admin"


PUBLIC = Principal(role="public")


def _principal(row: object, via: str, csrf: str | None = None) -> Principal:
    return Principal(
        role=row.role,  # type: ignore[attr-defined]
        username=row.username,  # type: ignore[attr-defined]
        user_id=row.id,  # type: ignore[attr-defined]
        province_id=row.province_id,  # type: ignore[attr-defined]
        organisation_id=row.organisation_id,  # type: ignore[attr-defined]
        display_name=row.display_name or row.username,  # type: ignore[attr-defined]
        language=row.language or "vi",  # type: ignore[attr-defined]
        via=via,
        csrf_token=csrf,
    )


def check_password(store: Store, username: str, password: str) -> Principal | None:
    """The active user with this username and password, or None (same work either way)."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(users).where(users.c.username == username, users.c.active.is_(True))
        ).first()
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password):
        return None
    return _principal(row, "session")


class Sessions:
    """Server-side sessions: the cookie carries a random id, the table keeps its digest."""

    def __init__(self, store: Store, idle_hours: float = 12, max_days: float = 7) -> None:
        self.store = store
        self.idle = timedelta(hours=idle_hours)
        self.max_age = timedelta(days=max_days)
        self._touch_every = 60.0
        self._touched: dict[str, float] = {}

    def create(self, user_id: int, client: str = "") -> tuple[str, str, datetime]:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = utcnow()
        expires = now + self.max_age
        with self.store.write() as conn:
            conn.execute(
                web_sessions.insert().values(
                    token_hash=digest(token),
                    user_id=user_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                    client=client[:200],
                )
            )
        return token, csrf, expires

    def lookup(self, token: str) -> Principal | None:
        key = digest(token)
        now = utcnow()
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(
                    users,
                    web_sessions.c.csrf_token,
                    web_sessions.c.last_seen_at,
                    web_sessions.c.expires_at,
                )
                .select_from(web_sessions.join(users, users.c.id == web_sessions.c.user_id))
                .where(web_sessions.c.token_hash == key, users.c.active.is_(True))
            ).first()
        if row is None or row.expires_at <= now or row.last_seen_at + self.idle <= now:
            return None
        if time.monotonic() - self._touched.get(key, 0.0) > self._touch_every:
            self._touched[key] = time.monotonic()
            with self.store.write() as conn:
                conn.execute(
                    update(web_sessions)
                    .where(web_sessions.c.token_hash == key)
                    .values(last_seen_at=now)
                )
        return _principal(row, "session", row.csrf_token)

    def revoke(self, token: str) -> None:
        with self.store.write() as conn:
            conn.execute(web_sessions.delete().where(web_sessions.c.token_hash == digest(token)))

    def revoke_user(self, conn: Connection, user_id: int) -> None:
        conn.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id))


def create_token(store: Store, user_id: int, name: str, days: int | None = None) -> tuple[int, str]:
    """A new API token for a user: returns (id, the secret) — the secret is shown only once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with store.write() as conn:
        token_id = conn.execute(
            api_tokens.insert().values(
                token_hash=digest(secret),
                prefix=secret[:10],
                name=name[:120],
                user_id=user_id,
                created_at=now,
                expires_at=now + timedelta(days=days) if days else None,
            )
        ).inserted_primary_key[0]
    return int(token_id), secret


def token_principal(store: Store, secret: str) -> Principal | None:
    now = utcnow()
    with store.engine.connect() as conn:
        row = conn.execute(
            select(users, api_tokens.c.id.label("token_id"), api_tokens.c.expires_at)
            .select_from(api_tokens.join(users, users.c.id == api_tokens.c.user_id))
            .where(
                api_tokens.c.token_hash == digest(secret),
                api_tokens.c.revoked_at.is_(None),
                users.c.active.is_(True),
            )
        ).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    # record use at most once a minute per token: machines poll, a write per request is waste
    if time.monotonic() - _token_touched.get(row.token_id, 0.0) > 60:
        _token_touched[row.token_id] = time.monotonic()
        with store.write() as conn:
            conn.execute(
                update(api_tokens).where(api_tokens.c.id == row.token_id).values(last_used_at=now)
            )
    return _principal(row, "token")


_token_touched: dict[int, float] = {}


def csrf_ok(principal: Principal, header_value: str | None) -> bool:
    if principal.via != "session":
        return True  # bearer tokens are not sent by browsers on their own
    return bool(
        header_value
        and principal.csrf_token
        and hmac.compare_digest(header_value, principal.csrf_token)
    )


class LoginLimiter:
    """Failed logins per (username, client) and per client in a sliding window.

    In memory on purpose: it slows guessing against one process without a write per attempt;
    several processes each keep their own window, which only makes the limit a little looser.
    """

    def __init__(self, per_user: int = 5, per_client: int = 30, window_s: float = 900) -> None:
        self.per_user = per_user
        self.per_client = per_client
        self.window = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, username: str, client: str) -> int:
        """Seconds to wait before another try (0: go ahead)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in (
                (f"u:{username.lower()}|{client}", self.per_user),
                (f"c:{client}", self.per_client),
            ):
                q = self._recent(key, now)
                if len(q) >= limit:
                    waits.append(q[0] + self.window - now)
            return int(max(waits) + 1) if waits else 0

    def failed(self, username: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"u:{username.lower()}|{client}", f"c:{client}"):
                self._recent(key, now).append(now)

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{username.lower()}|{client}", None)


def audit(
    conn: Connection,
    actor: str,
    action: str,
    target: str = "",
    details: dict | None = None,
    client: str = "",
) -> None:
    """One line of the audit trail (never a password or token)."""
    conn.execute(
        audit_log.insert().values(
            at=utcnow(),
            actor=actor or "-",
            action=action,
            target=target[:200],
            details=details,
            client=client,
        )
    )
