"""Generic webhooks: a JSON POST signed with HMAC-SHA256.

Headers: ``X-Giamsat-Event`` (alert.opened, alert.raised, alert.resolved, alert.escalation,
digest, test), ``X-Giamsat-Delivery`` (stable across retries: receivers de-duplicate on it),
``X-Giamsat-Timestamp`` (Unix seconds) and ``X-Giamsat-Signature: sha256=<hex>``, the
HMAC-SHA256 of ``"<timestamp>." + body`` with the subscription's secret (or
``webhook_secret``). Signing the timestamp lets receivers refuse replays of old requests.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from giamsat import __version__
from giamsat.config import Settings
from giamsat.core.notify.channels.base import classify_http, describe
from giamsat.core.notify.outbox import Message, Outcome

SIGNATURE_HEADER = "X-Giamsat-Signature"
TIMESTAMP_HEADER = "X-Giamsat-Timestamp"


def delivery_id(m: Message) -> str:
    return hashlib.sha256(m.dedupe_key.encode()).hexdigest()[:32]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, max_age: float = 300.0
) -> bool:
    """For receivers (and tests): the signature matches and the timestamp is recent."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= max_age
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def host_of(url: str) -> str:
    """Scheme and host only: webhook URLs often carry a token in their path or query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


class WebhookChannel:
    name = "webhook"

    def __init__(
        self, settings: Settings, client: httpx.AsyncClient | None = None, concurrency: int = 8
    ) -> None:
        self.settings = settings
        self.client = client or httpx.AsyncClient(timeout=settings.webhook_timeout_seconds)
        self._own_client = client is None
        self.concurrency = concurrency

    @property
    def configured(self) -> bool:
        return True  # each subscription names its own URL

    @property
    def missing(self) -> str:
        return ""

    def body(self, m: Message) -> bytes:
        payload = dict(m.payload or {})
        payload["delivery"] = {
            "id": delivery_id(m),
            "kind": m.kind,
            "attempt": m.attempts + 1,
            "created_at": m.created_at.isoformat().replace("+00:00", "Z"),
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    def request(self, m: Message, now: float | None = None) -> httpx.Request:
        body = self.body(m)
        stamp = str(int(now if now is not None else time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"giamsat/{__version__}",
            "X-Giamsat-Event": str((m.payload or {}).get("event") or m.kind),
            "X-Giamsat-Delivery": delivery_id(m),
            TIMESTAMP_HEADER: stamp,
        }
        secret = m.secret or self.settings.webhook_secret
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, stamp, body)
        return self.client.build_request("POST", m.destination, headers=headers, content=body)

    async def send_batch(self, messages: Sequence[Message]) -> list[Outcome]:
        gate = asyncio.Semaphore(self.concurrency)
        down: dict[str, str] = {}  # host -> why, so one dead receiver costs one attempt per batch

        async def one(m: Message) -> Outcome:
            host = host_of(m.destination)
            async with gate:
                if host in down:
                    return Outcome(m.id, "waiting", f"not tried: {down[host]}", log=False)
                started = time.perf_counter()
                try:
                    request = self.request(m)
                except (httpx.HTTPError, ValueError) as exc:
                    return Outcome(m.id, "failed", f"bad webhook URL: {describe(exc)}")
                try:
                    response = await self.client.send(request)
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    down[host] = f"{host} unreachable: {describe(exc)}"
                    ms = (time.perf_counter() - started) * 1000
                    return Outcome(m.id, "retry", down[host], duration_ms=ms)
                except httpx.HTTPError as exc:
                    ms = (time.perf_counter() - started) * 1000
                    return Outcome(m.id, "retry", describe(exc), duration_ms=ms)
                return classify_http(m.id, response, (time.perf_counter() - started) * 1000)

        return list(await asyncio.gather(*(one(m) for m in messages)))

    async def close(self) -> None:
        if self._own_client:
            await self.client.aclose()
