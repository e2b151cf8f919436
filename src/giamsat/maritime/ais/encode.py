"""Encoder: a message dict (our names, scaled or raw) -> bits -> !AIVDM sentences.

It reads the same layout tables as the decoders, so ``decode(encode(m)) == m`` holds for
every layout (tests/maritime/test_roundtrip.py checks it with random values). Values that do
not fit their field raise ``EncodeError`` instead of being truncated silently.

    from giamsat.maritime.ais.encode import encode

    encode({"type": 21, "mmsi": 995741001, "aid_type": 30, "name": "PHAO SO 1 LUONG SOAI RAP",
            "lon": 106.75, "lat": 10.42, "aton_status": 0b11101010})
    -> ['!AIVDM,1,1,,A,E>k1k...,4*hh']  (one or more sentences, multipart when long)
"""

from __future__ import annotations

from typing import Any

from giamsat.maritime.ais import messages as m
from giamsat.maritime.ais.asm import DEFAULT_REGISTRY, AsmRegistry
from giamsat.maritime.ais.layout import Field, Layout
from giamsat.maritime.ais.sixbit import armor, text_to_bits, unhex_bits
from giamsat.maritime.nmea.checksum import checksum


class EncodeError(ValueError):
    """A value cannot be represented in its field."""


def layout_for(msg: dict[str, Any], registry: AsmRegistry = DEFAULT_REGISTRY) -> Layout:
    """The layout a message dict will be written with (type and its discriminators)."""
    msg_type = msg.get("type")
    if not isinstance(msg_type, int):
        raise EncodeError("the message needs an integer 'type'")
    found = m.SIMPLE.get(msg_type)
    if found is not None:
        return found
    if msg_type in (6, 8):
        dac, fi = msg.get("dac"), msg.get("fi")
        if isinstance(dac, int) and isinstance(fi, int) and "data" not in msg:
            app = registry.layout(msg_type, dac, fi)
            if app is not None:
                return app
        return m.MSG6 if msg_type == 6 else m.MSG8
    if msg_type == 24:
        part = msg.get("part_num", 0)
        if part == 0:
            return m.MSG24A
        if part == 1:
            return m.MSG24B_AUX if "mothership_mmsi" in msg else m.MSG24B
        raise EncodeError("message 24 part_num is 0 (A) or 1 (B)")
    if msg_type == 22:
        return m.MSG22_ADDRESSED if msg.get("addressed") else m.MSG22_BROADCAST
    if msg_type in (25, 26):
        table = m.MSG25 if msg_type == 25 else m.MSG26
        return table[(bool(msg.get("addressed")), bool(msg.get("structured")))]
    raise EncodeError(f"no layout for message type {msg_type}")


def _raw_value(f: Field, msg: dict[str, Any], scaled: bool) -> int:
    value = msg.get(f.name)
    if f.kind == "-":
        return 0
    if f.kind == "t":
        return text_to_bits(value or "", f.width // 6)
    if scaled:
        raw = f.unscale(value)
    elif value is None:
        raw = f.na[0] if f.na else 0
    else:
        raw = int(value)
    if f.kind == "b":
        raw = 1 if raw else 0
    lo, hi = (
        (-(1 << (f.width - 1)), (1 << (f.width - 1)) - 1)
        if f.kind == "i"
        else (0, (1 << f.width) - 1)
    )
    if not lo <= raw <= hi:
        raise EncodeError(f"{f.name}={value!r} does not fit in {f.width} bits")
    return raw & ((1 << f.width) - 1)


def _pack(fields: tuple[Field, ...], msg: dict[str, Any], scaled: bool) -> tuple[int, int]:
    v = 0
    n = 0
    for f in fields:
        v = (v << f.width) | _raw_value(f, msg, scaled)
        n += f.width
    return v, n


def _prepare(layout: Layout, msg: dict[str, Any], scaled: bool) -> dict[str, Any]:
    """Fill derived values back into the fields the layout has (inverse of the post hooks)."""
    out = dict(msg)
    if layout.key == "21" and scaled:
        name = out.get("name") or ""
        if len(name) > 20 and not out.get("name_ext"):
            out["name"], out["name_ext"] = name[:20], name[20:34]
        if out.get("aton_status") is None and out.get("light") is not None:
            out["aton_status"] = (
                0b11100000 | (int(out.get("racon") or 0) << 3) | (int(out["light"]) << 1)
                | (1 if out.get("alarm") else 0)
            )  # fmt: skip
    if layout.key[:2] in ("25", "26") and out.get("app_id") is None and out.get("dac") is not None:
        out["app_id"] = (int(out["dac"]) << 6) | int(out.get("fi") or 0)
    return out


def encode_bits(
    msg: dict[str, Any], *, scaled: bool = True, registry: AsmRegistry = DEFAULT_REGISTRY
) -> tuple[int, int]:
    """A message dict -> (bits, number of bits)."""
    layout = layout_for(msg, registry)
    msg = _prepare(layout, msg, scaled)
    v, n = _pack(layout.fields, msg, scaled)
    tail = layout.tail
    if tail is not None:
        if tail.kind == "t":
            text = msg.get(tail.name) or ""
            chars = min(len(text), (layout.max_bits - n) // 6)
            if chars:
                v = (v << (6 * chars)) | text_to_bits(text, chars)
                n += 6 * chars
        else:
            bits = int(msg.get(tail.name + "_bits") or 0)
            if bits:
                v = (v << bits) | unhex_bits(msg.get(tail.name) or "", bits)
                n += bits
    if layout.repeat is not None:
        items = msg.get(layout.repeat.name) or []
        if len(items) > layout.repeat.maximum:
            raise EncodeError(f"{layout.repeat.name}: at most {layout.repeat.maximum} elements")
        for item in items:
            iv, inn = _pack(layout.repeat.fields, item, scaled)
            v = (v << inn) | iv
            n += inn
    if layout.trailer:
        tv, tn = _pack(layout.trailer, msg, scaled)
        v = (v << tn) | tv
        n += tn
    if n < layout.bits and layout.is_fixed:
        v <<= layout.bits - n
        n = layout.bits
    return v, n


def encode_payload(msg: dict[str, Any], **options: Any) -> tuple[str, int]:
    """A message dict -> (armored payload, fill bits)."""
    v, n = encode_bits(msg, **options)
    payload, fill = armor(v, n)
    return payload.decode("ascii"), fill


def tag_block(fields: dict[str, Any]) -> str:
    """``\\c:...,s:...*hh\\`` from {"c": 1700000000, "s": "rx1", "g": "1-2-42", ...}."""
    body = ",".join(f"{k}:{v}" for k, v in fields.items())
    return f"\\{body}*{checksum(body.encode('ascii')):02X}\\"


def sentences(
    payload: str,
    fill: int,
    *,
    talker: str = "AI",
    channel: str = "A",
    seq_id: int | None = None,
    own_ship: bool = False,
    max_chars: int = 60,
    tags: dict[str, Any] | None = None,
) -> list[str]:
    """Split a payload into NMEA sentences (60 payload characters each keeps lines <= 82)."""
    chunks = [payload[i : i + max_chars] for i in range(0, len(payload), max_chars)] or [""]
    count = len(chunks)
    if count > 9:
        raise EncodeError(f"payload needs {count} sentences; NMEA allows 9")
    seq = "" if count == 1 else str((seq_id if seq_id is not None else 0) % 10)
    kind = "VDO" if own_ship else "VDM"
    out = []
    for i, chunk in enumerate(chunks, start=1):
        body = f"{talker}{kind},{count},{i},{seq},{channel},{chunk},{fill if i == count else 0}"
        line = f"!{body}*{checksum(body.encode('ascii')):02X}"
        if tags is not None:
            fields = dict(tags) if i == 1 else {}
            if count > 1:
                fields["g"] = f"{i}-{count}-{tags.get('g', seq or 0)}"
            if fields:
                line = tag_block(fields) + line
        out.append(line)
    return out


def encode(
    msg: dict[str, Any],
    *,
    scaled: bool = True,
    registry: AsmRegistry = DEFAULT_REGISTRY,
    talker: str = "AI",
    channel: str = "A",
    seq_id: int | None = None,
    own_ship: bool = False,
    tags: dict[str, Any] | None = None,
) -> list[str]:
    """A message dict (our names) -> the !AIVDM sentences that carry it."""
    payload, fill = encode_payload(msg, scaled=scaled, registry=registry)
    return sentences(
        payload, fill, talker=talker, channel=channel, seq_id=seq_id, own_ship=own_ship, tags=tags
    )
