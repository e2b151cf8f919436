"""How the engine composes the tests (pure, no store): eligibility, gaps, cross checks."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np

from giamsat.environment import qc_tests as T
from giamsat.environment.qc import Channel, evaluate_station

STEP = 300


def channel(
    parameter: str, values: list, status: list | None = None, sid: int = 1, ts=None
) -> Channel:
    n = len(values)
    return Channel(
        sid,
        parameter,
        "",
        np.arange(n, dtype=np.int64) * STEP if ts is None else np.asarray(ts, dtype=np.int64),
        np.array([np.nan if v is None else v for v in values], dtype=np.float64),
        np.zeros(n, dtype=np.int16) if status is None else np.asarray(status, dtype=np.int16),
    )


def run(*channels: Channel, component: str = "wastewater", qc: dict | None = None):
    return evaluate_station(list(channels), component, STEP, qc)


def test_calibration_and_failed_values_are_not_neighbours() -> None:
    # a calibration run (01) at 900 and a -9999 sentinel sit between normal values: neither
    # makes its neighbours look like spikes or fast changes
    values = [50, 51, 900, 900, 52, -9999, 51, 50]
    status = [0, 0, 1, 1, 0, 0, 0, 0]
    out = run(channel("COD", values, status))[1]
    assert out.flag.tolist() == [1, 1, 2, 2, 1, 4, 1, 1]
    assert out.tests[5] == T.GROSS_RANGE | T.NEGATIVE
    assert out.tests[2] == T.DEVICE


def test_spike_across_a_long_gap_is_not_evaluated() -> None:
    ts = [0, 300, 600, 600 + 6 * 3600, 600 + 6 * 3600 + 300, 600 + 6 * 3600 + 600]
    out = run(channel("COD", [50, 50, 50, 400, 50, 50], ts=ts))[1]
    assert out.results[T.SPIKE].tolist()[3] == T.NOT_EVALUATED
    # the same values 5 minutes apart: a spike
    near = run(channel("COD", [50, 50, 50, 400, 50, 50]))[1]
    assert near.flag[3] == 4 and near.tests[3] & T.SPIKE


def test_cross_check_flags_both_and_only_measured_pairs() -> None:
    pm25 = channel("PM2.5", [10, 60, 30, 70], [0, 0, 0, 1], sid=1)
    pm10 = channel("PM10", [20, 50, 40, 50], sid=2)
    out = run(pm25, pm10, component="ambient_air")
    assert out[1].flag.tolist() == [1, 3, 1, 2]
    assert out[2].flag.tolist() == [1, 3, 1, 1]
    assert out[1].tests[1] == T.CROSS and out[2].tests[1] == T.CROSS


def test_station_settings_can_switch_qc_off() -> None:
    out = run(channel("COD", [-5, 50]), qc={"parameters": {"COD": {"enabled": False}}})[1]
    assert out.flag.tolist() == [2, 2]  # not evaluated, never "pass"


def test_unknown_parameter_is_not_judged_by_ranges() -> None:
    out = run(channel("Xyz", [-5, 50, 51]))[1]
    # only the default flat-line test applies: a parameter nobody described has no ranges
    assert set(out.results) == {T.DEVICE, T.MISSING_VALUE, T.FLAT_LINE}
    assert out.flag.tolist() == [1, 1, 1]


def test_real_river_series_with_maintenance_windows(shared: Path) -> None:
    """UFZ SAC254 (an organic-load proxy, 15-min) with its real maintenance log as status 01."""
    base = shared / "corpus/env/saqc_ufz"
    rows = list(csv.DictReader((base / "hydro_data.csv").open()))[:20000]
    ts = np.array([int(datetime.fromisoformat(r["Timestamp"]).timestamp()) for r in rows])
    x = np.array([float(r["sac254_raw"]) if r["sac254_raw"] else np.nan for r in rows])
    status = np.zeros(len(ts), dtype=np.int16)
    for m in csv.DictReader((base / "hydro_maint.csv").open()):
        a = datetime.fromisoformat(m["Timestamp"]).timestamp()
        b = datetime.fromisoformat(m["maint"]).timestamp()
        status[(ts >= a) & (ts <= b)] = 1
    qc = {"parameters": {"COD": {"fail_span": [0, 200], "suspect_span": [1, 100],
                                 "spike": {"suspect": 5, "fail": 15},
                                 "rate_of_change": {"suspect": 10, "fail": 30, "per_seconds": 900}}}}  # fmt: skip
    out = evaluate_station([Channel(1, "COD", "mg/L", ts, x, status)], "surface_water", 900, qc)[1]
    maintenance = status == 1
    assert maintenance.sum() > 20
    assert (out.flag[maintenance] == 2).all()  # not evaluated, so out of every average
    judged = ~maintenance & np.isfinite(x)
    share = np.isin(out.flag[judged], (3, 4)).mean()
    assert 0 < share < 0.05  # some real artefacts found, most of the river left alone
    assert (out.flag[~np.isfinite(x)] == 9).all()
