"""Administration: users, upload accounts, stations and permits, organisations, audit trail.
Generated passwords are returned once and never stored in clear."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from giamsat.core.auth import generate_password, hash_password
from giamsat.core.store.schema import organisations, provinces, users
from giamsat.core.store.types import utcnow
from giamsat.environment.accounts import add_account
from giamsat.environment.schema import accounts, stations
from giamsat.environment.stations import ensure_province, upsert_station
from giamsat.web.auth import ROLES, audit
from giamsat.web.context import Admin, Ctx, client_of
from giamsat.web.schema import audit_log
from giamsat.web.tabular import Paging

router = APIRouter(tags=["admin"])

Role = Literal["admin", "ministry", "province", "enterprise", "operator"]


class UserIn(BaseModel):
    username: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
    role: Role
    password: str | None = Field(None, min_length=10, max_length=200)
    province: str | None = None
    organisation: str | None = None
    display_name: str = ""
    email: str | None = None
    phone: str | None = None
    language: Literal["vi", "en"] = "vi"


class UserPatch(BaseModel):
    role: Role | None = None
    province: str | None = None
    organisation: str | None = None
    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: Literal["vi", "en"] | None = None
    active: bool | None = None


def resolve_scope(
    conn: Connection, role: str, province: str | None, organisation: str | None
) -> tuple[int | None, int | None]:
    """Province and organisation ids for a role; a province or enterprise user needs its scope."""
    province_id = org_id = None
    if province:
        province_id = conn.execute(
            select(provinces.c.id).where(provinces.c.code == province)
        ).scalar()
        if province_id is None:
            raise ValueError(f"no province {province!r}")
    if organisation:
        org_id = conn.execute(
            select(organisations.c.id).where(organisations.c.code == organisation)
        ).scalar()
        if org_id is None:
            raise ValueError(f"no organisation {organisation!r}")
    if role == "province" and province_id is None:
        raise ValueError("a province user needs --province")
    if role == "enterprise" and org_id is None:
        raise ValueError("an enterprise user needs --organisation")
    return province_id, org_id


def create_user(conn: Connection, data: UserIn) -> tuple[int, str]:
    """Insert a user; returns (id, password) — the password generated when none was given."""
    if data.role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if conn.execute(select(users.c.id).where(users.c.username == data.username)).first():
        raise ValueError(f"user {data.username!r} exists")
    province_id, org_id = resolve_scope(conn, data.role, data.province, data.organisation)
    password = data.password or generate_password(20)
    user_id = conn.execute(
        users.insert().values(
            username=data.username,
            password_hash=hash_password(password),
            role=data.role,
            province_id=province_id,
            organisation_id=org_id,
            display_name=data.display_name or data.username,
            email=data.email,
            phone=data.phone,
            language=data.language,
            active=True,
            created_at=utcnow(),
        )
    ).inserted_primary_key[0]
    return int(user_id), password


def _user_rows(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            users.c.id,
            users.c.username,
            users.c.role,
            users.c.display_name,
            users.c.email,
            users.c.phone,
            users.c.language,
            users.c.active,
            users.c.created_at,
            provinces.c.code.label("province"),
            organisations.c.code.label("organisation"),
        )
        .select_from(
            users.outerjoin(provinces, provinces.c.id == users.c.province_id).outerjoin(
                organisations, organisations.c.id == users.c.organisation_id
            )
        )
        .order_by(users.c.username)
    ).all()
    return [dict(r._mapping) for r in rows]


@router.get("/users")
def list_users(ctx: Ctx, principal: Admin, paging: Paging = Depends()) -> dict[str, Any]:
    with ctx.store.engine.connect() as conn:
        return paging.slice(_user_rows(conn))


@router.post("/users", status_code=201)
def add_user(body: UserIn, request: Request, ctx: Ctx, principal: Admin) -> dict[str, Any]:
    try:
        with ctx.store.write() as conn:
            user_id, password = create_user(conn, body)
            audit(
                conn,
                principal.username,
                "user.create",
                body.username,
                {"role": body.role},
                client_of(request),
            )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    out: dict[str, Any] = {"id": user_id, "username": body.username, "role": body.role}
    if not body.password:
        out["password"] = password  # shown once
    return out


@router.patch("/users/{user_id}")
def patch_user(
    user_id: int, body: UserPatch, request: Request, ctx: Ctx, principal: Admin
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    try:
        with ctx.store.write() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
            if row is None:
                raise HTTPException(404, "no such user")
            role = changes.get("role", row.role)
            values = {k: v for k, v in changes.items() if k not in ("province", "organisation")}
            if {"role", "province", "organisation"} & set(changes):
                prov_code = changes.get("province")
                org_code = changes.get("organisation")
                if "province" not in changes and row.province_id is not None:
                    prov_code = conn.execute(
                        select(provinces.c.code).where(provinces.c.id == row.province_id)
                    ).scalar()
                if "organisation" not in changes and row.organisation_id is not None:
                    org_code = conn.execute(
                        select(organisations.c.code).where(
                            organisations.c.id == row.organisation_id
                        )
                    ).scalar()
                values["province_id"], values["organisation_id"] = resolve_scope(
                    conn, role, prov_code, org_code
                )
            if row.id == principal.user_id and (values.get("active") is False or role != "admin"):
                raise HTTPException(409, "you cannot demote or disable yourself")
            conn.execute(update(users).where(users.c.id == user_id).values(**values))
            if values.get("active") is False or "role" in changes:
                ctx.sessions.revoke_user(conn, user_id)
            audit(
                conn, principal.username, "user.update", row.username, changes, client_of(request)
            )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"ok": True}


@router.post("/users/{user_id}/password")
def reset_user_password(
    user_id: int, request: Request, ctx: Ctx, principal: Admin
) -> dict[str, Any]:
    """A new generated password (shown once); the user's sessions are closed."""
    password = generate_password(20)
    with ctx.store.write() as conn:
        row = conn.execute(select(users.c.username).where(users.c.id == user_id)).first()
        if row is None:
            raise HTTPException(404, "no such user")
        conn.execute(
            update(users).where(users.c.id == user_id).values(password_hash=hash_password(password))
        )
        ctx.sessions.revoke_user(conn, user_id)
        audit(
            conn, principal.username, "user.password_reset", row.username, None, client_of(request)
        )
    return {"username": row.username, "password": password}


# --- upload accounts -----------------------------------------------------------------------


class AccountIn(BaseModel):
    username: str
    stations: list[str] = Field(min_length=1)
    home: str | None = None
    password: str | None = Field(None, min_length=10, max_length=200)


class AccountPatch(BaseModel):
    stations: list[str] | None = None
    active: bool | None = None


@router.get("/accounts")
def list_upload_accounts(ctx: Ctx, principal: Admin, paging: Paging = Depends()) -> dict[str, Any]:
    """FTP/FTPS/SFTP upload accounts (no secrets) with their latest upload."""
    from giamsat.environment.schema import received_files

    with ctx.store.engine.connect() as conn:
        last = dict(
            conn.execute(
                select(
                    received_files.c.account_id, func.max(received_files.c.received_at)
                ).group_by(received_files.c.account_id)
            ).all()
        )
        rows = conn.execute(select(accounts).order_by(accounts.c.username)).all()
    items = [
        {
            "id": r.id,
            "username": r.username,
            "home": r.home,
            "stations": r.stations or [],
            "active": r.active,
            "created_at": r.created_at,
            "last_upload_at": last.get(r.id),
        }
        for r in rows
    ]
    return paging.slice(items)


@router.post("/accounts", status_code=201)
def add_upload_account(
    body: AccountIn, request: Request, ctx: Ctx, principal: Admin
) -> dict[str, Any]:
    secret = body.password or generate_password()
    try:
        account = add_account(ctx.store, body.username, secret, body.stations, body.home)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    with ctx.store.write() as conn:
        audit(
            conn,
            principal.username,
            "account.create",
            body.username,
            {"stations": body.stations},
            client_of(request),
        )
    out: dict[str, Any] = {
        "id": account.id,
        "username": account.username,
        "home": account.home,
        "stations": list(account.stations),
    }
    if not body.password:
        out["password"] = secret
    return out


@router.patch("/accounts/{account_id}")
def patch_upload_account(
    account_id: int, body: AccountPatch, request: Request, ctx: Ctx, principal: Admin
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    with ctx.store.write() as conn:
        row = conn.execute(select(accounts.c.username).where(accounts.c.id == account_id)).first()
        if row is None:
            raise HTTPException(404, "no such account")
        if changes:
            conn.execute(update(accounts).where(accounts.c.id == account_id).values(**changes))
        audit(conn, principal.username, "account.update", row.username, changes, client_of(request))
    return {"ok": True}


@router.post("/accounts/{account_id}/password")
def reset_account_password(
    account_id: int, request: Request, ctx: Ctx, principal: Admin
) -> dict[str, Any]:
    password = generate_password()
    with ctx.store.write() as conn:
        row = conn.execute(select(accounts.c.username).where(accounts.c.id == account_id)).first()
        if row is None:
            raise HTTPException(404, "no such account")
        conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(password_hash=hash_password(password))
        )
        audit(
            conn,
            principal.username,
            "account.password_reset",
            row.username,
            None,
            client_of(request),
        )
    return {"username": row.username, "password": password}


# --- stations, permits, organisations ----------------------------------------------------------


class StationIn(BaseModel):
    code: str
    name: str | None = None
    component: Literal["wastewater", "emission", "ambient_air", "surface_water", "groundwater"] = (
        "wastewater"
    )
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    province_name: str | None = None
    expected_interval_s: int | None = Field(None, ge=60, le=86400)
    utc_offset_min: int | None = Field(None, ge=-720, le=840)
    permit_standard: str | None = None
    permit_column: str | None = None
    permit_coefficients: dict[str, float] | None = None
    published: bool | None = None
    organisation: str | None = None


@router.put("/stations/{code}")
def put_station(
    code: str, body: StationIn, request: Request, ctx: Ctx, principal: Admin
) -> dict[str, Any]:
    """Register or complete a station (metadata, permit, organisation, publication)."""
    if body.code != code:
        raise HTTPException(422, "the code in the path and the body differ")
    data = body.model_dump(exclude_none=True)
    organisation = data.pop("organisation", None)
    if "published" in data:
        data["published"] = "1" if data["published"] else "0"
    try:
        with ctx.store.write() as conn:
            station_id = upsert_station(conn, data)
            if organisation is not None:
                org_id = conn.execute(
                    select(organisations.c.id).where(organisations.c.code == organisation)
                ).scalar()
                if organisation and org_id is None:
                    raise ValueError(f"no organisation {organisation!r}")
                conn.execute(
                    update(stations)
                    .where(stations.c.id == station_id)
                    .values(organisation_id=org_id)
                )
            audit(
                conn,
                principal.username,
                "station.upsert",
                code,
                body.model_dump(exclude_none=True),
                client_of(request),
            )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    ctx.status.invalidate() if ctx.status else None
    return {"id": station_id, "code": code}


class OrganisationIn(BaseModel):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    name: str
    kind: Literal["ministry", "province", "enterprise", "operator"] = "enterprise"
    province: str | None = None


@router.post("/organisations", status_code=201)
def add_organisation(
    body: OrganisationIn, request: Request, ctx: Ctx, principal: Admin
) -> dict[str, Any]:
    with ctx.store.write() as conn:
        if conn.execute(
            select(organisations.c.id).where(organisations.c.code == body.code)
        ).first():
            raise HTTPException(422, f"organisation {body.code!r} exists")
        province_id = ensure_province(conn, body.province) if body.province else None
        org_id = conn.execute(
            organisations.insert().values(
                code=body.code, name=body.name, kind=body.kind, province_id=province_id
            )
        ).inserted_primary_key[0]
        audit(conn, principal.username, "organisation.create", body.code, None, client_of(request))
    return {"id": org_id, "code": body.code}


@router.get("/audit")
def audit_trail(ctx: Ctx, principal: Admin, paging: Paging = Depends()) -> dict[str, Any]:
    with ctx.store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
        rows = conn.execute(
            select(audit_log)
            .order_by(audit_log.c.id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
        ).all()
    return paging.envelope([dict(r._mapping) for r in rows], total)
