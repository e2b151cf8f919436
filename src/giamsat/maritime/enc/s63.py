"""IHO S-63 data protection: cell permits, cell keys and encrypted cell files.

An S-63 cell (and each of its updates) is the S-57 file zipped, then encrypted with Blowfish
(ECB) under a 5-byte cell key. The keys travel in a cell permit, each encrypted with Blowfish
under the installation's HW_ID (5 bytes, plus its first byte appended: "HW_ID6"); the permit's
check value is the CRC32 of the permit text, encrypted the same way. We implement the client
side (decrypt) and, for tests and tooling, the data server side (encrypt, make permits).
Signature (DSA) authentication of the data server is not implemented (see docs/enc.md).
"""

from __future__ import annotations

import binascii
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.decrepit.ciphers.algorithms import Blowfish
from cryptography.hazmat.primitives.ciphers import Cipher, modes

PERMIT_LINE = re.compile(r"^([A-Z0-9]{8})(\d{8})([0-9A-F]{16})([0-9A-F]{16})([0-9A-F]{16})$")
KEY_PADDING = b"\x03" * 3  # a 5-byte key padded to one 8-byte Blowfish block
CRC_PADDING = b"\x04" * 4  # a 4-byte CRC32 padded to one block


class S63Error(ValueError):
    """Why an S-63 cell cannot be opened (no permit, wrong HW_ID, corrupt file …)."""


@dataclass(frozen=True)
class CellPermit:
    cell: str
    expiry: date
    eck1: str
    eck2: str
    check: str
    service_level: str = ""
    edition: str = ""
    data_server: str = ""
    comment: str = ""

    @property
    def text(self) -> str:
        return f"{self.cell}{self.expiry:%Y%m%d}{self.eck1}{self.eck2}{self.check}"


def _blowfish(key: bytes, data: bytes, encrypt: bool) -> bytes:
    cipher = Cipher(Blowfish(key), modes.ECB())
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def hw_id_bytes(hw_id: str) -> bytes:
    """The 5-byte HW_ID from its usual forms: ``12345`` or its ASCII hex ``3132333435``."""
    text = hw_id.strip()
    if len(text) == 5 and all(c in "0123456789ABCDEFabcdef" for c in text):
        return text.upper().encode("ascii")
    if len(text) == 10:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
        if len(raw) == 5:
            return raw
    raise S63Error(f"HW_ID {hw_id!r} is not 5 hexadecimal characters (e.g. 12345 or A79AB)")


def _hw_id6(hw_id: str) -> bytes:
    raw = hw_id_bytes(hw_id)
    return raw + raw[:1]


def parse_permits(text: str, where: str = "PERMIT.TXT") -> tuple[dict[str, CellPermit], list[str]]:
    """Cell permits by cell name, plus one message per line that is not a valid permit."""
    permits: dict[str, CellPermit] = {}
    problems: list[str] = []
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(":"):
            section = line.split()[0].upper()
            continue
        if section not in ("", ":ENC"):
            continue  # :ECS permits (S-63 ECS data) are not ENC cells
        fields = line.split(",")
        m = PERMIT_LINE.match(fields[0].strip().upper())
        if not m:
            problems.append(f"{where}:{number}: not a cell permit (64 characters expected)")
            continue
        try:
            expiry = date(int(m.group(2)[:4]), int(m.group(2)[4:6]), int(m.group(2)[6:]))
        except ValueError:
            problems.append(f"{where}:{number}: bad expiry date {m.group(2)}")
            continue
        extra = [f.strip() for f in fields[1:]] + ["", "", "", ""]
        permits[m.group(1)] = CellPermit(
            m.group(1), expiry, m.group(3), m.group(4), m.group(5), *extra[:4]
        )
    return permits, problems


def permit_check(permit_text: str, hw_id: str) -> str:
    """The check value of a permit's first 48 characters (cell, expiry, ECK1, ECK2)."""
    crc = binascii.crc32(permit_text[:48].upper().encode("ascii")).to_bytes(4, "big")
    return _blowfish(_hw_id6(hw_id), crc + CRC_PADDING, encrypt=True).hex().upper()


def cell_keys(permit: CellPermit, hw_id: str) -> tuple[bytes, bytes]:
    """Decrypt the two cell keys of a permit after checking it was made for this HW_ID."""
    if permit_check(permit.text, hw_id) != permit.check:
        raise S63Error(
            f"cell permit for {permit.cell} does not match this HW_ID (check value differs)"
        )
    key = _hw_id6(hw_id)
    ck1 = _blowfish(key, bytes.fromhex(permit.eck1), encrypt=False)[:5]
    ck2 = _blowfish(key, bytes.fromhex(permit.eck2), encrypt=False)[:5]
    return ck1, ck2


def decrypt_cell_file(data: bytes, keys: tuple[bytes, bytes], name: str) -> bytes:
    """An encrypted cell or update file → its S-57 bytes (tries both cell keys)."""
    if not data or len(data) % 8:
        raise S63Error(f"{name}: encrypted file length {len(data)} is not a multiple of 8")
    for key in dict.fromkeys(keys):
        plain = _blowfish(key, data, encrypt=False)
        if not plain.startswith(b"PK\x03\x04"):
            continue
        try:
            with zipfile.ZipFile(io.BytesIO(plain)) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/")]
                if not members:
                    raise S63Error(f"{name}: the decrypted archive is empty")
                wanted = [m for m in members if m.rsplit("/", 1)[-1].upper() == name.upper()]
                return zf.read((wanted or members)[0])
        except zipfile.BadZipFile as exc:
            raise S63Error(f"{name}: decrypted data is not a valid zip ({exc})") from None
    raise S63Error(f"{name}: neither cell key of the permit decrypts this file")


def check_expiry(permit: CellPermit, today: date | None = None) -> str | None:
    """S-63 lets expired data be used, with a warning; returns that warning or None."""
    today = today or date.today()
    if permit.expiry < today:
        return f"cell permit for {permit.cell} expired on {permit.expiry.isoformat()}"
    return None


# --- data server side (tests, tooling) -------------------------------------------------------
def make_cell_permit(cell: str, expiry: date, ck1: bytes, ck2: bytes, hw_id: str) -> str:
    key = _hw_id6(hw_id)
    eck1 = _blowfish(key, ck1 + KEY_PADDING, encrypt=True).hex().upper()
    eck2 = _blowfish(key, ck2 + KEY_PADDING, encrypt=True).hex().upper()
    body = f"{cell.upper()}{expiry:%Y%m%d}{eck1}{eck2}"
    return body + permit_check(body, hw_id)


def encrypt_cell_file(s57: bytes, name: str, key: bytes) -> bytes:
    """Zip the S-57 file under ``name`` and encrypt it with a 5-byte cell key."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, s57)
    data = buf.getvalue()
    pad = (8 - len(data) % 8) % 8
    return _blowfish(key, data + bytes([pad]) * pad, encrypt=True)


def user_permit(hw_id: str, m_key: str, m_id: str) -> str:
    """The 28-character user permit (UPN) an installation sends to its data server."""
    encrypted = _blowfish(m_key.encode("ascii"), hw_id_bytes(hw_id) + KEY_PADDING, True)
    hex_hw = encrypted.hex().upper()
    crc = f"{binascii.crc32(hex_hw.encode('ascii')):08X}"
    return hex_hw + crc + m_id.encode("ascii").hex().upper()


def hw_id_from_user_permit(upn: str, m_key: str) -> str:
    upn = upn.strip().upper()
    if len(upn) != 28:
        raise S63Error("a user permit has 28 characters")
    if f"{binascii.crc32(upn[:16].encode('ascii')):08X}" != upn[16:24]:
        raise S63Error("user permit check sum does not match")
    raw = _blowfish(m_key.encode("ascii"), bytes.fromhex(upn[:16]), encrypt=False)
    return raw[:5].decode("ascii")
