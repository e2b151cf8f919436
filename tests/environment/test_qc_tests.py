"""The QARTOD test functions on hand-made vectors (expected flags written by hand).

Vectors marked "ioos_qc" are the expected arrays of ioos_qc's tests/test_qartod.py (Apache-2.0,
https://github.com/ioos/ioos_qc), the reference for QARTOD behaviour.
"""

from __future__ import annotations

import numpy as np
import pytest

from giamsat.environment import qc_tests as T


def test_gross_range_ioos_vector() -> None:  # ioos_qc test_qartod.py
    x = [5, 10, 15, 20, 25, 30, 35, 40, 45, 51]
    assert T.gross_range(x, (10, 50), (20, 40)).tolist() == [4, 3, 3, 1, 1, 1, 1, 1, 3, 4]


def test_gross_range_bounds_are_inclusive_and_nan_is_missing() -> None:
    x = [0, 10, -0.0001, 10.0001, np.nan]
    assert T.gross_range(x, (0, 10)).tolist() == [1, 1, 4, 4, 9]
    with pytest.raises(ValueError):
        T.gross_range(x, (0, 10), (-1, 5))


def test_spike_ioos_vectors() -> None:  # ioos_qc test_qartod.py
    x = [10, 12, 999.99, 13, 15, 40, 9, 9]
    assert T.spike(x, 25, 50, "average").tolist() == [2, 4, 4, 4, 1, 3, 1, 2]
    methods = [3, 4.99, 5, 6, 8, 6, 6, 6.75, 6, 6, 5.3, 6, 6, 9, 5, np.nan, 4, 4]
    assert T.spike(methods, 0.5, 1, "average").tolist() == [
        2,
        3,
        1,
        1,
        4,
        3,
        1,
        3,
        1,
        1,
        3,
        1,
        4,
        4,
        2,
        9,
        2,
        2,
    ]
    assert T.spike(methods, 0.5, 1, "differential").tolist() == [
        2,
        1,
        1,
        1,
        4,
        1,
        1,
        3,
        1,
        1,
        3,
        1,
        1,
        4,
        2,
        9,
        2,
        2,
    ]


def test_differential_spike_leaves_steps_and_neighbours_alone() -> None:
    assert T.spike([0, 0, 0, 100, 0, 0], 10, 50).tolist() == [2, 1, 1, 4, 1, 2]
    assert T.spike([0, 0, 0, 100, 100, 100], 10, 50).tolist() == [2, 1, 1, 1, 1, 2]
    # the average method flags the neighbours and both sides of a step
    assert T.spike([0, 0, 0, 100, 0, 0], 10, 50, "average").tolist() == [2, 1, 3, 4, 3, 2]


def test_spike_threshold_zero_disables_that_level() -> None:
    assert T.spike([0, 0, 100, 0, 0], 0, 50).tolist() == [2, 1, 4, 1, 2]
    assert T.spike([0, 0, 100, 0, 0], 10, 0).tolist() == [2, 1, 3, 1, 2]


def test_rate_of_change_ioos_vector() -> None:  # ioos_qc test_qartod.py
    x = [2, 10, 2.1, 3, 4, 5, 7, 10, 0, 2, 2.2, 2, 1, 2, 3, 90, 91, 92, 93, 1, 2, 3, 4, 5]
    t = np.arange(len(x)) * 900
    expected = [1, 3, 3, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 3, 1, 1, 1, 1]
    assert T.rate_of_change(x, t, 5 / 900).tolist() == expected
    with_fail = T.rate_of_change(x, t, 5 / 900, 9 / 900)
    assert [i for i, f in enumerate(with_fail) if f == 4] == [8, 15, 19]
    # thresholds are strict: the step of exactly 10 at index 8 is not over 10/900
    exactly = T.rate_of_change(x, t, 5 / 900, 10 / 900)
    assert [i for i, f in enumerate(exactly) if f == 4] == [15, 19]


def test_rate_of_change_after_a_gap_is_not_judged() -> None:
    x = [1, 1, np.nan, 100, 100, 1, 1]
    assert T.rate_of_change(x, np.arange(7) * 300, 10 / 300).tolist() == [1, 1, 9, 1, 1, 3, 1]


def test_flat_line_ioos_vectors() -> None:  # ioos_qc test_qartod.py
    x = [1, 2, 2.0001, 2, 2.0001, 2, 2.0001, 2, 4, 5, 3, 3.0001, 3.0005, 3.00001]
    t = np.arange(len(x)) * 900
    assert T.flat_line(x, t, 3000, 4800, 0.01).tolist() == [
        1,
        1,
        1,
        1,
        3,
        3,
        4,
        4,
        1,
        1,
        1,
        1,
        1,
        3,
    ]
    assert T.flat_line([5, 5, 5, 5], np.arange(4), 3, 5, 0.1).tolist() == [1, 1, 1, 3]
    assert T.flat_line([5] * 6, np.arange(6), 3, 5, 0.1).tolist() == [1, 1, 1, 3, 3, 4]


def test_flat_line_tolerance_zero_means_exactly_equal() -> None:
    """Deliberate difference: ioos_qc's `range < 0` never fires, ours catches equal runs."""
    x = [0.0] * 10
    t = np.arange(10) * 300
    assert T.flat_line(x, t, 900, 1800, 0.0).tolist() == [1, 1, 1, 3, 3, 3, 4, 4, 4, 4]
    nearly = [1, 1, 1, 1.0000001, 1, 1, 1, 1, 1, 1]
    assert T.flat_line(nearly, t, 900, 1800, 0.0).tolist() == [1, 1, 1, 1, 1, 1, 1, 3, 3, 3]


def test_flat_line_skips_missing_values_and_short_input() -> None:
    x = [1, 1, np.nan, 1, 1, 1, 2]
    assert T.flat_line(x, np.arange(7) * 300, 900, 3600, 0.0).tolist() == [1, 1, 9, 3, 3, 3, 1]
    assert T.flat_line([3, 3], [0, 300], 300, 600, 0.0).tolist() == [1, 1]


def test_negative_zero_and_cross() -> None:
    assert T.negative([-1, 0, 2, np.nan]).tolist() == [4, 1, 1, 9]
    assert T.zero([0, 0.1, np.nan], T.SUSPECT).tolist() == [3, 1, 9]
    assert T.exceeds([10, 30, np.nan], [20, 20, 5]).tolist() == [1, 3, 2]


def test_aggregate_is_qartod_precedence() -> None:
    out = T.aggregate([np.array([1, 1, 9, 2, 3]), np.array([2, 4, 1, 2, 1])])
    assert out.tolist() == [1, 4, 1, 2, 3]
    assert T.aggregate([np.array([9, 2]), np.array([9, 9])]).tolist() == [9, 2]


def test_device_status() -> None:
    assert T.device_status(np.array([0, 1, 2, 3])).tolist() == [1, 2, 4, 2]


def test_test_names() -> None:
    assert T.test_names(T.SPIKE | T.GROSS_RANGE) == ["gross_range", "spike"]


def _flat_reference(x: list[float], count_s: int, count_f: int, tol: float) -> list[int]:
    """The documented rule, written plainly: window of count+1 points ending at n, missing
    values skipped, range < tol (or == 0 when tol is 0)."""
    out = []
    for n, v in enumerate(x):
        flag = 1
        for count, level in ((count_s, 3), (count_f, 4)):
            if n < count:
                continue
            window = [w for w in x[n - count : n + 1] if not np.isnan(w)]
            if window:
                spread = max(window) - min(window)
                if (spread == 0) if tol == 0 else (spread < tol):
                    flag = level
        out.append(9 if np.isnan(v) else flag)
    return out


@pytest.mark.parametrize("seed", range(30))
def test_flat_line_against_a_plain_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 120))
    # mostly-flat data (dense path) or mostly-varying data (sparse path)
    x = np.round(rng.normal(5, 1 if seed % 2 else 0.01, n), int(rng.integers(0, 3)))
    x[rng.random(n) < 0.1] = np.nan
    t = np.arange(n) * 300
    for tol in (0.0, 0.05, 1.0):
        got = T.flat_line(x, t, 900, 1800, tol).tolist()
        assert got == _flat_reference(x.tolist(), 3, 6, tol), (seed, tol)
