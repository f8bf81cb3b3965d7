"""``gaitlab analyze``: analyse one recording (or a shoe pair); print a summary, write JSON/HTML."""

from __future__ import annotations

import argparse
import math

from ._input import add_read_options, read_options

FAIL_LEVELS = ("info", "warn", "alert")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze", help="analyse a recording: steps, GCT, cadence, VO, balance, form flags",
        description="Analyse a running recording from a waist- or shoe-worn IMU and print a summary. "
                    "Two files with --placement shoe are analysed as a left/right pair.")
    p.add_argument("input", nargs="+", metavar="INPUT",
                   help="recording file (CSV, CSV.gz, Parquet, app export); two files for a shoe pair")
    p.add_argument("--placement", choices=("waist", "shoe", "auto"), default="auto",
                   help="where the sensor was worn (default: from the file, else inferred)")
    p.add_argument("--side", choices=("L", "R"),
                   help="which foot: of a single shoe sensor, or of the first file of a pair (default: "
                        "from the file, else its name: L/R, left/right as a word, e.g. run_L.csv)")
    p.add_argument("--speed", metavar="M/S", dest="speed_mps",
                   help="running speed for step length and vertical ratio: one value in m/s, or per "
                        "segment as START-END:SPEED in seconds, e.g. 0-600:3.0,600-1200:3.4")
    p.add_argument("--speed-from", metavar="WATCH.fit",
                   help="a watch's FIT file of the same run: its speed (step length, vertical ratio), laps and "
                        "running dynamics, aligned by absolute time (needs the recording's start time)")
    p.add_argument("--tag", action="append", metavar="KEY=VALUE", default=[],
                   help="tag the run (repeatable), e.g. --tag shoe=Pegasus40 --tag athlete=ana")
    p.add_argument("--history", metavar="DIR",
                   help="folder of earlier JSON results: the report places this run among your recent runs")
    p.add_argument("--recent", metavar="N", type=int, help="how many recent runs --history uses (default 10)")
    p.add_argument("--axes", metavar="F,L,U",
                   help="explicit sensor axes pointing forward,left,up, e.g. '-y,+x,+z' (default: estimated)")
    p.add_argument("--thresholds", metavar="TOML", help="TOML file overriding the report's thresholds")
    p.add_argument("--json", metavar="OUT.json", help="write the JSON result (schema 1)")
    p.add_argument("--html", metavar="OUT.html", help="write the self-contained HTML report")
    p.add_argument("--steps-csv", metavar="OUT.csv", help="write the per-step table as CSV")
    p.add_argument("--fail-on", choices=FAIL_LEVELS, metavar="SEVERITY",
                   help="exit 1 when a flag of this severity or worse is raised (info, warn, alert)")
    add_read_options(p)
    p.set_defaults(run=run)


def _fmt(value, spec: str, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:{spec}}{unit}"


def summary_lines(analysis) -> list[str]:
    """The readable summary printed by ``gaitlab analyze`` (also used by ``gaitlab batch``)."""
    s, inp = analysis.summary, analysis.input
    bal = s.get("gct_balance_left_pct")
    bal_txt = "n/a"
    if bal is not None and math.isfinite(bal):
        arrow = "L" if bal > 50 else "R"
        bal_txt = f"{max(bal, 100 - bal):.1f}% {arrow}" if abs(bal - 50) >= 0.05 else "50.0% (even)"
    lines = [
        f"{inp.get('path') or 'recording'}: {inp.get('placement')} sensor, {inp.get('format') or '?'}, "
        f"{_fmt(inp.get('fs_hz'), 'g', ' Hz')}, {_fmt(inp.get('duration_s'), '.1f', ' s')}",
        f"  running        {_fmt(s.get('running_s'), '.0f', ' s')}   walking {_fmt(s.get('walking_s'), '.0f', ' s')}"
        f"   standing {_fmt(s.get('standing_s'), '.0f', ' s')}   gaps {len(analysis.gaps)}",
        f"  steps          {s.get('n_valid_steps', 0)} valid running of {s.get('n_steps', 0)} detected",
        f"  cadence        {_fmt(s.get('cadence_spm'), '.1f', ' spm')}",
        f"  contact time   {_fmt(s.get('gct_ms'), '.0f', ' ms')}   flight {_fmt(s.get('flight_ms'), '.0f', ' ms')}"
        f"   duty factor {_fmt(s.get('duty_factor'), '.2f')}",
        f"  GCT balance    {bal_txt}   step-time asymmetry {_fmt(s.get('step_time_asymmetry_pct'), '.1f', ' %')}",
    ]
    if inp.get("placement") == "shoe":
        # a foot sensor does not see the pelvis: no VO, speed loss or tilt lines full of n/a
        lines.append(f"  impact         {_fmt(s.get('impact_g'), '.2f', ' g')}")
        lines.extend(_shoe_lines(s))
    else:
        lines[-1:-1] = [f"  vertical osc.  {_fmt(s.get('vo_cm'), '.1f', ' cm')}   vertical ratio "
                        f"{_fmt(s.get('vertical_ratio_pct'), '.1f', ' %')}"]
        lines.append(f"  impact         {_fmt(s.get('impact_g'), '.2f', ' g')}   braking "
                     f"{_fmt(s.get('braking_mps'), '.2f', ' m/s')}   pelvic tilt "
                     f"{_fmt(s.get('pelvic_tilt_deg'), '.1f', ' deg')}")
    if isinstance(s.get("impact_note"), str) and s["impact_note"]:  # a saturated accelerometer
        lines.append(f"  note: {s['impact_note']}")
    if not s.get("n_valid_steps"):
        if s.get("n_steps"):
            lines.append("  note: no valid running steps (walking, or steps at gaps / implausible): "
                         "running metrics are n/a")
        else:
            lines.append("  note: no steps found: the recording looks like standing still (or the sensor "
                         "was not worn); running metrics are n/a")
    lines.extend(verdict_lines(analysis))
    return lines


def verdict_lines(analysis) -> list[str]:
    """The report's verdict: the flags, ``none`` (rules evaluated, nothing held), or not judged."""
    if analysis.flags:
        return ["  flags:"] + [f"    [{f['severity']}] {f['code']}: {f['message']}" for f in analysis.flags]
    status = getattr(analysis, "report_status", None)
    if status == "not_enough_data":
        ev = analysis.evaluation
        why = (next(iter(ev.results.values())).reason if ev is not None and ev.too_short
               else "none of the patterns could be measured with this recording")
        return ["  flags: not judged: not enough data to judge this run",
                f"    ({why}; no flag here does not mean all is well)"]
    if status is None:
        return ["  flags: not evaluated (analysed without the report)"]
    ev = analysis.evaluation
    if ev is not None and len(ev.evaluated) < len(ev.results):
        return [f"  flags: none ({len(ev.evaluated)} of {len(ev.results)} patterns could be checked)"]
    return ["  flags: none"]


def _shoe_lines(s: dict) -> list[str]:
    """Foot-sensor lines (gaitlab.gait.shoe summary keys), then its note on a missing gyroscope."""
    shares = "/".join(_fmt(s.get(f"{c}_pct"), ".0f") for c in ("rearfoot", "midfoot", "forefoot"))
    notes = [f"  note: {s['no_gyro_note']}"] if isinstance(s.get("no_gyro_note"), str) and s["no_gyro_note"] else []
    return [
        f"  stride length  {_fmt(s.get('stride_length_m'), '.2f', ' m')}   speed {_fmt(s.get('speed_mps'), '.2f', ' m/s')}"
        f"   swing {_fmt(s.get('swing_ms'), '.0f', ' ms')}",
        f"  foot strike    {s.get('strike_class') or 'n/a'} ({_fmt(s.get('foot_strike_angle_deg'), '.1f', ' deg')};"
        f" rear/mid/fore {shares} %)   braking {_fmt(s.get('braking_g'), '.2f', ' g')}",
        f"  symmetry (SI)  GCT {_fmt(s.get('gct_si_pct'), '.1f', ' %')}   flight {_fmt(s.get('flight_si_pct'), '.1f', ' %')}"
        f"   impact {_fmt(s.get('impact_si_pct'), '.1f', ' %')}   stride length "
        f"{_fmt(s.get('stride_length_si_pct'), '.1f', ' %')}",
        f"  pronation      {_fmt(s.get('pronation_deg'), '.1f', ' deg')}   "
        f"velocity {_fmt(s.get('pronation_velocity_dps'), '.0f', ' deg/s')}",
        *notes,
    ]


def run(args: argparse.Namespace) -> int:
    import gaitlab

    from ..errors import InputError

    placement = None if args.placement == "auto" else args.placement
    if len(args.input) > 2:
        raise InputError(f"analyze takes one recording or a left/right shoe pair, found {len(args.input)} files")
    opts = read_options(args)
    if len(args.input) == 1:
        from ..io.naming import side_from_name

        rec = gaitlab.read(args.input[0], placement=placement, **opts)
        side = args.side or rec.side or side_from_name(args.input[0])
        target = rec if side == rec.side else rec.replace(side=side)
    else:
        from ..io.naming import read_pair

        target = read_pair(args.input, first_side=args.side, placement=placement or "shoe", **opts)
    from ..runmeta import parse_tags

    extra = {"recent_n": args.recent} if args.recent is not None else {}
    analysis = gaitlab.analyze(target, placement=placement, speed_mps=args.speed_mps, axes=args.axes,
                               thresholds=args.thresholds, tags=parse_tags(args.tag),
                               speed_from=args.speed_from, history=args.history, **extra)
    for line in summary_lines(analysis):
        print(line)
    inp = analysis.input
    tags = ", ".join(f"{k}={v}" for k, v in (inp.get("tags") or {}).items())
    print(f"  started        {inp.get('start_time') or 'unknown'}   device {inp.get('device') or 'unknown'}"
          + (f"   tags {tags}" if tags else ""))
    if inp.get("watch"):
        w = inp["watch"]
        print(f"  watch          {w.get('device') or 'FIT'}: {w['overlap_s']:.0f} s in common ({w['basis']}), "
              f"{len(w.get('laps') or [])} laps")
    from pathlib import Path

    for out in (args.json, args.html, args.steps_csv):
        if out:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
    if args.json:
        analysis.to_json(args.json, indent=1)
        print(f"  wrote {args.json}")
    if args.html:
        analysis.to_html(args.html)
        print(f"  wrote {args.html}")
    if args.steps_csv:
        analysis.steps.to_csv(args.steps_csv, index=False)
        print(f"  wrote {args.steps_csv}")
    if args.fail_on:
        worst = FAIL_LEVELS.index(args.fail_on)
        if any(FAIL_LEVELS.index(f["severity"]) >= worst for f in analysis.flags):
            return 1
    return 0
