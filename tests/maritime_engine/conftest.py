"""A store filled by the engine from 15 minutes of the Hai Phong scenario (once per back end
and module), users of every role, and the web app over it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.core.store.schema import organisations
from giamsat.maritime import manage, scenario
from giamsat.maritime.engine import Engine
from giamsat.maritime.persist import Persister
from giamsat.maritime.registry import (
    load_atons,
    load_watched,
    load_zones,
    rule_settings,
    seed_settings,
)
from giamsat.maritime.rules import Rules
from giamsat.maritime.zones import ZoneIndex
from tests.conftest import BACKENDS, database_url
from tests.maritime_engine.helpers import T0

PASSWORD = "correct horse battery staple"
SECONDS = 900


@dataclass
class Harbour:
    settings: Settings
    store: Store
    users: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def fill(settings: Settings, store: Store, lines: list[str]) -> Engine:
    """Run the lines through the engine and persist everything, as the live service does."""
    with store.write() as conn:
        seed_settings(conn, settings)
        manage.update_settings(conn, {"lost_after_min": 2, "low_voltage_v": 11.5})
        manage.import_zones(conn, scenario.ZONES, created_by="test")
    scenario.prepare(store, settings)
    with store.engine.connect() as conn:
        rules = Rules(ZoneIndex(load_zones(conn)), load_atons(conn), rule_settings(conn),
                      load_watched(conn))  # fmt: skip
    engine = Engine(rules, collect=True)
    persister = Persister(store, engine)
    for start in range(0, len(lines), 400):
        for line in lines[start : start + 400]:
            engine.feed(line, "test")
        persister.write(engine.outbox.take(), state=True, final=True)
    persister.close()
    return engine


@pytest.fixture(scope="module", params=BACKENDS)
def harbour(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harbour]:
    from giamsat.web.routers.admin import UserIn, create_user

    tmp: Path = tmp_path_factory.mktemp("harbour")
    with database_url(request.param, tmp) as url:
        settings = Settings(home=tmp / "home", db_url=url, archive_url=f"sqlite:///{tmp / 'a.db'}")
        store = Store.from_settings(settings)
        store.upgrade()
        lines = scenario.scenario_lines(T0, SECONDS)
        fill(settings, store, lines)
        h = Harbour(settings, store, lines=lines)
        with store.engine.begin() as conn:
            conn.execute(organisations.insert().values(code="ORG", name="Org", kind="enterprise"))
            for role in ("admin", "ministry", "operator", "enterprise"):
                create_user(conn, UserIn(username=f"{role}_u", role=role, password=PASSWORD,  # type: ignore[arg-type]
                                         organisation="ORG" if role == "enterprise" else None))  # fmt: skip
                h.users[role] = f"{role}_u"
        try:
            yield h
        finally:
            store.dispose()


@pytest.fixture(scope="module")
def app(harbour: Harbour):
    from giamsat.web.app import create_app

    return create_app(harbour.settings, harbour.store)


@pytest.fixture
def client_for(app, harbour: Harbour):
    from fastapi.testclient import TestClient

    clients = []

    def make(role: str | None = None) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        if role is not None:
            r = client.post("/api/v1/auth/login",
                            json={"username": harbour.users[role], "password": PASSWORD})  # fmt: skip
            assert r.status_code == 200, r.text
            client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

    yield make
    for c in clients:
        c.close()
