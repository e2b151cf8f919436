"""Batch decoder: a whole log in memory -> columnar (Arrow) tables, vectorised with numpy.

Plain ``!xxVDM/VDO`` lines (no tag block, no receiver data) that pass their checksum, and
two-fragment messages whose fragments sit on consecutive lines, are parsed, checked and
grouped by layout with array operations; every field of a fixed layout is then read for all
messages of the group at once, straight from the layout table. Everything else - tag blocks,
wrappers, out-of-order or interleaved fragments, rare message types, errors - goes through
the scalar ``StreamDecoder`` in input order, so the result (messages, their order and every
counter) is the same as streaming the file line by line (tests/maritime/test_batch.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from giamsat.maritime.ais import messages as m
from giamsat.maritime.ais.asm import AsmRegistry
from giamsat.maritime.ais.layout import Field, Layout
from giamsat.maritime.ais.sixbit import ARMOR, TEXT
from giamsat.maritime.ais.stream import StreamDecoder

_SIX = np.full(256, 255, np.uint8)
_SIX[np.frombuffer(ARMOR, np.uint8)] = np.arange(64, dtype=np.uint8)
_TEXT = np.frombuffer(TEXT, np.uint8)
_HEX = np.full(256, 255, np.int16)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX[_c] = _i
for _i, _c in enumerate(b"abcdef"):
    _HEX[_c] = 10 + _i

#: Message types whose layouts are read with array operations (the rest are rare).
VECTOR_TYPES = frozenset({1, 2, 3, 4, 5, 7, 9, 10, 11, 13, 15, 16, 18, 19, 20, 22, 23, 24, 27})
_CHANNEL_NAMES = {0: "", ord("A"): "A", ord("B"): "B", ord("1"): "A", ord("2"): "B"}


@dataclass
class Group:
    """Decoded columns of one layout: numpy values plus a validity mask per column."""

    layout: Layout
    order: np.ndarray
    columns: dict[str, tuple[Any, np.ndarray | None]] = field(default_factory=dict)


@dataclass
class Batch:
    """The result of ``decode_batch``: vectorised groups plus scalar-decoded rows."""

    groups: list[Group]
    rows: list[dict[str, Any]]
    row_order: list[int]
    counters: dict[str, int]
    by_type: dict[int, int]

    @property
    def messages(self) -> int:
        return sum(len(g.order) for g in self.groups) + len(self.rows)

    def tables(self) -> list[tuple[np.ndarray, pa.Table]]:
        """(order, table) pieces: one per vectorised layout, one for the scalar rows."""
        out = []
        for g in self.groups:
            arrays = {}
            for name, (values, valid) in g.columns.items():
                arrays[name] = _to_arrow(values, valid)
            out.append((g.order, pa.table(arrays)))
        if self.rows:
            out.append((np.asarray(self.row_order, np.int64), rows_to_table(self.rows)))
        return out

    def to_table(self, schema: pa.Schema | None = None) -> pa.Table:
        """All messages in input order, in one table (columns: the union, or ``schema``)."""
        pieces = self.tables()
        if not pieces:
            return schema.empty_table() if schema is not None else pa.table({})
        order = np.concatenate([o for o, _ in pieces])
        if schema is None:
            table = pa.concat_tables([t for _, t in pieces], promote_options="permissive")
        else:
            table = pa.concat_tables([conform(t, schema) for _, t in pieces])
        return table.take(pa.array(np.argsort(order, kind="stable")))


def _to_arrow(values: Any, valid: np.ndarray | None) -> pa.Array:
    if isinstance(values, pa.Array):
        return values
    if valid is None:
        return pa.array(values)
    return pa.array(values, mask=~valid)


def rows_to_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Scalar-decoded dicts -> a table (nested lists are kept as JSON text)."""
    import json

    names: dict[str, None] = {}
    for row in rows:
        for key in row:
            names.setdefault(key, None)
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if any(isinstance(v, list) for v in values):
            values = [json.dumps(v, ensure_ascii=False) if v is not None else None for v in values]
        try:
            columns[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            columns[name] = pa.array([None if v is None else str(v) for v in values])
    return pa.table(columns)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Give ``table`` exactly the columns of ``schema`` (missing ones are null)."""
    n = table.num_rows
    arrays = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            if col.type != f.type:
                col = col.cast(f.type) if not pa.types.is_null(col.type) else pa.nulls(n, f.type)
            arrays.append(col)
        else:
            arrays.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


# Field extraction ---------------------------------------------------------------------------
def _field(cols: np.ndarray, f: Field, base: int = 0) -> np.ndarray:
    """Raw unsigned values of ``f`` for every message; ``cols`` is (chars, messages) 6-bit."""
    start = base + f.offset
    end = start + f.width
    c0, c1 = start // 6, (end - 1) // 6
    acc = cols[c0].astype(np.uint64)
    for c in range(c0 + 1, c1 + 1):
        acc = (acc << np.uint64(6)) | cols[c]
    shift = 6 * (c1 + 1) - end
    if shift:
        acc >>= np.uint64(shift)
    if f.width < 64:
        acc &= np.uint64((1 << f.width) - 1)
    return acc


def _lut(f: Field) -> np.ndarray | None:
    """Scaled values of a non-linear field for every raw value (small fields only)."""
    if f.conv is None or f.width > 16:
        return None
    table = np.empty(1 << f.width, np.float64)
    half = 1 << (f.width - 1)
    for raw in range(1 << f.width):
        value = raw - (1 << f.width) if f.kind == "i" and raw >= half else raw
        scaled = f.conv(value)
        table[raw] = np.nan if scaled is None else scaled
    return table


def _text(cols: np.ndarray, f: Field, present: np.ndarray, nbits: np.ndarray) -> pa.Array:
    """Six-bit text of every message as an Arrow string array (cut at '@', right-trimmed)."""
    chars = f.width // 6
    n = cols.shape[1]
    codes = np.empty((n, chars), np.uint8)
    for j in range(chars):
        piece = Field("", 6, "u", offset=f.offset + 6 * j)
        codes[:, j] = _field(cols, piece)
    # Whole characters that arrived (a short message keeps what it has).
    have = np.clip((nbits - f.offset) // 6, 0, chars)
    ascii_ = _TEXT[codes]
    ascii_[np.arange(chars)[None, :] >= have[:, None]] = 64
    cut = np.cumsum(ascii_ == 64, axis=1) > 0
    ascii_[cut] = 0
    pad = (ascii_ == 0) | (ascii_ == 32)
    trailing = np.logical_and.accumulate(pad[:, ::-1], axis=1)[:, ::-1]
    ascii_[trailing] = 0
    lengths = chars - trailing.sum(axis=1)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    data = ascii_[~trailing].tobytes()
    valid = present & (have > 0)
    bitmap = None
    if not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data), bitmap,
        null_count=int((~valid).sum()),
    )  # fmt: skip


def decode_group(layout: Layout, cols: np.ndarray, nbits: np.ndarray, scaled: bool) -> dict:
    """Every field of a fixed layout for all messages of the group."""
    out: dict[str, tuple[Any, np.ndarray | None]] = {}
    for f in layout.fields:
        if f.kind == "-":
            continue
        present = nbits >= f.offset + f.width
        if f.kind == "t":
            out[f.name] = (_text(cols, f, present, nbits), None)
            continue
        raw = _field(cols, f)
        valid = None if present.all() else present
        if f.kind == "b":
            out[f.name] = (raw == 1, valid)
            continue
        values = raw.astype(np.int64)
        if f.kind == "i":
            values -= (values >> (f.width - 1)) << f.width
        if scaled and f.is_scaled:
            if f.na:
                ok = ~np.isin(values, f.na)
                valid = ok if valid is None else (valid & ok)
            if f.conv is not None:
                table = _lut(f)
                assert table is not None, f"field {f.name} needs a lookup table"
                scaled_values = table[raw.astype(np.int64)]
                ok = ~np.isnan(scaled_values)
                valid = ok if valid is None else (valid & ok)
                values = np.where(np.isnan(scaled_values), 0.0, scaled_values)
            elif f.div or f.add:
                values = values + f.add if f.add else values
                if f.div:
                    values = values / f.div
                if f.digits is not None:
                    values = np.round(values, f.digits)
        out[f.name] = (values, valid)
    return out


# Line parsing -------------------------------------------------------------------------------
@dataclass
class _Lines:
    starts: np.ndarray
    ends: np.ndarray


def _split(buf: np.ndarray) -> _Lines:
    nl = np.flatnonzero(buf == 10)
    starts = np.empty(len(nl) + 1, np.int64)
    starts[0] = 0
    starts[1:] = nl + 1
    ends = np.empty(len(nl) + 1, np.int64)
    ends[:-1] = nl
    ends[-1] = len(buf)
    if len(buf) and buf[-1] == 10:
        starts, ends = starts[:-1], ends[:-1]
    if len(ends):
        cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
        ends = ends - cr
    return _Lines(starts, ends)


def decode_batch(
    data: bytes,
    *,
    scaled: bool = True,
    registry: AsmRegistry | None = None,
    source: str = "",
    keep_bad_checksum: bool = False,
    window_lines: int = 100,
    window_seconds: float = 60.0,
    on_error: Any = None,
    stream: StreamDecoder | None = None,
    final: bool = True,
) -> Batch:
    """Decode a whole log held in memory.

    For input read in chunks, pass the same ``stream`` each time (it carries partial
    multipart messages and counters across chunks) and ``final=False`` until the last chunk;
    chunks must end at a line end.
    """
    sd = stream or StreamDecoder(
        mode="scaled" if scaled else "raw",
        keep_bad_checksum=keep_bad_checksum,
        registry=registry,
        window_lines=window_lines,
        window_seconds=window_seconds,
        on_error=on_error,
    )
    scaled = sd.mode == "scaled"
    first_line = sd.line_no
    buf = np.frombuffer(data, np.uint8)
    lines = _split(buf)
    starts, ends = lines.starts, lines.ends
    nlines = len(starts)
    fast = _fast_lines(buf, starts, ends)

    # Lines the fast path takes: single-sentence messages and both lines of adjacent pairs,
    # except right after a $PGHP wrapper (it stamps the next message: the stream's job).
    taken = np.zeros(nlines, bool)
    taken[fast.singles] = True
    taken[fast.pairs] = True
    taken[fast.pairs + 1] = True
    for k in (1, 2):
        hit = fast.wrapper_lines + k
        taken[hit[hit < nlines]] = False
    singles = fast.singles[taken[fast.singles]]
    pairs = fast.pairs[taken[fast.pairs] & taken[fast.pairs + 1]]
    taken[:] = False
    taken[singles] = True
    taken[pairs] = True
    taken[pairs + 1] = True

    # One entry per fast message: segments, fill bits, line of the first and last sentence.
    npair = len(pairs)
    s1 = np.concatenate([fast.payload_start[singles], fast.payload_start[pairs]])
    l1 = np.concatenate([fast.payload_len[singles], fast.payload_len[pairs]])
    s2 = np.concatenate([np.zeros(len(singles), np.int64), fast.payload_start[pairs + 1]])
    l2 = np.concatenate([np.zeros(len(singles), np.int64), fast.payload_len[pairs + 1]])
    fill = np.concatenate([fast.fill[singles], fast.fill[pairs + 1]])
    first = np.concatenate([singles, pairs])
    done = np.concatenate([singles, pairs + 1])
    chan = np.concatenate([fast.channel[singles], fast.channel[pairs]])
    own = np.concatenate([fast.own[singles], fast.own[pairs]])
    total = l1 + l2
    nbits = 6 * total - fill
    lead = np.where(l1 > 0, s1, s2)
    msg_type = np.where(total > 0, _SIX[buf[np.clip(lead, 0, max(len(buf) - 1, 0))]], 255)

    groups: list[Group] = []
    by_type = np.zeros(64, np.int64)
    scalar_idx: list[np.ndarray] = [np.flatnonzero(~np.isin(msg_type, list(VECTOR_TYPES)))]
    bad_lines: list[np.ndarray] = []
    for t in np.unique(msg_type):
        t = int(t)
        if t not in VECTOR_TYPES:
            continue
        idx = np.flatnonzero(msg_type == t)
        width = max(-(-lay.bits // 6) for lay in _TYPE_LAYOUTS[t])
        cols, bad = _gather(buf, s1[idx], l1[idx], s2[idx], l2[idx], width, total[idx])
        if bad.any():
            bad_lines += [first[idx[bad]], done[idx[bad]]]
            idx, cols = idx[~bad], cols[:, ~bad]
        covered = np.zeros(len(idx), bool)
        for lay, sel in _variants(t, cols, nbits[idx]):
            covered |= sel
            gidx, gcols, gbits = idx[sel], cols[:, sel], nbits[idx[sel]]
            short = gbits < lay.min_bits
            if short.any():
                scalar_idx.append(gidx[short])
                gidx, gcols, gbits = gidx[~short], gcols[:, ~short], gbits[~short]
            if not len(gidx):
                continue
            group = Group(lay, (first_line + done[gidx]) * 16 + 15)
            group.columns = decode_group(lay, gcols, gbits, scaled)
            k = len(gidx)
            group.columns["time"] = (np.zeros(k), np.zeros(k, bool))
            group.columns["source"] = (pa.array([source] * k, pa.string()), None)
            group.columns["channel"] = (_channel_array(chan[gidx]), None)
            group.columns["own_ship"] = (own[gidx], None)
            groups.append(group)
            by_type[t] += k
            overlong = int((gbits > lay.max_bits).sum())
            if overlong:
                sd._other["overlong"] += overlong
        if not covered.all():  # e.g. message 24 with part number 2 or 3: the scalar's errors
            scalar_idx.append(idx[~covered])
    if bad_lines:
        # Characters outside the armor: those lines are the stream decoder's to report.
        taken[np.concatenate(bad_lines)] = False
        broken = pairs[~(taken[pairs] & taken[pairs + 1])]
        taken[broken] = False
        taken[broken + 1] = False
        pairs = pairs[taken[pairs]]

    scalar = np.concatenate(scalar_idx)
    scalar = scalar[taken[done[scalar]]]
    scalar_at = {int(done[i]): int(i) for i in scalar}

    rows: list[dict[str, Any]] = []
    row_order: list[int] = []
    replayed = 0

    def emit(line: int, msgs: list[Any]) -> None:
        for k, msg in enumerate(msgs):
            rows.append(msg)
            row_order.append((first_line + line) * 16 + k)

    def feed(line: int) -> None:
        nonlocal replayed
        sd.line_no = first_line + line
        sd._lines -= 1  # counted once for the whole chunk below
        if line > 0 and taken[line - 1]:
            sd._last_checksums = int(fast.last_check[line - 1])
        emit(line, sd.feed(data[starts[line] : ends[line]], source))

    # The stream decoder takes every other line, in order. A fast pair is replayed there
    # only if the assembler holds a partial message with its key (so the result is exactly
    # what streaming would give).
    demoted: list[int] = []
    keys: list[tuple] | None = None
    ptr = 0

    def pairs_before(line: int) -> None:
        nonlocal ptr, keys
        while ptr < len(pairs) and pairs[ptr] + 1 < line:
            if sd.assembler.pending:
                if keys is None:
                    keys = _pair_keys(fast, pairs, source)
                p = int(pairs[ptr])
                sd.line_no = first_line + p + 1
                sd._expire(None)
                if keys[ptr] in sd.assembler.pending:
                    demoted.append(p)
                    feed(p)
                    feed(p + 1)
            ptr += 1

    residual = np.flatnonzero(~taken)
    events = np.union1d(residual, np.asarray(sorted(scalar_at), np.int64)).tolist()
    for line in events:
        pairs_before(line)
        i = scalar_at.get(line)
        if i is None or not taken[line]:
            feed(line)
            continue
        payload = data[s1[i] : s1[i] + l1[i]] + data[s2[i] : s2[i] + l2[i]]
        if payload.translate(None, ARMOR):
            if l2[i] > 0:
                feed(line - 1)
            feed(line)
            replayed += 2 if l2[i] > 0 else 1
            continue
        sd.line_no = first_line + line + 1
        sd._last_checksums = int(fast.last_check[line])
        channel = _CHANNEL_NAMES.get(int(chan[i]), chr(int(chan[i])))
        emit(line, sd._message(payload, int(fill[i]), None, source, channel, bool(own[i]),
                               data[starts[line] : ends[line]]))  # fmt: skip
    pairs_before(nlines + 1)
    if demoted:
        _drop_demoted(groups, [first_line + p for p in demoted])
        by_type[:] = 0
        for g in groups:
            np.add.at(by_type, g.columns["type"][0].astype(np.int64), 1)
        replayed += 2 * len(demoted)
    fast_lines = int(taken.sum()) - replayed
    sd.line_no = first_line + nlines
    sd._lines += nlines
    sd._sentences += fast_lines
    sd._fragments += fast_lines
    sd._messages += sum(len(g.order) for g in groups)
    for t in np.flatnonzero(by_type):
        sd._by_type[int(t)] += int(by_type[t])
    if final:
        sd.flush()
    return Batch(groups, rows, row_order, sd.counters, sd.by_type)


def _drop_demoted(groups: list[Group], demoted: list[int]) -> None:
    gone = (np.asarray(demoted, np.int64) + 1) * 16 + 15
    for g in groups:
        keep = ~np.isin(g.order, gone)
        if keep.all():
            continue
        g.order = g.order[keep]
        for name, (values, valid) in list(g.columns.items()):
            if isinstance(values, pa.Array):
                values = values.filter(pa.array(keep))
            else:
                values = values[keep]
            g.columns[name] = (values, None if valid is None else valid[keep])


def _channel_array(codes: np.ndarray) -> pa.Array:
    names = np.array([_CHANNEL_NAMES.get(c, chr(c)) for c in range(256)], dtype=object)
    return pa.array(names[codes.astype(np.int64)], pa.string())


def _pair_keys(fast: Any, pairs: np.ndarray, source: str) -> list[tuple]:
    keys = []
    for p in pairs.tolist():
        c = int(fast.channel[p])
        seq = bytes([int(fast.seq[p])]) if fast.seq[p] else b""
        keys.append((source, _CHANNEL_NAMES.get(c, chr(c)), seq, 2))
    return keys


def _gather(
    buf: np.ndarray,
    s1: np.ndarray,
    l1: np.ndarray,
    s2: np.ndarray,
    l2: np.ndarray,
    width: int,
    total: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(chars, messages) six-bit values of the first ``width`` payload characters, and a
    flag per message whose payload has a character outside the armor."""
    n = len(s1)
    ks = np.arange(width)
    if not (l2 > 0).any():
        pos = s1[None, :] + ks[:, None]
        inside = ks[:, None] < l1[None, :]
    else:
        pos = np.where(ks[:, None] < l1[None, :], s1[None, :] + ks[:, None],
                       s2[None, :] + ks[:, None] - l1[None, :])  # fmt: skip
        inside = ks[:, None] < total[None, :]
    np.clip(pos, 0, len(buf) - 1, out=pos)
    six = _SIX[buf[pos]]
    six[~inside] = 0
    bad = (six == 255).any(axis=0)
    # Characters after ``width`` are not read by the layout but must still be armor.
    beyond = total > width
    if beyond.any():
        for i in np.flatnonzero(beyond):
            seg = bytes(buf[s1[i] : s1[i] + l1[i]]) + bytes(buf[s2[i] : s2[i] + l2[i]])
            if seg.translate(None, ARMOR):
                bad[i] = True
    return np.ascontiguousarray(six), bad if n else np.zeros(0, bool)


def _variants(t: int, cols: np.ndarray, nbits: np.ndarray):
    """Split a type group by layout variant (message 22 area/addressed, 24 A/B/auxiliary)."""
    n = cols.shape[1]
    if t == 24:
        part = _field(cols, Field("", 2, "u", offset=38)).astype(np.int64)
        mmsi = _field(cols, Field("", 30, "u", offset=8)).astype(np.int64)
        aux = (mmsi >= 980000000) & (mmsi <= 989999999)
        yield m.MSG24A, (part == 0) & (nbits >= 40)
        yield m.MSG24B, (part == 1) & ~aux & (nbits >= 40)
        yield m.MSG24B_AUX, (part == 1) & aux & (nbits >= 40)
        return
    if t == 22:
        addressed = _field(cols, Field("", 1, "u", offset=139)).astype(bool) & (nbits >= 140)
        yield m.MSG22_ADDRESSED, addressed
        yield m.MSG22_BROADCAST, ~addressed
        return
    yield m.SIMPLE[t], np.ones(n, bool)


_TYPE_LAYOUTS: dict[int, tuple[Layout, ...]] = {
    t: ((m.MSG24A, m.MSG24B, m.MSG24B_AUX) if t == 24
        else (m.MSG22_BROADCAST, m.MSG22_ADDRESSED) if t == 22 else (m.SIMPLE[t],))
    for t in VECTOR_TYPES
}  # fmt: skip
_VECTOR_LAYOUTS = tuple(lay for lays in _TYPE_LAYOUTS.values() for lay in lays)
assert all(lay.is_fixed and lay.post is None for lay in _VECTOR_LAYOUTS)


@dataclass
class _Fast:
    singles: np.ndarray
    pairs: np.ndarray
    payload_start: np.ndarray
    payload_len: np.ndarray
    fill: np.ndarray
    channel: np.ndarray
    seq: np.ndarray
    own: np.ndarray
    check: np.ndarray
    last_check: np.ndarray
    wrapper_lines: np.ndarray


def _fast_lines(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> _Fast:
    """Find the lines the vectorised path can take and the positions of their fields."""
    n = len(starts)
    size = len(buf)
    length = ends - starts
    z = np.zeros(n, np.int64)

    def at(pos: np.ndarray) -> np.ndarray:
        return buf[np.clip(pos, 0, max(size - 1, 0))].astype(np.int64) if size else z

    ok = (length >= 17) & (at(starts) == 33) & (at(ends - 3) == 42)
    # Gatehouse wrappers: the lines after them belong to the stream decoder.
    wrapper = (length >= 5) & (at(starts) == 36) & (at(starts + 1) == 80) & (at(starts + 2) == 71) \
        & (at(starts + 3) == 72) & (at(starts + 4) == 80)  # fmt: skip
    commas = np.flatnonzero(buf == 44)
    bangs = np.flatnonzero(buf == 33)
    stars = np.flatnonzero(buf == 42)
    k0 = np.searchsorted(commas, starts)
    k1 = np.searchsorted(commas, ends)
    ok &= (k1 - k0) == 6
    ok &= (np.searchsorted(bangs, ends) - np.searchsorted(bangs, starts)) == 1
    ok &= (np.searchsorted(stars, ends) - np.searchsorted(stars, starts)) == 1
    kk = np.where(ok, k0, 0)
    if len(commas) < 6:
        ok[:] = False
    c = [commas[np.clip(kk + j, 0, max(len(commas) - 1, 0))] if len(commas) else z for j in range(6)]
    ok &= (c[0] - starts) == 6
    ok &= (at(c[0] - 3) == 86) & (at(c[0] - 2) == 68) & ((at(c[0] - 1) == 77) | (at(c[0] - 1) == 79))
    count = at(c[0] + 1) - 48
    num = at(c[1] + 1) - 48
    ok &= ((c[1] - c[0]) == 2) & ((c[2] - c[1]) == 2)
    ok &= (count >= 1) & (count <= 2) & (num >= 1) & (num <= count)
    seq_len = c[3] - c[2] - 1
    chan_len = c[4] - c[3] - 1
    ok &= (seq_len >= 0) & (seq_len <= 1) & (chan_len >= 0) & (chan_len <= 1)
    fill = at(c[5] + 1) - 48
    ok &= (c[5] + 2 == ends - 3) & (fill >= 0) & (fill <= 5)
    seq = np.where(seq_len == 1, at(c[2] + 1), 0)
    channel = np.where(chan_len == 1, at(c[3] + 1), 0)
    ok &= np.isin(channel, (0, 65, 66, 49, 50))
    # Checksum: XOR of everything between '!' and '*'.
    hi, lo = _HEX[at(ends - 2)], _HEX[at(ends - 1)]
    ok &= (hi >= 0) & (lo >= 0) & (hi < 16) & (lo < 16)
    expected = (hi.astype(np.int64) << 4) | lo
    prefix = np.bitwise_xor.accumulate(buf) if size else buf
    actual = at(ends - 4) * 0
    if size:
        actual = prefix[np.clip(ends - 4, 0, size - 1)].astype(np.int64) ^ prefix[np.clip(starts, 0, size - 1)]
    ok &= actual == expected
    own = at(c[0] - 1) == 79
    payload_start = c[4] + 1
    payload_len = c[5] - c[4] - 1
    singles = np.flatnonzero(ok & (count == 1))
    firsts = np.flatnonzero(ok[:-1] & (count[:-1] == 2) & (num[:-1] == 1)) if n > 1 else z[:0]
    if len(firsts):
        nxt = firsts + 1
        good = ok[nxt] & (count[nxt] == 2) & (num[nxt] == 2) & (seq[nxt] == seq[firsts])
        good &= channel[nxt] == channel[firsts]
        pairs = firsts[good]
    else:
        pairs = firsts
    last_check = expected.copy()
    if len(pairs):
        last_check[pairs + 1] = expected[pairs] ^ expected[pairs + 1]
    return _Fast(singles, pairs, payload_start, payload_len, fill, channel, seq, own, expected,
                 last_check, np.flatnonzero(wrapper))  # fmt: skip
