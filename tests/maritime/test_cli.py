"""``giamsat ais decode``: formats, output file, gzip, stdin, the summary on stderr."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.maritime.ais.schema import message_schema, schema

runner = CliRunner()


def _summary(stderr: str) -> dict:
    return json.loads(stderr.strip().splitlines()[-1])


def test_jsonl_to_stdout_with_summary(shared: Path) -> None:
    sample = shared / "corpus/ais/gpsd/sample.aivdm"
    result = runner.invoke(app, ["ais", "decode", str(sample)])
    assert result.exit_code == 0
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(rows) == 102 and rows[0]["mmsi"] == 371798000 and rows[0]["sog"] == 12.3
    assert rows[0]["source"] == "sample.aivdm"
    summary = _summary(result.stderr)
    assert summary["messages"] == 102 and summary["errors"] == {"not_nmea": 1}
    assert "sample.aivdm:978: not_nmea" in result.stderr  # one clear line per problem


def test_gzip_input_and_output_file(shared: Path, tmp_path: Path) -> None:
    sample = (shared / "corpus/ais/gpsd/sample.aivdm").read_bytes()
    gz = tmp_path / "sample.aivdm.gz"
    gz.write_bytes(gzip.compress(sample))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["ais", "decode", str(gz), "-o", str(out), "-q"])
    assert result.exit_code == 0 and result.stdout == ""
    assert len(out.read_text().splitlines()) == 102
    assert ":978:" not in result.stderr  # -q: the counts, not the problem lines


def test_stdin_and_dash() -> None:
    text = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n"
    for args in (["ais", "decode"], ["ais", "decode", "-"]):
        result = runner.invoke(app, [*args, "--format", "gpsd"], input=text)
        assert result.exit_code == 0
        assert json.loads(result.stdout)["lon"] == -123.3953833


def test_csv_columns_and_app_fields(shared: Path) -> None:
    sample = shared / "corpus/ais/gpsd/sample.aivdm"
    result = runner.invoke(app, ["ais", "decode", "-f", "csv", str(sample), "-q"])
    assert result.exit_code == 0
    import csv

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [*message_schema().names, "app"]
    assert len(rows) == 102
    gla = next(r for r in rows if r["type"] == "6" and r["dac"] == "235")
    assert json.loads(gla["app"])["ana_int"] == 13.7 and gla["mmsi"] == "992509976"
    assert rows[0]["accuracy"] == "true" and rows[0]["heading"] == "215"


def test_parquet_output(shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    log = shared / "corpus/ais/derived/real_aivdm_clean.nmea.gz"
    result = runner.invoke(app, ["ais", "decode", "-f", "parquet", str(log), "-o", str(out), "-q"])
    assert result.exit_code == 0
    table = pq.read_table(out)
    assert table.schema.names == schema().names
    assert table.num_rows == _summary(result.stderr)["messages"] == 48_591
    types = table.column("type").to_pylist()
    assert types.count(1) == 28_089


def test_bad_arguments() -> None:
    assert runner.invoke(app, ["ais", "decode", "--format", "xml", "x"]).exit_code == 2
    assert runner.invoke(app, ["ais", "decode", "/no/such/file"]).exit_code == 2
    result = runner.invoke(app, ["ais", "decode", "--asm", "6:574:10=nope", "-"], input="")
    assert result.exit_code == 2 and "unknown application" in result.stderr


def test_asm_alias_option() -> None:
    from giamsat.maritime.ais.asm import AsmRegistry
    from giamsat.maritime.ais.encode import encode

    registry = AsmRegistry()
    registry.alias(6, 574, 10, "gla_aton_monitor")
    msg = {"type": 6, "mmsi": 995740001, "dac": 574, "fi": 10, "ana_int": 12.0}
    line = encode(msg, registry=registry)[0]
    plain = runner.invoke(app, ["ais", "decode", "-"], input=line + "\n")
    aliased = runner.invoke(app, ["ais", "decode", "--asm", "6:574:10=gla_aton_monitor", "-"],
                            input=line + "\n")  # fmt: skip
    assert "ana_int" not in json.loads(plain.stdout)
    assert json.loads(aliased.stdout)["ana_int"] == 12.0


def test_installed_command_runs(shared: Path) -> None:
    """The console script from pyproject, in a real process, reading stdin."""
    exe = Path(sys.executable).with_name("giamsat")
    text = (shared / "corpus/ais/gpsd/sample.aivdm").read_bytes()
    done = subprocess.run([str(exe), "ais", "decode", "-f", "gpsd-raw", "-q"], input=text,
                          capture_output=True, check=True)  # fmt: skip
    expected = (shared / "corpus/ais/gpsd/sample.aivdm.ju.chk").read_bytes()
    ours, theirs = done.stdout.split(b"\r\n"), expected.split(b"\r\n")
    assert len(ours) == len(theirs) and sum(a != b for a, b in zip(ours, theirs, strict=True)) == 5
