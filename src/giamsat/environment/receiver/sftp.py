"""SFTP server (asyncssh) for TT10 uploads, with the same rules as the FTP receiver:
password accounts (argon2), each confined to ``inbox/<home>``, upload-only, own stations only,
no ``..`` in paths, and the upload made durable in the spool before the client's close returns.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh

from giamsat.core.store import Store
from giamsat.environment.accounts import Account, authenticate
from giamsat.environment.receiver.policy import escapes, upload_refusal
from giamsat.environment.receiver.spool import SpoolFile, is_partial

log = logging.getLogger(__name__)

Notify = Callable[[Path, str, int | None], None]


class _AccountServer(asyncssh.SSHServer):
    def __init__(self, store: Store) -> None:
        self.store = store
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        account = await asyncio.to_thread(authenticate, self.store, username, password)
        if account is None or self._conn is None:
            return False
        self._conn.set_extra_info(account=account)
        return True


def _make_sftp_server(inbox: Path, notify: Notify) -> type[asyncssh.SFTPServer]:
    class AccountSFTPServer(asyncssh.SFTPServer):
        def __init__(self, chan: asyncssh.SSHServerChannel) -> None:
            self.account: Account = chan.get_extra_info("account")
            root = inbox / self.account.home
            root.mkdir(parents=True, exist_ok=True)
            super().__init__(chan, chroot=os.fsencode(root))

        @staticmethod
        def _refuse_escape(*paths: bytes) -> None:
            """Client paths with ``..`` are refused (map_path would also confine them)."""
            if any(escapes(os.fsdecode(p)) for p in paths):
                raise asyncssh.SFTPPermissionDenied("Paths with '..' are not allowed")

        def realpath(self, path: bytes) -> Any:
            self._refuse_escape(path)
            return super().realpath(path)

        def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
            self._refuse_escape(path)
            return super().mkdir(path, attrs)

        def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> Any:
            self._refuse_escape(path)
            if not pflags & asyncssh.FXF_WRITE or pflags & asyncssh.FXF_READ:
                raise asyncssh.SFTPPermissionDenied("Reading files back is not allowed")
            if pflags & asyncssh.FXF_APPEND:
                raise asyncssh.SFTPOpUnsupported("Append is not supported; send the whole file")
            target = Path(os.fsdecode(self.map_path(path)))
            refusal = upload_refusal(self.account, target.name)
            if refusal:
                raise asyncssh.SFTPPermissionDenied(refusal)
            if not target.parent.is_dir():
                raise asyncssh.SFTPNoSuchFile("No such folder")
            return SpoolFile(target)

        def write(self, file_obj: object, offset: int, data: bytes) -> int:
            assert isinstance(file_obj, SpoolFile)
            file_obj.seek(offset)
            return file_obj.write(data)

        def close(self, file_obj: object) -> None:
            if not isinstance(file_obj, SpoolFile):
                return super().close(file_obj)
            if self.channel.is_closing():  # the session died mid-upload: not acknowledged
                file_obj.close()
                return None
            file_obj.commit()
            notify(file_obj.final_path, "sftp", self.account.id)
            return None

        def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
            self._refuse_escape(oldpath, newpath)
            super().posix_rename(oldpath, newpath)
            notify(Path(os.fsdecode(self.map_path(newpath))), "sftp", self.account.id)

        def rename(self, oldpath: bytes, newpath: bytes) -> None:
            self._refuse_escape(oldpath, newpath)
            super().rename(oldpath, newpath)
            notify(Path(os.fsdecode(self.map_path(newpath))), "sftp", self.account.id)

        def remove(self, path: bytes) -> None:
            raise asyncssh.SFTPPermissionDenied("Deleting is not allowed")

        def scandir(self, path: bytes) -> Any:
            self._refuse_escape(path)

            async def names() -> Any:
                async for entry in super(AccountSFTPServer, self).scandir(path):
                    if not is_partial(os.fsdecode(entry.filename)):
                        yield entry

            return names()

    return AccountSFTPServer


class SftpReceiver:
    def __init__(
        self, store: Store, inbox: Path, notify: Notify, host: str, port: int, host_key: Path
    ) -> None:
        self.store, self.inbox, self.notify = store, inbox, notify
        self.host, self.port, self.host_key = host, port, host_key
        self._server: asyncssh.SSHAcceptor | None = None

    async def start(self) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._server = await asyncssh.create_server(
            lambda: _AccountServer(self.store),
            self.host,
            self.port,
            server_host_keys=[str(self.host_key)],
            sftp_factory=_make_sftp_server(self.inbox, self.notify),
            allow_scp=False,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
