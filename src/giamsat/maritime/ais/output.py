"""Writers for ``giamsat ais decode``: JSON lines, gpsd JSON, CSV and Parquet."""

from __future__ import annotations

import csv
import io
import json
from typing import IO, Any

import orjson
import pyarrow as pa

from giamsat.maritime.ais.schema import message_schema, schema


class JsonLines:
    """One JSON object per message, our names and units."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, msg: dict[str, Any]) -> None:
        self.out.write(orjson.dumps(msg) + b"\n")

    def close(self) -> None:
        self.out.flush()


class Csv:
    """Columns of messages 1-27 plus metadata; binary application fields in ``app`` (JSON)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.names = [*message_schema().names, "app"]
        self.known = set(self.names)
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.writer(self.text)
        self.writer.writerow(self.names)

    def write(self, msg: dict[str, Any]) -> None:
        extra = {k: v for k, v in msg.items() if k not in self.known}
        row = []
        for name in self.names[:-1]:
            row.append(_cell(msg.get(name)))
        row.append(json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else "")
        self.writer.writerow(row)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


class Parquet:
    """Every column of every layout (see ``schema.schema``), rows in input order."""

    def __init__(self, out: IO[bytes] | str) -> None:
        import pyarrow.parquet as pq

        self.schema = schema()
        self.writer = pq.ParquetWriter(out, self.schema, compression="zstd")
        self.rows = 0

    def write_table(self, table: pa.Table) -> None:
        if table.num_rows:
            self.writer.write_table(table)
            self.rows += table.num_rows

    def close(self) -> None:
        self.writer.close()
