"""AIS decoding throughput: our batch and stream decoders against pyais, in one process.

Corpus: ../shared/corpus/ais/derived/real_aivdm_clean.nmea.gz repeated 20 times (~1 M lines),
loaded into memory first (as in shared/reference/ais-anchors-aton.md section 4). The process
is pinned to one core. Each case runs once to warm up, then ``--runs`` times; the median is
reported, as wall-clock and as CPU time of this process (the CPU figure is the steadier one on
a shared machine). pyais is a dev dependency used here and in cross-checks only.

    .venv/bin/python bench/ais_decode.py [--repeat 20] [--runs 3] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = (
    HERE.parent.parent / "shared" / "corpus" / "ais" / "derived" / "real_aivdm_clean.nmea.gz"
)


def timed(fn, runs: int) -> tuple[float, float, object]:
    fn()  # warm-up
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        gc.collect()
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from giamsat.maritime.ais.batch import decode_batch
    from giamsat.maritime.ais.stream import StreamDecoder

    data = gzip.decompress(args.corpus.read_bytes()) * args.repeat
    lines = data.splitlines()
    print(
        f"corpus: {args.corpus.name} x{args.repeat} = {len(lines):,} lines, {len(data) / 1e6:.1f} MB"
    )

    def batch():
        return decode_batch(data)

    def stream():
        dec = StreamDecoder()
        feed = dec.feed
        n = 0
        for line in lines:
            n += len(feed(line))
        dec.flush()
        return n

    def batch_table():
        return decode_batch(data).to_table()

    results = {}
    w, c, b = timed(batch, args.runs)
    msgs = b.messages
    results["giamsat batch (numpy -> Arrow columns)"] = (w, c, msgs)
    w, c, table = timed(batch_table, args.runs)
    assert table.num_rows == msgs
    results["giamsat batch + one Arrow table in order"] = (w, c, msgs)
    w, c, n = timed(stream, args.runs)
    assert n == msgs, (n, msgs)
    results["giamsat StreamDecoder.feed (dicts)"] = (w, c, n)

    def stream_python():
        dec = StreamDecoder(accelerated=False)
        feed = dec.feed
        n = 0
        for line in lines:
            n += len(feed(line))
        dec.flush()
        return n

    w, c, n = timed(stream_python, args.runs)
    results["giamsat StreamDecoder.feed, pure Python"] = (w, c, n)

    try:
        from pyais.stream import IterMessages
    except ImportError:  # pragma: no cover - pyais is a dev dependency
        IterMessages = None
    if IterMessages is not None:

        def pyais_decode():
            n = 0
            for m in IterMessages(lines):
                try:
                    m.decode()
                    n += 1
                except Exception:  # pyais raises on messages it cannot decode
                    pass
            return n

        def pyais_asdict():
            n = 0
            for m in IterMessages(lines):
                try:
                    m.decode().asdict()
                    n += 1
                except Exception:
                    pass
            return n

        results["pyais IterMessages + decode()"] = timed(pyais_decode, args.runs)
        results["pyais IterMessages + decode().asdict()"] = timed(pyais_asdict, args.runs)

    print(
        f"\n{'case':42} {'wall s':>8} {'cpu s':>8} {'msgs':>10} {'M msg/s wall':>13} {'M msg/s cpu':>12}"
    )
    for name, (w, c, n) in results.items():
        print(f"{name:42} {w:8.3f} {c:8.3f} {n:10,} {n / w / 1e6:13.3f} {n / c / 1e6:12.3f}")

    if IterMessages is not None:
        base_w, base_c, _ = results["pyais IterMessages + decode()"]
        dict_w, dict_c, _ = results["pyais IterMessages + decode().asdict()"]
        bw, bc, _ = results["giamsat batch (numpy -> Arrow columns)"]
        sw, sc, _ = results["giamsat StreamDecoder.feed (dicts)"]
        pw, pc, _ = results["giamsat StreamDecoder.feed, pure Python"]
        tw, tc, _ = results["giamsat batch + one Arrow table in order"]
        print("\nratios (pyais time / our time, same lines, same process):")
        rows = [
            ("batch  vs pyais decode()", base_w / bw, base_c / bc, "(target >= 10x)"),
            ("batch + one wide table vs decode()", base_w / tw, base_c / tc, ""),
            ("stream vs pyais decode()", base_w / sw, base_c / sc, "(target >= 2x)"),
            ("stream vs pyais decode().asdict()", dict_w / sw, dict_c / sc, ""),
            ("stream, pure Python, vs decode()", base_w / pw, base_c / pc, ""),
        ]
        for label, wall, cpu, note in rows:
            print(f"  {label:36} {wall:6.1f}x wall {cpu:6.1f}x cpu  {note}")
        print(
            f"  batch throughput: {msgs / bc / 1e6:.2f} M msg/s cpu, {msgs / bw / 1e6:.2f} M msg/s"
            " wall (target >= 1 M msg/s; AIS-catcher's C++ ~0.87 M/s on this machine)"
        )

    # Memory kept per decoded message.
    sample = lines[: min(len(lines), 200_000)]
    gc.collect()
    tracemalloc.start()
    dec = StreamDecoder()
    kept = [m for line in sample for m in dec.feed(line)]
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\nmemory per message kept as a dict (tracemalloc, {len(kept):,} messages): "
        f"{current / len(kept):.0f} bytes"
    )
    pieces = decode_batch(b"\n".join(sample)).tables()
    rows_n = sum(t.num_rows for _, t in pieces)
    size = sum(t.nbytes + o.nbytes for o, t in pieces)
    print(
        f"memory per message in the batch's per-layout Arrow tables ({rows_n:,} rows, "
        f"{len(pieces)} tables): {size / rows_n:.0f} bytes"
    )
    del kept, pieces
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
