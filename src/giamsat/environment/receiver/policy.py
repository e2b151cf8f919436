"""What an upload account may do, shared by the FTP and SFTP receivers."""

from __future__ import annotations

from pathlib import PurePosixPath

from giamsat.environment.accounts import Account
from giamsat.environment.tt10 import FileName, parse_name


def escapes(path: str) -> bool:
    """A client path with a ``..`` segment is refused outright, wherever it would lead."""
    return ".." in PurePosixPath(path.replace("\\", "/")).parts


def upload_refusal(account: Account, filename: str) -> str | None:
    """Why this account may not upload this file, or None. Files whose name is not TT10 are
    let in: they are kept and rejected with a reason, so the station learns what went wrong."""
    name = parse_name(filename)
    if isinstance(name, FileName) and not account.may_upload(name.station_code):
        return f"account {account.username} may not upload files for station {name.station_code}"
    return None
