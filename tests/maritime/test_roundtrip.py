"""Property test: random field values -> our encoder -> our decoder -> the same values,
for every layout (messages 1-27, their variants and every binary application)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giamsat.maritime.ais import asm
from giamsat.maritime.ais import messages as m
from giamsat.maritime.ais.decode import decode_bits
from giamsat.maritime.ais.encode import EncodeError, encode, encode_bits, layout_for
from giamsat.maritime.ais.layout import Field, Layout
from giamsat.maritime.ais.sixbit import TEXT, hex_bits
from giamsat.maritime.ais.stream import StreamDecoder

LAYOUTS: list[Layout] = [*m.ALL, *asm.all_layouts()]
ALPHABET = "".join(chr(c) for c in TEXT if chr(c) != "@")


def _field(f: Field, chars: int | None = None) -> st.SearchStrategy:
    if f.kind == "b":
        return st.booleans()
    if f.kind == "t":
        text = st.text(ALPHABET, max_size=chars if chars is not None else f.width // 6)
        return text.map(lambda s: s.rstrip(" ")) if f.trim else text
    if f.kind == "i":
        return st.integers(-(1 << (f.width - 1)), (1 << (f.width - 1)) - 1)
    return st.integers(0, (1 << f.width) - 1)


def _message(lay: Layout) -> st.SearchStrategy:
    fixed = {f.name: _field(f) for f in lay.fields if f.kind != "-"}
    key = lay.key
    base = key.split("/")[0]
    msg_type = int("".join(ch for ch in base.split("-")[0] if ch.isdigit()))
    fixed["type"] = st.just(msg_type)
    if "/" in key:
        _, dac, fi = (int(x) for x in key.split("/"))
        fixed["dac"], fixed["fi"] = st.just(dac), st.just(fi)
    if key.startswith("24"):
        fixed["part_num"] = st.just(0 if key == "24A" else 1)
        if key == "24B-aux":
            fixed["mmsi"] = st.integers(980_000_000, 989_999_999)
        elif key == "24B":
            fixed["mmsi"] = st.integers(0, 979_999_999)
    if key.startswith("22"):
        fixed["addressed"] = st.just(key == "22a")
    if key[:2] in ("25", "26"):
        fixed["addressed"] = st.just("a" in key[2:])
        fixed["structured"] = st.just("s" in key[2:])
    for f in lay.trailer:
        fixed[f.name] = _field(f)
    strategy = st.fixed_dictionaries(fixed)
    if lay.tail is not None and lay.tail.kind == "t":
        room = (lay.max_bits - lay.fixed_bits) // 6
        chars = min(room, 14 if key == "21" else 40)
        strategy = st.tuples(strategy, _field(lay.tail, chars)).map(
            lambda t: {**t[0], lay.tail.name: t[1]}
        )
    elif lay.tail is not None:
        room = lay.max_bits - lay.fixed_bits - sum(f.width for f in lay.trailer)
        data = st.integers(0, min(room, 200)).flatmap(
            lambda n: st.tuples(st.just(n), st.integers(0, (1 << n) - 1 if n else 0))
        )
        strategy = st.tuples(strategy, data).map(
            lambda t: {**t[0], "data_bits": t[1][0], "data": hex_bits(t[1][1], t[1][0])}
        )
    if lay.repeat is not None:
        group = lay.repeat
        counts = [c for c in range(0, min(group.maximum, 6) + 1)
                  if lay.min_bits <= lay.fixed_bits + c * group.width <= lay.max_bits]  # fmt: skip
        item = st.fixed_dictionaries({f.name: _field(f) for f in group.fields if f.kind != "-"})
        items = st.sampled_from(counts).flatmap(lambda c: st.lists(item, min_size=c, max_size=c))

        def attach(t):
            msg, elements = t
            msg = {**msg, group.name: elements}
            if group.count:
                msg[group.count] = len(elements)
            return msg

        strategy = st.tuples(strategy, items).map(attach)
    return strategy


@pytest.mark.parametrize("lay", LAYOUTS, ids=[lay.key for lay in LAYOUTS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_encode_then_decode_gives_the_values_back(lay: Layout, data) -> None:
    msg = data.draw(_message(lay))
    assert layout_for(msg).key == lay.key
    v, n = encode_bits(msg, scaled=False)
    decoded = decode_bits(v, n, scaled=False)
    expected = dict(msg)
    if lay.key == "21":
        expected.setdefault("name_ext", "")
    assert decoded == expected


def test_every_layout_is_covered() -> None:
    keys = {lay.key for lay in LAYOUTS}
    assert {str(t) for t in m.SIMPLE} <= keys
    assert {"6", "8", "22", "22a", "24A", "24B", "24B-aux", "25", "25as", "26", "26as"} <= keys
    assert {"6/235/10", "6/0/0", "6/235/20", "8/1/11", "8/1/31"} <= keys
    assert len(LAYOUTS) == 63


@given(
    lat=st.floats(-90, 90), lon=st.floats(-180, 180), sog=st.floats(0, 102.2),
    cog=st.floats(0, 359.9), heading=st.integers(0, 359), mmsi=st.integers(200_000_000, 799_999_999),
)  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_scaled_values_round_trip_within_resolution(lat, lon, sog, cog, heading, mmsi) -> None:
    msg = {"type": 1, "mmsi": mmsi, "lat": lat, "lon": lon, "sog": sog, "cog": cog,
           "heading": heading, "nav_status": 0, "rot": None}  # fmt: skip
    (out,) = StreamDecoder().feed(encode(msg)[0])
    assert out["lat"] == pytest.approx(lat, abs=1 / 600000)
    assert out["lon"] == pytest.approx(lon, abs=1 / 600000)
    half_step = 0.05 + 1e-9  # values are rounded to 0.1
    assert out["sog"] == pytest.approx(sog, abs=half_step)
    assert out["cog"] == pytest.approx(cog, abs=half_step)
    assert out["heading"] == heading and out["rot"] is None and out["mmsi"] == mmsi


def test_encoder_rejects_values_that_do_not_fit() -> None:
    with pytest.raises(EncodeError):
        encode_bits({"type": 1, "mmsi": 1 << 31}, scaled=False)
    with pytest.raises(EncodeError):
        encode_bits({"type": 1, "mmsi": 1, "lat": 120.0})  # 120 degrees * 600000 > 27 bits signed
    with pytest.raises(EncodeError):
        encode_bits({"type": 42})


def test_simulator_messages_decode_through_the_stream() -> None:
    """What the demo simulator will send: types 1, 3, 5 (multipart), 18, 24, 21 and AtoN
    telemetry 6/8 FI 10, with tag blocks."""
    cases = [
        {"type": 1, "mmsi": 574123456, "lat": 10.77, "lon": 106.70, "sog": 12.5, "cog": 45.0,
         "heading": 44, "nav_status": 0},
        {"type": 3, "mmsi": 574123457, "lat": 20.86, "lon": 106.68, "sog": 0.0, "nav_status": 5},
        {"type": 5, "mmsi": 574123456, "imo": 9123456, "callsign": "XVAB", "shipname": "TAU HANG 01",
         "shiptype": 70, "to_bow": 100, "to_stern": 20, "to_port": 10, "to_starboard": 10,
         "draught": 8.5, "destination": "HAI PHONG", "eta_month": 11, "eta_day": 22,
         "eta_hour": 8, "eta_minute": 30},
        {"type": 18, "mmsi": 574999001, "lat": 16.05, "lon": 108.22, "sog": 6.2, "cog": 180.0},
        {"type": 24, "mmsi": 574999001, "part_num": 0, "shipname": "CA NO 12"},
        {"type": 24, "mmsi": 574999001, "part_num": 1, "shiptype": 30, "callsign": "XV12"},
        {"type": 21, "mmsi": 995741001, "aid_type": 24, "name": "PHAO SO 1 LUONG SOAI RAP",
         "lat": 10.42, "lon": 106.75, "second": 30, "racon": 0, "light": 1, "alarm": False},
        {"type": 6, "mmsi": 995741001, "dest_mmsi": 2574000, "dac": 235, "fi": 10,
         "ana_int": 12.6, "ana_ext1": 13.05, "ana_ext2": None, "racon": 2, "light": 1,
         "alarm": False, "stat_ext": 0, "off_pos": False},
        {"type": 8, "mmsi": 995741002, "dac": 235, "fi": 10, "ana_int": 11.9, "light": 3,
         "alarm": True, "off_pos": True},
    ]  # fmt: skip
    decoder = StreamDecoder()
    out = []
    for i, msg in enumerate(cases):
        for line in encode(
            msg, seq_id=i, channel="AB"[i % 2], tags={"c": 1763700000 + i, "s": "sim"}
        ):
            out.extend(decoder.feed(line))
    assert decoder.errors() == {}
    assert [m["type"] for m in out] == [c["type"] for c in cases]
    assert all(m["source"] == "sim" and m["time"] == 1763700000 + i for i, m in enumerate(out))
    ship5, aton, tele6, tele8 = out[2], out[6], out[7], out[8]
    assert ship5["shipname"] == "TAU HANG 01" and ship5["draught"] == 8.5
    assert aton["name"] == "PHAO SO 1 LUONG SOAI RAP" and aton["light"] == 1 and aton["racon"] == 0
    assert aton["aton_status"] >> 5 == 7
    assert (tele6["ana_int"], tele6["ana_ext1"], tele6["ana_ext2"]) == (12.6, 13.05, None)
    assert tele8["dac"] == 235 and tele8["light"] == 3 and tele8["alarm"] and tele8["off_pos"]
    assert len(encode(cases[2])) == 2  # type 5 needs two sentences
