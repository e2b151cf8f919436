"""The dashboard's status cache: a station that reports is seen at once (recomputed alone);
a change that no event announces appears after the time-to-live, computed in the background
while requests keep the previous picture."""

from __future__ import annotations

from datetime import datetime

from giamsat.environment.ingest import Incoming, Ingestor
from giamsat.web.quality import StatusCache
from tests.web.conftest import STATIONS, STEP, VN, Network, value_at


def _device_error_file(station: str, ts: int) -> Incoming:
    local = datetime.fromtimestamp(ts, VN).strftime("%Y%m%d%H%M%S")
    lines = [
        f"{p}\t{value_at(station, p, ts)}\t{unit}\t{local}\t02"
        for p, unit in STATIONS[station][4].items()
    ]
    return Incoming(f"{station}_{local}.txt", "\r\n".join(lines).encode(), source="cli")


def test_reporting_station_is_recomputed_alone_and_time_catches_up(network: Network) -> None:
    cache = StatusCache(network.store, ttl=3600)
    first = cache.all()
    assert set(first) == set(STATIONS)
    assert first["BD_SONG_NM01"]["status"] != "device_error"
    assert first["BD_KCN_KT01"]["status"] != "device_error"

    ingestor = Ingestor(network.store, network.settings)
    ts = network.end + STEP
    result = ingestor.ingest([_device_error_file(c, ts) for c in ("BD_SONG_NM01", "BD_KCN_KT01")])
    assert all(r.outcome == "accepted" for r in result), result

    # only the station an event named is recomputed, without waiting for the time-to-live
    cache.invalidate({"topic": "env.observations", "station": "BD_SONG_NM01"})
    now = cache.all()
    assert now["BD_SONG_NM01"]["status"] == "device_error"
    assert now["BD_KCN_KT01"]["status"] == first["BD_KCN_KT01"]["status"]
    assert now["HN_NMA_NT01"] == first["HN_NMA_NT01"]

    # past the time-to-live: the request is answered from memory, a full refresh runs behind it
    cache.ttl = 0
    served = cache.all()
    assert served["BD_KCN_KT01"]["status"] == first["BD_KCN_KT01"]["status"]
    assert cache._refreshing is not None
    cache._refreshing.join(timeout=30)
    assert cache.all()["BD_KCN_KT01"]["status"] == "device_error"
    assert cache.all()["BD_SONG_NM01"]["status"] == "device_error"


def test_invalidate_without_a_station_recomputes_everything_before_answering(
    network: Network,
) -> None:
    cache = StatusCache(network.store, ttl=3600)
    cache.all()
    cache._items = {code: {**item, "status": "stale"} for code, item in cache._items.items()}
    cache.invalidate()
    assert all(item["status"] != "stale" for item in cache.all().values())
