"""Shoe pipeline speed: foot kernels (samples/s) and a 2-hour 500 Hz pair end to end.

Run ``python benchmarks/bench_shoe.py [--hours H] [--fs HZ]``. Prints a table; asserts nothing.
The long recording is a 60 s synthetic pair repeated (same statistics as a real 2-hour run for
the kernels, whose cost is linear in the samples and the contacts).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np


def _tile(rec, reps: int):
    from gaitlab.recording import Recording

    dt = 1.0 / rec.fs
    span = rec.t[-1] - rec.t[0] + dt
    t = np.concatenate([rec.t + k * span for k in range(reps)])
    acc = np.tile(rec.acc, (reps, 1))
    gyr = np.tile(rec.gyr, (reps, 1))
    return Recording(t, acc, gyr, fs=rec.fs, placement="shoe", side=rec.side, meta=dict(rec.meta))


def _time(fn, repeat: int = 3) -> tuple[float, float]:
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return first, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--fs", type=float, default=500.0)
    args = ap.parse_args()

    import gaitlab
    from gaitlab.gait.shoe import FootPipeline
    from gaitlab.kernels import foot as kf
    from gaitlab.kernels.signal import moving_mean
    from gaitlab.synth import simulate_shoes

    left, right = simulate_shoes(60.0, fs=args.fs, seed=1, mounting="random")
    reps = max(int(round(args.hours * 3600 / 60.0)), 1)
    L, R = _tile(left.recording, reps), _tile(right.recording, reps)
    n = L.n_samples

    frame = FootPipeline().run(left.recording).frame_
    acc = np.ascontiguousarray(L.acc @ frame.rot.T)
    gyr = np.ascontiguousarray(L.gyr @ frame.rot.T)
    fs = L.fs
    w = np.ascontiguousarray(-gyr[:, 1])
    gn = np.sqrt((gyr * gyr).sum(axis=1))
    an = np.sqrt((acc * acc).sum(axis=1))
    w_s = moving_mean(w[:, None], int(0.04 * fs))[:, 0]
    gn_s = moving_mean(gn[:, None], int(0.015 * fs))[:, 0]
    d2 = kf.jerk_norm(acc)
    ms = kf.swing_peaks(w_s, 100.0, int(0.25 * fs), 0.45, int(fs))
    ev = kf.contact_events(w, gn_s, gn, an, d2, ms, 50.0, 0.2, int(0.06 * fs), 2 + int(0.015 * fs), 4.0)
    ic, to, mid, _, _, sa, sb = ev
    a = np.round(mid[:-1]).astype(np.int64)
    b = np.round(mid[1:]).astype(np.int64)
    grav = np.tile([0.0, 0.0, 1.0], (a.size, 1))

    rows = [
        ("jerk_norm", n, lambda: kf.jerk_norm(acc)),
        ("swing_peaks", n, lambda: kf.swing_peaks(w_s, 100.0, int(0.25 * fs), 0.45, int(fs))),
        ("contact_events", n, lambda: kf.contact_events(w, gn_s, gn, an, d2, ms, 50.0, 0.2, int(0.06 * fs),
                                                        2 + int(0.015 * fs), 4.0)),
        ("zupt_strides", n, lambda: kf.zupt_strides(acc, gyr, a, b, grav, fs)),
        ("contact_statistics", n, lambda: kf.contact_statistics(acc, w, gyr[:, 0].copy(), ic, to, mid, fs, 0.05)),
    ]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    print(f"{'stage':<28}{'samples':>12}{'first s':>10}{'warm ms':>10}{'Msamples/s':>12}")
    for name, m, fn in rows:
        first, best = _time(fn)
        print(f"{name:<28}{m:>12,}{first:>10.2f}{best * 1e3:>10.1f}{m / best / 1e6:>12.1f}")
    first, best = _time(lambda: gaitlab.analyze([L, R], placement="shoe"), repeat=1)
    total = 2 * n
    print(f"{'analyze (pair, e2e)':<28}{total:>12,}{first:>10.2f}{best * 1e3:>10.1f}{total / best / 1e6:>12.1f}")
    print(f"({args.hours:g} h at {args.fs:g} Hz per foot, acc + gyro; {len(ic)} contacts per foot)")


if __name__ == "__main__":
    main()
