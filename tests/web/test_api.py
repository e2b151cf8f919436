"""The REST API over real ingested data, on SQLite and PostgreSQL: auth, CSRF, tokens, rate
limiting, role scoping, time series, look-up and exports, the file log, administration."""

from __future__ import annotations

import csv
import io
import statistics

import pytest

from tests.web.conftest import PASSWORD, STATIONS, Network, login, value_at

ALL = sorted(STATIONS)
HN = sorted(c for c in STATIONS if c.startswith("HN"))


def codes(response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(i["code"] for i in response.json()["items"])


def test_health_and_openapi(client_for) -> None:
    client = client_for()
    health = client.get("/api/v1/health").json()
    assert health["status"] == "ok" and set(health["features"]) >= {"status", "aqi", "alerts"}
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/v1/stations",
        "/api/v1/observations",
        "/api/v1/status/summary",
        "/api/v1/alerts",
        "/api/v1/public/aqi",
        "/api/v1/files",
        "/api/v1/users",
        "/api/v1/accounts",
    ):
        assert path in spec["paths"], path


def test_login_sets_a_safe_session_cookie_and_logout_ends_it(client_for, network: Network) -> None:
    client = client_for()
    response = login(client, network.users["province"])
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("gs_session="))
    assert "HttpOnly" in session and "SameSite=strict" in session
    me = client.get("/api/v1/auth/session").json()
    assert me["authenticated"] and me["role"] == "province" and me["province"]["code"] == "HN"
    assert client.post("/api/v1/auth/logout").status_code == 200
    assert client.get("/api/v1/stations").status_code == 401


def test_wrong_password_is_refused(client_for, network: Network) -> None:
    client = client_for()
    r = client.post(
        "/api/v1/auth/login", json={"username": network.users["admin"], "password": "nope"}
    )
    assert r.status_code == 401
    r = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "nope"})
    assert r.status_code == 401


def test_login_rate_limit(network: Network) -> None:
    from fastapi.testclient import TestClient

    from giamsat.web.app import create_app

    client = TestClient(create_app(network.settings, network.store))  # its own limiter
    user = network.users["operator"]
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"username": user, "password": f"bad{i}"}
        ).status_code
        for i in range(6)
    ]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    # even the right password waits until the window passes
    blocked = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


def test_csrf_is_required_for_cookie_writes(client_for) -> None:
    client = client_for("admin")
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 403
    assert (
        client.post(
            "/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "forged"}
        ).status_code
        == 403
    )
    ok = client.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201
    cross = client.post(
        "/api/v1/tokens",
        json={"name": "y"},
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert cross.status_code == 403


def test_api_token_works_without_cookies_and_can_be_revoked(client_for) -> None:
    owner = client_for("province")
    made = owner.post("/api/v1/tokens", json={"name": "sync", "days": 30}).json()
    machine = client_for()
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert codes(machine.get("/api/v1/stations", headers=headers)) == HN
    # a bearer request needs no CSRF header for writes
    assert (
        machine.post("/api/v1/tokens", json={"name": "child"}, headers=headers).status_code == 201
    )
    listed = owner.get("/api/v1/tokens").json()["items"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert owner.delete(f"/api/v1/tokens/{made['id']}").status_code == 200
    assert machine.get("/api/v1/stations", headers=headers).status_code == 401


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", ALL),
        ("ministry", ALL),
        ("province", HN),
        ("enterprise", ["BD_CHENG_NT01"]),
    ],
)
def test_each_role_sees_its_stations(client_for, role: str, expected: list[str]) -> None:
    client = client_for(role)
    assert codes(client.get("/api/v1/stations")) == expected
    hidden = sorted(set(ALL) - set(expected))
    for code in hidden:
        assert client.get(f"/api/v1/stations/{code}").status_code == 404
        assert client.get(f"/api/v1/stations/{code}/series").status_code == 404
        assert client.get("/api/v1/observations", params={"station": code}).status_code == 404
    files = client.get("/api/v1/files", params={"limit": 5000}).json()["items"]
    assert {f["station"] for f in files if f["station"]} <= set(expected)
    monitoring = client.get("/api/v1/monitoring/wastewater").json()["items"]
    assert {m["code"] for m in monitoring} == {
        c for c in expected if STATIONS[c][0] == "wastewater"
    }


def test_operator_and_public_have_no_environmental_data(client_for) -> None:
    assert client_for("operator").get("/api/v1/stations").status_code == 403
    public = client_for()
    for path in ("/api/v1/stations", "/api/v1/observations", "/api/v1/files", "/api/v1/users"):
        assert public.get(path).status_code == 401, path


def test_only_admins_manage_users(client_for, network: Network) -> None:
    for role in ("ministry", "province", "enterprise", "operator"):
        assert client_for(role).get("/api/v1/users").status_code == 403
    admin = client_for("admin")
    made = admin.post(
        "/api/v1/users", json={"username": "new_officer", "role": "province", "province": "BD"}
    )
    assert made.status_code == 201
    password = made.json()["password"]
    assert len(password) >= 16
    officer = client_for()
    login(officer, "new_officer", password)
    assert codes(officer.get("/api/v1/stations")) == sorted(
        c for c in STATIONS if c.startswith("BD")
    )
    # disabling the user ends its session at once
    user_id = made.json()["id"]
    assert admin.patch(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200
    assert officer.get("/api/v1/stations").status_code == 401
    bad = admin.post("/api/v1/users", json={"username": "x_ent", "role": "enterprise"})
    assert bad.status_code == 422 and "organisation" in bad.text


def test_station_detail_has_parameters_with_latest_values(client_for, network: Network) -> None:
    station = client_for("admin").get("/api/v1/stations/HN_NMA_NT01").json()
    assert station["component"] == "wastewater" and station["organisation"] == "NMA"
    params = {p["code"]: p for p in station["parameters"]}
    assert set(params) == set(STATIONS["HN_NMA_NT01"][4])
    assert params["COD"]["last_ts"] == network.end
    assert params["COD"]["last_value"] == value_at("HN_NMA_NT01", "COD", network.end)
    assert station["last_obs_time"].endswith("+07:00")


def test_series_raw_values_and_resolution_by_span(client_for, network: Network) -> None:
    client = client_for("province")
    raw = client.get(
        "/api/v1/stations/HN_NMA_NT01/series",
        params={"parameter": ["COD", "pH"], "from": network.end - 6 * 3600, "to": network.end},
    ).json()
    assert raw["resolution"] == "raw"
    cod = next(s for s in raw["series"] if s["parameter"] == "COD")
    expected_ts = [t for t in network.times if network.end - 6 * 3600 <= t <= network.end]
    assert cod["t"] == expected_ts
    assert cod["value"] == [value_at("HN_NMA_NT01", "COD", t) for t in expected_ts]
    assert set(cod["status"]) == {0} and cod["unit"] == "mg/L"

    hourly = client.get(
        "/api/v1/stations/HN_NMA_NT01/series",
        params={"parameter": "COD", "from": network.end - 30 * 86400, "to": network.end},
    ).json()
    assert hourly["resolution"] == "hour"
    series = hourly["series"][0]
    label = series["t"][len(series["t"]) // 2]
    values = [value_at("HN_NMA_NT01", "COD", t) for t in network.times if label - 3600 < t <= label]
    i = series["t"].index(label)
    assert series["count"][i] == len(values)
    assert series["value"][i] == pytest.approx(statistics.fmean(values))
    assert series["min"][i] == min(values) and series["max"][i] == max(values)

    daily = client.get(
        "/api/v1/stations/HN_NMA_NT01/series",
        params={"parameter": "COD", "from": network.end - 3 * 365 * 86400, "to": network.end},
    ).json()
    assert daily["resolution"] == "day"
    assert sum(daily["series"][0]["count"]) == len(network.times)


def test_lookup_pages_count_and_exports(client_for, network: Network) -> None:
    client = client_for("admin")
    params = {
        "station": ["HN_NMA_NT01", "BD_CHENG_NT01"],
        "parameter": ["COD", "pH"],
        "from": network.end - 2 * 3600 + 1,
        "to": network.end,
        "resolution": "raw",
    }
    first = client.get("/api/v1/observations", params={**params, "limit": 10}).json()
    per_station = len([t for t in network.times if t >= params["from"]])
    assert first["total"] == 2 * per_station
    assert [c["parameter"] for c in first["columns"]] == ["COD", "pH"]
    rest = client.get("/api/v1/observations", params={**params, "limit": 100, "offset": 10}).json()
    rows = first["items"] + rest["items"]
    assert len(rows) == first["total"]
    assert len({(r["station"], r["ts"]) for r in rows}) == len(rows)
    row = next(r for r in rows if r["station"] == "BD_CHENG_NT01" and r["ts"] == network.end)
    assert row["values"]["COD"]["v"] == value_at("BD_CHENG_NT01", "COD", network.end)

    wide = client.get("/api/v1/observations", params={**params, "format": "csv"})
    table = list(csv.reader(io.StringIO(wide.text)))
    assert table[0] == ["station", "time", "COD (mg/L)", "pH (-)"] or table[0][:3] == [
        "station",
        "time",
        "COD (mg/L)",
    ]
    assert len(table) - 1 == first["total"]

    long = client.get("/api/v1/observations", params={**params, "format": "csv", "layout": "long"})
    table = list(csv.reader(io.StringIO(long.text)))
    assert table[0] == ["station", "parameter", "time", "value", "unit", "status", "flag"]
    assert len(table) - 1 == 2 * 2 * per_station
    assert {r[5] for r in table[1:]} == {"00"}

    xlsx = client.get("/api/v1/observations", params={**params, "format": "xlsx"})
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert sum(1 for _ in book.active.iter_rows()) - 1 == first["total"]


def test_monitoring_table_shows_latest_values(client_for, network: Network) -> None:
    table = client_for("ministry").get("/api/v1/monitoring/emission").json()
    assert [p["code"] for p in table["parameters"]] == sorted(STATIONS["BD_KCN_KT01"][4])
    [row] = table["items"]
    assert row["code"] == "BD_KCN_KT01" and row["last_obs_ts"] == network.end
    assert row["values"]["SO2"]["v"] == value_at("BD_KCN_KT01", "SO2", network.end)


def test_received_file_log_and_raw_content(client_for, network: Network) -> None:
    admin = client_for("admin")
    rejected = admin.get("/api/v1/files", params={"outcome": "rejected"}).json()
    assert rejected["total"] == 1
    item = rejected["items"][0]
    assert item["name"] == network.rejected_name and item["reasons"]
    accepted = admin.get("/api/v1/files", params={"outcome": "accepted", "limit": 1}).json()
    assert accepted["total"] == len(network.times) * len(STATIONS)
    newest = accepted["items"][0]
    content = admin.get(f"/api/v1/files/{newest['id']}/content").content
    assert content.decode().startswith(next(iter(STATIONS[newest["station"]][4])))
    # files no station could be read from are not shown to a province
    province = client_for("province").get("/api/v1/files", params={"outcome": "rejected"}).json()
    assert province["total"] == 0


def test_admin_assigns_a_station_to_an_organisation(client_for, network: Network) -> None:
    admin = client_for("admin")
    enterprise = client_for("enterprise")
    assert "BD_KCN_KT01" not in codes(enterprise.get("/api/v1/stations"))
    r = admin.put(
        "/api/v1/stations/BD_KCN_KT01",
        json={
            "code": "BD_KCN_KT01",
            "component": "emission",
            "organisation": "CHENG",
            "permit_standard": "QCVN19_2009",
            "permit_column": "B",
        },
    )
    assert r.status_code == 200, r.text
    try:
        assert "BD_KCN_KT01" in codes(enterprise.get("/api/v1/stations"))
        detail = enterprise.get("/api/v1/stations/BD_KCN_KT01").json()
        assert detail["permit"]["standard"] == "QCVN19_2009"
    finally:
        admin.put(
            "/api/v1/stations/BD_KCN_KT01",
            json={"code": "BD_KCN_KT01", "component": "emission", "organisation": ""},
        )
    assert "BD_KCN_KT01" not in codes(enterprise.get("/api/v1/stations"))


def test_upload_accounts_admin(client_for) -> None:
    admin = client_for("admin")
    made = admin.post(
        "/api/v1/accounts", json={"username": "ftp_cheng", "stations": ["BD_CHENG_*"]}
    )
    assert made.status_code == 201 and len(made.json()["password"]) >= 12
    listed = admin.get("/api/v1/accounts").json()["items"]
    item = next(a for a in listed if a["username"] == "ftp_cheng")
    assert item["stations"] == ["BD_CHENG_*"] and "password_hash" not in item
    assert admin.patch(f"/api/v1/accounts/{item['id']}", json={"active": False}).status_code == 200
    assert client_for("ministry").get("/api/v1/accounts").status_code == 403


def test_ui_is_served_with_security_headers(client_for) -> None:
    client = client_for()
    r = client.get("/map")
    assert r.status_code in (200, 503)
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.get("/../../etc/passwd").status_code in (404, 200, 503)
