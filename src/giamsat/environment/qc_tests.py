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
    if method not in ("average", "differential"):
        raise ValueError(f"unknown spike method {method!r}: use 'average' or 'differential'")
    x = _as_float(values)
    n = x.size
    missing_value = np.isnan(x)
    if n < 3:
        flags = np.full(n, NOT_EVALUATED, dtype=np.uint8)
        flags[missing_value] = MISSING
        return flags
    if method == "average":
        d = np.abs(x[1:-1] - (x[:-2] + x[2:]) * 0.5)
    else:
        step = np.diff(x)
        size = np.abs(step)
        d = np.minimum(size[:-1], size[1:])
        with np.errstate(invalid="ignore"):
            d *= step[:-1] * step[1:] < 0  # same direction → 0; NaN stays NaN
    # flags by arithmetic (no masked writes): 1 + 2·(d > suspect) + (d > fail); NaN → 2
    inner = np.ones(n - 2, dtype=np.uint8)
    with np.errstate(invalid="ignore"):
        over = d > suspect_threshold if suspect_threshold else None
        far = d > fail_threshold if fail_threshold else None
    if over is not None and far is not None:
        over |= far
    if over is not None:
        inner += over
        inner += over
    if far is not None:
        inner += far
        if over is None:
            inner += far
            inner += far
    inner += np.isnan(d)
    flags = np.empty(n, dtype=np.uint8)
    flags[0] = flags[-1] = NOT_EVALUATED
    flags[1:-1] = inner
    flags += missing_value.view(np.uint8) * np.uint8(MISSING - NOT_EVALUATED)
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
    flags = np.ones(x.size, dtype=np.uint8)
    if x.size > 1:
        dt = np.diff(np.asarray(times).ravel())
        if dt.dtype.kind == "f":
            dt = np.trunc(dt)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.abs(np.diff(x)) / dt
            over = rate > threshold
            far = rate > fail_threshold if fail_threshold is not None else None
        tail = flags[1:]
        if far is not None:
            over |= far
            tail += far
        tail += over
        tail += over
    flags += np.isnan(x).view(np.uint8) * np.uint8(MISSING - PASS)
    return flags


def _doubling(x: np.ndarray, op: np.ufunc, longest: int) -> list[np.ndarray]:
    """levels[k][i] = op over x[i … i+2^k−1], for 2^k ≤ longest (a sparse table)."""
    levels = [x]
    span = 1
    while span * 2 <= longest:
        m = levels[-1]
        levels.append(op(m[:-span], m[span:]))
        span *= 2
    return levels


def _window(levels: list[np.ndarray], op: np.ufunc, size: int, window: int) -> np.ndarray:
    """op over every run of ``window`` values: two overlapping power-of-two spans."""
    k = window.bit_length() - 1
    span = 1 << k
    count = size - window + 1
    m = levels[k]
    return op(m[:count], m[window - span : window - span + count])


def _flat_everywhere(x: np.ndarray, valid: np.ndarray, window: int, tolerance: float) -> np.ndarray:
    """Whether each run of ``window`` values is flat, for every run (dense case)."""
    high = np.where(valid, x, -np.inf)  # a run with no value spans -inf … inf: not flat
    low = np.where(valid, x, np.inf)
    top = _window(_doubling(high, np.maximum, window), np.maximum, x.size, window)
    bottom = _window(_doubling(low, np.minimum, window), np.minimum, x.size, window)
    with np.errstate(invalid="ignore"):
        spread = np.abs(top - bottom)
    return spread == 0 if tolerance == 0 else spread < tolerance


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
        steps = np.diff(np.asarray(times, dtype=np.float64))
        regular = steps.size and steps.min() == steps.max()
        interval = float(np.trunc(steps[0] if regular else np.median(steps)))
    valid = ~np.isnan(x)
    windows = []
    if interval and interval > 0:
        for threshold, flag in ((suspect_threshold, SUSPECT), (fail_threshold, FAIL)):
            count = int(int(threshold) / interval)
            if count < n:
                windows.append((count, flag))
    if windows:
        # A window can only be flat if no two neighbouring values in it differ by the
        # tolerance or more: find those candidates cheaply, then measure only them.
        with np.errstate(invalid="ignore"):
            step = np.abs(np.diff(x))
            apart = step > 0 if tolerance == 0 else step >= tolerance  # NaN: not apart
        apart_count = np.concatenate(([0], np.cumsum(apart, dtype=np.int64)))
        for count, flag in windows:
            window = count + 1
            # pairs (j−1, j) inside the window ending at e are j = e−count+1 … e
            ends = np.flatnonzero(apart_count[count:] == apart_count[: n - count]) + count
            if len(ends) * window > 4 * n:
                within = _flat_everywhere(x, valid, window, tolerance)[ends - count]
            else:
                rows = np.lib.stride_tricks.sliding_window_view(x, window)[ends - count]
                seen = ~np.isnan(rows)
                top = np.where(seen, rows, -np.inf).max(axis=1)
                bottom = np.where(seen, rows, np.inf).min(axis=1)
                with np.errstate(invalid="ignore"):
                    spread = np.abs(top - bottom)
                within = spread == 0 if tolerance == 0 else spread < tolerance
            flags[ends[within]] = flag
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
