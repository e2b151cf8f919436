"""QC speed: our vectorised QARTOD tests vs ioos_qc 3.0 on the same 1,000,000 points.

One process, same arrays, flags compared for equality. Prints milliseconds (median of
several runs) and the speed-up; target ≥ 10× for flat line and spike with equal flags.
Run: .venv/bin/python bench/qc.py
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings

import numpy as np

from giamsat.environment import qc_tests as T

N = 1_000_000
RUNS = 5


def data() -> tuple[np.ndarray, np.ndarray]:
    """5-minute series with 0.5 % missing values, flat runs and spikes (fixed seed)."""
    rng = np.random.default_rng(42)
    t = np.arange(N, dtype=np.int64) * 300 + 1_700_000_000
    x = np.round(50 + 10 * np.sin(np.arange(N) / 300) + rng.normal(0, 2, N), 2)
    for start in rng.integers(0, N - 100, 2000):  # flat runs of 5 … 60 values
        x[start : start + rng.integers(5, 60)] = x[start]
    spikes = rng.integers(1, N - 1, 3000)
    x[spikes] += rng.choice([-1, 1], len(spikes)) * rng.uniform(20, 200, len(spikes))
    x[rng.random(N) < 0.005] = np.nan
    return x, t


def timed(fn, *args, **kwargs) -> tuple[float, np.ndarray]:
    times = []
    out = None
    for _ in range(RUNS):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, np.asarray(out, dtype=np.uint8)


def main() -> int:
    try:
        from ioos_qc import qartod
    except ImportError:
        print("ioos_qc is not installed (pip install -e '.[dev]')")
        return 1
    warnings.simplefilter("ignore")
    x, t = data()
    cases = [
        ("gross_range", (T.gross_range, (x, (0, 200), (10, 90)), {}),
         (qartod.gross_range_test, (x, (0, 200), (10, 90)), {})),
        ("spike (differential)", (T.spike, (x, 25, 50, "differential"), {}),
         (qartod.spike_test, (x, 25, 50), {"method": "differential"})),
        ("spike (average)", (T.spike, (x, 25, 50, "average"), {}),
         (qartod.spike_test, (x, 25, 50), {"method": "average"})),
        ("rate_of_change", (T.rate_of_change, (x, t, 10 / 300, 20 / 300), {}),
         (qartod.rate_of_change_test, (x, t, 10 / 300, 20 / 300), {})),
        ("flat_line (1 h / 2 h, tol 1e-6)", (T.flat_line, (x, t, 3600, 7200, 1e-6), {}),
         (qartod.flat_line_test, (x, t, 3600, 7200, 1e-6), {})),
    ]  # fmt: skip
    print(f"QC tests on {N:,} points (5-minute spacing, median of {RUNS} runs)")
    print(f"{'test':34} {'giamsat ms':>11} {'ioos_qc ms':>11} {'speed-up':>9}  flags")
    ok = True
    for name, (ours, a, ka), (theirs, b, kb) in cases:
        ours_ms, ours_flags = timed(ours, *a, **ka)
        theirs_ms, theirs_flags = timed(theirs, *b, **kb)
        equal = np.array_equal(ours_flags, theirs_flags)
        flagged = int(((ours_flags == 3) | (ours_flags == 4)).sum())
        ratio = theirs_ms / ours_ms
        print(
            f"{name:34} {ours_ms:11.1f} {theirs_ms:11.1f} {ratio:8.1f}x  "
            f"{'equal' if equal else 'DIFFERENT'} ({flagged:,} suspect/fail)"
        )
        ok &= equal
        if name.startswith(("spike", "flat")) and ratio < 10:
            print(f"  below the 10x target for {name}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
