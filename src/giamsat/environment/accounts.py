"""Upload accounts of the FTP/FTPS/SFTP receivers: each confined to its home folder and
allowed to upload only for its own stations (codes, or prefixes ending in ``*``)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlalchemy import select

from giamsat.core.auth import hash_password, verify_password
from giamsat.core.store import Store
from giamsat.environment.schema import accounts

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    home: str
    stations: tuple[str, ...]

    def may_upload(self, station_code: str) -> bool:
        for pattern in self.stations:
            if pattern == "*" or pattern == station_code:
                return True
            if pattern.endswith("*") and station_code.startswith(pattern[:-1]):
                return True
        return False


def add_account(
    store: Store, username: str, password: str, stations: list[str], home: str | None = None
) -> Account:
    if not _SAFE.match(username):
        raise ValueError("username: letters, digits, '_', '.', '-' only")
    home = (home or username).strip("/")
    if (
        not home
        or ".." in home.split("/")
        or not all(_SAFE.match(part) for part in home.split("/"))
    ):
        raise ValueError(f"home folder {home!r} must be a relative path of plain names")
    with store.write() as conn:
        if conn.execute(select(accounts.c.id).where(accounts.c.username == username)).first():
            raise ValueError(f"account {username!r} exists")
        account_id = conn.execute(
            accounts.insert().values(
                username=username,
                password_hash=hash_password(password),
                home=home,
                stations=stations,
                active=True,
                created_at=int(time.time()),
            )
        ).inserted_primary_key[0]
    return Account(int(account_id), username, home, tuple(stations))


def authenticate(store: Store, username: str, password: str) -> Account | None:
    with store.engine.connect() as conn:
        row = conn.execute(
            select(accounts).where(accounts.c.username == username, accounts.c.active.is_(True))
        ).first()
    if row is None or not verify_password(row.password_hash, password):
        return None
    return Account(row.id, row.username, row.home, tuple(row.stations or ()))


def list_accounts(store: Store) -> list[Account]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(accounts).order_by(accounts.c.username)).all()
    return [Account(r.id, r.username, r.home, tuple(r.stations or ())) for r in rows]
