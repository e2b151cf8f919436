"""A small ISO/IEC 8211 reader: enough to read DSID of cells and updates and CATALOG.031.

GDAL reads the chart content; we only need a few descriptive fields from files GDAL does not
open on their own (update files, exchange-set catalogues), so the reader stays tiny: it parses the
data descriptive record's format controls and decodes subfields of the data records.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

FIELD_TERMINATOR = 0x1E
UNIT_TERMINATOR = 0x1F


class Iso8211Error(ValueError):
    """The bytes are not a well-formed ISO 8211 file (what is wrong, and where)."""


@dataclass
class FieldDefinition:
    tag: str
    name: str
    labels: list[str]
    formats: list[str]
    repeating: bool


@dataclass
class Record:
    fields: list[tuple[str, list[dict[str, object]]]] = field(default_factory=list)

    def first(self, tag: str) -> dict[str, object] | None:
        for name, groups in self.fields:
            if name == tag and groups:
                return groups[0]
        return None


def looks_like_iso8211(head: bytes) -> bool:
    """True when ``head`` (the first 24+ bytes of a file) is an ISO 8211 leader."""
    return (
        len(head) >= 24
        and head[:5].isdigit()
        and head[6:7] == b"L"
        and head[20:24].isdigit()
        and head[12:17].isdigit()
    )


_FORMAT_ITEM = re.compile(r"(\d*)([AIRBb])(\d{2})?(?:\((\d+)\))?")


def _expand_formats(controls: str) -> list[str]:
    """``(A(2),I(10),3A,2b24)`` → ``['A(2)', 'I(10)', 'A', 'A', 'A', 'b24', 'b24']``."""
    body = controls.strip()
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    out: list[str] = []
    # nested groups like "(A,2(b24,b24))" are flattened; their repeat count applies to the group
    tokens = _split_top(body)
    for token in tokens:
        m = re.fullmatch(r"(\d*)\((.*)\)", token)
        if m:
            inner = _expand_formats(f"({m.group(2)})")
            out.extend(inner * int(m.group(1) or 1))
            continue
        m = _FORMAT_ITEM.fullmatch(token)
        if not m:
            raise Iso8211Error(f"unsupported format control {token!r} in {controls!r}")
        count = int(m.group(1) or 1)
        kind = m.group(2)
        spec = kind + (m.group(3) or "") + (f"({m.group(4)})" if m.group(4) else "")
        out.extend([spec] * count)
    return out


def _split_top(body: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur:
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _leader(data: bytes, pos: int) -> tuple[int, int, int, int, int, int]:
    head = data[pos : pos + 24]
    if len(head) < 24 or not head[:5].isdigit():
        raise Iso8211Error(f"bad record leader at byte {pos}")
    length = int(head[:5])
    base = int(head[12:17])
    size_len, size_pos, size_tag = int(head[20:21]), int(head[21:22]), int(head[23:24])
    return length, base, size_len, size_pos, size_tag, head[6]


def _directory(data: bytes, pos: int, base: int, sl: int, sp: int, st: int) -> list[tuple]:
    entries = []
    i = pos + 24
    step = st + sl + sp
    while data[i] != FIELD_TERMINATOR:
        tag = data[i : i + st].decode("ascii")
        length = int(data[i + st : i + st + sl])
        offset = int(data[i + st + sl : i + step])
        entries.append((tag, pos + base + offset, length))
        i += step
        if i >= pos + base:
            raise Iso8211Error(f"directory overruns the field area at byte {pos}")
    return entries


def _decode_subfield(spec: str, buf: bytes, i: int) -> tuple[object, int]:
    kind = spec[0]
    width_match = re.search(r"\((\d+)\)", spec)
    if kind == "b":
        signed, size = spec[1] == "2", int(spec[2])
        fmt = {1: "b", 2: "h", 4: "i"}[size]
        value = struct.unpack_from("<" + (fmt if signed else fmt.upper()), buf, i)[0]
        return value, i + size
    if kind == "B":
        size = int(width_match.group(1)) // 8 if width_match else 0
        return buf[i : i + size], i + size
    if width_match:
        width = int(width_match.group(1))
        raw = buf[i : i + width]
        i += width
    else:
        end = i
        while end < len(buf) and buf[end] not in (UNIT_TERMINATOR, FIELD_TERMINATOR):
            end += 1
        raw = buf[i:end]
        i = end + 1 if end < len(buf) and buf[end] == UNIT_TERMINATOR else end
    text = raw.decode("latin-1").strip()
    if kind == "I":
        return (int(text) if text.lstrip("-").isdigit() else None), i
    if kind == "R":
        try:
            return float(text), i
        except ValueError:
            return None, i
    return text, i


def read_records(path: Path | str, limit: int | None = None) -> Iterator[Record]:
    """Yield the data records of an ISO 8211 file (``limit`` stops early: DSID is first)."""
    data = Path(path).read_bytes()
    yield from parse_records(data, limit=limit, where=str(path))


def parse_records(
    data: bytes, limit: int | None = None, where: str = "<bytes>"
) -> Iterator[Record]:
    if not looks_like_iso8211(data[:24]):
        raise Iso8211Error(f"{where}: not an ISO 8211 file (no data descriptive record leader)")
    length, base, sl, sp, st, _ = _leader(data, 0)
    defs: dict[str, FieldDefinition] = {}
    for tag, start, size in _directory(data, 0, base, sl, sp, st):
        body = data[start : start + size].rstrip(bytes([FIELD_TERMINATOR]))
        control_len = 9 if tag != "0000" else 0
        parts = body[control_len:].split(bytes([UNIT_TERMINATOR]))
        name = parts[0].decode("latin-1")
        labels_raw = parts[1].decode("latin-1") if len(parts) > 1 else ""
        formats_raw = parts[2].decode("latin-1") if len(parts) > 2 else ""
        repeating = labels_raw.startswith("*")
        labels = [lb for lb in labels_raw.lstrip("*").split("!") if lb]
        try:
            formats = _expand_formats(formats_raw) if formats_raw else []
        except Iso8211Error as exc:
            raise Iso8211Error(f"{where}: field {tag}: {exc}") from None
        defs[tag] = FieldDefinition(tag, name, labels, formats, repeating)
    pos = length
    count = 0
    while pos < len(data) and (limit is None or count < limit):
        if data[pos] in (0x00, 0x20, 0x1A) and pos + 24 > len(data):
            break
        rec_len, base, sl, sp, st, _ = _leader(data, pos)
        record = Record()
        for tag, start, size in _directory(data, pos, base, sl, sp, st):
            fdef = defs.get(tag)
            buf = data[start : start + size]
            if fdef is None or not fdef.labels or len(fdef.labels) != len(fdef.formats):
                record.fields.append((tag, [{"_raw": buf}]))
                continue
            groups: list[dict[str, object]] = []
            i = 0
            while i < len(buf) and buf[i] != FIELD_TERMINATOR:
                group: dict[str, object] = {}
                for label, spec in zip(fdef.labels, fdef.formats, strict=True):
                    group[label], i = _decode_subfield(spec, buf, i)
                groups.append(group)
                if not fdef.repeating:
                    break
            record.fields.append((tag, groups))
        yield record
        pos += rec_len
        count += 1
