"""TT10 file name and content parsing."""

from __future__ import annotations

import pytest

from giamsat.environment.tt10 import (
    FileName,
    Problem,
    decode,
    looks_binary,
    parse_content,
    parse_name,
)


def codes(parsed) -> list[str]:
    return [p.code for p in parsed.problems]


def test_name_splits_station_code_and_time() -> None:
    name = parse_name("HN_ABCD_NUOC01_20240315103000.TXT")
    assert isinstance(name, FileName)
    assert (name.station_code, name.province, name.facility, name.station) == (
        "HN_ABCD_NUOC01",
        "HN",
        "ABCD",
        "NUOC01",
    )
    assert name.local_time == "20240315103000"


@pytest.mark.parametrize(
    "bad",
    [
        "HN_ABCD_20240315103000.txt",
        "HN_ABCD_NUOC01_2024031510300.txt",
        "HN_ABCD_NUOC01_20240315103000.csv",
        "HN_ABCD_NUOC01_20241315103000.txt",
        "HN__NUOC01_20240315103000.txt",
        "notes.txt",
    ],
)
def test_bad_names_are_problems(bad: str) -> None:
    result = parse_name(bad)
    assert isinstance(result, Problem) and result.code == "bad_name"


def test_extra_name_tokens_are_kept_aside() -> None:
    name = parse_name("dir/HN_ABCD_NUOC_THAI_20240315103000.txt")
    assert isinstance(name, FileName)
    assert name.station_code == "HN_ABCD_NUOC" and name.extra_tokens == ("THAI",)


def test_tolerant_content() -> None:
    content = (
        "\ufeffpH\t7,12\t-\t20240315103000\t00\r\n"
        "\r\n"
        "TSS   20.1   mg/l   20240315103000   01\n"
        "Nhiệt độ 29.8 °C 20240315103000 00\r"
        "PM2,5\t35.2\tug/m3\t20240315103000\t02\n"
    ).encode("utf-8")
    parsed = parse_content(content)
    got = {(r.parameter, r.value, r.unit, r.status) for r in parsed.readings}
    assert got == {
        ("pH", 7.12, "-", 0),
        ("TSS", 20.1, "mg/L", 1),
        ("Temp", 29.8, "°C", 0),
        ("PM2.5", 35.2, "µg/m3", 2),
    }
    assert parsed.problems == []


def test_cp1258_fallback() -> None:
    # cp1258 writes Vietnamese as base letters plus combining tone marks
    text = "Nhi\u00ea\u0323t \u0111\u00f4\u0323\t29.8\t\u00b0C\t20240315103000\t00\n"
    parsed = parse_content(text.encode("cp1258"))
    assert parsed.encoding == "cp1258"
    assert [r.parameter for r in parsed.readings] == ["Temp"]


def test_latin1_last_resort() -> None:
    content = "COD\t12\tmg/L\t20240315103000\t00\nX\x81\t1\t-\t20240315103000\t00\n".encode(
        "latin-1"
    )
    assert decode(content)[1] == "latin-1"
    assert len(parse_content(content).readings) == 2


def test_line_errors_carry_line_numbers_and_keep_good_lines() -> None:
    content = (
        b"COD\t45.3\tmg/L\t20240315103000\t00\n"
        b"TSS\tabc\tmg/L\t20240315103000\t00\n"
        b"NH4\t1.2\tmg/L\t2024031510\t00\n"
        b"TN\t3\tmg/L\t20240315103000\tOK\n"
        b"just garbage\n"
    )
    parsed = parse_content(content)
    assert [r.parameter for r in parsed.readings] == ["COD"]
    assert [(p.code, p.line) for p in parsed.problems] == [
        ("bad_value", 2),
        ("bad_time", 3),
        ("bad_status", 4),
        ("bad_line", 5),
    ]


def test_repeated_and_conflicting_lines() -> None:
    content = (
        b"COD\t45.3\tmg/L\t20240315103000\t00\n"
        b"COD\t45.3\tmg/L\t20240315103000\t00\n"
        b"COD\t50\tmg/L\t20240315103000\t00\n"
    )
    parsed = parse_content(content)
    assert [r.value for r in parsed.readings] == [45.3]
    assert codes(parsed) == ["repeated_line", "conflicting_line"]
    assert parsed.problems[0].severity == "warning" and parsed.problems[1].severity == "error"


def test_unknown_parameter_is_kept() -> None:
    parsed = parse_content(b"Mystery\t1.5\tppm\t20240315103000\t00\n")
    assert parsed.readings[0].parameter == "Mystery" and not parsed.readings[0].known
    assert codes(parsed) == ["unknown_parameter"]


def test_no_valid_line_rejects() -> None:
    assert parse_content(b"\n\n").rejected
    assert codes(parse_content(b"a b\n")) == ["bad_line", "no_valid_lines"]


def test_binary_detection() -> None:
    assert looks_binary(b"\x00\x01\x02\x03abc")
    assert looks_binary(bytes(range(1, 32)) * 4)
    assert not looks_binary(b"COD\t1\tmg/L\t20240315103000\t00\r\n")
