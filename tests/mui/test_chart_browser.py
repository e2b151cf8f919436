"""The maritime chart page in headless Chromium: the imported NOAA cell renders (DAY and NIGHT
screenshots in test-artifacts/), a measured distance agrees with pyproj's geodesic, a drawn
zone is on the server after a reload, the time slider shows where a vessel was, and an AtoN
alarm sent through the live hub pops up and can be acknowledged."""

from __future__ import annotations

import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod

from tests.mui.conftest import P1, P2, P3, SLIDER_MMSI, Harbour

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
GEOD = Geod(ellps="WGS84")
HAI_PHONG = "?lon=106.93&lat=20.75&z=11"


def _mean_luminance(png: bytes) -> float:
    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(BytesIO(png)).convert("L")).mean[0]


def _canvas_box(p: Any) -> dict[str, float]:
    return p.page.locator("#mui-map canvas").bounding_box()


def test_chart_renders_imported_cell_day_and_night(chart_page: Any, imported_library: Any) -> None:
    row = imported_library.get("US4MD81M")
    lon, lat = (row["west"] + row["east"]) / 2, (row["south"] + row["north"]) / 2
    p = chart_page("operator")
    p.open(f"?lon={lon}&lat={lat}&z=11")
    assert p.page.locator("[data-no-enc]").count() == 0
    assert "US4MD81M" in p.page.locator(".mui-cells").inner_text()
    enc = p.eval(
        "() => __muiMap.queryRenderedFeatures().filter(f => f.source === 'enc').map(f => f.properties.OBJNAME)"
    )
    assert len(enc) > 50, enc[:10]
    assert {"DEPARE", "LNDARE"} <= set(enc) or {"DEPARE", "DEPCNT"} <= set(enc), sorted(set(enc))
    ARTIFACTS.mkdir(exist_ok=True)
    map_el = p.page.locator("#mui-map")
    day = map_el.screenshot(path=str(ARTIFACTS / f"mui-chart-day-{p.backend}.png"))
    p.page.click("[data-tool=settings]")
    p.page.click("[data-scheme=NIGHT]")
    p.page.wait_for_selector("#mui-map[data-rendered=NIGHT]", timeout=30000)
    assert "NIGHT" in p.eval("() => __muiMap.getStyle().sprite")
    # overlays survive the palette switch
    assert p.eval("() => !!__muiMap.getLayer('mui-vessels') && !!__muiMap.getLayer('mui-atons')")
    night = map_el.screenshot(path=str(ARTIFACTS / f"mui-chart-night-{p.backend}.png"))
    assert _mean_luminance(night) < _mean_luminance(day) - 40
    # DUSK, and the display category: Base shows fewer chart features than All
    p.page.click("[data-scheme=DUSK]")
    p.page.wait_for_selector("#mui-map[data-rendered=DUSK]", timeout=30000)
    dusk = map_el.screenshot(path=str(ARTIFACTS / f"mui-chart-dusk-{p.backend}.png"))
    assert _mean_luminance(night) < _mean_luminance(dusk) < _mean_luminance(day)
    counts = {}
    for category in ("all", "base"):
        p.page.select_option("[data-setting=category]", category)
        p.page.wait_for_function(
            "(c) => __muiMap.getStyle().layers.some(l => l.metadata && l.metadata['giamsat:category'] === 'all' && (l.layout || {}).visibility === (c === 'all' ? 'visible' : 'none'))",
            arg=category,
            timeout=20000,
        )
        p.page.wait_for_selector("#mui-map[data-rendered=DUSK]", timeout=30000)
        p.page.wait_for_timeout(500)
        counts[category] = p.eval(
            "() => __muiMap.queryRenderedFeatures().filter(f => f.source === 'enc').length"
        )
    assert counts["base"] < counts["all"], counts
    # a layer group switched off hides its layers
    p.page.uncheck("[data-group=soundings]")
    p.page.wait_for_function(
        "() => __muiMap.getStyle().layers.filter(l => l.metadata && l.metadata['giamsat:group'] === 'soundings').every(l => (l.layout || {}).visibility === 'none')",
        timeout=20000,
    )
    assert not p.errors, p.errors


def test_live_picture_and_vessel_panel(chart_page: Any, harbour: Harbour) -> None:
    p = chart_page("operator")
    p.open(HAI_PHONG)
    p.page.wait_for_function(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-vessels']}).length >= 5", timeout=20000
    )
    atons = p.eval(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-atons']}).map(f => [f.properties.mmsi, f.properties.status])"
    )
    assert len(atons) >= 4
    ARTIFACTS.mkdir(exist_ok=True)
    p.page.screenshot(path=str(ARTIFACTS / f"mui-live-{p.backend}.png"))
    # a vessel from the scenario: click it, the panel shows its decoded fields
    xy = p.eval(
        "() => { const f = __muiMap.queryRenderedFeatures({layers: ['mui-vessels']}).find(f => f.properties.mmsi === 574001001); return f && __muiMap.project(f.geometry.coordinates); }"
    )
    assert xy, "TAN CANG 18 is not on the chart"
    box = _canvas_box(p)
    p.page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    p.page.wait_for_selector("[data-vessel='574001001'] [data-field=callsign]", timeout=10000)
    assert "XVTC8" in p.page.locator("[data-vessel='574001001'] [data-field=callsign]").inner_text()
    assert p.page.locator("[data-vessel='574001001'] [data-field=ship_type_text]").count() == 1
    p.page.screenshot(path=str(ARTIFACTS / f"mui-vessel-panel-{p.backend}.png"))
    p.page.click("[data-action=track]")
    p.page.wait_for_function(
        "() => __muiMap.querySourceFeatures('mui-tracks').length > 0", timeout=10000
    )
    # zoomed in, the vessel is drawn to scale: 172 m from bow to stern, 27 m beam
    p.eval(
        "() => __muiMap.jumpTo({center: __mui.vessels.vessels.get(574001001) && [__mui.vessels.vessels.get(574001001).lon, __mui.vessels.vessels.get(574001001).lat], zoom: 16})"
    )
    p.page.wait_for_function(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-hulls']}).some(f => f.properties.mmsi === 574001001)",
        timeout=10000,
    )
    ring = p.eval(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-hulls']}).find(f => f.properties.mmsi === 574001001).geometry.coordinates[0]"
    )
    bow, stern = ring[0], [(ring[2][0] + ring[3][0]) / 2, (ring[2][1] + ring[3][1]) / 2]
    length = GEOD.inv(bow[0], bow[1], stern[0], stern[1])[2]
    beam = GEOD.inv(ring[2][0], ring[2][1], ring[3][0], ring[3][1])[2]
    assert abs(length - 172) < 4 and abs(beam - 27) < 2, (length, beam)
    p.page.screenshot(path=str(ARTIFACTS / f"mui-to-scale-{p.backend}.png"))
    p.eval("() => __muiMap.jumpTo({center: [106.93, 20.75], zoom: 11})")
    # a live AtoN report: alarm colour and a line from the charted to the reported position
    harbour.hub.publish(
        "ais.aton",
        {
            "mmsi": 995741001,
            "name": "PHAO SO 0 LACH HUYEN",
            "status": "alarm",
            "conditions": ["off_position"],
            "lat": 20.7000,
            "lon": 107.0010,
            "last_seen": harbour.now,
        },
    )
    p.page.wait_for_function(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-aton-lines']}).some(f => f.properties.mmsi === 995741001)",
        timeout=10000,
    )
    aton = p.eval(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-atons']}).find(f => f.properties.mmsi === 995741001).properties"
    )
    assert (
        aton["status"] == "alarm"
        and aton["colour"] == "#e01b1b"
        and aton["name"] == "Phao số 0 Lạch Huyện"
    )
    # a live report moves the vessel (batched per animation frame)
    harbour.hub.publish(
        "ais.vessel",
        {
            "vessels": [
                {
                    "mmsi": 574001001,
                    "lat": 20.7,
                    "lon": 106.95,
                    "sog": 9.0,
                    "cog": 90.0,
                    "heading": 90,
                    "ts": harbour.now,
                }
            ]
        },
    )
    p.page.wait_for_function(
        "() => { const f = __muiMap.querySourceFeatures('mui-vessels').find(f => f.properties.mmsi === 574001001); return f && Math.abs(f.geometry.coordinates[0] - 106.95) < 1e-3 && f.properties.rot === 90; }",
        timeout=10000,
    )
    assert not p.errors, p.errors


def test_measured_distance_within_half_percent_of_pyproj(chart_page: Any) -> None:
    p = chart_page("ministry")
    p.open("?lon=106.93&lat=20.75&z=9")
    p.page.click("[data-tool=distance]")
    box = _canvas_box(p)
    pixels = [(120, 140), (box["width"] - 160, box["height"] - 120)]
    for x, y in pixels:
        p.page.mouse.click(box["x"] + x, box["y"] + y)
    p.page.wait_for_selector(".mui-measure-total[data-m]")
    shown = float(p.page.get_attribute(".mui-measure-total", "data-m"))
    (lon1, lat1), (lon2, lat2) = (
        p.eval("(xy) => __muiMap.unproject(xy).toArray()", list(xy)) for xy in pixels
    )
    _, _, expected = GEOD.inv(lon1, lat1, lon2, lat2)
    assert expected > 50_000
    assert abs(shown - expected) / expected < 0.005, (shown, expected)
    assert "NM" in p.page.locator(".mui-measure-total").inner_text()
    # the area tool on a triangle, against pyproj's geodesic polygon area
    p.page.click("[data-tool=area]")
    tri = [(200, 200), (box["width"] - 200, 260), (400, box["height"] - 150)]
    for x, y in tri:
        p.page.mouse.click(box["x"] + x, box["y"] + y)
    p.page.wait_for_selector(".mui-measure-total[data-m2]")
    area = float(p.page.get_attribute(".mui-measure-total", "data-m2"))
    lonlat = [p.eval("(xy) => __muiMap.unproject(xy).toArray()", list(xy)) for xy in tri]
    expected_area, _ = GEOD.polygon_area_perimeter([c[0] for c in lonlat], [c[1] for c in lonlat])
    assert abs(area - abs(expected_area)) / abs(expected_area) < 0.005, (area, expected_area)
    assert not p.errors, p.errors


def test_drawn_zone_survives_reload(chart_page: Any, harbour: Harbour) -> None:
    p = chart_page("operator")
    p.open(HAI_PHONG)
    p.page.click("[data-tool=zone]")
    box = _canvas_box(p)
    corners = [(300, 250), (600, 240), (620, 520), (310, 540)]
    for x, y in corners:
        p.page.mouse.click(box["x"] + x, box["y"] + y)
    p.page.click("[data-action=finish-zone]")
    p.page.fill("input[name=zone-name]", "Vùng thử nghiệm trình duyệt")
    p.page.fill("input[name=zone-speed]", "6")
    p.page.select_option("select[name=zone-kind]", "watch")
    p.page.click("form[data-zone-form=new] button[type=submit]")
    p.page.wait_for_function(
        "() => [...__mui.zones.zones.values()].some(z => z.name === 'Vùng thử nghiệm trình duyệt')",
        timeout=10000,
    )
    # on the server
    from giamsat.maritime import manage

    with harbour.store.engine.connect() as conn:
        saved = [z for z in manage.list_zones(conn) if z["name"] == "Vùng thử nghiệm trình duyệt"]
    assert len(saved) == 1 and saved[0]["speed_limit_kn"] == 6
    ring = saved[0]["geometry"]["coordinates"][0]
    expected = [p.eval("(xy) => __muiMap.unproject(xy).toArray()", list(xy)) for xy in corners]
    for (lon, lat), (elon, elat) in zip(ring[:4], expected, strict=True):
        assert abs(lon - elon) < 1e-6 and abs(lat - elat) < 1e-6
    p.page.reload()
    p.page.wait_for_selector("body[data-ready='maritime']", timeout=60000)
    p.page.wait_for_function(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-zone-lines']}).some(f => f.properties.name === 'Vùng thử nghiệm trình duyệt')",
        timeout=20000,
    )
    # and it opens in the property form when clicked (where no vessel or mark lies on top)
    spot = p.eval(
        """() => { for (let x = 330; x < 590; x += 20) for (let y = 280; y < 500; y += 20) {
            const f = __muiMap.queryRenderedFeatures([x, y]);
            if (f.length && f[0].layer.id === 'mui-zones') return [x, y]; } return null; }"""
    )
    assert spot, "no free spot inside the zone"
    p.page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
    p.page.wait_for_selector(f"form[data-zone-form='{saved[0]['id']}']", timeout=10000)
    assert p.page.input_value("input[name=zone-name]") == "Vùng thử nghiệm trình duyệt"
    # edit the shape: drag the first corner 60 px right and save
    p.page.click(f"form[data-zone-form='{saved[0]['id']}'] button:has-text('Sửa hình dạng')")
    x0, y0 = corners[0]
    p.page.mouse.move(box["x"] + x0, box["y"] + y0)
    p.page.mouse.down()
    p.page.mouse.move(box["x"] + x0 + 30, box["y"] + y0, steps=3)
    p.page.mouse.move(box["x"] + x0 + 60, box["y"] + y0, steps=3)
    p.page.mouse.up()
    moved = p.eval("(xy) => __muiMap.unproject(xy).toArray()", [x0 + 60, y0])
    p.page.click("[data-action=finish-shape]")
    p.page.wait_for_function(
        "(lon) => [...__mui.zones.zones.values()].some(z => Math.abs(z.geometry.coordinates[0][0][0] - lon) < 1e-6)",
        arg=moved[0],
        timeout=10000,
    )
    with harbour.store.engine.connect() as conn:
        ring = manage.zone_row(conn, saved[0]["id"])["geometry"]["coordinates"][0]
    assert abs(ring[0][0] - moved[0]) < 1e-6 and abs(ring[0][1] - moved[1]) < 1e-6
    assert len(ring) == 5
    assert not p.errors, p.errors


def _slide_to(p: Any, ts: int) -> int:
    """Move the slider to the step nearest ``ts``; returns the time it shows."""
    p.eval(
        """(ts) => { const r = document.querySelector('[data-slider]');
        const end = Math.floor(Date.now() / 1000), span = 86400;
        r.value = String(Math.round((ts - (end - span)) / span * 1000));
        r.dispatchEvent(new Event('input')); }""",
        ts,
    )
    p.page.wait_for_function(
        "() => { const l = document.querySelector('[data-time]'); return l.dataset.time && l.dataset.loaded === l.dataset.time; }",
        timeout=15000,
    )
    return int(p.page.get_attribute("[data-time]", "data-time"))


def _slider_vessel(p: Any) -> list[float] | None:
    p.page.wait_for_timeout(300)
    return p.eval(
        f"() => {{ const f = __muiMap.queryRenderedFeatures({{layers: ['mui-vessels']}}).find(f => f.properties.mmsi === {SLIDER_MMSI}); return f ? f.geometry.coordinates : null; }}"
    )


def test_time_slider_shows_past_position(chart_page: Any, harbour: Harbour) -> None:
    p = chart_page("operator")
    p.open("?lon=106.95&lat=20.765&z=10")
    live = _slider_vessel(p)
    assert live and abs(live[0] - P3[1]) < 1e-3 and abs(live[1] - P3[0]) < 1e-3, live
    shown = _slide_to(p, harbour.t1 + 300)
    assert harbour.t1 <= shown < harbour.t2
    at1 = _slider_vessel(p)
    assert at1 and abs(at1[0] - P1[1]) < 1e-3 and abs(at1[1] - P1[0]) < 1e-3, at1
    # clicked while looking back, the panel shows the vessel as it was then
    xy = p.eval("(c) => __muiMap.project(c)", at1)
    box = _canvas_box(p)
    p.page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    p.page.wait_for_selector(f"[data-vessel='{SLIDER_MMSI}'] [data-state-at]", timeout=10000)
    renamed = p.page.locator(f"[data-static-log='{SLIDER_MMSI}'] [data-change=name]").first
    renamed.wait_for(timeout=10000)  # the static-data log, newest first: renamed at t2
    assert "SLIDER OLD → SLIDER TEST" in renamed.inner_text(), renamed.inner_text()
    first_lat = p.page.locator(
        f"[data-vessel='{SLIDER_MMSI}'] [data-field=lat] td"
    ).first.inner_text()
    assert first_lat == f"{P1[0]:.6f}"
    shown = _slide_to(p, harbour.t2 + 300)
    assert harbour.t2 <= shown < harbour.now - 60
    at2 = _slider_vessel(p)
    assert at2 and abs(at2[0] - P2[1]) < 1e-3 and abs(at2[1] - P2[0]) < 1e-3, at2
    # before its first point the vessel is not in the picture
    _slide_to(p, harbour.t1 - 7200)
    assert _slider_vessel(p) is None
    p.page.click("[data-action=live]")
    p.page.wait_for_function(
        f"() => __muiMap.queryRenderedFeatures({{layers: ['mui-vessels']}}).some(f => f.properties.mmsi === {SLIDER_MMSI} && Math.abs(f.geometry.coordinates[0] - {P3[1]}) < 1e-3)",
        timeout=10000,
    )
    assert not p.errors, p.errors


def test_playback_of_a_vessel_track(chart_page: Any, harbour: Harbour) -> None:
    p = chart_page("operator")
    p.open("?lon=106.95&lat=20.765&z=10")
    p.page.fill("[data-playback=mmsi]", str(SLIDER_MMSI))
    p.page.click("[data-action=play]")
    p.page.wait_for_function(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-tracks']})"
        f".some(f => f.properties.mmsi === {SLIDER_MMSI})",
        timeout=10000,
    )
    p.page.wait_for_function(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-playback']}).length === 1",
        timeout=20000,
    )
    shown = int(p.page.get_attribute("[data-time]", "data-time"))
    where = p.eval(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-playback']})[0].geometry.coordinates"
    )
    # the marker is on the track between its stored points
    assert shown >= harbour.t1
    lons = sorted([P1[1], P2[1], P3[1]])
    assert lons[0] - 1e-3 <= where[0] <= lons[-1] + 1e-3, where
    p.page.click("[data-action=play]")  # pause
    p.page.click("[data-action=live]")
    p.page.wait_for_function(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-tracks', 'mui-playback']}).length === 0",
        timeout=10000,
    )
    assert not p.errors, p.errors


def test_playback_speed_is_a_multiple_of_real_time(chart_page: Any, harbour: Harbour) -> None:
    """×3600 plays the two-hour track in about two seconds; 'whole track in 1 minute' would
    still be at the start then."""
    p = chart_page("operator")
    p.open("?lon=106.95&lat=20.765&z=10")
    p.page.fill("[data-playback=mmsi]", str(SLIDER_MMSI))
    p.page.select_option("[data-playback=speed]", "3600")
    p.page.click("[data-action=play]")
    started = time.monotonic()
    p.page.wait_for_function(
        "() => { const s = document.querySelector('[data-slider]'); "
        "return s.dataset.mode === 'past' && s.value === '1000'; }",
        timeout=20000,
    )
    took = time.monotonic() - started
    assert took < 15, took  # the 1-minute default would need 60 s
    shown = int(p.page.get_attribute("[data-time]", "data-time"))
    assert shown >= harbour.now - 120  # the end of the track
    p.page.select_option("[data-playback=speed]", "fit")
    p.page.click("[data-action=play]")  # again, now a minute for the whole track
    p.page.wait_for_function(
        "() => { const v = Number(document.querySelector('[data-slider]').value); "
        "return v > 0 && v < 1000; }",
        timeout=20000,
    )
    p.page.wait_for_timeout(3000)
    value = int(p.page.eval_on_selector("[data-slider]", "el => Number(el.value)"))
    assert value <= 200, value  # ~3 s of 60 s (×3600 would have ended)
    p.page.click("[data-action=play]")  # pause
    assert not p.errors, p.errors


def test_aton_alarm_pops_up_and_is_acknowledged(chart_page: Any, harbour: Harbour) -> None:
    from sqlalchemy import select

    from giamsat.core import alerts
    from giamsat.core.store.schema import alerts as alerts_table

    p = chart_page("operator")
    p.open(HAI_PHONG)
    p.page.wait_for_selector(".live-dot.up", timeout=15000)
    bridge = lambda event: harbour.hub.publish("alert", event)  # noqa: E731  (as giamsat.service does)
    alerts.add_listener(bridge)
    try:
        with harbour.store.write() as conn:
            alert_id = alerts.raise_alert(
                conn, domain="maritime", asset_kind="aton", asset_id="995741006", rule="low_voltage",
                parameter="voltage", severity="warning", message="11.1 V < 11.5 V", value=11.1, limit_value=11.5,
            )  # fmt: skip
        card = p.page.wait_for_selector(f".mui-alert[data-alert='{alert_id}']", timeout=10000)
        assert "995741006" in card.inner_text()
        sounds = p.eval("() => window.__giamsatSounds || 0")
        assert sounds >= 1
        card.query_selector("[data-action=ack]").click()
        p.page.wait_for_selector(
            f".mui-alert[data-alert='{alert_id}']", state="detached", timeout=10000
        )
    finally:
        alerts.remove_listener(bridge)
    with harbour.store.engine.connect() as conn:
        state = conn.execute(
            select(alerts_table.c.state).where(alerts_table.c.id == alert_id)
        ).scalar()
    assert state == "acknowledged"
    # the same alert as a notification pop-up is not shown twice on the chart page; others are
    from giamsat.core.store.schema import users

    with harbour.store.engine.connect() as conn:
        uid = conn.execute(select(users.c.id).where(users.c.username == "operator_user")).scalar()
    for n, domain in ((9001, "maritime"), (9002, "environment")):
        alert = {"domain": domain, "asset_id": "x", "asset_kind": "aton"}
        harbour.hub.publish(
            "notify.popup",
            {"user_id": uid, "id": n, "alert_id": None, "severity": "warning", "title": f"t{n}",
             "body": "b", "created_at": "2026-01-01T00:00:00Z", "payload": {"alert": alert}},
        )  # fmt: skip
    p.page.wait_for_selector("[data-popup='9002']", timeout=10000)
    assert p.page.locator("[data-popup='9001']").count() == 0
    assert not p.errors, p.errors


def test_geodesy_against_pyproj(chart_page: Any) -> None:
    """The page's own WGS84 inverse (Vincenty) and polygon area against pyproj, on random
    pairs from metres to 15,000 km and on polygons from a harbour to a sea."""
    import random

    p = chart_page("ministry")
    p.open(HAI_PHONG)
    rnd = random.Random(11)
    pairs = []
    for scale in (0.001, 0.1, 1, 10, 60):
        for _ in range(40):
            lat1, lon1 = rnd.uniform(-70, 70), rnd.uniform(-180, 180)
            pairs.append(
                [
                    lat1,
                    lon1,
                    max(-89, min(89, lat1 + rnd.uniform(-scale, scale))),
                    lon1 + rnd.uniform(-scale, scale),
                ]
            )
    got = p.eval("(pairs) => pairs.map(([a, b, c, d]) => __mui.geodesy.inverse(a, b, c, d))", pairs)
    for (lat1, lon1, lat2, lon2), g in zip(pairs, got, strict=True):
        az1, _, m = GEOD.inv(lon1, lat1, lon2, lat2)
        assert g["converged"]
        assert abs(g["m"] - m) <= max(1e-3, 1e-9 * m), (lat1, lon1, lat2, lon2, g, m)
        if m > 1:  # the bearing: less than a millimetre sideways at the far end
            daz = abs(((g["az1"] - az1 + 540) % 360) - 180)
            assert daz * 3.141592653589793 / 180 * m < 1e-3, (g, az1, m)
    for size in (0.01, 0.2, 2.0):
        ring = [
            [106.9 + size * x, 20.5 + size * y]
            for x, y in ((0, 0), (1, 0.1), (1.2, 1), (0.3, 1.4), (-0.2, 0.6))
        ]
        area = p.eval("(r) => __mui.geodesy.ringArea(r)", ring)
        expected, _ = GEOD.polygon_area_perimeter([c[0] for c in ring], [c[1] for c in ring])
        assert abs(area - abs(expected)) / abs(expected) < 1e-3, (size, area, expected)
    assert not p.errors, p.errors
