"""What every sending channel shares: the interface, error wording that never leaks secrets,
and the classification of HTTP replies into sent / retry / failed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import httpx

from giamsat.core.notify.outbox import Message, Outcome

RETRYABLE_HTTP = {408, 409, 425, 429}


class Channel(Protocol):
    name: str

    @property
    def configured(self) -> bool: ...

    @property
    def missing(self) -> str:
        """What to configure when not configured (for the delivery log)."""
        ...

    async def send_batch(self, messages: Sequence[Message]) -> list[Outcome]: ...

    async def close(self) -> None: ...


def describe(exc: BaseException) -> str:
    """A one-line reason without URLs (gateway URLs and webhook addresses may hold keys)."""
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.HTTPError):
        cause = exc.__cause__ or exc.__context__
        inner = f": {cause}" if cause is not None else ""
        return f"{type(exc).__name__}{inner}"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def retry_after(value: str | None) -> float | None:
    """Seconds from an HTTP Retry-After header (delta-seconds form; dates are ignored)."""
    if not value:
        return None
    try:
        return max(0.0, min(float(value.strip()), 6 * 3600.0))
    except ValueError:
        return None


def classify_http(message_id: int, response: httpx.Response, elapsed_ms: float) -> Outcome:
    """2xx: sent; 408/409/425/429 and 5xx: retry (honouring Retry-After); other 4xx: failed."""
    status = response.status_code
    snippet = " ".join(response.text[:200].split())
    summary = f"HTTP {status}" + (f" {snippet}" if snippet else "")
    if 200 <= status < 300:
        return Outcome(message_id, "sent", response=summary, duration_ms=elapsed_ms)
    if status in RETRYABLE_HTTP or status >= 500:
        return Outcome(
            message_id,
            "retry",
            summary,
            duration_ms=elapsed_ms,
            retry_after=retry_after(response.headers.get("retry-after")),
        )
    return Outcome(message_id, "failed", summary, duration_ms=elapsed_ms)
