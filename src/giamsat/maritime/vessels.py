"""One vessel's merged state: static/voyage data (5, 19, 24) and latest position (1, 2, 3, 18,
19, 27, and 9 for SAR aircraft).

"Not available" values never overwrite what we know: the decoder already turns lat 91,
lon 181, speed 102.3, course 360 and heading 511 into None, and a report without a usable
position is ignored as a position (its other fields still count as heard). A long-range
message 27 (1/10' resolution, whole knots) does not replace a fine position less than
``COARSE_HOLD`` seconds old.

``VesselState`` uses ``__slots__``: 20,000 of them stay small (see bench/maritime.py).
"""

from __future__ import annotations

from typing import Any

from giamsat.maritime.ais.lookups import flag_country
from giamsat.maritime.geo import valid_position

POSITION_TYPES = frozenset((1, 2, 3, 9, 18, 19, 27))
RULE_TYPES = frozenset((1, 2, 3, 18, 19, 27))  # positions the vessel rules look at
STATIC_TYPES = frozenset((5, 19, 24))
COARSE_HOLD = 600.0
STATIC_FIELDS = ("name", "callsign", "imo", "ship_type", "to_bow", "to_stern", "to_port",
                 "to_starboard", "draught", "destination", "eta")  # fmt: skip
_STATION = {1: "A", 2: "A", 3: "A", 5: "A", 18: "B", 19: "B", 24: "B", 9: "sar", 27: "A"}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _dim(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


class VesselState:
    __slots__ = (
        "callsign",
        "cog",
        "destination",
        "dirty",
        "draught",
        "eta",
        "fine_ts",
        "first_seen",
        "flag",
        "heading",
        "imo",
        "last_seen",
        "lat",
        "lon",
        "messages",
        "mmsi",
        "name",
        "nav_status",
        "position_ts",
        "rot",
        "ship_type",
        "sog",
        "source",
        "speeding",
        "static_dirty",
        "static_ts",
        "station",
        "to_bow",
        "to_port",
        "to_starboard",
        "to_stern",
        "track_cog",
        "track_lat",
        "track_lon",
        "track_nav",
        "track_sog",
        "track_ts",
        "zones",
    )  # fmt: skip

    def __init__(self, mmsi: int) -> None:
        self.mmsi = mmsi
        self.name = self.callsign = self.destination = self.eta = self.station = None
        self.imo = self.ship_type = self.to_bow = self.to_stern = None
        self.to_port = self.to_starboard = self.draught = None
        self.flag = flag_country(mmsi)
        self.lat = self.lon = self.sog = self.cog = self.heading = None
        self.nav_status = self.rot = self.position_ts = self.fine_ts = None
        self.static_ts = self.first_seen = self.last_seen = self.source = None
        self.messages = 0
        self.zones: tuple[int, ...] = ()  # zone indices the vessel is inside
        self.speeding = False
        self.track_ts: float | None = None  # the last stored track point
        self.track_lat = self.track_lon = self.track_sog = self.track_cog = None
        self.track_nav = None
        self.dirty = True  # the store's row is behind
        self.static_dirty = True  # … in its static columns too

    # --- derived -------------------------------------------------------------------------
    @property
    def length(self) -> int | None:
        if self.to_bow is not None and self.to_stern is not None:
            return self.to_bow + self.to_stern
        return None

    @property
    def width(self) -> int | None:
        if self.to_port is not None and self.to_starboard is not None:
            return self.to_port + self.to_starboard
        return None

    def static(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in STATIC_FIELDS}

    def as_row(self) -> dict[str, Any]:
        row = {f: getattr(self, f) for f in STATIC_FIELDS}
        row.update(
            mmsi=self.mmsi, length=self.length, width=self.width, flag=self.flag,
            station=self.station, lat=self.lat, lon=self.lon, sog=self.sog, cog=self.cog,
            heading=self.heading, nav_status=self.nav_status, rot=self.rot,
            position_ts=_int(self.position_ts), static_ts=_int(self.static_ts),
            first_seen=_int(self.first_seen), last_seen=_int(self.last_seen),
            source=self.source, messages=self.messages,
        )  # fmt: skip
        return row

    # --- updates -------------------------------------------------------------------------
    def heard(self, msg_type: int, t: float | None, source: str | None) -> None:
        self.messages += 1
        self.dirty = True
        if self.station is None or msg_type in (1, 2, 3, 5, 18, 19, 24):
            self.station = _STATION.get(msg_type, self.station or "other")
        if source:
            self.source = source
        if t is not None:
            if self.first_seen is None or t < self.first_seen:
                self.first_seen = t
            if self.last_seen is None or t > self.last_seen:
                self.last_seen = t

    def apply_position(self, msg: dict[str, Any], t: float | None) -> bool:
        """Take the dynamic fields of a position report; False when it has no usable position."""
        lat, lon = msg.get("lat"), msg.get("lon")
        if not valid_position(lat, lon):
            return False
        coarse = msg["type"] == 27
        if coarse and self.fine_ts is not None and t is not None and t - self.fine_ts < COARSE_HOLD:
            return True  # a usable report, but the fine position we have is better
        if t is not None and self.position_ts is not None and t < self.position_ts:
            return True  # older than what we show (several receivers, late delivery)
        self.lat, self.lon = lat, lon
        self.sog = msg.get("sog")
        self.cog = msg.get("cog")
        self.heading = msg.get("heading")
        if "nav_status" in msg:
            self.nav_status = msg["nav_status"]
        if "rot" in msg:
            self.rot = msg["rot"]
        self.position_ts = t
        if not coarse:
            self.fine_ts = t
        return True

    def apply_static(self, msg: dict[str, Any], t: float | None) -> dict[str, Any] | None:
        """Merge static/voyage fields; returns the changed ones (None when nothing changed)."""
        before = self.static()
        msg_type = msg["type"]
        name = _text(msg.get("shipname"))
        if name:
            self.name = name
        if msg_type == 5 or (msg_type == 24 and msg.get("part_num") == 1):
            callsign = _text(msg.get("callsign"))
            if callsign:
                self.callsign = callsign
        if msg_type == 5 and msg.get("imo"):
            self.imo = msg["imo"]
        if msg.get("shiptype"):
            self.ship_type = msg["shiptype"]
        if "to_bow" in msg and any(
            _dim(msg.get(k)) for k in ("to_bow", "to_stern", "to_port", "to_starboard")
        ):
            self.to_bow = _dim(msg.get("to_bow"))
            self.to_stern = _dim(msg.get("to_stern"))
            self.to_port = _dim(msg.get("to_port"))
            self.to_starboard = _dim(msg.get("to_starboard"))
        if msg_type == 5:  # the voyage data is the master's current declaration: take it as is
            self.draught = msg.get("draught")
            self.destination = _text(msg.get("destination"))
            self.eta = _eta(msg)
        after = self.static()
        changed = {k: v for k, v in after.items() if before[k] != v}
        if changed:
            self.static_ts = t
            self.dirty = self.static_dirty = True
            return changed
        return None


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _eta(msg: dict[str, Any]) -> str | None:
    month, day = msg.get("eta_month"), msg.get("eta_day")
    if month is None or day is None:
        return None
    hour, minute = msg.get("eta_hour"), msg.get("eta_minute")
    clock = f" {hour:02d}:{minute:02d}" if hour is not None and minute is not None else ""
    return f"{month:02d}-{day:02d}{clock}"
