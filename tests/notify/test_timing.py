"""Quiet hours and digest periods in local time (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from giamsat.core.notify.timing import digest_release, hold_until, parse_hhmm, quiet_until

VN = 420


def utc(h: int, m: int = 0, day: int = 15) -> datetime:
    return datetime(2024, 3, day, h, m, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(14, 59), None),  # 21:59 local
        (utc(15, 0), utc(23, 0)),  # 22:00 local: quiet until 06:00 local (23:00 UTC)
        (utc(17, 30), utc(23, 0)),  # 00:30 local, after midnight
        (utc(22, 59), utc(23, 0)),  # 05:59 local
        (utc(23, 0), None),  # 06:00 local: the window is [start, end)
    ],
)
def test_quiet_window_across_midnight(now: datetime, expected: datetime | None) -> None:
    assert quiet_until(now, "22:00", "06:00", VN) == expected


def test_quiet_window_within_a_day_and_other_offsets() -> None:
    assert quiet_until(utc(5, 0), "12:00", "13:30", VN) == utc(6, 30)  # 12:00 local
    assert quiet_until(utc(6, 30), "12:00", "13:30", VN) is None
    assert quiet_until(utc(12, 0), "12:00", "13:30", 0) == utc(13, 30)
    assert quiet_until(utc(12, 0), "08:00", "08:00", VN) is None  # empty window
    assert quiet_until(utc(12, 0), None, None, VN) is None


def test_digest_periods() -> None:
    assert digest_release(utc(3, 20), "hourly", VN) == utc(4, 0)
    assert digest_release(utc(4, 0), "hourly", VN) == utc(5, 0)  # strictly after
    assert digest_release(utc(3, 20), "daily", VN, daily_hour=7) == utc(0, 0, day=16)
    assert digest_release(utc(23, 59, day=14), "daily", VN, daily_hour=7) == utc(0, 0, day=15)
    # an offset that is not whole hours (India) still releases on local full hours
    assert digest_release(utc(3, 20), "hourly", 330) == utc(3, 30)


def test_hold_rules() -> None:
    night = utc(16, 0)  # 23:00 local
    kw = dict(quiet_start="22:00", quiet_end="06:00", offset_min=VN)
    assert hold_until(night, digest="", bypass_quiet=False, **kw) == utc(23, 0)
    assert hold_until(night, digest="", bypass_quiet=True, **kw) is None
    # an hourly digest closing at midnight waits for the end of quiet hours, whatever the severity
    assert hold_until(night, digest="hourly", bypass_quiet=True, **kw) == utc(23, 0)
    assert hold_until(utc(3, 20), digest="hourly", bypass_quiet=True, **kw) == utc(4, 0)


@pytest.mark.parametrize("bad", ["24:00", "7", "07:60", "ab:cd", ""])
def test_bad_times_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(bad)
