"""FTP server with explicit FTPS (AUTH TLS) on the same port, for TT10 uploads.

Each account is confined to ``inbox/<home>``, may only store files (no reading back), only for
its own stations, and never with a ``..`` in a path. An upload is made durable in the spool
before ``226 Transfer complete`` is sent (see spool.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyftpdlib.authorizers import AuthenticationFailed
from pyftpdlib.exceptions import FilesystemError
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import DTPHandler, FTPHandler, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

from giamsat.core.store import Store
from giamsat.environment.accounts import Account, authenticate
from giamsat.environment.receiver.policy import escapes, upload_refusal
from giamsat.environment.receiver.spool import SpoolFile, is_partial

log = logging.getLogger(__name__)

PERMS = "elmwf"  # cwd, list, mkdir, store, rename — no read, no delete
PATH_COMMANDS = {
    "CWD",
    "XCWD",
    "LIST",
    "NLST",
    "MLSD",
    "MLST",
    "STOR",
    "APPE",
    "RETR",
    "DELE",
    "RNFR",
    "RNTO",
    "MKD",
    "XMKD",
    "RMD",
    "XRMD",
    "SIZE",
    "MDTM",
    "STAT",
    "SITE CHMOD",
    "MFMT",
    "STOU",
}

Notify = Callable[[Path, str, int | None], None]


class AccountAuthorizer:
    """pyftpdlib authorizer backed by the store's upload accounts (argon2 hashes)."""

    def __init__(self, store: Store, inbox: Path) -> None:
        self.store = store
        self.inbox = inbox
        self._accounts: dict[str, Account] = {}

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        account = authenticate(self.store, username, password)
        if account is None:
            raise AuthenticationFailed("Authentication failed.")
        (self.inbox / account.home).mkdir(parents=True, exist_ok=True)
        self._accounts[username] = account
        handler.account = account

    def get_home_dir(self, username: str) -> str:
        return str((self.inbox / self._accounts[username].home).resolve())

    def has_user(self, username: str) -> bool:
        return username in self._accounts

    def has_perm(self, username: str, perm: str, path: str | None = None) -> bool:
        if perm not in PERMS or username not in self._accounts:
            return False
        if path is None:
            return True
        home = Path(self.get_home_dir(username))
        return Path(path).resolve() == home or home in Path(path).resolve().parents

    def get_perms(self, username: str) -> str:
        return PERMS

    def get_msg_login(self, username: str) -> str:
        return "Xin chào / Welcome. Upload TT10 files for your stations."

    def get_msg_quit(self, username: str) -> str:
        return "Goodbye."

    def impersonate_user(self, username: str, password: str) -> None:
        return None

    def terminate_impersonation(self, username: str) -> None:
        return None


class SpoolFS(AbstractedFS):
    def open(self, filename: str, mode: str) -> Any:
        if "w" not in mode:
            raise FilesystemError("reading files back is not allowed")
        return SpoolFile(Path(filename))

    def listdir(self, path: str) -> list[str]:
        return [n for n in super().listdir(path) if not is_partial(n)]

    def rename(self, src: str, dst: str) -> None:
        super().rename(src, dst)
        self.cmd_channel.landed(Path(dst))  # .tmp -> .txt uploads


class SpoolDTPMixin:
    """Commit the spool file (fsync + rename) before the data channel replies 226."""

    def close(self) -> None:
        f = self.file_obj  # type: ignore[attr-defined]
        done = self.receive and self.transfer_finished  # type: ignore[attr-defined]
        if not self._closed and done and isinstance(f, SpoolFile) and not f.committed:  # type: ignore[attr-defined]
            try:
                f.commit()
            except OSError as exc:
                log.error("could not store upload %s: %s", f.final_path.name, exc.strerror)
                self.transfer_finished = False
                self._resp = ("451 Could not store the file; send it again.", log.warning)
        super().close()  # type: ignore[misc]


class ReceiverMixin:
    """Station ownership, path confinement and spool notification for the control channel."""

    notify: Notify
    account: Account | None = None

    def pre_process_command(self, line: str, cmd: str, arg: str) -> None:
        if arg and cmd.upper() in PATH_COMMANDS and escapes(arg):
            self.respond("550 Paths with '..' are not allowed.")  # type: ignore[attr-defined]
            return None
        return super().pre_process_command(line, cmd, arg)  # type: ignore[misc]

    def ftp_STOR(self, file: str, mode: str = "w") -> Any:
        if mode != "w" or self._restart_position:  # type: ignore[attr-defined]
            self._restart_position = 0
            self.respond("550 Append and resume are not supported; send the whole file.")  # type: ignore[attr-defined]
            return None
        if self.account is not None:
            refusal = upload_refusal(self.account, Path(file).name)
            if refusal:
                self.respond(f"553 {refusal}.")  # type: ignore[attr-defined]
                return None
        return super().ftp_STOR(file, mode)  # type: ignore[misc]

    def ftp_APPE(self, file: str) -> None:
        self.respond("550 Append and resume are not supported; send the whole file.")  # type: ignore[attr-defined]

    def on_file_received(self, file: str) -> None:
        self.landed(Path(file))

    def landed(self, path: Path) -> None:
        source = "ftps" if getattr(self, "_prot", False) else "ftp"
        self.notify(path, source, self.account.id if self.account else None)


class FtpReceiver:
    """Runs the FTP/FTPS server in its own thread."""

    def __init__(
        self,
        store: Store,
        inbox: Path,
        notify: Notify,
        host: str,
        port: int,
        passive_ports: range | None = None,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        base, dtp_base = (TLS_FTPHandler, TLS_DTPHandler) if tls else (FTPHandler, DTPHandler)
        dtp = type("SpoolDTP", (SpoolDTPMixin, dtp_base), {})
        handler: Any = type("ReceiverHandler", (ReceiverMixin, base), {})
        handler.dtp_handler = dtp
        handler.abstracted_fs = SpoolFS
        handler.authorizer = AccountAuthorizer(store, inbox)
        handler.notify = staticmethod(notify)
        handler.banner = "giamsat TT10 receiver ready."
        handler.passive_ports = list(passive_ports) if passive_ports else None
        handler.permit_foreign_addresses = False
        handler.use_sendfile = False
        handler.timeout = 300
        if tls:
            handler.certfile, handler.keyfile = str(tls[0]), str(tls[1])
        inbox.mkdir(parents=True, exist_ok=True)
        self.server = FTPServer((host, port), handler)
        self.server.max_cons = 512
        self.port = self.server.address[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="ftp-receiver", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self.server.serve_forever(timeout=0.2, blocking=False, handle_exit=False)
        self.server.close_all()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
