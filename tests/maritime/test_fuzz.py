"""Fuzzing: mutated real sentences never make an exception escape.

The suite runs a small fuzz; the full one million sentences run with GIAMSAT_SLOW=1
(``GIAMSAT_SLOW=1 .venv/bin/python -m pytest -m slow tests/maritime/test_fuzz.py``).
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from giamsat.maritime.ais.batch import decode_batch
from giamsat.maritime.ais.stream import StreamDecoder
from tests.maritime.helpers import read_bytes, split_lines

ALPHABET = b"!$\\*,0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ:;<=>?@`abcdefghijklmnopqrstuvw \t\r\x00\xff"


def mutate(line: bytes, rng: random.Random) -> bytes:
    data = bytearray(line)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:  # flip a bit
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # insert a byte
            data.insert(pos, rng.choice(ALPHABET))
        elif op == 2 and data:  # delete a byte
            del data[rng.randrange(len(data))]
        elif op == 3 and data:  # replace with a separator
            data[rng.randrange(len(data))] = rng.choice(b",*!\\$")
        elif op == 4:  # truncate
            del data[pos:]
        elif op == 5 and data:  # duplicate a slice
            i = rng.randrange(len(data))
            data[pos:pos] = data[i : i + rng.randint(1, 12)]
        else:  # fragment numbers, fill bits, lengths: the fields that steer the decoder
            i = data.find(b",")
            if i >= 0 and i + 1 < len(data):
                data[i + 1] = rng.choice(b"0123456789")
    return bytes(data)


def _base_lines(shared: Path) -> list[bytes]:
    lines = []
    for name in ("derived/real_aivdm_clean.nmea.gz", "amsa-risky/exact-earth-with-tag-block.txt",
                 "dma-aislib/stream_example.txt", "gfw-ais-tools/multi-part.nmea",
                 "gpsd/sample.aivdm"):  # fmt: skip
        lines += [x for x in split_lines(read_bytes(shared / "corpus/ais" / name)) if x.strip()]
    return lines


def fuzz(shared: Path, count: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    base = _base_lines(shared)
    # Half of them decode sentences with bad checksums too, to reach the decoders' depths.
    decoders = [StreamDecoder(), StreamDecoder(mode="raw", keep_bad_checksum=True),
                StreamDecoder(mode="bits", keep_bad_checksum=True),
                StreamDecoder(keep_bad_checksum=True)]  # fmt: skip
    from giamsat.maritime.ais.gpsd import GpsdWriter

    writer = GpsdWriter(scaled=True)
    mutated = []
    for i in range(count):
        line = mutate(rng.choice(base), rng)
        mutated.append(line)
        decoder = decoders[i % len(decoders)]
        for msg in decoder.feed(line):
            if decoder.mode == "bits":
                writer.line(msg.bits, msg.nbits, msg.channel)
    for decoder in decoders:
        decoder.flush()
    # The same mutated lines through the batch decoder, in blocks.
    for start in range(0, len(mutated), 50_000):
        decode_batch(b"\n".join(mutated[start : start + 50_000]))
        decode_batch(b"\n".join(mutated[start : start + 50_000]), keep_bad_checksum=True)
    total: dict[str, int] = {}
    for decoder in decoders:
        for key, value in decoder.counters.items():
            total[key] = total.get(key, 0) + value
    return total


def test_fuzz_small(shared: Path) -> None:
    counts = fuzz(shared, 20_000, seed=4)
    assert counts["lines"] == 20_000
    assert counts["messages"] > 1_000  # plenty still decode
    assert counts["kept_bad_checksum"] > 1_000 and counts["bad_payload"] > 100
    assert counts["bad_checksum"] > 1_000  # and plenty are rejected, counted


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("GIAMSAT_SLOW"), reason="set GIAMSAT_SLOW=1 for 1 M sentences"
)
def test_fuzz_one_million(shared: Path) -> None:
    start = time.perf_counter()
    counts = fuzz(shared, 1_000_000, seed=2026)
    print(f"\n1,000,000 mutated sentences in {time.perf_counter() - start:.0f} s: {counts}")
    assert counts["lines"] == 1_000_000
