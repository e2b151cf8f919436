"""Scalar decoder: one assembled message (bits as a Python int) -> a dict.

The per-layout decode functions are generated from the layout tables (straight-line code
with constant shifts, compiled once per layout) because a generic loop over field
descriptors costs several times more per message, and live streams decode one message at a
time. Messages shorter than their nominal length, and layouts with repeated groups or
trailers, go through the generic interpreter below, which reads the same tables.
"""

from __future__ import annotations

from binascii import b2a_base64
from typing import Any

from giamsat.maritime.ais import messages as m
from giamsat.maritime.ais.asm import DEFAULT_REGISTRY, AsmRegistry
from giamsat.maritime.ais.layout import Field, Layout
from giamsat.maritime.ais.sixbit import B64, TEXT, bits_to_text, hex_bits

_B64_TO_TEXT = bytes.maketrans(B64, TEXT)


class DecodeError(Exception):
    """A message that cannot be decoded: ``kind`` is a stable counter name."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def _text(value: int, nchars: int) -> str:
    """Six-bit text, cut at the first '@', trailing spaces removed (one C-level pass each)."""
    extra = -nchars % 4
    raw = b2a_base64(
        (value << (6 * extra)).to_bytes((nchars + extra) * 3 // 4, "big"), newline=False
    )
    text = raw[:nchars].translate(_B64_TO_TEXT)
    at = text.find(b"@")
    if at >= 0:
        text = text[:at]
    return text.rstrip(b" ").decode("ascii")


def _text_untrimmed(value: int, nchars: int) -> str:
    text = bits_to_text(value, nchars)
    at = text.find("@")
    return text if at < 0 else text[:at]


def select(v: int, n: int, registry: AsmRegistry = DEFAULT_REGISTRY) -> Layout:
    """The layout of a message, from its type and discriminating bits."""
    if n < 6:
        raise DecodeError("empty_payload", "no message bits")
    msg_type = v >> (n - 6)
    found = m.SIMPLE.get(msg_type)
    if found is not None:
        return found
    if msg_type in (6, 8):
        head = 88 if msg_type == 6 else 56
        if n >= head:
            dac = (v >> (n - head + 6)) & 0x3FF
            fi = (v >> (n - head)) & 0x3F
            app = registry.layout(msg_type, dac, fi)
            if app is not None and app.min_bits <= n <= app.max_bits:
                return app
        return m.MSG6 if msg_type == 6 else m.MSG8
    if msg_type == 24:
        if n < 40:
            raise DecodeError("too_short", f"type 24 with {n} bits")
        part = (v >> (n - 40)) & 3
        if part == 0:
            return m.MSG24A
        if part == 1:
            mmsi = (v >> (n - 38)) & 0x3FFFFFFF
            return m.MSG24B_AUX if m.is_auxiliary(mmsi) else m.MSG24B
        raise DecodeError("bad_part", f"type 24 part number {part}")
    if msg_type == 22:
        addressed = (v >> (n - 140)) & 1 if n >= 140 else 0
        return m.MSG22_ADDRESSED if addressed else m.MSG22_BROADCAST
    if msg_type in (25, 26):
        if n < 40:
            raise DecodeError("too_short", f"type {msg_type} with {n} bits")
        flags = (v >> (n - 40)) & 3
        table = m.MSG25 if msg_type == 25 else m.MSG26
        return table[(bool(flags & 2), bool(flags & 1))]
    raise DecodeError("unknown_type", f"message type {msg_type}")


# Generic interpreter ------------------------------------------------------------------------
def _read(f: Field, v: int, n: int, base: int) -> Any:
    """Field ``f`` at ``base + f.offset``; None when the message ends before it."""
    start = base + f.offset
    end = start + f.width
    if end <= n:
        raw = (v >> (n - end)) & ((1 << f.width) - 1)
        width = f.width
    elif f.kind == "t" and n - start >= 6:
        # Text is made of whole characters: keep the characters that arrived.
        width = (n - start) // 6 * 6
        raw = (v >> (n - start - width)) & ((1 << width) - 1)
    else:
        return None  # a number cut by the end of the message is not a number we know
    if f.kind == "i" and width == f.width and raw >> (width - 1):
        raw -= 1 << width
    elif f.kind == "b":
        raw = raw == 1
    elif f.kind == "t":
        raw = (_text if f.trim else _text_untrimmed)(raw, width // 6)
    return raw


def _fields(fields: tuple[Field, ...], v: int, n: int, base: int, scaled: bool, out: dict) -> None:
    for f in fields:
        if f.kind == "-":
            continue
        raw = _read(f, v, n, base)
        out[f.name] = f.scale(raw) if scaled and f.is_scaled else raw


def decode_generic(layout: Layout, v: int, n: int, scaled: bool = True) -> dict[str, Any]:
    """Decode any layout field by field (short messages, repeats, trailers)."""
    out: dict[str, Any] = {}
    _fields(layout.fields, v, n, 0, scaled, out)
    fixed = layout.fixed_bits
    trailer_bits = sum(f.width for f in layout.trailer)
    body_end = max(fixed, n - trailer_bits) if layout.trailer else n
    if layout.tail is not None:
        rest = body_end - fixed
        tail = layout.tail
        if rest <= 0:
            out[tail.name] = ""
            if tail.kind == "x":
                out[tail.name + "_bits"] = 0
        else:
            value = (v >> (n - body_end)) & ((1 << rest) - 1)
            if tail.kind == "t":
                chars = rest // 6
                out[tail.name] = _text(value >> (rest - 6 * chars), chars) if chars else ""
            else:
                out[tail.name] = hex_bits(value, rest)
                out[tail.name + "_bits"] = rest
    if layout.repeat is not None:
        out[layout.repeat.name] = _repeat(layout, v, n, scaled, out)
    if layout.trailer:
        if n >= fixed + trailer_bits:
            _fields(layout.trailer, v, n, n - trailer_bits, scaled, out)
        else:
            for f in layout.trailer:
                if f.kind != "-":
                    out[f.name] = None
    if scaled and layout.post is not None:
        layout.post(out)
    return out


def _repeat(layout: Layout, v: int, n: int, scaled: bool, head: dict) -> list[dict[str, Any]]:
    group = layout.repeat
    assert group is not None
    start = layout.fixed_bits
    width = group.width
    available = max(0, (n - start) // width)
    count = available
    if group.count is not None:
        wanted = head.get(group.count)
        count = min(available, wanted if isinstance(wanted, int) else 0)
    items = []
    for i in range(min(count, group.maximum)):
        item: dict[str, Any] = {}
        _fields(group.fields, v, n, start + i * width, scaled, item)
        items.append(item)
    return items


# Generated fast paths ---------------------------------------------------------------------
def _field_expr(f: Field, shift: int, scaled: bool, env: dict[str, Any]) -> str:
    mask = (1 << f.width) - 1
    src = "a" if shift == 0 else f"(a >> {shift})"
    expr = f"({src} & {mask})"
    if f.kind == "b":
        return f"({expr} == 1)"
    if f.kind == "t":
        fn = "_text" if f.trim else "_text_untrimmed"
        return f"{fn}({expr}, {f.width // 6})"
    if f.kind == "i":
        half = 1 << (f.width - 1)
        expr = f"(({expr} ^ {half}) - {half})"
    if not (scaled and f.is_scaled):
        return expr
    if f.conv is not None and f.width <= 12:
        # A small non-linear field: one table lookup by the unsigned raw value.
        half = 1 << (f.width - 1)
        table = []
        for raw in range(1 << f.width):
            value = raw - (1 << f.width) if f.kind == "i" and raw >= half else raw
            table.append(None if value in f.na else f.conv(value))
        env[f"_tbl_{f.name}"] = tuple(table)
        return f"_tbl_{f.name}[{src} & {mask}]"
    if f.conv is not None:
        env[f"_conv_{f.name}"] = f.conv
        body = f"_conv_{f.name}({{x}})"
    else:
        body = "{x}" if not f.add else f"({{x}} + {f.add})"
        if f.div:
            body = f"{body} / {f.div!r}"
        if f.digits is not None:
            body = f"round({body}, {f.digits})"
    if f.na:
        test = f"== {f.na[0]}" if len(f.na) == 1 else f"in {f.na!r}"
        return f"(None if (t := {expr}) {test} else {body.format(x='t')})"
    return f"({body.format(x=expr)})"


def _compile(layout: Layout, scaled: bool, meta: bool = False):
    """Straight-line decoder for layouts whose fields sit at constant offsets (plus a tail)."""
    if layout.repeat is not None or layout.trailer:
        return None
    fixed = layout.fixed_bits
    env: dict[str, Any] = {
        "_text": _text,
        "_text_untrimmed": _text_untrimmed,
        "_hex": hex_bits,
        "_generic": decode_generic,
        "_layout": layout,
    }
    items = []
    for f in layout.fields:
        if f.kind == "-":
            continue
        items.append(f"{f.name!r}: {_field_expr(f, fixed - f.offset - f.width, scaled, env)}")
    if meta:  # the stream decoder's variant: metadata in the same dict literal
        items += ["'time': time", "'source': source", "'channel': channel", "'own_ship': own"]
    head = "def decode(v, n, time, source, channel, own):" if meta else "def decode(v, n):"
    fallback = f"_generic(_layout, v, n, {scaled})"
    if meta:
        fallback = f"_with_meta({fallback}, time, source, channel, own)"
        env["_with_meta"] = _with_meta
    lines = [
        head,
        f"    if n < {fixed}:",
        f"        return {fallback}",
        f"    a = v >> (n - {fixed})",
        "    out = {" + ", ".join(items) + "}",
    ]
    tail = layout.tail
    if tail is not None:
        lines.append(f"    r = n - {fixed}")
        lines.append("    w = v & ((1 << r) - 1)")
        if tail.kind == "t":
            lines.append(f"    out[{tail.name!r}] = _text(w >> (r % 6), r // 6) if r >= 6 else ''")
        else:
            lines.append(f"    out[{tail.name!r}] = _hex(w, r)")
            lines.append(f"    out[{tail.name + '_bits'!r}] = r")
    if scaled and layout.post is not None:
        env["_post"] = layout.post
        lines.append("    _post(out)")
    lines.append("    return out")
    code = "\n".join(lines)
    exec(compile(code, f"<ais layout {layout.key} {'scaled' if scaled else 'raw'}>", "exec"), env)
    return env["decode"]


def _with_meta(
    out: dict[str, Any], time: Any, source: str, channel: str, own: bool
) -> dict[str, Any]:
    out["time"] = time
    out["source"] = source
    out["channel"] = channel
    out["own_ship"] = own
    return out


def decoder(layout: Layout, scaled: bool = True, meta: bool = False):
    """The decode function of a layout (generated once, cached on the layout).

    ``meta=True``: the function takes (v, n, time, source, channel, own) and puts them in
    the message dict (the stream decoder's form)."""
    key = ("decode_scaled" if scaled else "decode_raw") + ("_meta" if meta else "")
    fn = layout.extra.get(key)
    if fn is None:
        fn = _compile(layout, scaled, meta)
        if fn is None and meta:

            def fn(v, n, time, source, channel, own, _layout=layout, _scaled=scaled):  # type: ignore[misc]
                return _with_meta(
                    decode_generic(_layout, v, n, _scaled), time, source, channel, own
                )

        elif fn is None:

            def fn(v: int, n: int, _layout: Layout = layout, _scaled: bool = scaled) -> dict:
                return decode_generic(_layout, v, n, _scaled)

        layout.extra[key] = fn
    return fn


def decode_bits(
    v: int, n: int, *, scaled: bool = True, registry: AsmRegistry = DEFAULT_REGISTRY
) -> dict[str, Any]:
    """Decode one assembled message. Raises DecodeError (``kind`` says why)."""
    lay = select(v, n, registry)
    if n < lay.min_bits:
        raise DecodeError("too_short", f"type {v >> (n - 6)} with {n} bits (< {lay.min_bits})")
    return decoder(lay, scaled)(v, n)


def decode_payload(
    payload: str | bytes,
    fill_bits: int = 0,
    *,
    scaled: bool = True,
    registry: AsmRegistry = DEFAULT_REGISTRY,
) -> dict[str, Any]:
    """Decode an armored payload (the sixth field of !AIVDM), all fragments joined."""
    from giamsat.maritime.ais.sixbit import payload_is_valid, unarmor

    data = payload.encode("ascii", "replace") if isinstance(payload, str) else payload
    if not payload_is_valid(data):
        raise DecodeError("bad_payload", "payload has characters outside the AIS armor")
    v, n = unarmor(data, fill_bits)
    return decode_bits(v, n, scaled=scaled, registry=registry)
