"""When a message may go out: quiet hours and digest periods, in the subscriber's local time.

Pure functions of aware datetimes, so the rules are testable without a clock or a database.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(text: str) -> int:
    """Minutes after local midnight of "HH:MM" (24-hour clock)."""
    match = _HHMM.match(text.strip())
    if not match:
        raise ValueError(f"time of day {text!r} must be HH:MM (00:00 … 23:59)")
    return int(match.group(1)) * 60 + int(match.group(2))


def _local(now: datetime, offset_min: int) -> datetime:
    if now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return now.astimezone(timezone(timedelta(minutes=offset_min)))


def quiet_until(
    now: datetime, start: str | None, end: str | None, offset_min: int
) -> datetime | None:
    """The end of the quiet period ``now`` falls in (UTC), or None when it is not quiet.

    The window is [start, end) in local time and may cross midnight (22:00 → 06:00);
    start == end means no quiet hours.
    """
    if not start or not end:
        return None
    a, b = parse_hhmm(start), parse_hhmm(end)
    if a == b:
        return None
    local = _local(now, offset_min)
    minute = local.hour * 60 + local.minute
    inside = a <= minute < b if a < b else (minute >= a or minute < b)
    if not inside:
        return None
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    until = midnight + timedelta(minutes=b)
    if until <= local:
        until += timedelta(days=1)
    return until.astimezone(UTC)


def digest_release(now: datetime, period: str, offset_min: int, daily_hour: int = 7) -> datetime:
    """When the digest collecting ``now`` goes out (UTC): the next local full hour (hourly) or
    the next local ``daily_hour``:00 (daily), always strictly after ``now``."""
    local = _local(now, offset_min)
    if period == "hourly":
        release = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    elif period == "daily":
        if not 0 <= daily_hour <= 23:
            raise ValueError("the daily digest hour must be 0 … 23")
        release = local.replace(hour=daily_hour, minute=0, second=0, microsecond=0)
        if release <= local:
            release += timedelta(days=1)
    else:
        raise ValueError(f"digest period {period!r} must be hourly or daily")
    return release.astimezone(UTC)


def hold_until(
    now: datetime,
    *,
    digest: str,
    quiet_start: str | None,
    quiet_end: str | None,
    offset_min: int,
    bypass_quiet: bool,
    daily_hour: int = 7,
) -> datetime | None:
    """When a message created ``now`` may leave (None: at once).

    A digest subscription collects until its period closes; a release that would fall in quiet
    hours waits for them to end. Without a digest, only messages below the bypass severity wait
    for quiet hours to end.
    """
    release = digest_release(now, digest, offset_min, daily_hour) if digest else None
    if digest or not bypass_quiet:
        later = quiet_until(release or now, quiet_start, quiet_end, offset_min)
        if later is not None:
            release = later
    return release
