"""Benchmark of ``gaitlab.history``: a season of JSON results of real size, loaded into trends.

    python benchmarks/bench_history.py                 # 2000 results of a 30-min run
    python benchmarks/bench_history.py --runs 500 --minutes 10

One synthetic run (``gaitlab.synth``, waist, 100 Hz) is analysed once; its JSON (as ``gaitlab
analyze --json`` writes it, with the full per-step table) is then written ``--runs`` times into a
temporary folder with a different start time (four runs a week), runner, shoe tag and summary
values, so every file has the real size and layout. Prints the time to build the history (head
and tail reads only), the time the naive way (``json.load`` of whole files) takes on a sample, and
the time to write the HTML page. The files are in the page cache (just written): a cold disk adds
its read time for ~80 kB a file. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

import gaitlab
from gaitlab.season import history
from gaitlab.synth import simulate_waist


def write_season(folder: Path, runs: int, minutes: float, seed: int = 0) -> tuple[int, float]:
    sim = simulate_waist(60.0 * minutes, fs=100.0, seed=seed, cadence_spm=168.0)
    a = gaitlab.analyze(sim.recording)
    doc = a.to_dict()
    steps_text = json.dumps(doc["steps"], indent=1)  # the CLI writes indent=1
    doc["steps"] = "@STEPS@"
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1, 7, 0)
    size = 0
    for i in range(runs):
        runner = f"runner{i % 4}"
        k = i // 4
        when = start + timedelta(days=7 * k / 4.0, hours=float(rng.uniform(0, 10)))
        doc["input"] = {**doc["input"], "path": f"{runner}/run{k:04d}.csv", "start_time": when.isoformat() + "+01:00",
                        "tags": {"athlete": runner, "shoe": ("Pegasus40", "Clifton9")[k % 2]}}
        doc["summary"] = {**doc["summary"], "cadence_spm": 168.0 + 5.0 * k / (runs / 4) + 2.0 * rng.standard_normal(),
                          "gct_ms": 250.0 + 6.0 * rng.standard_normal()}
        text = json.dumps(doc, indent=1).replace('"@STEPS@"', steps_text)
        p = folder / runner / f"run{k:04d}.csv.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text + "\n")
        size += len(text)
    return size, float(len(a.steps))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--minutes", type=float, default=30.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="gaitlab-bench-history-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        size, n_steps = write_season(folder, args.runs, args.minutes)
        print(f"season: {args.runs} JSON results of a {args.minutes:g}-min run ({n_steps:.0f} steps, "
              f"{size / args.runs / 1e6:.2f} MB each, {size / 1e9:.2f} GB in all), written in "
              f"{time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        h = history(folder)
        t_hist = time.perf_counter() - t0
        print(f"gaitlab.history: {len(h.runs)} runs, {len(h.runners)} runners, {len(h.weekly)} runner-weeks "
              f"in {t_hist:.2f} s ({1000 * t_hist / args.runs:.2f} ms a run)")
        sample = sorted(folder.rglob("*.json"))[:100]
        t0 = time.perf_counter()
        for p in sample:
            with open(p) as fh:
                json.load(fh)
        t_full = (time.perf_counter() - t0) / len(sample)
        print(f"naive json.load of whole files: {1000 * t_full:.1f} ms a run -> {t_full * args.runs:.1f} s for "
              f"{args.runs} runs (measured on {len(sample)})")
        t0 = time.perf_counter()
        h.to_html(folder / "history.html")
        print(f"history page with figures for {len(h.runners)} runners: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
