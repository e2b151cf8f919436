"""QC of many series at once: the tests of :mod:`qc` over concatenated segments.

On ingest a batch holds a few new values for each of thousands of series. Running
:func:`qc.evaluate_channel` once per series costs more in Python than the tests themselves, so
here the series that share their rules are laid end to end (each segment in time order) and every
test runs once over the whole array; a neighbour across a segment boundary is never used: spike
and rate of change treat each segment's ends as its ends, and a flat-line window never spans two
segments. The result is, point for point, what :func:`qc.evaluate_channel` gives on each segment
alone (tests/environment/test_qc_online.py checks this on random data).

Per-test flags are kept as one column each in a ``uint8`` matrix (0 = the test did not run, which
:func:`qc_tests.aggregate` ignores, exactly like a test absent from ``Outcome.results``).
"""

from __future__ import annotations

import numpy as np

from giamsat.environment import qc_tests as T
from giamsat.environment.qc import point_tests
from giamsat.environment.qc_config import Rules

COLUMNS = (
    T.DEVICE,
    T.MISSING_VALUE,
    T.GROSS_RANGE,
    T.NEGATIVE,
    T.ZERO,
    T.FLAT_LINE,
    T.SPIKE,
    T.RATE_OF_CHANGE,
    T.CROSS,
)
COL = {bit: i for i, bit in enumerate(COLUMNS)}
BITS = np.array(COLUMNS, dtype=np.int64)
SPIKE_COL = COL[T.SPIKE]
CROSS_COL = COL[T.CROSS]


def flat_line_segments(
    x: np.ndarray,
    first: np.ndarray,
    suspect_seconds: float,
    fail_seconds: float,
    tolerance: float,
    interval: float,
) -> np.ndarray:
    """:func:`qc_tests.flat_line` per segment (``first`` marks each segment's first value);
    values are finite. The "fewer than 3 points" rule is the caller's (it knows the history)."""
    n = x.size
    flags = np.ones(n, dtype=np.uint8)
    if n == 0 or not interval or interval <= 0:
        return flags
    with np.errstate(invalid="ignore"):
        step = np.abs(np.diff(x))
        apart = step > 0 if tolerance == 0 else step >= tolerance
    apart |= first[1:]  # a window never spans two series
    apart_count = np.concatenate(([0], np.cumsum(apart, dtype=np.int64)))
    for threshold, flag in ((suspect_seconds, T.SUSPECT), (fail_seconds, T.FAIL)):
        count = int(int(threshold) / interval)
        if count >= n:
            continue
        window = count + 1
        ends = np.flatnonzero(apart_count[count:] == apart_count[: n - count]) + count
        if not len(ends):
            continue
        if tolerance == 0:
            within = np.ones(len(ends), dtype=bool)  # no step at all: every value equal
        else:
            rows = np.lib.stride_tricks.sliding_window_view(x, window)[ends - count]
            spread = np.abs(rows.max(axis=1) - rows.min(axis=1))
            within = spread < tolerance
        flags[ends[within]] = flag
    return flags


def evaluate_segments(
    x: np.ndarray,
    t: np.ndarray,
    status: np.ndarray,
    starts: np.ndarray,
    earlier: np.ndarray,
    rules: Rules,
    interval: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-test flags (n × len(COLUMNS)) and eligibility of every point of every segment.

    ``starts``: index of each segment's first point; ``earlier``: eligible points of each
    segment's series stored before the segment (only the flat-line "fewer than 3" rule needs it).
    """
    n = len(x)
    R = np.zeros((n, len(COLUMNS)), dtype=np.uint8)
    R[:, COL[T.DEVICE]] = np.where(status == 2, T.FAIL, T.NOT_EVALUATED)
    finite = np.isfinite(x)
    R[:, COL[T.MISSING_VALUE]] = np.where(finite, T.NOT_EVALUATED, T.MISSING)
    measured = (status == 0) & finite
    eligible = measured.copy()
    if not rules.enabled or n == 0:
        return R, eligible

    for bit, flags in point_tests(x, rules):
        out = np.where(measured, flags, T.NOT_EVALUATED).astype(np.uint8)
        R[:, COL[bit]] = out
        eligible[out == T.FAIL] = False
    idx = np.flatnonzero(eligible)
    if not len(idx):
        return R, eligible
    seg = np.searchsorted(starts, idx, side="right") - 1
    first = np.r_[True, seg[1:] != seg[:-1]]
    last = np.r_[seg[1:] != seg[:-1], True]
    sub_t, sub_x = t[idx].astype(np.float64), x[idx]

    def time_test(bit: int, flags: np.ndarray) -> None:
        col = np.full(n, T.NOT_EVALUATED, dtype=np.uint8)
        col[idx] = flags
        R[:, COL[bit]] = col

    if rules.flat_line is not None:
        f = rules.flat_line
        flags = flat_line_segments(
            sub_x, first, f.suspect_seconds, f.fail_seconds, f.tolerance, interval
        )
        total = np.bincount(seg, minlength=len(starts)) + earlier
        flags[total[seg] < 3] = T.PASS  # as qc_tests.flat_line: fewer than 3 points all pass
        time_test(T.FLAT_LINE, flags)
    if rules.spike is not None:
        s = rules.spike
        flags = T.spike(sub_x, s.suspect, s.fail, s.method)
        flags[first | last] = T.NOT_EVALUATED
        if s.max_gap_intervals and len(idx) > 1:
            gap = np.diff(sub_t) > s.max_gap_intervals * interval
            far = np.r_[True, gap] | np.r_[gap, True]
            flags[far & (flags != T.MISSING)] = T.NOT_EVALUATED
        time_test(T.SPIKE, flags)
    if rules.rate_of_change is not None:
        r = rules.rate_of_change
        flags = T.rate_of_change(sub_x, sub_t, r.suspect_per_second, r.fail_per_second)
        flags[first] = T.NOT_EVALUATED  # no earlier value in view: rate unknown
        time_test(T.RATE_OF_CHANGE, flags)
    return R, eligible


def cross_check(R: np.ndarray, left: np.ndarray, right: np.ndarray, flags: np.ndarray) -> None:
    """Fold one cross-parameter result into the CROSS column of rows ``left`` and ``right``."""
    for where in (left, right):
        col = R[where, CROSS_COL]
        col[col == 0] = T.NOT_EVALUATED
        R[where, CROSS_COL] = T.aggregate([col, flags])


def finish(R: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """QARTOD aggregate flag and the bits of the tests that set it (as :func:`qc._finish`)."""
    flag = T.aggregate([R[:, c] for c in range(R.shape[1])])
    bad = (flag == T.SUSPECT) | (flag == T.FAIL)
    hit = (flag[:, None] == R) & bad[:, None]
    tests = (hit * BITS).sum(axis=1)
    tests[flag == T.MISSING] |= T.MISSING_VALUE
    tests[(flag == T.NOT_EVALUATED) & (np.asarray(status) != 0)] |= T.DEVICE
    return flag, tests
