"""The pure parts: vessel state merge and "not available" values, track thinning, the duplicate
filter on real traffic, zone and AtoN file parsing, raw-archive stamping."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from giamsat.maritime.archive import stamp
from giamsat.maritime.atons import parse_aton_csv
from giamsat.maritime.engine import Engine
from giamsat.maritime.geo import iso_utc
from giamsat.maritime.nmea.tagblock import parse_tag_block
from giamsat.maritime.tracks import TrackPolicy
from giamsat.maritime.vessels import VesselState
from giamsat.maritime.zones import ZoneError, ZoneIndex, zones_from_geojson
from tests.maritime_engine.helpers import T0, Log, collection, square

V = 574000001


def _engine(log: Log, **options) -> Engine:
    engine = Engine(collect=True, **options)
    for line in log.lines:
        engine.feed(line, "test")
    return engine


def test_static_and_dynamic_merge_with_unknown_values() -> None:
    log = Log()
    log.add(T0, {"type": 5, "mmsi": V, "shipname": "TAU A", "callsign": "XVA", "imo": 9123456,
                 "shiptype": 70, "to_bow": 80, "to_stern": 20, "to_port": 6, "to_starboard": 8,
                 "draught": 6.5, "destination": "HAI PHONG", "eta_month": 11, "eta_day": 22,
                 "eta_hour": 8, "eta_minute": 30})  # fmt: skip
    log.pos(T0 + 10, V, 20.5, 106.5, sog=12.0, cog=45.0, heading=44, nav_status=0)
    log.pos(T0 + 20, V, 91, 181, sog=102.3, cog=None, heading=None)  # nothing available
    log.pos(T0 + 30, V, 20.6, 106.6, sog=None, cog=None, heading=None)  # a position, no speed
    v = _engine(log).vessels[V]
    assert (v.name, v.callsign, v.imo, v.ship_type) == ("TAU A", "XVA", 9123456, 70)
    assert (v.length, v.width, v.draught, v.destination, v.eta) == (100, 14, 6.5, "HAI PHONG",
                                                                    "11-22 08:30")  # fmt: skip
    assert (v.lat, v.lon, v.sog, v.cog, v.heading) == (20.6, 106.6, None, None, None)
    assert v.position_ts == T0 + 30 and v.station == "A" and v.flag == "VN"
    assert v.messages == 4 and v.last_seen == T0 + 30


def test_class_b_static_and_long_range_positions() -> None:
    log = Log()
    log.add(T0, {"type": 24, "mmsi": V, "part_num": 0, "shipname": "CANO 1"})
    log.add(T0, {"type": 24, "mmsi": V, "part_num": 1, "shiptype": 37, "callsign": "XVB",
                 "to_bow": 5, "to_stern": 3, "to_port": 1, "to_starboard": 2})  # fmt: skip
    log.pos(T0 + 10, V, 20.5, 106.5, msg_type=18)
    log.add(T0 + 20, {"type": 24, "mmsi": V, "part_num": 0, "shipname": ""})  # no name: kept
    log.pos(T0 + 100, V, 20.9, 106.9, sog=5, msg_type=27)  # coarse: the fine fix is 90 s old
    log.pos(T0 + 900, V, 20.9, 106.9, sog=5, msg_type=27)  # 15 min later: better than nothing
    log.add(T0 + 910, {"type": 19, "mmsi": V, "lat": 21.0, "lon": 107.0, "sog": 3.0,
                       "shipname": "CANO 1 MOI", "shiptype": 37})  # fmt: skip
    engine = _engine(log)
    v = engine.vessels[V]
    assert (v.name, v.callsign, v.ship_type, v.length, v.width) == ("CANO 1 MOI", "XVB", 37, 8, 3)
    assert (v.lat, v.lon, v.position_ts, v.station) == (21.0, 107.0, T0 + 910, "B")
    positions = [(r[1], r[2]) for r in engine.outbox.tracks]
    assert (T0 + 100, 20.9) not in positions and (T0 + 900, 20.9) in positions
    assert [s[2]["name"] for s in engine.outbox.static] == ["CANO 1", "CANO 1", "CANO 1 MOI"]


def test_track_thinning_policy() -> None:
    policy = TrackPolicy(min_seconds=10, max_seconds=300, min_distance_m=100,
                         course_change_deg=15, speed_change_kn=3)  # fmt: skip
    v = VesselState(V)

    def at(
        t: float, lat: float, lon: float, sog: float = 8, cog: float = 0, dense: bool = False
    ) -> bool:
        v.lat, v.lon, v.sog, v.cog, v.nav_status = lat, lon, sog, cog, 0
        keep = policy.keep(v, t, dense)
        if keep:
            TrackPolicy.mark(v, t)
        return keep

    assert at(0, 20.0, 106.0)  # the first fix
    assert not at(5, 20.01, 106.0)  # too soon, even 1 km away
    assert not at(12, 20.0005, 106.0)  # 55 m: not enough
    assert at(14, 20.001, 106.0)  # 111 m
    assert not at(30, 20.0012, 106.0, cog=10)  # 10 degrees: not enough
    assert at(40, 20.0013, 106.0, cog=20)  # 20 degrees
    assert at(60, 20.0014, 106.0, sog=12, cog=20)  # 4 kn faster
    assert not at(200, 20.0014, 106.0, sog=12, cog=20)  # lying still
    assert at(360, 20.0014, 106.0, sog=12, cog=20)  # but one fix every 5 minutes
    assert at(361, 20.0014, 106.0, dense=True)  # in a watch zone: every report (1 a second)
    assert not at(361.5, 20.0014, 106.0, dense=True)


def test_duplicates_from_two_receivers_on_real_traffic(shared: Path) -> None:
    """Real AIS sentences (the cleaned corpus) heard by two receivers a few lines apart."""
    raw = gzip.decompress((shared / "corpus/ais/derived/real_aivdm_clean.nmea.gz").read_bytes())
    sentences = [s for s in raw.decode("ascii").splitlines()[:6000] if s.startswith("!")]
    log_lines = []
    for i, s in enumerate(sentences):
        t = T0 + i // 20
        log_lines.append(f"{stamp(s.encode(), 'rx1', t).decode()}")
        if i >= 3:  # rx2 hears the same sentences three lines later (same second or the next)
            prev = sentences[i - 3]
            log_lines.append(stamp(prev.encode(), "rx2", T0 + (i - 3) // 20 + (i % 2)).decode())

    def messages(lines: list[str]) -> int:
        engine = Engine()
        for line in lines:
            engine.feed(stamp(line.encode(), "rx1", T0).decode(), "x")
        return engine.counters["messages"]

    both = Engine()
    for line in log_lines:
        both.feed(line, "x")
    assert both.counters["messages"] == messages(sentences)  # each message once
    assert both.counters["duplicates"] == messages(sentences[:-3])  # every copy rx2 heard
    assert both.counters["duplicates"] > 4000


def test_same_receiver_repeating_is_not_a_duplicate() -> None:
    log = Log(source="rx1")
    for dt in (0, 1, 2):  # an AtoN repeating an identical report
        log.add(T0 + dt, {"type": 21, "mmsi": 995741001, "aid_type": 24, "name": "B", "lat": 20.0,
                          "lon": 106.0, "second": 60})  # fmt: skip
    engine = _engine(log)
    assert engine.counters["messages"] == 3 and engine.counters["duplicates"] == 0


def test_zone_files() -> None:
    bow_tie = {"type": "Feature", "properties": {"name": "Bow"}, "geometry": {"type": "Polygon",
               "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}  # fmt: skip
    zones = zones_from_geojson(collection(bow_tie, square("S", 2, 2, 3, 3, kind="danger")))
    index = ZoneIndex(zones)
    assert index.containing(0.9, 0.5) == (0,)  # the repaired bow tie keeps both triangles
    assert index.containing(0.1, 0.5) == (0,)
    assert index.containing(0.5, 0.9) == ()
    assert zones[1].alert_on == "enter" and zones[0].alert_on == "enter"  # watch by default
    with pytest.raises(ZoneError, match="outside"):
        zones_from_geojson(collection(square("X", 100, 20, 200, 21)))
    with pytest.raises(ZoneError, match="alert_on"):
        zones_from_geojson(collection(square("X", 1, 1, 2, 2, alert_on="sometimes")))
    with pytest.raises(ZoneError, match="FeatureCollection"):
        zones_from_geojson({"type": "Topology"})
    nameless = zones_from_geojson(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    )
    assert nameless[0].name == "zone 1"


def test_aton_csv_forms() -> None:
    semicolons = "\ufeffMMSI;Tên;Vĩ độ;Kinh độ;Bán kính (m);low_voltage\n995741001;Phao 1;20,75;106,75;30;11,8\n"
    atons, problems = parse_aton_csv(semicolons.lstrip("\ufeff"))
    assert problems == []
    assert (atons[0].mmsi, atons[0].name, atons[0].lat, atons[0].radius_m, atons[0].low_voltage) == (
        995741001, "Phao 1", 20.75, 30.0, 11.8)  # fmt: skip
    bad = ("mmsi,name,lat,lon,radius_m\n995741001,A,20,106,50\n995741001,B,20,106,50\n"
           "995741002,C,20,,50\n995741003,D,95,106,50\n995741004,E,20,106,-1\n")  # fmt: skip
    atons, problems = parse_aton_csv(bad, "f.csv")
    assert [a.mmsi for a in atons] == [995741001]
    assert [p.split(":")[1] for p in problems] == ["3", "4", "5", "6"]
    assert parse_aton_csv("name,lat\nA,1\n")[1] == [
        "atons.csv:1: no 'mmsi' column in the header ['name', 'lat']"
    ]


def test_archive_stamp_and_iso() -> None:
    line = b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24"
    stamped = stamp(line, "rx 1/a", 1_763_700_000.7)
    body = stamped[1 : stamped.index(b"\\", 1)]
    tag = parse_tag_block(body)
    assert tag.checksum_ok and tag.time == 1_763_700_000 and tag.source == "rx_1_a"
    assert stamped.endswith(line) and stamp(stamped, "x", 0) == stamped
    assert iso_utc(1_763_700_000.999) == "2025-11-21T04:40:00Z" and iso_utc(None) is None
