"""CPU per file of `giamsat env ingest` (main process and parse workers), steady state.

Ingests bench/out/tt10-1200x12 (creating stations and series), then measures
bench/out/tt10-1200x48. Generate both first with bench/ingest.py --slots 12/48 --backend sqlite.
"""

import os
import resource
import shutil
import sys
import time

from giamsat.cli import app

home = "/tmp/cpuhome"
shutil.rmtree(home, ignore_errors=True)
os.environ["GIAMSAT_HOME"] = home
sys.argv = ["giamsat", "env", "ingest", "--quiet", "bench/out/tt10-1200x12"]
try:
    app(standalone_mode=False)
except SystemExit:
    pass
r0 = resource.getrusage(resource.RUSAGE_SELF)
c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
w0 = time.time()
sys.argv = ["giamsat", "env", "ingest", "--quiet", "bench/out/tt10-1200x48"]
app(standalone_mode=False)
r1 = resource.getrusage(resource.RUSAGE_SELF)
c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
n = 57600
main = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / n * 1e6
kids = (c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime) / n * 1e6
print(
    f"main {main:.0f} µs/file, workers {kids:.0f} µs/file, wall {(time.time() - w0) / n * 1e6:.0f} µs/file",
    file=sys.stderr,
)
