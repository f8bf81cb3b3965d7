"""How many 200 Hz sensors one core can decode + record live, and arrival-to-update latency.

    python benchmarks/bench_stream.py [--seconds 60] [--latency-seconds 5] [--analysis-seconds 120]

Part 1 runs the per-notification work of a live stream (decode -> Timeline -> CSV recorder ->
analyzer) on pre-encoded notifications of each protocol, on one core, and converts the CPU time per
second of signal into "sensors per core" at 200 Hz. Part 2 streams one emulated sensor at real-time
speed through bleak + the bumble backend + the virtual radio and measures, for every update, the
time from the newest packet's arrival in the notification callback to the update reaching the
`async for` loop. Part 3 adds the live waist analysis (`LiveWaistAnalyzer`) on a synthetic run in
36-sample (PMD-sized) blocks: CPU per second of signal, sensors per core with analysis, the
longest single push (how long the event loop is held), and the latency from the sample that
completes a step (its next initial contact) to the step's first appearance in the live summary and
to its emission as a final row. Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time

import numpy as np

from gaitlab.stream.live import RateAnalyzer
from gaitlab.stream.protocols import glf, gsp, pmd
from gaitlab.stream.recorder import CsvRecorder
from gaitlab.stream.timebase import ClockFit, Timeline
from gaitlab.testing.signals import transport_signal

FS_HZ = 200.0


def _frames(kind: str, acc: np.ndarray, t: np.ndarray) -> tuple[list[bytes], object]:
    if kind == "polar":
        n = 36
        frames = [pmd.encode_acc_frame(int(t[k + n - 1] * 1e9), acc[k:k + n] * 1000) for k in range(0, len(t) - n + 1, n)]
        return frames, pmd.AccDecoder(FS_HZ)
    if kind == "polar-compressed":
        n = 36
        frames = [pmd.encode_acc_frame(int(t[k + n - 1] * 1e9), acc[k:k + n] * 1000, compressed=True, factor=2.44e-4)
                  for k in range(0, len(t) - n + 1, n)]
        return frames, pmd.AccDecoder(FS_HZ, factor=2.44e-4)
    if kind == "movesense":
        n = 16
        frames = [gsp.encode_data(9, int(t[k] * 1000), acc[k:k + n] * gsp.STANDARD_GRAVITY)[0]
                  for k in range(0, len(t) - n + 1, n)]
        return frames, gsp.DataDecoder(9, gsp.parse_resource("/Meas/Acc/208"))
    n = glf.max_samples(247, glf.LAYOUT_ACC)
    frames = [glf.encode_frame(glf.to_counts(acc[k:k + n], 16), seq=j, t0_us=int(t[k] * 1e6), odr_hz=200,
                               acc_range_g=16) for j, k in enumerate(range(0, len(t) - n + 1, n))]
    return frames, glf.GlfDecoder()


def bench_pipeline(seconds: float) -> list[tuple]:
    t, acc, _ = transport_signal(seconds, FS_HZ)
    rows = []
    for kind in ("polar", "polar-compressed", "movesense", "gaitlab"):
        frames, decoder = _frames(kind, acc, t)
        timing = decoder.timing
        with tempfile.TemporaryDirectory() as tmp:
            # warm-up (imports, first-call costs), then the timed run
            for timed in (False, True):
                tl = Timeline(timing, FS_HZ)
                clock = ClockFit()
                analyzer = RateAnalyzer()
                rec = CsvRecorder(os.path.join(tmp, "b.csv"), gyro=False)
                todo = frames if timed else frames[:50]
                c0, w0 = time.process_time(), time.perf_counter()
                n = 0
                for i, f in enumerate(todo):
                    for b in tl.push(decoder.feed(f), float(i)):
                        clock.add(float(b.t_s[-1]), b.arrival_s)
                        rec.write(b.t_s, b.acc_g, b.gyr_dps)
                        analyzer.push(b.t_s, b.acc_g, b.gyr_dps)
                        n += len(b.t_s)
                rec.close()
                cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        per_signal_s = cpu / seconds  # CPU seconds per second of one sensor's signal
        rows.append((kind, len(frames), n, cpu * 1e3, wall * 1e3, n / cpu, 1.0 / per_signal_s))
    return rows


async def _latency(seconds: float) -> tuple[int, np.ndarray]:
    import gaitlab.stream as gs
    from gaitlab.testing import GaitlabSensorEmulator, VirtualRadio

    t, acc, _ = transport_signal(seconds + 2, FS_HZ)
    radio = VirtualRadio()
    sensor = GaitlabSensorEmulator(radio, t, acc, speed=1.0)
    await sensor.start()
    lat = []
    with tempfile.TemporaryDirectory() as tmp:
        async with gs.connect(sensor.name, record=os.path.join(tmp, "l.csv"), duration_s=seconds,
                              scanner_backend=radio.scanner_backend, client_backend=radio.client_backend) as s:
            seen = 0
            async for u in s:
                # updates with new samples only: the one after an RSC (speed) notification keeps the
                # newest IMU packet's arrival_s, so its age is the time since that packet, not latency
                if u.n_samples > seen:
                    lat.append(time.time() - u.arrival_s)
                    seen = u.n_samples
    await sensor.close()
    return len(lat), np.array(lat) * 1e3


def bench_analysis(seconds: float, exact: bool) -> dict[str, float]:
    """Live waist analysis of a synthetic run pushed in PMD-sized blocks (stream time = real time)."""
    from gaitlab.stream.analyzer import LiveWaistAnalyzer
    from gaitlab.synth import simulate_waist

    rec = simulate_waist(seconds, fs=FS_HZ, seed=1, mounting="random", noise="realistic").recording
    warm = LiveWaistAnalyzer(fs=FS_HZ)  # numba kernels loaded before timing
    for a in range(0, min(rec.n_samples, int(30 * FS_HZ)), 36):
        warm.push(rec.t[a:a + 36], rec.acc[a:a + 36], None)
    live = LiveWaistAnalyzer(fs=FS_HZ, exact=exact)
    seen_ic: list[float] = []  # every step IC the summary has counted, when first counted
    seen_at: list[float] = []
    emitted: list[tuple[float, float, float]] = []  # (ic, stride complete, emitted at)
    push_ms = []
    c0 = time.process_time()
    for a in range(0, rec.n_samples, 36):
        w0 = time.perf_counter()
        rows = live.push(rec.t[a:a + 36], rec.acc[a:a + 36], None)
        push_ms.append((time.perf_counter() - w0) * 1e3)
        now = float(rec.t[min(a + 35, rec.n_samples - 1)])
        for r in rows:
            if r["step_time_ms"] is not None:
                emitted.append((r["ic_s"], r["ic_s"] + r["step_time_ms"] / 1e3, now))
        last = seen_ic[-1] if seen_ic else -np.inf
        for r in live._provisional + list(rows):
            if r["ic_s"] > last + 0.15:  # a step not counted before (provisional ICs move slightly)
                seen_ic.append(r["ic_s"])
                seen_at.append(now)
                last = r["ic_s"]
    cpu = time.process_time() - c0
    ics, ats = np.array(seen_ic), np.array(seen_at)
    near = [int(np.abs(ics - ic).argmin()) for ic, _, _ in emitted]
    seen = np.array([ats[j] - done for j, (_, done, _) in zip(near, emitted, strict=True)])
    final = np.array([at - done for _, done, at in emitted])
    return {"cpu_per_s": cpu / seconds, "passes": live.n_analyses, "push_ms_max": max(push_ms),
            "push_ms_p99": float(np.percentile(push_ms, 99)),
            "summary_lat": seen, "final_lat": final}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="signal per protocol for part 1 (s)")
    ap.add_argument("--latency-seconds", type=float, default=5.0, help="real-time streaming for part 2 (s)")
    ap.add_argument("--analysis-seconds", type=float, default=120.0, help="synthetic run for part 3 (s)")
    args = ap.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpus, "
          f"python {platform.python_version()}, load {os.getloadavg()[0]:.2f}")
    print(f"\n1) decode + timeline + clock fit + CSV record + analyzer, {args.seconds:g} s of {FS_HZ:g} Hz signal, one core")
    print(f"{'protocol':<18}{'notif.':>8}{'samples':>9}{'cpu ms':>9}{'wall ms':>9}{'samples/s':>12}{'200Hz sensors/core':>20}")
    transport_cpu_per_s = {}
    for kind, frames, n, cpu_ms, wall_ms, sps, sensors in bench_pipeline(args.seconds):
        print(f"{kind:<18}{frames:>8}{n:>9}{cpu_ms:>9.1f}{wall_ms:>9.1f}{sps:>12.0f}{sensors:>20.0f}")
        transport_cpu_per_s[kind] = 1.0 / sensors
    n, lat = asyncio.run(_latency(args.latency_seconds))
    print(f"\n2) arrival (notification callback) -> LiveUpdate in `async for`, GLF 200 Hz, real time, "
          f"bleak + bumble backend, {args.latency_seconds:g} s")
    print(f"{'updates':>8}{'median ms':>11}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    print(f"{n:>8}{np.median(lat):>11.3f}{np.percentile(lat, 95):>9.3f}{np.percentile(lat, 99):>9.3f}{lat.max():>9.3f}")
    print(f"\n3) live waist analysis (LiveWaistAnalyzer), {args.analysis_seconds:g} s synthetic run, {FS_HZ:g} Hz, "
          "36-sample blocks, one core; latencies in stream (= real) seconds from the sample completing a step")
    print(f"{'mode':<8}{'passes':>7}{'cpu ms/s':>9}{'sensors/core*':>14}{'push p99 ms':>12}{'push max ms':>12}"
          f"{'summary lat s':>15}{'final lat s (med/max)':>23}")
    for exact in (True, False):
        r = bench_analysis(args.analysis_seconds, exact)
        per_core = 1.0 / (r["cpu_per_s"] + transport_cpu_per_s["polar"])
        sl, fl = r["summary_lat"], r["final_lat"]
        print(f"{'exact' if exact else 'low':<8}{r['passes']:>7}{r['cpu_per_s'] * 1e3:>9.1f}{per_core:>14.0f}"
              f"{r['push_ms_p99']:>12.1f}{r['push_ms_max']:>12.1f}{np.median(sl):>8.2f}/{sl.max():<6.2f}"
              f"{np.median(fl):>14.1f}/{fl.max():<8.1f}")
    print("* decode + timeline + record (polar) + analysis. Summary latency: the step first counts in "
          "summary() (provisional); final: emitted as a row.")
    print("\nPart 1 excludes the BLE stack (the OS does that work for a real sensor); part 2 runs the emulated "
          "sensor, both bumble stacks and the stream in one process.")


if __name__ == "__main__":
    main()
