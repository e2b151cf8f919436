"""Stations, parameters and series (station × parameter channels), with caches for ingest.

A file from a station nobody registered yet is still ingested: the station is created with
``registered = False`` for an administrator to complete (data is never refused for paperwork).
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from giamsat.core.store import Store
from giamsat.core.store.schema import provinces
from giamsat.environment.catalog import Catalog, default_catalog
from giamsat.environment.schema import COMPONENTS, parameters, series, stations

# Parameters that give away what kind of station an unregistered one is.
_COMPONENT_HINTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("ambient_air", frozenset({"PM2.5", "PM10", "O3", "TSP"})),
    (
        "emission",
        frozenset({"SO2", "NOx", "NO", "CO", "O2", "PM", "HCl", "HF", "VHg", "H2S", "NH3"}),
    ),
    ("groundwater", frozenset({"Level"})),
    ("surface_water", frozenset({"DO", "EC", "Turbidity", "Salinity"})),
    ("wastewater", frozenset({"COD", "TSS", "NH4", "TN", "TP", "Color", "Flow", "BOD5"})),
)

# Folder names stations use for each component (the first is what we create).
COMPONENT_FOLDERS: dict[str, tuple[str, ...]] = {
    "wastewater": ("NuocThai", "NUOC_THAI", "WasteWater", "Wastewater", "nuoc_thai", "NT"),
    "emission": ("KhiThai", "KHI_THAI", "Emission", "Emissions", "khi_thai", "KT"),
    "ambient_air": ("KhongKhi", "KHONG_KHI", "Air", "AmbientAir", "khong_khi", "KK"),
    "surface_water": ("NuocMat", "NUOC_MAT", "SurfaceWater", "nuoc_mat", "NM"),
    "groundwater": ("NuocNgam", "NUOC_NGAM", "GroundWater", "Groundwater", "nuoc_ngam", "NN"),
}


def guess_component(parameter_codes: set[str]) -> str:
    for component, hints in _COMPONENT_HINTS:
        if parameter_codes & hints:
            return component
    return "wastewater"


@dataclass(frozen=True)
class StationInfo:
    id: int
    code: str
    component: str
    utc_offset_min: int
    province_id: int | None
    registered: bool


@dataclass(frozen=True)
class SeriesInfo:
    id: int
    unit: str


class Registry:
    """Caches of stations, parameters and series; creates what is missing inside a transaction."""

    def __init__(self, store: Store, catalog: Catalog | None = None) -> None:
        self.store = store
        self.catalog = catalog or default_catalog()
        self._stations: dict[str, StationInfo] = {}
        self._parameters: dict[str, int] = {}
        self._series: dict[tuple[int, int], SeriesInfo] = {}
        self.plans: dict[tuple[int, str], Any] = {}  # ingest's per-station plans (from the above)
        self._loaded_at = 0.0

    def refresh(self, conn: Connection, max_age: float = 60.0) -> None:
        """Reload the small tables when they may have been edited elsewhere."""
        if time.monotonic() - self._loaded_at < max_age:
            return
        self._stations = {
            r.code: StationInfo(
                r.id, r.code, r.component, r.utc_offset_min, r.province_id, r.registered
            )
            for r in conn.execute(select(stations))
        }
        self._parameters = {
            r.code: r.id for r in conn.execute(select(parameters.c.code, parameters.c.id))
        }
        self._series = {
            (r.station_id, r.parameter_id): SeriesInfo(r.id, r.unit)
            for r in conn.execute(
                select(series.c.id, series.c.station_id, series.c.parameter_id, series.c.unit)
            )
        }
        self.plans = {}
        self._loaded_at = time.monotonic()

    def forget(self) -> None:
        """Drop every cache (after a rolled-back transaction that may have created rows)."""
        self._stations, self._parameters, self._series, self.plans = {}, {}, {}, {}
        self._loaded_at = 0.0

    def station(self, conn: Connection, code: str) -> StationInfo | None:
        info = self._stations.get(code)
        if info is None:
            row = conn.execute(select(stations).where(stations.c.code == code)).first()
            if row is not None:
                info = StationInfo(
                    row.id,
                    row.code,
                    row.component,
                    row.utc_offset_min,
                    row.province_id,
                    row.registered,
                )
                self._stations[code] = info
        return info

    def create_unregistered(
        self, conn: Connection, code: str, province: str, facility: str, component: str
    ) -> StationInfo:
        province_id = ensure_province(conn, province)
        station_id = conn.execute(
            stations.insert().values(
                code=code,
                name=code,
                province_code=province,
                facility_code=facility,
                province_id=province_id,
                component=component,
                registered=False,
                created_at=int(time.time()),
            )
        ).inserted_primary_key[0]
        info = StationInfo(station_id, code, component, 420, province_id, False)
        self._stations[code] = info
        return info

    def parameter_id(self, conn: Connection, code: str, known: bool) -> int:
        pid = self._parameters.get(code)
        if pid is None:
            pid = conn.execute(select(parameters.c.id).where(parameters.c.code == code)).scalar()
            if pid is None:
                spec = self.catalog.parameters.get(code)
                pid = conn.execute(
                    parameters.insert().values(**_parameter_row(spec, code, known))
                ).inserted_primary_key[0]
            self._parameters[code] = pid
        return pid

    def series_for(
        self, conn: Connection, station: StationInfo, pid: int, unit: str, reported: str
    ) -> SeriesInfo:
        key = (station.id, pid)
        info = self._series.get(key)
        if info is None:
            row = conn.execute(
                select(series.c.id, series.c.unit).where(
                    series.c.station_id == station.id, series.c.parameter_id == pid
                )
            ).first()
            if row is None:
                sid = conn.execute(
                    series.insert().values(
                        station_id=station.id, parameter_id=pid, unit=unit, reported_unit=reported
                    )
                ).inserted_primary_key[0]
                info = SeriesInfo(sid, unit)
            else:
                info = SeriesInfo(row.id, row.unit)
            self._series[key] = info
        return info


def _parameter_row(spec: Any, code: str, known: bool) -> dict[str, Any]:
    if spec is None:
        return {
            "code": code,
            "name_vi": code,
            "name_en": code,
            "unit": "",
            "aliases": [],
            "known": False,
        }
    return {
        "code": spec.code,
        "name_vi": spec.name_vi,
        "name_en": spec.name_en,
        "unit": spec.unit,
        "aliases": list(spec.aliases),
        "sensor_min": spec.sensor_min,
        "sensor_max": spec.sensor_max,
        "plausible_min": spec.plausible_min,
        "plausible_max": spec.plausible_max,
        "known": known,
    }


def seed_catalog(store: Store, catalog: Catalog | None = None) -> int:
    """Insert catalog parameters the store does not have yet; returns how many were added."""
    catalog = catalog or default_catalog()
    with store.write() as conn:
        have = set(conn.execute(select(parameters.c.code)).scalars())
        rows = [
            _parameter_row(p, code, True)
            for code, p in catalog.parameters.items()
            if code not in have
        ]
        if rows:
            conn.execute(parameters.insert(), rows)
    return len(rows)


def ensure_province(conn: Connection, code: str, name: str = "") -> int:
    pid = conn.execute(select(provinces.c.id).where(provinces.c.code == code)).scalar()
    if pid is None:
        pid = conn.execute(
            provinces.insert().values(code=code, name=name or code)
        ).inserted_primary_key[0]
    elif name:
        conn.execute(
            update(provinces)
            .where(provinces.c.id == pid, provinces.c.name == provinces.c.code)
            .values(name=name)
        )
    return int(pid)


STATION_FIELDS = (
    "code",
    "name",
    "component",
    "lat",
    "lon",
    "province_name",
    "expected_interval_s",
    "utc_offset_min",
    "permit_standard",
    "permit_column",
    "permit_coefficients",
    "published",
)


def upsert_station(conn: Connection, data: dict[str, Any]) -> int:
    """Create or complete a station from admin data; marks it registered."""
    code = str(data["code"]).strip()
    tokens = code.split("_")
    if len(tokens) != 3 or not all(tokens):
        raise ValueError(f"station code {code!r} must be Province_Facility_Station")
    component = data.get("component") or "wastewater"
    if component not in COMPONENTS:
        raise ValueError(f"component {component!r} must be one of {', '.join(COMPONENTS)}")
    values: dict[str, Any] = {
        "code": code,
        "name": data.get("name") or code,
        "province_code": tokens[0],
        "facility_code": tokens[1],
        "province_id": ensure_province(conn, tokens[0], data.get("province_name") or ""),
        "component": component,
        "registered": True,
    }
    for key in ("lat", "lon"):
        if data.get(key) not in (None, ""):
            values[key] = float(data[key])
    for key in ("expected_interval_s", "utc_offset_min"):
        if data.get(key) not in (None, ""):
            values[key] = int(data[key])
    for key in ("permit_standard", "permit_column"):
        if data.get(key):
            values[key] = str(data[key])
    coefficients = data.get("permit_coefficients")
    if isinstance(coefficients, str) and coefficients.strip():
        coefficients = dict(
            (k.strip(), float(v))
            for k, v in (part.split("=") for part in coefficients.split(";") if part.strip())
        )
    if coefficients:
        values["permit_coefficients"] = coefficients
    if data.get("published") not in (None, ""):
        values["published"] = str(data["published"]).strip().lower() in ("1", "true", "yes", "x")
    existing = conn.execute(select(stations.c.id).where(stations.c.code == code)).scalar()
    if existing is None:
        values["created_at"] = int(time.time())
        return int(conn.execute(stations.insert().values(**values)).inserted_primary_key[0])
    conn.execute(update(stations).where(stations.c.id == existing).values(**values))
    return int(existing)


def read_station_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a station CSV (header names as in :data:`STATION_FIELDS`)."""
    return [dict(row) for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]
