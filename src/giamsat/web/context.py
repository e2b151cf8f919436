"""What every request handler needs, kept on ``app.state.ctx``, and the FastAPI dependencies
that resolve the caller and enforce roles and CSRF."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from giamsat.config import Settings
from giamsat.core.events import EventHub
from giamsat.core.store import Store
from giamsat.web.auth import (
    CSRF_HEADER,
    PUBLIC,
    SESSION_COOKIE,
    LoginLimiter,
    Principal,
    Sessions,
    csrf_ok,
    token_principal,
)
from giamsat.web.quality import StatusCache

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class WebContext:
    settings: Settings
    store: Store
    hub: EventHub
    sessions: Sessions
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    status: StatusCache | None = None

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = StatusCache(self.store)


def ctx_of(request: Request) -> WebContext:
    return request.app.state.ctx


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"


def resolve_principal(request: Request) -> Principal:
    """Bearer token first (machines), then the session cookie (browsers), else public."""
    ctx = ctx_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = token_principal(ctx.store, header[7:].strip())
        if principal is None:
            raise HTTPException(401, "invalid or expired API token")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = ctx.sessions.lookup(cookie)
        if principal is not None:
            return principal
    return PUBLIC


def principal_dep(request: Request) -> Principal:
    principal = resolve_principal(request)
    if request.method in UNSAFE_METHODS and principal.authenticated:
        if not csrf_ok(principal, request.headers.get(CSRF_HEADER)):
            raise HTTPException(403, "missing or wrong CSRF token (header X-CSRF-Token)")
        origin = request.headers.get("origin")
        if (
            principal.via == "session"
            and origin
            and origin.split("://", 1)[-1] != request.headers.get("host")
        ):
            raise HTTPException(403, "cross-origin request refused")
    return principal


def user_dep(principal: Annotated[Principal, Depends(principal_dep)]) -> Principal:
    if not principal.authenticated:
        raise HTTPException(401, "log in first", headers={"WWW-Authenticate": "Bearer"})
    return principal


def env_dep(principal: Annotated[Principal, Depends(user_dep)]) -> Principal:
    if not principal.environment:
        raise HTTPException(403, f"role {principal.role!r} has no access to environmental data")
    return principal


def admin_dep(principal: Annotated[Principal, Depends(user_dep)]) -> Principal:
    if not principal.admin:
        raise HTTPException(403, "administrators only")
    return principal


Ctx = Annotated[WebContext, Depends(ctx_of)]
AnyPrincipal = Annotated[Principal, Depends(principal_dep)]
User = Annotated[Principal, Depends(user_dep)]
EnvUser = Annotated[Principal, Depends(env_dep)]
Admin = Annotated[Principal, Depends(admin_dep)]
