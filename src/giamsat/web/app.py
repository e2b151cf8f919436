"""The FastAPI application: REST under ``/api/v1``, OpenAPI at ``/openapi.json``, the live
WebSocket, and the built UI (``static/``, made by ``npm run build`` in ``web/``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlalchemy import text

from giamsat import __version__
from giamsat.config import Settings
from giamsat.core.events import EventHub
from giamsat.core.events import hub as default_hub
from giamsat.core.store import Store
from giamsat.web.auth import Sessions
from giamsat.web.context import WebContext
from giamsat.web.live import StationIndex
from giamsat.web.quality import features

STATIC = Path(__file__).with_name("static")
CSP = (
    "default-src 'self'; script-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; "
    "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "connect-src 'self' ws: wss:; manifest-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>giamsat</title>
<p>Giao diện web chưa được dựng / the web UI is not built: run <code>make setup</code>
(or <code>cd web && npm ci && npm run build</code>). The API is at <a href="/api/docs">/api/docs</a>.</p>"""


def create_app(settings: Settings, store: Store, hub: EventHub | None = None) -> FastAPI:
    """The web application over a store; ``hub`` is where live events come from (the
    process-wide hub by default)."""
    from giamsat.web import live
    from giamsat.web.routers import admin, auth, env, maritime, notify, public, quality, reports

    hub = hub or default_hub
    extra = settings.extra
    ctx = WebContext(
        settings=settings,
        store=store,
        hub=hub,
        sessions=Sessions(
            store,
            idle_hours=float(extra.get("web_session_idle_hours", 12)),
            max_days=float(extra.get("web_session_max_days", 7)),
        ),
    )
    app = FastAPI(
        title="giamsat",
        version=__version__,
        description="Giám sát — environmental stations (TT10) and maritime monitoring. "
        "Log in with POST /api/v1/auth/login (browser session + CSRF) or send "
        "`Authorization: Bearer <token>` (tokens from POST /api/v1/tokens).",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.notifier = None  # giamsat serve sets its notifier (status, wake-ups)
    app.state.station_index = StationIndex(store)
    hub.add_callback(ctx.status.invalidate, {"env"})  # type: ignore[union-attr]

    api = APIRouter(prefix="/api/v1")

    @api.get("/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness and what is installed: database reachable, quality engine present."""
        started = time.perf_counter()
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {
            "status": "ok",
            "version": __version__,
            "database": store.engine.dialect.name,
            "database_ms": round((time.perf_counter() - started) * 1000, 2),
            "features": features(),
            "live_clients": hub.subscriber_count,
            "time": int(time.time()),
        }

    for module in (auth, env, quality, admin, reports, public, notify, maritime):
        api.include_router(module.router)
    api.include_router(live.router)
    from giamsat.web import enc
    from giamsat.web.routers.maritime import maritime_dep

    app.state.store, app.state.settings = store, settings  # the chart library finds them here
    api.include_router(enc.router, prefix="/enc", dependencies=[Depends(maritime_dep)])
    app.include_router(api)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        elif request.url.path != "/api/docs":
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    static_dir = Path(extra.get("web_static_dir") or STATIC)
    _mount_ui(app, static_dir)
    return app


def _mount_ui(app: FastAPI, static_dir: Path) -> None:
    root = static_dir.resolve()
    index = root / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    def ui(path: str) -> Response:
        if path.startswith("api/") or path == "api":
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        if path:
            candidate = (root / path).resolve()
            if candidate.is_file() and candidate.is_relative_to(root):
                immutable = path.startswith("assets/")
                return FileResponse(
                    candidate,
                    headers={
                        "Cache-Control": "public, max-age=31536000, immutable"
                        if immutable
                        else "no-cache"
                    },
                )
            if "." in path.rsplit("/", 1)[-1]:
                return JSONResponse({"detail": "Not Found"}, status_code=404)
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
