"""The column set of decoded messages (CSV and Parquet), derived from the layout tables.

Every output name of every layout (messages 1-27, every known binary application, the values
post hooks derive) plus the stream metadata, in a stable order, each with one Arrow type:
integers that any layout scales become float64; repeated groups are JSON text.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from giamsat.maritime.ais import messages as m
from giamsat.maritime.ais.asm import all_layouts
from giamsat.maritime.ais.layout import Field, Layout

META = [("time", pa.float64()), ("source", pa.string()), ("channel", pa.string()),
        ("own_ship", pa.bool_())]  # fmt: skip
#: Values added by post hooks (not fields of a layout).
DERIVED = {
    "21": [("racon", pa.int64()), ("light", pa.int64()), ("alarm", pa.bool_())],
    "25": [("dac", pa.int64()), ("fi", pa.int64())],
    "26": [("dac", pa.int64()), ("fi", pa.int64())],
}
_RANK = {pa.bool_(): 0, pa.int64(): 1, pa.float64(): 2}


def field_type(f: Field) -> pa.DataType:
    if f.kind == "b":
        return pa.bool_()
    if f.kind in ("t", "x"):
        return pa.string()
    if f.conv is not None or f.div:
        return pa.float64()
    return pa.int64()


def _layout_columns(lay: Layout) -> list[tuple[str, pa.DataType]]:
    cols = [(f.name, field_type(f)) for f in lay.fields if f.kind != "-"]
    if lay.tail is not None:
        cols.append((lay.tail.name, pa.string()))
        if lay.tail.kind == "x":
            cols.append((lay.tail.name + "_bits", pa.int64()))
    if lay.repeat is not None:
        cols.append((lay.repeat.name, pa.string()))
    cols += [(f.name, field_type(f)) for f in lay.trailer if f.kind != "-"]
    cols += DERIVED.get(lay.key[:2].rstrip("as") if lay.key[:2] in ("25", "26") else lay.key, [])
    return cols


def _union(layouts: tuple[Layout, ...]) -> pa.Schema:
    order: dict[str, pa.DataType] = {}
    for lay in layouts:
        for name, typ in _layout_columns(lay):
            old = order.get(name)
            if old is None:
                order[name] = typ
            elif old != typ:
                if old in _RANK and typ in _RANK:
                    order[name] = old if _RANK[old] >= _RANK[typ] else typ
                else:
                    raise TypeError(f"column {name}: {old} in one layout, {typ} in another")
    for name, typ in META:
        order[name] = typ
    return pa.schema(list(order.items()))


@cache
def schema() -> pa.Schema:
    """Every output name of every layout and application (Parquet): the widest numeric
    type wins when layouts disagree."""
    return _union((*m.ALL, *all_layouts()))


@cache
def message_schema() -> pa.Schema:
    """The columns of messages 1-27 and the metadata (CSV; application fields go to "app")."""
    return _union(m.ALL)
