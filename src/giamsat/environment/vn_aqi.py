"""VN_AQI (Decision 1459/QĐ-TCMT, 12/11/2019) as pure functions of hourly concentrations.

Rules where the decision is silent are fixed in issue 3 and docs/quality.md: sub-indices
interpolate Bảng 2 (µg/m³ for every pollutant, CO too) with no intermediate rounding and are 500
at or above the top breakpoint; NowCast uses the hours present (≥ 2 of the latest 3), with
w = max(min/max, ½) and renormalised weights; AQI values are rounded half up; a day is the
hours labelled 01:00 … 24:00 and a pollutant needs ≥ 18 of them; negative values are ignored.

Hourly series are given on a regular grid of hour labels (an hour is labelled by its end, so
the value at 20:00 is the mean of 19:00–20:00), NaN where there is no value.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

POLLUTANTS = ("PM2.5", "PM10", "O3", "NO2", "SO2", "CO")  # also the order that breaks ties
PM = ("PM2.5", "PM10")
INDEX_LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)
# Bảng 2, µg/m³ (the last value is "≥ …" → 500).
BREAKPOINTS: dict[str, tuple[float, ...]] = {
    "O3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8h": (0, 100, 120, 170, 210, 400),
    "CO": (0, 10000, 30000, 45000, 60000, 90000, 120000, 150000),
    "SO2": (0, 125, 350, 550, 800, 1600, 2100, 2630),
    "NO2": (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    "PM10": (0, 50, 150, 250, 350, 420, 500, 600),
    "PM2.5": (0, 25, 50, 80, 150, 250, 350, 500),
}
O3_8H_MAX = 400.0  # above this the 8-hour sub-index is not computed (Bảng 2 stops at 400)
HOUR = 3600
DAY_HOURS = 24
MIN_DAY_HOURS = 18
NOWCAST_HOURS = 12


def round_half_up(x: float) -> int:
    """0.5 rounds up (Python's round() would give 59.5 → 60 but 58.5 → 58)."""
    return math.floor(round(x, 6) + 0.5)


def sub_index(table: str, concentration: float | np.ndarray) -> float | np.ndarray:
    """AQIx by linear interpolation on Bảng 2 (unrounded); NaN for missing or negative input.

    O3 8-hour: NaN above 400 µg/m³, where the decision uses the 1-hour value instead.
    """
    bp = np.asarray(BREAKPOINTS[table], dtype=np.float64)
    levels = np.asarray(INDEX_LEVELS[: len(bp)], dtype=np.float64)
    c = np.asarray(concentration, dtype=np.float64)
    out = np.interp(c, bp, levels)
    out = np.where(np.isfinite(c) & (c >= 0), out, np.nan)
    if table == "O3_8h":
        out = np.where(c > O3_8H_MAX, np.nan, out)
    return float(out) if out.ndim == 0 else out


def _clean(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(v) & (v >= 0), v, np.nan)


def nowcast(latest_first: list[float | None] | np.ndarray) -> float | None:
    """NowCast from c1 (this hour) … c12 (11 hours earlier); None when not computable."""
    c = _clean(np.array([np.nan if v is None else v for v in latest_first][:NOWCAST_HOURS]))
    c = np.concatenate([c, np.full(NOWCAST_HOURS - len(c), np.nan)])
    result = nowcast_series(c[::-1])[-1]
    return None if np.isnan(result) else float(result)


def nowcast_series(hourly: np.ndarray) -> np.ndarray:
    """NowCast at every hour of a regular hourly grid (NaN where not computable)."""
    v = _clean(hourly)
    n = len(v)
    padded = np.concatenate([np.full(NOWCAST_HOURS - 1, np.nan), v])
    # windows[t, i] = c_(i+1) at hour t: the value i hours before t
    windows = np.lib.stride_tricks.sliding_window_view(padded, NOWCAST_HOURS)[:, ::-1]
    present = ~np.isnan(windows)
    enough = present[:, :3].sum(axis=1) >= 2
    filled_hi = np.where(present, windows, -np.inf).max(axis=1)
    filled_lo = np.where(present, windows, np.inf).min(axis=1)
    out = np.full(n, np.nan)
    ok = enough & (filled_hi > 0)
    w = np.maximum(filled_lo[ok] / filled_hi[ok], 0.5)
    weights = w[:, None] ** np.arange(NOWCAST_HOURS)[None, :] * present[ok]
    out[ok] = (weights * np.where(present[ok], windows[ok], 0)).sum(axis=1) / weights.sum(axis=1)
    out[enough & (filled_hi == 0)] = 0.0
    return out


def rolling_mean_8h(hourly: np.ndarray, min_hours: int = 6) -> np.ndarray:
    """Mean of labels t−7 h … t at every hour (NaN with fewer than ``min_hours`` values)."""
    v = _clean(hourly)
    padded = np.concatenate([np.full(7, np.nan), v])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 8)
    count = (~np.isnan(windows)).sum(axis=1)
    total = np.where(np.isnan(windows), 0.0, windows).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= min_hours, total / count, np.nan)


@dataclass(frozen=True)
class AqiValue:
    aqi: int
    dominant: str
    sub_indices: dict[str, int]  # rounded half up, for display
    exact: dict[str, float]  # unrounded


def _combine(subs: dict[str, float]) -> AqiValue | None:
    """AQI = max of the available sub-indices, only when PM2.5 or PM10 is among them."""
    available = {k: v for k, v in subs.items() if v is not None and not math.isnan(v)}
    if not any(p in available for p in PM):
        return None
    dominant = max(POLLUTANTS, key=lambda p: (available.get(p, -1.0), -POLLUTANTS.index(p)))
    return AqiValue(
        round_half_up(available[dominant]),
        dominant,
        {p: round_half_up(available[p]) for p in POLLUTANTS if p in available},
        {p: available[p] for p in POLLUTANTS if p in available},
    )


def hourly_aqi(grid: dict[str, np.ndarray]) -> list[AqiValue | None]:
    """AQI^h at every hour of the grid; ``grid`` maps pollutant → hourly means (µg/m³)."""
    n = len(next(iter(grid.values()))) if grid else 0
    subs: dict[str, np.ndarray] = {}
    for p in POLLUTANTS:
        if p not in grid:
            continue
        series = np.asarray(grid[p], dtype=np.float64)
        if p in PM:
            subs[p] = np.asarray(sub_index(p, nowcast_series(series)))
        elif p == "O3":
            subs[p] = np.asarray(sub_index("O3_1h", _clean(series)))
        else:
            subs[p] = np.asarray(sub_index(p, _clean(series)))
    return [_combine({p: float(s[i]) for p, s in subs.items()}) for i in range(n)]


def daily_sub_indices(day: dict[str, np.ndarray], before: np.ndarray | None = None) -> dict:
    """Sub-indices of one day from its 24 hourly means per pollutant (labels 01:00 … 24:00).

    ``before``: O3 hourly means of the 7 hours before the day (for the 8-hour means at 01:00 …
    07:00); NaN or None where unknown.
    """
    subs: dict[str, float] = {}
    for p in POLLUTANTS:
        if p not in day:
            continue
        v = _clean(day[p])
        if int((~np.isnan(v)).sum()) < MIN_DAY_HOURS:
            continue
        if p in PM:
            subs[p] = float(sub_index(p, float(np.nanmean(v))))
        elif p == "O3":
            prior = np.full(7, np.nan) if before is None else _clean(before)[-7:]
            prior = np.concatenate([np.full(7 - len(prior), np.nan), prior])
            eight = rolling_mean_8h(np.concatenate([prior, v]))[7:]
            one = float(sub_index("O3_1h", float(np.nanmax(v))))
            best_8h = float(np.nanmax(eight)) if np.any(~np.isnan(eight)) else math.nan
            eight_sub = sub_index("O3_8h", best_8h) if not math.isnan(best_8h) else math.nan
            subs[p] = float(np.nanmax([one, eight_sub]))
        else:
            subs[p] = float(sub_index(p, float(np.nanmax(v))))
    return subs


def daily_aqi(day: dict[str, np.ndarray], before: np.ndarray | None = None) -> AqiValue | None:
    """AQI^d of one day (see :func:`daily_sub_indices`); None when neither PM is available."""
    return _combine(daily_sub_indices(day, before))


# --- categories (Bảng 1, 4, 5) ---------------------------------------------------------------
CATEGORIES_FILE = Path(__file__).with_name("aqi_categories.toml")


@cache
def categories() -> list[dict[str, Any]]:
    data = tomllib.loads(CATEGORIES_FILE.read_text("utf-8"))
    out = []
    for c in data["category"]:
        r, g, b = c["rgb"]
        out.append({**c, "colour": f"#{r:02x}{g:02x}{b:02x}"})
    return out


def category(aqi: int) -> dict[str, Any]:
    """The Bảng 1 band of an (integer) AQI; above 500 stays in the last band."""
    for c in categories():
        if aqi <= c["max"]:
            return c
    return categories()[-1]
