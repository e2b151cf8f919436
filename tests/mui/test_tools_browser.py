"""The chart page's other tools in headless Chromium: vessel search and filter, groups with a
colour ring, markers with notes (kept after a reload), the map saved as PNG, the AtoN panel
(tree, status, voltage chart), export links, English labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.mui.conftest import Harbour

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HAI_PHONG = "?lon=106.93&lat=20.75&z=11"


def test_search_filters_the_chart(chart_page: Any) -> None:
    p = chart_page("operator")
    p.open(HAI_PHONG)
    p.page.click("[data-tool=search]")
    p.page.fill("[data-panel=search] input[name=q]", "TAN CANG")
    p.page.check("[data-panel=search] input[name=only]")
    p.page.click("[data-panel=search] button[type=submit]")
    p.page.wait_for_selector("[data-results]")
    assert p.page.locator("[data-panel=search] [data-mmsi='574001001']").count() == 1
    p.page.wait_for_function(
        "() => { const f = __muiMap.queryRenderedFeatures({layers: ['mui-vessels']});"
        " return f.length > 0 && f.every(x => x.properties.mmsi === 574001001); }",
        timeout=10000,
    )
    # by flag and size: the Chinese ship of 140 m
    p.page.fill("[data-panel=search] input[name=q]", "")
    p.page.fill("[data-panel=search] input[name=flag]", "cn")
    p.page.fill("[data-panel=search] input[name=min_length]", "100")
    p.page.click("[data-panel=search] button[type=submit]")
    p.page.wait_for_selector("[data-panel=search] [data-mmsi='412001009']")
    assert p.page.locator("[data-panel=search] [data-mmsi]").count() == 1
    p.page.click("[data-panel=search] [data-mmsi='412001009']")
    p.page.wait_for_selector("[data-vessel='412001009']")
    assert not p.errors, p.errors


def test_group_create_add_member_ring(chart_page: Any, harbour: Harbour) -> None:
    p = chart_page("operator")
    p.open(HAI_PHONG)
    p.page.click("[data-tool=groups]")
    p.page.fill("input[name=group-name]", "Đội tàu thử")
    p.page.fill("input[name=group-colour]", "#ff00aa")
    p.page.click("[data-panel=groups] form button[type=submit]")
    group = p.page.wait_for_selector("details[data-group-id]:has-text('Đội tàu thử')")
    gid = group.get_attribute("data-group-id")
    group.click()
    p.page.fill(f"[data-add-member='{gid}']", "574001002")
    p.page.press(f"[data-add-member='{gid}']", "Enter")
    p.page.wait_for_selector(f"details[data-group-id='{gid}'] summary:has-text('(1)')")
    p.page.wait_for_function(
        "() => __muiMap.querySourceFeatures('mui-vessels').some(f => f.properties.mmsi === 574001002 && f.properties.gc === '#ff00aa')",
        timeout=10000,
    )
    from giamsat.maritime import manage

    with harbour.store.engine.connect() as conn:
        assert manage.group_row(conn, int(gid))["members"] == [574001002]
    # from a vessel's panel
    p.page.click("[data-tool=search]")
    p.page.fill("[data-panel=search] input[name=q]", "574001003")
    p.page.click("[data-panel=search] button[type=submit]")
    p.page.click("[data-panel=search] [data-mmsi='574001003']")
    p.page.select_option("[data-vessel='574001003'] select[name=to-group]", gid)
    p.page.click("[data-vessel='574001003'] [data-action=add-to-group]")
    p.page.wait_for_function(
        "() => __muiMap.querySourceFeatures('mui-vessels').some(f => f.properties.mmsi === 574001003 && f.properties.gc === '#ff00aa')",
        timeout=10000,
    )
    with harbour.store.engine.connect() as conn:
        assert manage.group_row(conn, int(gid))["members"] == [574001002, 574001003]
    assert not p.errors, p.errors


def test_marker_with_note_survives_reload(chart_page: Any) -> None:
    p = chart_page("operator")
    p.open(HAI_PHONG)
    p.page.click("[data-tool=marker]")
    box = p.page.locator("#mui-map canvas").bounding_box()
    p.page.mouse.click(box["x"] + 200, box["y"] + 420)
    p.page.fill("input[name=marker-name]", "Điểm neo tạm")
    p.page.fill("textarea[name=marker-note]", "Tàu cá neo tránh bão")
    p.page.click("form[data-marker-form=new] button[type=submit]")
    p.page.wait_for_function(
        "() => [...__mui.markers.markers.values()].some(m => m.name === 'Điểm neo tạm')"
    )
    p.page.reload()
    p.page.wait_for_selector("body[data-ready='maritime']", timeout=60000)
    p.page.wait_for_function(
        "() => __muiMap.queryRenderedFeatures({layers: ['mui-markers']}).some(f => f.properties.name === 'Điểm neo tạm')",
        timeout=10000,
    )
    p.page.mouse.click(box["x"] + 200, box["y"] + 420)
    p.page.wait_for_selector("textarea[name=marker-note]")
    assert p.page.input_value("textarea[name=marker-note]") == "Tàu cá neo tránh bão"
    assert not p.errors, p.errors


def test_png_export(chart_page: Any) -> None:
    p = chart_page("ministry")
    p.open(HAI_PHONG)
    with p.page.expect_download() as info:
        p.page.click("[data-tool=png]")
    path = info.value.path()
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from io import BytesIO

    from PIL import Image, ImageStat

    img = Image.open(BytesIO(data))
    assert img.size[0] > 500 and img.size[1] > 300
    assert max(ImageStat.Stat(img.convert("L")).stddev) > 10  # a picture, not a blank canvas
    assert not p.errors, p.errors


def test_aton_panel_tree_and_voltage_chart(chart_page: Any) -> None:
    p = chart_page("operator")
    p.open(HAI_PHONG)
    p.page.click("[data-tool=atons]")
    p.page.wait_for_selector("[data-panel=atons] [data-aton-item]")
    items = p.page.locator("[data-panel=atons] [data-aton-item]")
    assert items.count() == 6
    statuses = {
        p.page.get_attribute(f"[data-aton-item='{m}']", "data-status")
        for m in (995741001, 995741002, 995741003, 995741004, 995741005, 995741006)
    }
    assert "ok" in statuses and statuses & {"alarm", "lost"}
    light = p.page.inner_text("[data-aton-item='995741004']")
    assert "Đèn" in light and "V" in light, light
    p.page.click("[data-aton-item='995741002'] button")
    p.page.wait_for_selector("[data-aton='995741002'] [data-field=voltage]")
    p.page.wait_for_selector("[data-aton='995741002'] .mui-volt canvas", timeout=10000)
    ARTIFACTS.mkdir(exist_ok=True)
    p.page.screenshot(path=str(ARTIFACTS / f"mui-aton-panel-{p.backend}.png"))
    assert not p.errors, p.errors


def test_export_links_download(chart_page: Any) -> None:
    p = chart_page("operator")
    p.open(HAI_PHONG)
    p.page.click("[data-tool=exports]")
    href = p.page.get_attribute("[data-export=zone-log-csv]", "href")
    res = p.page.request.get(p.base + href)
    assert res.status == 200 and res.body().count(b"\n") >= 2
    p.page.fill("[data-panel=exports] input[name=mmsi]", "574001001")
    href = p.page.get_attribute("[data-export=tracks-gpx]", "href")
    res = p.page.request.get(p.base + href)
    assert res.status == 200 and b"<trk>" in res.body()
    assert not p.errors, p.errors


def test_english_labels(chart_page: Any) -> None:
    p = chart_page("operator")
    p.open(HAI_PHONG)
    assert "Đo khoảng cách" in p.page.inner_text("[data-tool=distance]")
    p.page.click("button:has-text('English')")
    p.page.wait_for_selector("body[data-ready='maritime']", timeout=60000)
    assert p.page.inner_text("[data-tool=distance]") == "Measure distance"
    assert not p.errors, p.errors


def test_without_charts_base_map_and_import_hint(browser: Any, harbour: Harbour) -> None:
    """A server with no ENC imported: the base map and how to import cells."""

    from giamsat.web.app import create_app
    from tests.mui.conftest import ChartPage
    from tests.service_util import serve_app

    app = create_app(harbour.settings, harbour.store, hub=harbour.hub)
    with serve_app(app) as url:
        p = ChartPage(browser, url, harbour.backend, "operator")
        try:
            p.open(HAI_PHONG)
            assert "giamsat enc import" in p.page.inner_text("[data-no-enc]")
            land = p.eval("() => __muiMap.queryRenderedFeatures({layers: ['base-land']}).length")
            assert land > 0
            assert (
                p.eval(
                    "() => __muiMap.queryRenderedFeatures().filter(f => f.source === 'enc').length"
                )
                == 0
            )
            assert (
                p.eval("() => __muiMap.queryRenderedFeatures({layers: ['mui-vessels']}).length")
                >= 5
            )
            assert not p.errors, p.errors
        finally:
            p.close()
