"""ENC fixtures: the shared corpus cells, and one library imported once per session (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from giamsat.core.store import Store
from giamsat.maritime.enc.catalog import ChartLibrary
from giamsat.maritime.enc.importer import Importer

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
NOAA = SHARED / "corpus/enc/noaa_US4MD81M/ENC_ROOT/US4MD81M"
CHART1 = SHARED / "corpus/enc/ecdis_chart1/ENC_ROOT"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not NOAA.is_dir() or not CHART1.is_dir():
        pytest.skip("../shared/corpus/enc is not present")
    return SHARED / "corpus/enc"


@pytest.fixture(scope="session")
def imported_library(
    tmp_path_factory: pytest.TempPathFactory, corpus: Path
) -> Iterator[ChartLibrary]:
    """The NOAA cell (with updates) and the ECDIS Chart 1 exchange set, imported once."""
    home = tmp_path_factory.mktemp("enc-home")
    store = Store(f"sqlite:///{home / 'giamsat.db'}")
    store.upgrade()
    library = ChartLibrary(store, home)
    report = Importer(library).run([NOAA, CHART1 / "CATALOG.031"])
    assert not report.errors, report.errors
    yield library
    store.dispose()
