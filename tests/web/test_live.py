"""The live WebSocket: files ingested through the real Ingestor reach the clients allowed to
see their station, and only them."""

from __future__ import annotations

import json
import time

from giamsat.environment.ingest import Ingestor
from tests.web.conftest import Network, tt10_file


def _receive_until(ws, want, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        event = json.loads(ws.receive_text())
        seen.append(event)
        if want(event):
            return event, seen
    raise AssertionError(f"not received; saw {seen}")


def test_new_values_reach_allowed_clients_only(client_for, network: Network) -> None:
    province = client_for("province")  # HN only
    admin = client_for("admin")
    public = client_for()
    with (
        province.websocket_connect("/api/v1/live") as ws_prov,
        admin.websocket_connect("/api/v1/live") as ws_admin,
        public.websocket_connect("/api/v1/live") as ws_public,
    ):
        for ws, role in ((ws_prov, "province"), (ws_admin, "admin"), (ws_public, "public")):
            assert json.loads(ws.receive_text())["role"] == role
        ws_prov.send_text(json.dumps({"topics": ["env.observations"]}))
        ws_admin.send_text(json.dumps({"topics": ["env.observations"]}))
        time.sleep(0.2)  # the filters are applied before anything is published
        later = network.end + 300
        ingestor = Ingestor(network.store, network.settings)
        # a BD station first, then a published HN air station
        ingestor.ingest([tt10_file("BD_CHENG_NT01", later)])
        ingestor.ingest([tt10_file("HN_QT_KK01", later)])
        event, _ = _receive_until(ws_admin, lambda e: e.get("station") == "HN_QT_KK01")
        assert {v["parameter"] for v in event["values"]} == {"PM2.5", "PM10", "NO2"}
        event, seen = _receive_until(ws_prov, lambda e: e.get("topic") == "env.observations")
        assert event["station"] == "HN_QT_KK01"
        assert all(e.get("station") != "BD_CHENG_NT01" for e in seen)
        hint, seen = _receive_until(ws_public, lambda e: e.get("topic") == "public.aqi")
        assert hint == {"topic": "public.aqi", "station": "HN_QT_KK01"}
        assert all("values" not in e for e in seen)


def test_operator_gets_no_environmental_events(client_for, network: Network) -> None:
    operator = client_for("operator")
    with operator.websocket_connect("/api/v1/live") as ws:
        assert json.loads(ws.receive_text())["role"] == "operator"
        ws.send_text(json.dumps({"ping": True}))
        Ingestor(network.store, network.settings).ingest(
            [tt10_file("HN_NMA_NT01", network.end + 600)]
        )
        ws.send_text(json.dumps({"ping": True}))
        # the pongs come back and nothing environmental in between
        events = [json.loads(ws.receive_text()) for _ in range(2)]
        assert [e["topic"] for e in events] == ["pong", "pong"]
