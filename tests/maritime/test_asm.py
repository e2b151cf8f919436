"""Binary application messages: AtoN monitoring (GLA 6/235/10 and its broadcast and national
variants, Zeni Lite 6/0/0, Trinity House 6/235/20), the configurable DAC/FI table, unknown
pairs kept as data, and the message 21 status byte (IALA A-126 page 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from giamsat.maritime.ais.asm import AsmRegistry
from giamsat.maritime.ais.decode import decode_payload
from giamsat.maritime.ais.encode import encode, encode_payload
from giamsat.maritime.ais.stream import StreamDecoder
from tests.maritime.helpers import bits_of


def test_gla_golden_vector_from_gpsd() -> None:
    """shared/reference/ais-anchors-aton.md 2.3: 6>jR0600V:C0>da4P106P00 (pad 2)."""
    msg = decode_payload("6>jR0600V:C0>da4P106P00", 2)
    assert (msg["mmsi"], msg["dest_mmsi"], msg["dac"], msg["fi"]) == (992509976, 2500912, 235, 10)
    assert (msg["ana_int"], msg["ana_ext1"], msg["ana_ext2"]) == (13.7, 0.05, 0.05)
    assert (msg["racon"], msg["light"], msg["alarm"], msg["stat_ext"], msg["off_pos"]) == (
        2, 2, False, 0, False)  # fmt: skip
    raw = decode_payload("6>jR0600V:C0>da4P106P00", 2, scaled=False)
    assert (raw["ana_int"], raw["ana_ext1"], raw["ana_ext2"]) == (274, 1, 1)
    bits = bits_of("6>jR0600V:C0>da4P106P00", 2)
    assert int(bits[88:98], 2) == 274 and int(bits[118:120], 2) == 2 and int(bits[120:122], 2) == 2


def test_broadcast_and_irish_variants_use_the_same_layout() -> None:
    for msg_type, dac in ((8, 235), (8, 250), (6, 250)):
        src = {"type": msg_type, "mmsi": 992501234, "dac": dac, "fi": 10, "ana_int": 12.45,
               "racon": 1, "light": 3, "alarm": True, "stat_ext": 0b10100001, "off_pos": True}  # fmt: skip
        payload, fill = encode_payload(src)
        got = decode_payload(payload, fill)
        assert got["ana_int"] == 12.45 and got["light"] == 3 and got["stat_ext"] == 0b10100001
        assert got["alarm"] is True and got["off_pos"] is True and got["ana_ext1"] is None
    assert len(bits_of(*encode_payload({"type": 8, "mmsi": 1, "dac": 235, "fi": 10}))) == 104


def test_national_dac_alias_reuses_a_known_layout() -> None:
    src = {"type": 6, "mmsi": 995740001, "dac": 574, "fi": 10, "ana_int": 13.0, "light": 1}
    payload, fill = encode_payload(src, registry=_vn())
    plain = decode_payload(payload, fill)
    assert "ana_int" not in plain and plain["data_bits"] == 48  # unknown pair: kept as bits
    aliased = decode_payload(payload, fill, registry=_vn())
    assert aliased["ana_int"] == 13.0 and aliased["light"] == 1
    with pytest.raises(ValueError):
        AsmRegistry().alias_spec("6:574:10=no_such_layout")
    with pytest.raises(ValueError):
        AsmRegistry().alias_spec("7:574:10=gla_aton_monitor")


def _vn() -> AsmRegistry:
    registry = AsmRegistry()
    registry.alias_spec("6:574:10=gla_aton_monitor")
    return registry


def test_zeni_lite_buoy_dac0_fi0() -> None:
    src = {"type": 6, "mmsi": 994310001, "dac": 0, "fi": 0, "sub_app_id": 1, "voltage": 12.6,
           "current": 0.3, "dc_power": True, "light_on": True, "battery_low": False,
           "off_position": False}  # fmt: skip
    payload, fill = encode_payload(src)
    bits = bits_of(payload, fill)
    assert len(bits) == 136
    assert int(bits[104:116], 2) == 126 and int(bits[116:126], 2) == 3  # 0.1 V and 0.1 A units
    got = decode_payload(payload, fill)
    assert got["voltage"] == 12.6 and got["current"] == 0.3 and got["light_on"] is True


def test_trinity_house_buoy_position() -> None:
    src = {"type": 6, "mmsi": 992351000, "dac": 235, "fi": 20, "station_name": "NORTH BUOY",
           "utc_day": 21, "utc_hour": 13, "utc_minute": 5, "lat": 51.5, "lon": 1.25,
           "off_position": True}  # fmt: skip
    got = decode_payload(*encode_payload(src))
    assert got["station_name"] == "NORTH BUOY" and got["off_position"] is True
    assert got["lat"] == pytest.approx(51.5) and got["lon"] == pytest.approx(1.25)


def test_unknown_application_is_kept_as_hex_data() -> None:
    msg = decode_payload("6B?n;be:cbapalgc;i6?Ow4", 2)
    assert (msg["dac"], msg["fi"], msg["data_bits"], msg["data"]) == (669, 11, 48, "eb2f118f7ff1")


def test_met_hydro_and_inland_static_from_gpsd_sample(shared: Path) -> None:
    decoder = StreamDecoder()
    out = [m for line in (shared / "corpus/ais/gpsd/sample.aivdm").read_bytes().splitlines()
           for m in decoder.feed(line)]  # fmt: skip
    met = next(m for m in out if m["type"] == 8 and m["fi"] == 11)
    assert met["airtemp"] == pytest.approx(14.2) and met["pressure"] == 1024
    assert met["waterlevel"] == pytest.approx(-8.4) and met["lat"] == pytest.approx(
        53.294883, abs=1e-6
    )
    inland = next(m for m in out if m["type"] == 8 and m["dac"] == 200 and "vin" in m)
    assert inland["vin"] == "02103547" and inland["length"] == 39.0 and inland["shiptype"] == 8010


def test_message21_status_byte_page7_and_other_pages(shared: Path) -> None:
    page7 = 0b111_10_01_1  # RACON operational, light on, alarm
    (msg,) = StreamDecoder().feed(encode({"type": 21, "mmsi": 995740002, "aid_type": 5,
                                          "name": "DEN HAI DANG", "aton_status": page7,
                                          "second": 10})[0])  # fmt: skip
    assert (msg["racon"], msg["light"], msg["alarm"]) == (2, 1, True)
    # AMSA AtoNs 995031028/9 report 170 (page 5): exposed raw, not decoded; 995031029 also
    # sends 226 = page 7, RACON none, light ON, good health.
    from tests.maritime.helpers import read_bytes, split_lines

    decoder = StreamDecoder()
    lines = split_lines(read_bytes(shared / "corpus/ais/amsa-risky/ais.txt.gz"))
    found = [m for line in lines for m in decoder.feed(line)
             if m["type"] == 21 and m["mmsi"] in (995031028, 995031029)]  # fmt: skip
    page5 = [m for m in found if m["aton_status"] == 170]
    page7 = [m for m in found if m["aton_status"] == 226]
    assert len(page5) == 5 and len(page7) == 2 and len(found) == 7
    assert all(m["racon"] is None and m["light"] is None and m["alarm"] is None for m in page5)
    assert all((m["racon"], m["light"], m["alarm"]) == (0, 1, False) for m in page7)


def test_message21_name_extension_and_off_position_validity(shared: Path) -> None:
    decoder = StreamDecoder()
    text = (shared / "corpus/ais/gpsd/sample.aivdm").read_bytes().splitlines()
    aton = [m for line in text for m in decoder.feed(line) if m["type"] == 21]
    assert (
        aton[0]["name"] == "CHINA ROSE MURPHY EXPRESS ALERT"
        and aton[0]["name_ext"] == "PRESS ALERT"
    )
    (unknown_time,) = StreamDecoder().feed(encode({"type": 21, "mmsi": 995740003, "name": "X",
                                                   "second": 61, "off_position": True})[0])  # fmt: skip
    assert unknown_time["off_position"] is None  # valid only when second <= 59


def test_aliases_from_settings(tmp_path) -> None:
    from giamsat.config import load_settings
    from giamsat.maritime.ais.asm import registry_from_settings

    (tmp_path / "giamsat.toml").write_text('[ais]\nasm_aliases = ["6:574:10=zeni_lite_buoy"]\n')
    settings = load_settings(environ={"GIAMSAT_HOME": str(tmp_path)})
    registry = registry_from_settings(settings)
    assert registry.application(6, 574, 10) == "zeni_lite_buoy"
    assert registry.application(6, 235, 10) == "gla_aton_monitor"
