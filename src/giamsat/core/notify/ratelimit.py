"""Per-channel rate limits: a token bucket (a burst of up to a tenth of a minute's allowance,
then a steady rate), so a storm of alerts cannot get the SMTP account or SMS contract blocked.
Messages beyond the limit simply wait in the outbox."""

from __future__ import annotations

import time


class TokenBucket:
    def __init__(self, per_minute: float, burst: float | None = None) -> None:
        self.rate = max(0.0, per_minute) / 60.0  # tokens per second; 0 means unlimited
        self.capacity = burst if burst is not None else max(1.0, per_minute / 10.0)
        self.tokens = self.capacity
        self._at = time.monotonic()

    @property
    def unlimited(self) -> bool:
        return self.rate == 0.0

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self._at) * self.rate)
        self._at = now

    def available(self) -> int:
        if self.unlimited:
            return 1_000_000
        self._refill()
        return int(self.tokens)

    def take(self, n: int) -> None:
        if not self.unlimited:
            self._refill()
            self.tokens -= n

    def wait_time(self) -> float:
        """Seconds until one token is there."""
        if self.unlimited:
            return 0.0
        self._refill()
        return max(0.0, (1.0 - self.tokens) / self.rate)
