"""Times in and out of the API: query parameters accept ISO 8601 (local time UTC+7 when no
offset is given, as users type it) or Unix seconds; responses carry Unix seconds plus ISO 8601
with the station's offset."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

from fastapi import HTTPException

from giamsat.environment.export import parse_time

_ZONES: dict[int, timezone] = {}


def zone(offset_min: int) -> timezone:
    tz = _ZONES.get(offset_min)
    if tz is None:
        tz = _ZONES[offset_min] = timezone(timedelta(minutes=offset_min))
    return tz


def parse_when(text: str | None, default: int | None = None, end: bool = False) -> int | None:
    if text is None or text == "":
        return default
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return parse_time(text, 7, end=end)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


def period(
    start: str | None, end: str | None, default_span: int, anchor: int | None = None
) -> tuple[int, int]:
    """(start, end) in Unix seconds; defaults to ``default_span`` seconds before the anchor."""
    stop = parse_when(end, end=True)
    if stop is None:
        stop = anchor if anchor is not None else int(time.time())
    begin = parse_when(start)
    if begin is None:
        begin = stop - default_span
    if begin >= stop:
        raise HTTPException(422, "'from' must be before 'to'")
    return begin, stop


def iso(ts: int | None, offset_min: int = 420) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).astimezone(zone(offset_min)).isoformat()


def day_int(ts: int, offset_min: int = 420) -> int:
    return int(datetime.fromtimestamp(ts, UTC).astimezone(zone(offset_min)).strftime("%Y%m%d"))


def day_iso(day: int) -> str:
    return date(day // 10000, day // 100 % 100, day % 100).isoformat()


def day_start(day: int, offset_min: int = 420) -> int:
    """Unix seconds of local midnight starting ``day`` (yyyymmdd)."""
    d = datetime(day // 10000, day // 100 % 100, day % 100, tzinfo=zone(offset_min))
    return int(d.timestamp())
