"""Generic NMEA 0183 sentence parsing: standard, proprietary ($P...) and query sentences."""

from __future__ import annotations

from dataclasses import dataclass

from giamsat.maritime.nmea.checksum import checksum, parse_hex2


@dataclass(slots=True)
class Sentence:
    """One sentence. ``kind`` is "standard", "proprietary" or "query".

    Standard: ``talker`` (2 characters) and ``formatter`` (3). Proprietary: ``talker`` is
    "P", ``formatter`` the manufacturer code (3) and the rest of the address, if any, is the
    first field. Query: ``talker`` is the requester, ``formatter`` the queried sentence and
    ``listener`` the addressed talker (``$--ccQ,fff``).
    """

    start: str
    kind: str
    talker: str
    formatter: str
    fields: list[str]
    checksum_ok: bool | None  # None: the sentence has no checksum
    listener: str = ""

    @property
    def address(self) -> str:
        if self.kind == "proprietary":
            return "P" + self.formatter
        if self.kind == "query":
            return self.talker + self.listener + "Q"
        return self.talker + self.formatter


def parse_sentence(text: bytes | str) -> Sentence | None:
    """Parse ``$AAFFF,f1,f2*hh`` / ``!AAFFF,...*hh``; None when it is not a sentence at all."""
    data = text.encode("latin-1", "replace") if isinstance(text, str) else text
    data = data.strip()
    if len(data) < 2 or data[0] not in b"$!":
        return None
    star = data.rfind(b"*")
    ok: bool | None = None
    if star >= 0 and len(data) == star + 3:
        expected = parse_hex2(data[star + 1 :])
        ok = expected is not None and checksum(data[1:star]) == expected
        body = data[1:star]
    else:
        body = data[1:]
    parts = body.decode("latin-1").split(",")
    address = parts[0]
    fields = parts[1:]
    start = chr(data[0])
    if address.startswith("P") and len(address) >= 4:
        rest = address[4:]
        return Sentence(
            start, "proprietary", "P", address[1:4], ([rest] if rest else []) + fields, ok
        )
    if len(address) == 5 and address[4] == "Q":
        return Sentence(start, "query", address[:2], fields[0] if fields else "", fields[1:], ok,
                        listener=address[2:4])  # fmt: skip
    if len(address) < 5:
        return Sentence(start, "standard", address[:2], address[2:], fields, ok)
    return Sentence(start, "standard", address[:2], address[2:], fields, ok)
