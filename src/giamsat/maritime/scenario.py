"""A scripted AIS scenario near Hai Phong for ``giamsat demo`` and tests: the Lạch Huyện and
Nam Triệu channels, their buoys and the Hòn Dấu light, a dozen vessels, and every kind of
event the engine watches for within the first minutes of each 20-minute cycle:

* buoy 3 drifts off its charted position (then sets its off-position flag),
* buoy 2's supply voltage sinks below the low-voltage threshold,
* buoy 4's light fails (FI 10 light status 3 and the message 21 page-7 light bits),
* buoy 5 of Nam Triệu stops transmitting (lost signal),
* HAI PHONG EXPRESS runs 15 kn in the 10 kn channel,
* a fishing boat enters the restricted anchorage off Cát Hải.

Everything is generated with our encoder (``ais.encode``) with tag-block times, and served by
``DemoFeed``, a small TCP server that the live service's TCP client source connects to: the
demo goes through the same path as a real AIS server. Coordinates are approximate.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
from dataclasses import dataclass
from typing import Any

from giamsat.maritime.ais.encode import encode

log = logging.getLogger(__name__)
CYCLE = 1200  # seconds: the scenario repeats (conditions clear, then happen again)
SOURCE = "demo-haiphong"
_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class Ship:
    mmsi: int
    name: str
    callsign: str
    ship_type: int
    length: int
    width: int
    speed: float  # knots
    route: tuple[tuple[float, float], ...]  # (lat, lon) waypoints, sailed back and forth
    offset: float = 0.0  # seconds along the route at cycle start
    destination: str = "HAI PHONG"
    report_every: int = 10
    imo: int = 0


@dataclass(frozen=True)
class Buoy:
    mmsi: int
    name: str
    lat: float
    lon: float
    aid_type: int = 24  # floating: port/starboard hand marks
    kind: str = "buoy"
    area: str = "Luồng Lạch Huyện"


LACH_HUYEN = ((20.6950, 106.9900), (20.7400, 106.9520), (20.7900, 106.9200), (20.8350, 106.9000))
NAM_TRIEU = ((20.7050, 106.8700), (20.7600, 106.8850), (20.8050, 106.8200), (20.8500, 106.7600))

BUOYS = (
    Buoy(995741001, "Phao số 0 Lạch Huyện", 20.6950, 106.9950),
    Buoy(995741002, "Phao số 2 Lạch Huyện", 20.7180, 106.9770),
    Buoy(995741003, "Phao số 3 Lạch Huyện", 20.7400, 106.9480),
    Buoy(995741004, "Phao số 4 Lạch Huyện", 20.7430, 106.9570),
    Buoy(995741005, "Phao số 5 Nam Triệu", 20.7600, 106.8900, area="Luồng Nam Triệu"),
    Buoy(995741006, "Đèn Hòn Dấu", 20.6667, 106.8167, aid_type=6, kind="light", area="Đèn biển"),
)
DRIFTING, LOW_VOLTAGE, LIGHT_FAILURE, SILENT = 995741003, 995741002, 995741004, 995741005

SHIPS = (
    Ship(574001001, "TAN CANG 18", "XVTC8", 71, 172, 27, 9.0, LACH_HUYEN, 0, imo=9700101),
    Ship(574001002, "VIMC PIONEER", "XVVP2", 70, 148, 22, 8.5, LACH_HUYEN, 600, imo=9700102),
    Ship(574001003, "HAI PHONG EXPRESS", "XVHP3", 60, 65, 12, 15.0, LACH_HUYEN, 60),
    Ship(574001004, "PETROLIMEX 12", "XVPL4", 80, 120, 20, 8.0, NAM_TRIEU, 0, imo=9700104),
    Ship(574001005, "BIEN DONG STAR", "XVBD5", 70, 110, 18, 7.5, NAM_TRIEU, 900, imo=9700105),
    Ship(574001006, "HP 90123 TS", "XVHF6", 30, 18, 5, 8.0,
         ((20.7440, 107.0130), (20.7750, 107.0330)), 0,
         destination="CAT HAI"),  # fishing boat crossing the restricted anchorage
    Ship(574001007, "SAO MAI 07", "XVSM7", 52, 32, 9, 5.0,
         ((20.8200, 106.9000), (20.7800, 106.9250)), 0, destination="LACH HUYEN"),
    Ship(574001008, "EVER HARMONY", "9V1234", 71, 300, 48, 0.0,
         ((20.7050, 107.0250), (20.7050, 107.0250)), 0, destination="LACH HUYEN",
         imo=9811000),  # at anchor
    Ship(412001009, "XIN HAI 9", "BQWE9", 70, 140, 22, 9.5, NAM_TRIEU, 300),
    Ship(351001010, "MSC DEMO", "3FDM1", 71, 250, 40, 8.8, LACH_HUYEN, 300, imo=9700110),
)  # fmt: skip
SPEEDER, INTRUDER = 574001003, 574001006


def _corridor(route: tuple[tuple[float, float], ...], half_width_deg: float) -> dict[str, Any]:
    """A channel polygon: the route line buffered (flat ends), as GeoJSON."""
    from shapely.geometry import LineString

    line = LineString([(lon, lat) for lat, lon in route])
    area = line.buffer(half_width_deg, cap_style="square").simplify(0.0005)
    return {"type": "Polygon",
            "coordinates": [[[round(x, 5), round(y, 5)] for x, y in area.exterior.coords]]}  # fmt: skip


ZONES: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Luồng Lạch Huyện", "kind": "channel", "speed_limit_kn": 10,
                           "alert_on": "none", "color": "#2b8cbe"},
            "geometry": _corridor(LACH_HUYEN, 0.004),
        },
        {
            "type": "Feature",
            "properties": {"name": "Khu neo đậu hạn chế Cát Hải", "kind": "restricted",
                           "alert_on": "both", "color": "#d7301f"},
            "geometry": {"type": "Polygon", "coordinates": [[
                [107.0150, 20.7450], [107.0450, 20.7450], [107.0450, 20.7700],
                [107.0150, 20.7700], [107.0150, 20.7450]]]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Vùng nguy hiểm xác tàu đắm", "kind": "danger",
                           "color": "#fc8d59"},
            "geometry": {"type": "Polygon", "coordinates": [[
                [106.8750, 20.7300], [106.8850, 20.7300], [106.8850, 20.7380],
                [106.8750, 20.7380], [106.8750, 20.7300]]]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Vùng theo dõi cảng Lạch Huyện", "kind": "watch",
                           "speed_limit_kn": 6, "color": "#756bb1"},
            "geometry": {"type": "Polygon", "coordinates": [[
                [106.8900, 20.8150], [106.9200, 20.8150], [106.9200, 20.8450],
                [106.8900, 20.8450], [106.8900, 20.8150]]]},
        },
    ],
}  # fmt: skip


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (lat + north_m / _M_PER_DEG,
            lon + east_m / (_M_PER_DEG * math.cos(math.radians(lat))))  # fmt: skip


def _leg_lengths(route: tuple[tuple[float, float], ...]) -> list[float]:
    out = []
    for (a, b), (c, d) in itertools.pairwise(route):
        dy = (c - a) * _M_PER_DEG
        dx = (d - b) * _M_PER_DEG * math.cos(math.radians((a + c) / 2))
        out.append(math.hypot(dx, dy))
    return out


def ship_position(ship: Ship, s: float) -> tuple[float, float, float]:
    """(lat, lon, course) after ``s`` seconds, sailing the route there and back."""
    legs = _leg_lengths(ship.route)
    total = sum(legs)
    if total <= 0 or ship.speed <= 0:
        lat, lon = ship.route[0]
        return lat, lon, 0.0
    travelled = (ship.offset + s) * ship.speed * 1852 / 3600 % (2 * total)
    route, lengths = ship.route, legs
    if travelled > total:
        travelled -= total
        route, lengths = tuple(reversed(ship.route)), list(reversed(legs))
    for (a, b), (c, d), length in zip(route, route[1:], lengths, strict=False):
        if travelled <= length:
            f = travelled / length if length else 0.0
            lat, lon = a + (c - a) * f, b + (d - b) * f
            course = math.degrees(math.atan2((d - b) * math.cos(math.radians(a)), c - a)) % 360
            return lat, lon, course
        travelled -= length
    lat, lon = route[-1]
    return lat, lon, 0.0


def messages_at(t: int, start: int) -> list[dict[str, Any]]:
    """The AIS messages sent at second ``t`` of a scenario that started at ``start``."""
    s = (t - start) % CYCLE
    out: list[dict[str, Any]] = []
    for i, ship in enumerate(SHIPS):
        if (s + i) % ship.report_every == 0:
            lat, lon, course = ship_position(ship, s)
            sog = ship.speed
            if ship.mmsi == SPEEDER and not 30 <= s <= 420:
                sog = 9.5  # speeds only between 30 s and 7 min into each cycle
            out.append({
                "type": 1, "mmsi": ship.mmsi, "lat": round(lat, 6), "lon": round(lon, 6),
                "sog": sog, "cog": round(course, 1), "heading": round(course) % 360,
                "nav_status": 1 if ship.speed == 0 else 0, "second": t % 60,
            })  # fmt: skip
        if (s + 3 * i) % 60 == 5:
            out.append({
                "type": 5, "mmsi": ship.mmsi, "imo": ship.imo, "callsign": ship.callsign,
                "shipname": ship.name, "shiptype": ship.ship_type,
                "to_bow": ship.length * 2 // 3, "to_stern": ship.length - ship.length * 2 // 3,
                "to_port": ship.width // 2, "to_starboard": ship.width - ship.width // 2,
                "draught": 7.5 if ship.length > 100 else 3.0, "destination": ship.destination,
            })  # fmt: skip
    for j, buoy in enumerate(BUOYS):
        if buoy.mmsi == SILENT and s >= 120:
            continue  # stops transmitting two minutes into each cycle
        if (s + 7 * j) % 30 == 0:
            out.extend(_buoy_messages(buoy, s, t))
    return out


def _buoy_messages(buoy: Buoy, s: int, t: int) -> list[dict[str, Any]]:
    lat, lon = buoy.lat, buoy.lon
    off_flag = False
    if buoy.mmsi == DRIFTING and s >= 60:
        drift = min(400.0, (s - 60) * 1.5)  # metres: beyond the 50 m radius after ~1.5 min
        lat, lon = _offset(lat, lon, -drift * 0.6, drift * 0.8)
        off_flag = s >= 180
    light = 1
    if buoy.mmsi == LIGHT_FAILURE and s >= 90:
        light = 3
    voltage = 12.8
    if buoy.mmsi == LOW_VOLTAGE:
        voltage = max(10.9, round(12.6 - s * 0.012, 2))  # below 11.5 V after ~1.5 min
    report: dict[str, Any] = {
        "type": 21, "mmsi": buoy.mmsi, "aid_type": buoy.aid_type, "name": _ascii(buoy.name),
        "lat": round(lat, 6), "lon": round(lon, 6), "epfd": 1, "second": t % 60,
        "off_position": off_flag, "racon": 0, "light": light, "alarm": light == 3,
        "virtual_aid": False,
    }  # fmt: skip
    telemetry: dict[str, Any] = {
        "type": 6, "mmsi": buoy.mmsi, "dest_mmsi": 2574000, "dac": 235, "fi": 10,
        "ana_int": voltage, "ana_ext1": round(voltage - 0.4, 2), "racon": 0, "light": light,
        "alarm": light == 3, "off_pos": off_flag,
    }  # fmt: skip
    return [report, telemetry]


_ASCII = str.maketrans("ĐđÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬàáảãạăằắẳẵặâầấẩẫậÈÉẺẼẸÊỀẾỂỄỆèéẻẽẹêềếểễệÌÍỈĨỊìíỉĩịÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢòóỏõọôồốổỗộơờớởỡợÙÚỦŨỤƯỪỨỬỮỰùúủũụưừứửữựỲÝỶỸỴỳýỷỹỵ",
                       "DdAAAAAAAAAAAAAAAAAaaaaaaaaaaaaaaaaaEEEEEEEEEEEeeeeeeeeeeeIIIIIiiiiiOOOOOOOOOOOOOOOOOoooooooooooooooooUUUUUUUUUUUuuuuuuuuuuuYYYYYyyyyy")  # fmt: skip


def _ascii(text: str) -> str:
    """AIS six-bit text has no Vietnamese letters: the name without diacritics, upper case."""
    return text.translate(_ASCII).upper()


def lines_at(t: int, start: int, seq: list[int] | None = None) -> list[str]:
    """The NMEA lines of second ``t`` (tag blocks carry the time and the source)."""
    seq = seq if seq is not None else [0]
    out: list[str] = []
    for msg in messages_at(t, start):
        seq[0] = (seq[0] + 1) % 10
        out.extend(encode(msg, seq_id=seq[0], tags={"c": t, "s": SOURCE}))
    return out


def scenario_lines(start: int, seconds: int) -> list[str]:
    """Every line of ``seconds`` seconds from ``start`` (tests, files for ``ais events``)."""
    seq = [0]
    return [line for t in range(start, start + seconds) for line in lines_at(t, start, seq)]


class DemoFeed:
    """A TCP server that plays the scenario in real time to every client that connects."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, start: int | None = None) -> None:
        self.host, self.port = host, port
        self.start_time = start
        self.server: asyncio.Server | None = None
        self.clients = 0

    async def start(self) -> None:
        import time

        if self.start_time is None:
            self.start_time = int(time.time())
        self.server = await asyncio.start_server(self._client, self.host, self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        import time

        assert self.start_time is not None
        self.clients += 1
        seq = [0]
        t = int(time.time())
        try:
            while True:
                lines = lines_at(t, self.start_time, seq)
                if lines:
                    writer.write(("\r\n".join(lines) + "\r\n").encode("ascii"))
                    await writer.drain()
                t += 1
                await asyncio.sleep(max(0.0, t - time.time()))
        except (ConnectionError, OSError):
            pass
        finally:
            self.clients -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 2)


def prepare(store: Any, settings: Any) -> None:
    """Zones, the AtoN registry (with a short lost-signal delay for the silent buoy), a group,
    a planned route and a marker - only what is missing, so restarts keep user edits."""
    from sqlalchemy import func, select

    from giamsat.maritime import manage
    from giamsat.maritime.atons import AtonConfig
    from giamsat.maritime.registry import seed_settings
    from giamsat.maritime.schema import atons, map_markers, vessel_groups, vessel_routes, zones

    with store.write() as conn:
        seed_settings(conn, settings)
        if not conn.execute(select(func.count()).select_from(zones)).scalar():
            manage.import_zones(conn, ZONES, created_by="demo")
        if not conn.execute(select(func.count()).select_from(atons)).scalar():
            manage.import_atons(
                conn,
                [
                    AtonConfig(
                        b.mmsi,
                        b.name,
                        b.lat,
                        b.lon,
                        50.0 if b.kind == "buoy" else 15.0,
                        expected_interval_s=30,
                        kind=b.kind,
                        aid_type=b.aid_type,
                        area=b.area,
                    )
                    for b in BUOYS
                ],
            )
            manage.set_aton_config(conn, SILENT, {"lost_after_min": 2})
        if not conn.execute(select(func.count()).select_from(vessel_groups)).scalar():
            manage.create_group(
                conn,
                {
                    "name": "Tàu container / container ships",
                    "color": "#e6550d",
                    "members": [574001001, 351001010],
                },
            )
            manage.create_group(conn, {"name": "Tàu theo dõi / watched", "color": "#de2d26",
                                       "watched": True, "members": [SPEEDER, INTRUDER]})  # fmt: skip
        if not conn.execute(select(func.count()).select_from(vessel_routes)).scalar():
            manage.create_route(conn, {
                "name": "Lạch Huyện - cầu cảng", "mmsi": 574001001,
                "waypoints": [{"lat": a, "lon": b, "name": f"WP{i + 1}"}
                              for i, (a, b) in enumerate(LACH_HUYEN)],
            })  # fmt: skip
        if not conn.execute(select(func.count()).select_from(map_markers)).scalar():
            manage.create_marker(conn, {"lat": 20.7350, "lon": 106.9600, "name": "Cạn mới",
                                        "note": "Báo cáo cạn mới, chờ khảo sát / reported shoal"},
                                 "demo")  # fmt: skip


async def start_demo(store: Any, settings: Any) -> tuple[DemoFeed, Any]:
    """Prepare the registry and start the feed; returns it and the settings that point the
    live service's TCP client at it (``giamsat demo``)."""
    from dataclasses import replace

    await asyncio.to_thread(prepare, store, settings)
    feed = DemoFeed()
    await feed.start()
    return feed, replace(settings, maritime_sources=f"{SOURCE}=tcp://127.0.0.1:{feed.port}")
