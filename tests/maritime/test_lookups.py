"""Code tables in Vietnamese and English; flag state from the MMSI."""

from __future__ import annotations

import pytest

from giamsat.maritime.ais import lookups


@pytest.mark.parametrize(
    "mmsi,iso",
    [
        (574123456, "VN"),  # ship
        (995741001, "VN"),  # AtoN 99MIDxxxx
        (985741001, "VN"),  # craft associated with a parent ship
        (5740001, "VN"),  # coast station 00MIDxxxx
        (111574001, "VN"),  # SAR aircraft
        (257123456, "NO"),
        (412345678, "CN"),
        (351759000, "PA"),
        (970123456, None),  # AIS-SART: no MID
        (999999999, None),
    ],
)
def test_flag_country(mmsi: int, iso: str | None) -> None:
    assert lookups.flag_country(mmsi) == iso


def test_names_in_both_languages() -> None:
    assert (
        lookups.country_name("VN") == "Việt Nam" and lookups.country_name("VN", "en") == "Viet Nam"
    )
    assert lookups.nav_status(7) == "Đang đánh bắt cá"
    assert lookups.nav_status(7, "en") == "Engaged in fishing"
    assert lookups.ship_type(30) == "Tàu cá" and lookups.ship_type(70, "en") == "Cargo"
    assert lookups.ship_type(82, "en") == "Tanker, hazardous category B"
    assert lookups.aton_type(20) == "Phao hướng Bắc" and lookups.aton_type(31, "en").startswith(
        "Light"
    )
    assert lookups.light_status(2) == "Đèn tắt" and lookups.racon_status(3, "en") == "RACON error"
    assert lookups.epfd(7, "en") == "Surveyed" and lookups.epfd(12) == "Dự phòng"
    assert lookups.station_kind(995741001) == "aton" and lookups.station_kind(574123456) == "ship"


def test_tables_are_complete() -> None:
    assert set(lookups.NAV_STATUS) == set(range(16))
    assert set(lookups.ATON_TYPES) == set(range(32))
    assert all(lookups.ship_type(code) for code in range(100))
    assert all(iso in lookups.COUNTRY_NAMES for iso in lookups.MID_TO_COUNTRY.values())
    assert len(lookups.MID_TO_COUNTRY) > 280
