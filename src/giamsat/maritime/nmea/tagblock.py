"""IEC 61162-450 tag blocks: ``\\c:1420030798,s:station*hh\\`` in front of a sentence.

Known parameters: c (UNIX time, seconds or milliseconds), s (source), d (destination),
n (line count), r (relative time), t (text), g (sentence grouping ``n-total-id``, also the
NMEA 4.10 ``1G2:id`` form). Unknown parameters are kept as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from giamsat.maritime.nmea.checksum import checksum, parse_hex2


@dataclass(slots=True)
class TagBlock:
    time: float | None = None
    source: str | None = None
    destination: str | None = None
    line_count: int | None = None
    relative_time: int | None = None
    text: str | None = None
    group: tuple[int, int, str] | None = None  # (sentence number, total, group id)
    extra: dict[str, str] = field(default_factory=dict)
    checksum_ok: bool = True
    problems: list[str] = field(default_factory=list)


def _unix_time(value: str) -> float:
    seconds = float(value)
    # Satellite providers and SDR tools write milliseconds (13 digits).
    return seconds / 1000.0 if seconds > 1e11 else seconds


def parse_tag_block(body: bytes) -> TagBlock:
    """Parse the text between the two backslashes. Never raises; problems are listed."""
    tag = TagBlock()
    star = body.rfind(b"*")
    if star >= 0:
        expected = parse_hex2(body[star + 1 : star + 3])
        content = body[:star]
        if expected is None or len(body) != star + 3:
            tag.checksum_ok = False
            tag.problems.append("malformed tag-block checksum")
        elif checksum(content) != expected:
            tag.checksum_ok = False
            tag.problems.append("tag-block checksum mismatch")
    else:
        content = body
        tag.checksum_ok = False
        tag.problems.append("tag block without checksum")
    text = content.decode("latin-1")
    if not text:
        tag.problems.append("empty tag block")
        return tag
    for part in text.split(","):
        key, sep, value = part.partition(":")
        if not sep:
            tag.problems.append(f"tag-block parameter without ':' ({part!r})")
            continue
        try:
            if key == "c":
                tag.time = _unix_time(value)
            elif key == "s":
                tag.source = value
            elif key == "d":
                tag.destination = value
            elif key == "n":
                tag.line_count = int(value)
            elif key == "r":
                tag.relative_time = int(value)
            elif key == "t":
                tag.text = value
            elif key == "g":
                number, total, ident = value.split("-", 2)
                tag.group = (int(number), int(total), ident)
            elif len(key) == 3 and key[1] == "G" and key[0].isdigit() and key[2].isdigit():
                tag.group = (int(key[0]), int(key[2]), value)
            else:
                tag.extra[key] = value
        except ValueError:
            tag.problems.append(f"bad tag-block value {part!r}")
    return tag
