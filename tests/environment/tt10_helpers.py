"""Build real TT10 files for tests: one file per station and time, one line per parameter."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

from giamsat.environment.ingest import Incoming

LOCAL = timezone(timedelta(hours=7))
UNITS = {
    "COD": "mg/L", "TSS": "mg/L", "pH": "-", "NH4": "mg/L", "TN": "mg/L", "Temp": "°C",
    "Flow": "m3/h", "DO": "mg/L", "PM2.5": "µg/m3", "PM10": "µg/m3", "O3": "µg/m3",
    "NO2": "µg/m3", "SO2": "µg/m3", "CO": "µg/m3",
}  # fmt: skip


def local(text: str) -> datetime:
    """A naive ISO time read as Vietnam local time."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def epoch(text: str) -> int:
    return int(local(text).timestamp())


def tt10_file(
    station: str,
    when: datetime,
    readings: dict[str, float | tuple[float, int]],
    received_at: int | None = None,
) -> Incoming:
    """readings: parameter → value or (value, status)."""
    stamp = when.astimezone(LOCAL).strftime("%Y%m%d%H%M%S")
    lines = []
    for parameter, reading in readings.items():
        value, status = reading if isinstance(reading, tuple) else (reading, 0)
        name = "PM2,5" if parameter == "PM2.5" else parameter
        lines.append(f"{name}\t{value:g}\t{UNITS.get(parameter, '')}\t{stamp}\t{status:02d}")
    content = ("\r\n".join(lines) + "\r\n").encode()
    return Incoming(f"{station}_{stamp}.txt", content, received_at=received_at)


def series_files(
    station: str,
    start: datetime,
    columns: dict[str, Iterable[float | tuple[float, int] | None]],
    step_minutes: int = 5,
    received_delay: int | None = None,
) -> list[Incoming]:
    """One file per time step; a None value leaves that parameter out of that file."""
    cols = {p: list(v) for p, v in columns.items()}
    n = max(len(v) for v in cols.values())
    out = []
    for i in range(n):
        when = start + timedelta(minutes=step_minutes * i)
        readings = {p: v[i] for p, v in cols.items() if i < len(v) and v[i] is not None}
        if not readings:
            continue
        received = None
        if received_delay is not None:
            received = int(when.timestamp()) + received_delay
        out.append(tt10_file(station, when, readings, received))
    return out


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
