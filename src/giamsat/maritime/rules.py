"""The maritime rules: zone entry/exit, speeding, AtoN off-position, low voltage, light and racon
failure, health alarm, lost signal. Pure logic over decoded messages: no I/O, no clock of its
own. ``giamsat ais events`` and the live service both drive this one class, which is why
they report the same events for the same input.

Semantics (docs/maritime.md §5 is the long form, the CLI contract in DESIGN.md §4):

* time is the message's own time (tag block ``c:``); the rules' clock is the newest time seen.
* ``zone_enter`` when a position is inside a zone (boundary included) and the vessel's
  previous state for that zone was outside or unknown; ``zone_exit`` when outside after inside.
* ``speeding`` when SOG > min(global limit, limits of the zones containing the position) and
  the vessel was not over its limit at its previous report; not again until it is back
  under (a report with unknown SOG changes nothing).
* AtoN conditions hold "while" their latest inputs say so and are reported once on entry:
  off position (latest message 21 position farther than the allowed radius, or the latest
  valid off-position flag of message 21 or FI 10), low voltage (latest FI 10 supply voltage
  below the threshold; 0 = not measured is no reading), light failure (latest FI 10 light
  status 3, or latest page-7 light bits 11 of message 21), racon error (same with RACON
  bits), alarm (health bit).
* ``lost_signal`` when an AtoN's (or watched vessel's) last message is more than
  ``lost_after`` older than the clock; its time is last message + lost_after; once per
  silence (``signal_restored`` ends it).

Every condition also reports its end (``…_end``, ``signal_restored``): the CLI prints only
the contract's event types unless asked, the live service uses the ends to resolve alerts.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from giamsat.maritime.atons import AtonConfig
from giamsat.maritime.geo import distance_m, iso_utc, valid_position
from giamsat.maritime.vessels import VesselState
from giamsat.maritime.zones import Zone, ZoneIndex

CONTRACT_TYPES = (
    "zone_enter",
    "zone_exit",
    "speeding",
    "aton_off_position",
    "aton_low_voltage",
    "aton_light_failure",
    "lost_signal",
)
CONDITIONS = ("off_position", "low_voltage", "light_failure", "racon_error", "alarm")
EVENT_OF = {c: f"aton_{c}" for c in CONDITIONS}
END_TYPES = (
    "speeding_end",
    "signal_restored",
    *(f"aton_{c}_end" for c in CONDITIONS),
)
ALL_TYPES = (*CONTRACT_TYPES, "aton_racon_error", "aton_alarm", *END_TYPES)


@dataclass(slots=True)
class Event:
    type: str
    mmsi: int
    time: float | None
    zone: Zone | None = None
    data: dict[str, Any] = field(default_factory=dict)
    asset: str = "vessel"  # vessel | aton

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"type", "mmsi", "time" (ISO UTC), "zone"?, …}``."""
        out: dict[str, Any] = {"type": self.type, "mmsi": self.mmsi, "time": iso_utc(self.time)}
        if self.zone is not None:
            out["zone"] = self.zone.name
        out.update(self.data)
        return out


@dataclass(slots=True)
class RuleSettings:
    speed_limit_kn: float | None = None  # everywhere (zones may set lower limits)
    lost_after_min: float | None = None  # AtoN silence limit (per-AtoN values override)
    low_voltage: float | None = None  # AtoN supply voltage threshold (per-AtoN override)
    vessel_lost_after_min: float | None = None  # silence limit of watched vessels


class _Silence:
    """What the lost-signal rule keeps per AtoN or watched vessel."""

    __slots__ = ("last", "lost", "queued")

    def __init__(self) -> None:
        self.last: float | None = None
        self.lost = False
        self.queued = False


class AtonState(_Silence):
    __slots__ = ("active", "cfg", "distance", "fi10", "flag", "m21", "pos_far", "voltage")

    def __init__(self, cfg: AtonConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.pos_far = False
        self.flag = False  # latest valid off-position flag (message 21 or FI 10)
        self.distance: float | None = None
        self.voltage: float | None = None
        self.fi10: tuple[Any, Any, Any] = (None, None, None)  # light, racon, alarm
        self.m21: tuple[Any, Any, Any] = (None, None, None)
        self.active: set[str] = set()


class Rules:
    def __init__(
        self,
        zones: ZoneIndex | None = None,
        atons: Iterable[AtonConfig] = (),
        settings: RuleSettings | None = None,
        watched: Iterable[int] = (),
    ) -> None:
        self.zones = zones or ZoneIndex([])
        self.settings = settings or RuleSettings()
        self.atons: dict[int, AtonState] = {a.mmsi: AtonState(a) for a in atons}
        self.watched: dict[int, _Silence] = {m: _Silence() for m in watched}
        self.clock: float | None = None
        self._heap: list[tuple[float, int]] = []

    # --- configuration changes (live service) --------------------------------------------
    def set_zones(self, zones: ZoneIndex, vessels: Iterable[VesselState]) -> None:
        """New zones; vessels keep their inside-state for zones that still exist (by id)."""
        key = {z.index: (z.id if z.id is not None else z.name) for z in self.zones.zones}
        new = {(z.id if z.id is not None else z.name): z.index for z in zones.zones}
        for v in vessels:
            if v.zones:
                v.zones = tuple(sorted(new[key[i]] for i in v.zones if key.get(i) in new))
        self.zones = zones

    def set_atons(self, atons: Iterable[AtonConfig]) -> None:
        states: dict[int, AtonState] = {}
        for cfg in atons:
            st = self.atons.get(cfg.mmsi)
            if st is None:
                st = AtonState(cfg)
            st.cfg = cfg
            states[cfg.mmsi] = st
        self.atons = states
        for mmsi, st in states.items():
            self._queue(mmsi, st)

    def set_watched(self, mmsis: Iterable[int]) -> None:
        self.watched = {m: self.watched.get(m) or _Silence() for m in mmsis}

    # --- clock and silence ---------------------------------------------------------------
    def _lost_after(self, mmsi: int) -> float | None:
        st = self.atons.get(mmsi)
        if st is not None:
            if "lost_signal" in st.cfg.rules_off:
                return None
            minutes = st.cfg.lost_after_min
            if minutes is None:
                minutes = self.settings.lost_after_min
        else:
            minutes = self.settings.vessel_lost_after_min if mmsi in self.watched else None
        return None if minutes is None else minutes * 60.0

    def _silence(self, mmsi: int) -> _Silence | None:
        return self.atons.get(mmsi) or self.watched.get(mmsi)

    def _queue(self, mmsi: int, st: _Silence) -> None:
        if st.queued or st.lost or st.last is None:
            return
        after = self._lost_after(mmsi)
        if after is not None:
            heapq.heappush(self._heap, (st.last + after, mmsi))
            st.queued = True

    def advance(self, t: float | None) -> list[Event]:
        """Move the clock to ``t`` (if newer) and report the silences that are now too long."""
        if t is None or (self.clock is not None and t <= self.clock):
            return []
        self.clock = t
        out: list[Event] = []
        heap = self._heap
        while heap and heap[0][0] < t:
            deadline, mmsi = heapq.heappop(heap)
            st = self._silence(mmsi)
            if st is None:
                continue
            st.queued = False
            after = self._lost_after(mmsi)
            if after is None or st.lost or st.last is None:
                continue
            real = st.last + after
            if real != deadline:  # heard since it was queued: requeue at its real deadline
                heapq.heappush(heap, (real, mmsi))
                st.queued = True
                continue
            st.lost = True
            aton = isinstance(st, AtonState)
            data: dict[str, Any] = {"last_seen": iso_utc(st.last), "lost_after_min": after / 60}
            if aton:
                data = {"name": st.cfg.name, **data}  # type: ignore[attr-defined]
            out.append(Event("lost_signal", mmsi, real, None, data, "aton" if aton else "vessel"))
        return out

    def heard(self, mmsi: int, t: float | None) -> list[Event]:
        """Any message from ``mmsi`` at ``t``: ends a silence, restarts the silence timer."""
        st = self._silence(mmsi)
        if st is None or t is None:
            return []
        out: list[Event] = []
        if st.lost:
            st.lost = False
            out.append(
                Event(
                    "signal_restored",
                    mmsi,
                    t,
                    None,
                    {"last_seen": iso_utc(st.last)},
                    "aton" if isinstance(st, AtonState) else "vessel",
                )
            )
        if st.last is None or t > st.last:
            st.last = t
        self._queue(mmsi, st)
        return out

    # --- vessels -------------------------------------------------------------------------
    def vessel_position(
        self, v: VesselState, t: float | None, lat: float, lon: float, sog: float | None
    ) -> list[Event]:
        """Zone and speed rules for one position report (the position must be valid)."""
        zones = self.zones.zones
        inside = self.zones.containing(lon, lat)
        out: list[Event] = []
        mmsi = v.mmsi
        where = {"lat": lat, "lon": lon}
        if inside != v.zones:
            now = set(inside)
            before = set(v.zones)
            for i in v.zones:
                if i not in now:
                    out.append(Event("zone_exit", mmsi, t, zones[i], dict(where)))
            for i in inside:
                if i not in before:
                    out.append(Event("zone_enter", mmsi, t, zones[i], dict(where)))
            v.zones = inside
        if sog is None:
            return out  # unknown speed: neither over nor back under
        limit = self.settings.speed_limit_kn
        by: Zone | None = None
        for i in inside:
            zl = zones[i].speed_limit_kn
            if zl is not None and (limit is None or zl < limit):
                limit, by = zl, zones[i]
        over = limit is not None and sog > limit
        if over and not v.speeding:
            out.append(Event("speeding", mmsi, t, by, {"sog": sog, "limit": limit, **where}))
        elif v.speeding and not over:
            out.append(Event("speeding_end", mmsi, t, by, {"sog": sog, "limit": limit, **where}))
        v.speeding = over
        return out

    # --- AtoNs ---------------------------------------------------------------------------
    def aton_message(self, msg: dict[str, Any], t: float | None) -> list[Event]:
        st = self.atons.get(msg["mmsi"])
        if st is None:
            return []
        cfg = st.cfg
        msg_type = msg["type"]
        if msg_type == 21:
            lat, lon = msg.get("lat"), msg.get("lon")
            if valid_position(lat, lon) and cfg.lat is not None and cfg.lon is not None:
                st.distance = distance_m(cfg.lat, cfg.lon, lat, lon)  # type: ignore[arg-type]
                st.pos_far = cfg.radius_m is not None and st.distance > cfg.radius_m
            if msg.get("off_position") is not None:  # None when the second is above 59
                st.flag = bool(msg["off_position"])
            if msg.get("light") is not None:  # None unless the status byte is IALA page 7
                st.m21 = (msg["light"], msg.get("racon"), msg.get("alarm"))
        elif msg_type in (6, 8) and msg.get("fi") == 10 and "ana_int" in msg:
            if msg["ana_int"] is not None:  # 0 = "not used": no reading
                st.voltage = msg["ana_int"]
            st.fi10 = (msg.get("light"), msg.get("racon"), msg.get("alarm"))
            if msg.get("off_pos") is not None:
                st.flag = bool(msg["off_pos"])
        else:
            return []
        return self._conditions(st, t)

    def _conditions(self, st: AtonState, t: float | None) -> list[Event]:
        cfg = st.cfg
        threshold = cfg.low_voltage if cfg.low_voltage is not None else self.settings.low_voltage
        light = (
            3
            if 3 in (st.fi10[0], st.m21[0])
            else (st.fi10[0] if st.fi10[0] is not None else st.m21[0])
        )
        now = {
            "off_position": st.pos_far or st.flag,
            "low_voltage": threshold is not None
            and st.voltage is not None
            and st.voltage < threshold,
            "light_failure": light == 3,
            "racon_error": 3 in (st.fi10[1], st.m21[1]),
            "alarm": bool(st.fi10[2]) or bool(st.m21[2]),
        }
        out: list[Event] = []
        for cond in CONDITIONS:
            on = now[cond] and cond not in cfg.rules_off
            if on == (cond in st.active):
                continue
            data: dict[str, Any] = {"name": cfg.name}
            if cond == "off_position":
                if st.distance is not None:
                    data["distance_m"] = round(st.distance, 1)
                data["radius_m"] = cfg.radius_m
                data["flag"] = st.flag
            elif cond == "low_voltage":
                data["voltage"] = st.voltage
                data["threshold"] = threshold
            elif cond == "light_failure":
                data["light"] = light
            if on:
                st.active.add(cond)
                out.append(Event(EVENT_OF[cond], cfg.mmsi, t, None, data, "aton"))
            else:
                st.active.discard(cond)
                out.append(Event(EVENT_OF[cond] + "_end", cfg.mmsi, t, None, data, "aton"))
        return out
