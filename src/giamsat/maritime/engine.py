"""The monitoring engine: NMEA lines in, state and events out.

    line → StreamDecoder (assembled bits) → duplicate filter → decode → vessel/AtoN state
         → rules → events (+ track points, static changes, AtoN telemetry when collecting)

One ``Engine`` serves ``giamsat ais events`` (files, ``collect=False``) and the live service
(sockets, ``collect=True``: an ``Outbox`` the service drains into the store), so both see the
same events for the same lines. The engine does no I/O.

A message's time is its own (tag block ``c:``, Gatehouse wrapper or receiver timestamp); the
live service passes the arrival time for lines that carry none. A message without any time
takes the newest time seen so far (``untimed`` counter).

Duplicates: the same message (same bits) heard by a *different* receiver within
``dedupe_seconds`` is counted once; the same receiver sending the same bits again is a new
transmission (AtoNs repeat identical reports).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from giamsat.maritime.ais.asm import AsmRegistry
from giamsat.maritime.ais.stream import Issue, StreamDecoder
from giamsat.maritime.geo import valid_position
from giamsat.maritime.nmea.checksum import checksum, parse_hex2
from giamsat.maritime.rules import Event, Rules
from giamsat.maritime.tracks import TrackPolicy
from giamsat.maritime.vessels import POSITION_TYPES, RULE_TYPES, STATIC_TYPES, VesselState

ATON_FIELDS = ("lat", "lon", "voltage", "voltage_ext1", "voltage_ext2", "light", "racon",
               "alarm", "off_position")  # fmt: skip


_META = frozenset(("time", "source", "channel", "own_ship"))


def message_key(msg: dict[str, Any]) -> Any:
    """What identifies a transmission: every decoded field but the reception metadata."""
    key = tuple(v for k, v in msg.items() if k not in _META)
    try:
        hash(key)
    except TypeError:  # repeated groups (lists of dicts) in some binary applications
        return repr(key)
    return key


class Deduper:
    """Drop a message already heard from another source within ``window`` seconds."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._seen: dict[Any, tuple[float, str]] = {}
        self._order: deque[tuple[float, Any]] = deque()

    def duplicate(self, key: Any, source: str, t: float | None) -> bool:
        if self.window <= 0 or t is None:
            return False
        order, seen = self._order, self._seen
        horizon = t - self.window
        while order and order[0][0] < horizon:
            old_t, old_key = order.popleft()
            kept = seen.get(old_key)
            if kept is not None and kept[0] == old_t:
                del seen[old_key]
        prev = seen.get(key)
        if prev is not None and prev[1] != source and abs(t - prev[0]) <= self.window:
            return True
        seen[key] = (t, source)
        order.append((t, key))
        return False


def simple_tagged(line: bytes) -> tuple[bytes, str | None, float | None] | None:
    """(sentence, s:, c:) of a line made of one valid tag block (no sentence group) and one
    bare sentence; None for anything else (the stream decoder's general path takes it).

    Why: a tagged line otherwise misses the decoder's fast path; this split gives the decoder
    exactly what its general path would work out (source, time), so the results are equal.
    """
    end = line.find(b"\\", 1)
    if end < 0:
        return None
    rest = line[end + 1 :]
    if len(rest) < 12 or rest[0] != 33 or rest[-3] != 42 or b"\\" in rest or b"!" in rest[1:]:
        return None
    body = line[1:end]
    star = body.rfind(b"*")
    if star < 0 or len(body) != star + 3:
        return None
    expected = parse_hex2(body[star + 1 :])
    content = body[:star]
    if expected is None or not content or checksum(content) != expected:
        return None
    source: str | None = None
    time: float | None = None
    for part in content.split(b","):
        key, sep, value = part.partition(b":")
        if not sep or key == b"g" or (len(key) == 3 and key[1:2] == b"G"):
            return None
        try:
            if key == b"c":
                time = float(value)
                if time > 1e11:
                    time /= 1000.0
            elif key == b"s":
                source = value.decode("latin-1")
            elif key in (b"n", b"r"):
                int(value)
        except ValueError:
            return None
    return rest, source, time


class AtonLive:
    """What was last heard from an AtoN (registered or not): its status and telemetry."""

    __slots__ = ("aid_type", "dirty", "last_seen", "messages", "name", "virtual", *ATON_FIELDS)

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, None)
        self.messages = 0
        self.dirty = True

    def telemetry(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ATON_FIELDS}


def aton_telemetry(msg: dict[str, Any]) -> dict[str, Any] | None:
    """The AtoN fields of a message 21 or a monitoring ASM (GLA FI 10, Zeni Lite), else None."""
    msg_type = msg["type"]
    if msg_type == 21:
        return {
            "lat": msg.get("lat"), "lon": msg.get("lon"), "light": msg.get("light"),
            "racon": msg.get("racon"), "alarm": msg.get("alarm"),
            "off_position": msg.get("off_position"),
        }  # fmt: skip
    if msg_type in (6, 8):
        if "ana_int" in msg:  # GLA / IALA A-126 FI 10 (any DAC mapped to it)
            return {
                "voltage": msg.get("ana_int"), "voltage_ext1": msg.get("ana_ext1"),
                "voltage_ext2": msg.get("ana_ext2"), "light": msg.get("light"),
                "racon": msg.get("racon"), "alarm": msg.get("alarm"),
                "off_position": msg.get("off_pos"),
            }  # fmt: skip
        if "sub_app_id" in msg and "battery_low" in msg:  # Zeni Lite buoy monitor
            return {
                "voltage": msg.get("voltage"), "light": 1 if msg.get("light_on") else 2,
                "off_position": msg.get("off_position"),
            }  # fmt: skip
        if "station_name" in msg and "off_position" in msg:  # Trinity House buoy position
            return {"lat": msg.get("lat"), "lon": msg.get("lon"),
                    "off_position": msg.get("off_position")}  # fmt: skip
    return None


@dataclass
class Outbox:
    """What the live service persists after each batch (filled when ``collect=True``)."""

    tracks: list[tuple[Any, ...]] = field(
        default_factory=list
    )  # mmsi, ts, lat, lon, sog, cog, heading, nav
    static: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    aton_messages: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tracks) + len(self.static) + len(self.aton_messages) + len(self.events)

    def take(self) -> Outbox:
        out = Outbox(self.tracks, self.static, self.aton_messages, self.events)
        self.tracks, self.static, self.aton_messages, self.events = [], [], [], []
        return out


class Engine:
    def __init__(
        self,
        rules: Rules | None = None,
        *,
        registry: AsmRegistry | None = None,
        dedupe_seconds: float = 2.0,
        track_policy: TrackPolicy | None = None,
        collect: bool = False,
        on_error: Callable[[Issue], None] | None = None,
        dense_kinds: frozenset[str] = frozenset({"watch"}),
    ) -> None:
        self.rules = rules or Rules()
        self.decoder = StreamDecoder(registry=registry, on_error=on_error)
        self.registry = self.decoder.registry
        self.dedupe = Deduper(dedupe_seconds)
        self.track_policy = track_policy or TrackPolicy()
        self.collect = collect
        self.dense_kinds = dense_kinds
        self.vessels: dict[int, VesselState] = {}
        self.atons: dict[int, AtonLive] = {}
        self.outbox = Outbox()
        self.counters: Counter[str] = Counter()
        self.changed_vessels: set[int] = set()  # since the live service last published
        self.changed_atons: set[int] = set()

    # --- input ---------------------------------------------------------------------------
    def feed(
        self, line: bytes | str, source: str = "", received: float | None = None
    ) -> list[Event]:
        """One NMEA line; ``received`` is the arrival time (used when the line has none)."""
        if line.__class__ is not bytes:
            line = line.encode("latin-1", "replace") if isinstance(line, str) else bytes(line)
        line = line.strip()
        if line[:1] == b"\\":
            split = simple_tagged(line)
            if split is not None:
                sentence, tag_source, tag_time = split
                line, source = sentence, tag_source or source
                if tag_time is not None:
                    received = tag_time
        out: list[Event] = []
        for msg in self.decoder.feed(line, source, received):
            out.extend(self.process(msg))
        return out

    def flush(self) -> None:
        self.decoder.flush()

    def process(self, msg: dict[str, Any]) -> list[Event]:
        """One decoded message (a stream decoder dict)."""
        t = msg["time"]
        if t is None:
            self.counters["untimed"] += 1
            t = self.rules.clock
        if (
            self.dedupe.window > 0
            and t is not None
            and self.dedupe.duplicate(message_key(msg), msg["source"], t)
        ):
            self.counters["duplicates"] += 1
            return []
        return self.apply(msg, t)

    # --- state and rules -----------------------------------------------------------------
    def apply(self, msg: dict[str, Any], t: float | None) -> list[Event]:
        """One decoded message at time ``t``: update state, run the rules, return events."""
        self.counters["messages"] += 1
        rules = self.rules
        mmsi = msg["mmsi"]
        msg_type = msg["type"]
        events = rules.advance(t) if t is not None else []
        if mmsi in rules.atons or mmsi in rules.watched:
            events += rules.heard(mmsi, t)
        if msg_type in POSITION_TYPES or msg_type in STATIC_TYPES:
            v = self.vessels.get(mmsi)
            if v is None:
                v = self.vessels[mmsi] = VesselState(mmsi)
            v.heard(msg_type, t, msg.get("source"))
            if msg_type in POSITION_TYPES:
                if v.apply_position(msg, t):
                    if msg_type in RULE_TYPES:
                        events += rules.vessel_position(
                            v, t, msg["lat"], msg["lon"], msg.get("sog")
                        )
                    if self.collect and t is not None and v.position_ts == t:
                        self._track(v, t)
                else:
                    self.counters["no_position"] += 1
            if msg_type in STATIC_TYPES:
                changed = v.apply_static(msg, t)
                if changed and self.collect and t is not None:
                    self.outbox.static.append((mmsi, int(t), v.static()))
        elif msg_type == 21 or msg_type in (6, 8):
            if mmsi in rules.atons:
                events += rules.aton_message(msg, t)
            if self.collect:
                self._aton(msg, t)
        if self.collect:
            if msg_type in POSITION_TYPES or msg_type in STATIC_TYPES:
                self.changed_vessels.add(mmsi)
            if events:
                self._collect(events)
        return events

    def advance_clock(self, t: float) -> list[Event]:
        """Move the rules' clock without a message (the live service when feeds are quiet)."""
        events = self.rules.advance(t)
        if events and self.collect:
            self._collect(events)
        return events

    def _collect(self, events: list[Event]) -> None:
        self.outbox.events.extend(events)
        for ev in events:
            if ev.asset == "aton":
                live = self.atons.get(ev.mmsi)
                if live is not None:
                    live.dirty = True
                self.changed_atons.add(ev.mmsi)

    def _track(self, v: VesselState, t: float) -> None:
        zones = self.rules.zones.zones
        dense = bool(v.zones) and any(zones[i].kind in self.dense_kinds for i in v.zones)
        if self.track_policy.keep(v, t, dense):
            TrackPolicy.mark(v, t)
            self.outbox.tracks.append(
                (v.mmsi, int(t), v.lat, v.lon, v.sog, v.cog, v.heading, v.nav_status)
            )

    def _aton(self, msg: dict[str, Any], t: float | None) -> None:
        tele = aton_telemetry(msg)
        if tele is None:
            return
        mmsi = msg["mmsi"]
        live = self.atons.get(mmsi)
        if live is None:
            live = self.atons[mmsi] = AtonLive()
        live.messages += 1
        live.dirty = True
        self.changed_atons.add(mmsi)
        if t is not None and (live.last_seen is None or t >= live.last_seen):
            live.last_seen = t
        if msg["type"] == 21:
            if msg.get("name"):
                live.name = msg["name"]
            live.aid_type = msg.get("aid_type")
            live.virtual = msg.get("virtual_aid")
        if not valid_position(tele.get("lat"), tele.get("lon")):
            tele.pop("lat", None)
            tele.pop("lon", None)
        for key, value in tele.items():
            if value is not None:
                setattr(live, key, value)
        if t is not None:
            content = {k: v for k, v in msg.items() if k not in ("time", "own_ship")}
            self.outbox.aton_messages.append(
                (
                    mmsi,
                    int(t),
                    msg["type"],
                    msg.get("dac"),
                    msg.get("fi"),
                    tele,
                    content,
                    msg.get("source"),
                )
            )

    def aton_status(self, mmsi: int) -> tuple[str, list[str]]:
        """("ok"|"alarm"|"lost"|"unknown", active conditions) of a registered AtoN."""
        st = self.rules.atons.get(mmsi)
        live = self.atons.get(mmsi)
        conditions = sorted(st.active) if st is not None else []
        if st is not None and st.lost:
            return "lost", conditions
        if conditions:
            return "alarm", conditions
        if live is None and (st is None or st.last is None):
            return "unknown", conditions
        return "ok", conditions
