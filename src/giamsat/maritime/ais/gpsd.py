# ruff: noqa: UP031 - printf-style formats mirror gpsd's C output byte for byte
"""gpsd JSON-AIS output, as ``gpsdecode -j`` (scaled) and ``gpsdecode -u -j`` (unscaled).

Member names, order, number formats and ``*_text`` legends follow gpsd's regression oracle
(``test/sample.aivdm.js.chk`` / ``.ju.chk``) so existing gpsd clients can read our output.
The values come from the same layout tables as every other decoder (raw decode); this module
only says how gpsd prints them. Where we deliberately print something else, docs/ais.md says
what and why (see ``DIFFERENCES``).

Like gpsdecode, message 24 parts A and B are paired (per channel, by MMSI) and printed once
as one object; an unpaired part is counted, not printed. Messages gpsd's length checks would
reject are printed anyway (we decode what the bits allow) - see ``DIFFERENCES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from giamsat.maritime.ais.asm import DEFAULT_REGISTRY, AsmRegistry
from giamsat.maritime.ais.decode import decoder, select
from giamsat.maritime.ais.layout import Layout
from giamsat.maritime.ais.sixbit import bits_to_text, clean_text

#: Deliberate differences from gpsdecode, by topic (documented in docs/ais.md).
DIFFERENCES = {
    "type26_radio": "message 26: we print the radio status from the last 20 bits; gpsd never "
    "reads it and always prints 0",
    "turn_sign": "scaled turn: we keep the sign of the rate of turn; gpsd squares it away",
    "extra_applications": "DAC/FI pairs gpsd does not decode (6/0/0 Zeni Lite, 6/235/20, "
    "6/366/10, 8/235/10, 8/250/10 and configured aliases) are printed decoded, not as data",
}

NAV_LEGENDS = (
    "Under way using engine", "At anchor", "Not under command", "Restricted maneuverability",
    "Constrained by her draught", "Moored", "Aground", "Engaged in fishing",
    "Under way sailing", "Reserved for HSC", "Reserved for WIG",
    "Power-driven vessel towing astern",
    "Power-driven vessel pushing ahead or towing alongside", "Reserved",
    "AIS-SART is active", "Not defined",
)  # fmt: skip

EPFD_LEGENDS = (
    "Undefined", "GPS", "GLONASS", "Combined GPS/GLONASS", "Loran-C", "Chayka",
    "Integrated navigation system", "Surveyed", "Galileo",
)  # fmt: skip

_HAZ = ("Hazardous category A", "Hazardous category B", "Hazardous category C",
        "Hazardous category D")  # fmt: skip


def _ship_type_legends() -> tuple[str, ...]:
    out = ["Not available"] + ["Reserved for future use"] * 19
    for prefix in ("Wing in ground (WIG)",):
        out += [f"{prefix} - all ships of this type", *(f"{prefix} - {h}" for h in _HAZ)]
        out += [f"{prefix} - Reserved for future use"] * 5
    out += ["Fishing", "Towing", "Towing: length exceeds 200m or breadth exceeds 25m",
            "Dredging or underwater ops", "Diving ops", "Military ops", "Sailing",
            "Pleasure Craft", "Reserved", "Reserved"]  # fmt: skip
    prefix = "High speed craft (HSC)"
    out += [f"{prefix} - all ships of this type", *(f"{prefix} - {h}" for h in _HAZ)]
    out += [f"{prefix} - Reserved for future use"] * 4 + [f"{prefix} - No additional information"]
    out += ["Pilot Vessel", "Search and Rescue vessel", "Tug", "Port Tender",
            "Anti-pollution equipment", "Law Enforcement", "Spare - Local Vessel",
            "Spare - Local Vessel", "Medical Transport", "Ship according to RR Resolution No. 18"]  # fmt: skip
    for prefix in ("Passenger", "Cargo", "Tanker"):
        out += [f"{prefix} - all ships of this type", *(f"{prefix} - {h}" for h in _HAZ)]
        out += [f"{prefix} - Reserved for future use"] * 4 + [
            f"{prefix} - No additional information"
        ]
    prefix = "Other Type"
    out += [f"{prefix} - all ships of this type", *(f"{prefix} - {h}" for h in _HAZ)]
    out += [f"{prefix} - Reserved for future use"] * 4 + [f"{prefix} - no additional information"]
    return tuple(out)


SHIP_TYPE_LEGENDS = _ship_type_legends()
assert len(SHIP_TYPE_LEGENDS) == 100

STATION_TYPE_LEGENDS = (
    "All types of mobiles", "Reserved for future use", "All types of Class B mobile stations",
    "SAR airborne mobile station", "Aid to Navigation station", "Class B shipborne mobile station",
    *["Regional use and inland waterways"] * 4, *["Reserved for future use"] * 6,
)  # fmt: skip

NAVAID_LEGENDS = (
    "Unspecified", "Reference point", "RACON", "Fixed offshore structure",
    "Spare, Reserved for future use.", "Light, without sectors", "Light, with sectors",
    "Leading Light Front", "Leading Light Rear", "Beacon, Cardinal N", "Beacon, Cardinal E",
    "Beacon, Cardinal S", "Beacon, Cardinal W", "Beacon, Port hand", "Beacon, Starboard hand",
    "Beacon, Preferred Channel port hand", "Beacon, Preferred Channel starboard hand",
    "Beacon, Isolated danger", "Beacon, Safe water", "Beacon, Special mark", "Cardinal Mark N",
    "Cardinal Mark E", "Cardinal Mark S", "Cardinal Mark W", "Port hand Mark",
    "Starboard hand Mark", "Preferred Channel Port hand", "Preferred Channel Starboard hand",
    "Isolated danger", "Safe Water", "Special Mark", "Light Vessel / LANBY / Rigs",
)  # fmt: skip

RACON_LEGENDS = ("No RACON installed", "RACON not monitored", "RACON operational", "RACON ERROR")
LIGHT_LEGENDS = ("No light or no monitoring", "Light ON", "Light OFF", "Light ERROR")
TRENDS = ("steady", "increasing", "decreasing", "N/A")
PRECIP = (
    "reserved",
    "rain",
    "thunderstorm",
    "freezing rain",
    "mixed/ice",
    "snow",
    "reserved",
    "N/A",
)
ICE = ("no", "yes", "reserved", "N/A")
ROUTE_TYPES = ("Undefined (default)", "Mandatory", "Recommended", "Alternative",
               "Recommended route through ice", "Ship route plan",
               *["Reserved for future use."] * 25, "Cancel route identified by message linkage")  # fmt: skip
ID_TYPES = ("mmsi", "imo", "callsign", "other")
RTA_STATUS = ("Operational", "Limited operation", "Out of order", "N/A")
POSITION_TYPES = ("Not available", "Port-side to", "Starboard-side to",
                  "Mediterranean (end-on) mooring", "Mooring buoy", "Anchorage",
                  "Reserved for future use", "Reserved for future use")  # fmt: skip
HAZARD_TYPES = ("0 blue cones/lights", "1 blue cone/light", "2 blue cones/lights",
                "3 blue cones/lights", "4 B-Flag", "Unknown")  # fmt: skip
LOADED_TYPES = ("N/A (default)", "Unloaded", "Loaded")
INLAND_SHIP_TYPES = {
    8000: "Vessel, type unknown", 8010: "Motor freighter", 8020: "Motor tanker",
    8021: "Motor tanker, liquid cargo, type N", 8022: "Motor tanker, liquid cargo, type C",
    8023: "Motor tanker, dry cargo as if liquid (e.g. cement)", 8030: "Container vessel",
    8040: "Gas tanker", 8050: "Motor freighter, tug", 8060: "Motor tanker, tug",
    8070: "Motor freighter with one or more ships alongside", 8080: "Motor freighter with tanker",
    8090: "Motor freighter pushing one or more freighters",
    8100: "Motor freighter pushing at least one tank-ship", 8110: "Tug, freighter",
    8120: "Tug, tanker", 8130: "Tug freighter, coupled", 8140: "Tug, freighter/tanker, coupled",
    8150: "Freightbarge", 8160: "Tankbarge", 8161: "Tankbarge, liquid cargo, type N",
    8162: "Tankbarge, liquid cargo, type C", 8163: "Tankbarge, dry cargo as if liquid (e.g. cement)",
    8170: "Freightbarge with containers", 8180: "Tankbarge, gas",
    8210: "Pushtow, one cargo barge", 8220: "Pushtow, two cargo barges",
    8230: "Pushtow, three cargo barges", 8240: "Pushtow, four cargo barges",
    8250: "Pushtow, five cargo barges", 8260: "Pushtow, six cargo barges",
    8270: "Pushtow, seven cargo barges", 8280: "Pushtow, eigth cargo barges",
    8290: "Pushtow, nine or more barges", 8310: "Pushtow, one tank/gas barge",
    8320: "Pushtow, two barges at least one tanker or gas barge",
    8330: "Pushtow, three barges at least one tanker or gas barge",
    8340: "Pushtow, four barges at least one tanker or gas barge",
    8350: "Pushtow, five barges at least one tanker or gas barge",
    8360: "Pushtow, six barges at least one tanker or gas barge",
    8370: "Pushtow, seven barges at least one tanker or gas barg",
}  # fmt: skip
_INLAND_AIS_CODES = {8000: 99, 8010: 79, 8020: 89, 8021: 80, 8022: 80, 8023: 89, 8030: 79,
                     8040: 80, 8050: 79, 8060: 89, 8070: 79, 8080: 89, 8090: 79, 8100: 89,
                     8110: 79, 8120: 89, 8130: 31, 8140: 31, 8150: 99, 8160: 99, 8161: 90,
                     8162: 90, 8163: 99, 8170: 99, 8180: 90}  # fmt: skip
EMMA_TYPES = ("Not Available", "Wind", "Rain", "Snow and ice", "Thunderstorm", "Fog",
              "Low temperature", "High temperature", "Flood", "Forest Fire")  # fmt: skip
EMMA_CLASSES = ("Slight", "Medium", "Strong")
EMMA_WINDS = ("N/A", "North", "North East", "East", "South East", "South", "South West", "West",
              "North West")  # fmt: skip
DIRECTIONS = ("Unknown", "Upstream", "Downstream", "To left bank", "To right bank")
SIGNAL_STATUS = ("Unknown", "No light", "White", "Yellow", "Green", "Red", "White flashing",
                 "Yellow flashing.")  # fmt: skip


def _legend(table: tuple[str, ...], n: int | None, invalid: str) -> str:
    if n is None:
        n = 0
    return table[n] if 0 <= n < len(table) else invalid


def _epfd(n: int | None) -> str:
    n = n or 0
    if n < len(EPFD_LEGENDS):
        return EPFD_LEGENDS[n]
    return "Internal GNSS" if n == 15 else f"Reserved ({n})"


def _inland_ship(code: int) -> str:
    if code in INLAND_SHIP_TYPES:
        return INLAND_SHIP_TYPES[code]
    for known, ais in _INLAND_AIS_CODES.items():
        if ais == code:
            return INLAND_SHIP_TYPES[known]
    return "Illegal ship type value."


def js(text: str | None) -> str:
    """A JSON string the way gpsd's json_stringify writes it."""
    if text is None:
        text = ""
    out = []
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif o < 32 or o > 126:
            out.append(
                {8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t"}.get(o, f"\\u{o & 0xFF:04x}")
            )
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _b(value: Any) -> str:
    return "true" if value else "false"


def _i(value: Any) -> str:
    return str(int(value or 0))


class Ctx:
    """What a printer needs: the raw field values, the bits, and the mode."""

    __slots__ = ("bits", "layout", "n", "raw", "scaled")

    def __init__(self, raw: dict[str, Any], v: int, n: int, layout: Layout, scaled: bool) -> None:
        self.raw = raw
        self.bits = v
        self.n = n
        self.layout = layout
        self.scaled = scaled

    def get(self, name: str) -> Any:
        """A raw value; a field the message is too short for reads as gpsd reads it
        (missing bits are zeros)."""
        value = self.raw.get(name)
        if value is not None:
            return value
        try:
            f = self.layout.field(name)
        except KeyError:
            return 0
        if f.offset < 0 or f.width == 0:
            return 0
        if f.kind == "i":
            return self.sbits(f.offset, f.width)
        if f.kind == "t":
            return clean_text(bits_to_text(self.ubits(f.offset, f.width), f.width // 6))
        return self.ubits(f.offset, f.width)

    def ubits(self, start: int, width: int) -> int:
        """gpsd's view of the bits: zero beyond the end of the message."""
        end = start + width
        if end <= self.n:
            return (self.bits >> (self.n - end)) & ((1 << width) - 1)
        value = self.bits << (end - self.n) if start < self.n else 0
        return value & ((1 << width) - 1)

    def sbits(self, start: int, width: int) -> int:
        value = self.ubits(start, width)
        return value - (1 << width) if value >> (width - 1) else value

    def hexdata(self, start: int, count: int, mask: bool) -> str:
        """gpsd's ``bits:hex``: whole bytes from ``start``; the bits after the data are kept
        unless ``mask`` (gpsd masks them for message 8 only)."""
        nbytes = (count + 7) // 8
        value = self.ubits(start, 8 * nbytes)
        if mask and count % 8:
            value &= ~((1 << (8 * nbytes - count)) - 1)
        return f"{count}:" + (value.to_bytes(nbytes, "big").hex() if nbytes else "")


Pairs = list[tuple[str, str]]
Printer = Callable[[Ctx], Pairs]


def _ll(ctx: Ctx, name: str, div: float, fmt: str) -> str:
    value = ctx.get(name)
    return fmt % (value / div) if ctx.scaled else _i(value)


def _pos(ctx: Ctx) -> Pairs:
    return [("lon", _ll(ctx, "lon", 600000.0, "%.7f")), ("lat", _ll(ctx, "lat", 600000.0, "%.7f"))]


def _speed_a(ctx: Ctx, name: str = "sog") -> str:
    value = ctx.get(name)
    if not ctx.scaled:
        return _i(value)
    if value == 1023:
        return '"nan"'
    if value == 1022:
        return '"fast"'
    return "%.1f" % (value / 10.0)


def _course(ctx: Ctx) -> str:
    return "%.1f" % (ctx.get("cog") / 10.0) if ctx.scaled else _i(ctx.get("cog"))


def _turn(ctx: Ctx) -> str:
    turn = ctx.get("rot")
    if not ctx.scaled:
        return str(turn)
    if turn == -128:
        return '"n/a"'
    if turn == -127:
        return '"fastleft"'
    if turn == 127:
        return '"fastright"'
    rate = (turn / 4.733) ** 2
    return '"%.2f"' % (rate if turn >= 0 else -rate)


def _p1(ctx: Ctx) -> Pairs:
    status = ctx.get("nav_status")
    # gpsd reads a cut radio field (163..167-bit messages) with the bits that exist.
    radio = ctx.get("radio") if ctx.n >= 168 else ctx.ubits(149, max(ctx.n - 149, 0))
    return [
        ("status", _i(status)), ("status_text", js(NAV_LEGENDS[status])), ("turn", _turn(ctx)),
        ("speed", _speed_a(ctx)), ("accuracy", _b(ctx.get("accuracy"))), *_pos(ctx),
        ("course", _course(ctx)), ("heading", _i(ctx.get("heading"))),
        ("second", _i(ctx.get("second"))), ("maneuver", _i(ctx.get("maneuver"))),
        ("raim", _b(ctx.get("raim"))), ("radio", _i(radio)),
    ]  # fmt: skip


def _p4(ctx: Ctx) -> Pairs:
    g = ctx.get
    stamp = "%04u-%02u-%02uT%02u:%02u:%02uZ" % (
        g("year"), g("month"), g("day"), g("hour"), g("minute"), g("second"))  # fmt: skip
    return [("timestamp", js(stamp)), ("accuracy", _b(g("accuracy"))), *_pos(ctx),
            ("epfd", _i(g("epfd"))), ("epfd_text", js(_epfd(g("epfd")))),
            ("raim", _b(g("raim"))), ("radio", _i(g("radio")))]  # fmt: skip


def _shiptype(ctx: Ctx, name: str = "shiptype") -> Pairs:
    code = ctx.get(name)
    return [("shiptype", _i(code)),
            ("shiptype_text", js(_legend(SHIP_TYPE_LEGENDS, code, "INVALID SHIP TYPE")))]  # fmt: skip


def _dims(ctx: Ctx) -> Pairs:
    return [(k, _i(ctx.get(k))) for k in ("to_bow", "to_stern", "to_port", "to_starboard")]


def _p5(ctx: Ctx) -> Pairs:
    g = ctx.get
    eta = "%02u-%02uT%02u:%02uZ" % (g("eta_month"), g("eta_day"), g("eta_hour"), g("eta_minute"))
    draught = "%.1f" % (g("draught") / 10.0) if ctx.scaled else _i(g("draught"))
    return [("imo", _i(g("imo"))), ("ais_version", _i(g("ais_version"))),
            ("callsign", js(ctx.raw.get("callsign"))), ("shipname", js(ctx.raw.get("shipname"))),
            *_shiptype(ctx), *_dims(ctx), ("epfd", _i(g("epfd"))),
            ("epfd_text", js(_epfd(g("epfd")))), ("eta", js(eta)), ("draught", draught),
            ("destination", js(ctx.raw.get("destination"))), ("dte", _i(g("dte")))]  # fmt: skip


def _p7(ctx: Ctx) -> Pairs:
    return [(f"mmsi{i}", _i(ctx.get(f"mmsi{i}"))) for i in range(1, 5)]


def _p9(ctx: Ctx) -> Pairs:
    g = ctx.get
    alt, speed = g("alt"), g("sog")
    if ctx.scaled:
        alt_s = '"nan"' if alt == 4095 else '"high"' if alt == 4094 else str(alt)
        speed_s = '"nan"' if speed == 1023 else '"fast"' if speed == 1022 else str(speed)
    else:
        alt_s, speed_s = str(alt), str(speed)
    return [("alt", alt_s), ("speed", speed_s), ("accuracy", _b(g("accuracy"))), *_pos(ctx),
            ("course", _course(ctx)), ("second", _i(g("second"))), ("regional", _i(g("regional"))),
            ("dte", _i(g("dte"))), ("raim", _b(g("raim"))), ("radio", _i(g("radio")))]  # fmt: skip


def _p10(ctx: Ctx) -> Pairs:
    return [("dest_mmsi", _i(ctx.get("dest_mmsi")))]


def _p12(ctx: Ctx) -> Pairs:
    return [("seqno", _i(ctx.get("seqno"))), ("dest_mmsi", _i(ctx.get("dest_mmsi"))),
            ("retransmit", _b(ctx.get("retransmit"))), ("text", js(ctx.raw.get("text")))]  # fmt: skip


def _p14(ctx: Ctx) -> Pairs:
    return [("text", js(ctx.raw.get("text")))]


def _p15(ctx: Ctx) -> Pairs:
    keys = (
        "mmsi1",
        "type1_1",
        "offset1_1",
        "type1_2",
        "offset1_2",
        "mmsi2",
        "type2_1",
        "offset2_1",
    )
    return [(k, _i(ctx.get(k))) for k in keys]


def _p16(ctx: Ctx) -> Pairs:
    keys = ["mmsi1", "offset1", "increment1", "mmsi2", "offset2", "increment2"]
    if ctx.n < 144:
        return [(k, "0" if k.endswith("2") else _i(ctx.get(k))) for k in keys]
    return [(k, _i(ctx.get(k))) for k in keys]


def _p17(ctx: Ctx) -> Pairs:
    return [("lon", _ll(ctx, "lon", 600.0, "%.1f")), ("lat", _ll(ctx, "lat", 600.0, "%.1f")),
            ("data", js(ctx.hexdata(80, ctx.n - 80, False)))]  # fmt: skip


def _p18(ctx: Ctx) -> Pairs:
    g = ctx.get
    speed = "%.1f" % (g("sog") / 10.0) if ctx.scaled else _i(g("sog"))
    return [("reserved", _i(g("reserved"))), ("speed", speed), ("accuracy", _b(g("accuracy"))),
            *_pos(ctx), ("course", _course(ctx)), ("heading", _i(g("heading"))),
            ("second", _i(g("second"))), ("regional", _i(g("regional"))), ("cs", _b(g("cs"))),
            ("display", _b(g("display"))), ("dsc", _b(g("dsc"))), ("band", _b(g("band"))),
            ("msg22", _b(g("msg22"))), ("raim", _b(g("raim"))), ("radio", _i(g("radio")))]  # fmt: skip


def _p19(ctx: Ctx) -> Pairs:
    g = ctx.get
    speed = "%.1f" % (g("sog") / 10.0) if ctx.scaled else _i(g("sog"))
    return [("reserved", _i(g("reserved"))), ("speed", speed), ("accuracy", _b(g("accuracy"))),
            *_pos(ctx), ("course", _course(ctx)), ("heading", _i(g("heading"))),
            ("second", _i(g("second"))), ("regional", _i(g("regional"))),
            ("shipname", js(ctx.raw.get("shipname"))), *_shiptype(ctx), *_dims(ctx),
            ("epfd", _i(g("epfd"))), ("epfd_text", js(_epfd(g("epfd")))), ("raim", _b(g("raim"))),
            ("dte", _i(g("dte"))), ("assigned", _b(g("assigned")))]  # fmt: skip


def _p20(ctx: Ctx) -> Pairs:
    return [(f"{k}{i}", _i(ctx.get(f"{k}{i}")))
            for i in range(1, 5) for k in ("offset", "number", "timeout", "increment")]  # fmt: skip


def _p21(ctx: Ctx) -> Pairs:
    g = ctx.get
    name = ctx.raw.get("name") or ""
    ext = ctx.raw.get("name_ext")
    if len(name) == 20 and ext:
        name += ext
    name = name.rstrip(" ")
    head = [("aid_type", _i(g("aid_type"))),
            ("aid_type_text", js(_legend(NAVAID_LEGENDS, g("aid_type"), "INVALID NAVAID TYPE"))),
            ("name", js(name))]  # fmt: skip
    acc = [("accuracy", _b(g("accuracy")))]
    where = [*_pos(ctx), *acc] if ctx.scaled else [*acc, *_pos(ctx)]
    return [*head, *where, *_dims(ctx), ("epfd", _i(g("epfd"))),
            ("epfd_text", js(_epfd(g("epfd")))), ("second", _i(g("second"))),
            ("regional", _i(g("aton_status"))), ("off_position", _b(g("off_position"))),
            ("raim", _b(g("raim"))), ("virtual_aid", _b(g("virtual_aid")))]  # fmt: skip


def _area(ctx: Ctx) -> Pairs:
    if ctx.scaled:
        return [
            (k, '"%f"' % (ctx.get(k) / 600.0)) for k in ("ne_lon", "ne_lat", "sw_lon", "sw_lat")
        ]
    return [(k, _i(ctx.get(k))) for k in ("ne_lon", "ne_lat", "sw_lon", "sw_lat")]


def _p22(ctx: Ctx) -> Pairs:
    g = ctx.get
    head = [("channel_a", _i(g("channel_a"))), ("channel_b", _i(g("channel_b"))),
            ("txrx", _i(g("txrx"))), ("power", _b(g("power")))]  # fmt: skip
    mid = [("dest1", _i(g("dest1"))), ("dest2", _i(g("dest2")))] if g("addressed") else _area(ctx)
    return [*head, *mid, ("addressed", _b(g("addressed"))), ("band_a", _b(g("band_a"))),
            ("band_b", _b(g("band_b"))), ("zonesize", _i(g("zonesize")))]  # fmt: skip


def _p23(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [*_area(ctx), ("stationtype", _i(g("station_type"))),
            ("stationtype_text",
             js(_legend(STATION_TYPE_LEGENDS, g("station_type"), "INVALID STATION TYPE"))),
            *_shiptype(ctx), ("interval", _i(g("interval"))), ("quiet", _i(g("quiet")))]  # fmt: skip


def _p24(ctx: Ctx) -> Pairs:
    g = ctx.get
    vendor = clean_text(bits_to_text(ctx.ubits(48, 42), 7))  # gpsd keeps the old 7-character id
    pairs = [("shipname", js(ctx.raw.get("shipname"))), *_shiptype(ctx),
             ("vendorid", js(vendor)), ("model", _i(g("model"))), ("serial", _i(g("serial"))),
             ("callsign", js(ctx.raw.get("callsign")))]  # fmt: skip
    if "mothership_mmsi" in ctx.raw:
        pairs.append(("mothership_mmsi", _i(g("mothership_mmsi"))))
    else:
        pairs += _dims(ctx)
    return pairs


def _binary_slot(ctx: Ctx, radio: bool) -> Pairs:
    addressed, structured = ctx.ubits(38, 1), ctx.ubits(39, 1)
    start = 40 + 30 * addressed + 16 * structured
    count = ctx.n - start - (20 if radio else 0)
    pairs = [("addressed", _b(addressed)), ("structured", _b(structured)),
             ("dest_mmsi", _i(ctx.get("dest_mmsi"))), ("app_id", _i(ctx.get("app_id"))),
             ("data", js(ctx.hexdata(start, max(count, 0), False)))]  # fmt: skip
    if radio:
        pairs.append(("radio", _i(ctx.get("radio"))))
    return pairs


def _p27(ctx: Ctx) -> Pairs:
    g = ctx.get
    status = [("status", _i(g("nav_status")))]
    if ctx.scaled:
        status.append(("status_text", js(NAV_LEGENDS[g("nav_status")])))
    return [*status, ("accuracy", _b(g("accuracy"))), ("lon", _ll(ctx, "lon", 600.0, "%.4f")),
            ("lat", _ll(ctx, "lat", 600.0, "%.4f")), ("speed", _i(g("sog"))),
            ("course", _i(g("cog"))), ("raim", _b(g("raim"))), ("gnss", _b(g("gnss")))]  # fmt: skip


# Binary applications ------------------------------------------------------------------------
def _sc(ctx: Ctx, name: str, div: float, fmt: str, add: float = 0.0) -> str:
    value = ctx.get(name)
    return fmt % ((value + add) / div) if ctx.scaled else _i(value)


def _gla(ctx: Ctx) -> Pairs:
    g = ctx.get
    pairs = [("off_pos", _b(g("off_pos"))), ("alarm", _b(g("alarm"))),
             ("stat_ext", _i(g("stat_ext")))]  # fmt: skip
    for name in ("ana_int", "ana_ext1", "ana_ext2"):
        value = g(name)
        pairs.append((name, "%.2f" % (value * 0.05) if ctx.scaled and value else _i(value)))
    pairs += [("racon", _i(g("racon"))), ("racon_text", js(RACON_LEGENDS[g("racon")])),
              ("light", _i(g("light"))), ("light_text", js(LIGHT_LEGENDS[g("light")]))]  # fmt: skip
    return pairs


def _date(*values: int) -> str:
    return "%02u-%02uT%02u:%02uZ" % values


def _d1f12(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [("lastport", js(ctx.raw.get("lastport"))),
            ("departure", js(_date(g("lmonth"), g("lday"), g("lhour"), g("lminute")))),
            ("nextport", js(ctx.raw.get("nextport"))),
            ("eta", js(_date(g("nmonth"), g("nday"), g("nhour"), g("nminute")))),
            ("dangerous", js(ctx.raw.get("dangerous"))), ("imdcat", js(ctx.raw.get("imdcat"))),
            ("unid", _i(g("unid"))), ("amount", _i(g("amount"))), ("unit", _i(g("unit")))]  # fmt: skip


def _tidals(ctx: Ctx, base: int, size: int, layout: tuple) -> Pairs:
    """Tidal windows the way gpsd counts them (an element may start at the very last bit)."""
    g = ctx.get
    items = []
    u = 0
    while base + size * u <= ctx.n:
        a = base + size * u
        values = {}
        off = a
        for name, width, signed in layout:
            values[name] = ctx.sbits(off, width) if signed else ctx.ubits(off, width)
            off += width
        if ctx.scaled:
            pos = '{{"lon":{:.6f},"lat":{:.6f}'.format(
                values["lon"] / 60000.0, values["lat"] / 60000.0
            )
            speed = "%.1f" % (values["cspeed"] / 10.0)
        else:
            pos = '{"lon":%d,"lat":%d' % (values["lon"], values["lat"])
            speed = str(values["cspeed"])
        items.append(
            pos
            + ',"from_hour":%u,"from_min":%u,"to_hour":%u,"to_min":%u,"cdir":%u,"cspeed":%s}'
            % (
                values["from_hour"],
                values["from_min"],
                values["to_hour"],
                values["to_min"],
                values["cdir"],
                speed,
            )
        )
        u += 1
    return [
        ("month", _i(g("month"))),
        ("day", _i(g("day"))),
        ("tidals", "[" + ",".join(items) + "]"),
    ]


_TIDAL_236 = (("lat", 27, True), ("lon", 28, True), ("from_hour", 5, False), ("from_min", 6, False),
              ("to_hour", 5, False), ("to_min", 6, False), ("cdir", 9, False), ("cspeed", 7, False))  # fmt: skip
_TIDAL_289 = (("lon", 25, True), ("lat", 24, True), ("from_hour", 5, False), ("from_min", 6, False),
              ("to_hour", 5, False), ("to_min", 6, False), ("cdir", 9, False), ("cspeed", 8, False))  # fmt: skip


def _d1f14(ctx: Ctx) -> Pairs:
    return _tidals(ctx, 97, 93, _TIDAL_236)


def _d1f32(ctx: Ctx) -> Pairs:
    return _tidals(ctx, 97, 88, _TIDAL_289)


def _d1f18(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [("linkage", _i(g("linkage"))),
            ("arrival", js(_date(g("month"), g("day"), g("hour"), g("minute")))),
            ("portname", js(ctx.raw.get("portname"))), ("destination", js(ctx.raw.get("destination"))),
            ("lon", _sc(ctx, "lon", 60000.0, "%.6f")), ("lat", _sc(ctx, "lat", 60000.0, "%.6f"))]  # fmt: skip


def _d1f20(ctx: Ctx) -> Pairs:
    g = ctx.get
    from giamsat.maritime.ais.asm import _SERVICES

    pairs = [("linkage", _i(g("linkage"))), ("berth_length", _i(g("berth_length"))),
             ("position", _i(g("position"))),
             ("position_text", js(POSITION_TYPES[g("position")])),
             ("arrival", js("%u-%uT%u:%u" % (g("month"), g("day"), g("hour"), g("minute")))),
             ("availability", _i(g("availability")))]  # fmt: skip
    pairs += [(name, _i(g(name))) for name in _SERVICES]
    pairs += [("berth_name", js(ctx.raw.get("berth_name"))),
              ("berth_lon", _sc(ctx, "berth_lon", 60000.0, "%.4f")),
              ("berth_lat", _sc(ctx, "berth_lat", 60000.0, "%.4f")),
              ("berth_depth", _sc(ctx, "berth_depth", 10.0, "%.1f"))]  # fmt: skip
    return pairs


def _d1f25(ctx: Ctx) -> Pairs:
    g = ctx.get
    cargos = []
    u = 0
    while 100 + u * 17 < ctx.n:
        cargos.append('{"code":%u,"subtype":%u}' % (ctx.ubits(100 + u * 17, 4),
                                                     ctx.ubits(104 + u * 17, 13)))  # fmt: skip
        u += 1
    return [
        ("unit", _i(g("unit"))),
        ("amount", _i(g("amount"))),
        ("cargos", "[" + ",".join(cargos) + "]"),
    ]


def _route(ctx: Ctx, base: int) -> Pairs:
    g = ctx.get
    points = []
    for i in range(g("waycount")):
        a = base + 55 * i
        lon, lat = ctx.sbits(a, 28), ctx.sbits(a + 28, 27)
        if ctx.scaled:
            points.append('{"lon":%.6f,"lat":%.6f}' % (lon / 600000.0, lat / 600000.0))
        else:
            points.append('{"lon":%d,"lat":%d}' % (lon, lat))
    rtype = g("rtype")
    return [("linkage", _i(g("linkage"))), ("sender", _i(g("sender"))), ("rtype", _i(rtype)),
            ("rtype_text", js(ROUTE_TYPES[rtype])),
            ("start", js(_date(g("month"), g("day"), g("hour"), g("minute")))),
            ("duration", _i(g("duration"))), ("waypoints", "[" + ",".join(points) + "]")]  # fmt: skip


def _text_linkage(ctx: Ctx) -> Pairs:
    return [("linkage", _i(ctx.get("linkage"))), ("text", js(ctx.raw.get("text")))]


def _d200f21(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [*[(k, js(ctx.raw.get(k))) for k in ("country", "locode", "section", "terminal", "hectometre")],
            ("eta", js("%u-%uT%u:%u" % (g("month"), g("day"), g("hour"), g("minute")))),
            ("tugs", _i(g("tugs"))), ("airdraught", _i(g("airdraught")))]  # fmt: skip


def _d200f22(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [*[(k, js(ctx.raw.get(k))) for k in ("country", "locode", "section", "terminal", "hectometre")],
            ("eta", js("%u-%uT%u:%u" % (g("month"), g("day"), g("hour"), g("minute")))),
            ("status", _i(g("status"))), ("status_text", js(RTA_STATUS[g("status")]))]  # fmt: skip


def _d200f55(ctx: Ctx) -> Pairs:
    return [(k, _i(ctx.get(k))) for k in ("crew", "passengers", "personnel")]


def _met_common(ctx: Ctx, fid31: bool) -> Pairs:
    g = ctx.get
    if fid31:
        head = [("lat", _sc(ctx, "lat", 60000.0, "%.6f")), ("lon", _sc(ctx, "lon", 60000.0, "%.6f")),
                ("accuracy", _b(g("accuracy")))]  # fmt: skip
    else:
        head = [
            ("lat", _sc(ctx, "lat", 60000.0, "%.6f")),
            ("lon", _sc(ctx, "lon", 60000.0, "%.6f")),
        ]
    head += [("timestamp", js("%02uT%02u:%02uZ" % (g("day"), g("hour"), g("minute")))),
             *[(k, _i(g(k))) for k in ("wspeed", "wgust", "wdir", "wgustdir", "humidity")]]  # fmt: skip
    s = ctx.scaled
    if fid31:
        temp = [("airtemp", "%.1f" % (g("airtemp") / 10.0) if s else str(g("airtemp"))),
                ("dewpoint", "%.1f" % (g("dewpoint") / 10.0) if s else str(g("dewpoint"))),
                ("pressure", _i(g("pressure") + 799 if s else g("pressure"))),
                ("pressuretend", js(TRENDS[g("pressuretend")]) if s else _i(g("pressuretend"))),
                ("visgreater", _b(g("visgreater"))),
                ("visibility", "%.1f" % (g("visibility") / 10.0) if s else _i(g("visibility"))),
                ("waterlevel", "%.1f" % ((g("waterlevel") - 1000) / 100.0) if s else _i(g("waterlevel")))]  # fmt: skip
    else:
        temp = [("airtemp", "%.1f" % ((g("airtemp") - 600) / 10.0) if s else _i(g("airtemp"))),
                ("dewpoint", "%.1f" % ((g("dewpoint") - 200) / 10.0) if s else _i(g("dewpoint"))),
                ("pressure", _i(g("pressure") + 800 if s else g("pressure"))),
                ("pressuretend", js(TRENDS[g("pressuretend")]) if s else _i(g("pressuretend"))),
                ("visibility", "%.1f" % (g("visibility") / 10.0) if s else _i(g("visibility"))),
                ("waterlevel", "%.1f" % ((g("waterlevel") - 100) / 10.0) if s else _i(g("waterlevel")))]  # fmt: skip

    def tenth(name: str) -> str:
        return "%.1f" % (g(name) / 10.0) if s else _i(g(name))

    sea = [("leveltrend", js(TRENDS[g("leveltrend")]) if s else _i(g("leveltrend"))),
           ("cspeed", tenth("cspeed")), ("cdir", _i(g("cdir"))),
           ("cspeed2", tenth("cspeed2")), ("cdir2", _i(g("cdir2"))), ("cdepth2", _i(g("cdepth2"))),
           ("cspeed3", tenth("cspeed3")), ("cdir3", _i(g("cdir3"))), ("cdepth3", _i(g("cdepth3"))),
           ("waveheight", tenth("waveheight")), ("waveperiod", _i(g("waveperiod"))),
           ("wavedir", _i(g("wavedir"))), ("swellheight", tenth("swellheight")),
           ("swellperiod", _i(g("swellperiod"))), ("swelldir", _i(g("swelldir"))),
           ("seastate", _i(g("seastate")))]  # fmt: skip
    if fid31:
        water = "%.1f" % (g("watertemp") / 10.0) if s else str(g("watertemp"))
        if s:
            tail = [("watertemp", water), ("preciptype", js(PRECIP[g("preciptype")])),
                    ("salinity", "%.1f" % (g("salinity") / 10.0)), ("ice", js(ICE[g("ice")]))]  # fmt: skip
        else:
            tail = [("watertemp", water), ("preciptype", _i(g("preciptype"))),
                    ("salinity", _i(g("salinity"))), ("ice", _i(g("ice")))]  # fmt: skip
    else:
        water = "%.1f" % ((g("watertemp") - 100) / 10.0) if s else _i(g("watertemp"))
        tail = [("watertemp", water), ("preciptype", _i(g("preciptype"))),
                ("preciptype_text", js(PRECIP[g("preciptype")])),
                ("salinity", tenth("salinity")), ("ice", _i(g("ice"))),
                ("ice_text", js(ICE[g("ice")]))]  # fmt: skip
    return [*head, *temp, *sea, *tail]


def _d1f11(ctx: Ctx) -> Pairs:
    return _met_common(ctx, False)


def _d1f31(ctx: Ctx) -> Pairs:
    return _met_common(ctx, True)


def _d1f13(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [("reason", js(ctx.raw.get("reason"))), ("closefrom", js(ctx.raw.get("closefrom"))),
            ("closeto", js(ctx.raw.get("closeto"))), ("radius", _i(g("radius"))),
            ("extunit", _i(g("extunit"))),
            ("from", js("%02u-%02uT%02u:%02u" % (g("fmonth"), g("fday"), g("fhour"), g("fminute")))),
            ("to", js("%02u-%02uT%02u:%02u" % (g("tmonth"), g("tday"), g("thour"), g("tminute"))))]  # fmt: skip


def _airdraught(ctx: Ctx) -> Pairs:
    return [("airdraught", _i(ctx.get("airdraught")))]


def _persons(ctx: Ctx) -> Pairs:
    return [("persons", _i(ctx.get("persons")))]


def _d1f17(ctx: Ctx) -> Pairs:
    targets = []
    for t in ctx.raw.get("targets") or []:
        idtype = t.get("idtype") or 0
        ident = t.get("id") or 0
        shown = str(ident) if idtype in (0, 1) else clean_text(bits_to_text(ident, 7))
        if ctx.scaled:
            pos = ',"lat":{:.4f},"lon":{:.4f}'.format(
                (t.get("lat") or 0) / 60000.0,
                (t.get("lon") or 0) / 60000.0,
            )
        else:
            pos = ',"lat":%d,"lon":%d' % (t.get("lat") or 0, t.get("lon") or 0)
        targets.append(
            '{"idtype":%u,"idtype_text":%s,"%s":%s%s,"course":%u,"second":%u,"speed":%u}'
            % (
                idtype,
                js(ID_TYPES[idtype]),
                ID_TYPES[idtype],
                js(shown),
                pos,
                t.get("course") or 0,
                t.get("second") or 0,
                t.get("speed") or 0,
            )
        )
    return [("targets", "[" + ",".join(targets) + "]")]


def _d1f19(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [("linkage", _i(g("linkage"))), ("station", js(ctx.raw.get("station"))),
            ("lon", "%.4f" % (g("lon") / 60000.0)), ("lat", "%.4f" % (g("lat") / 60000.0)),
            ("status", _i(g("status"))), ("signal", _i(g("signal"))),
            ("signal_text", js(_signal(g("signal")))), ("hour", _i(g("hour"))),
            ("minute", _i(g("minute"))), ("nextsignal", _i(g("nextsignal"))),
            ("nextsignal_text", js(_signal(g("nextsignal"))))]  # fmt: skip


_SIGNALS = (
    "N/A", "Serious emergency - stop or divert according to instructions.",
    "Vessels shall not proceed.", "Vessels may proceed. One way traffic.",
    "Vessels may proceed. Two way traffic.", "Vessels shall proceed on specific orders only.",
    "Vessels in main channel shall not proceed.",
    "Vessels in main channel shall proceed on specific orders only.",
    "Vessels in main channel shall proceed on specific orders only.",
    'I = "in-bound" only acceptable.', 'O = "out-bound" only acceptable.',
    'F = both "in- and out-bound" acceptable.', 'XI = Code will shift to "I" in due time.',
    'XO = Code will shift to "O" in due time.', "X = Vessels shall proceed only on direction.",
)  # fmt: skip


def _signal(n: int) -> str:
    return _SIGNALS[n] if n < len(_SIGNALS) else "INVALID SIGNAL TYPE"


def _d200f10(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [("vin", js(ctx.raw.get("vin"))), ("length", _i(g("length"))), ("beam", _i(g("beam"))),
            ("shiptype", _i(g("shiptype"))), ("shiptype_text", js(_inland_ship(g("shiptype")))),
            ("hazard", _i(g("hazard"))),
            ("hazard_text", js(_legend(HAZARD_TYPES, g("hazard"), "INVALID HAZARD TYPE"))),
            ("draught", _i(g("draught"))), ("loaded", _i(g("loaded"))),
            ("loaded_text", js(_legend(LOADED_TYPES, g("loaded"), "INVALID LOAD STATUS"))),
            ("speed_q", _b(g("speed_q"))), ("course_q", _b(g("course_q"))),
            ("heading_q", _b(g("heading_q")))]  # fmt: skip


def _d200f23(ctx: Ctx) -> Pairs:
    g = ctx.get
    pairs = [("start", js("%4u-%02u-%02uT%02u:%02u" % (g("start_year") + 2000, g("start_month"),
                                                       g("start_hour"), g("start_minute"), g("start_day")))),
             ("end", js("%4u-%02u-%02uT%02u:%02u" % (g("end_year") + 2000, g("end_month"), g("end_day"),
                                                     g("end_hour"), g("end_minute"))))]  # fmt: skip
    for name in ("start_lon", "start_lat", "end_lon", "end_lat"):
        pairs.append((name, _sc(ctx, name, 600000.0, "%.6f")))
    pairs += [("type", _i(g("emma_type"))),
              ("type_text", js(_legend(EMMA_TYPES, g("emma_type"), "INVALID EMMA TYPE"))),
              ("min", str(g("min"))), ("max", str(g("max"))), ("class", _i(g("intensity"))),
              ("class_text", js(_legend(EMMA_CLASSES, g("intensity"), "INVALID EMMA TYPE"))),
              ("wind", _i(g("wind"))),
              ("wind_text", js(_legend(EMMA_WINDS, g("wind"), "INVALID EMMA WIND DIRECTION")))]  # fmt: skip
    return pairs


def _d200f24(ctx: Ctx) -> Pairs:
    gauges = ['{"id":%u,"level":%d}' % (g.get("id") or 0, g.get("level") or 0)
              for g in ctx.raw.get("gauges") or []]  # fmt: skip
    return [("country", js(ctx.raw.get("country"))), ("gauges", "[" + ",".join(gauges) + "]")]


def _d200f40(ctx: Ctx) -> Pairs:
    g = ctx.get
    return [("lon", _sc(ctx, "lon", 600000.0, "%.6f")), ("lat", _sc(ctx, "lat", 600000.0, "%.6f")),
            ("form", _i(g("form"))), ("facing", _i(g("facing"))), ("direction", _i(g("direction"))),
            ("direction_text", js(_legend(DIRECTIONS, g("direction"), "INVALID DIRECTION"))),
            ("status", _i(g("status"))),
            ("status_text", js(_legend(SIGNAL_STATUS, g("status"), "INVALID STATUS")))]  # fmt: skip


def _generic_app(ctx: Ctx) -> Pairs:
    """Applications gpsd does not know: our raw fields, in layout order, gpsd style."""
    pairs: Pairs = []
    header = 10 if ctx.layout.key.startswith("6/") else 5  # fields before the payload
    named = [f for f in ctx.layout.fields if f.kind != "-"]
    for f in named[header:]:
        value = ctx.raw.get(f.name)
        if f.kind == "b":
            pairs.append((f.gpsd_name or f.name, _b(value)))
        elif f.kind == "t":
            pairs.append((f.gpsd_name or f.name, js(value)))
        else:
            pairs.append((f.gpsd_name or f.name, _i(value)))
    return pairs


APPLICATION_PRINTERS: dict[str, Printer] = {
    "gla_aton_monitor": _gla,
    "imo236_dangerous_cargo": _d1f12,
    "imo236_tidal_window": _d1f14,
    "imo289_tidal_window": _d1f32,
    "imo236_extended_static": _airdraught,
    "persons_on_board": _persons,
    "imo289_clearance": _d1f18,
    "imo289_berthing": _d1f20,
    "imo289_dangerous_cargo": _d1f25,
    "imo289_route_addressed": lambda ctx: _route(ctx, 149),
    "imo289_route_broadcast": lambda ctx: _route(ctx, 117),
    "imo289_text_addressed": _text_linkage,
    "imo289_text_broadcast": _text_linkage,
    "inland_eta": _d200f21,
    "inland_rta": _d200f22,
    "inland_persons": _d200f55,
    "imo236_met_hydro": _d1f11,
    "imo289_met_hydro": _d1f31,
    "imo236_fairway_closed": _d1f13,
    "imo289_vts_targets": _d1f17,
    "imo289_traffic_signal": _d1f19,
    "inland_static": _d200f10,
    "inland_emma_warning": _d200f23,
    "inland_water_levels": _d200f24,
    "inland_signal_status": _d200f40,
}


def _p6(ctx: Ctx, registry: AsmRegistry) -> Pairs:
    g = ctx.get
    pairs = [("seqno", _i(g("seqno"))), ("dest_mmsi", _i(g("dest_mmsi"))),
             ("retransmit", _b(g("retransmit"))), ("dac", _i(g("dac"))), ("fid", _i(g("fi")))]  # fmt: skip
    return pairs + _payload(ctx, registry, 6, 88)


def _p8(ctx: Ctx, registry: AsmRegistry) -> Pairs:
    pairs = [("dac", _i(ctx.get("dac"))), ("fid", _i(ctx.get("fi")))]
    return pairs + _payload(ctx, registry, 8, 56)


def _payload(ctx: Ctx, registry: AsmRegistry, msg_type: int, head: int) -> Pairs:
    if "data" in ctx.raw:  # not a known (or not a well-sized) application
        return [("data", js(ctx.hexdata(head, ctx.n - head, msg_type == 8)))]
    name = registry.application(msg_type, ctx.get("dac"), ctx.get("fi"))
    printer = APPLICATION_PRINTERS.get(name or "", _generic_app)
    return printer(ctx)


_PRINTERS: dict[int, Printer] = {
    1: _p1, 2: _p1, 3: _p1, 4: _p4, 5: _p5, 7: _p7, 9: _p9, 10: _p10, 11: _p4, 12: _p12,
    13: _p7, 14: _p14, 15: _p15, 16: _p16, 17: _p17, 18: _p18, 19: _p19, 20: _p20, 21: _p21,
    22: _p22, 23: _p23, 24: _p24, 25: lambda c: _binary_slot(c, False),
    26: lambda c: _binary_slot(c, True), 27: _p27,
}  # fmt: skip


class GpsdWriter:
    """Turns assembled messages into gpsd JSON lines (``scaled`` like ``gpsdecode -j``)."""

    def __init__(
        self, scaled: bool, registry: AsmRegistry | None = None, device: str = "stdin"
    ) -> None:
        self.scaled = scaled
        self.registry = registry or DEFAULT_REGISTRY
        self.device = device
        self.unpaired_24 = 0
        # gpsd keeps a small queue of part A names per channel and pairs a part B by MMSI.
        self._type24: dict[str, list[tuple[int, str]]] = {}

    def line(self, v: int, n: int, channel: str = "A") -> str | None:
        """One JSON object, or None for a message 24 part waiting for (or missing) its mate."""
        layout = select(v, n, self.registry)
        raw = decoder(layout, scaled=False)(v, n)
        msg_type = raw["type"]
        if msg_type == 24:
            raw = self._pair24(raw, channel or "A")
            if raw is None:
                return None
        ctx = Ctx(raw, v, n, layout, self.scaled)
        if msg_type == 6:
            pairs = _p6(ctx, self.registry)
        elif msg_type == 8:
            pairs = _p8(ctx, self.registry)
        else:
            pairs = _PRINTERS[msg_type](ctx)
        head = '{"class":"AIS",'
        if self.device:
            head += f'"device":"{self.device}",'
        head += '"type":%d,"repeat":%d,"mmsi":%d,"scaled":%s' % (
            msg_type, raw["repeat"], raw["mmsi"], _b(self.scaled))  # fmt: skip
        return head + "".join(f',"{k}":{v}' for k, v in pairs) + "}"

    def _pair24(self, raw: dict[str, Any], channel: str) -> dict[str, Any] | None:
        queue = self._type24.setdefault("B" if channel in ("B", "2") else "A", [])
        if raw.get("part_num") == 0:
            queue.append((raw["mmsi"], raw.get("shipname") or ""))
            del queue[:-8]
            self.unpaired_24 += 1
            return None
        for i, (mmsi, name) in enumerate(queue):
            if mmsi == raw["mmsi"]:
                del queue[i]
                self.unpaired_24 -= 1
                return {**raw, "shipname": name}
        self.unpaired_24 += 1
        return None
