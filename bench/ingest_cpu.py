"""CPU per file of `giamsat env ingest`, main process and parse workers, in steady state.

Ingests bench/out/tt10-1200x12 first (creating stations and series), then measures
bench/out/tt10-1200x48. Generate both with `python bench/ingest.py --slots 12` and
`--slots 48` (`--backend sqlite`). CPU time, unlike wall time, stays meaningful on a busy box.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sys
import time

from giamsat.cli import app

HOME = "/tmp/giamsat-ingest-cpu"
FILES = 1200 * 48


def cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def main() -> None:
    shutil.rmtree(HOME, ignore_errors=True)
    os.environ["GIAMSAT_HOME"] = HOME
    sys.argv = ["giamsat", "env", "ingest", "--quiet", "bench/out/tt10-1200x12"]
    with contextlib.suppress(SystemExit):
        app(standalone_mode=False)
    main0, kids0, wall0 = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN), time.time()
    sys.argv = ["giamsat", "env", "ingest", "--quiet", "bench/out/tt10-1200x48"]
    with contextlib.suppress(SystemExit):
        app(standalone_mode=False)
    main_us = (cpu(resource.RUSAGE_SELF) - main0) / FILES * 1e6
    kids_us = (cpu(resource.RUSAGE_CHILDREN) - kids0) / FILES * 1e6
    wall_us = (time.time() - wall0) / FILES * 1e6
    print(
        f"main {main_us:.0f} µs/file, workers {kids_us:.0f} µs/file, wall {wall_us:.0f} µs/file",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
