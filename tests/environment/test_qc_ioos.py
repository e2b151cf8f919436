"""Our QC functions give ioos_qc's flags on the same arrays (random and real series).

Deliberate differences (docs/quality.md) are excluded by construction here and tested in
test_qc_tests.py: a flat-line tolerance of 0 (ioos_qc never fires, we flag exact runs).
"""

from __future__ import annotations

import csv
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from giamsat.environment import qc_tests as T

qartod = pytest.importorskip("ioos_qc.qartod")


def ioos(fn, *args, **kw) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(fn(*args, **kw), dtype=np.uint8)


def random_series(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.round(rng.normal(10, 5, n), int(rng.integers(0, 3)))
    x[rng.random(n) < 0.1] = np.nan
    for _ in range(int(rng.integers(0, 4))):  # plateaus
        k = int(rng.integers(0, n))
        x[k : k + int(rng.integers(2, 30))] = x[k]
    for _ in range(int(rng.integers(0, 4))):  # spikes
        x[int(rng.integers(0, n))] += rng.choice([-1, 1]) * rng.uniform(10, 100)
    steps = rng.choice([300, 300, 300, 300, 600, 3600], n)
    return x, np.cumsum(steps)


@pytest.mark.parametrize("seed", range(40))
def test_equal_flags_on_random_arrays(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, t = random_series(rng, int(rng.integers(3, 400)))
    lo, hi = np.nanpercentile(x, [5, 95]) if np.isfinite(x).any() else (0, 1)
    assert np.array_equal(
        T.gross_range(x, (lo - 5, hi + 5), (lo, hi)),
        ioos(qartod.gross_range_test, x, (lo - 5, hi + 5), (lo, hi)),
    )
    for method in ("average", "differential"):
        for sus, fail in ((3, 8), (5, None), (0, 20)):
            assert np.array_equal(
                T.spike(x, sus, fail, method),
                ioos(qartod.spike_test, x, sus, fail, method=method),
            ), (method, sus, fail)
    for thr, fail in ((5 / 300, None), (2 / 300, 10 / 300)):
        assert np.array_equal(
            T.rate_of_change(x, t, thr, fail), ioos(qartod.rate_of_change_test, x, t, thr, fail)
        )
    for sus, fail in ((900, 1800), (3600, 7200), (300, 600)):
        for tol in (1e-9, 0.5, 2.0):
            assert np.array_equal(
                T.flat_line(x, t, sus, fail, tol),
                ioos(qartod.flat_line_test, x, t, sus, fail, tol),
            ), (sus, fail, tol)


def _hydro(shared: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rows = list(csv.DictReader((shared / "corpus/env/saqc_ufz/hydro_data.csv").open()))
    t = np.array([datetime.fromisoformat(r["Timestamp"]).timestamp() for r in rows], dtype=np.int64)
    out = {}
    for col in ("sac254_raw", "level_raw", "water_temp_raw"):
        out[col] = (np.array([float(r[col]) if r[col] else np.nan for r in rows]), t)
    return out


def _beijing(shared: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    path = shared / "corpus/env/beijing_prsa/PRSA_Data_Dongsi_20130301-20170228.csv"
    rows = list(csv.DictReader(path.open()))
    t = np.array(
        [
            datetime(int(r["year"]), int(r["month"]), int(r["day"]), int(r["hour"])).timestamp()
            for r in rows
        ],
        dtype=np.int64,
    )
    return {
        p: (np.array([float(r[p]) if r[p] != "NA" else np.nan for r in rows]), t)
        for p in ("PM2.5", "PM10", "NO2", "O3")
    }


def _water_level(shared: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rows = list(csv.DictReader((shared / "corpus/env/ioos_qc/water_level_example.csv").open()))
    t = np.array([int(r["timestamp"]) for r in rows], dtype=np.int64)
    x = np.array([float(r["sea_surface_height_above_sea_level"]) for r in rows])
    return {"ssh": (x, t)}


def test_equal_flags_on_real_series(shared: Path) -> None:
    series = {**_hydro(shared), **_beijing(shared), **_water_level(shared)}
    flagged = 0
    for name, (x, t) in series.items():
        scale = float(np.nanstd(x)) or 1.0
        lo, hi = np.nanpercentile(x, [1, 99])
        cases = [
            (
                T.gross_range(x, (lo - scale, hi + scale), (lo, hi)),
                ioos(qartod.gross_range_test, x, (lo - scale, hi + scale), (lo, hi)),
            ),
            (
                T.spike(x, scale, 3 * scale, "differential"),
                ioos(qartod.spike_test, x, scale, 3 * scale, method="differential"),
            ),
            (
                T.spike(x, scale, 3 * scale, "average"),
                ioos(qartod.spike_test, x, scale, 3 * scale, method="average"),
            ),
            (
                T.rate_of_change(x, t, scale / 3600, 3 * scale / 3600),
                ioos(qartod.rate_of_change_test, x, t, scale / 3600, 3 * scale / 3600),
            ),
            (
                T.flat_line(x, t, 3 * 3600, 6 * 3600, scale / 1000),
                ioos(qartod.flat_line_test, x, t, 3 * 3600, 6 * 3600, scale / 1000),
            ),
        ]
        for i, (ours, theirs) in enumerate(cases):
            assert np.array_equal(ours, theirs), (name, i, np.flatnonzero(ours != theirs)[:10])
            flagged += int(((ours == 3) | (ours == 4)).sum())
    assert flagged > 100  # the comparison exercised real suspect/fail flags
