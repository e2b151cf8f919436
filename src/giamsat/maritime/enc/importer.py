"""``giamsat enc import``: cells, folders and exchange sets → library folders, tiles, catalogue.

Each cell is staged in a temporary folder (base + updates, decrypted if S-63), read by GDAL
with updates applied, tiled, and only then swapped in place of the previous version: a failed
import leaves the library as it was.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shapely

from giamsat.maritime.enc import s63
from giamsat.maritime.enc.aton import extract_atons
from giamsat.maritime.enc.catalog import ChartLibrary, sha256
from giamsat.maritime.enc.exchange import CellFiles, crc_problem, discover, is_plain_s57
from giamsat.maritime.enc.iso8211 import Iso8211Error, parse_records
from giamsat.maritime.enc.reader import CellReadError, read_cell
from giamsat.maritime.enc.tiles import write_pmtiles


@dataclass
class CellResult:
    name: str
    edition: int
    update: int
    features: dict[str, int]
    status: str  # imported | updated | unchanged
    seconds: float = 0.0
    tile_bytes: int = 0
    tile_count: int = 0
    largest_tile: int = 0
    min_zoom: int = 0
    max_zoom: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "edition": self.edition,
            "update": self.update,
            "features": self.features,
        }


@dataclass
class ImportReport:
    cells: list[CellResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _File:
    number: int
    data: bytes
    edition: int
    update: int
    issue_date: str
    source: Path
    encrypted: bool = False


class CellImportError(Exception):
    pass


class Importer:
    def __init__(
        self,
        library: ChartLibrary,
        permit: Path | None = None,
        hw_id: str | None = None,
        force: bool = False,
    ) -> None:
        self.library = library
        self.permit_path = permit
        self.hw_id = hw_id
        self.force = force
        self._permits: dict[str, s63.CellPermit] | None = None
        self.report = ImportReport()

    # --- S-63 -----------------------------------------------------------------------------
    def _permits_for(self, extra: list[Path]) -> dict[str, s63.CellPermit]:
        if self._permits is None:
            self._permits = {}
            for path in [p for p in [self.permit_path, *extra] if p]:
                try:
                    text = path.read_text("latin-1")
                except OSError as exc:
                    raise CellImportError(f"{path}: cannot read permit file: {exc}") from None
                permits, problems = s63.parse_permits(text, str(path))
                self.report.warnings.extend(problems)
                self._permits.update(permits)
        return self._permits

    def _decrypt(self, path: Path, name: str, permit_files: list[Path]) -> bytes:
        if not self.hw_id or not (self.permit_path or permit_files):
            raise CellImportError(
                f"{path}: the file is encrypted (S-63); give --permit PERMIT.TXT and --hw-id "
                "HW_ID to decrypt it"
            )
        permit = self._permits_for(permit_files).get(name)
        if permit is None:
            raise CellImportError(f"{path}: no cell permit for {name} in the permit file")
        try:
            keys = s63.cell_keys(permit, self.hw_id)
        except s63.S63Error as exc:
            raise CellImportError(f"{path}: {exc}") from None
        warning = s63.check_expiry(permit)
        if warning and warning not in self.report.warnings:
            self.report.warnings.append(warning)
        try:
            return s63.decrypt_cell_file(path.read_bytes(), keys, path.name)
        except s63.S63Error as exc:
            raise CellImportError(str(exc)) from None

    # --- files ----------------------------------------------------------------------------
    def _load(self, path: Path, number: int, cell: CellFiles, permit_files: list[Path]) -> _File:
        encrypted = not is_plain_s57(path)
        if encrypted:
            data = self._decrypt(path, cell.name, permit_files)
        else:
            problem = crc_problem(path, cell.catalog_crc.get(path, ""))
            if problem:
                raise CellImportError(problem)
            data = path.read_bytes()
        try:
            record = next(parse_records(data, limit=1, where=str(path)))
        except (Iso8211Error, StopIteration) as exc:
            raise CellImportError(f"{path}: not a readable S-57 file: {exc}") from None
        dsid = record.first("DSID")
        if not dsid:
            raise CellImportError(f"{path}: no DSID record")
        try:
            edition, update = int(dsid.get("EDTN") or 0), int(dsid.get("UPDN") or 0)
        except ValueError:
            raise CellImportError(f"{path}: bad edition/update number in DSID") from None
        return _File(number, data, edition, update, str(dsid.get("ISDT") or ""), path, encrypted)

    def _stored_files(self, name: str) -> dict[int, bytes]:
        folder = self.library.cell_dir(name)
        out: dict[int, bytes] = {}
        if folder.is_dir():
            for p in folder.iterdir():
                if p.stem.upper() == name and p.suffix[1:].isdigit():
                    out[int(p.suffix[1:])] = p.read_bytes()
        return out

    # --- one cell -------------------------------------------------------------------------
    def import_cell(self, cell: CellFiles, permit_files: list[Path]) -> CellResult | None:
        started = time.perf_counter()
        stored = self.library.get(cell.name)
        stored_files = self._stored_files(cell.name) if stored else {}
        encrypted = False
        if cell.base is not None:
            base = self._load(cell.base, 0, cell, permit_files)
            encrypted = base.encrypted
            if stored and stored["edition"] > base.edition:
                raise CellImportError(
                    f"{cell.base}: edition {base.edition} is older than the imported "
                    f"edition {stored['edition']} of {cell.name}; not imported"
                )
            same_edition = bool(stored) and stored["edition"] == base.edition
        elif stored and 0 in stored_files:
            path = self.library.cell_dir(cell.name) / f"{cell.name}.000"
            base = self._load(path, 0, CellFiles(cell.name), [])
            same_edition = True
        else:
            raise CellImportError(
                f"{cell.name}: update files given but no base cell ({cell.name}.000), "
                "and the cell was not imported before"
            )
        updates: dict[int, _File] = {}
        if same_edition:
            for number, data in stored_files.items():
                if number > 0:
                    updates[number] = _File(
                        number, data, base.edition, number, "", Path("(stored)")
                    )
        for number, path in sorted(cell.updates.items()):
            f = self._load(path, number, cell, permit_files)
            if f.edition != base.edition:
                self.report.errors.append(
                    f"{path}: update for edition {f.edition}, but the cell is edition "
                    f"{base.edition}; not applied"
                )
                continue
            if f.update != number:
                self.report.errors.append(
                    f"{path}: DSID says update {f.update}, file name says {number}; not applied"
                )
                continue
            updates[number] = f
        applied: list[_File] = []
        expected = base.update + 1
        for number in sorted(updates):
            if number < expected:
                continue  # already contained in a re-issue
            if number != expected:
                missing = ", ".join(str(n) for n in sorted(updates) if n >= expected)
                self.report.errors.append(
                    f"{cell.name}: update {expected} is missing; updates {missing} not applied"
                )
                break
            applied.append(updates[number])
            expected += 1
        files = [base, *applied]
        fingerprint = [
            {"name": f"{cell.name}.{f.number:03d}", "sha256": sha256(f.data)} for f in files
        ]
        if stored and stored["files"] == fingerprint and not self.force:
            tiles = self.library.tiles_path(stored)
            if tiles.is_file():
                return CellResult(
                    cell.name, stored["edition"], stored["update_number"], stored["features"],
                    "unchanged", 0.0, stored["tile_bytes"], stored["tile_count"], 0,
                    stored["min_zoom"], stored["max_zoom"],
                )  # fmt: skip
        return self._build(cell, files, fingerprint, stored, encrypted, started)

    def _build(
        self,
        cell: CellFiles,
        files: list[_File],
        fingerprint: list[dict[str, str]],
        stored: dict[str, Any] | None,
        encrypted: bool,
        started: float,
    ) -> CellResult:
        self.library.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{cell.name}-", dir=self.library.root))
        try:
            for f in files:
                (staging / f"{cell.name}.{f.number:03d}").write_bytes(f.data)
            try:
                data = read_cell(staging / f"{cell.name}.000")
            except CellReadError as exc:
                raise CellImportError(str(exc).replace(str(staging), cell.name)) from None
            if data.update != files[-1].number and len(files) > 1:
                raise CellImportError(
                    f"{cell.name}: GDAL applied updates up to {data.update}, "
                    f"expected {files[-1].number}; cell not imported"
                )
            tiles = write_pmtiles(data, staging / f"{cell.name}.pmtiles")
            atons = extract_atons(data)
            (staging / "atons.json").write_text(
                json.dumps(atons, ensure_ascii=False, separators=(",", ":")), "utf-8"
            )
            west, south, east, north = data.bounds()
            coverage = data.coverage()
            seconds = round(time.perf_counter() - started, 2)
            row = {
                "name": cell.name,
                "edition": data.edition,
                "update_number": data.update,
                "issue_date": files[-1].issue_date or str(data.dsid.get("DSID_ISDT") or ""),
                "update_date": str(data.dsid.get("DSID_UADT") or ""),
                "usage_band": data.usage_band,
                "compilation_scale": data.compilation_scale,
                "agency": data.dsid.get("DSID_AGEN"),
                "west": west,
                "south": south,
                "east": east,
                "north": north,
                "coverage": shapely.geometry.mapping(coverage) if coverage is not None else None,
                "contours": data.contours(),
                "symbols": tiles.symbols,
                "features": data.counts,
                "min_zoom": tiles.min_zoom,
                "max_zoom": tiles.max_zoom,
                "path": str(self.library.cell_dir(cell.name).relative_to(self.library.home)),
                "files": fingerprint,
                "source": str(cell.base or next(iter(cell.updates.values()), "")),
                "encrypted": encrypted,
                "tile_bytes": tiles.bytes,
                "tile_count": tiles.tiles,
                "import_seconds": seconds,
                "imported_at": datetime.now(UTC),
            }
            target = self.library.cell_dir(cell.name)
            old = None
            if target.exists():
                old = target.with_name(f".old-{cell.name}-{time.time_ns()}")
                target.rename(old)
            staging.rename(target)
            try:
                self.library.save(row)
            except Exception:
                shutil.rmtree(target, ignore_errors=True)
                if old is not None:
                    old.rename(target)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            status = "imported" if stored is None else "updated"
            return CellResult(
                cell.name, data.edition, data.update, data.counts, status, seconds,
                tiles.bytes, tiles.tiles, tiles.largest, tiles.min_zoom, tiles.max_zoom,
            )  # fmt: skip
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    # --- many -----------------------------------------------------------------------------
    def run(self, paths: list[Path]) -> ImportReport:
        found = discover(paths)
        self.report.errors.extend(found.problems)
        for name in sorted(found.cells):
            try:
                result = self.import_cell(found.cells[name], found.permit_files)
            except CellImportError as exc:
                self.report.errors.append(str(exc))
                continue
            if result is not None:
                self.report.cells.append(result)
        return self.report
