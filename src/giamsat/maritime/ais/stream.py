"""StreamDecoder: NMEA lines in, decoded AIS messages out — the stable live-stream API.

    from giamsat.maritime.ais.stream import StreamDecoder

    decoder = StreamDecoder()
    for line in lines:
        for msg in decoder.feed(line, source="rx1"):
            ...  # dict: our field names, "type", "mmsi", plus time/source/channel/own_ship
    decoder.flush()          # end of input: partial multipart messages are counted
    decoder.counters         # {"lines": .., "messages": .., "bad_checksum": .., ...}

Each line may carry tag blocks, several sentences, Gatehouse ``$PGHP`` wrappers and receiver
data after the checksum; bad input is counted by kind (``counters``) and reported to
``on_error`` with what, where and why, never raised.
"""

from __future__ import annotations

import calendar
from binascii import a2b_base64
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from operator import xor
from typing import Any

from giamsat.maritime.ais import messages as _messages
from giamsat.maritime.ais.asm import DEFAULT_REGISTRY, AsmRegistry
from giamsat.maritime.ais.assemble import Assembler, Dropped, Pending, joined
from giamsat.maritime.ais.decode import DecodeError, decoder, select
from giamsat.maritime.ais.sixbit import ARMOR, B64, unarmor
from giamsat.maritime.nmea.checksum import _HEX as _HEX2
from giamsat.maritime.nmea.checksum import parse_hex2
from giamsat.maritime.nmea.line import receiver_time, split_line
from giamsat.maritime.nmea.sentence import parse_sentence
from giamsat.maritime.nmea.tagblock import TagBlock, parse_tag_block

try:  # the C hot path (built from pyproject.toml); the Python path gives the same results
    from giamsat.maritime.ais import _speedups
except ImportError:  # pragma: no cover - no compiler at install time
    _speedups = None

#: Counter names that are problems with the input (the rest are volumes and information).
ERROR_KINDS = (
    "not_nmea", "bad_framing", "missing_checksum", "bad_checksum", "bad_tagblock",
    "bad_field_count", "bad_fragment", "bad_fill", "bad_payload", "empty_payload",
    "multipart_replaced", "multipart_expired", "multipart_incomplete", "unknown_type",
    "too_short", "bad_part",
)  # fmt: skip
#: Counted but not errors: the input is usable.
NOTICE_KINDS = (
    "tagblock_bad_checksum", "tagblock_group_orphan", "overlong", "junk", "other_sentences",
    "proprietary_sentences", "query_sentences", "comments", "empty_lines", "kept_bad_checksum",
    "wrapper_mismatch", "wrapper_after_message", "dropped_fragments",
)  # fmt: skip

_CHANNELS = {b"": "", b"A": "A", b"B": "B", b"1": "A", b"2": "B"}
_DIGIT = {str(i).encode(): i for i in range(10)}
_FILL = {str(i).encode(): i for i in range(6)}
_VDX = (b"VDM", b"VDO")
_TO_B64 = bytes.maketrans(ARMOR, B64)
_B64_PAD = (b"", b"A", b"AA", b"AAA")
_M512, _M256, _M128, _M64, _M32 = ((1 << k) - 1 for k in (512, 256, 128, 64, 32))


@dataclass(slots=True)
class Issue:
    """One problem: ``kind`` (a counter name), ``line`` number, ``source``, why, the text."""

    kind: str
    line: int
    source: str
    detail: str
    text: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:" if self.source else ""
        return f"{where}{self.line}: {self.kind}: {self.detail}"


@dataclass(slots=True)
class Assembled:
    """A complete message before field decoding (mode="bits")."""

    bits: int
    nbits: int
    time: float | None
    source: str
    channel: str
    own_ship: bool
    line: int


class StreamDecoder:
    """Decode NMEA 0183 AIS lines one at a time.

    mode: "scaled" (our names and units, default), "raw" (our names, raw integers) or
    "bits" (``Assembled`` records, for writers that read the bits themselves).
    keep_bad_checksum: decode sentences whose checksum fails (still counted).
    window_lines / window_seconds: how long a partial multipart message may wait.
    accelerated: use the C hot path when it is built (False: pure Python, same results).
    """

    def __init__(
        self,
        *,
        mode: str = "scaled",
        keep_bad_checksum: bool = False,
        registry: AsmRegistry | None = None,
        window_lines: int = 100,
        window_seconds: float = 60.0,
        on_error: Callable[[Issue], None] | None = None,
        on_sentence: Callable[[Any], None] | None = None,
        accelerated: bool = True,
    ) -> None:
        if mode not in ("scaled", "raw", "bits"):
            raise ValueError("mode is 'scaled', 'raw' or 'bits'")
        self.mode = mode
        self.scaled = mode == "scaled"
        self._fast_mode = mode != "bits"
        self.keep_bad_checksum = keep_bad_checksum
        self.registry = registry or DEFAULT_REGISTRY
        self.on_error = on_error
        self.on_sentence = on_sentence
        self.assembler = Assembler(window_lines, window_seconds)
        self._pending = self.assembler.pending  # the same dict, one attribute hop less
        self.line_no = 0  # lines fed so far (the number of the current line)
        self._nfast = 0  # one-sentence messages of the fast path: a sentence, fragment, message
        self._sentences = 0
        self._payloads = 0  # assembled payloads handed to the decoder (beyond the fast path)
        self._payload_fragments = 0
        self._fragments = 0
        self._messages = 0
        self._by_type = [0] * 64
        self._other: Counter[str] = Counter()
        self._wrapper: dict[str, Any] | None = None
        self._last_checksums = -1  # XOR of the sentence checksums of the last message
        self._groups: dict[tuple[str, str], tuple[int, TagBlock]] = {}
        # Message types whose layout depends on the type alone: (decode, min bits, max bits).
        self._simple: dict[int, tuple[Callable[[int, int], dict[str, Any]], int, int]] = {
            t: (decoder(lay, self.scaled, meta=True), lay.min_bits, lay.max_bits)
            for t, lay in _messages.SIMPLE.items()
        }
        use_c = accelerated and _speedups is not None and self._fast_mode
        self._programs = _programs(self.scaled) if use_c else None

    # Counters ------------------------------------------------------------------------
    @property
    def counters(self) -> dict[str, int]:
        """Every counter, volumes first: lines, sentences, fragments, messages, then kinds."""
        out = {
            "lines": self.line_no,
            "sentences": self._sentences + self._nfast,
            "fragments": self._fragments + self._nfast,
            "messages": self._messages + self._nfast,
            "payloads": self._payloads + self._nfast,
            "payload_fragments": self._payload_fragments + self._nfast,
        }
        out.update(sorted(self._other.items()))
        return out

    @property
    def by_type(self) -> dict[int, int]:
        return {t: c for t, c in enumerate(self._by_type) if c}

    def errors(self) -> dict[str, int]:
        return {k: v for k, v in self._other.items() if k in ERROR_KINDS and v}

    def _issue(self, kind: str, detail: str, source: str, text: bytes | str = b"") -> None:
        self._other[kind] += 1
        if self.on_error is not None:
            if isinstance(text, bytes):
                text = text.decode("latin-1")
            self.on_error(Issue(kind, self.line_no, source, detail, text))

    # Input ---------------------------------------------------------------------------
    def feed(self, line: bytes | str, source: str = "", time: float | None = None) -> list[Any]:
        """Decode one line; returns the messages it completes (often one, sometimes none)."""
        if line.__class__ is not bytes:
            line = line.encode("latin-1", "replace") if isinstance(line, str) else bytes(line)
        self.line_no += 1
        line = line.strip()
        if not line:
            self._other["empty_lines"] += 1
            return []
        if self._pending:
            self._expire(time, source)
        # Fast path: a bare !xxVDM/VDO sentence with nothing around it.
        if self._programs is not None and self._wrapper is None:
            done = _speedups.single(line, self._programs, source, time)
            if done is not None:
                msg, msg_type, check = done
                self._nfast += 1
                self._by_type[msg_type] += 1
                self._last_checksums = check
                return [msg]
        if (line[0] != 33 or len(line) < 12 or line[-3] != 42 or self._wrapper is not None
                or line.find(b"!", 1) >= 0):  # fmt: skip
            return self._general(line, source, time)
        body = line[1:-3]
        expected = _HEX2.get(line[-2:])
        if expected is None:
            return self._general(line, source, time)
        size = len(body)
        if size <= 64:  # XOR of all bytes, folded in halves (no per-byte loop)
            x = int.from_bytes(body, "little")
            x = (x >> 256) ^ (x & _M256)
            x = (x >> 128) ^ (x & _M128)
            x = (x >> 64) ^ (x & _M64)
            x = (x >> 32) ^ (x & _M32)
            x ^= x >> 16
            x = (x ^ (x >> 8)) & 255
        elif size <= 128:
            x = int.from_bytes(body, "little")
            x = (x >> 512) ^ (x & _M512)
            x = (x >> 256) ^ (x & _M256)
            x = (x >> 128) ^ (x & _M128)
            x = (x >> 64) ^ (x & _M64)
            x = (x >> 32) ^ (x & _M32)
            x ^= x >> 16
            x = (x ^ (x >> 8)) & 255
        else:
            x = reduce(xor, body, 0)
        if x != expected:
            return self._general(line, source, time)
        parts = body.split(b",")
        if len(parts) != 7 or parts[0][2:] not in _VDX:
            return self._general(line, source, time)
        if parts[1] == b"1" and parts[2] == b"1" and self._fast_mode:
            payload = parts[5]
            fill = _FILL.get(parts[6])
            channel = _CHANNELS.get(parts[4])
            if (
                fill is not None
                and channel is not None
                and payload
                and not payload.translate(None, ARMOR)
            ):
                nchars = len(payload)
                extra = -nchars % 4
                v = int.from_bytes(a2b_base64(payload.translate(_TO_B64) + _B64_PAD[extra]), "big")
                v >>= 6 * extra + fill
                n = 6 * nchars - fill
                msg_type = v >> (n - 6) if n >= 6 else -1
                simple = self._simple.get(msg_type)
                if simple is not None and simple[1] <= n <= simple[2]:
                    self._nfast += 1
                    self._by_type[msg_type] += 1
                    self._last_checksums = x
                    return [simple[0](v, n, time, source, channel, parts[0][4] == 79)]
                self._sentences += 1
                self._fragments += 1
                self._last_checksums = x
                return self._message(payload, fill, time, source, channel, parts[0][4] == 79, line)
        self._sentences += 1
        return self._fragment(parts, expected, source, time, None, line)

    def feed_lines(self, lines: Iterable[bytes | str], source: str = "") -> Iterator[Any]:
        """Decode many lines, then flush at the end."""
        for line in lines:
            yield from self.feed(line, source)
        yield from self.flush()

    def flush(self) -> list[Any]:
        """End of input: count the partial messages still waiting."""
        for dropped in self.assembler.drain():
            self._dropped(dropped)
        self._groups.clear()
        return []

    # Slow path -----------------------------------------------------------------------
    def _general(self, line: bytes, source: str, time: float | None) -> list[Any]:
        if line[0] == 35:  # '#'
            self._other["comments"] += 1
            return []
        split = split_line(line)
        if not split.items:
            self._issue("not_nmea", "no NMEA sentence on the line", source, line)
            return []
        if split.problems:
            self._other["junk"] += 1
        out: list[Any] = []
        for item in split.items:
            tag = self._tags(item.tags, source, line)
            sentence = item.sentence
            stamp = time
            found = receiver_time(item.trailing, item.leading)
            if found is not None:
                stamp = found
            if tag is not None and tag.time is not None:
                stamp = tag.time
            src = tag.source if tag is not None and tag.source else source
            if self._pending and stamp is not None:
                self._expire(stamp, src)
            out.extend(self._sentence(sentence, src, stamp, tag, line))
        return out

    def _tags(self, bodies: list[bytes], source: str, line: bytes) -> TagBlock | None:
        if not bodies:
            return None
        merged = TagBlock()
        for body in bodies:
            tag = parse_tag_block(body)
            if not tag.checksum_ok:
                self._other["tagblock_bad_checksum"] += 1
            bad = [p for p in tag.problems if "checksum" not in p]
            if bad:
                self._issue("bad_tagblock", "; ".join(bad), source, line)
            for name in ("time", "source", "destination", "line_count", "relative_time", "text",
                         "group"):  # fmt: skip
                value = getattr(tag, name)
                if value is not None:
                    setattr(merged, name, value)
            merged.extra.update(tag.extra)
        if merged.group is not None:
            self._group(merged, source, line)
        return merged

    def _group(self, tag: TagBlock, source: str, line: bytes) -> None:
        """Sentences of one tag-block group inherit the first sentence's time and source."""
        assert tag.group is not None
        number, total, ident = tag.group
        if not (1 <= number <= total):
            self._issue("bad_tagblock", f"group sentence {number} of {total}", source, line)
            return
        key = (source, ident)
        if number == 1:
            if total > 1:
                self._groups[key] = (self.line_no, tag)
            return
        found = self._groups.get(key)
        if found is None:
            self._other["tagblock_group_orphan"] += 1
            return
        first = found[1]
        if tag.time is None:
            tag.time = first.time
        if tag.source is None:
            tag.source = first.source
        if number == total:
            del self._groups[key]

    def _sentence(
        self, sentence: bytes, source: str, time: float | None, tag: TagBlock | None, line: bytes
    ) -> list[Any]:
        self._sentences += 1
        star = sentence.rfind(b"*")
        if star < 0:
            self._issue("missing_checksum", "sentence without a checksum", source, sentence)
            return []
        expected = parse_hex2(sentence[star + 1 : star + 3])
        if expected is None or len(sentence) != star + 3:
            self._issue("bad_framing", "'*' is not followed by two hex digits", source, sentence)
            return []
        body = sentence[1:star]
        actual = reduce(xor, body, 0)
        if actual != expected:
            if not self.keep_bad_checksum:
                self._issue(
                    "bad_checksum", f"checksum {actual:02X}, sentence says {expected:02X}",
                    source, sentence,
                )  # fmt: skip
                return []
            self._other["kept_bad_checksum"] += 1
        if sentence[0] == 33:  # '!'
            parts = body.split(b",")
            if parts[0][2:] in (b"VDM", b"VDO") and len(parts[0]) == 5:
                if len(parts) != 7:
                    self._issue(
                        "bad_field_count", f"{len(parts)} fields, VDM has 7", source, sentence
                    )
                    return []
                return self._fragment(parts, expected, source, time, tag, sentence)
            self._other["other_sentences"] += 1
            self._notify(sentence)
            return []
        if body.startswith(b"PGHP"):
            self._wrapper_sentence(body, source, time, sentence)
            return []
        parsed = self._notify(sentence)
        if parsed is not None and parsed.kind == "proprietary":
            self._other["proprietary_sentences"] += 1
        elif parsed is not None and parsed.kind == "query":
            self._other["query_sentences"] += 1
        else:
            self._other["other_sentences"] += 1
        return []

    def _notify(self, sentence: bytes) -> Any:
        if self.on_sentence is None:
            return parse_sentence(sentence)
        parsed = parse_sentence(sentence)
        if parsed is not None:
            self.on_sentence(parsed)
        return parsed

    def _wrapper_sentence(self, body: bytes, source: str, time: float | None, text: bytes) -> None:
        """Gatehouse ``$PGHP,1,yyyy,mm,dd,hh,mi,ss,ms,country,region,pss,online,cc``.

        It stamps the next message; ``cc`` is the XOR of that message's sentence checksums,
        which is how we know the wrapper belongs to it.
        """
        self._other["proprietary_sentences"] += 1
        fields = body.split(b",")
        if self._wrapper is not None:
            self._issue("wrapper_mismatch", "wrapper not followed by its message", source, text)
        self._wrapper = None
        if len(fields) < 14 or fields[1] != b"1":
            return
        try:
            year, month, day, hour, minute, second, millis = (int(f) for f in fields[2:9])
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            stamp = calendar.timegm(moment.timetuple())
            cc = int(fields[13], 16)
        except (ValueError, OverflowError):
            self._issue("bad_framing", "unreadable $PGHP wrapper", source, text)
            return
        if cc == self._last_checksums:
            # Some archives write the wrapper after its message; it is too late to stamp it.
            self._other["wrapper_after_message"] += 1
            self._last_checksums = -1
            return
        self._wrapper = {"time": stamp + millis / 1000.0, "cc": cc}

    # AIS fragments -------------------------------------------------------------------
    def _fragment(
        self,
        parts: list[bytes],
        check: int,
        source: str,
        time: float | None,
        tag: TagBlock | None,
        text: bytes,
    ) -> list[Any]:
        self._fragments += 1
        count = _DIGIT.get(parts[1], 0)
        number = _DIGIT.get(parts[2], 0)
        if not (1 <= number <= count):
            self._issue("bad_fragment", f"fragment {parts[2]!r} of {parts[1]!r}", source, text)
            return []
        payload = parts[5]
        fill = _DIGIT.get(parts[6], -1)
        if not 0 <= fill <= 5:
            self._issue("bad_fill", f"fill bits {parts[6]!r}", source, text)
            return []
        if payload.translate(None, ARMOR):
            self._issue("bad_payload", "characters outside the six-bit armor", source, text)
            return []
        channel = _CHANNELS.get(parts[4])
        if channel is None:
            channel = parts[4].decode("latin-1")
        own = parts[0][2:] == b"VDO"
        wrapper = self._wrapper
        if count == 1:
            self._last_checksums = check
            if wrapper is not None:
                time = self._unwrap(wrapper, check, time, source, text)
            return self._message(payload, fill, time, source, channel, own, text)
        key = (source, channel, parts[3], count)
        entry, dropped = self.assembler.add(
            key, count, number, payload, fill, self.line_no, time, {"own": own}, check
        )
        if dropped is not None:
            self._dropped(dropped)
        if entry is None:
            return []
        self._last_checksums = entry.checksums
        if wrapper is not None:
            time = self._unwrap(wrapper, entry.checksums, entry.time, source, text)
        else:
            time = entry.time
        data, fill = joined(entry)
        return self._message(
            data, fill, time, source, channel, entry.meta.get("own", own), text, entry.count
        )

    def _unwrap(
        self,
        wrapper: dict[str, Any],
        checksums: int,
        time: float | None,
        source: str,
        text: bytes,
    ) -> float | None:
        self._wrapper = None
        if checksums == wrapper["cc"]:
            return wrapper["time"]
        self._issue(
            "wrapper_mismatch",
            f"$PGHP checksum {wrapper['cc']:02X} does not match the next message",
            source,
            text,
        )
        return time

    def _dropped(self, dropped: Dropped) -> None:
        self._other["dropped_fragments"] += dropped.fragments
        kind = f"multipart_{dropped.reason}"
        self._issue(
            kind,
            f"{dropped.fragments} of {dropped.key[3]} fragments (first on line {dropped.first_line}) "
            f"dropped: {dropped.reason}",
            dropped.key[0],
        )

    def _expire(self, time: float | None, source: str | None = None) -> None:
        for dropped in self.assembler.expire(self.line_no, time, source):
            self._dropped(dropped)

    def _message(
        self,
        payload: bytes,
        fill: int,
        time: float | None,
        source: str,
        channel: str,
        own: bool,
        text: bytes,
        fragments: int = 1,
    ) -> list[Any]:
        self._payloads += 1
        self._payload_fragments += fragments
        if not payload:
            self._issue("empty_payload", "message without payload", source, text)
            return []
        v, n = unarmor(payload, fill)
        if n < 6:
            self._issue("too_short", f"{n} bits", source, text)
            return []
        msg_type = v >> (n - 6)
        simple = self._simple.get(msg_type) if self._fast_mode else None
        if simple is not None and simple[1] <= n <= simple[2]:
            self._messages += 1
            self._by_type[msg_type] += 1
            return [simple[0](v, n, time, source, channel, own)]
        try:
            layout = select(v, n, self.registry)
        except DecodeError as exc:
            self._issue(exc.kind, exc.detail, source, text)
            return []
        if n < layout.min_bits:
            self._issue(
                "too_short",
                f"type {msg_type} with {n} bits (needs {layout.min_bits})",
                source,
                text,
            )
            return []
        if n > layout.max_bits:
            self._other["overlong"] += 1
        self._messages += 1
        self._by_type[msg_type] += 1
        if self.mode == "bits":
            return [Assembled(v, n, time, source, channel, own, self.line_no)]
        msg = decoder(layout, self.scaled)(v, n)
        msg["time"] = time
        msg["source"] = source
        msg["channel"] = channel
        msg["own_ship"] = own
        return [msg]


_KINDS = {"u": 0, "i": 1, "b": 2, "t": 3}


def _programs(scaled: bool) -> tuple[Any, ...] | None:
    """The fixed layouts (no tail, repeat or post hook) compiled for the C hot path."""
    out: list[Any] = [None] * 64
    for msg_type, lay in _messages.SIMPLE.items():
        if not lay.is_fixed or lay.post is not None:
            continue
        specs = []
        for f in lay.fields:
            if f.kind == "-":
                continue
            scale = scaled and f.is_scaled
            if scale and (f.digits is not None or (f.conv is not None and f.width > 12)):
                break  # the C decoder does not round; leave this layout to Python
            table = None
            if scale and f.conv is not None:
                half = 1 << (f.width - 1)
                values = [raw - (1 << f.width) if f.kind == "i" and raw >= half else raw
                          for raw in range(1 << f.width)]  # fmt: skip
                table = tuple(None if v in f.na else f.conv(v) for v in values)
            specs.append((f.name, f.offset, f.width, _KINDS[f.kind], int(f.trim), int(scale),
                          tuple(f.na) if scale else (), f.add if scale else 0,
                          float(f.div) if scale and f.div else 0.0, table))  # fmt: skip
        else:
            out[msg_type] = _speedups.program(tuple(specs), lay.min_bits, lay.max_bits)
    return tuple(out)


def decode_lines(lines: Iterable[bytes | str], **options: Any) -> Iterator[dict[str, Any]]:
    """Convenience: decode an iterable of lines with a fresh StreamDecoder."""
    decoder_ = StreamDecoder(**options)
    yield from decoder_.feed_lines(lines)


__all__ = ["ERROR_KINDS", "NOTICE_KINDS", "Assembled", "Issue", "Pending", "StreamDecoder",
           "decode_lines"]  # fmt: skip
