"""A small real network for the web tests, ingested through the real Ingestor once per back end
and module: two provinces, five stations of four components, a day of 5-minute TT10 files,
users of every role, and a rejected file. Values come from :func:`value_at` so tests can check
what the API returns against what was sent, not against the code under test."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, update

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.core.store.schema import organisations
from giamsat.environment.ingest import Incoming, Ingestor
from giamsat.environment.schema import stations
from giamsat.environment.stations import upsert_station
from giamsat.web.routers.admin import UserIn, create_user
from tests.conftest import BACKENDS, database_url

VN = timezone(timedelta(hours=7))
HOURS = 24
STEP = 300
PASSWORD = "correct horse battery"

STATIONS = {
    # code: (component, province name, organisation, published, parameters {code: unit})
    "HN_NMA_NT01": (
        "wastewater",
        "Hà Nội",
        "NMA",
        False,
        {"COD": "mg/L", "pH": "-", "TSS": "mg/L", "Flow": "m3/h"},
    ),
    "HN_QT_KK01": (
        "ambient_air",
        "Hà Nội",
        None,
        True,
        {"PM2.5": "µg/m3", "PM10": "µg/m3", "NO2": "µg/m3"},
    ),
    "BD_CHENG_NT01": (
        "wastewater",
        "Bình Dương",
        "CHENG",
        False,
        {"COD": "mg/L", "pH": "-", "TSS": "mg/L"},
    ),
    "BD_KCN_KT01": (
        "emission",
        "Bình Dương",
        None,
        False,
        {"SO2": "mg/Nm3", "NOx": "mg/Nm3", "O2": "%"},
    ),
    "BD_SONG_NM01": (
        "surface_water",
        "Bình Dương",
        None,
        False,
        {"DO": "mg/L", "pH": "-", "Temp": "°C"},
    ),
}


def value_at(station: str, parameter: str, ts: int) -> float:
    """A deterministic daily cycle per channel (2 decimals, as stations write them)."""
    base = 10 + (sum(map(ord, station + parameter)) % 50)
    return round(base + 5 * math.sin(2 * math.pi * ((ts % 86400) / 86400)), 2)


def tt10_file(station: str, ts: int) -> Incoming:
    local = datetime.fromtimestamp(ts, VN).strftime("%Y%m%d%H%M%S")
    lines = [
        f"{p}\t{value_at(station, p, ts)}\t{unit}\t{local}\t00"
        for p, unit in STATIONS[station][4].items()
    ]
    return Incoming(f"{station}_{local}.txt", ("\r\n".join(lines) + "\r\n").encode(), source="cli")


@dataclass
class Network:
    settings: Settings
    store: Store
    end: int  # newest measurement time (Unix seconds)
    times: list[int] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)  # role -> username
    rejected_name: str = "HN_NMA_NT01_garbage.bin"


def build_network(settings: Settings) -> Network:
    store = Store.from_settings(settings)
    store.upgrade()
    end = int(time.time()) // STEP * STEP - STEP
    times = list(range(end - HOURS * 3600 + STEP, end + 1, STEP))
    with store.engine.begin() as conn:
        for code, (component, province_name, org, published, _) in STATIONS.items():
            upsert_station(
                conn,
                {
                    "code": code,
                    "name": f"Trạm {code.split('_')[1]}",
                    "component": component,
                    "province_name": province_name,
                    "lat": 21.0 if code.startswith("HN") else 11.0,
                    "lon": 105.8 if code.startswith("HN") else 106.7,
                    "published": "1" if published else "0",
                },
            )
            if org:
                org_id = conn.execute(
                    organisations.insert().values(code=org, name=org, kind="enterprise")
                ).inserted_primary_key[0]
                conn.execute(
                    update(stations).where(stations.c.code == code).values(organisation_id=org_id)
                )
    ingestor = Ingestor(store, settings)
    files = [tt10_file(code, ts) for ts in times for code in STATIONS]
    for start in range(0, len(files), 2000):
        ingestor.ingest(files[start : start + 2000])
    ingestor.ingest([Incoming("HN_NMA_NT01_garbage.bin", b"\x00\x01\x02binary", source="cli")])
    net = Network(settings, store, end, times)
    with store.engine.begin() as conn:
        for role, province, org in (
            ("admin", None, None),
            ("ministry", None, None),
            ("province", "HN", None),
            ("enterprise", None, "CHENG"),
            ("operator", None, None),
        ):
            username = f"{role}_user"
            create_user(
                conn,
                UserIn(
                    username=username,
                    role=role,  # type: ignore[arg-type]
                    password=PASSWORD,
                    province=province,
                    organisation=org,
                ),
            )
            net.users[role] = username
        assert conn.execute(select(stations.c.code)).scalars().all()
    return net


@pytest.fixture(scope="module", params=BACKENDS)
def network(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Network]:
    tmp = tmp_path_factory.mktemp("web")
    with database_url(request.param, tmp) as url:
        settings = Settings(
            home=tmp / "home", db_url=url, archive_url=f"sqlite:///{tmp / 'archive.db'}"
        )
        net = build_network(settings)
        try:
            yield net
        finally:
            net.store.dispose()


@pytest.fixture(scope="module")
def app(network: Network):
    from giamsat.web.app import create_app

    return create_app(network.settings, network.store)


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return response


@pytest.fixture
def client_for(app, network: Network):
    """A logged-in TestClient for a role (``client_for("province")``)."""
    from fastapi.testclient import TestClient

    clients = []

    def make(role: str | None = None) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        if role is not None:
            login(client, network.users[role])
        return client

    yield make
    for c in clients:
        c.close()


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
