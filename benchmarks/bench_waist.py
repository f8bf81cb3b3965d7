"""Waist pipeline speed: kernels alone, end to end from CSV, and a cold start in a new process.

Prints figures (asserts nothing), with the machine's core count:

* kernels alone on a 1-hour 200 Hz signal after JIT: samples/s per core (goal >= 20 M/s);
* ``gaitlab analyze`` of a 3-hour 200 Hz CSV end to end (goal <= 3 s wall on 2 cores) and peak
  memory against the raw signal (goal <= 4x);
* a second run in a new process: time until analysis starts (numba cache; goal <= 2 s).

Run: ``python benchmarks/bench_waist.py [--hours 3] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _kernels(fs: float, hours: float) -> list[tuple[str, float, float, float]]:
    from gaitlab.kernels.events import contact_edges, find_humps
    from gaitlab.kernels.filters import lowpass as _lowpass
    from gaitlab.kernels.integrate import flight_apex, vertical_oscillation
    from gaitlab.kernels.signal import rotate_blocks
    from gaitlab.kernels.stepstats import step_statistics
    from gaitlab.synth import simulate_waist

    rec = simulate_waist(hours * 3600, fs=fs, seed=1, noise="clean").recording
    acc = np.ascontiguousarray(rec.acc)
    n = acc.shape[0]
    rot = np.eye(3)[None].repeat(1, axis=0)
    starts = np.zeros(1, dtype=np.int64)

    def pipeline():
        body = rotate_blocks(acc, rot, starts)
        fz = np.ascontiguousarray(body[:, 2])
        ys = _lowpass(fz, fs, 5.0)
        up, down, _, _ = find_humps(ys, 1.0, 0.9, 1.15)
        ic, to, *_ = contact_edges(fz, up, down, 0.2, 1.3, 0.5)
        flight_apex(fz, down, to, fs)
        vertical_oscillation(fz, ic, fs)
        step_statistics(fz, fz, body[:, 0].copy(), body[:, 1].copy(), ic, to, fs, 0.05)

    t0 = time.perf_counter()
    pipeline()  # first call: JIT or cache load
    first = time.perf_counter() - t0
    best = min(_timed(pipeline) for _ in range(3))
    return [("all waist kernels (rotate, low-pass, humps, edges, apex, VO, stats)", n, first, best)]


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _end_to_end(path: Path) -> tuple[float, float, float, float]:
    """Wall time and peak RSS of a cold ``analyze`` of ``path`` in a new process, then the peak
    array memory (tracemalloc) of reading and of analysing in a second, warm pass."""
    code = (
        "import time, resource, tracemalloc, gaitlab\n"
        f"t0 = time.perf_counter(); a = gaitlab.analyze({str(path)!r}, report=False)\n"
        "dt = time.perf_counter() - t0\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "del a\n"
        "tracemalloc.start()\n"
        f"rec = gaitlab.read({str(path)!r})\n"
        "read_peak = tracemalloc.get_traced_memory()[1]\n"
        "tracemalloc.reset_peak(); base = tracemalloc.get_traced_memory()[0]\n"
        "gaitlab.analyze(rec, report=False)\n"
        "print(dt, peak, read_peak / 1e6, (tracemalloc.get_traced_memory()[1] - base) / 1e6)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    dt, peak, read_mb, analyze_mb = (float(v) for v in out.split())
    return dt, peak, read_mb, analyze_mb


def _startup(path: Path) -> float:
    """Seconds from process start until the first kernel has run (imports + numba cache load)."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import numpy as np, gaitlab\n"
        "from gaitlab.gait.waist import WaistPipeline\n"
        "from gaitlab.synth import simulate_waist\n"
        "rec = gaitlab.Recording(np.arange(2000) / 200.0, np.tile([0, 0, 1.0], (2000, 1)), placement='waist')\n"
        "WaistPipeline().run(rec)\n"
        "print(time.perf_counter() - t0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=3.0, help="length of the end-to-end CSV (h)")
    ap.add_argument("--fs", type=float, default=200.0)
    ap.add_argument("--keep", type=Path, help="folder to keep the generated CSV in (reused if present)")
    args = ap.parse_args()

    import gaitlab
    from gaitlab.synth import simulate_waist

    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"{'stage':72s} {'samples':>10s} {'first s':>8s} {'warm ms':>9s} {'Msamples/s':>11s}")
    for name, n, first, warm in _kernels(args.fs, 1.0):
        print(f"{name:72s} {n:10d} {first:8.2f} {warm * 1e3:9.1f} {n / warm / 1e6:11.1f}")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="gaitlab-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"waist_{args.hours:g}h_{args.fs:g}hz.csv"
    if not path.exists():
        rec = simulate_waist(args.hours * 3600, fs=args.fs, seed=2, mounting="random", noise="realistic").recording
        gaitlab.write(rec.replace(extra={}), path)
    n = int(args.hours * 3600 * args.fs)
    raw_mb = n * 4 * 8 / 1e6  # t + 3 axes as float64
    dt, peak, read_mb, analyze_mb = _end_to_end(path)
    print(f"\nanalyze {path.name} ({n:,} rows, {path.stat().st_size / 1e6:.0f} MB CSV): "
          f"{dt:.2f} s wall end to end (read + analyse, cold process), peak RSS {peak:.0f} MB "
          f"(libraries included)")
    print(f"array memory (tracemalloc): reading peaks at {read_mb:.0f} MB = {read_mb / raw_mb:.1f}x the raw "
          f"signal ({raw_mb:.0f} MB); analysing adds at most {analyze_mb:.0f} MB = {analyze_mb / raw_mb:.1f}x "
          f"on top of the loaded recording")
    print(f"new process until analysis starts (imports + numba cache): {_startup(path):.2f} s")


if __name__ == "__main__":
    main()
