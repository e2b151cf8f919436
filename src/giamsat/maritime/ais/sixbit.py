"""Six-bit armoring (NMEA payload characters <-> bits) and AIS six-bit text.

Both conversions are done with C-level primitives (``bytes.translate`` and base64) because the
AIS armor is a 64-symbol alphabet, exactly like base64 with a different symbol order: mapping one
alphabet onto the other turns a payload into bytes without a Python loop.
"""

from __future__ import annotations

import base64
import binascii

# Payload armor: value v is chr(v + 48) for v < 40, chr(v + 56) otherwise ('0'..'W', '`'..'w').
ARMOR = bytes(list(range(48, 88)) + list(range(96, 120)))
B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# AIS six-bit text: 0..31 -> '@'..'_', 32..63 -> ' '..'?'.
TEXT = bytes(list(range(64, 96)) + list(range(32, 64)))

_ARMOR_TO_B64 = bytes.maketrans(ARMOR, B64)
_B64_TO_ARMOR = bytes.maketrans(B64, ARMOR)
_B64_TO_TEXT = bytes.maketrans(B64, TEXT)
_TEXT_TO_B64 = bytes.maketrans(TEXT, B64)

ARMOR_VALUE = {c: i for i, c in enumerate(ARMOR)}


def payload_is_valid(payload: bytes) -> bool:
    """True when every character belongs to the armor alphabet."""
    return not payload.translate(None, ARMOR)


def unarmor(payload: bytes, fill_bits: int = 0) -> tuple[int, int]:
    """Payload characters -> (bits as one integer, number of bits).

    The caller has checked the alphabet (``payload_is_valid``).
    """
    n = len(payload)
    if n == 0:
        return 0, 0
    extra = -n % 4
    raw = base64.b64decode(payload.translate(_ARMOR_TO_B64) + b"A" * extra)
    value = int.from_bytes(raw, "big") >> (6 * extra + fill_bits)
    return value, 6 * n - fill_bits


def armor(value: int, nbits: int) -> tuple[bytes, int]:
    """(bits, number of bits) -> (payload characters, fill bits)."""
    fill = -nbits % 6
    nchars = (nbits + fill) // 6
    if nchars == 0:
        return b"", 0
    extra = -nchars % 4
    total = 6 * (nchars + extra)
    raw = (value << (fill + 6 * extra)).to_bytes(total // 8, "big")
    chars = base64.b64encode(raw)[:nchars]
    return chars.translate(_B64_TO_ARMOR), fill


def bits_to_text(value: int, nchars: int) -> str:
    """The 6*nchars low bits of ``value`` as AIS text, untrimmed."""
    if nchars <= 0:
        return ""
    extra = -nchars % 4
    total = 6 * (nchars + extra)
    raw = (value << (6 * extra)).to_bytes(total // 8, "big")
    return base64.b64encode(raw)[:nchars].translate(_B64_TO_TEXT).decode("ascii")


def clean_text(text: str) -> str:
    """Trim the way gpsd and most decoders do: stop at the first '@', drop trailing spaces."""
    at = text.find("@")
    if at >= 0:
        text = text[:at]
    return text.rstrip(" ")


def text_to_bits(text: str, nchars: int) -> int:
    """AIS text -> integer of 6*nchars bits, padded with '@' (value 0).

    Lower-case letters are folded to upper case; characters outside the AIS alphabet
    become '?' so an encoder never fails on a stray character.
    """
    data = text.upper().encode("ascii", "replace")[:nchars]
    data = bytes(c if 32 <= c < 96 else 63 for c in data) + b"@" * (nchars - len(data))
    extra = -nchars % 4
    raw = base64.b64decode(data.translate(_TEXT_TO_B64) + b"A" * extra)
    return int.from_bytes(raw, "big") >> (6 * extra)


def hex_bits(value: int, nbits: int) -> str:
    """Bits as lower-case hex, left-aligned in whole bytes (the gpsd and libais convention)."""
    if nbits <= 0:
        return ""
    nbytes = (nbits + 7) // 8
    return binascii.hexlify((value << (8 * nbytes - nbits)).to_bytes(nbytes, "big")).decode()


def unhex_bits(text: str, nbits: int) -> int:
    """Inverse of ``hex_bits``."""
    if nbits <= 0:
        return 0
    nbytes = (nbits + 7) // 8
    raw = bytes.fromhex(text)[:nbytes].ljust(nbytes, b"\0")
    return int.from_bytes(raw, "big") >> (8 * nbytes - nbits)
