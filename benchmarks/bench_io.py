"""Read/write throughput of gaitlab.io on a 3-hour 200 Hz recording (2.16 M rows, acc + gyro).

Run: python benchmarks/bench_io.py [--hours H]. Prints a table (format, file size, write s,
read s, rows/s read) and the machine; asserts nothing. Files go to a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from gaitlab import Recording
from gaitlab.io import read, write


def make_recording(hours: float, fs_hz: float = 200.0) -> Recording:
    n = int(round(hours * 3600 * fs_hz))
    rng = np.random.default_rng(0)
    t = np.arange(n) / fs_hz
    w = 2 * np.pi * 2.8 * t
    acc = np.column_stack([0.2 * np.sin(w + 0.5), 0.1 * np.sin(w / 2), 1.0 + 0.7 * np.sin(w)])
    acc += rng.normal(0, 0.02, acc.shape)
    gyr = np.column_stack([30 * np.sin(w / 2), 40 * np.cos(w), 15 * np.sin(w)]) + rng.normal(0, 1, acc.shape)
    return Recording(t, acc, gyr, fs=fs_hz)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=float, default=3.0)
    args = ap.parse_args()
    rec = make_recording(args.hours)
    print(f"gaitlab.io benchmark: {rec.n_samples:,} rows ({args.hours:g} h at {rec.fs:g} Hz, acc + gyro)")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    print(f"{'format':<9} {'size MB':>8} {'write s':>8} {'read s':>8} {'rows/s read':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("run.csv", "run.csv.gz", "run.parquet"):
            path = Path(tmp) / name
            t0 = time.perf_counter()
            write(rec, path)
            t_write = time.perf_counter() - t0
            t0 = time.perf_counter()
            back = read(path)
            t_read = time.perf_counter() - t0
            assert back.n_samples == rec.n_samples  # sanity of the measurement, not a test
            size = path.stat().st_size / 1e6
            print(f"{name.split('.', 1)[1]:<9} {size:>8.1f} {t_write:>8.2f} {t_read:>8.2f} "
                  f"{rec.n_samples / t_read:>13,.0f}")


if __name__ == "__main__":
    main()
