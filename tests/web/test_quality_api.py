"""Routes over the quality engine and the alert lifecycle (contracts/quality-api.md). Each test
activates when its module is installed (they are built on another branch)."""

from __future__ import annotations

import io

from tests.web.conftest import STATIONS, Network

HN = {c for c in STATIONS if c.startswith("HN")}


def test_status_summary_is_scoped_and_partitions_connected(client_for) -> None:
    admin = client_for("admin").get("/api/v1/status/summary").json()
    s = admin["summary"]
    assert s["total"] == len(STATIONS)
    assert s["connected"] == s["total"] - s["disconnected"]
    assert s["good"] + s["exceeding"] + s["device_error"] + s["calibrating"] == s["connected"]
    assert sum(c["total"] for c in admin["by_component"].values()) == len(STATIONS)
    province = client_for("province").get("/api/v1/status/summary").json()
    assert province["summary"]["total"] == len(HN)
    listed = client_for("province").get("/api/v1/status/stations").json()["items"]
    assert {i["code"] for i in listed} == HN
    # the stations list filtered by a status gives exactly that many stations
    for key in ("disconnected", "connected", "good"):
        n = client_for("admin").get("/api/v1/stations", params={"status": key}).json()["total"]
        assert n == s[key], key


def test_alerts_are_scoped_and_follow_their_lifecycle(client_for, network: Network) -> None:
    from giamsat.core import alerts

    ids = {}
    with network.store.engine.begin() as conn:
        for code in ("HN_NMA_NT01", "BD_CHENG_NT01"):
            ids[code] = alerts.raise_alert(
                conn,
                domain="environment",
                asset_kind="station",
                asset_id=code,
                rule="web_test_exceedance",
                parameter="COD",
                severity="warning",
                message=f"COD over the limit at {code}",
                value=120.0,
                limit_value=75.0,
            )
    province = client_for("province")
    seen = province.get("/api/v1/alerts", params={"rule": "web_test_exceedance"}).json()
    assert {a["asset_id"] for a in seen["items"]} == {"HN_NMA_NT01"} and seen["total"] == 1
    assert (
        province.post(f"/api/v1/alerts/{ids['BD_CHENG_NT01']}/acknowledge", json={}).status_code
        == 404
    )
    enterprise = client_for("enterprise")
    assert (
        enterprise.post(
            f"/api/v1/alerts/{ids['BD_CHENG_NT01']}/acknowledge", json={"note": "checking"}
        ).status_code
        == 200
    )
    assert (
        enterprise.post(f"/api/v1/alerts/{ids['BD_CHENG_NT01']}/resolve", json={}).status_code
        == 403
    )
    assert (
        province.post(
            f"/api/v1/alerts/{ids['HN_NMA_NT01']}/resolve", json={"note": "fixed"}
        ).status_code
        == 200
    )
    assert province.post(f"/api/v1/alerts/{ids['HN_NMA_NT01']}/resolve", json={}).status_code == 409
    admin = client_for("admin")
    states = {
        a["asset_id"]: a["state"]
        for a in admin.get("/api/v1/alerts", params={"rule": "web_test_exceedance"}).json()["items"]
    }
    assert states == {"HN_NMA_NT01": "resolved", "BD_CHENG_NT01": "acknowledged"}
    assert (
        client_for("operator")
        .get("/api/v1/alerts", params={"rule": "web_test_exceedance"})
        .json()["total"]
        == 0
    )
    csv_text = admin.get(
        "/api/v1/alerts", params={"rule": "web_test_exceedance", "format": "csv"}
    ).text
    assert csv_text.splitlines()[0].startswith("id,domain,asset_id")


def test_public_aqi_lists_published_stations_only(client_for) -> None:
    public = client_for()
    items = public.get("/api/v1/public/aqi").json()["items"]
    assert {i["code"] for i in items} <= {c for c, s in STATIONS.items() if s[3]}
    for item in items:
        assert {"code", "name", "lat", "lon", "time", "aqi", "category", "dominant"} <= set(item)
    assert public.get("/api/v1/public/aqi/HN_NMA_NT01").status_code == 404
    detail = public.get("/api/v1/public/aqi/HN_QT_KK01").json()
    assert len(detail["hourly"]) <= 24
    exported = public.get("/api/v1/public/aqi/HN_QT_KK01", params={"format": "csv"})
    assert exported.text.splitlines()[0].startswith("time,aqi,dominant")


def test_completeness_and_transmission_report(client_for, network: Network) -> None:
    client = client_for("province")
    params = {"from": network.end - 86400, "to": network.end}
    items = client.get("/api/v1/completeness", params={**params, "period": "day"}).json()["items"]
    assert items and {i["station"] for i in items} <= HN
    report = client.get("/api/v1/reports/transmission", params=params).json()
    assert {s["station"] for s in report["by_station"]} == HN
    assert report["target"] == network.settings.completeness_target_percent
    pdf = client.get("/api/v1/reports/transmission", params={**params, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get("/api/v1/reports/transmission", params={**params, "format": "xlsx"})
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 3


def test_limits_and_exceedances_routes(client_for, network: Network) -> None:
    client = client_for("admin")
    assert client.get("/api/v1/stations/HN_NMA_NT01/limits").status_code == 200
    r = client.get("/api/v1/exceedances", params={"from": network.end - 86400, "to": network.end})
    assert r.status_code == 200 and "items" in r.json()
    assert client_for("province").get("/api/v1/stations/BD_CHENG_NT01/limits").status_code == 404
