"""Role scoping: which stations a principal may see, applied inside every query.

admin and ministry see every station; a province user the stations of its province; an
enterprise user the stations of its organisation; operators (maritime) and the public none
(the public reads only published AQI through the public routes).
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.engine import Connection

from giamsat.environment.schema import stations
from giamsat.web.auth import Principal


def station_clause(principal: Principal) -> ColumnElement[bool]:
    if principal.sees_all_stations:
        return true()
    if principal.role == "province" and principal.province_id is not None:
        return stations.c.province_id == principal.province_id
    if principal.role == "enterprise" and principal.organisation_id is not None:
        return stations.c.organisation_id == principal.organisation_id
    return false()


def visible_codes(conn: Connection, principal: Principal) -> list[str]:
    return list(
        conn.execute(
            select(stations.c.code).where(station_clause(principal)).order_by(stations.c.code)
        ).scalars()
    )


def require_station(conn: Connection, principal: Principal, code: str) -> Any:
    """The station row if the principal may see it; 404 otherwise (existence is not disclosed)."""
    row = conn.execute(
        select(stations).where(stations.c.code == code, station_clause(principal))
    ).first()
    if row is None:
        raise HTTPException(404, f"station {code!r} not found")
    return row


def filter_codes(conn: Connection, principal: Principal, codes: list[str] | None) -> list[str]:
    """The requested codes the principal may see (all visible ones when none are asked for);
    asking for a station one may not see is a 404, not a silent omission."""
    allowed = visible_codes(conn, principal)
    if not codes:
        return allowed
    allowed_set = set(allowed)
    for code in codes:
        if code not in allowed_set:
            raise HTTPException(404, f"station {code!r} not found")
    return list(dict.fromkeys(codes))
