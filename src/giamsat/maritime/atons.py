"""The AtoN registry as the rules see it: charted position, allowed radius, thresholds.

CSV import matches columns by name (case, spaces and underscores ignored), so
``mmsi,name,lat,lon,radius_m`` (the ``giamsat ais events --atons`` form) and wider sheets
with ``kind``, ``area``, ``expected_interval_s``, ``low_voltage``, ``lost_after_min`` both work.
Charted AtoNs from ENC cells (``enc.aton.extract_atons``) become registry entries once an
operator says which MMSI each one transmits on (``from_enc``).
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class AtonConfig:
    mmsi: int
    name: str = ""
    lat: float | None = None  # charted position
    lon: float | None = None
    radius_m: float | None = None  # allowed distance from the charted position
    low_voltage: float | None = None  # per-AtoN threshold (None: the global one)
    lost_after_min: float | None = None  # per-AtoN silence limit (None: the global one)
    expected_interval_s: int | None = None
    kind: str | None = None
    aid_type: int | None = None
    area: str = ""
    virtual: bool = False
    enc_id: str | None = None
    rules_off: frozenset[str] = field(default_factory=frozenset)  # rules disabled for it

    def as_row(self) -> dict[str, Any]:
        return {
            "mmsi": self.mmsi, "name": self.name, "lat": self.lat, "lon": self.lon,
            "radius_m": self.radius_m, "expected_interval_s": self.expected_interval_s,
            "kind": self.kind, "aid_type": self.aid_type, "area": self.area,
            "virtual": self.virtual, "enc_id": self.enc_id,
        }  # fmt: skip


_ALIASES = {
    "mmsi": "mmsi", "name": "name", "ten": "name", "lat": "lat", "latitude": "lat",
    "vido": "lat", "lon": "lon", "lng": "lon", "long": "lon", "longitude": "lon",
    "kinhdo": "lon", "radiusm": "radius_m", "radius": "radius_m", "bankinhm": "radius_m",
    "lowvoltage": "low_voltage", "lowvoltagev": "low_voltage", "lostaftermin": "lost_after_min",
    "lostafter": "lost_after_min", "expectedintervals": "expected_interval_s",
    "interval": "expected_interval_s", "kind": "kind", "type": "kind", "aidtype": "aid_type",
    "area": "area", "virtual": "virtual", "encid": "enc_id",
}  # fmt: skip
_NUMBERS = {"lat", "lon", "radius_m", "low_voltage", "lost_after_min"}


def _key(name: str) -> str:
    """Header name folded: lower case, no Vietnamese diacritics, letters and digits only."""
    folded = unicodedata.normalize("NFD", name.strip().lower().replace("đ", "d"))
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def _number(text: str, column: str, decimal_comma: bool) -> float | None:
    text = text.strip()
    if not text:
        return None
    if decimal_comma:
        text = text.replace(",", ".")
    value = float(text)  # ValueError is reported by the caller with the line number
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{column} {text!r} is not a finite number")
    return value


def parse_aton_csv(text: str, where: str = "atons.csv") -> tuple[list[AtonConfig], list[str]]:
    """(AtoNs, problems). A row with a problem is not used; each problem names its line."""
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    problems: list[str] = []
    try:
        header = next(reader)
    except StopIteration:
        return [], [f"{where}: empty file"]
    columns = [_ALIASES.get(_key(h)) for h in header]
    if "mmsi" not in columns:
        return [], [f"{where}:1: no 'mmsi' column in the header {header!r}"]
    out: dict[int, AtonConfig] = {}
    for line_no, row in enumerate(reader, 2):
        if not any(cell.strip() for cell in row):
            continue
        values = {c: row[i] for i, c in enumerate(columns) if c and i < len(row)}
        try:
            mmsi_text = values.get("mmsi", "").strip()
            if not mmsi_text.isdigit() or not 0 < int(mmsi_text) <= 999_999_999:
                raise ValueError(f"MMSI {mmsi_text!r} is not a 9-digit number")
            cfg = AtonConfig(mmsi=int(mmsi_text), name=values.get("name", "").strip())
            for column in _NUMBERS & values.keys():
                setattr(cfg, column, _number(values[column], column, delimiter == ";"))
            if (cfg.lat is None) != (cfg.lon is None):
                raise ValueError("lat and lon go together")
            if cfg.lat is not None and not (-90 <= cfg.lat <= 90 and -180 <= cfg.lon <= 180):  # type: ignore[operator]
                raise ValueError(f"position {cfg.lat}, {cfg.lon} is outside the globe")
            if cfg.radius_m is not None and cfg.radius_m < 0:
                raise ValueError("radius_m must be >= 0")
            if values.get("expected_interval_s", "").strip():
                cfg.expected_interval_s = int(float(values["expected_interval_s"]))
            if values.get("aid_type", "").strip():
                cfg.aid_type = int(values["aid_type"])
            cfg.kind = values.get("kind", "").strip() or None
            cfg.area = values.get("area", "").strip()
            cfg.virtual = values.get("virtual", "").strip().lower() in ("1", "true", "yes", "x")
            cfg.enc_id = values.get("enc_id", "").strip() or None
        except ValueError as exc:
            problems.append(f"{where}:{line_no}: {exc}")
            continue
        if cfg.mmsi in out:
            problems.append(f"{where}:{line_no}: MMSI {cfg.mmsi} is listed twice")
            continue
        out[cfg.mmsi] = cfg
    return list(out.values()), problems


def read_aton_csv(path: Path | str) -> tuple[list[AtonConfig], list[str]]:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1258", errors="replace")  # Vietnamese Windows code page
    return parse_aton_csv(text, str(path))


ENC_KIND = {"buoy": "buoy", "beacon": "beacon", "light": "light",
            "light-float": "light-float", "light-vessel": "light-vessel"}  # fmt: skip


def from_enc(
    charted: Iterable[dict[str, Any]],
    mmsi_of: dict[str, int],
    radius_m: float = 50.0,
) -> tuple[list[AtonConfig], list[str]]:
    """Registry entries for charted AtoNs (``enc.aton`` records) that an MMSI is given for.

    ``mmsi_of`` maps a charted AtoN's ``id`` (cell:LNAM) or its name to its MMSI. Floating
    marks get ``radius_m`` (their swinging circle); fixed ones a tenth of it (minimum 10 m).
    """
    out: list[AtonConfig] = []
    found: set[str] = set()
    for item in charted:
        key = item.get("id")
        mmsi = mmsi_of.get(key) if key is not None else None
        if mmsi is None and item.get("name"):
            mmsi = mmsi_of.get(item["name"])
            key = item["name"]
        if mmsi is None:
            continue
        found.add(str(key))
        kind = ENC_KIND.get(item.get("kind") or "", item.get("kind"))
        floating = kind in ("buoy", "light-float", "light-vessel")
        out.append(
            AtonConfig(
                mmsi=int(mmsi),
                name=item.get("name") or item.get("name_national") or "",
                lat=item.get("lat"),
                lon=item.get("lon"),
                radius_m=radius_m if floating else max(10.0, radius_m / 10),
                kind=kind,
                area=item.get("cell") or "",
                enc_id=item.get("id"),
            )
        )
    missing = [f"no charted AtoN {k!r}" for k in mmsi_of if k not in found]
    return out, missing
