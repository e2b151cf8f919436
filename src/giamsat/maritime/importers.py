"""Importers for the public AIS data sets users hold -> our Parquet track format.

* Danish Maritime Authority daily CSV (``aisdk-YYYY-MM-DD.csv``): header starts with ``# ``,
  times ``DD/MM/YYYY HH:MM:SS`` UTC, navigational status and ship type as English text.
* NOAA/BOEM MarineCadastre CSV: classic (``MMSI,BaseDateTime,LAT,LON,...``) and the 2025
  ``csv2`` form (snake_case, longitude before latitude), plain, .gz or .zst.

Columns are matched by name - case, spaces, underscores and a leading ``#`` ignored - never by
position. Exact duplicate rows (about 70 % of a DMA day) are dropped and counted. A row that
cannot be read is counted with its line number and the reason, and the rest go on.

Track format (one row per position or static report), ``TRACK_SCHEMA``: time (int64 Unix
seconds UTC), mmsi, lat, lon, sog (kn), cog (deg), heading (deg), nav_status (ITU code),
ship_type (ITU code), ship_type_text, name, callsign, imo, length, width, draught (m),
destination, station (A, B, base, aton, sar, other), source ("dma" or "noaa").
"""

from __future__ import annotations

import calendar
import csv
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

TRACK_SCHEMA = pa.schema([
    ("time", pa.int64()), ("mmsi", pa.int64()), ("lat", pa.float64()), ("lon", pa.float64()),
    ("sog", pa.float64()), ("cog", pa.float64()), ("heading", pa.int64()),
    ("nav_status", pa.int64()), ("ship_type", pa.int64()), ("ship_type_text", pa.string()),
    ("name", pa.string()), ("callsign", pa.string()), ("imo", pa.int64()),
    ("length", pa.float64()), ("width", pa.float64()), ("draught", pa.float64()),
    ("destination", pa.string()), ("station", pa.string()), ("source", pa.string()),
])  # fmt: skip

# DMA writes the ITU navigational status as text.
_DMA_STATUS = {
    "under way using engine": 0, "at anchor": 1, "not under command": 2,
    "restricted maneuverability": 3, "restricted manoeuvrability": 3,
    "constrained by her draught": 4, "moored": 5, "aground": 6, "engaged in fishing": 7,
    "under way sailing": 8, "reserved for future amendment [hsc]": 9,
    "reserved for future amendment [wig]": 10,
    "power-driven vessel towing astern": 11,
    "power-driven vessel pushing ahead or towing alongside": 12,
    "reserved for future use": 13, "ais-sart": 14, "unknown value": 15, "unknown": 15,
}  # fmt: skip
# DMA ship type text -> the first ITU code of its group.
_DMA_SHIP = {
    "fishing": 30, "towing": 31, "towing long/wide": 32, "dredging": 33, "diving": 34,
    "military": 35, "sailing": 36, "pleasure": 37, "hsc": 40, "wig": 20, "pilot": 50,
    "sar": 51, "tug": 52, "port tender": 53, "anti-pollution": 54, "law enforcement": 55,
    "spare 1": 56, "spare 2": 57, "medical": 58, "not party to conflict": 59,
    "passenger": 60, "cargo": 70, "tanker": 80, "other": 90, "reserved": 1,
}  # fmt: skip
_MOBILE = {"class a": "A", "class b": "B", "base station": "base", "aton": "aton",
           "sar airborne": "sar"}  # fmt: skip
_MISSING = {"", "unknown", "unknown value", "undefined", "n/a", "na", "nan", "null"}


@dataclass
class ImportResult:
    table: pa.Table
    rows: int = 0
    duplicates: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)  # "line N: what - why"

    def summary(self) -> dict[str, int]:
        return {"rows": self.rows, "tracks": self.table.num_rows, "duplicates": self.duplicates,
                "rejected": self.rejected}  # fmt: skip


def _key(name: str) -> str:
    return re.sub(r"[\s_#]", "", name).lower()


def _text_stream(path: Path) -> IO[str]:
    raw = path.read_bytes()[:4]
    if raw[:2] == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    if raw == b"\x28\xb5\x2f\xfd":  # zstandard (MarineCadastre 2025 csv2)
        try:
            import zstandard
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ValueError(f"{path.name}: .zst needs the 'zstandard' package") from exc
        return io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(open(path, "rb")),
                                encoding="utf-8", errors="replace")  # fmt: skip
    return open(path, encoding="utf-8", errors="replace", newline="")


def detect(header: list[str]) -> str:
    """'dma' or 'noaa' from a header row."""
    keys = {_key(h) for h in header}
    if {"timestamp", "typeofmobile", "mmsi"} <= keys:
        return "dma"
    if {"mmsi", "basedatetime"} <= keys:
        return "noaa"
    raise ValueError("not a DMA or MarineCadastre AIS CSV header: " + ",".join(header[:6]))


def _none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value.lower() in _MISSING else value


def _float(value: str | None) -> float | None:
    value = _none(value)
    if value is None:
        return None
    if "," in value and "." not in value:  # a decimal comma (quoted field)
        value = value.replace(",", ".")
    return float(value)


def _int(value: str | None) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _utc(year: str, month: str, day: str, hour: str, minute: str, second: str) -> int:
    """Unix seconds; ValueError for an impossible date or time (31 February, hour 99)."""
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(float(second)),
                      tzinfo=UTC)  # fmt: skip
    return calendar.timegm(moment.timetuple())


def _dma_time(value: str) -> int:
    day, month, rest = value.strip().split("/", 2)
    year, clock = rest.split(" ", 1)
    hour, minute, second = clock.split(":")
    return _utc(year, month, day, hour, minute, second)


def _iso_time(value: str) -> int:
    date, _, clock = value.strip().replace(" ", "T").partition("T")
    year, month, day = date.split("-")
    hour, minute, second = (clock or "00:00:00").rstrip("Z").split(":")
    return _utc(year, month, day, hour, minute, second)


def _dma_row(get: Any) -> dict[str, Any]:
    status_text = (get("navigationalstatus") or "").strip().lower()  # "Unknown value" is 15
    ship_text = _none(get("shiptype"))
    a, b, c, d = (_float(get(k)) for k in ("a", "b", "c", "d"))
    length = _float(get("length"))
    width = _float(get("width"))
    if length is None and a is not None and b is not None:
        length = a + b
    if width is None and c is not None and d is not None:
        width = c + d
    heading = _int(get("heading"))
    return {
        "time": _dma_time(get("timestamp") or ""),
        "mmsi": _int(get("mmsi")),
        "lat": _coordinate(_float(get("latitude")), 90),
        "lon": _coordinate(_float(get("longitude")), 180),
        "sog": _float(get("sog")),
        "cog": _float(get("cog")),
        "heading": None if heading is None or heading >= 360 else heading,
        "nav_status": _DMA_STATUS.get(status_text) if status_text else None,
        "ship_type": _DMA_SHIP.get(ship_text.lower()) if ship_text else None,
        "ship_type_text": ship_text,
        "name": _none(get("name")),
        "callsign": _none(get("callsign")),
        "imo": _int(get("imo")),
        "length": length,
        "width": width,
        "draught": _float(get("draught")),
        "destination": _none(get("destination")),
        "station": _MOBILE.get((_none(get("typeofmobile")) or "").lower(), "other"),
        "source": "dma",
    }


def _noaa_row(get: Any) -> dict[str, Any]:
    imo = _none(get("imo"))
    if imo is not None:
        digits = re.sub(r"\D", "", imo)
        imo = int(digits) if digits else None
    heading = _int(get("heading"))
    transceiver = (_none(get("transceiverclass") or get("transcieverclass") or get("transceiver"))
                   or "").upper()  # fmt: skip
    return {
        "time": _iso_time(get("basedatetime") or ""),
        "mmsi": _int(get("mmsi")),
        "lat": _coordinate(_float(get("lat") or get("latitude")), 90),
        "lon": _coordinate(_float(get("lon") or get("longitude")), 180),
        "sog": _float(get("sog")),
        "cog": _float(get("cog")),
        "heading": None if heading is None or heading >= 360 else heading,
        "nav_status": _int(get("status")),
        "ship_type": _int(get("vesseltype")),
        "ship_type_text": None,
        "name": _none(get("vesselname")),
        "callsign": _none(get("callsign")),
        "imo": imo,
        "length": _float(get("length")),
        "width": _float(get("width")),
        "draught": _float(get("draft")),
        "destination": None,
        "station": transceiver if transceiver in ("A", "B") else "other",
        "source": "noaa",
    }


def _coordinate(value: float | None, limit: int) -> float | None:
    """91/181 degrees (AIS 'not available') and impossible values are not positions."""
    if value is None or abs(value) > limit:
        return None
    return value


def read_rows(path: Path, kind: str | None = None) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row dict) per data row, or (line number, reason) for a bad row."""
    with _text_stream(path) as stream:
        reader = csv.reader(stream)
        try:
            header = next(reader)
        except StopIteration:
            return
        kind = kind or detect(header)
        index = {_key(h): i for i, h in enumerate(header)}
        make = _dma_row if kind == "dma" else _noaa_row
        for number, row in enumerate(reader, start=2):
            if not row or not any(row):
                continue

            def get(name: str, _row: list[str] = row) -> str | None:
                i = index.get(name)
                return _row[i] if i is not None and i < len(_row) else None

            try:
                record = make(get)
            except (ValueError, IndexError, OverflowError) as exc:
                yield number, f"unreadable value ({exc})"
                continue
            if record["mmsi"] is None:
                yield number, "no MMSI"
                continue
            yield number, record


def import_csv(paths: list[Path], kind: str | None = None, dedupe: bool = True) -> ImportResult:
    """Read DMA or MarineCadastre CSV files into one track table."""
    columns: dict[str, list[Any]] = {name: [] for name in TRACK_SCHEMA.names}
    seen: set[tuple] = set()
    result = ImportResult(table=TRACK_SCHEMA.empty_table())
    for path in paths:
        for number, record in read_rows(Path(path), kind):
            result.rows += 1
            if isinstance(record, str):
                result.rejected += 1
                result.problems.append(f"{Path(path).name}: line {number}: {record}")
                continue
            if dedupe:
                key = tuple(record.values())
                if key in seen:
                    result.duplicates += 1
                    continue
                seen.add(key)
            for name in TRACK_SCHEMA.names:
                columns[name].append(record[name])
    result.table = pa.table(columns, schema=TRACK_SCHEMA)
    return result


def write_parquet(table: pa.Table, out: Path | str | IO[bytes]) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, out, compression="zstd")
