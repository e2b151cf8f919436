"""Simulated automatic stations that write real TT10 files (for the demo and tests).

Each station has parameters with a daily cycle and noise, and may show the situations the
platform must catch: calibration periods (status 01), device errors (02), a silent station,
limit exceedances, flat lines, and a station that uploads to the wrong folder.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

from giamsat.environment.stations import COMPONENT_FOLDERS
from giamsat.environment.tt10 import format_line

VN = timedelta(hours=7)


@dataclass(frozen=True)
class Channel:
    parameter: str  # as the datalogger writes it (PM2,5 …)
    unit: str
    base: float
    amplitude: float = 0.0  # daily cycle, peak in the afternoon
    noise: float = 0.02  # relative
    decimals: int = 2


@dataclass
class SimStation:
    code: str
    name: str
    component: str
    lat: float
    lon: float
    province_name: str
    channels: list[Channel]
    permit: tuple[str, str, dict[str, float]] | None = None  # standard, column, coefficients
    published: bool = False
    calibration_hour: int | None = None  # 30 minutes of status 01 every day from this hour
    device_error: tuple[str, int, int] | None = None  # parameter, from hour, to hour (02)
    exceed: tuple[str, float, int, int] | None = None  # parameter, factor, from hour, to hour
    flat: tuple[str, int, int] | None = None  # parameter stuck at one value, hours
    silent_after_hours: float | None = None  # stops sending this long before now
    misplaced: bool = False  # uploads to its root folder instead of Component/yyyy/MM/ddMMyyyy
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed or hash(self.code) & 0xFFFF)

    def lines(self, t_utc: datetime) -> list[str]:
        """The TT10 lines of the 5-minute file for ``t_utc``."""
        local = t_utc + VN
        stamp = local.strftime("%Y%m%d%H%M%S")
        hour = local.hour + local.minute / 60
        out = []
        for ch in self.channels:
            cycle = math.sin((hour - 9) / 24 * 2 * math.pi)  # highest around 15:00
            value = ch.base + ch.amplitude * cycle
            value *= 1 + self._rng.gauss(0, ch.noise)
            status = 0
            if (
                self.exceed
                and ch.parameter == self.exceed[0]
                and self.exceed[2] <= hour < self.exceed[3]
            ):
                value *= self.exceed[1]
            if self.flat and ch.parameter == self.flat[0] and self.flat[1] <= hour < self.flat[2]:
                value = ch.base
            if (
                self.calibration_hour is not None
                and self.calibration_hour <= hour < self.calibration_hour + 0.5
            ):
                status = 1
            if (
                self.device_error
                and ch.parameter == self.device_error[0]
                and self.device_error[1] <= hour < self.device_error[2]
            ):
                status, value = 2, 0.0
            out.append(
                format_line(
                    ch.parameter, round(max(value, 0.0), ch.decimals), ch.unit, stamp, status
                )
            )
        return out

    def file(self, t_utc: datetime) -> tuple[str, str, bytes]:
        """(folder, name, content) of the file for ``t_utc`` as the station's datalogger writes it."""
        local = t_utc + VN
        name = f"{self.code}_{local:%Y%m%d%H%M%S}.txt"
        folder = (
            ""
            if self.misplaced
            else str(
                PurePosixPath(
                    COMPONENT_FOLDERS[self.component][0],
                    f"{local:%Y}",
                    f"{local:%m}",
                    f"{local:%d%m%Y}",
                )
            )
        )
        return folder, name, ("\r\n".join(self.lines(t_utc)) + "\r\n").encode("utf-8")

    def sends_at(self, t_utc: datetime, now: datetime) -> bool:
        return self.silent_after_hours is None or t_utc <= now - timedelta(
            hours=self.silent_after_hours
        )


def slots(start: datetime, end: datetime) -> list[datetime]:
    """5-minute slot times in (start, end], UTC."""
    first = start.replace(second=0, microsecond=0)
    first += timedelta(minutes=5 - first.minute % 5)
    out = []
    while first <= end:
        out.append(first)
        first += timedelta(minutes=5)
    return out


def now_utc() -> datetime:
    return datetime.now(UTC)


WASTEWATER = [
    Channel("Flow", "m3/h", 42, 15, 0.05, 1),
    Channel("Temp", "°C", 29, 2, 0.01, 1),
    Channel("pH", "-", 7.2, 0.2, 0.01),
    Channel("TSS", "mg/L", 35, 8, 0.06, 1),
    Channel("COD", "mg/L", 70, 20, 0.05, 1),
    Channel("NH4", "mg/L", 3.5, 1.0, 0.06),
    Channel("TN", "mg/L", 14, 3, 0.05),
    Channel("TP", "mg/L", 1.8, 0.4, 0.05),
    Channel("Color", "Pt-Co", 45, 10, 0.05, 0),
]
EMISSION = [
    Channel("Flow", "m3/h", 85000, 12000, 0.03, 0),
    Channel("Temp", "°C", 135, 10, 0.01, 1),
    Channel("P", "kPa", 101.2, 0.3, 0.001),
    Channel("O2", "%", 9.5, 1.0, 0.02, 1),
    Channel("SO2", "mg/Nm3", 260, 60, 0.05, 1),
    Channel("NOx", "mg/Nm3", 420, 80, 0.05, 1),
    Channel("CO", "mg/Nm3", 180, 50, 0.06, 1),
    Channel("PM", "mg/Nm3", 45, 12, 0.06, 1),
]
AIR = [
    Channel("PM2,5", "µg/m3", 38, 18, 0.08, 1),
    Channel("PM10", "µg/m3", 62, 25, 0.08, 1),
    Channel("NO2", "µg/m3", 45, 25, 0.08, 1),
    Channel("SO2", "µg/m3", 18, 6, 0.08, 1),
    Channel("CO", "µg/m3", 950, 400, 0.08, 0),
    Channel("O3", "µg/m3", 55, 45, 0.08, 1),
    Channel("Temp", "°C", 28, 4, 0.01, 1),
    Channel("RH", "%", 76, -12, 0.02, 0),
]
SURFACE = [
    Channel("Temp", "°C", 27, 2, 0.01, 1),
    Channel("pH", "-", 7.4, 0.15, 0.01),
    Channel("DO", "mg/L", 6.2, 1.0, 0.03),
    Channel("EC", "µS/cm", 310, 30, 0.03, 0),
    Channel("TSS", "mg/L", 28, 6, 0.06, 1),
    Channel("COD", "mg/L", 12, 3, 0.05, 1),
    Channel("NH4", "mg/L", 0.25, 0.08, 0.06),
    Channel("Turbidity", "NTU", 32, 8, 0.06, 1),
]
GROUND = [
    Channel("Level", "m", 5.2, 0.1, 0.005),
    Channel("Temp", "°C", 25, 0.5, 0.005, 1),
    Channel("pH", "-", 6.8, 0.05, 0.005),
    Channel("EC", "µS/cm", 520, 20, 0.01, 0),
    Channel("TDS", "mg/L", 330, 10, 0.01, 0),
]


def demo_stations() -> list[SimStation]:
    """A small national network: every component, every situation the platform must show."""
    kq = {"Kq": 0.9, "Kf": 1.0}
    return [
        SimStation(
            "HN_KCNTL_NT01",
            "KCN Thăng Long — nước thải",
            "wastewater",
            21.128,
            105.776,
            "Hà Nội",
            WASTEWATER,
            ("QCVN40_2011", "B", kq),
            exceed=("COD", 2.4, 13, 16),
            seed=1,
        ),
        SimStation(
            "HP_DINHVU_NT01",
            "KCN Đình Vũ — nước thải",
            "wastewater",
            20.836,
            106.758,
            "Hải Phòng",
            WASTEWATER,
            ("QCVN40_2011", "B", kq),
            calibration_hour=2,
            seed=2,
        ),
        SimStation(
            "BN_YENPHONG_NT01",
            "KCN Yên Phong — nước thải",
            "wastewater",
            21.204,
            106.003,
            "Bắc Ninh",
            WASTEWATER,
            ("QCVN40_2011", "A", kq),
            flat=("pH", 8, 11),
            misplaced=True,
            seed=3,
        ),
        SimStation(
            "QN_NDCAMPHA_KT01",
            "Nhiệt điện Cẩm Phả — khí thải",
            "emission",
            21.037,
            107.346,
            "Quảng Ninh",
            EMISSION,
            ("QCVN19_2009", "B", {"Kp": 0.9, "Kv": 1.0}),
            device_error=("NOx", 10, 12),
            seed=4,
        ),
        SimStation(
            "HP_XMCHINFON_KT01",
            "Xi măng Chinfon — khí thải",
            "emission",
            20.912,
            106.598,
            "Hải Phòng",
            EMISSION,
            ("QCVN19_2009", "B", {"Kp": 0.9, "Kv": 1.0}),
            silent_after_hours=13,
            seed=5,
        ),
        SimStation(
            "HN_NGUYENVANCU_KK01",
            "Nguyễn Văn Cừ — không khí",
            "ambient_air",
            21.048,
            105.878,
            "Hà Nội",
            AIR,
            ("QCVN05_2023", "", {}),
            published=True,
            seed=6,
        ),
        SimStation(
            "HN_HANGDAU_KK01",
            "Hàng Đậu — không khí",
            "ambient_air",
            21.039,
            105.846,
            "Hà Nội",
            AIR,
            ("QCVN05_2023", "", {}),
            published=True,
            exceed=("PM2,5", 3.2, 6, 10),
            seed=7,
        ),
        SimStation(
            "DN_HOAKHANH_KK01",
            "Hòa Khánh — không khí",
            "ambient_air",
            16.074,
            108.150,
            "Đà Nẵng",
            AIR,
            ("QCVN05_2023", "", {}),
            published=True,
            seed=8,
        ),
        SimStation(
            "HCM_QUAN1_KK01",
            "Quận 1 — không khí",
            "ambient_air",
            10.776,
            106.700,
            "TP Hồ Chí Minh",
            AIR,
            ("QCVN05_2023", "", {}),
            published=True,
            seed=9,
        ),
        SimStation(
            "HN_SONGNHUE_NM01",
            "Sông Nhuệ — nước mặt",
            "surface_water",
            20.952,
            105.776,
            "Hà Nội",
            SURFACE,
            ("QCVN08MT_2015", "B1", {}),
            seed=10,
        ),
        SimStation(
            "HCM_SAIGON_NM01",
            "Sông Sài Gòn — nước mặt",
            "surface_water",
            10.790,
            106.712,
            "TP Hồ Chí Minh",
            SURFACE,
            ("QCVN08MT_2015", "A2", {}),
            seed=11,
        ),
        SimStation(
            "HN_LONGBIEN_NN01",
            "Long Biên — nước ngầm",
            "groundwater",
            21.047,
            105.888,
            "Hà Nội",
            GROUND,
            None,
            seed=12,
        ),
    ]
