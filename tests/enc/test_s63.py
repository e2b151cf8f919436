"""S-63: permits (published test vectors) and cells we encrypt ourselves, imported end to end."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import Blowfish
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.maritime.enc import s63
from tests.enc.conftest import CHART1

# IHO S-63 example values (HW_ID 12345, M_KEY 10121, M_ID "10", cell NO4D0512)
PUBLISHED_PERMIT = "NO4D051220040826F7B3814E59C84805D150D571B9BE53A637BD0B34F1F8F091"
PUBLISHED_UPN = "66B5CBFDF7E4139D5B6086C23130"
HW_ID = "12345"


def test_published_permit_and_user_permit_vectors() -> None:
    made = s63.make_cell_permit(
        "NO4D0512",
        date(2004, 8, 26),
        bytes.fromhex("9C467D359D"),
        bytes.fromhex("27737811B4"),
        HW_ID,
    )
    assert made == PUBLISHED_PERMIT
    permits, problems = s63.parse_permits(
        f":DATE 20030909 09:02\n:VERSION 1\n:ENC\n{made},0,3,0,\n:ECS\n"
    )
    assert not problems
    assert s63.cell_keys(permits["NO4D0512"], HW_ID) == (
        bytes.fromhex("9C467D359D"),
        bytes.fromhex("27737811B4"),
    )
    assert s63.user_permit(HW_ID, "10121", "10") == PUBLISHED_UPN
    assert s63.hw_id_from_user_permit(PUBLISHED_UPN, "10121") == HW_ID
    assert s63.hw_id_bytes("3132333435") == b"12345"


def test_wrong_hw_id_fails_the_permit_check() -> None:
    permits, _ = s63.parse_permits(PUBLISHED_PERMIT + ",0,3,0,")
    with pytest.raises(s63.S63Error, match="does not match this HW_ID"):
        s63.cell_keys(permits["NO4D0512"], "54321")
    bad, problems = s63.parse_permits(":ENC\nNOTAPERMIT,0\n")
    assert not bad and "not a cell permit" in problems[0]


def encrypt_like_a_data_server(plain: bytes, name: str, key: bytes) -> bytes:
    """Zip then Blowfish-ECB, written here with the primitives directly (not our module)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, plain)
    data = buf.getvalue()
    data += b"\x00" * ((8 - len(data) % 8) % 8)
    enc = Cipher(Blowfish(key), modes.ECB()).encryptor()
    return enc.update(data) + enc.finalize()


@pytest.fixture
def s63_set(tmp_path: Path, corpus: Path) -> Path:
    root = tmp_path / "S63" / "ENC_ROOT" / "AA5C1QO1"
    root.mkdir(parents=True)
    ck1, ck2 = bytes.fromhex("1A2B3C4D5E"), bytes.fromhex("0F1E2D3C4B")
    plain = (CHART1 / "AA5C1QO1.000").read_bytes()
    (root / "AA5C1QO1.000").write_bytes(encrypt_like_a_data_server(plain, "AA5C1QO1.000", ck2))
    permit = s63.make_cell_permit("AA5C1QO1", date(2099, 12, 31), ck1, ck2, HW_ID)
    (tmp_path / "PERMIT.TXT").write_text(
        f":DATE 20261121 10:00\n:VERSION 2\n:ENC\n{permit},0,2,GS,\n:ECS\n"
    )
    return tmp_path


def _run(tmp_path: Path, *args: str):
    home = tmp_path / "home"
    return CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'g.db'}", "--home", str(home), "enc", "import", *args]
    )


def test_encrypted_cell_imports_with_permit_and_hw_id(s63_set: Path) -> None:
    plain = _run(s63_set, str(CHART1 / "AA5C1QO1.000"))
    expected = json.loads(plain.stdout.splitlines()[-1])["cells"][0]["features"]
    (s63_set / "g.db").unlink()
    import shutil

    shutil.rmtree(s63_set / "home")
    result = _run(
        s63_set, str(s63_set / "S63"), "--permit", str(s63_set / "PERMIT.TXT"), "--hw-id", HW_ID
    )
    assert result.exit_code == 0, result.output
    [cell] = json.loads(result.stdout.splitlines()[-1])["cells"]
    assert cell["name"] == "AA5C1QO1" and cell["features"] == expected


def test_encrypted_cell_without_permit_is_a_clear_error(s63_set: Path) -> None:
    result = _run(s63_set, str(s63_set / "S63"))
    assert result.exit_code == 1
    assert "encrypted (S-63)" in result.stderr and "--permit" in result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"cells": []}
    wrong = _run(
        s63_set, str(s63_set / "S63"), "--permit", str(s63_set / "PERMIT.TXT"), "--hw-id", "ABCDE"
    )
    assert wrong.exit_code == 1 and "does not match this HW_ID" in wrong.stderr
