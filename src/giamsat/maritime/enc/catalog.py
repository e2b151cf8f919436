"""The chart library on disk and in the store: ``$GIAMSAT_HOME/enc/<CELL>/`` plus ``enc_cells``.

A cell folder holds the S-57 base file, its updates, the tiles (``<CELL>.pmtiles``) and the
charted AtoNs (``atons.json``). The database row is the catalogue the web router reads.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from giamsat.maritime.enc.schema import enc_cells

COLUMNS = [c.name for c in enc_cells.columns if c.name not in ("id",)]


class ChartLibrary:
    """Where cells live and what the store knows about them."""

    def __init__(self, store: Any, home: Path) -> None:
        self.store = store
        self.home = Path(home)
        self.root = self.home / "enc"

    def cell_dir(self, name: str) -> Path:
        return self.root / name.upper()

    def tiles_path(self, row: dict[str, Any]) -> Path:
        return self.home / row["path"] / f"{row['name']}.pmtiles"

    def atons_path(self, row: dict[str, Any]) -> Path:
        return self.home / row["path"] / "atons.json"

    def cells(self) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(enc_cells).order_by(enc_cells.c.name)).mappings().all()
        return [dict(r) for r in rows]

    def get(self, name: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as conn:
            row = (
                conn.execute(select(enc_cells).where(enc_cells.c.name == name.upper()))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def save(self, row: dict[str, Any]) -> None:
        stmt = self.store.upsert(enc_cells, ["name"], [c for c in COLUMNS if c != "name"])
        with self.store.write() as conn:
            conn.execute(stmt.values(**{k: row[k] for k in COLUMNS}))

    def remove(self, name: str) -> bool:
        """Forget a cell and delete its folder; False when no such cell was imported."""
        name = name.upper()
        with self.store.write() as conn:
            gone = conn.execute(delete(enc_cells).where(enc_cells.c.name == name)).rowcount
        folder = self.cell_dir(name)
        if folder.exists():
            shutil.rmtree(folder)
            return True
        return bool(gone)

    def atons(self, name: str | None = None) -> list[dict[str, Any]]:
        """Charted AtoNs of one cell or of every imported cell."""
        out: list[dict[str, Any]] = []
        for row in self.cells():
            if name and row["name"] != name.upper():
                continue
            path = self.atons_path(row)
            if path.is_file():
                out.extend(json.loads(path.read_text("utf-8")))
        return out

    def version(self) -> str:
        """Changes whenever any cell is added, updated or removed (for tile cache keys)."""
        parts = [
            f"{r['name']}:{r['edition']}:{r['update_number']}:{r['imported_at']}"
            for r in self.cells()
        ]
        return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
