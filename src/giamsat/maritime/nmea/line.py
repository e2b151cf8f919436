"""Split one received line into its parts: tag blocks, sentences, receiver metadata.

Real feeds put more than a sentence on a line: IEC 61162-450 tag blocks in front
(``\\s:r1,c:1420030798*00\\!AIVDM...``), several tag-block+sentence pairs in a row,
receiver data after the checksum (``...,0*4A,b003660465`` or USCG
``...,0*5D,s28089,d-103,T39.44,x147521,r08TPHI1,1242958962``, exactEarth ``...,2*73,1327992620245``)
and occasionally leading text. ``split_line`` finds each part without judging it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STARTS = re.compile(rb"[\\!$]")
_NUMBER = re.compile(rb"^\d{9,13}(\.\d+)?$")


@dataclass(slots=True)
class Item:
    """One sentence found on a line, with the tag blocks in front of it and what follows it."""

    sentence: bytes  # from '!'/'$' to the end of the two checksum digits (or to the next part)
    tags: list[bytes]  # tag-block bodies (between the backslashes) in front of the sentence
    trailing: bytes  # text after the checksum, before the next part
    leading: bytes = b""  # text in front of everything (only on the first item)


@dataclass(slots=True)
class Split:
    items: list[Item]
    problems: list[str]


def _sentence_end(line: bytes, start: int) -> int:
    """End of a sentence: two characters after '*', or the next start character, or the end."""
    nxt = _STARTS.search(line, start + 1)
    limit = nxt.start() if nxt else len(line)
    star = line.find(b"*", start, limit)
    if star < 0:
        return limit
    return min(star + 3, len(line))


def split_line(line: bytes) -> Split:
    items: list[Item] = []
    problems: list[str] = []
    tags: list[bytes] = []
    pos = 0
    size = len(line)
    leading = b""
    first = _STARTS.search(line)
    if first is None:
        return Split([], ["no sentence on the line"] if line else [])
    if first.start() > 0:
        leading = line[: first.start()].strip()
        pos = first.start()
    while pos < size:
        c = line[pos]
        if c == 0x5C:  # backslash: tag block
            end = line.find(b"\\", pos + 1)
            if end < 0:
                problems.append("unterminated tag block")
                break
            tags.append(line[pos + 1 : end])
            pos = end + 1
            continue
        if c in (0x21, 0x24):  # '!' or '$'
            end = _sentence_end(line, pos)
            nxt = _STARTS.search(line, end)
            stop = nxt.start() if nxt else size
            items.append(Item(line[pos:end], tags, line[end:stop].strip(), leading))
            leading = b""
            tags = []
            pos = stop
            continue
        nxt = _STARTS.search(line, pos)
        if nxt is None:
            problems.append("text after the last sentence")
            break
        pos = nxt.start()
    if tags:
        problems.append("tag block without a sentence")
    return Split(items, problems)


def receiver_time(trailing: bytes, leading: bytes = b"") -> float | None:
    """A UNIX time written by the receiver after the checksum (last numeric field) or before."""
    for text in (trailing, leading):
        if not text:
            continue
        for part in reversed(text.replace(b" ", b",").split(b",")):
            if _NUMBER.match(part):
                value = float(part)
                return value / 1000.0 if value > 1e11 else value
    return None
