"""Log in and out, the current session, own password and own API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from giamsat.core.auth import hash_password, verify_password
from giamsat.core.store.schema import organisations, provinces, users
from giamsat.core.store.types import utcnow
from giamsat.web.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Principal,
    audit,
    check_password,
    create_token,
)
from giamsat.web.context import Ctx, User, client_of
from giamsat.web.quality import features
from giamsat.web.schema import api_tokens

router = APIRouter(tags=["auth"])


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class PasswordChange(BaseModel):
    current: str
    new: str = Field(min_length=10, max_length=200)


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    days: int | None = Field(None, ge=1, le=3650, description="Lifetime; none = until revoked.")


def describe(ctx: Any, principal: Principal) -> dict[str, Any]:
    """The caller as the UI needs it: role, scope names, language, features available."""
    out: dict[str, Any] = {
        "authenticated": principal.authenticated,
        "username": principal.username,
        "display_name": principal.display_name,
        "role": principal.role,
        "language": principal.language,
        "province": None,
        "organisation": None,
        "features": features(),
    }
    if principal.authenticated:
        with ctx.store.engine.connect() as conn:
            if principal.province_id is not None:
                row = conn.execute(
                    select(provinces.c.code, provinces.c.name).where(
                        provinces.c.id == principal.province_id
                    )
                ).first()
                out["province"] = dict(row._mapping) if row else None
            if principal.organisation_id is not None:
                row = conn.execute(
                    select(organisations.c.code, organisations.c.name).where(
                        organisations.c.id == principal.organisation_id
                    )
                ).first()
                out["organisation"] = dict(row._mapping) if row else None
    return out


def _set_cookies(response: Response, request: Request, token: str, csrf: str, max_age: int) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    # readable by the page's script: it echoes it in X-CSRF-Token (double submit)
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="strict", secure=secure
    )


@router.post("/auth/login")
def login(body: Login, request: Request, response: Response, ctx: Ctx) -> dict[str, Any]:
    """Check the password (argon2), open a session: HttpOnly SameSite=Strict cookie + CSRF token."""
    client = client_of(request)
    wait = ctx.limiter.retry_after(body.username, client)
    if wait:
        raise HTTPException(
            429,
            f"too many failed logins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    principal = check_password(ctx.store, body.username, body.password)
    if principal is None:
        ctx.limiter.failed(body.username, client)
        with ctx.store.write() as conn:
            audit(conn, body.username, "login_failed", client=client)
        raise HTTPException(401, "wrong username or password")
    ctx.limiter.succeeded(body.username, client)
    agent = request.headers.get("user-agent", "")[:120]
    token, csrf, expires = ctx.sessions.create(principal.user_id or 0, f"{client} {agent}")
    _set_cookies(response, request, token, csrf, int((expires - utcnow()).total_seconds()))
    with ctx.store.write() as conn:
        audit(conn, principal.username, "login", client=client)
    return {**describe(ctx, principal), "csrf_token": csrf}


@router.post("/auth/logout")
def logout(request: Request, response: Response, ctx: Ctx, principal: User) -> dict[str, bool]:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        ctx.sessions.revoke(cookie)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return {"ok": True}


@router.get("/auth/session")
def session(request: Request, ctx: Ctx) -> dict[str, Any]:
    """Who is logged in (``authenticated: false`` for the public), with the CSRF token."""
    from giamsat.web.context import resolve_principal

    principal = resolve_principal(request)
    return {**describe(ctx, principal), "csrf_token": principal.csrf_token}


@router.post("/auth/password")
def change_password(body: PasswordChange, ctx: Ctx, principal: User) -> dict[str, bool]:
    with ctx.store.write() as conn:
        stored = conn.execute(
            select(users.c.password_hash).where(users.c.id == principal.user_id)
        ).scalar_one()
        if not verify_password(stored, body.current):
            raise HTTPException(403, "the current password is wrong")
        conn.execute(
            update(users)
            .where(users.c.id == principal.user_id)
            .values(password_hash=hash_password(body.new))
        )
        audit(conn, principal.username, "password_change", principal.username)
    return {"ok": True}


@router.get("/tokens")
def list_tokens(ctx: Ctx, principal: User) -> dict[str, Any]:
    """Your API tokens (never the secrets)."""
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(
            select(
                api_tokens.c.id,
                api_tokens.c.name,
                api_tokens.c.prefix,
                api_tokens.c.created_at,
                api_tokens.c.expires_at,
                api_tokens.c.last_used_at,
                api_tokens.c.revoked_at,
            )
            .where(api_tokens.c.user_id == principal.user_id)
            .order_by(api_tokens.c.id)
        ).all()
    items = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r._mapping.items()}
        for r in rows
    ]
    return {"items": items, "total": len(items)}


@router.post("/tokens", status_code=201)
def new_token(body: TokenRequest, ctx: Ctx, principal: User) -> dict[str, Any]:
    """A bearer token for machines acting as you; the secret is in this answer only."""
    token_id, secret = create_token(ctx.store, principal.user_id or 0, body.name, body.days)
    with ctx.store.write() as conn:
        audit(conn, principal.username, "token_create", body.name)
    return {"id": token_id, "name": body.name, "token": secret}


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, ctx: Ctx, principal: User) -> dict[str, bool]:
    with ctx.store.write() as conn:
        done = conn.execute(
            update(api_tokens)
            .where(
                api_tokens.c.id == token_id,
                api_tokens.c.user_id == principal.user_id,
                api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        ).rowcount
        if not done:
            raise HTTPException(404, "no such token")
        audit(conn, principal.username, "token_revoke", str(token_id))
    return {"ok": True}
