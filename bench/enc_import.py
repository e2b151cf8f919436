"""ENC import: time per cell and tile sizes, against GDAL alone (its S57 read + PMTiles write).

Peer: the plain GDAL route the research measured (all classes into one MVT layer, same zoom
range), with none of our attribute work, AtoN extraction or catalogue. Ratio = ours / peer.
Run: .venv/bin/python bench/enc_import.py  (needs ../shared/corpus/enc)
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import pyarrow as pa
import pyogrio
from pyogrio.raw import read_arrow

from giamsat.core.store import Store
from giamsat.maritime.enc.catalog import ChartLibrary
from giamsat.maritime.enc.importer import Importer
from giamsat.maritime.enc.portrayal import zoom_range

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "enc"
CELLS = [
    CORPUS / "noaa_US4MD81M/ENC_ROOT/US4MD81M/US4MD81M.000",
    CORPUS / "ecdis_chart1/ENC_ROOT/AA4C1XMS.000",
    CORPUS / "ecdis_chart1/ENC_ROOT/AA5C1QO1.000",
]


def gdal_alone(cell: Path, out: Path, min_zoom: int, max_zoom: int) -> float:
    start = time.perf_counter()
    tables = []
    for name, _ in pyogrio.list_layers(cell):
        if name == "DSID":
            continue
        _, t = read_arrow(cell, layer=name, SPLIT_MULTIPOINT="ON", ADD_SOUNDG_DEPTH="ON")
        if "wkb_geometry" not in t.column_names or t.num_rows == 0:
            continue
        tables.append(
            pa.table(
                {
                    "OBJNAME": pa.array([name] * t.num_rows),
                    "geometry": t["wkb_geometry"].combine_chunks().cast(pa.binary()),
                }
            )
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_arrow(
            pa.concat_tables(tables), out, driver="PMTiles", layer="enc",
            geometry_name="geometry", geometry_type="Unknown", crs="EPSG:4326",
            dataset_options={"MINZOOM": str(min_zoom), "MAXZOOM": str(max_zoom)},
        )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    if not CORPUS.is_dir():
        raise SystemExit("needs ../shared/corpus/enc")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        store = Store(f"sqlite:///{home / 'g.db'}")
        store.upgrade()
        library = ChartLibrary(store, home)
        print(
            f"{'cell':10} {'ours s':>7} {'GDAL s':>7} {'ratio':>6} {'tiles':>6} {'MB':>6} {'largest kB':>10}"
        )
        for cell in CELLS:
            report = Importer(library, force=True).run([cell])
            [r] = report.cells
            row = library.get(r.name)
            _, max_zoom = row["min_zoom"], row["max_zoom"]
            assert (row["min_zoom"], row["max_zoom"]) == zoom_range(
                row["compilation_scale"], (row["south"] + row["north"]) / 2
            )
            peer = gdal_alone(cell, home / f"{r.name}-gdal.pmtiles", row["min_zoom"], max_zoom)
            print(
                f"{r.name:10} {r.seconds:7.2f} {peer:7.2f} {r.seconds / peer:6.2f} "
                f"{r.tile_count:6d} {r.tile_bytes / 1e6:6.2f} {r.largest_tile / 1e3:10.0f}"
            )
        store.dispose()


if __name__ == "__main__":
    main()
