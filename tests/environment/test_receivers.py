"""FTP, FTPS and SFTP receivers with real clients: upload → stored, confinement, ownership."""

from __future__ import annotations

import ftplib
import io
import ssl
import time
from pathlib import Path

import paramiko
import pytest
from sqlalchemy import select

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.accounts import add_account
from giamsat.environment.export import rows
from giamsat.environment.schema import received_files
from tests.service_util import RunningService, wait_for

STAMP = "20240315103000"
NAME_A = f"HN_FA_ST1_{STAMP}.txt"
NAME_B = f"HN_FB_ST9_{STAMP}.txt"


def content(value: float = 45.3, stamp: str = STAMP) -> bytes:
    return f"COD\t{value}\tmg/L\t{stamp}\t00\r\npH\t7.1\t-\t{stamp}\t00\r\n".encode()


@pytest.fixture
def accounts(store: Store) -> dict[str, str]:
    add_account(store, "station_a", "pw-a-123456", ["HN_FA_*"])
    add_account(store, "station_b", "pw-b-123456", ["HN_FB_ST9"])
    return {"station_a": "pw-a-123456", "station_b": "pw-b-123456"}


def ftp_login(port: int, user: str, password: str, tls: bool = False) -> ftplib.FTP:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        ftp: ftplib.FTP = ftplib.FTP_TLS(context=context, timeout=10)
    else:
        ftp = ftplib.FTP(timeout=10)
    ftp.connect("127.0.0.1", port)
    ftp.login(user, password)
    if isinstance(ftp, ftplib.FTP_TLS):
        ftp.prot_p()
    return ftp


def exported(store: Store) -> list[tuple]:
    return list(rows(store))


@pytest.mark.parametrize("tls", [False, True], ids=["ftp", "ftps"])
def test_ftp_upload_is_stored_within_two_seconds(
    store: Store, settings: Settings, accounts: dict, tls: bool
) -> None:
    with RunningService(settings, store) as svc:
        ftp = ftp_login(svc.ftp_port, "station_a", accounts["station_a"], tls)
        ftp.mkd("NuocThai")
        for part in ("NuocThai", "2024", "03", "15032024"):
            if part != "NuocThai":
                ftp.mkd(part)
            ftp.cwd(part)
        reply = ftp.storbinary(f"STOR {NAME_A}", io.BytesIO(content()))
        assert reply.startswith("226")
        started = time.monotonic()  # the 2 s run from the end of the upload (the 226 reply)
        data = wait_for(lambda: exported(store), timeout=2.0)
        elapsed = time.monotonic() - started
        ftp.quit()
    assert {(r[0], r[1], r[3]) for r in data} == {
        ("HN_FA_ST1", "COD", 45.3),
        ("HN_FA_ST1", "pH", 7.1),
    }
    assert elapsed < 2.0
    with store.engine.connect() as conn:
        f = conn.execute(select(received_files)).one()
    assert (f.source, f.outcome, f.misplaced, f.path) == (
        "ftps" if tls else "ftp",
        "accepted",
        False,
        f"NuocThai/2024/03/15032024/{NAME_A}",
    )


def test_relative_home_receives_uploads(
    tmp_path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make demo` runs with the default home `var`, relative to the working folder."""
    monkeypatch.chdir(tmp_path)
    settings = Settings(home=Path("var"), db_url=db_url)
    assert settings.home.is_absolute() and settings.resolved_inbox.is_absolute()
    store = Store.from_settings(settings)
    store.upgrade()
    try:
        add_account(store, "station_a", "pw-a-123456", ["HN_FA_*"])
        with RunningService(settings, store) as svc:
            ftp = ftp_login(svc.ftp_port, "station_a", "pw-a-123456")
            assert ftp.storbinary(f"STOR {NAME_A}", io.BytesIO(content())).startswith("226")
            ftp.quit()
            data = wait_for(lambda: exported(store), timeout=5.0)
        assert {(r[0], r[1], r[3]) for r in data} == {
            ("HN_FA_ST1", "COD", 45.3),
            ("HN_FA_ST1", "pH", 7.1),
        }
    finally:
        store.dispose()


def test_ftp_confinement_and_station_ownership(
    store: Store, settings: Settings, accounts: dict
) -> None:
    with RunningService(settings, store) as svc:
        b = ftp_login(svc.ftp_port, "station_b", accounts["station_b"])
        assert b.storbinary(f"STOR {NAME_B}", io.BytesIO(content())).startswith("226")
        b.quit()
        a = ftp_login(svc.ftp_port, "station_a", accounts["station_a"])
        # another station's file: refused before any byte is taken
        with pytest.raises(ftplib.error_perm, match="553"):
            a.storbinary(f"STOR {NAME_B}", io.BytesIO(content()))
        for attempt in (
            lambda: a.storbinary(f"STOR ../station_b/{NAME_A}", io.BytesIO(content())),
            lambda: a.cwd("../station_b"),
            lambda: a.nlst("../station_b"),
            lambda: a.retrbinary("RETR /etc/passwd", lambda _: None),
            lambda: a.retrbinary(f"RETR ../station_b/{NAME_B}", lambda _: None),
            lambda: a.delete("x.txt"),
        ):
            with pytest.raises(ftplib.error_perm):
                attempt()
        # an absolute path is the account's own root, never the server's
        assert a.pwd() == "/"
        a.cwd("/")
        assert a.pwd() == "/"
        # reading back one's own upload is not allowed either
        assert a.storbinary(f"STOR {NAME_A}", io.BytesIO(content())).startswith("226")
        with pytest.raises(ftplib.error_perm):
            a.retrbinary(f"RETR {NAME_A}", lambda _: None)
        a.quit()
        wait_for(lambda: len({r[0] for r in exported(store)}) == 2, timeout=5)
    assert not any((settings.home / "inbox" / "station_b").glob("HN_FA_*"))
    with store.engine.connect() as conn:
        misplaced = dict(
            conn.execute(select(received_files.c.name, received_files.c.misplaced)).all()
        )
    assert misplaced == {
        NAME_B: True,
        NAME_A: True,
    }  # uploaded to the root, not Component/yyyy/MM/ddMMyyyy


def test_sftp_upload_confinement_and_ownership(
    store: Store, settings: Settings, accounts: dict
) -> None:
    with RunningService(settings, store) as svc:
        transport = paramiko.Transport(("127.0.0.1", svc.sftp_port))
        transport.connect(username="station_a", password=accounts["station_a"])
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        sftp.mkdir("KhongKhi")
        with sftp.open(f"KhongKhi/{NAME_A}", "wb") as fh:
            fh.write(content(12.5))
        wait_for(lambda: exported(store), timeout=2.0)
        for bad in (f"../station_b/{NAME_A}", f"/../../{NAME_A}"):
            with pytest.raises(PermissionError):
                sftp.open(bad, "wb").write(content())
        with pytest.raises(PermissionError):
            sftp.open(NAME_B, "wb").write(content())
        with pytest.raises(PermissionError):
            sftp.open("/etc/passwd", "rb").read()
        with pytest.raises(OSError):
            sftp.listdir("../station_b")
        assert sftp.listdir("/") == ["KhongKhi"]
        sftp.close()
        transport.close()
    assert {(r[0], r[1], r[3]) for r in exported(store)} == {
        ("HN_FA_ST1", "COD", 12.5),
        ("HN_FA_ST1", "pH", 7.1),
    }
    assert not (settings.home / "inbox" / "station_b").exists() or not any(
        (settings.home / "inbox" / "station_b").iterdir()
    )


def test_wrong_credentials_are_refused(store: Store, settings: Settings, accounts: dict) -> None:
    with RunningService(settings, store) as svc:
        with pytest.raises(ftplib.error_perm, match="530"):
            ftp_login(svc.ftp_port, "station_a", "wrong")
        transport = paramiko.Transport(("127.0.0.1", svc.sftp_port))
        with pytest.raises(paramiko.AuthenticationException):
            transport.connect(username="station_a", password="wrong")
        transport.close()


def test_bad_uploads_are_kept_with_reasons(
    store: Store, settings: Settings, accounts: dict
) -> None:
    with RunningService(settings, store) as svc:
        ftp = ftp_login(svc.ftp_port, "station_a", accounts["station_a"])
        ftp.storbinary(f"STOR HN_FA_ST1_{STAMP[:-2]}05.txt", io.BytesIO(b"\x00\x01binary\xff" * 10))
        ftp.storbinary("STOR notes.txt", io.BytesIO(b"hello"))
        ftp.quit()
        svc.service.spool.rename_grace = 0.0
        got = wait_for(lambda: _outcomes(store) if len(_outcomes(store)) == 2 else None, timeout=10)
    assert sorted(o for o, _ in got) == ["rejected", "rejected"]
    assert sorted(r[0]["code"] for _, r in got) == ["bad_name", "binary"]
    assert len(list((settings.home / "quarantine").rglob("*.reasons.json"))) == 2


def _outcomes(store: Store) -> list[tuple]:
    with store.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(received_files.c.outcome, received_files.c.reasons).where(
                    received_files.c.outcome != "received"
                )
            )
        ]


def test_upload_through_nats_jetstream(store: Store, settings: Settings, accounts: dict) -> None:
    import asyncio
    import secrets

    from tests.core.test_bus import _delete_stream

    stream = f"TEST_{secrets.token_hex(4).upper()}"
    try:
        with RunningService(
            settings, store, bus="nats", nats_stream=stream, sftp_enabled=False
        ) as svc:
            ftp = ftp_login(svc.ftp_port, "station_a", accounts["station_a"])
            assert ftp.storbinary(f"STOR {NAME_A}", io.BytesIO(content())).startswith("226")
            ftp.quit()
            data = wait_for(lambda: exported(store), timeout=5.0)
    finally:
        asyncio.run(_delete_stream(stream))
    assert {r[1] for r in data} == {"COD", "pH"}
