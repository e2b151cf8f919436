"""Find cells and their update files in what the user points at: files, folders, exchange sets.

An exchange set (ENC_ROOT with CATALOG.031) may keep updates in other folders than the base
cell (``CELL/31/0/CELL.000``, ``CELL/31/1/CELL.001`` …); we group every ``NAME.NNN`` by name,
and check each file's CRC against the catalogue when it gives one.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from giamsat.maritime.enc.iso8211 import Iso8211Error, looks_like_iso8211, read_records

CELL_FILE = re.compile(r"^([A-Za-z0-9_]{1,16})\.(\d{3})$")


@dataclass
class CellFiles:
    """One cell's base file (if given) and update files by update number."""

    name: str
    base: Path | None = None
    updates: dict[int, Path] = field(default_factory=dict)
    catalog_crc: dict[Path, str] = field(default_factory=dict)


@dataclass
class Discovery:
    cells: dict[str, CellFiles] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    permit_files: list[Path] = field(default_factory=list)

    def add(self, path: Path, crc: str | None = None) -> None:
        m = CELL_FILE.match(path.name)
        if not m or path.name.upper() == "CATALOG.031":
            return
        name, number = m.group(1).upper(), int(m.group(2))
        cell = self.cells.setdefault(name, CellFiles(name))
        if number == 0:
            if cell.base is not None and cell.base.resolve() != path.resolve():
                self.problems.append(
                    f"{path}: a second base file for {name} (also {cell.base}); using the first"
                )
                return
            cell.base = path
        else:
            if number in cell.updates and cell.updates[number].resolve() != path.resolve():
                self.problems.append(f"{path}: update {number} of {name} given twice")
                return
            cell.updates[number] = path
        if crc:
            cell.catalog_crc[path] = crc.upper()


def is_plain_s57(path: Path) -> bool:
    with open(path, "rb") as fh:
        return looks_like_iso8211(fh.read(24))


def read_catalog(catalog: Path) -> tuple[list[tuple[Path, str]], list[str]]:
    """Files listed in a CATALOG.031 (paths resolved beside it) with their CRCs."""
    root = catalog.parent
    files: list[tuple[Path, str]] = []
    problems: list[str] = []
    try:
        for record in read_records(catalog):
            catd = record.first("CATD")
            if not catd:
                continue
            rel = str(catd.get("FILE") or "").replace("\\", "/").strip()
            if not rel or rel.upper().endswith("CATALOG.031"):
                continue
            path = _find_case_insensitive(root, rel)
            if path is None:
                if CELL_FILE.match(Path(rel).name):
                    problems.append(f"{catalog}: lists {rel}, which is not in the exchange set")
                continue
            files.append((path, str(catd.get("CRCS") or "")))
    except Iso8211Error as exc:
        problems.append(f"{catalog}: unreadable catalogue: {exc}")
    return files, problems


def _find_case_insensitive(root: Path, rel: str) -> Path | None:
    path = root / rel
    if path.exists():
        return path
    current = root
    for part in Path(rel).parts:
        matches = (
            [p for p in current.iterdir() if p.name.upper() == part.upper()]
            if current.is_dir()
            else []
        )
        if not matches:
            return None
        current = matches[0]
    return current


def discover(paths: list[Path]) -> Discovery:
    """Group every cell file under ``paths``; report paths that hold nothing we can import."""
    found = Discovery()
    for path in paths:
        if not path.exists():
            found.problems.append(f"{path}: no such file or folder")
            continue
        if path.is_file():
            if path.name.upper() == "CATALOG.031":
                _add_catalog(found, path)
            elif path.name.upper() == "PERMIT.TXT":
                found.permit_files.append(path)
            elif CELL_FILE.match(path.name) and path.suffix != ".031":
                found.add(path)
                if path.suffix == ".000":  # as GDAL does: updates beside the base cell apply
                    for sibling in sorted(path.parent.glob(f"{path.stem}.[0-9][0-9][0-9]")):
                        if sibling != path and CELL_FILE.match(sibling.name):
                            found.add(sibling)
            else:
                found.problems.append(f"{path}: not an S-57 cell, update or CATALOG.031")
            continue
        before = len(found.cells)
        catalogs = sorted(p for p in path.rglob("*") if p.name.upper() == "CATALOG.031")
        for catalog in catalogs:
            _add_catalog(found, catalog)
        for file in sorted(path.rglob("*")):
            if file.is_file() and CELL_FILE.match(file.name):
                found.add(file)
            elif file.is_file() and file.name.upper() == "PERMIT.TXT":
                found.permit_files.append(file)
        if len(found.cells) == before and not catalogs:
            found.problems.append(f"{path}: no S-57 cell files (*.000, *.001 …) in this folder")
    return found


def _add_catalog(found: Discovery, catalog: Path) -> None:
    files, problems = read_catalog(catalog)
    found.problems.extend(problems)
    for path, crc in files:
        found.add(path, crc)


def crc_problem(path: Path, expected: str) -> str | None:
    """A message when a plain file's CRC32 differs from the catalogue's (None when it agrees)."""
    actual = f"{zlib.crc32(path.read_bytes()):08X}"
    if expected and actual != expected:
        return f"{path}: CRC32 {actual} differs from CATALOG.031 ({expected}); file damaged"
    return None
