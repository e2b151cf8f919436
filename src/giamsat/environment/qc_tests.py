"""QARTOD quality tests as plain vectorised functions of numpy arrays.

Each test takes values (and times, Unix seconds) and returns a ``uint8`` array of QARTOD flags:
1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing. Gross range, spike, rate of change and
flat line give the same flags as ioos_qc 3.0 ``qartod`` on the same arrays (tests/environment/
test_qc_ioos.py), with one documented difference: a flat-line ``tolerance`` of 0 means "exactly
equal" here, where ioos_qc's strict ``range < 0`` can never fire (docs/quality.md). Missing
values are NaN; none of these functions loops in Python, so a million points take milliseconds.
"""

from __future__ import annotations

import numpy as np

PASS, NOT_EVALUATED, SUSPECT, FAIL, MISSING = 1, 2, 3, 4, 9

# Which test set a flag: one bit each (stored in qc_results.tests).
DEVICE = 1 << 0
MISSING_VALUE = 1 << 1
GROSS_RANGE = 1 << 2
NEGATIVE = 1 << 3
ZERO = 1 << 4
FLAT_LINE = 1 << 5
SPIKE = 1 << 6
RATE_OF_CHANGE = 1 << 7
CROSS = 1 << 8
MANUAL = 1 << 9

TEST_NAMES: dict[int, str] = {
    DEVICE: "device_status",
    MISSING_VALUE: "missing",
    GROSS_RANGE: "gross_range",
    NEGATIVE: "negative",
    ZERO: "zero",
    FLAT_LINE: "flat_line",
    SPIKE: "spike",
    RATE_OF_CHANGE: "rate_of_change",
    CROSS: "cross_parameter",
    MANUAL: "manual",
}


def test_names(bits: int) -> list[str]:
    """Names of the tests in a bitmask, in bit order."""
    return [name for bit, name in TEST_NAMES.items() if bits & bit]


def _as_float(values: np.ndarray | list[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).ravel()
    return np.where(np.isfinite(arr), arr, np.nan)


def device_status(status: np.ndarray) -> np.ndarray:
    """TT10 status: 00 measuring → pass, 01 calibrating → not evaluated, 02 error → fail.

    Any other code is not a TT10 state, so the value is not evaluated either.
    """
    status = np.asarray(status)
    flags = np.full(status.shape, NOT_EVALUATED, dtype=np.uint8)
    flags[status == 0] = PASS
    flags[status == 2] = FAIL
    return flags


def missing(values: np.ndarray) -> np.ndarray:
    """9 where the value is missing (NaN/inf), 1 elsewhere."""
    x = _as_float(values)
    return np.where(np.isnan(x), MISSING, PASS).astype(np.uint8)


def gross_range(
    values: np.ndarray,
    fail_span: tuple[float, float],
    suspect_span: tuple[float, float] | None = None,
) -> np.ndarray:
    """Outside the sensor (fail) span → 4; outside the plausible (suspect) span → 3.

    Bounds are inclusive-good, as in QARTOD. A suspect span outside the fail span is an error.
    """
    x = _as_float(values)
    fmin, fmax = sorted(fail_span)
    flags = np.ones(x.shape, dtype=np.uint8)
    if suspect_span is not None:
        smin, smax = sorted(suspect_span)
        if smin < fmin or smax > fmax:
            raise ValueError(f"suspect span {suspect_span} must fall within fail span {fail_span}")
        flags[(x < smin) | (x > smax)] = SUSPECT
    flags[(x < fmin) | (x > fmax)] = FAIL
    flags[np.isnan(x)] = MISSING
    return flags


def negative(values: np.ndarray, flag: int = FAIL) -> np.ndarray:
    """Values below zero for a quantity that cannot be negative (concentrations, flow)."""
    x = _as_float(values)
    flags = np.ones(x.shape, dtype=np.uint8)
    flags[x < 0] = flag
    flags[np.isnan(x)] = MISSING
    return flags


def zero(values: np.ndarray, flag: int = SUSPECT) -> np.ndarray:
    """Exact zeros where zero is implausible (a COD or PM2.5 of 0 is a dead sensor, a flow of
    0 may be real, so this is configured per parameter)."""
    x = _as_float(values)
    flags = np.ones(x.shape, dtype=np.uint8)
    flags[x == 0] = flag
    flags[np.isnan(x)] = MISSING
    return flags


def spike(
    values: np.ndarray,
    suspect_threshold: float | None = None,
    fail_threshold: float | None = None,
    method: str = "differential",
) -> np.ndarray:
    """Spike at n judged from its neighbours n−1 and n+1.

    ``average``: d = |x[n] − (x[n−1] + x[n+1]) / 2|. ``differential``: d = the smaller of the two
    steps, only when they go in opposite directions (so steps and neighbours are not flagged).
    d > suspect → 3, d > fail → 4. First and last points, and points next to a missing value,
    are not evaluated (2). A threshold of 0 or None disables that level (as in ioos_qc).
    """
    x = _as_float(values)
    n = x.size
    flags = np.ones(n, dtype=np.uint8)
    if n == 0:
        return flags
    diff = np.full(n, np.nan)
    if n >= 3:
        prev, mid, nxt = x[:-2], x[1:-1], x[2:]
        if method == "average":
            diff[1:-1] = np.abs(mid - (prev + nxt) / 2)
        elif method == "differential":
            before, after = mid - prev, nxt - mid
            d = np.minimum(np.abs(before), np.abs(after))
            d[before * after >= 0] = 0.0
            diff[1:-1] = d
        else:
            raise ValueError(f"unknown spike method {method!r}: use 'average' or 'differential'")
    evaluated = ~np.isnan(diff)
    if suspect_threshold:
        flags[evaluated & (diff > suspect_threshold)] = SUSPECT
    if fail_threshold:
        flags[evaluated & (diff > fail_threshold)] = FAIL
    flags[~evaluated] = NOT_EVALUATED
    flags[0] = flags[-1] = NOT_EVALUATED
    flags[np.isnan(x)] = MISSING
    return flags


def rate_of_change(
    values: np.ndarray,
    times: np.ndarray,
    threshold: float,
    fail_threshold: float | None = None,
) -> np.ndarray:
    """|x[n] − x[n−1]| / Δt (units per second, Δt in whole seconds) over the threshold → 3,
    over the fail threshold → 4; only the later point of a pair is flagged. A value right
    after a missing one is not judged (its rate is unknown), as in ioos_qc."""
    x = _as_float(values)
    t = np.asarray(times, dtype=np.float64).ravel()
    flags = np.ones(x.size, dtype=np.uint8)
    if x.size > 1:
        dt = np.trunc(np.diff(t))
        with np.errstate(divide="ignore", invalid="ignore"):
            roc = np.abs(np.diff(x) / dt)
        rate = np.concatenate(([0.0], roc))
        known = ~np.isnan(rate)
        flags[known & (rate > threshold)] = SUSPECT
        if fail_threshold is not None:
            flags[known & (rate > fail_threshold)] = FAIL
    flags[np.isnan(x)] = MISSING
    return flags


def _rolling(x: np.ndarray, window: int, op: np.ufunc, fill: float) -> np.ndarray:
    """op (maximum/minimum) over each run x[i−window+1 … i], for i ≥ window−1, in O(n).

    Van Herk / Gil-Werman: block-wise prefix and suffix accumulations, then one combine.
    """
    n = x.size
    blocks = -(-n // window)
    padded = np.full(blocks * window, fill)
    padded[:n] = x
    grid = padded.reshape(blocks, window)
    prefix = op.accumulate(grid, axis=1).ravel()
    suffix = op.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    ends = np.arange(window - 1, n)
    return op(suffix[ends - window + 1], prefix[ends])


def flat_line(
    values: np.ndarray,
    times: np.ndarray,
    suspect_threshold: float,
    fail_threshold: float,
    tolerance: float = 0.0,
    interval: float | None = None,
) -> np.ndarray:
    """Point n is flagged when the values x[n−count … n] stay within ``tolerance``.

    count = threshold seconds ÷ interval (the median spacing unless ``interval`` is given),
    so the window counts points, like ioos_qc; missing values inside a window are skipped. The
    range must be < tolerance (as ioos_qc), and a tolerance of 0 means exactly equal values —
    the one deliberate difference, because ioos_qc's ``< 0`` never fires. The first ``count``
    points of a run are not flagged; fewer than 3 points are all pass.
    """
    x = _as_float(values)
    n = x.size
    flags = np.ones(n, dtype=np.uint8)
    if n < 3:
        return flags
    if interval is None:
        interval = float(np.trunc(np.median(np.diff(np.asarray(times, dtype=np.float64)))))
    if not interval or interval <= 0:
        flags[np.isnan(x)] = MISSING
        return flags
    valid = ~np.isnan(x)
    cum_valid = np.concatenate(([0], np.cumsum(valid)))
    for threshold, flag in ((suspect_threshold, SUSPECT), (fail_threshold, FAIL)):
        count = int(int(threshold) / interval)
        if count >= n:
            continue
        window = count + 1
        hi = _rolling(np.where(valid, x, -np.inf), window, np.maximum, -np.inf)
        lo = _rolling(np.where(valid, x, np.inf), window, np.minimum, np.inf)
        ends = np.arange(count, n)
        seen = (cum_valid[ends + 1] - cum_valid[ends + 1 - window]) > 0
        with np.errstate(invalid="ignore"):
            spread = np.abs(hi - lo)
        within = spread == 0 if tolerance == 0 else spread < tolerance
        flags[ends[within & seen]] = flag
    flags[~valid] = MISSING
    return flags


def exceeds(a: np.ndarray, b: np.ndarray, flag: int = SUSPECT) -> np.ndarray:
    """Cross-parameter check on aligned arrays: a > b (e.g. PM2.5 > PM10) → ``flag``."""
    a, b = _as_float(a), _as_float(b)
    flags = np.ones(a.shape, dtype=np.uint8)
    known = ~(np.isnan(a) | np.isnan(b))
    flags[known & (a > b)] = flag
    flags[~known] = NOT_EVALUATED
    return flags


_PRIORITY = np.zeros(256, dtype=np.int8)
_PRIORITY[[MISSING, NOT_EVALUATED, PASS, SUSPECT, FAIL]] = [1, 2, 3, 4, 5]
_BY_PRIORITY = np.array([MISSING, MISSING, NOT_EVALUATED, PASS, SUSPECT, FAIL], dtype=np.uint8)


def aggregate(results: list[np.ndarray]) -> np.ndarray:
    """Combine per-test flags as QARTOD does: fail > suspect > pass > not evaluated > missing.

    (Pass beats missing and not evaluated: a test that could judge the value outranks one that
    could not.) With no results everything is missing.
    """
    if not results:
        return np.zeros(0, dtype=np.uint8)
    best = np.zeros(np.asarray(results[0]).shape, dtype=np.int8)
    for r in results:
        np.maximum(best, _PRIORITY[np.asarray(r, dtype=np.uint8)], out=best)
    return _BY_PRIORITY[best]
