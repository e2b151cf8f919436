"""The service as a whole: what ties the parts together."""

from __future__ import annotations

import asyncio

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.events import hub
from giamsat.core.store import Store
from tests.service_util import RunningService


def test_every_committed_alert_change_reaches_live_displays(
    store: Store, settings: Settings
) -> None:
    async def listen(svc: RunningService) -> dict:
        sub = hub.subscribe({"alert"})
        try:

            def raise_one() -> None:
                with store.write() as conn:
                    alerts.raise_alert(
                        conn,
                        domain="environment",
                        asset_kind="station",
                        asset_id="HN_A_B",
                        rule="exceedance",
                        parameter="COD",
                        severity="major",
                        value=200.0,
                    )

            await asyncio.to_thread(raise_one)
            return await sub.get(10)
        finally:
            sub.close()

    with RunningService(
        settings, store, ftp_enabled=False, sftp_enabled=False, notify_enabled=False
    ) as svc:
        event = asyncio.run_coroutine_threadsafe(listen(svc), svc.loop).result(20)
    assert event["action"] == "opened" and event["alert"]["asset_id"] == "HN_A_B"
