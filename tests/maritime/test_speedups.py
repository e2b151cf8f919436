"""The C hot path gives exactly what the pure-Python path gives (values, key order, counters),
on every real log and on mutated lines, in scaled and raw modes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from giamsat.maritime.ais import stream
from giamsat.maritime.ais.stream import StreamDecoder
from tests.maritime.helpers import log_files, read_bytes, split_lines
from tests.maritime.test_fuzz import mutate

pytestmark = pytest.mark.skipif(stream._speedups is None, reason="C extension not built")


def _run(lines: list[bytes], **options) -> tuple[list[list], dict]:
    decoder = StreamDecoder(**options)
    out = [list(m.items()) for line in lines for m in decoder.feed(line)]
    decoder.flush()
    return out, decoder.counters


@pytest.mark.parametrize("mode", ["scaled", "raw"])
def test_c_and_python_paths_agree(shared: Path, mode: str) -> None:
    for path in log_files(shared):
        lines = split_lines(read_bytes(path))
        assert _run(lines, mode=mode) == _run(lines, mode=mode, accelerated=False), path.name
    rng = random.Random(7)
    base = split_lines(read_bytes(shared / "corpus/ais/derived/real_aivdm_clean.nmea.gz"))
    fuzzed = [mutate(rng.choice(base), rng) for _ in range(30_000)]
    options = {"mode": mode, "keep_bad_checksum": True}
    assert _run(fuzzed, **options) == _run(fuzzed, **options, accelerated=False)


def test_the_c_path_is_taken() -> None:
    decoder = StreamDecoder()
    assert decoder._programs is not None
    assert decoder._programs[1] is not None and decoder._programs[21] is None  # 21 has a post hook
