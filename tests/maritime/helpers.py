"""Helpers for the maritime tests: reading corpus files, independent NMEA arithmetic."""

from __future__ import annotations

import gzip
from pathlib import Path

CORPUS_SUFFIXES_SKIP = {".md", ".json", ".chk"}


def corpus_dir(shared: Path) -> Path:
    return shared / "corpus" / "ais"


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def split_lines(data: bytes) -> list[bytes]:
    """Lines as a file iterator yields them (no phantom line after the last newline)."""
    if not data:
        return []
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    return lines


def log_files(shared: Path) -> list[Path]:
    root = corpus_dir(shared)
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix not in CORPUS_SUFFIXES_SKIP and p.name != "SHA256SUMS"
    )


def naive_checksum(body: bytes) -> int:
    """XOR of the bytes, one at a time (an independent reference for the tests)."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def sentence(body: str) -> str:
    """'AIVDM,1,1,,A,...,0' -> '!AIVDM,...*hh' with a correct checksum."""
    return f"!{body}*{naive_checksum(body.encode()):02X}"


def sixbit_values(payload: str) -> list[int]:
    """Armored characters -> six-bit values (the textbook formula, not our table)."""
    out = []
    for ch in payload:
        v = ord(ch) - 48
        if v > 40:
            v -= 8
        out.append(v)
    return out


def bits_of(payload: str, fill: int = 0) -> str:
    """A payload as a string of '0'/'1' (slow and obvious, for cross-checking)."""
    bits = "".join(format(v, "06b") for v in sixbit_values(payload))
    return bits[: len(bits) - fill] if fill else bits
