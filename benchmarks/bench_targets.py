"""Issue #17's speed targets, measured in one run, with PASS/FAIL per target and the machine's load.

    PYTHONPATH=$PWD python benchmarks/bench_targets.py            # all targets (~3-5 min)
    PYTHONPATH=$PWD python benchmarks/bench_targets.py --only inproc,cli,startup
    PYTHONPATH=$PWD python benchmarks/bench_targets.py --reps 7 --batch-files 80 --sensors 20

Targets (``--only`` names in brackets):

* [inproc]  in-process ``gaitlab.analyze(rec)`` of a 1-hour 100 Hz synthetic waist run, flags included:
  >= 10 M samples/s;
* [cli]     a whole ``gaitlab analyze FILE --json OUT`` of a 1-hour 200 Hz CSV within 3x a new process
  that only runs ``pandas.read_csv`` of the same file, alternated in the same run;
* [cli3h]   ``gaitlab analyze`` of a 3-hour 200 Hz CSV end to end (new process): <= 2 s;
* [startup] a new process until analysis starts (imports + numba cache; the first kernel has run): <= 0.6 s;
* [batch]   ``gaitlab.batch.execute`` of 5-minute 100 Hz files: >= 15 files/s on 2 workers and a
  2-worker scaling >= 85 % of twice the 1-worker rate;
* [live]    20 emulated GLF sensors streaming a waist run at once through bleak + bumble's virtual
  radio into one event loop, each with a ``LiveWaistAnalyzer``: p95 latency from a notification's
  arrival to its update in ``async for`` <= 50 ms.

Every timing is repeated (``--reps``); the median decides, the range is printed next to it. Timings on a
shared machine swing with its load, which is printed before and after. Synthetic data only; prints,
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS: list[tuple[str, str, bool]] = []


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # an installed package has its .pyc files; without them every new process recompiles ~60 modules
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _spread(values: list[float], fmt: str = "{:.3f}") -> str:
    return f"median {fmt.format(statistics.median(values))} (range {fmt.format(min(values))}-{fmt.format(max(values))}, n={len(values)})"


def _verdict(name: str, measured: str, ok: bool) -> None:
    RESULTS.append((name, measured, ok))
    print(f"  -> {'PASS' if ok else 'FAIL'}: {name}: {measured}", flush=True)


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), cwd=ROOT)
    return time.perf_counter() - t0


def _csv(folder: Path, hours: float, fs: float) -> Path:
    import gaitlab
    from gaitlab.synth import simulate_waist

    path = folder / f"waist_{hours:g}h_{fs:g}hz.csv"
    if not path.exists():
        rec = simulate_waist(hours * 3600, fs=fs, seed=2, mounting="random", noise="realistic").recording
        tmp = path.with_name(".tmp-" + path.name)
        gaitlab.write(rec.replace(extra={}), tmp)
        os.replace(tmp, path)
    return path


# -- targets ----------------------------------------------------------------------------------------
def inproc(reps: int) -> None:
    import gaitlab
    from gaitlab.synth import simulate_waist

    rec = simulate_waist(3600, fs=100, seed=1).recording
    gaitlab.analyze(rec)  # warm-up: numba cache, first-call costs
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        gaitlab.analyze(rec)
        times.append(time.perf_counter() - t0)
    rates = [rec.n_samples / t / 1e6 for t in times]
    print(f"in-process analyze(), 1 h 100 Hz ({rec.n_samples:,} samples), flags included: "
          f"{_spread([t * 1e3 for t in times], '{:.1f}')} ms = {_spread(rates, '{:.2f}')} M samples/s")
    _verdict("in-process analyze >= 10 M samples/s", f"{statistics.median(rates):.2f} M samples/s",
             statistics.median(rates) >= 10.0)


def cli(folder: Path, reps: int) -> None:
    path = _csv(folder, 1.0, 200.0)
    out = folder / "out.json"
    analyze = [sys.executable, "-m", "gaitlab.cli", "analyze", str(path), "--json", str(out)]
    read = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
    _wall(analyze)  # first run after a code change may (re)write the numba cache
    a, r = [], []
    for _ in range(reps):  # alternated so both see the same load
        a.append(_wall(analyze))
        r.append(_wall(read))
    ratios = [x / y for x, y in zip(a, r, strict=True)]
    print(f"`gaitlab analyze` 1 h 200 Hz CSV ({path.stat().st_size / 1e6:.0f} MB): {_spread(a)} s; "
          f"new process with bare pandas.read_csv: {_spread(r)} s; ratio per pair {_spread(ratios, '{:.2f}')}")
    ratio = statistics.median(a) / statistics.median(r)
    _verdict("whole `gaitlab analyze` <= 3x bare pandas.read_csv (1 h 200 Hz CSV)", f"{ratio:.2f}x", ratio <= 3.0)


def cli3h(folder: Path, reps: int) -> None:
    path = _csv(folder, 3.0, 200.0)
    out = folder / "out3h.json"
    cmd = [sys.executable, "-m", "gaitlab.cli", "analyze", str(path), "--json", str(out)]
    _wall(cmd)
    times = [_wall(cmd) for _ in range(max(3, reps // 2))]
    print(f"`gaitlab analyze` 3 h 200 Hz CSV ({path.stat().st_size / 1e6:.0f} MB), new process: {_spread(times)} s")
    _verdict("3 h at 200 Hz end to end <= 2 s", f"{statistics.median(times):.2f} s", statistics.median(times) <= 2.0)


STARTUP = (
    "import time; t0 = time.perf_counter()\n"
    "import numpy as np, gaitlab\n"
    "from gaitlab.gait.waist import WaistPipeline\n"
    "rec = gaitlab.Recording(np.arange(2000) / 200.0, np.tile([0, 0, 1.0], (2000, 1)), placement='waist')\n"
    "WaistPipeline().run(rec)\n"
    "print(time.perf_counter() - t0)\n"
)


FLOOR = (
    "import time; t0 = time.perf_counter()\n"
    "import numpy, pandas, numba\n"
    "from numba.core.registry import cpu_target\n"
    "cpu_target.target_context.refresh(); cpu_target.typing_context.refresh()\n"
    "print(time.perf_counter() - t0)\n"
)


def startup(reps: int) -> None:
    # interpreter start itself (python -c pass) is added: the user waits for it too
    bare = []
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", STARTUP], check=True, capture_output=True, text=True,
                             env=_env(), cwd=ROOT).stdout
        wall = time.perf_counter() - t0
        inner = float(out.split()[-1])
        times.append(inner)
        bare.append(wall - inner)
    floor = [float(subprocess.run([sys.executable, "-c", FLOOR], check=True, capture_output=True, text=True,
                                  env=_env(), cwd=ROOT).stdout.split()[-1]) for _ in range(reps)]
    print(f"new process until analysis starts (imports + numba cache + first kernels): {_spread(times)} s "
          f"(+ interpreter start and exit {_spread(bare)} s)")
    print(f"  floor: import numpy + pandas + numba and initialise numba's target context (what loading the "
          f"first cached kernel does; it imports scipy.linalg for numba's BLAS check): {_spread(floor)} s")
    _verdict("new process analysing after <= 0.6 s", f"{statistics.median(times):.2f} s", statistics.median(times) <= 0.6)


def batch(n_files: int, reps: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_batch import make_inputs

    import gaitlab.batch

    paths = make_inputs(Path.home() / ".cache" / "gaitlab" / "bench_batch", n_files, min(20, n_files), 300.0, 100.0)
    rates: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(max(1, reps // 3)):
        for jobs in (1, 2):
            with tempfile.TemporaryDirectory(prefix="gaitlab-bench-") as out:
                t0 = time.perf_counter()
                gaitlab.batch.execute([str(p) for p in paths], out=out, jobs=jobs, force=True, progress=False)
                rates[jobs].append(len(paths) / (time.perf_counter() - t0))
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    scaling = two / (2 * one)
    print(f"batch, {len(paths)} files of 5 min at 100 Hz (pool start-up and warm-up included): "
          f"1 worker {_spread(rates[1], '{:.1f}')} files/s, 2 workers {_spread(rates[2], '{:.1f}')} files/s, "
          f"scaling {scaling:.1%}")
    _verdict("batch >= 15 files/s on 2 workers", f"{two:.1f} files/s", two >= 15.0)
    _verdict("batch 2-worker scaling >= 85 %", f"{scaling:.1%}", scaling >= 0.85)


async def _live(n_sensors: int, seconds: float) -> tuple[np.ndarray, int, int]:
    import gaitlab.stream as gs
    from gaitlab.stream.analyzer import LiveWaistAnalyzer
    from gaitlab.synth import simulate_waist
    from gaitlab.testing import GaitlabSensorEmulator, VirtualRadio

    fs = 200.0
    radio = VirtualRadio()
    sensors = []
    for i in range(n_sensors):
        rec = simulate_waist(seconds + 5, fs=fs, seed=10 + i, noise="realistic").recording
        sensor = GaitlabSensorEmulator(radio, rec.t, np.clip(rec.acc, -15.9, 15.9), speed=1.0,
                                       name=f"GS{i:02d}", address=f"D1:A7:5E:00:01:{i:02X}")
        await sensor.start()
        sensors.append(sensor)
    lat: list[float] = []
    updates = rsc = 0

    async def consume(s) -> None:
        # Only updates that carry new samples: GaitSim also notifies RSC (speed) once a second, and
        # the update after it keeps ``arrival_s`` of the newest *IMU* packet, so its age (0-200 ms,
        # the time since that packet) is no processing latency. Counting those updates is what made
        # the "p95 86 ms" (measured: 0.1-0.3 ms from the RSC notification to its update).
        nonlocal updates, rsc
        seen = 0
        async for u in s:
            if u.n_samples > seen:
                lat.append(time.time() - u.arrival_s)
                updates += 1
                seen = u.n_samples
            elif u.n_samples:
                rsc += 1

    async with contextlib.AsyncExitStack() as stack:
        streams = []
        for sensor in sensors:  # connected one after the other: bumble's virtual scanners do not share
            streams.append(await stack.enter_async_context(gs.connect(
                sensor.name, duration_s=seconds, analyzer=LiveWaistAnalyzer(fs=fs),
                scanner_backend=radio.scanner_backend, client_backend=radio.client_backend)))
        await asyncio.gather(*(consume(s) for s in streams))
    for s in sensors:
        await s.close()
    return np.array(lat) * 1e3, updates, rsc


def live(n_sensors: int, seconds: float) -> None:
    from gaitlab.stream.analyzer import LiveWaistAnalyzer
    from gaitlab.synth import simulate_waist

    warm = LiveWaistAnalyzer(fs=200.0)  # numba kernels and the report's imports loaded before timing
    rec = simulate_waist(40, fs=200.0, seed=1).recording
    for a in range(0, rec.n_samples, 36):
        warm.push(rec.t[a:a + 36], rec.acc[a:a + 36], None)
    lat, n, rsc = asyncio.run(_live(n_sensors, seconds))
    p95 = float(np.percentile(lat, 95))
    print(f"live, {n_sensors} emulated sensors x {seconds:g} s at 200 Hz, LiveWaistAnalyzer each, one event loop: "
          f"{n} updates with new samples ({rsc} RSC-only updates not counted), latency median {np.median(lat):.1f} ms, p95 {p95:.1f} ms, p99 {np.percentile(lat, 99):.1f} ms, "
          f"max {lat.max():.1f} ms")
    _verdict(f"live p95 latency <= 50 ms with {n_sensors} sensors", f"{p95:.1f} ms", p95 <= 50.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="inproc,cli,cli3h,startup,batch,live")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--batch-files", type=int, default=200)
    ap.add_argument("--sensors", type=int, default=20)
    ap.add_argument("--live-seconds", type=float, default=20.0)
    ap.add_argument("--keep", type=Path, default=Path.home() / ".cache" / "gaitlab" / "bench_targets",
                    help="folder for the generated CSVs (reused)")
    args = ap.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(","))
    import gaitlab

    print(f"machine: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, "
          f"gaitlab {gaitlab.__version__} from {Path(gaitlab.__file__).parent}")
    print(f"load average at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    t0 = time.perf_counter()
    if "inproc" in only:
        inproc(max(args.reps, 5))
    if "startup" in only:
        startup(args.reps)
    if "cli" in only:
        cli(args.keep, args.reps)
    if "cli3h" in only:
        cli3h(args.keep, args.reps)
    if "batch" in only:
        batch(args.batch_files, args.reps)
    if "live" in only:
        live(args.sensors, args.live_seconds)
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({time.perf_counter() - t0:.0f} s; {os.cpu_count()} cores)")
    print(f"{'target':<62} {'measured':>16}  result")
    for name, measured, ok in RESULTS:
        print(f"{name:<62} {measured:>16}  {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
