"""gpsd's regression oracle: sample.aivdm decoded as gpsd-raw/gpsd must equal its .ju/.js.chk.

The only deliberate difference on this corpus is message 26's radio status (docs/ais.md):
gpsd never reads it and prints 0; we print the last 20 bits of the message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.maritime.ais.gpsd import GpsdWriter
from giamsat.maritime.ais.stream import StreamDecoder
from tests.maritime.helpers import bits_of

runner = CliRunner()


def _gpsd_lines(path: Path, scaled: bool, device: str = "stdin") -> list[str]:
    decoder = StreamDecoder(mode="bits")
    writer = GpsdWriter(scaled=scaled, device=device)
    out = []
    for line in path.read_bytes().split(b"\n"):
        for msg in decoder.feed(line):
            text = writer.line(msg.bits, msg.nbits, msg.channel)
            if text is not None:
                out.append(text)
    return out


def _radio_from_sentence_payloads(sample: Path) -> list[int]:
    """Message 26 radio status, read independently from the raw sentences (last 20 bits)."""
    radios = []
    for raw in sample.read_text().splitlines():
        if raw.startswith("!AIVDM,1,1,") and raw.split(",")[5][:1] == "J":
            fields = raw.split(",")
            bits = bits_of(fields[5], int(fields[6][0]))
            radios.append(int(bits[-20:], 2))
    return radios


@pytest.mark.parametrize("suffix,scaled", [("ju", False), ("js", True)])
def test_sample_aivdm_matches_gpsd_message_by_message(
    shared: Path, suffix: str, scaled: bool
) -> None:
    gpsd = shared / "corpus/ais/gpsd"
    expected = (gpsd / f"sample.aivdm.{suffix}.chk").read_text().splitlines()
    ours = _gpsd_lines(gpsd / "sample.aivdm", scaled)
    assert len(ours) == len(expected) == 97
    radios = iter(_radio_from_sentence_payloads(gpsd / "sample.aivdm"))
    differing = 0
    for mine, theirs in zip(ours, expected, strict=True):
        if mine == theirs:
            continue
        a, b = json.loads(mine), json.loads(theirs)
        # The documented difference: only message 26, only "radio".
        assert a["type"] == 26, (mine, theirs)
        assert {k for k in a if a[k] != b.get(k)} == {"radio"}
        assert b["radio"] == 0
        assert a["radio"] == next(radios)
        differing += 1
    assert differing == 5  # the five message 26 of the sample


def test_cli_gpsd_raw_is_byte_identical_except_type26_radio(shared: Path) -> None:
    gpsd = shared / "corpus/ais/gpsd"
    result = runner.invoke(
        app, ["ais", "decode", "--format", "gpsd-raw", "-q", str(gpsd / "sample.aivdm")]
    )
    assert result.exit_code == 0, result.output
    ours = result.stdout_bytes.decode().split("\r\n")
    assert ours[-1] == ""
    expected = (gpsd / "sample.aivdm.ju.chk").read_bytes().decode().split("\r\n")
    assert len(ours) == len(expected)
    diff = [(a, b) for a, b in zip(ours, expected, strict=True) if a != b]
    assert len(diff) == 5 and all('"type":26' in a and '"radio":0}' in b for a, b in diff)


def _aligned(ours: list[str], chk: list[str]) -> list[tuple[str, str]]:
    """gpsd's daemon reports some messages twice in a row; skip its repeats when aligning."""
    pairs, j = [], 0
    for line in ours:
        while j < len(chk) and line != chk[j] and j > 0 and chk[j] == chk[j - 1]:
            j += 1
        pairs.append((line, chk[j] if j < len(chk) else ""))
        j += 1
    return pairs


def test_gpsd_daemon_captures_match(shared: Path) -> None:
    """Real captures with GPS sentences mixed in, against gpsd's daemon output (no device)."""
    total = 0
    for log in sorted((shared / "corpus/ais/gpsd").glob("daemon-*.log")):
        chk = [x for x in (log.with_name(log.name + ".chk")).read_text().splitlines()
               if '"class":"AIS"' in x]  # fmt: skip
        ours = _gpsd_lines(log, scaled=False, device="")
        assert ours, log.name
        for mine, theirs in _aligned(ours, chk):
            assert mine == theirs, log.name
        total += len(ours)
    assert total == 138 + 1265 + 166 + 108 + 12
