"""``gaitlab history``: a runner's runs over weeks, from the JSON results in a folder."""

from __future__ import annotations

import argparse
import math

HELP = "trends over weeks (cadence, GCT, VO, ratio, balance, impact, late-run drift) from JSON results"

EPILOG = """\
Reads only the head and tail of each JSON result (not the per-step table), so thousands of runs
load in seconds. Runs are placed in time by the start time their recording gave (runs without
one are listed but left out of the trends) and grouped by runner (the athlete/runner tag).

examples:
  gaitlab history results/ --html history.html
  gaitlab history results/ --runner ana --csv runs.csv
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help=HELP, description=HELP, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", metavar="DIR|FILE", help="folders (searched recursively) or JSON results")
    p.add_argument("--runner", metavar="NAME", help="only this runner (the athlete/runner tag)")
    p.add_argument("--tag", action="append", metavar="KEY=VALUE", default=[],
                   help="only runs with this tag (repeatable), e.g. --tag session=easy")
    p.add_argument("--html", metavar="OUT.html", help="write the history page (trends and figures)")
    p.add_argument("--csv", metavar="OUT.csv", help="write the per-run table as CSV")
    p.add_argument("--weekly-csv", metavar="OUT.csv", help="write the per-week table as CSV")
    p.set_defaults(run=run)


def _fmt(v: float, spec: str) -> str:
    return "n/a" if v is None or not math.isfinite(v) else format(v, spec)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..runmeta import parse_tags
    from ..season import TREND_METRICS, history

    h = history(args.inputs if len(args.inputs) > 1 else args.inputs[0], runner=args.runner,
                tags=parse_tags(args.tag))
    print(f"gaitlab history: {len(h.runs)} runs, {len(h.runners)} runner(s), read in {h.load_s:.2f} s"
          + (f"; {len(h.skipped)} files skipped (not gaitlab results)" if h.skipped else ""))
    for runner in h.runners:
        sub = h.runs[h.runs["runner"] == runner]
        print(f"{runner}: {len(sub)} runs, {int(sub['start'].notna().sum())} dated")
        t = h.trends[h.trends["runner"] == runner] if len(h.trends) else h.trends
        for r in t.to_dict("records"):
            _label, unit, fmt = TREND_METRICS[r["metric"]]
            f = fmt.lstrip("+")
            print(f"  {r['label']:<26} last 4 wk {_fmt(r['mean_last4w'], f):>7} {unit:<4} change "
                  f"{_fmt(r['change_4w'], '+' + f):>7} ({_fmt(r['change_4w_lo'], '+' + f)} to "
                  f"{_fmt(r['change_4w_hi'], '+' + f)})  per week {_fmt(r['slope_per_week'], '+.2f')}  "
                  f"noise {_fmt(r['noise_sd'], f)}  {r['verdict']}")
    for out in (args.html, args.csv, args.weekly_csv):
        if out:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
    if args.csv:
        h.runs.drop(columns=["tags"]).to_csv(args.csv, index=False)
        print(f"  wrote {args.csv}")
    if args.weekly_csv:
        h.weekly.to_csv(args.weekly_csv, index=False)
        print(f"  wrote {args.weekly_csv}")
    if args.html:
        h.to_html(args.html)
        print(f"  wrote {args.html}")
    return 0
