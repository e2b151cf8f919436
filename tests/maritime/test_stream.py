"""NMEA layer and StreamDecoder behaviour: framing, checksums, talkers, tag blocks, wrappers,
receiver timestamps, multipart reassembly and the counters for every kind of bad input."""

from __future__ import annotations

import pytest

from giamsat.maritime.ais.stream import ERROR_KINDS, Issue, StreamDecoder
from giamsat.maritime.nmea import checksum, parse_sentence, parse_tag_block, split_line
from tests.maritime.helpers import naive_checksum, sentence

# Real sentences (gpsd sample.aivdm): a type 1 and the two fragments of a type 5.
T1 = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
T5_1 = "AIVDM,2,1,{seq},{ch},55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0"
T5_2 = "AIVDM,2,2,{seq},{ch},88888888880,2"


def frag(template: str, seq: str = "1", ch: str = "A") -> str:
    return sentence(template.format(seq=seq, ch=ch))


def run(lines: list[str], **options) -> tuple[list[dict], StreamDecoder, list[Issue]]:
    issues: list[Issue] = []
    decoder = StreamDecoder(on_error=issues.append, **options)
    out = []
    for line in lines:
        out.extend(decoder.feed(line))
    decoder.flush()
    return out, decoder, issues


def test_checksum_matches_a_byte_by_byte_xor() -> None:
    body = b"AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"
    assert checksum(body) == naive_checksum(body) == 0x4A


def test_single_sentence_fields_and_metadata() -> None:
    (msg,), decoder, _ = run([T1 + "\r\n"])
    assert msg["type"] == 1 and msg["mmsi"] == 371798000
    assert msg["lon"] == pytest.approx(-74037230 / 600000) and msg["sog"] == 12.3
    assert msg["channel"] == "A" and msg["own_ship"] is False and msg["time"] is None
    assert decoder.counters["messages"] == 1 and decoder.errors() == {}


@pytest.mark.parametrize("talker", ["AI", "AB", "BS", "SA", "AN", "AR", "AS", "AT", "AX"])
def test_any_talker_and_vdo(talker: str) -> None:
    body = T1[1:-3].replace("AIVDM", f"{talker}VDO")
    (msg,), _, _ = run([sentence(body)])
    assert msg["mmsi"] == 371798000 and msg["own_ship"] is True


def test_bad_checksum_is_counted_and_skipped_unless_kept() -> None:
    bad = T1[:-2] + "4B"
    out, decoder, issues = run([bad, T1])
    assert len(out) == 1 and decoder.errors() == {"bad_checksum": 1}
    assert issues[0].kind == "bad_checksum" and issues[0].line == 1 and "4A" in issues[0].detail
    out, decoder, _ = run([bad], keep_bad_checksum=True)
    assert len(out) == 1 and decoder.counters["kept_bad_checksum"] == 1


def test_every_bad_input_kind_has_a_counter() -> None:
    lines = [
        "garbage without a sentence",  # not_nmea
        "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0",  # missing_checksum
        "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*ZZ",  # bad_framing
        sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ"),  # bad_field_count
        sentence("AIVDM,1,3,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"),  # bad_fragment (3 of 1)
        sentence("AIVDM,0,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"),  # bad_fragment (count 0)
        sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,7"),  # bad_fill
        sentence("AIVDM,1,1,,A,15RTgt0PAso;90TK|jM8h6g208CQ,0"),  # bad_payload
        sentence("AIVDM,1,1,,B,,0"),  # empty_payload
        sentence("AIVDM,1,1,,A,wa?NCnmBsOug?G?Vgm?4?w0,2"),  # unknown_type (63)
        sentence("AIVDM,1,1,,A,15RTgt0PAso;,0"),  # too_short
        sentence("AIVDM,1,1,,A,H42O55i18tMET00000000000000,2").replace("H42O55i", "H42O55k"),
        sentence("AIVDM,1,1,,A,H42O55q18tMET00000000000000,2"),  # bad_part (24 part 2)
        "\\s:r1*00\\" + sentence("AIVDM,2,1,7,A,55?MbV02;H;s,0"),  # multipart_incomplete
    ]
    _, decoder, issues = run(lines)
    errors = decoder.errors()
    assert errors == {
        "not_nmea": 1, "missing_checksum": 1, "bad_framing": 1, "bad_field_count": 1,
        "bad_fragment": 2, "bad_fill": 1, "bad_payload": 1, "empty_payload": 1,
        "unknown_type": 1, "too_short": 1, "bad_checksum": 1, "bad_part": 1,
        "multipart_incomplete": 1,
    }  # fmt: skip
    assert {i.kind for i in issues if i.kind in ERROR_KINDS} == set(errors)
    assert all(i.line > 0 and i.detail for i in issues)


def test_multipart_in_order_and_out_of_order() -> None:
    (msg,), d1, _ = run([frag(T5_1), frag(T5_2)])
    assert (
        msg["type"] == 5 and msg["shipname"] == "EVER DIADEM" and msg["destination"] == "NEW YORK"
    )
    (msg2,), d2, _ = run([frag(T5_2), frag(T5_1)])  # second fragment first: tolerated
    assert msg2 == msg
    assert d1.errors() == d2.errors() == {}


def test_interleaved_channels_and_receivers_with_the_same_sequence_id() -> None:
    lines = [frag(T5_1, "3", "A"), frag(T5_1, "3", "B"), frag(T5_2, "3", "B"), frag(T5_2, "3", "A")]
    out, decoder, _ = run(lines)
    assert [m["channel"] for m in out] == ["B", "A"] and decoder.errors() == {}
    # Two receivers (tag-block sources) on one connection, same channel and sequence id.
    tagged = [
        "\\s:rx1*00\\" + frag(T5_1, "3"), "\\s:rx2*00\\" + frag(T5_1, "3"),
        "\\s:rx1*00\\" + frag(T5_2, "3"), "\\s:rx2*00\\" + frag(T5_2, "3"),
    ]  # fmt: skip
    out, decoder, _ = run(tagged)
    assert [m["source"] for m in out] == ["rx1", "rx2"] and decoder.errors() == {}
    # Feed sources separate connections the same way.
    decoder = StreamDecoder()
    got = decoder.feed(frag(T5_1), "tcp1") + decoder.feed(frag(T5_1), "tcp2")
    got += decoder.feed(frag(T5_2), "tcp2") + decoder.feed(frag(T5_2), "tcp1")
    assert [m["source"] for m in got] == ["tcp2", "tcp1"]


def test_stale_and_replaced_fragments_are_counted() -> None:
    filler = [T1] * 5
    out, decoder, _ = run([frag(T5_1), *filler, frag(T5_2)], window_lines=3)
    assert [m["type"] for m in out] == [1] * 5
    assert decoder.errors() == {"multipart_expired": 1, "multipart_incomplete": 1}
    out, decoder, _ = run([frag(T5_1), frag(T5_1), frag(T5_2)])
    assert [m["type"] for m in out] == [5] and decoder.errors() == {"multipart_replaced": 1}
    # Time window: tag-block times more than window_seconds apart.
    lines = ["\\c:1000*00\\" + frag(T5_1), "\\c:1100*00\\" + T1, "\\c:1101*00\\" + frag(T5_2)]
    out, decoder, _ = run(lines, window_seconds=60)
    assert [m["type"] for m in out] == [1] and decoder.errors()["multipart_expired"] == 1
    # Another receiver's clock does not age this receiver's fragments (satellite feeds).
    other = ["\\s:sat1,c:1000*00\\" + frag(T5_1), "\\s:sat2,c:9000*00\\" + T1,
             "\\s:sat1,c:1001*00\\" + frag(T5_2)]  # fmt: skip
    out, decoder, _ = run(other, window_seconds=60)
    assert [m["type"] for m in out] == [1, 5] and decoder.errors() == {}


def test_tag_blocks_time_source_checksum_and_groups(shared) -> None:
    tag = parse_tag_block(b"s:rORBCOMM104,q:u,c:1418172113,T:2014-12-10 00.41.53*55")
    assert tag.checksum_ok and tag.time == 1418172113 and tag.source == "rORBCOMM104"
    assert tag.extra == {"q": "u", "T": "2014-12-10 00.41.53"}
    assert not parse_tag_block(b"c:1420030798*00").checksum_ok  # dummy checksum: counted
    assert parse_tag_block(b"c:1599239526500*5D").time == pytest.approx(1599239526.5)  # ms
    assert parse_tag_block(b"1G2:3985,s:r*00").group == (1, 2, "3985")
    # A group spanning two lines: the second inherits time and source from the first.
    lines = (
        (shared / "corpus/ais/amsa-risky/exact-earth-with-tag-block.txt")
        .read_text()
        .splitlines()[:3]
    )
    out, decoder, _ = run(lines)
    assert [(m["type"], m["source"], m["time"]) for m in out] == [
        (5, "rEV02", 1334337317), (1, "rEV02", 1334337317)]  # fmt: skip
    assert decoder.errors() == {}


def test_tag_block_checksum_is_validated_separately() -> None:
    good = "\\c:1420030798*" + f"{naive_checksum(b'c:1420030798'):02X}" + "\\" + T1
    _, decoder, _ = run([good, "\\c:1420030798*00\\" + T1])
    assert decoder.counters["messages"] == 2 and decoder.counters["tagblock_bad_checksum"] == 1


def test_several_sentences_on_one_line(shared) -> None:
    line = (shared / "corpus/ais/gfw-ais-tools/bad-type5.nmea").read_bytes().splitlines()[2]
    assert line.count(b"\\!") == 2
    (msg,), decoder, _ = run([line])
    assert msg["type"] == 5 and decoder.counters["sentences"] == 2


def test_gatehouse_wrapper_stamps_the_next_message(shared) -> None:
    lines = (shared / "corpus/ais/dma-aislib/stream_example.txt").read_text().splitlines()[:6]
    out, decoder, _ = run(lines)
    # $PGHP,1,2010,6,11,11,46,11,390,... -> 2010-06-11T11:46:11.390Z
    assert out[0]["time"] == pytest.approx(1276256771.39)
    assert all(m["time"] is not None for m in out)
    assert decoder.counters["proprietary_sentences"] == 3
    # A wrapper whose checksum does not fit the next message does not stamp it.
    wrong = (
        "$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,00*"
        + f"{naive_checksum(b'PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,00'):02X}"
    )
    out, decoder, _ = run([wrong, T1])
    assert out[0]["time"] is None and decoder.counters["wrapper_mismatch"] == 1


def test_trailing_receiver_timestamps() -> None:
    (a,), _, _ = run([T1 + ",1242958962"])
    (b,), _, _ = run([T1 + ",s28089,d-103,T39.44353985,x147521,r08TPHI1,1242958962"])
    (c,), _, _ = run([T1 + ",1327992119173"])  # milliseconds (exactEarth)
    assert a["time"] == b["time"] == 1242958962 and c["time"] == pytest.approx(1327992119.173)


def test_generic_proprietary_and_query_sentences() -> None:
    prop = parse_sentence(b"$PSHI,001,01.53524524,,01691,32611,114701.28,2,0057,-079*3B")
    assert prop.kind == "proprietary" and prop.formatter == "SHI" and prop.checksum_ok
    assert prop.fields[0] == "001"
    query = parse_sentence(
        sentence("AIAIQ,VDM")[0:0] + "$" + "GPECQ,RMC*" + f"{naive_checksum(b'GPECQ,RMC'):02X}"
    )
    assert query.kind == "query" and query.talker == "GP" and query.listener == "EC"
    assert query.formatter == "RMC"
    std = parse_sentence(
        b"$GPGGA,213950.00,5250.53669,N,00542.34920,E,1,09,1.03,-6.0,M,45.8,M,,*7B"
    )
    assert std.kind == "standard" and std.talker == "GP" and std.formatter == "GGA"
    seen = []
    decoder = StreamDecoder(on_sentence=seen.append)
    decoder.feed("$PSHI,001,01.53524524,,01691,32611,114701.28,2,0057,-079*3B")
    decoder.feed("$GPECQ,RMC*" + f"{naive_checksum(b'GPECQ,RMC'):02X}")
    assert [s.kind for s in seen] == ["proprietary", "query"]
    assert decoder.counters["proprietary_sentences"] == decoder.counters["query_sentences"] == 1


def test_split_line_finds_every_part() -> None:
    split = split_line(
        b"\\g:1-2-3*00\\!AIVDM,2,1,3,A,55,0*00\\g:2-2-3*00\\!AIVDM,2,2,3,A,88,2*00,123"
    )
    assert [len(i.tags) for i in split.items] == [1, 1]
    assert split.items[1].trailing == b",123"


def test_str_and_bytes_input_are_equivalent() -> None:
    a, _, _ = run([T1])
    b, _, _ = run([T1.encode()])
    assert a == b


def test_wrapper_with_impossible_date_is_counted_not_raised() -> None:
    body = "PGHP,1,12,99219092010,6,11,11,46,11,390,231,45,1,2B"
    _, decoder, _ = run([f"${body}*{naive_checksum(body.encode()):02X}", T1])
    assert decoder.counters["messages"] == 1 and decoder.errors() == {"bad_framing": 1}
