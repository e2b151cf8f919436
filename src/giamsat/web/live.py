"""WebSocket ``/api/v1/live``: forwards live events (new values, file outcomes, status changes,
alerts, maritime updates) from :mod:`giamsat.core.events` to each browser, filtered by what the
caller may see. Each client has its own bounded queue, so a slow one only loses its own events.

Messages are JSON objects with a ``topic``. A client may narrow what it gets by sending
``{"topics": ["env.observations", "alert"], "stations": ["HN_X_Y"]}`` (both optional).
``notify.popup`` messages (core/notify) go only to the user they are addressed to.
Visitors who are not logged in receive only ``public.aqi`` hints: a published station has new data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from giamsat.core.store import Store
from giamsat.environment.schema import stations
from giamsat.web.auth import Principal
from giamsat.web.context import resolve_principal

log = logging.getLogger(__name__)
router = APIRouter()


class StationIndex:
    """code -> (province_id, organisation_id, published), reloaded when an unknown code shows
    up (at most every few seconds) and every minute."""

    def __init__(self, store: Store, max_age: float = 60.0) -> None:
        self.store = store
        self.max_age = max_age
        self._items: dict[str, tuple[int | None, int | None, bool]] = {}
        self._at = 0.0

    def _load(self) -> None:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(
                    stations.c.code,
                    stations.c.province_id,
                    stations.c.organisation_id,
                    stations.c.published,
                )
            ).all()
        self._items = {r.code: (r.province_id, r.organisation_id, bool(r.published)) for r in rows}
        self._at = time.monotonic()

    async def get(self, code: str) -> tuple[int | None, int | None, bool] | None:
        age = time.monotonic() - self._at
        if age > self.max_age or (code not in self._items and age > 5.0):
            await run_in_threadpool(self._load)
        return self._items.get(code)


def _station_allowed(
    principal: Principal, info: tuple[int | None, int | None, bool] | None
) -> bool:
    if principal.sees_all_stations:
        return True
    if info is None:
        return False
    if principal.role == "province":
        return principal.province_id is not None and info[0] == principal.province_id
    if principal.role == "enterprise":
        return principal.organisation_id is not None and info[1] == principal.organisation_id
    return False


async def shape(
    event: dict[str, Any], principal: Principal, index: StationIndex
) -> dict[str, Any] | None:
    """The event as this principal may see it, or None."""
    topic = event.get("topic", "")
    if topic.startswith("env."):
        code = event.get("station")
        info = await index.get(code) if code else None
        if not principal.authenticated:
            if topic == "env.observations" and info is not None and info[2]:
                return {"topic": "public.aqi", "station": code}
            return None
        if not principal.environment:
            return None
        if code is None:
            return event if principal.sees_all_stations else None
        return event if _station_allowed(principal, info) else None
    if topic == "alert":
        if not principal.authenticated:
            return None
        alert = event.get("alert") or {}
        if alert.get("domain") == "maritime":
            return event if principal.maritime else None
        if not principal.environment:
            return None
        if principal.sees_all_stations:
            return event
        code = alert.get("asset_id")
        return event if code and _station_allowed(principal, await index.get(code)) else None
    if topic.startswith("notify."):  # a pop-up is for the one user it was addressed to
        user_id = event.get("user_id")
        return event if user_id is not None and user_id == principal.user_id else None
    if topic.startswith("ais.") or topic.startswith("maritime."):
        return event if principal.authenticated and principal.maritime else None
    return event if principal.sees_all_stations else None


_ENCODED: OrderedDict[int, tuple[dict[str, Any], str]] = OrderedDict()


def _encoded(event: dict[str, Any]) -> str:
    """JSON text of an event, encoded once for all the clients that receive the same object."""
    key = id(event)
    hit = _ENCODED.get(key)
    if hit is not None and hit[0] is event:
        return hit[1]
    # OPT_NON_STR_KEYS: SQLAlchemy row keys are str subclasses, which orjson refuses by default
    text = orjson.dumps(event, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    _ENCODED[key] = (event, text)  # holding the event keeps its id from being reused
    if len(_ENCODED) > 512:
        _ENCODED.popitem(last=False)
    return text


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == ws.headers.get("host")


@router.websocket("/live")
async def live(ws: WebSocket) -> None:
    ctx = ws.app.state.ctx
    principal: Principal = await run_in_threadpool(resolve_principal, ws)  # type: ignore[arg-type]
    if principal.via == "session" and not _same_origin(ws):
        await ws.close(code=1008, reason="cross-origin")
        return
    if not principal.authenticated and (token := ws.query_params.get("token")):
        from giamsat.web.auth import token_principal

        found = await run_in_threadpool(token_principal, ctx.store, token)
        if found is None:
            await ws.close(code=1008, reason="invalid token")
            return
        principal = found
    await ws.accept()
    index: StationIndex = ws.app.state.station_index
    subscription = ctx.hub.subscribe()
    wanted_topics: set[str] | None = None
    wanted_stations: set[str] | None = None

    async def receive() -> None:
        nonlocal wanted_topics, wanted_stations
        while True:
            message = await ws.receive_text()
            try:
                request = orjson.loads(message)
            except orjson.JSONDecodeError:
                await ws.send_text('{"topic":"error","message":"send JSON"}')
                continue
            if isinstance(request, dict):
                if isinstance(request.get("topics"), list):
                    wanted_topics = {str(t) for t in request["topics"]} or None
                if isinstance(request.get("stations"), list):
                    wanted_stations = {str(s) for s in request["stations"]} or None
                if request.get("ping"):
                    await ws.send_text('{"topic":"pong"}')

    async def send() -> None:
        while True:
            event = await subscription.queue.get()
            topic = event.get("topic", "")
            if wanted_topics is not None and not (
                topic in wanted_topics or topic.split(".", 1)[0] in wanted_topics
            ):
                continue
            shaped = await shape(event, principal, index)
            if shaped is None:
                continue
            if wanted_stations is not None and not topic.startswith("notify."):
                code = shaped.get("station") or (shaped.get("alert") or {}).get("asset_id")
                if code not in wanted_stations:
                    continue
            await ws.send_text(_encoded(shaped))

    await ws.send_text(
        orjson.dumps(
            {"topic": "hello", "role": principal.role, "user": principal.username}
        ).decode()
    )
    tasks = [asyncio.create_task(receive()), asyncio.create_task(send())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await task
        subscription.close()
        with contextlib.suppress(Exception):
            await ws.close()
