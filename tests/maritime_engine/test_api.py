"""The maritime API over a store the engine filled from the Hai Phong scenario. Expected values
come from the scenario's definition (ships, routes, buoys), not from the code under test."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from giamsat.maritime import scenario
from tests.maritime_engine.conftest import SECONDS
from tests.maritime_engine.helpers import T0, collection, square

API = "/api/v1/maritime"
SHIPS = {s.mmsi: s for s in scenario.SHIPS}


def test_roles(client_for) -> None:
    assert client_for().get(f"{API}/vessels").status_code == 401
    assert client_for("enterprise").get(f"{API}/vessels").status_code == 403
    ministry = client_for("ministry")
    assert ministry.get(f"{API}/vessels").status_code == 200
    assert ministry.post(f"{API}/markers", json={"lat": 20, "lon": 106}).status_code == 403
    assert (
        client_for("operator").post(f"{API}/markers", json={"lat": 20, "lon": 106}).status_code
        == 201
    )


def test_summary_and_sources(client_for) -> None:
    c = client_for("operator")
    s = c.get(f"{API}/summary").json()
    assert s["vessels"]["total"] == len(scenario.SHIPS)
    assert s["atons"]["registered"] == len(scenario.BUOYS)
    assert s["atons"]["lost"] == 1 and s["atons"]["alarm"] == 3  # silent; drift, voltage, light
    assert s["zones"]["active"] == len(scenario.ZONES["features"])
    assert c.get(f"{API}/sources").json() == {"running": False, "sources": []}


def test_vessel_search(client_for) -> None:
    c = client_for("operator")

    def mmsis(**params) -> set[int]:
        r = c.get(f"{API}/vessels", params={"limit": 100, **params})
        assert r.status_code == 200, r.text
        return {v["mmsi"] for v in r.json()["items"]}

    assert mmsis(q="express") == {scenario.SPEEDER}
    assert mmsis(q="4120") == {412001009}  # MMSI prefix
    assert mmsis(q="9811000") == {574001008}  # IMO
    assert mmsis(callsign="xvpl4") == {574001004}
    assert mmsis(flag="VN") == {m for m in SHIPS if str(m).startswith("574")}
    assert mmsis(flag=["CN", "PA"]) == {412001009, 351001010}
    assert mmsis(category="tanker") == {574001004}
    assert mmsis(category=["fishing", "tug"]) == {574001006, 574001007}
    assert mmsis(ship_type=71) == {m for m, s in SHIPS.items() if s.ship_type == 71}
    assert mmsis(min_length=200) == {574001008, 351001010}
    assert mmsis(max_length=40, min_width=6) == {574001007}
    assert mmsis(bbox="107.0,20.70,107.1,20.71") == {574001008}  # at anchor off the channel
    group = c.post(f"{API}/groups", json={"name": "search test", "members": [574001002]}).json()
    assert mmsis(group=group["id"]) == {574001002}
    assert c.get(f"{API}/vessels", params={"category": "spaceship"}).status_code == 422
    items = c.get(f"{API}/vessels", params={"q": "express"}).json()["items"]
    assert items[0]["ship_type_text"] and items[0]["flag_name"] == "Việt Nam"
    assert items[0]["length"] == SHIPS[scenario.SPEEDER].length


def test_vessel_downloads(client_for) -> None:
    c = client_for("operator")
    text = c.get(f"{API}/vessels", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {int(r["mmsi"]) for r in rows} == set(SHIPS)
    book = openpyxl.load_workbook(
        io.BytesIO(c.get(f"{API}/vessels", params={"format": "xlsx"}).content)
    )
    assert book.active.max_row == len(SHIPS) + 1
    geo = c.get(f"{API}/vessels", params={"format": "geojson"}).json()
    assert {f["id"] for f in geo["features"]} == set(SHIPS)


def _at(ship: scenario.Ship, ts: int) -> tuple[float, float]:
    lat, lon, _ = scenario.ship_position(ship, ts - T0)
    return round(lat, 6), round(lon, 6)


def test_vessel_detail_state_and_picture(client_for) -> None:
    c = client_for("operator")
    detail = c.get(f"{API}/vessels/574001001").json()
    assert detail["name"] == "TAN CANG 18" and detail["callsign"] == "XVTC8"
    assert detail["imo"] == 9700101 and detail["flag"] == "VN"
    assert [z["zone"] for z in detail["inside_zones"]] == ["Luồng Lạch Huyện"]  # sails in it
    intruder = c.get(f"{API}/vessels/{scenario.INTRUDER}").json()
    assert intruder["inside_zones"] == [] and intruder["open_alerts"] >= 1  # the exit alert
    assert c.get(f"{API}/vessels/111111111").status_code == 404

    ship = SHIPS[scenario.SPEEDER]
    at = T0 + 300
    state = c.get(f"{API}/vessels/{ship.mmsi}/state", params={"at": at}).json()
    fix = state["position"]
    assert at - 60 <= fix["ts"] <= at
    assert (fix["lat"], fix["lon"]) == pytest.approx(_at(ship, fix["ts"]), abs=2e-6)
    assert fix["sog"] == 15.0  # speeding then
    assert state["name"] == ship.name and state["length"] == ship.length
    early = c.get(f"{API}/vessels/{ship.mmsi}/state", params={"at": T0 - 10}).json()
    assert early["position"] is None  # not heard yet

    picture = c.get(f"{API}/picture", params={"at": at, "lookback": 600}).json()
    assert {p["mmsi"] for p in picture["items"]} == set(SHIPS)
    for p in picture["items"]:
        assert at - 600 <= p["ts"] <= at
        assert (p["lat"], p["lon"]) == pytest.approx(_at(SHIPS[p["mmsi"]], p["ts"]), abs=2e-6)
    west = c.get(f"{API}/picture", params={"at": at, "bbox": "106.0,20.0,106.9,21.0"}).json()
    assert {p["mmsi"] for p in west["items"]} < set(SHIPS)


def test_track_exports_agree(client_for) -> None:
    c = client_for("operator")
    mmsi = 574001001
    params = {"from": T0, "to": T0 + SECONDS}
    points = c.get(f"{API}/vessels/{mmsi}/track", params=params).json()["items"]
    assert len(points) >= 10
    assert [p["ts"] for p in points] == sorted(p["ts"] for p in points)
    for p in points:
        assert (p["lat"], p["lon"]) == pytest.approx(_at(SHIPS[mmsi], p["ts"]), abs=2e-6)
    text = c.get(f"{API}/vessels/{mmsi}/track", params={**params, "format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(points) and rows[0]["time"].endswith("+07:00")
    assert float(rows[-1]["lat"]) == points[-1]["lat"]
    geo = c.get(f"{API}/vessels/{mmsi}/track", params={**params, "format": "geojson"}).json()
    line = geo["features"][0]
    assert line["geometry"]["type"] == "LineString"
    assert line["geometry"]["coordinates"] == [[p["lon"], p["lat"]] for p in points]
    gpx = ET.fromstring(
        c.get(f"{API}/vessels/{mmsi}/track", params={**params, "format": "gpx"}).content
    )
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    trkpts = gpx.findall(".//g:trkpt", ns)
    assert len(trkpts) == len(points)
    assert float(trkpts[0].get("lat")) == pytest.approx(points[0]["lat"], abs=1e-7)
    assert trkpts[0].find("g:time", ns).text.endswith("Z")
    xlsx = c.get(f"{API}/vessels/{mmsi}/track", params={**params, "format": "xlsx"})
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.max_row == len(points) + 1
    group = c.post(
        f"{API}/groups", json={"name": "track test", "members": [mmsi, 351001010]}
    ).json()
    both = c.get(f"{API}/tracks", params={**params, "group": group["id"]}).json()["items"]
    assert {p["mmsi"] for p in both} == {mmsi, 351001010}
    assert c.get(f"{API}/tracks", params=params).status_code == 422


def test_groups(client_for) -> None:
    c = client_for("operator")
    g = c.post(f"{API}/groups", json={"name": "Nhóm A", "color": "#ff0000", "members": [1, 2]})
    assert g.status_code == 201
    gid = g.json()["id"]
    assert c.post(f"{API}/groups", json={"name": "Nhóm A"}).status_code == 422
    assert c.patch(f"{API}/groups/{gid}", json={"color": "red"}).status_code == 422
    assert (
        c.patch(f"{API}/groups/{gid}", json={"color": "#00ff00", "visible": False}).json()[
            "visible"
        ]
        is False
    )
    assert c.post(f"{API}/groups/{gid}/members", json={"mmsi": [2, 3]}).json()["members"] == [
        1,
        2,
        3,
    ]
    assert c.delete(f"{API}/groups/{gid}/members/1").json()["members"] == [2, 3]
    assert c.put(f"{API}/groups/{gid}/members", json={"mmsi": [9]}).json()["members"] == [9]
    listed = {x["id"]: x for x in c.get(f"{API}/groups").json()["items"]}
    assert listed[gid]["member_count"] == 1 and listed[gid]["color"] == "#00ff00"
    assert c.delete(f"{API}/groups/{gid}").status_code == 204
    assert c.get(f"{API}/groups/{gid}").status_code == 404


def test_routes(client_for) -> None:
    c = client_for("operator")
    body = {"name": "Route 1", "mmsi": 574001002, "waypoints": [
        {"lat": 20.7, "lon": 106.9, "name": "A"},
        {"lat": 20.8, "lon": 106.95, "planned_at": "2025-11-21T12:00:00+07:00"}]}  # fmt: skip
    r = c.post(f"{API}/routes", json=body)
    assert r.status_code == 201, r.text
    route = r.json()
    assert [w["seq"] for w in route["waypoints"]] == [1, 2]
    assert route["waypoints"][1]["planned_at"] == "2025-11-21T05:00:00Z"
    geo = c.get(f"{API}/routes", params={"mmsi": 574001002, "format": "geojson"}).json()
    assert geo["features"][0]["geometry"]["coordinates"] == [[106.9, 20.7], [106.95, 20.8]]
    patched = c.patch(f"{API}/routes/{route['id']}", json={"waypoints": [{"lat": 1, "lon": 2}]})
    assert len(patched.json()["waypoints"]) == 1
    assert (
        c.post(
            f"{API}/routes", json={"name": "x", "waypoints": [{"lat": 95, "lon": 0}]}
        ).status_code
        == 422
    )
    assert c.delete(f"{API}/routes/{route['id']}").status_code == 204


def test_atons_status_history_and_config(client_for) -> None:
    c = client_for("operator")
    items = {a["mmsi"]: a for a in c.get(f"{API}/atons").json()["items"]}
    assert set(items) == {b.mmsi for b in scenario.BUOYS}
    assert items[scenario.SILENT]["status"] == "lost"
    assert "off_position" in items[scenario.DRIFTING]["conditions"]
    assert items[scenario.DRIFTING]["distance_m"] > 50
    assert items[scenario.LIGHT_FAILURE]["light"] == 3
    assert items[scenario.LOW_VOLTAGE]["voltage"] < 11.5
    assert items[995741001]["status"] == "ok"
    lost = c.get(f"{API}/atons", params={"status": "lost"}).json()["items"]
    assert [a["mmsi"] for a in lost] == [scenario.SILENT]
    tree = c.get(f"{API}/atons/tree").json()["areas"]
    assert {a["area"] for a in tree} == {b.area for b in scenario.BUOYS}

    history = c.get(f"{API}/atons/{scenario.LOW_VOLTAGE}/history",
                    params={"from": T0, "to": T0 + SECONDS}).json()["items"]  # fmt: skip
    volts = [h["voltage"] for h in history if h["msg_type"] == 6]
    assert len(volts) == SECONDS // 30 and volts == sorted(volts, reverse=True)
    # first report 23 s into the cycle: 12.6 - 0.012 * 23 = 12.32 V, sent in 0.05 V steps
    assert volts[0] == 12.3 and min(volts) == 10.9
    positions = [h for h in history if h["msg_type"] == 21]
    assert positions and all(p["lat"] == 20.718 for p in positions)
    text = c.get(f"{API}/atons/{scenario.LOW_VOLTAGE}/history",
                 params={"from": T0, "to": T0 + SECONDS, "format": "csv"}).text  # fmt: skip
    assert len(list(csv.DictReader(io.StringIO(text)))) == len(history)

    r = c.put(
        f"{API}/atons/995741001/config", json={"low_voltage_v": 12.9, "rule_racon_error": False}
    )
    assert r.status_code == 200, r.text
    config = c.get(f"{API}/atons/995741001/config").json()
    assert config["own"] == {"low_voltage_v": "12.9", "rule_racon_error": "false"}
    assert config["effective"]["lost_after_min"] == "2.0"
    assert c.put(f"{API}/atons/995741001/config", json={"low_voltage_v": -1}).status_code == 422
    assert c.put(f"{API}/atons/995741001/config", json={"bogus": 1}).status_code == 422
    detail = c.get(f"{API}/atons/{scenario.LIGHT_FAILURE}").json()
    assert detail["light_text"] and detail["aid_type_text"]


def test_aton_registry_edits(client_for) -> None:
    c = client_for("operator")
    csv_text = "mmsi,name,lat,lon,radius_m,area\n995749001,Phao X,20.5,106.5,30,Test\n"
    r = c.post(f"{API}/atons/import", content=csv_text, headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 1, "updated": 0}
    bad = "mmsi,name,lat,lon\n995749002,Ok,20,106\nxyz,Bad,20,106\n"
    r = c.post(f"{API}/atons/import", content=bad, headers={"content-type": "text/csv"})
    assert r.status_code == 422 and "upload:3" in r.text
    assert c.get(f"{API}/atons/995749002").status_code == 404  # nothing imported
    assert c.patch(f"{API}/atons/995749001", json={"radius_m": 40}).json()["radius_m"] == 40
    r = c.post(f"{API}/atons", json={"mmsi": 995749003, "name": "New", "lat": 20.1, "lon": 106.1})
    assert r.status_code == 201 and r.json()["registered"] is True
    assert c.delete(f"{API}/atons/995749003").status_code == 204
    unregistered = c.get(f"{API}/atons", params={"registered": False}).json()["items"]
    assert 995749003 in {a["mmsi"] for a in unregistered}


def test_zones_geojson_round_trip(client_for) -> None:
    c = client_for("operator")
    listed = c.get(f"{API}/zones").json()["items"]
    assert [z["name"] for z in listed] == [
        f["properties"]["name"] for f in scenario.ZONES["features"]
    ]
    exported = c.get(f"{API}/zones", params={"format": "geojson"}).json()
    for got, sent in zip(exported["features"], scenario.ZONES["features"], strict=True):
        assert got["geometry"]["coordinates"][0] == [
            list(p) for p in sent["geometry"]["coordinates"][0]
        ]
        assert got["properties"].get("speed_limit_kn") == sent["properties"].get("speed_limit_kn")
    again = c.post(f"{API}/zones/import", json=exported).json()
    assert again == {"created": 0, "updated": len(listed), "removed": 0, "skipped": []}

    feature = square("Test zone", 106.1, 20.1, 106.2, 20.2, kind="danger", speed_limit_kn=5)
    r = c.post(f"{API}/zones", json=feature)
    assert r.status_code == 201, r.text
    zid = r.json()["id"]
    assert r.json()["alert_on"] == "enter" and r.json()["guid"]
    assert c.patch(f"{API}/zones/{zid}", json={"speed_limit_kn": 7}).json()["speed_limit_kn"] == 7
    bad = {"type": "Feature", "properties": {"name": "P"},
           "geometry": {"type": "Point", "coordinates": [106, 20]}}  # fmt: skip
    assert c.post(f"{API}/zones", json=bad).status_code == 422
    imported = c.post(
        f"{API}/zones/import", json=collection(square("Imported", 1, 1, 2, 2), bad)
    ).json()
    assert imported["created"] == 1 and imported["skipped"]
    assert c.delete(f"{API}/zones/{zid}").status_code == 204
    assert c.get(f"{API}/zones/{zid}").status_code == 404


def test_zone_log_and_exports(client_for) -> None:
    c = client_for("operator")
    zones = {z["name"]: z["id"] for z in c.get(f"{API}/zones").json()["items"]}
    restricted = zones["Khu neo đậu hạn chế Cát Hải"]
    log = c.get(f"{API}/zone-log", params={"zone": restricted}).json()
    assert [e["mmsi"] for e in log["items"]] == [scenario.INTRUDER]
    entry = log["items"][0]
    assert entry["ship_type"] == 30 and entry["length"] == 18 and entry["width"] == 5
    assert entry["kind"] == "restricted"
    # The boat sails (20.744, 107.013) -> (20.775, 107.033), 4,030 m, at 8 kn (4.116 m/s),
    # reporting at 5, 15, 25 … s: it crosses lon 107.015 after 403 m (98 s, first report
    # inside at 105 s) and lat 20.77 after 3,380 m (821 s, first report outside at 825 s).
    assert (entry["time_in"], entry["time_out"]) == (T0 + 105, T0 + 825)
    assert entry["duration_s"] == 720
    everything = c.get(f"{API}/zone-log", params={"limit": 5000}).json()
    total = everything["total"]
    text = c.get(f"{API}/zone-log", params={"format": "csv"}).text
    assert len(list(csv.DictReader(io.StringIO(text)))) == total
    txt = c.get(f"{API}/zone-log", params={"format": "txt"}).text
    assert f"{total} lượt / entries" in txt and "HP 90123 TS" in txt
    book = openpyxl.load_workbook(
        io.BytesIO(c.get(f"{API}/zone-log", params={"format": "xlsx"}).content)
    )
    assert book.active.max_row == total + 1
    inside = c.get(f"{API}/zone-log", params={"inside": True}).json()
    assert all(e["time_out"] is None for e in inside["items"])


def test_markers_settings_lookups_distance(client_for) -> None:
    c = client_for("operator")
    m = c.post(
        f"{API}/markers", json={"lat": 20.7, "lon": 106.9, "name": "Shoal", "note": "n"}
    ).json()
    assert (
        c.patch(f"{API}/markers/{m['id']}", json={"note": "surveyed"}).json()["note"] == "surveyed"
    )
    assert any(x["id"] == m["id"] for x in c.get(f"{API}/markers").json()["items"])
    assert c.delete(f"{API}/markers/{m['id']}").status_code == 204
    r = c.put(f"{API}/settings", json={"speed_limit_kn": 14})
    assert r.status_code == 200
    assert {s["name"]: s["value"] for s in r.json()["items"]}["speed_limit_kn"] == "14.0"
    assert c.put(f"{API}/settings", json={"speed_limit_kn": "fast"}).status_code == 422
    lookups = c.get(f"{API}/lookups", params={"lang": "en"}).json()
    assert lookups["light_status"]["3"] and "restricted" in lookups["zone_kinds"]
    d = c.get(f"{API}/distance", params={"from": "0,0", "to": "1,0"}).json()
    assert d["m"] == pytest.approx(110_574.4, abs=1.0)  # one degree of latitude at the equator
    assert d["nm"] == pytest.approx(d["m"] / 1852)


def test_openapi_documents_the_maritime_api(client_for) -> None:
    spec = client_for().get("/openapi.json").json()
    paths = [p for p in spec["paths"] if p.startswith(API)]
    for expected in ("/vessels", "/vessels/{mmsi}/state", "/picture", "/tracks", "/groups",
                     "/routes", "/atons", "/atons/{mmsi}/history", "/atons/{mmsi}/config",
                     "/zones", "/zones/import", "/zone-log", "/markers", "/settings"):  # fmt: skip
        assert API + expected in paths
    for path in paths:
        for op in spec["paths"][path].values():
            assert op["tags"] == ["maritime"]
    assert json.dumps(spec)  # serialisable


def test_import_atons_from_an_enc_cell(client_for, harbour, shared) -> None:
    import pyogrio
    import shapely

    from giamsat.maritime.enc.catalog import ChartLibrary
    from giamsat.maritime.enc.importer import Importer

    cell = shared / "corpus/enc/ecdis_chart1/ENC_ROOT/AA4C1XMS.000"
    report = Importer(ChartLibrary(harbour.store, harbour.settings.home)).run([cell])
    assert not report.errors
    _, table = pyogrio.raw.read_arrow(cell, layer="BOYCAR")  # read on its own, not by our code
    lnams = table["LNAM"].to_pylist()[:2]
    points = shapely.from_wkb(table["wkb_geometry"].to_pylist()[:2])
    picks = {f"AA4C1XMS:{lnam}": 995740100 + i for i, lnam in enumerate(lnams)}
    c = client_for("operator")
    r = c.post(f"{API}/atons/import-enc", json={"mmsi": picks, "radius_m": 40})
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "updated": 0}
    for i, (ident, mmsi) in enumerate(picks.items()):
        row = c.get(f"{API}/atons/{mmsi}").json()
        point = points[i]
        assert (row["lat"], row["lon"]) == pytest.approx((point.y, point.x), abs=1e-7)
        assert row["kind"] == "buoy" and row["radius_m"] == 40 and row["enc_id"] == ident
    missing = c.post(f"{API}/atons/import-enc", json={"mmsi": {"AA4C1XMS:nope": 995740199}})
    assert missing.status_code == 422 and "nope" in missing.text


def test_vessel_static_log_lists_what_changed(client_for, harbour) -> None:
    from sqlalchemy import delete, select

    from giamsat.maritime.schema import vessel_static_log

    c = client_for("ministry")
    ship = SHIPS[574001001]
    first = c.get(f"{API}/vessels/{ship.mmsi}/static-log").json()["items"]
    assert first, "the engine logs the static data it first hears"
    oldest = {ch["field"]: ch for ch in first[-1]["changes"]}
    assert oldest["name"] == {"field": "name", "old": None, "new": ship.name}
    with harbour.store.engine.connect() as conn:
        latest = (
            conn.execute(
                select(vessel_static_log.c.fields)
                .where(vessel_static_log.c.mmsi == ship.mmsi)
                .order_by(vessel_static_log.c.ts.desc())
            )
            .scalars()
            .first()
        )
    later = T0 + 86_400  # after everything the other tests look at
    changed = {**latest, "destination": "SINGAPORE", "callsign": "XVTC9"}
    with harbour.store.write() as conn:
        conn.execute(vessel_static_log.insert().values(mmsi=ship.mmsi, ts=later, fields=changed))
    try:
        items = c.get(f"{API}/vessels/{ship.mmsi}/static-log").json()["items"]
        assert items[0]["ts"] == later
        assert items[0]["changes"] == [
            {"field": "callsign", "old": latest.get("callsign"), "new": "XVTC9"},
            {"field": "destination", "old": latest.get("destination"), "new": "SINGAPORE"},
        ]
        assert len(items) == len(first) + 1
        assert c.get(f"{API}/vessels/111111111/static-log").json()["items"] == []
    finally:
        with harbour.store.write() as conn:
            conn.execute(
                delete(vessel_static_log).where(
                    vessel_static_log.c.mmsi == ship.mmsi, vessel_static_log.c.ts == later
                )
            )
