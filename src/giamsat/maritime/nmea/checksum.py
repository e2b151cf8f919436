"""The NMEA checksum: XOR of every byte between the start character and '*'."""

from __future__ import annotations

from functools import reduce
from operator import xor

_HEX = {f"{i:02X}".encode(): i for i in range(256)}
_HEX.update({f"{i:02x}".encode(): i for i in range(256)})


def checksum(data: bytes) -> int:
    """XOR of all bytes of ``data`` (the text between '!'/'$'/'\\' and '*')."""
    return reduce(xor, data, 0)


def parse_hex2(text: bytes) -> int | None:
    """Two hex digits -> int, None when they are not hex."""
    return _HEX.get(text)
