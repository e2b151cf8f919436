"""The declarative layout vocabulary: a message is an ordered table of bit fields.

One ``Layout`` per message type (or variant, or binary application message) is the single
source of truth read by the scalar decoder, the numpy batch decoder, the encoder and the
gpsd JSON writer. A field says how many bits it has, how to read them (unsigned, signed,
boolean, six-bit text, raw bits, spare) and how to scale them into our units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

KINDS = {"u", "i", "b", "t", "x", "-"}


@dataclass(frozen=True, slots=True)
class Field:
    """One bit field.

    ``width`` is in bits; 0 means "the rest of the message" (text or raw data tails).
    Scaled value = (raw + add) / div, rounded to ``digits`` when given; a raw value in ``na``
    means "not available" and scales to None. ``gpsd`` is the gpsd JSON-AIS member name
    ("" = same as ``name``, None = gpsd does not print it).
    """

    name: str
    width: int
    kind: str = "u"
    div: float | None = None
    add: int = 0
    na: tuple[int, ...] = ()
    digits: int | None = None
    unit: str = ""
    gpsd: str | None = ""
    trim: bool = True  # text: stop at '@' and drop trailing spaces (False: stop at '@' only)
    conv: Callable[[int], Any] | None = None  # non-linear scaling (raw -> ours)
    unconv: Callable[[Any], int] | None = None  # its inverse, for the encoder
    offset: int = -1  # set when the field is placed in a layout

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r} for {self.name}")
        if self.kind == "t" and self.width % 6:
            raise ValueError(f"text field {self.name} is not a whole number of characters")

    @property
    def gpsd_name(self) -> str | None:
        if self.gpsd is None or self.kind == "-":
            return None
        return self.gpsd or self.name

    @property
    def is_scaled(self) -> bool:
        return bool(self.div or self.add or self.na or self.digits is not None or self.conv)

    def scale(self, raw: Any) -> Any:
        """Raw value -> our unit (None when the raw value means "not available")."""
        if raw is None or raw in self.na:
            return None
        if self.conv is not None:
            return self.conv(raw)
        if self.div is None and not self.add:
            return raw
        value = (raw + self.add) / self.div if self.div else raw + self.add
        return round(value, self.digits) if self.digits is not None else value

    def unscale(self, value: Any) -> Any:
        """Our unit -> raw value (the encoder's direction)."""
        if value is None:
            return self.na[0] if self.na else 0
        if self.unconv is not None:
            return self.unconv(value)
        if self.kind == "b":
            return 1 if value else 0
        if self.kind in ("t", "x"):
            return value
        if self.div is None and not self.add:
            return int(value)
        raw = value * self.div - self.add if self.div else value - self.add
        return round(raw)


def U(name: str, width: int, **kw: Any) -> Field:
    return Field(name, width, "u", **kw)


def I(name: str, width: int, **kw: Any) -> Field:  # noqa: E743 - a field constructor, not a variable
    return Field(name, width, "i", **kw)


def B(name: str, **kw: Any) -> Field:
    return Field(name, 1, "b", **kw)


def T(name: str, chars: int, **kw: Any) -> Field:
    """Six-bit text of ``chars`` characters (0 = to the end of the message)."""
    return Field(name, 6 * chars, "t", **kw)


def X(name: str, width: int = 0, **kw: Any) -> Field:
    """Raw bits (binary data), shown as hex."""
    return Field(name, width, "x", **kw)


def S(width: int) -> Field:
    """Spare bits: counted for offsets, written as zeros, never output."""
    return Field("", width, "-")


@dataclass(frozen=True, slots=True)
class Repeat:
    """A repeated group of fields at the end of a layout (tidal windows, waypoints, ...).

    The number of elements is the value of the ``count`` field when given, otherwise as many
    complete elements as the message holds (at most ``maximum``).
    """

    name: str
    fields: tuple[Field, ...]
    count: str | None = None
    maximum: int = 64

    @property
    def width(self) -> int:
        return sum(f.width for f in self.fields)


Hook = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Layout:
    """A complete message layout: fixed fields, then an optional tail (text/data or a repeat).

    ``min_bits``: shorter messages are rejected as too short. ``bits``: the nominal length
    (the encoder pads to it). ``trailer``: fields anchored at the end of the message
    (message 26's radio status follows variable-length data). ``post``: a function that adds
    derived values to a scaled decode (e.g. message 21's name extension and status byte).
    """

    key: str
    title: str
    fields: tuple[Field, ...]
    min_bits: int
    bits: int
    tail: Field | None = None
    repeat: Repeat | None = None
    trailer: tuple[Field, ...] = ()
    post: Hook | None = None
    max_bits: int = 1008
    gpsd_order: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fixed_bits(self) -> int:
        return sum(f.width for f in self.fields)

    @property
    def is_fixed(self) -> bool:
        """No tail, repeat or trailer: every field is at a constant offset."""
        return self.tail is None and self.repeat is None and not self.trailer

    @property
    def named_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind != "-")

    def field(self, name: str) -> Field:
        for f in (*self.fields, *self.trailer, *((self.tail,) if self.tail else ())):
            if f.name == name:
                return f
        raise KeyError(name)

    def output_names(self) -> list[str]:
        """Our output keys in layout order (before any post hook)."""
        names = [f.name for f in self.fields if f.kind != "-"]
        if self.tail is not None:
            names.append(self.tail.name)
            if self.tail.kind == "x":
                names.append(self.tail.name + "_bits")
        if self.repeat is not None:
            names.append(self.repeat.name)
        names.extend(f.name for f in self.trailer if f.kind != "-")
        return names


def place(fields: tuple[Field, ...] | list[Field], start: int = 0) -> tuple[Field, ...]:
    """Give each field its bit offset, counting from ``start``."""
    placed = []
    offset = start
    for f in fields:
        placed.append(replace(f, offset=offset))
        offset += f.width
    return tuple(placed)


def layout(
    key: str,
    title: str,
    fields: list[Field] | tuple[Field, ...],
    *,
    min_bits: int | None = None,
    bits: int | None = None,
    tail: Field | None = None,
    repeat: Repeat | None = None,
    trailer: tuple[Field, ...] = (),
    post: Hook | None = None,
    max_bits: int = 1008,
    gpsd_order: tuple[str, ...] = (),
) -> Layout:
    """Build a Layout, placing the fields and checking the table is coherent."""
    placed = place(fields)
    fixed = sum(f.width for f in placed)
    if any(f.width == 0 for f in placed):
        raise ValueError(f"{key}: only the tail may be open-ended")
    names = [f.name for f in placed if f.kind != "-"]
    if len(names) != len(set(names)):
        raise ValueError(f"{key}: duplicate field names")
    tail_placed = replace(tail, offset=fixed) if tail is not None else None
    repeat_placed = replace(repeat, fields=place(repeat.fields)) if repeat is not None else None
    nominal = bits if bits is not None else fixed + sum(f.width for f in trailer)
    return Layout(
        key=key,
        title=title,
        fields=placed,
        min_bits=min_bits if min_bits is not None else nominal,
        bits=nominal,
        tail=tail_placed,
        repeat=repeat_placed,
        trailer=place(trailer),
        post=post,
        max_bits=max_bits,
        gpsd_order=gpsd_order,
    )
