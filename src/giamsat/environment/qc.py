"""The QC engine: run a station's configured tests over its channels and combine the flags.

Pure functions of arrays (no store): :mod:`giamsat.environment.qc_store` feeds them from the
database on ingest and on re-runs. How the tests are composed (docs/quality.md):

1. device status 01 → 2 (not evaluated), 02 → 4; a missing value → 9;
2. point tests on measured values: gross range, impossible negatives, implausible zeros;
3. time tests (flat line, spike, rate of change) on the measured values that did not fail
   step 2, in time order, so a calibration run or a -9999 never poses as a neighbour;
4. cross-parameter checks on values at the same time (PM2.5 > PM10 → suspect);
5. QARTOD aggregation: the worst of fail/suspect wins, then pass, then not evaluated.

``tests`` records which test set each non-pass flag (bits of :mod:`qc_tests`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from giamsat.environment import qc_tests as T
from giamsat.environment.qc_config import QCConfig, Rules, default_qc_config


@dataclass
class Channel:
    """One series in time order: ts int64 (unique, ascending), value float64 (NaN = none)."""

    series_id: int
    parameter: str
    unit: str
    ts: np.ndarray
    value: np.ndarray
    status: np.ndarray


@dataclass
class Outcome:
    flag: np.ndarray  # uint8 QARTOD flag per point
    tests: np.ndarray  # uint16 bits of the tests that set it
    results: dict[int, np.ndarray] = field(default_factory=dict)  # per-test flags
    eligible: np.ndarray | None = None  # measured values the time tests saw


def point_tests(x: np.ndarray, rules: Rules) -> list[tuple[int, np.ndarray]]:
    """(test bit, flags) of each configured test that judges a value alone."""
    out = []
    if rules.fail_span is not None:
        out.append((T.GROSS_RANGE, T.gross_range(x, rules.fail_span, rules.suspect_span)))
    if rules.negative is not None:
        out.append((T.NEGATIVE, T.negative(x, rules.negative)))
    if rules.zero is not None:
        out.append((T.ZERO, T.zero(x, rules.zero)))
    return out


def evaluate_channel(ch: Channel, rules: Rules, interval: float) -> Outcome:
    """All single-channel tests of one series; cross checks are added by the station pass."""
    n = len(ch.ts)
    x = np.asarray(ch.value, dtype=np.float64)
    status = np.asarray(ch.status)
    results: dict[int, np.ndarray] = {}
    device = np.full(n, T.NOT_EVALUATED, dtype=np.uint8)
    device[status == 2] = T.FAIL
    results[T.DEVICE] = device
    finite = np.isfinite(x)
    results[T.MISSING_VALUE] = np.where(finite, T.NOT_EVALUATED, T.MISSING).astype(np.uint8)
    measured = (status == 0) & finite
    eligible = measured.copy()

    def point_test(bit: int, flags: np.ndarray) -> None:
        out = np.full(n, T.NOT_EVALUATED, dtype=np.uint8)
        out[measured] = flags[measured]
        results[bit] = out
        eligible[out == T.FAIL] = False

    if rules.enabled:
        for bit, flags in point_tests(x, rules):
            point_test(bit, flags)
        idx = np.flatnonzero(eligible)
        sub_t, sub_x = ch.ts[idx].astype(np.float64), x[idx]

        def time_test(bit: int, flags: np.ndarray) -> None:
            out = np.full(n, T.NOT_EVALUATED, dtype=np.uint8)
            out[idx] = flags
            results[bit] = out

        if rules.flat_line is not None and len(idx):
            f = rules.flat_line
            time_test(
                T.FLAT_LINE,
                T.flat_line(
                    sub_x, sub_t, f.suspect_seconds, f.fail_seconds, f.tolerance, interval=interval
                ),
            )
        if rules.spike is not None and len(idx):
            s = rules.spike
            flags = T.spike(sub_x, s.suspect, s.fail, s.method)
            if s.max_gap_intervals and len(idx) > 1:
                gap = np.diff(sub_t) > s.max_gap_intervals * interval
                far = np.r_[True, gap] | np.r_[gap, True]
                flags[far & (flags != T.MISSING)] = T.NOT_EVALUATED
            time_test(T.SPIKE, flags)
        if rules.rate_of_change is not None and len(idx):
            r = rules.rate_of_change
            flags = T.rate_of_change(sub_x, sub_t, r.suspect_per_second, r.fail_per_second)
            if len(flags):
                flags[0] = T.NOT_EVALUATED  # no earlier value in view: rate unknown
            time_test(T.RATE_OF_CHANGE, flags)
    return Outcome(np.zeros(n, np.uint8), np.zeros(n, np.uint16), results, eligible)


def _finish(outcome: Outcome, status: np.ndarray) -> None:
    results = outcome.results
    flag = T.aggregate(list(results.values()))
    tests = np.zeros(len(flag), dtype=np.uint16)
    for bit, r in results.items():
        hit = (r == flag) & ((flag == T.SUSPECT) | (flag == T.FAIL))
        tests[hit] |= bit
    tests[flag == T.MISSING] |= T.MISSING_VALUE
    tests[(flag == T.NOT_EVALUATED) & (np.asarray(status) != 0)] |= T.DEVICE
    outcome.flag, outcome.tests = flag, tests


def evaluate_station(
    channels: list[Channel],
    component: str,
    interval: float,
    station_qc: dict[str, Any] | None = None,
    config: QCConfig | None = None,
) -> dict[int, Outcome]:
    """Flags for every point of every channel of one station, keyed by series id."""
    config = config or default_qc_config()
    outcomes: dict[int, Outcome] = {}
    by_parameter: dict[str, Channel] = {}
    for ch in channels:
        rules = config.rules(component, ch.parameter, ch.unit, station_qc)
        outcomes[ch.series_id] = evaluate_channel(ch, rules, interval)
        by_parameter[ch.parameter] = ch
    for rule in config.cross(station_qc):
        left, right = by_parameter.get(rule.left), by_parameter.get(rule.right)
        if left is None or right is None:
            continue
        lo, ro = outcomes[left.series_id], outcomes[right.series_id]
        _, li, ri = np.intersect1d(left.ts, right.ts, assume_unique=True, return_indices=True)
        both = lo.eligible[li] & ro.eligible[ri]
        li, ri = li[both], ri[both]
        flags = T.exceeds(left.value[li], right.value[ri] * rule.factor, rule.flag)
        for outcome, where in ((lo, li), (ro, ri)):
            n = len(outcome.flag)
            out = outcome.results.get(T.CROSS)
            if out is None:
                out = outcome.results[T.CROSS] = np.full(n, T.NOT_EVALUATED, dtype=np.uint8)
            hit = T.aggregate([out[where], flags])
            out[where] = hit
    for ch in channels:
        _finish(outcomes[ch.series_id], ch.status)
    return outcomes
