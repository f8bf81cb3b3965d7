"""Benchmark of ``gaitlab.batch``: throughput with 1 and 2 workers, peak memory, batch overhead.

    python benchmarks/bench_batch.py                 # 500 files of 5 min at 100 Hz
    python benchmarks/bench_batch.py --files 60      # quicker

Inputs are generated once with :mod:`gaitlab.synth` into a cache folder (default
``~/.cache/gaitlab/bench_batch``): ``--unique`` distinct recordings (different seeds and cadences),
repeated under further names up to ``--files`` (the analysis does not cache, so copies cost the
same as distinct files). Prints a table; asserts nothing.

Columns: wall time and files/s of the whole batch (process start, numba warm-up and summary
tables included); scaling efficiency = (files/s with N workers) / (N x files/s with 1 worker);
peak RSS and PSS (shared pages split between processes) summed over this process and all its
children (psutil, sampled every 100 ms); overhead =
batch time per file beyond ``gaitlab.analyze`` itself (measured in a plain loop over the same
files in this process), relative to it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import threading
import time
from pathlib import Path

import gaitlab
import gaitlab.batch


def make_inputs(cache: Path, n_files: int, unique: int, duration_s: float, fs_hz: float) -> list[Path]:
    from gaitlab.synth import simulate_waist

    folder = cache / f"d{duration_s:g}_fs{fs_hz:g}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_files):
        path = folder / f"runner{i // 100:02d}" / f"run{i:04d}.csv.gz"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            src = folder / f"runner{(i % unique) // 100:02d}" / f"run{i % unique:04d}.csv.gz"
            if i >= unique and src.exists():
                shutil.copyfile(src, path)
            else:
                cadence = 155.0 + (i * 7) % 30
                rec = simulate_waist(duration_s, fs_hz, seed=i, cadence_spm=cadence).recording
                tmp = path.with_name(".tmp-" + path.name)
                gaitlab.write(rec, tmp)
                os.replace(tmp, path)
        paths.append(path)
    return paths


class PeakRSS:
    """Peak of the summed RSS of this process and its children, sampled in a thread."""

    def __init__(self, interval_s: float = 0.1) -> None:
        import psutil

        self._proc = psutil.Process()
        self._psutil = psutil
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> tuple[int, int]:
        rss = pss = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                info = p.memory_full_info()
            except (self._psutil.NoSuchProcess, self._psutil.AccessDenied):
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)  # PSS splits shared pages (fork server's imports)
        return rss, pss

    def _loop(self) -> None:
        while not self._stop.is_set():
            rss, pss = self._sample()
            self.peak_bytes = max(self.peak_bytes, rss)
            self.peak_pss_bytes = max(self.peak_pss_bytes, pss)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def analyze_only(paths: list[Path]) -> float:
    """Seconds per file of gaitlab.analyze alone (warm: kernels compiled first)."""
    gaitlab.analyze(paths[0])
    t0 = time.perf_counter()
    for p in paths:
        gaitlab.analyze(p)
    return (time.perf_counter() - t0) / len(paths)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--unique", type=int, default=20, help="distinct recordings generated")
    ap.add_argument("--duration", type=float, default=300.0, help="seconds per recording")
    ap.add_argument("--fs", type=float, default=100.0, help="sample rate (Hz)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "gaitlab" / "bench_batch")
    ap.add_argument("--scheduler", default=None, help="also run on Dask ('local' or an address)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    paths = make_inputs(args.cache, args.files, min(args.unique, args.files), args.duration, args.fs)
    gen_s = time.perf_counter() - t0
    folder = paths[0].parent.parent
    print(f"inputs: {len(paths)} files of {args.duration:g} s at {args.fs:g} Hz in {folder} "
          f"({sum(p.stat().st_size for p in paths) / 1e6:.0f} MB; prepared in {gen_s:.1f} s)")

    per_file_s = analyze_only(paths[: min(len(paths), 40)])
    print(f"gaitlab.analyze alone (in-process, warm): {per_file_s * 1e3:.0f} ms/file")

    configs = [(int(j), None) for j in args.jobs.split(",")]
    if args.scheduler:
        configs.append((max(int(j) for j in args.jobs.split(",")), args.scheduler))
    rows = []
    for jobs, scheduler in configs:
        with tempfile.TemporaryDirectory(prefix="gaitlab-bench-") as out:
            with PeakRSS() as mem:
                t0 = time.perf_counter()
                outcome = gaitlab.batch.execute([str(p) for p in paths], out=out, jobs=jobs, scheduler=scheduler,
                                                force=True, progress=False)
                wall = time.perf_counter() - t0
            s = outcome.stats
            rows.append({"jobs": jobs, "backend": scheduler or ("in-process" if jobs == 1 else "pool"),
                         "wall_s": wall, "files_per_s": len(paths) / wall, "peak_mb": mem.peak_bytes / 2**20,
                         "peak_pss_mb": mem.peak_pss_bytes / 2**20,
                         "ok": s.n_ok, "failed": s.n_failed, "in_task_overhead_pct":
                         100 * (s.task_s - s.analyze_s) / s.analyze_s if s.analyze_s else float("nan")})
    base = next((r["files_per_s"] for r in rows if r["jobs"] == 1), None)
    print()
    print(f"{'jobs':>4} {'backend':>10} {'wall s':>8} {'files/s':>8} {'scaling':>8} {'peak MB':>8} "
          f"{'PSS MB':>7} {'overhead':>9} {'in-task':>8} {'ok/fail':>8}")
    for r in rows:
        scaling = r["files_per_s"] / (r["jobs"] * base) if base else float("nan")
        overhead = (r["wall_s"] / len(paths) * r["jobs"] - per_file_s) / per_file_s
        print(f"{r['jobs']:>4} {r['backend']:>10} {r['wall_s']:>8.1f} {r['files_per_s']:>8.2f} {scaling:>8.0%} "
              f"{r['peak_mb']:>8.0f} {r['peak_pss_mb']:>7.0f} {overhead:>9.1%} {r['in_task_overhead_pct']:>7.1f}% "
              f"{r['ok']:>4}/{r['failed']}")
    print()
    print("overhead = (wall per file x jobs - analyze alone) / analyze alone (whole batch: start-up, "
          "warm-up, JSON, manifest, tables); in-task = JSON + manifest writing inside the workers")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"gaitlab {gaitlab.__version__}")


if __name__ == "__main__":
    main()
