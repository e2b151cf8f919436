"""Layout tables for AIS messages 1-27 (ITU-R M.1371-5; bit positions as in gpsd's AIVDM.adoc).

Our output names follow gpsd's JSON-AIS members except where we scale a value into another
unit (``speed`` -> ``sog`` in knots, ``course`` -> ``cog`` in degrees, ``status`` ->
``nav_status``, ``turn`` -> ``rot`` in degrees per minute); the ``gpsd=`` argument keeps the
gpsd name for the gpsd writers.
"""

from __future__ import annotations

import math
from typing import Any

from giamsat.maritime.ais.layout import B, I, Layout, S, T, U, X, layout


def rot_from_raw(raw: int) -> float | None:
    """ROT_AIS -> degrees per minute, sign kept; -128 = not available.

    +-127 ("turning faster than 5 deg per 30 s, no turn indicator") scale to +-720.0.
    """
    if raw == -128:
        return None
    if raw in (127, -127):
        return math.copysign(720.0, raw)
    return round(math.copysign((raw / 4.733) ** 2, raw), 2)


def rot_to_raw(value: float) -> int:
    if abs(value) >= 720.0:
        return 127 if value > 0 else -127
    raw = round(4.733 * math.sqrt(abs(value)))
    return int(math.copysign(min(raw, 126), value))


# Shared fields -------------------------------------------------------------------------
def _header() -> list:
    return [U("type", 6), U("repeat", 2), U("mmsi", 30)]


def LON28():
    return I("lon", 28, div=600000, na=(108600000,), unit="deg")


def LAT27():
    return I("lat", 27, div=600000, na=(54600000,), unit="deg")


def SOG10():
    return U("sog", 10, div=10, na=(1023,), unit="kn", gpsd="speed")


def COG12():
    return U("cog", 12, div=10, na=(3600,), unit="deg", gpsd="course")


def HEADING():
    return U("heading", 9, na=(511,), unit="deg")


def DIMENSIONS() -> list:
    return [U("to_bow", 9, unit="m"), U("to_stern", 9, unit="m"), U("to_port", 6, unit="m"),
            U("to_starboard", 6, unit="m")]  # fmt: skip


# Post hooks (derived values in our scaled output) ------------------------------------------
def _post_21(msg: dict[str, Any]) -> None:
    """Join the name extension, decode the IALA A-126 page 7 status byte, check off_position."""
    name = msg.get("name") or ""
    ext = msg.get("name_ext")
    if len(name) == 20 and ext:
        name += ext
    msg["name"] = name.rstrip(" ")
    msg["name_ext"] = ext or None
    status = msg.get("aton_status")
    if status is not None and status >> 5 == 7:
        msg["racon"] = (status >> 3) & 3
        msg["light"] = (status >> 1) & 3
        msg["alarm"] = bool(status & 1)
    else:
        msg["racon"] = msg["light"] = msg["alarm"] = None
    second = msg.get("second")
    if second is None or second > 59:
        msg["off_position"] = None


def _post_app_id(msg: dict[str, Any]) -> None:
    app_id = msg.get("app_id")
    if app_id is not None:
        msg["dac"] = app_id >> 6
        msg["fi"] = app_id & 63


# Message tables --------------------------------------------------------------------------
def _position_a(key: str) -> Layout:
    return layout(
        key,
        "Position report (Class A)",
        [*_header(), U("nav_status", 4, gpsd="status"),
         I("rot", 8, na=(-128,), conv=rot_from_raw, unconv=rot_to_raw, unit="deg/min", gpsd="turn"),
         SOG10(), B("accuracy"), LON28(), LAT27(), COG12(), HEADING(), U("second", 6),
         U("maneuver", 2), S(3), B("raim"), U("radio", 19)],
        min_bits=149,
        max_bits=204,
    )  # fmt: skip


def _base_station(key: str, title: str) -> Layout:
    return layout(
        key,
        title,
        [*_header(), U("year", 14, na=(0,)), U("month", 4, na=(0,)), U("day", 5, na=(0,)),
         U("hour", 5, na=(24,)), U("minute", 6, na=(60,)), U("second", 6, na=(60,)),
         B("accuracy"), LON28(), LAT27(), U("epfd", 4), S(10), B("raim"), U("radio", 19)],
        min_bits=168,
    )  # fmt: skip


def _ack(key: str, title: str) -> Layout:
    return layout(
        key,
        title,
        [*_header(), S(2),
         U("mmsi1", 30), U("seqno1", 2, gpsd=None), U("mmsi2", 30), U("seqno2", 2, gpsd=None),
         U("mmsi3", 30), U("seqno3", 2, gpsd=None), U("mmsi4", 30), U("seqno4", 2, gpsd=None)],
        min_bits=72,
        max_bits=168,
    )  # fmt: skip


MSG5 = layout(
    "5",
    "Static and voyage related data",
    [*_header(), U("ais_version", 2), U("imo", 30), T("callsign", 7), T("shipname", 20),
     U("shiptype", 8), *DIMENSIONS(), U("epfd", 4),
     U("eta_month", 4, na=(0,), gpsd=None), U("eta_day", 5, na=(0,), gpsd=None),
     U("eta_hour", 5, na=(24,), gpsd=None), U("eta_minute", 6, na=(60,), gpsd=None),
     U("draught", 8, div=10, na=(0,), unit="m"), T("destination", 20), U("dte", 1), S(1)],
    min_bits=420,
)  # fmt: skip

MSG6 = layout(
    "6",
    "Addressed binary message",
    [*_header(), U("seqno", 2), U("dest_mmsi", 30), B("retransmit"), S(1), U("dac", 10),
     U("fi", 6, gpsd="fid")],
    min_bits=88,
    tail=X("data"),
)  # fmt: skip

MSG8 = layout(
    "8",
    "Binary broadcast message",
    [*_header(), S(2), U("dac", 10), U("fi", 6, gpsd="fid")],
    min_bits=56,
    tail=X("data"),
)  # fmt: skip

MSG9 = layout(
    "9",
    "SAR aircraft position report",
    [*_header(), U("alt", 12, na=(4095,), unit="m"),
     U("sog", 10, na=(1023,), unit="kn", gpsd="speed"), B("accuracy"), LON28(), LAT27(),
     COG12(), U("second", 6), U("regional", 8), U("dte", 1), S(3), B("assigned", gpsd=None),
     B("raim"), U("radio", 20)],
    min_bits=168,
)  # fmt: skip

MSG10 = layout(
    "10",
    "UTC and date inquiry",
    [*_header(), S(2), U("dest_mmsi", 30), S(2)],
    min_bits=70,
)

MSG12 = layout(
    "12",
    "Addressed safety related message",
    [*_header(), U("seqno", 2), U("dest_mmsi", 30), B("retransmit"), S(1)],
    min_bits=72,
    tail=T("text", 0),
)  # fmt: skip

MSG14 = layout(
    "14",
    "Safety related broadcast message",
    [*_header(), S(2)],
    min_bits=40,
    tail=T("text", 0),
)

MSG15 = layout(
    "15",
    "Interrogation",
    [*_header(), S(2), U("mmsi1", 30), U("type1_1", 6), U("offset1_1", 12), S(2),
     U("type1_2", 6), U("offset1_2", 12), S(2), U("mmsi2", 30), U("type2_1", 6),
     U("offset2_1", 12), S(2)],
    min_bits=88,
    max_bits=168,
)  # fmt: skip

MSG16 = layout(
    "16",
    "Assignment mode command",
    [*_header(), S(2), U("mmsi1", 30), U("offset1", 12), U("increment1", 10),
     U("mmsi2", 30), U("offset2", 12), U("increment2", 10), S(4)],
    min_bits=92,
    max_bits=168,
)  # fmt: skip

MSG17 = layout(
    "17",
    "DGNSS broadcast binary message",
    [*_header(), S(2), I("lon", 18, div=600, na=(108600,), unit="deg"),
     I("lat", 17, div=600, na=(54600,), unit="deg"), S(5)],
    min_bits=80,
    max_bits=816,
    tail=X("data"),
)  # fmt: skip

MSG18 = layout(
    "18",
    "Standard Class B position report",
    [*_header(), U("reserved", 8), SOG10(), B("accuracy"), LON28(), LAT27(), COG12(),
     HEADING(), U("second", 6), U("regional", 2), B("cs"), B("display"), B("dsc"), B("band"),
     B("msg22"), B("assigned", gpsd=None), B("raim"), U("radio", 20)],
    min_bits=168,
)  # fmt: skip

MSG19 = layout(
    "19",
    "Extended Class B position report",
    [*_header(), U("reserved", 8), SOG10(), B("accuracy"), LON28(), LAT27(), COG12(),
     HEADING(), U("second", 6), U("regional", 4), T("shipname", 20), U("shiptype", 8),
     *DIMENSIONS(), U("epfd", 4), B("raim"), U("dte", 1), B("assigned"), S(4)],
    min_bits=312,
)  # fmt: skip


def _slot(i: int) -> list:
    return [U(f"offset{i}", 12), U(f"number{i}", 4), U(f"timeout{i}", 3), U(f"increment{i}", 11)]


MSG20 = layout(
    "20",
    "Data link management",
    [*_header(), S(2), *_slot(1), *_slot(2), *_slot(3), *_slot(4)],
    min_bits=70,
    max_bits=186,
)

MSG21 = layout(
    "21",
    "Aid-to-navigation report",
    [*_header(), U("aid_type", 5), T("name", 20, trim=False), B("accuracy"), LON28(), LAT27(),
     *DIMENSIONS(), U("epfd", 4), U("second", 6), B("off_position"),
     U("aton_status", 8, gpsd="regional"), B("raim"), B("virtual_aid"),
     B("assigned", gpsd=None), S(1)],
    min_bits=268,
    max_bits=368,
    tail=T("name_ext", 0, gpsd=None),
    post=_post_21,
)  # fmt: skip

_MSG22_COMMON = [*_header(), S(2), U("channel_a", 12), U("channel_b", 12), U("txrx", 4),
                 B("power")]  # fmt: skip
_MSG22_TAIL = [B("addressed"), B("band_a"), B("band_b"), U("zonesize", 3), S(23)]

MSG22_BROADCAST = layout(
    "22",
    "Channel management (area)",
    [*_MSG22_COMMON, I("ne_lon", 18, div=600, unit="deg"), I("ne_lat", 17, div=600, unit="deg"),
     I("sw_lon", 18, div=600, unit="deg"), I("sw_lat", 17, div=600, unit="deg"), *_MSG22_TAIL],
    min_bits=145,
)  # fmt: skip

MSG22_ADDRESSED = layout(
    "22a",
    "Channel management (addressed)",
    [*_MSG22_COMMON, U("dest1", 30), S(5), U("dest2", 30), S(5), *_MSG22_TAIL],
    min_bits=145,
)  # fmt: skip

MSG23 = layout(
    "23",
    "Group assignment command",
    [*_header(), S(2), I("ne_lon", 18, div=600, unit="deg"), I("ne_lat", 17, div=600, unit="deg"),
     I("sw_lon", 18, div=600, unit="deg"), I("sw_lat", 17, div=600, unit="deg"),
     U("station_type", 4, gpsd="stationtype"), U("shiptype", 8), S(22), U("txrx", 2, gpsd=None),
     U("interval", 4), U("quiet", 4), S(6)],
    min_bits=154,
)  # fmt: skip

MSG24A = layout(
    "24A",
    "Static data report, part A",
    [*_header(), U("part_num", 2, gpsd=None), T("shipname", 20), S(8)],
    min_bits=160,
)  # fmt: skip

MSG24B = layout(
    "24B",
    "Static data report, part B",
    [*_header(), U("part_num", 2, gpsd=None), U("shiptype", 8), T("vendorid", 3),
     U("model", 4), U("serial", 20), T("callsign", 7), *DIMENSIONS(), S(6)],
    min_bits=162,
)  # fmt: skip

MSG24B_AUX = layout(
    "24B-aux",
    "Static data report, part B (auxiliary craft)",
    [*_header(), U("part_num", 2, gpsd=None), U("shiptype", 8), T("vendorid", 3),
     U("model", 4), U("serial", 20), T("callsign", 7), U("mothership_mmsi", 30), S(6)],
    min_bits=162,
)  # fmt: skip


def _binary_slot(key: str, title: str, addressed: bool, structured: bool, radio: bool) -> Layout:
    fields = [*_header(), B("addressed"), B("structured")]
    if addressed:
        fields.append(U("dest_mmsi", 30))
    if structured:
        fields.append(U("app_id", 16))
    trailer = (U("radio", 20),) if radio else ()
    return layout(
        key,
        title,
        fields,
        min_bits=sum(f.width for f in fields) + (20 if radio else 0),
        max_bits=1064 if radio else 168,
        tail=X("data"),
        trailer=trailer,
        post=_post_app_id,
    )


MSG25 = {
    (a, s): _binary_slot(f"25{'a' if a else ''}{'s' if s else ''}", "Single slot binary message",
                         a, s, False)
    for a in (False, True) for s in (False, True)
}  # fmt: skip
MSG26 = {
    (a, s): _binary_slot(f"26{'a' if a else ''}{'s' if s else ''}",
                         "Multiple slot binary message with communications state", a, s, True)
    for a in (False, True) for s in (False, True)
}  # fmt: skip

MSG27 = layout(
    "27",
    "Long range AIS broadcast",
    [*_header(), B("accuracy"), B("raim"), U("nav_status", 4, gpsd="status"),
     I("lon", 18, div=600, na=(108600,), unit="deg"), I("lat", 17, div=600, na=(54600,), unit="deg"),
     U("sog", 6, na=(63,), unit="kn", gpsd="speed"), U("cog", 9, na=(511,), unit="deg", gpsd="course"),
     B("gnss"), S(1)],
    min_bits=95,
    max_bits=168,
)  # fmt: skip

MSG1, MSG2, MSG3 = (_position_a("1"), _position_a("2"), _position_a("3"))
MSG4 = _base_station("4", "Base station report")
MSG11 = _base_station("11", "UTC and date response")
MSG7 = _ack("7", "Binary acknowledge")
MSG13 = _ack("13", "Safety related acknowledge")

#: Layouts that do not depend on anything but the message type.
SIMPLE: dict[int, Layout] = {
    1: MSG1, 2: MSG2, 3: MSG3, 4: MSG4, 5: MSG5, 7: MSG7, 9: MSG9, 10: MSG10, 11: MSG11,
    12: MSG12, 13: MSG13, 14: MSG14, 15: MSG15, 16: MSG16, 17: MSG17, 18: MSG18, 19: MSG19,
    20: MSG20, 21: MSG21, 23: MSG23, 27: MSG27,
}  # fmt: skip

#: Every base layout (binary application messages live in ``asm``).
ALL: tuple[Layout, ...] = (
    *SIMPLE.values(), MSG6, MSG8, MSG22_BROADCAST, MSG22_ADDRESSED, MSG24A, MSG24B, MSG24B_AUX,
    *MSG25.values(), *MSG26.values(),
)  # fmt: skip

TITLES = {int(k): v.title for k, v in ((str(t), lay) for t, lay in SIMPLE.items())}
TITLES.update({6: MSG6.title, 8: MSG8.title, 22: "Channel management", 24: "Static data report",
               25: "Single slot binary message", 26: "Multiple slot binary message"})  # fmt: skip


def is_auxiliary(mmsi: int) -> bool:
    """98MIDxxxx: a craft associated with a parent ship (message 24B carries the mother MMSI)."""
    return 980000000 <= mmsi <= 989999999
