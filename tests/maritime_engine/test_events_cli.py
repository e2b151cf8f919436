"""``giamsat ais events`` on crafted scenarios (DESIGN.md §4, issue 5 §6).

Each expected event list is written from the scenario: which position is inside which
square, which speed is over which limit, which AtoN report is farther than its radius.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyproj import Geod
from typer.testing import CliRunner

from giamsat.cli import app
from tests.maritime_engine.helpers import T0, Log, brief, collection, iso, run_events, square

V1, V2 = 574000001, 574000002
ATON_A, ATON_B, ATON_C, ATON_D, ATON_E = 995741004, 995741005, 995741006, 995741007, 995741008
GEOD = Geod(ellps="WGS84")


def _north_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, lat, 0.0, metres)
    return round(lat2, 6), round(lon2, 6)


def test_interleaved_vessels(tmp_path: Path) -> None:
    zones = collection(square("A", 106.70, 20.70, 106.80, 20.80))
    log = Log()
    log.pos(T0, V1, 20.65, 106.75).pos(T0 + 1, V2, 20.85, 106.75)
    log.pos(T0 + 10, V1, 20.72, 106.75).pos(T0 + 11, V2, 20.82, 106.75)
    log.pos(T0 + 20, V1, 20.75, 106.75).pos(T0 + 21, V2, 20.78, 106.75)
    log.pos(T0 + 30, V1, 20.69, 106.75).pos(T0 + 31, V2, 20.77, 106.75, msg_type=3)
    log.pos(T0 + 40, V1, 20.71, 106.75, msg_type=18).pos(
        T0 + 41, V2, 20.81, 106.75, sog=5, msg_type=27
    )
    events, summary = run_events(tmp_path, log, zones)
    assert brief(events, "zone") == [
        ("zone_enter", V1, iso(T0 + 10), "A"),
        ("zone_enter", V2, iso(T0 + 21), "A"),
        ("zone_exit", V1, iso(T0 + 30), "A"),
        ("zone_enter", V1, iso(T0 + 40), "A"),
        ("zone_exit", V2, iso(T0 + 41), "A"),
    ]
    assert summary["messages"] == 10 and summary["vessels"] == 2


def test_zone_edges_holes_and_parts(tmp_path: Path) -> None:
    ring = {
        "type": "Feature",
        "properties": {"name": "Ring"},
        "geometry": {"type": "Polygon", "coordinates": [
            [[107.0, 21.0], [107.1, 21.0], [107.1, 21.1], [107.0, 21.1], [107.0, 21.0]],
            [[107.04, 21.04], [107.06, 21.04], [107.06, 21.06], [107.04, 21.06], [107.04, 21.04]],
        ]},
    }  # fmt: skip
    parts = {
        "type": "Feature",
        "properties": {"name": "Two parts"},
        "geometry": {"type": "MultiPolygon", "coordinates": [
            [[[108.0, 22.0], [108.1, 22.0], [108.1, 22.1], [108.0, 22.1], [108.0, 22.0]]],
            [[[108.2, 22.0], [108.3, 22.0], [108.3, 22.1], [108.2, 22.1], [108.2, 22.0]]],
        ]},
    }  # fmt: skip
    zones = collection(square("E", 106.70, 20.70, 106.80, 20.80), ring, parts)
    log = Log()
    log.pos(T0, V1, 20.70, 106.75)  # on the south edge: inside
    log.pos(T0 + 10, V1, 20.69999, 106.75)  # 1.1 m south of it: outside
    log.pos(T0 + 20, V1, 20.80, 106.80)  # the north-east corner: inside
    log.pos(T0 + 30, V1, 91, 106.75)  # lat 91: no position, ignored (no exit)
    log.pos(T0 + 35, V1, 20.75, 181)  # lon 181: ignored
    log.pos(T0 + 40, V1, 20.80001, 106.80)  # just north of the corner: outside
    log.pos(T0 + 50, V2, 21.02, 107.02)  # in the ring
    log.pos(T0 + 60, V2, 21.05, 107.05)  # in the hole: outside
    log.pos(T0 + 70, V2, 21.06, 107.05)  # on the hole's edge: the polygon's boundary, inside
    log.pos(T0 + 80, V2, 21.09, 107.09)  # still inside
    log.pos(T0 + 90, V2, 22.05, 108.05)  # left the ring, into the first part
    log.pos(T0 + 100, V2, 22.05, 108.15)  # between the parts
    log.pos(T0 + 110, V2, 22.05, 108.25)  # second part
    events, _ = run_events(tmp_path, log, zones)
    assert brief(events, "zone") == [
        ("zone_enter", V1, iso(T0), "E"),
        ("zone_exit", V1, iso(T0 + 10), "E"),
        ("zone_enter", V1, iso(T0 + 20), "E"),
        ("zone_exit", V1, iso(T0 + 40), "E"),
        ("zone_enter", V2, iso(T0 + 50), "Ring"),
        ("zone_exit", V2, iso(T0 + 60), "Ring"),
        ("zone_enter", V2, iso(T0 + 70), "Ring"),
        ("zone_exit", V2, iso(T0 + 90), "Ring"),
        ("zone_enter", V2, iso(T0 + 90), "Two parts"),
        ("zone_exit", V2, iso(T0 + 100), "Two parts"),
        ("zone_enter", V2, iso(T0 + 110), "Two parts"),
    ]


def test_speed_limit_changes_across_zones(tmp_path: Path) -> None:
    zones = collection(
        square("Outer", 106.0, 20.0, 107.0, 21.0, speed_limit_kn=12),
        square("Inner", 106.4, 20.4, 106.6, 20.6, speed_limit_kn=8),
        square("Open", 106.7, 20.7, 106.9, 20.9),  # no limit of its own
    )
    log = Log()
    log.pos(T0 + 1, V1, 19.5, 106.5, sog=10)  # global 15
    log.pos(T0 + 2, V1, 20.2, 106.5, sog=10)  # Outer 12
    log.pos(T0 + 3, V1, 20.5, 106.5, sog=10)  # Inner 8: over
    log.pos(T0 + 4, V1, 20.55, 106.5, sog=10)  # still over
    log.pos(T0 + 5, V1, 20.55, 106.5, sog=102.3)  # speed not available: changes nothing
    log.pos(T0 + 6, V1, 20.55, 106.5, sog=10)  # still over: no second event
    log.pos(T0 + 7, V1, 20.7, 106.5, sog=10)  # Outer only: back under
    log.pos(T0 + 8, V1, 20.5, 106.5, sog=10)  # Inner: over again
    log.pos(T0 + 9, V1, 20.5, 106.5, sog=7)  # under
    log.pos(T0 + 10, V1, 20.5, 106.5, sog=9)  # over
    log.pos(T0 + 11, V1, 21.5, 106.5, sog=16)  # outside everything, 16 > 15: still over
    log.pos(T0 + 12, V1, 21.5, 106.5, sog=14)  # under 15
    log.pos(T0 + 13, V1, 21.5, 106.5, sog=15)  # equal is not over
    log.pos(T0 + 14, V1, 21.5, 106.5, sog=15.1)  # over
    log.pos(T0 + 20, V2, 20.8, 106.8, sog=13)  # Open inside Outer: limit 12
    log.pos(T0 + 21, V2, 20.8, 106.8, sog=13, msg_type=18)  # class B, still over
    events, _ = run_events(tmp_path, log, zones, None, "--speed-limit", "15")
    assert brief(events, "zone", "limit") == [
        ("zone_enter", V1, iso(T0 + 2), "Outer", None),
        ("zone_enter", V1, iso(T0 + 3), "Inner", None),
        ("speeding", V1, iso(T0 + 3), "Inner", 8.0),
        ("zone_exit", V1, iso(T0 + 7), "Inner", None),
        ("zone_enter", V1, iso(T0 + 8), "Inner", None),
        ("speeding", V1, iso(T0 + 8), "Inner", 8.0),
        ("speeding", V1, iso(T0 + 10), "Inner", 8.0),
        ("zone_exit", V1, iso(T0 + 11), "Outer", None),
        ("zone_exit", V1, iso(T0 + 11), "Inner", None),
        ("speeding", V1, iso(T0 + 14), None, 15.0),
        ("zone_enter", V2, iso(T0 + 20), "Outer", None),
        ("zone_enter", V2, iso(T0 + 20), "Open", None),
        ("speeding", V2, iso(T0 + 20), "Outer", 12.0),
    ]
    assert events[2]["sog"] == 10.0


def test_no_limit_no_speeding(tmp_path: Path) -> None:
    zones = collection(square("Z", 106.0, 20.0, 107.0, 21.0))
    log = Log().pos(T0, V1, 20.5, 106.5, sog=40).pos(T0 + 1, V1, 22.0, 106.5, sog=40)
    events, _ = run_events(tmp_path, log, zones)
    assert [e["type"] for e in events] == ["zone_enter", "zone_exit"]


ATONS_CSV = "mmsi,name,lat,lon,radius_m\n995741001,Phao 1,20.75,106.75,50\n"


def test_aton_drift_and_off_position_flags(tmp_path: Path) -> None:
    a = 995741001
    log = Log()
    log.aton(T0, a, 20.75, 106.75)
    log.aton(T0 + 60, a, *_north_of(20.75, 106.75, 40))  # inside the 50 m radius
    log.aton(T0 + 120, a, *_north_of(20.75, 106.75, 60))  # drifted out
    log.aton(T0 + 180, a, *_north_of(20.75, 106.75, 80))  # still out: no second event
    log.aton(T0 + 240, a, *_north_of(20.75, 106.75, 20))  # back
    log.aton(T0 + 300, a, 20.75, 106.75, second=60, off_position=True)  # flag not valid (s 60)
    log.aton(T0 + 360, a, 20.75, 106.75, second=30, off_position=True)  # valid flag
    log.fi10(T0 + 420, a, off_pos=False)  # the latest flag is now FI 10's: clear
    log.fi10(T0 + 480, a, off_pos=True)
    log.aton(T0 + 540, a, 20.75, 106.75, second=10, off_position=False)
    log.aton(T0 + 600, a, 91, 181, second=20)  # no position: the last one still counts
    log.aton(T0 + 660, 995749999, 21.0, 107.0, second=5, off_position=True)  # not registered
    events, _ = run_events(tmp_path, log, None, ATONS_CSV)
    assert brief(events) == [
        ("aton_off_position", a, iso(T0 + 120)),
        ("aton_off_position", a, iso(T0 + 360)),
        ("aton_off_position", a, iso(T0 + 480)),
    ]
    assert 59 < events[0]["distance_m"] < 61 and events[0]["name"] == "Phao 1"


def test_aton_low_voltage(tmp_path: Path) -> None:
    a = 995741001
    log = Log()
    for dt, volts in ((0, 12.5), (60, 11.4), (120, 11.0), (180, None), (240, 11.6), (300, 11.5),
                      (360, 11.45)):  # fmt: skip
        log.fi10(T0 + dt, a, volts=volts)
    log.fi10(T0 + 420, a, volts=12.0, broadcast=True)  # message 8 variant
    log.fi10(T0 + 480, a, volts=11.0, broadcast=True)
    events, _ = run_events(tmp_path, log, None, ATONS_CSV, "--low-voltage", "11.5")
    assert brief(events, "voltage") == [
        ("aton_low_voltage", a, iso(T0 + 60), 11.4),
        ("aton_low_voltage", a, iso(T0 + 360), 11.45),
        ("aton_low_voltage", a, iso(T0 + 480), 11.0),
    ]
    quiet, _ = run_events(tmp_path, log, None, ATONS_CSV)  # no threshold given: no such rule
    assert quiet == []


def test_aton_light_failure(tmp_path: Path) -> None:
    a = 995741001
    log = Log()
    log.fi10(T0, a, light=1)
    log.fi10(T0 + 60, a, light=3)  # failed
    log.aton(T0 + 120, a, 20.75, 106.75, racon=0, light=3, alarm=True)  # still failed
    log.fi10(T0 + 180, a, light=1)  # FI 10 fine, message 21 still says 11
    log.aton(T0 + 240, a, 20.75, 106.75, racon=0, light=1, alarm=False)  # both fine
    log.aton(T0 + 300, a, 20.75, 106.75, racon=0, light=3, alarm=False)  # failed
    log.aton(T0 + 360, a, 20.75, 106.75, aton_status=170)  # page 5: no light bits
    log.aton(T0 + 420, a, 20.75, 106.75, racon=0, light=2, alarm=False)  # off is not failure
    log.fi10(T0 + 480, a, light=2)
    events, _ = run_events(tmp_path, log, None, ATONS_CSV)
    assert brief(events) == [
        ("aton_light_failure", a, iso(T0 + 60)),
        ("aton_light_failure", a, iso(T0 + 300)),
    ]


def test_lost_signal(tmp_path: Path) -> None:
    csv = "mmsi,name,lat,lon,radius_m\n" + "".join(
        f"{m},AtoN {m},20.75,106.75,50\n" for m in (ATON_A, ATON_B, ATON_C, ATON_D, ATON_E)
    )
    log = Log()
    log.aton(T0, ATON_A, 20.75, 106.75).aton(T0 + 5, ATON_B, 20.75, 106.75)
    for dt in (300, 600, 601, 606, 1200):
        log.pos(T0 + dt, V1, 20.0, 106.0)
    log.aton(T0 + 1300, ATON_A, 20.75, 106.75)  # A is back
    log.pos(T0 + 1901, V1, 20.0, 106.0)  # A silent again; B still lost: no repeat
    log.aton(T0 + 1990, ATON_D, 20.75, 106.75).aton(T0 + 2000, ATON_C, 20.75, 106.75)
    log.pos(T0 + 3000, V1, 20.0, 106.0)  # D and C lost in one step: in time order
    log.aton(T0 + 3000, ATON_E, 20.75, 106.75)
    log.aton(T0 + 3700, ATON_E, 20.75, 106.75)  # E's own message ends a 700 s silence
    events, _ = run_events(tmp_path, log, None, csv, "--lost-after", "10")
    assert brief(events) == [
        ("lost_signal", ATON_A, iso(T0 + 600)),
        ("lost_signal", ATON_B, iso(T0 + 605)),
        ("lost_signal", ATON_A, iso(T0 + 1900)),
        ("lost_signal", ATON_D, iso(T0 + 2590)),
        ("lost_signal", ATON_C, iso(T0 + 2600)),
        ("lost_signal", ATON_E, iso(T0 + 3600)),
    ]


def test_all_prints_ends_and_fractional_times_are_cut(tmp_path: Path) -> None:
    zones = collection(square("Z", 106.0, 20.0, 107.0, 21.0, speed_limit_kn=5))
    log = Log()
    log.pos((T0 + 0.999) * 1000, V1, 20.5, 106.5, sog=6)  # c: in milliseconds
    log.pos(T0 + 10, V1, 20.5, 106.5, sog=4)
    events, _ = run_events(tmp_path, log, zones, None, "--all")
    assert brief(events) == [
        ("zone_enter", V1, iso(T0)),
        ("speeding", V1, iso(T0)),
        ("speeding_end", V1, iso(T0 + 10)),
    ]


def test_receivers_merged_by_time_and_duplicates_once(tmp_path: Path) -> None:
    zones = collection(square("Z", 106.0, 20.0, 107.0, 21.0))
    rx1, rx2 = Log(source="rx1"), Log(source="rx2")
    rx1.pos(T0, V1, 20.5, 106.5).pos(T0 + 20, V1, 20.5, 106.5, sog=6)
    rx2.pos(T0 + 10, V1, 22.0, 106.5)  # only rx2 heard this one: V1 was outside at T0 + 10
    rx2.pos(T0 + 20, V1, 20.5, 106.5, sog=6)  # the same transmission as rx1's: counted once
    rx2.lines[-1] = rx2.lines[-1].replace(f"c:{T0 + 20}", f"c:{T0 + 21}")
    events, summary = run_events(tmp_path, [rx1, rx2], zones)
    assert brief(events, "zone") == [
        ("zone_enter", V1, iso(T0), "Z"),
        ("zone_exit", V1, iso(T0 + 10), "Z"),
        ("zone_enter", V1, iso(T0 + 20), "Z"),
    ]
    assert summary["duplicates"] == 1 and summary["messages"] == 3


def test_multipart_static_and_untimed_lines(tmp_path: Path) -> None:
    zones = collection(square("Z", 106.0, 20.0, 107.0, 21.0))
    log = Log()
    log.add(T0, {"type": 5, "mmsi": V1, "shipname": "TAU A", "shiptype": 70, "callsign": "XV1"})
    log.pos(T0 + 10, V1, 20.5, 106.5)
    log.pos(None, V1, 22.0, 106.5)  # no time: takes the newest time seen
    events, summary = run_events(tmp_path, log, zones)
    assert brief(events) == [("zone_enter", V1, iso(T0 + 10)), ("zone_exit", V1, iso(T0 + 10))]
    assert summary["untimed"] == 1


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    log = Log().pos(T0, V1, 20.5, 106.5).write(tmp_path / "a.nmea")
    result = runner.invoke(app, ["ais", "events", str(tmp_path / "missing.nmea")])
    assert result.exit_code == 2 and "no such file" in result.stderr
    bad_zones = tmp_path / "z.geojson"
    bad_zones.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["ais", "events", "--zones", str(bad_zones), str(log)])
    assert result.exit_code == 2 and "not JSON" in result.stderr
    bad_zones.write_text(json.dumps(collection(square("Z", 106, 20, 107, 21, speed_limit_kn="x"))))
    result = runner.invoke(app, ["ais", "events", "--zones", str(bad_zones), str(log)])
    assert result.exit_code == 2 and "speed_limit_kn" in result.stderr
    csv = tmp_path / "a.csv"
    csv.write_text("mmsi,name,lat,lon,radius_m\n995741001,A,20,106,50\n12ab,B,20,106,50\n")
    result = runner.invoke(app, ["ais", "events", "--atons", str(csv), str(log)])
    assert result.exit_code == 2 and "a.csv:3" in result.stderr
    points = tmp_path / "p.geojson"
    points.write_text(json.dumps(collection(
        square("Z", 106, 20, 107, 21),
        {"type": "Feature", "properties": {"name": "P"},
         "geometry": {"type": "Point", "coordinates": [106.5, 20.5]}},
    )))  # fmt: skip
    result = runner.invoke(app, ["ais", "events", "--zones", str(points), str(log)])
    assert result.exit_code == 0 and "Point is not an area" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["type"] == "zone_enter"
