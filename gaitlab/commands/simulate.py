"""``gaitlab simulate``: write a synthetic recording and its ground truth.

Only argparse is imported at module level; :mod:`gaitlab.synth` and :mod:`gaitlab.io` load in
:func:`run`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._input import positive

HELP = "write a synthetic running recording (waist or shoe pair) with exact ground truth"

EPILOG = """\
--placement shoe writes two files, OUT with _L and _R inserted before the suffix
(run.csv.gz -> run_L.csv.gz, run_R.csv.gz), and likewise two truth files.
The output format follows the suffix: .csv, .csv.gz or .parquet.

examples:
  gaitlab simulate run.csv.gz --truth run.truth.json --duration 600 --fs 100 --fatigue
  gaitlab simulate shoe.csv.gz --placement shoe --fs 400 --truth shoe.json --mounting random
"""

_SUFFIXES = (".csv.gz", ".csv", ".parquet", ".json")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, found {n}")
    return n


def _span(text: str) -> tuple[float, float]:
    try:
        a, b = (float(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected START:DURATION in seconds, found {text!r}") from None
    if a < 0 or b <= 0:
        raise argparse.ArgumentTypeError(f"expected START >= 0 and DURATION > 0, found {text!r}")
    return a, b


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("simulate", help=HELP, description=HELP, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", metavar="OUT", help="output recording (.csv, .csv.gz or .parquet)")
    p.add_argument("--truth", metavar="OUT.json", help="write the ground truth (steps, summary, parameters)")
    p.add_argument("--placement", choices=("waist", "shoe"), default="waist")
    p.add_argument("--duration", type=positive("duration in s"), default=60.0, metavar="S",
                   help="recording length in s (default 60)")
    p.add_argument("--fs", type=positive("rate in Hz"), metavar="HZ",
                   help="sample rate (default 100 Hz waist, 400 Hz shoe)")
    p.add_argument("--seed", type=int, default=0, metavar="N")
    g = p.add_argument_group("gait")
    g.add_argument("--speed", type=positive("speed in m/s"), default=3.0, metavar="MPS")
    g.add_argument("--cadence", type=positive("cadence in steps/min"), default=171.4, metavar="SPM")
    ct = g.add_mutually_exclusive_group()
    ct.add_argument("--gct", type=positive("contact time in ms"), default=250.0, metavar="MS")
    ct.add_argument("--duty-factor", type=positive("duty factor"), metavar="DF")
    g.add_argument("--asymmetry", type=_number, default=0.0, metavar="PCT",
                   help="GCT symmetry index in %%, left longer when positive")
    g.add_argument("--cv", type=_number, default=1.0, metavar="PCT", help="step-time variability (%%)")
    g.add_argument("--fatigue", action="store_true", help="GCT up, cadence down, tilt up over the run")
    g.add_argument("--standing", type=_number, default=0.0, metavar="S",
                   help="seconds of still standing at the start and at the end")
    g.add_argument("--walk", type=_span, action="append", default=[], metavar="START:DUR",
                   help="a walking period (repeatable)")
    g.add_argument("--strike-angle", type=_number, metavar="DEG",
                   help="shoe: foot strike angle (RFS +10..+20, FFS -5..-10; default 15)")
    s = p.add_argument_group("sensor and timing")
    s.add_argument("--mounting", choices=("upright", "tilted", "random"), default="upright")
    s.add_argument("--noise", choices=("ideal", "clean", "realistic"), default="clean")
    s.add_argument("--gyro", action="store_true", help="waist: also write the gyroscope (shoes always have one)")
    s.add_argument("--gaps", type=_count, default=0, metavar="N", help="random gaps (samples removed)")
    s.add_argument("--packet-loss", type=_number, default=0.0, metavar="PCT", help="i.i.d. packet loss in %%")
    s.add_argument("--clock-ppm", type=_number, default=0.0, metavar="PPM", help="device clock error")
    s.add_argument("--jitter", type=_number, default=0.0, metavar="MS", help="host timestamp jitter SD")
    p.set_defaults(run=run)


def with_side(path: str, side: str) -> Path:
    """``run.csv.gz`` -> ``run_L.csv.gz`` (the suffix kept)."""
    p = Path(path)
    name = p.name
    for sfx in _SUFFIXES:
        if name.lower().endswith(sfx):
            return p.with_name(f"{name[: -len(sfx)]}_{side}{name[-len(sfx):]}")
    return p.with_name(f"{name}_{side}")


def run(args: argparse.Namespace) -> int:
    from ..io import write
    from ..synth import FootMotion, Gaps, Timing, make_scenario, render_shoe, render_waist
    from ..synth.schedule import build_schedule

    foot = FootMotion() if args.strike_angle is None else FootMotion(strike_angle_deg=args.strike_angle)
    sc = make_scenario(
        args.duration, seed=args.seed, speed_mps=args.speed, cadence_spm=args.cadence,
        gct_ms=None if args.duty_factor else args.gct, duty_factor=args.duty_factor, step_cv_pct=args.cv,
        asymmetry_pct=args.asymmetry, fatigue=args.fatigue, standing_s=args.standing, walking=args.walk,
        foot_motion=foot,
    )
    gaps = Gaps(n=args.gaps, packet_loss_pct=args.packet_loss)
    timing = Timing(clock_ppm=args.clock_ppm, jitter_ms=args.jitter)
    kw = dict(mounting=args.mounting, noise=args.noise, gaps=gaps, timing=timing)
    if args.placement == "waist":
        runs = [(render_waist(sc, args.fs or 100.0, gyro=args.gyro, **kw), Path(args.out),
                 None if args.truth is None else Path(args.truth))]
    else:
        sched = build_schedule(sc)
        runs = [(render_shoe(sc, side, args.fs or 400.0, schedule=sched, **kw), with_side(args.out, side),
                 None if args.truth is None else with_side(args.truth, side)) for side in ("L", "R")]
    for synth_run, out, truth_path in runs:
        write(synth_run.recording, out)
        if truth_path is not None:
            synth_run.truth.to_json(truth_path)
        s = synth_run.truth.summary
        rec = synth_run.recording
        what = f"{rec.placement}" + (f" {rec.side}" if rec.side else "")
        print(f"wrote {out} ({what}, {rec.n_samples} samples at {rec.fs:g} Hz, "
              f"{len(synth_run.truth.steps)} {'steps' if rec.placement == 'waist' else 'contacts'}, "
              f"GCT {s['gct_ms'] or float('nan'):.1f} ms)"
              + (f"; truth {truth_path}" if truth_path is not None else ""), file=sys.stdout)
    return 0
