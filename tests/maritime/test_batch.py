"""The numpy batch decoder gives exactly what streaming the same lines gives: the same
messages in the same order with the same values, and the same counters."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from giamsat.maritime.ais.batch import decode_batch
from giamsat.maritime.ais.schema import schema
from giamsat.maritime.ais.stream import StreamDecoder
from tests.maritime.helpers import log_files, read_bytes, split_lines

NESTED = {"tidals", "cargos", "waypoints", "targets", "gauges"}


def _normal(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        if key in NESTED and isinstance(value, str):
            value = json.loads(value)
        if value is not None:
            out[key] = value
    return out


def _stream(data: bytes, mode: str = "scaled") -> tuple[list[dict], StreamDecoder]:
    decoder = StreamDecoder(mode=mode)
    out = []
    for line in split_lines(data):
        out.extend(decoder.feed(line))
    decoder.flush()
    return out, decoder


def test_batch_equals_stream_on_every_log(shared: Path) -> None:
    for path in log_files(shared):
        data = read_bytes(path)
        expected, decoder = _stream(data)
        batch = decode_batch(data)
        rows = batch.to_table().to_pylist()
        assert len(rows) == len(expected), path.name
        for got, want in zip(rows, expected, strict=True):
            assert _normal(got) == _normal(want), path.name
        assert batch.counters == decoder.counters, path.name
        assert batch.by_type == decoder.by_type, path.name


def test_batch_vectorises_most_messages(shared: Path) -> None:
    data = read_bytes(shared / "corpus/ais/derived/real_aivdm_clean.nmea.gz")
    batch = decode_batch(data)
    vector = sum(len(g.order) for g in batch.groups)
    assert vector / batch.messages > 0.97
    assert {g.layout.key for g in batch.groups} >= {"1", "3", "4", "5", "18", "21", "24A", "24B"}


def test_chunked_batches_equal_one_batch(shared: Path) -> None:
    data = read_bytes(shared / "corpus/ais/pyais/tests-nmea_data_sample.txt")
    whole = decode_batch(data)
    lines = data.splitlines(keepends=True)
    decoder = StreamDecoder()
    rows = []
    for start in range(0, len(lines), 97):  # chunk edges cut multipart pairs
        part = b"".join(lines[start : start + 97])
        last = start + 97 >= len(lines)
        rows += decode_batch(part, stream=decoder, final=last).to_table().to_pylist()
    assert [_normal(r) for r in rows] == [_normal(r) for r in whole.to_table().to_pylist()]
    assert decoder.counters == whole.counters


def test_raw_mode_matches_stream_raw_mode(shared: Path) -> None:
    data = read_bytes(shared / "corpus/ais/gpsd/sample.aivdm")
    expected, _ = _stream(data, mode="raw")
    rows = decode_batch(data, scaled=False).to_table().to_pylist()
    assert [_normal(r) for r in rows] == [_normal(r) for r in expected]


def test_union_schema_table(shared: Path) -> None:
    data = read_bytes(shared / "corpus/ais/gpsd/sample.aivdm")
    table = decode_batch(data).to_table(schema())
    assert table.schema == schema()
    assert table.num_rows == 102
    assert table.column("lat").type.id == schema().field("lat").type.id


@pytest.mark.parametrize(
    "text", [b"", b"\n", b"garbage\n", b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"]
)
def test_edge_inputs(text: bytes) -> None:
    expected, decoder = _stream(text)
    batch = decode_batch(text)
    assert batch.messages == len(expected)
    assert batch.counters == decoder.counters
