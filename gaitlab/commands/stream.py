"""``gaitlab stream``: live data from a BLE sensor, or from an emulated one on a virtual radio.

The live analysis is :class:`gaitlab.stream.analyzer.LiveWaistAnalyzer` (waist) or
:class:`gaitlab.stream.shoe_analyzer.LiveShoeAnalyzer` (``--placement shoe``); ``--help`` shows
:data:`DESCRIPTION`, plain text for a terminal.
"""

from __future__ import annotations

import argparse

#: ``gaitlab stream --help`` text: plain, no reST markup (a terminal shows it as is).
DESCRIPTION = """Stream live from a Bluetooth sensor, or from an emulated one on a virtual radio:

    gaitlab stream --device "Polar H10 0A1B2C3D" --record run.csv --duration 600
    gaitlab stream --emulate polar-h10 --source run.csv --speed 10 --record copy.csv

Prints one status line per second. For a waist-worn sensor (the default placement) it shows the
live cadence, ground contact time, vertical oscillation and GCT balance; with --placement shoe,
the cadence, ground contact time, stride length, speed and foot strike (type and angle) of one
foot-mounted IMU, once its first strides are measured. With --emulate an emulated sensor plays the --source
file's samples in real time (or --speed times faster) and the stream reaches it through the same
Bluetooth calls as a real sensor; emulation needs the optional bumble package:
pip install 'gaitlab-run[emulate]'.
"""

EMULATE_CHOICES = ("polar-h10", "movesense", "gaitlab")
PROFILE_CHOICES = ("polar", "movesense", "gaitlab", "rsc")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("stream", help="stream live from a BLE sensor (or an emulated one)",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--device", metavar="NAME|ADDRESS", help="advertised name or address of the sensor")
    target.add_argument("--emulate", choices=EMULATE_CHOICES,
                        help="stream from an emulated sensor on a virtual radio (needs --source)")
    p.add_argument("--profile", choices=PROFILE_CHOICES, help="sensor family (default: from its services)")
    p.add_argument("--source", metavar="FILE", help="recording the emulated sensor plays (gaitlab.read-able)")
    p.add_argument("--record", metavar="FILE", help="append samples to this generic CSV as they arrive")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds of sensor time")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="emulation: play the source X times faster than real time (default 1)")
    p.add_argument("--rate", type=int, metavar="HZ", help="requested sample rate (default: profile's)")
    p.add_argument("--gyro", action="store_true", help="also stream the gyroscope (movesense, gaitlab)")
    p.add_argument("--placement", choices=("waist", "shoe"),
                   help="where the sensor is worn (default: the --source file's, else waist); waist covers "
                        "sacrum and chest-strap sensors, shoe a foot-mounted IMU (live cadence, GCT, stride "
                        "length, speed and foot strike)")
    p.add_argument("--side", choices=("L", "R"), help="shoe placement: the foot wearing the sensor")
    p.add_argument("--no-analysis", action="store_true", help="only stream and record, no live gait analysis")
    p.set_defaults(run=run)


def _profile(args: argparse.Namespace, source_fs: float | None = None):  # -> Profile | str | None
    from ..stream.profiles import GlfProfile, MovesenseProfile, PolarProfile

    name = args.profile or {"polar-h10": "polar", "movesense": "movesense", "gaitlab": "gaitlab"}.get(
        args.emulate or "")
    if name == "polar" and args.rate is None and source_fs is not None:
        # an emulated H10 plays its source at the source's rate: request that rate, not 200 Hz
        fs = int(round(source_fs))
        if fs in (25, 50, 100, 200) and abs(source_fs - fs) < 0.01 * fs:
            return PolarProfile(sample_rate_hz=fs)
    if name is None or (args.rate is None and not args.gyro):
        return name
    if name == "polar":
        return PolarProfile(sample_rate_hz=args.rate or 200)
    if name == "movesense":
        return MovesenseProfile(rate_hz=args.rate or 208, gyro=args.gyro)
    if name == "gaitlab":
        return GlfProfile(odr_hz=args.rate or 208, gyro=args.gyro)
    return name


def _analyzer(args: argparse.Namespace, source_placement: str | None = None,
              source_side: str | None = None):  # -> LiveAnalyzer | None
    """The live waist or shoe analyzer for the placement, None when analysis is off."""
    placement = args.placement or source_placement or "waist"
    if args.no_analysis or args.profile == "rsc":
        return None
    if placement == "shoe":
        from ..stream.shoe_analyzer import LiveShoeAnalyzer

        return LiveShoeAnalyzer(side=args.side or source_side)
    from ..stream.analyzer import LiveWaistAnalyzer

    return LiveWaistAnalyzer()


def live_line(update, analyzer=None) -> str:
    """The status line: the update's own, plus a shoe analyzer's stride length, speed and foot
    strike (medians of the recent contacts) once they are known."""
    line = update.line()
    summary_of = getattr(analyzer, "summary", None)
    if summary_of is None:
        return line
    s = summary_of()
    if "stride_length_median_m" not in s:  # not a shoe analyzer
        return line
    parts = []
    for name, key, fmt in (("stride_m", "stride_length_median_m", ".2f"), ("speed", "speed_median_mps", ".2f")):
        v = s.get(key)
        if v is not None and not (update.speed_mps is not None and name == "speed"):
            parts.append(f"{name}={format(v, fmt)}")
    angle = s.get("foot_strike_angle_median_deg")
    if s.get("strike_class") or angle is not None:
        strike = s.get("strike_class") or "?"
        parts.append(f"strike={strike}" + (f"({angle:+.0f}deg)" if angle is not None else ""))
    return " ".join([line, *parts])


async def _display(stream, analyzer=None) -> int:
    import time

    last = 0.0
    update = None
    async for update in stream:
        now = time.monotonic()
        if now - last >= 1.0:
            print(live_line(update, analyzer), flush=True)
            last = now
    if update is not None:
        print(live_line(update, analyzer), flush=True)
    return 0


async def _run_device(args: argparse.Namespace) -> int:
    from ..stream import connect

    analyzer = _analyzer(args)
    async with connect(args.device, profile=_profile(args), record=args.record, analyzer=analyzer,
                       duration_s=args.duration) as stream:
        return await _display(stream, analyzer)


async def _run_emulated(args: argparse.Namespace) -> int:
    import asyncio

    from .. import io
    from ..errors import InputError
    from ..stream import connect
    from ..testing import EMULATORS, VirtualRadio

    if not args.source:
        raise InputError("--emulate needs --source FILE (the recording the emulated sensor plays)")
    if args.speed <= 0:
        raise InputError(f"--speed must be positive, found {args.speed}")
    rec = io.read(args.source)
    radio = VirtualRadio()
    sensor = EMULATORS[args.emulate](radio, rec.t, rec.acc, rec.gyr, speed=args.speed,
                                     speed_mps=rec.extra.get("speed_mps"))
    await sensor.start()
    print(f"emulating {sensor.name} ({args.emulate}) from {args.source}: {rec.n_samples} samples, "
          f"{rec.duration_s:.1f} s at {rec.fs:g} Hz, speed x{args.speed:g}", flush=True)
    analyzer = _analyzer(args, rec.placement, rec.side)
    try:
        async with connect(sensor.name, profile=_profile(args, rec.fs), record=args.record, duration_s=args.duration,
                           analyzer=analyzer, scanner_backend=radio.scanner_backend,
                           client_backend=radio.client_backend) as stream:
            display = asyncio.create_task(_display(stream, analyzer))
            finished = asyncio.create_task(sensor.finished.wait())
            await asyncio.wait({display, finished}, return_when=asyncio.FIRST_COMPLETED)
            if finished.done() and not display.done():
                await asyncio.sleep(0.2)  # let the last notifications through
                await stream.close()
            finished.cancel()
            return await display
    finally:
        await sensor.close()


def run(args: argparse.Namespace) -> int:
    import asyncio

    main = _run_emulated(args) if args.emulate else _run_device(args)
    code = asyncio.run(main)
    if args.record:
        print(f"recorded to {args.record}")
    return code
