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

_PAD = 96  # longer than any vectorised layout, in characters
#: Message types whose layouts are read with array operations (the rest are rare).
VECTOR_TYPES = frozenset({1, 2, 3, 4, 5, 7, 9, 10, 11, 13, 15, 16, 18, 19, 20, 21, 22, 23, 24, 27})
_CHANNEL_NAMES = {0: "", ord("A"): "A", ord("B"): "B", ord("1"): "A", ord("2"): "B"}


@dataclass
class Group:
    """Decoded columns of one layout: numpy values plus a validity mask per column."""

    layout: Layout
    order: np.ndarray
    columns: dict[str, tuple[Any, np.ndarray | None]] = field(default_factory=dict)
    pairs: int = 0  # messages of the group that came in two sentences


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
    span = 6 * (c1 - c0 + 1)
    kind = np.uint32 if span <= 32 else np.uint64
    six = kind(6)
    acc = cols[c0].astype(kind)
    for c in range(c0 + 1, c1 + 1):
        acc <<= six
        acc |= cols[c]
    shift = 6 * (c1 + 1) - end
    if shift:
        acc >>= kind(shift)
    if f.width < span:
        acc &= kind((1 << f.width) - 1)
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


def _codes(cols: np.ndarray, offset: int, chars: int, nbits: np.ndarray) -> np.ndarray:
    """(messages, chars) ASCII of six-bit text at ``offset``; characters that did not
    arrive read as '@'. Every character has the same bit phase inside the payload
    characters, so the whole field is four array operations."""
    c0, phase = divmod(offset, 6)
    if phase == 0:
        codes = cols[c0 : c0 + chars]
    else:
        high = cols[c0 : c0 + chars] << np.uint8(phase)
        low = cols[c0 + 1 : c0 + chars + 1] >> np.uint8(6 - phase)
        codes = (high | low) & np.uint8(63)
    ascii_ = _TEXT[codes.T]
    have = np.clip((nbits - offset) // 6, 0, chars)
    short = np.flatnonzero(have < chars)
    if len(short):
        ascii_[short] = np.where(np.arange(chars)[None, :] < have[short, None], ascii_[short], 64)
    return ascii_


def _strings(ascii_: np.ndarray, valid: np.ndarray, trim: bool = True) -> pa.Array:
    """Cut each row at its first '@' (and drop trailing spaces when ``trim``) -> strings."""
    n, chars = ascii_.shape
    ascii_ = ascii_.copy()
    ascii_[np.cumsum(ascii_ == 64, axis=1) > 0] = 0
    pad = (ascii_ == 0) | (ascii_ == 32) if trim else ascii_ == 0
    trailing = np.logical_and.accumulate(pad[:, ::-1], axis=1)[:, ::-1]
    lengths = chars - trailing.sum(axis=1)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    data = ascii_[~trailing].tobytes()
    bitmap = None
    if not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data), bitmap,
        null_count=int(n - valid.sum()),
    )  # fmt: skip


def _text(cols: np.ndarray, f: Field, present: np.ndarray, nbits: np.ndarray) -> pa.Array:
    """Six-bit text of every message as an Arrow string array."""
    chars = f.width // 6
    ascii_ = _codes(cols, f.offset, chars, nbits)
    valid = nbits - f.offset >= 6
    return _strings(ascii_, valid, f.trim)


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
    if layout.key == "21":
        if scaled:
            _post_21(out, cols, nbits)
        else:  # raw: the name as sent (cut at '@'), the extension as text ("" when none)
            ext = _codes(cols, 272, _EXT_CHARS, nbits)
            out["name_ext"] = (_strings(ext, np.ones(len(nbits), bool)), None)
    return out


_EXT_CHARS = 16  # message 21 name extension read by the vector path (368-bit messages)


def _post_21(out: dict, cols: np.ndarray, nbits: np.ndarray) -> None:
    """Message 21's post hook for whole columns (same rules as messages._post_21)."""
    n = len(nbits)
    name = _codes(cols, 43, 20, nbits)
    ext = _codes(cols, 272, _EXT_CHARS, nbits)
    out["name"] = (_strings(np.concatenate([name, ext], axis=1), np.ones(n, bool)), None)
    ext_text = _strings(ext, np.ones(n, bool))
    has_ext = np.asarray(ext_text.to_numpy(zero_copy_only=False), dtype=object) != ""
    out["name_ext"] = (_strings(ext, has_ext), None)
    status, valid = out["aton_status"]
    status = np.asarray(status)
    page7 = (status >> 5) == 7
    if valid is not None:
        page7 &= valid
    out["racon"] = ((status >> 3) & 3, page7)
    out["light"] = ((status >> 1) & 3, page7)
    out["alarm"] = ((status & 1) == 1, page7)
    second, second_valid = out["second"]
    ok = np.asarray(second) <= 59
    if second_valid is not None:
        ok &= second_valid
    values, valid = out["off_position"]
    out["off_position"] = (values, ok if valid is None else (valid & ok))


# Line parsing -------------------------------------------------------------------------------
@dataclass
class _Lines:
    starts: np.ndarray
    ends: np.ndarray


def _split(buf: np.ndarray) -> _Lines:
    if not len(buf):
        empty = np.zeros(0, np.int64)
        return _Lines(empty, empty)
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
    lines = _split(np.frombuffer(data, np.uint8))
    # Spare bytes after the text let every payload be read as a fixed-width window.
    buf = np.frombuffer(data + bytes(_PAD), np.uint8)
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
        width = _WIDTH[t]
        if t == 21:  # longer than the vector path reads: the scalar decoder's
            long_ = total[idx] > width
            scalar_idx.append(idx[long_])
            idx = idx[~long_]
        cols, bad = _gather(buf, s1[idx], l1[idx], s2[idx], l2[idx], width, total[idx])
        if bad.any():
            bad_lines += [first[idx[bad]], done[idx[bad]]]
            idx, cols = idx[~bad], cols[:, ~bad]
        covered = np.zeros(len(idx), bool)
        for lay, sel in _variants(t, cols, nbits[idx]):
            covered |= sel
            if sel.all():
                gidx, gcols, gbits = idx, cols, nbits[idx]
            else:
                gidx, gcols, gbits = idx[sel], cols[:, sel], nbits[idx[sel]]
            short = gbits < lay.min_bits
            if short.any():
                scalar_idx.append(gidx[short])
                gidx, gcols, gbits = gidx[~short], gcols[:, ~short], gbits[~short]
            if not len(gidx):
                continue
            group = Group(lay, (first_line + done[gidx]) * 16 + 15, pairs=int((l2[gidx] > 0).sum()))
            group.columns = decode_group(lay, gcols, gbits, scaled)
            k = len(gidx)
            group.columns["time"] = (np.zeros(k), np.zeros(k, bool))
            group.columns["source"] = (pa.repeat(pa.scalar(source, pa.string()), k), None)
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
        if line > 0 and taken[line - 1]:
            sd._last_checksums = int(fast.last_check[line - 1])
        emit(line, sd.feed(data[starts[line] : ends[line]], source))

    # The stream decoder takes every other line, in order. A fast pair is replayed there
    # only if the assembler holds a partial message with its key (so the result is exactly
    # what streaming would give).
    demoted: list[int] = []
    keys: list[tuple] | None = None
    ptr = 0

    pair_done = pairs + 1

    def pairs_before(line: int) -> None:
        nonlocal ptr, keys
        if not sd.assembler.pending:  # nothing a fast pair could interact with: skip them all
            ptr = max(ptr, int(np.searchsorted(pair_done, line)))
            return
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
                               data[starts[line] : ends[line]], 2 if l2[i] > 0 else 1))  # fmt: skip
    pairs_before(nlines + 1)
    if demoted:
        _drop_demoted(groups, [first_line + p for p in demoted])
        by_type[:] = 0
        for g in groups:
            np.add.at(by_type, g.columns["type"][0].astype(np.int64), 1)
        replayed += 2 * len(demoted)
    fast_lines = int(taken.sum()) - replayed
    sd.line_no = first_line + nlines
    sd._sentences += fast_lines
    sd._fragments += fast_lines
    vector_msgs = sum(len(g.order) for g in groups)
    sd._messages += vector_msgs
    sd._payloads += vector_msgs
    sd._payload_fragments += vector_msgs + sum(int(g.pairs) for g in groups)
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
        g.pairs -= int((~keep).sum())  # only fast pairs are ever replayed
        g.order = g.order[keep]
        for name, (values, valid) in list(g.columns.items()):
            values = values.filter(pa.array(keep)) if isinstance(values, pa.Array) else values[keep]
            g.columns[name] = (values, None if valid is None else valid[keep])


_CHANNEL_TABLE = pa.array([_CHANNEL_NAMES.get(c, chr(c)) for c in range(256)], pa.string())


def _channel_array(codes: np.ndarray) -> pa.Array:
    return _CHANNEL_TABLE.take(pa.array(codes.astype(np.int32)))


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
    """(chars, messages) six-bit values of the first ``width`` payload characters (zero past
    the end of a payload), and a flag per message with a character outside the armor.

    ``buf`` must have ``width`` spare bytes after the data: rows are copied with one
    fancy-indexing pass over a sliding-window view, the fastest gather numpy offers.
    """
    # Read a multiple of four characters so the armor check runs on 32-bit words.
    width4 = -(-width // 4) * 4
    windows = np.lib.stride_tricks.sliding_window_view(buf, width4)
    rows = windows[s1]
    if (l2 > 0).any():
        two = np.flatnonzero(l2 > 0)
        both = np.concatenate([rows[two], windows[s2[two]]], axis=1)
        k = np.arange(width4)[None, :]
        pick = np.where(k < l1[two, None], k, width4 + k - l1[two, None])
        rows[two] = np.take_along_axis(both, pick, axis=1)
    six = _SIX[rows]
    if width4 > width:
        six[:, width:] = 0  # past what the layout reads (longer payloads are checked below)
    short = np.flatnonzero(total < width)
    if len(short):
        inside = np.arange(width4)[None, :] < total[short, None]
        six[short] = np.where(inside, six[short], 0)
    # Valid six-bit values are below 64: any of the top two bits set means a bad character.
    bad = (six.view(np.uint32) & np.uint32(0xC0C0C0C0)).any(axis=1)
    # Characters after ``width`` are not read by the layout but must still be armor.
    for i in np.flatnonzero(total > width):
        seg = bytes(buf[s1[i] : s1[i] + l1[i]]) + bytes(buf[s2[i] : s2[i] + l2[i]])
        if seg.translate(None, ARMOR):
            bad[i] = True
    return np.ascontiguousarray(six[:, :width].T), bad


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
assert all((lay.is_fixed and lay.post is None) or lay.key == "21" for lay in _VECTOR_LAYOUTS)
#: Characters read per message (message 21: the fixed part plus the longest extension).
_WIDTH = {t: max(-(-lay.bits // 6) for lay in lays) for t, lays in _TYPE_LAYOUTS.items()}
_WIDTH[21] = -(-(272 + 6 * _EXT_CHARS) // 6)


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


_TALKER = np.zeros(256, bool)
_TALKER[np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", np.uint8)] = True
_DIGIT = np.full(256, -1, np.int64)
_DIGIT[48:58] = np.arange(10)


def _fast_lines(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> _Fast:
    """Lines of the exact form ``!ttVDM,c,n,s,ch,payload,f*hh`` and where their fields are.

    The fields before the payload have fixed widths (sequence id and channel may be empty),
    so every position is an offset from the line start: no search through the text. The
    payload characters are checked later, when they are read.
    """
    n = len(starts)
    size = len(buf)
    if size == 0 or n == 0:
        e = np.zeros(0, np.int64)
        return _Fast(e, e, e, e, e, e, e, e.astype(bool), e, e, e)
    last = size - 1
    length = ends - starts

    def at(pos: np.ndarray) -> np.ndarray:
        return buf[np.minimum(pos, last)]

    s = starts
    # The first 14 and the last 5 characters of every line, each read in one pass.
    windows = np.lib.stride_tricks.sliding_window_view(buf, 14)
    head = windows[np.minimum(s, size - 14)]
    tail = windows[np.clip(ends - 5, 0, size - 14)][:, :5]
    ok = length >= 17
    ok &= head[:, 0] == 33
    ok &= _TALKER[head[:, 1]] & _TALKER[head[:, 2]]
    ok &= (head[:, 3] == 86) & (head[:, 4] == 68)
    kind = head[:, 5]
    ok &= (kind == 77) | (kind == 79)
    ok &= (head[:, 6] == 44) & (head[:, 8] == 44) & (head[:, 10] == 44)
    count = _DIGIT[head[:, 7]]
    num = _DIGIT[head[:, 9]]
    ok &= (count >= 1) & (count <= 2) & (num >= 1) & (num <= count)
    c11 = head[:, 11]
    seq_empty = c11 == 44
    seq_one = (_DIGIT[c11] >= 0) & (head[:, 12] == 44)
    ok &= seq_empty | seq_one
    cp = np.where(seq_empty, head[:, 12], head[:, 13])
    chan_empty = cp == 44
    after = np.where(seq_empty, head[:, 13], at(s + 14))
    chan_one = ((cp == 65) | (cp == 66) | (cp == 49) | (cp == 50)) & (after == 44)
    ok &= chan_empty | chan_one
    q = s + 12 + seq_one + 1 + chan_one
    ok &= (tail[:, 0] == 44) & (tail[:, 2] == 42) & (q <= ends - 5)
    fill = _DIGIT[tail[:, 1]]
    ok &= (fill >= 0) & (fill <= 5)
    hi, lo = _HEX[tail[:, 3]], _HEX[tail[:, 4]]
    ok &= (hi >= 0) & (lo >= 0)
    expected = (hi.astype(np.int64) << 4) | lo
    # XOR of everything between '!' and '*': one reduceat pass over the candidate lines.
    cand = np.flatnonzero(ok)
    if len(cand):
        bounds = np.empty(2 * len(cand), np.int64)
        bounds[0::2] = s[cand] + 1
        bounds[1::2] = ends[cand] - 3
        actual = np.bitwise_xor.reduceat(buf, bounds)[0::2]
        ok[cand[actual != expected[cand]]] = False
    seq = np.where(seq_one, c11, 0).astype(np.int64)
    channel = np.where(chan_one, cp, 0).astype(np.int64)
    q = q.astype(np.int64)
    wrapper = (length >= 5) & (head[:, 0] == 36) & (head[:, 1] == 80) & (head[:, 2] == 71) \
        & (head[:, 3] == 72) & (head[:, 4] == 80)  # fmt: skip
    singles = np.flatnonzero(ok & (count == 1))
    firsts = np.flatnonzero(ok[:-1] & (count[:-1] == 2) & (num[:-1] == 1))
    nxt = firsts + 1
    good = ok[nxt] & (count[nxt] == 2) & (num[nxt] == 2) & (seq[nxt] == seq[firsts])
    good &= channel[nxt] == channel[firsts]
    pairs = firsts[good]
    last_check = expected.copy()
    last_check[pairs + 1] = expected[pairs] ^ expected[pairs + 1]
    return _Fast(singles, pairs, q, ends - 5 - q, fill, channel, seq, kind == 79, expected,
                 last_check, np.flatnonzero(wrapper))  # fmt: skip
