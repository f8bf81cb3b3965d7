"""``gaitlab compare``: two runs, or two groups of runs (e.g. two shoes), with run-to-run noise."""

from __future__ import annotations

import argparse

HELP = "compare two runs or two groups (e.g. --by shoe): differences with intervals that respect run-to-run noise"

EPILOG = """\
examples:
  gaitlab compare before.json after.json                  two runs (needs --noise-from to call a difference)
  gaitlab compare results/shoeA/ results/shoeB/            two folders of runs
  gaitlab compare --by shoe results/                       the two values of the 'shoe' tag
  gaitlab compare --by shoe results/ Pegasus40 Clifton9    two named values
  gaitlab compare a.json b.json --noise-from results/      run-to-run noise from the runner's history

Each run's mean is one observation: the intervals use the spread between runs (pooled over the
sides), not between steps, and are simultaneous over the metrics compared (Bonferroni). With one
run a side and no --noise-from, run-to-run noise is unknown and no difference is called.
See docs/history.md.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help=HELP, description=HELP, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("items", nargs="+", metavar="ITEM",
                   help="A B: two JSON results or folders; with --by TAG: a folder, then optionally the two tag values")
    p.add_argument("--by", metavar="TAG", help="compare groups by this tag (e.g. shoe, insole)")
    p.add_argument("--runner", metavar="NAME", help="only this runner's results (the athlete/runner tag)")
    p.add_argument("--noise-from", metavar="DIR", help="the runner's other results, for run-to-run noise")
    p.add_argument("--metrics", metavar="M1,M2", help="metrics to compare (default: all measured); "
                   "'shoe' = impact_g,loading_rate_gps,shock_attenuation_db")
    p.add_argument("--csv", metavar="OUT.csv", help="write the comparison table as CSV")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..comparison import SHOE_METRICS, compare
    from ..errors import InputError

    metrics = None
    if args.metrics:
        metrics = list(SHOE_METRICS) if args.metrics == "shoe" else [m.strip() for m in args.metrics.split(",")]
    if args.by:
        if len(args.items) not in (1, 3):
            raise InputError(f"compare --by {args.by} takes a folder, optionally followed by two tag values; "
                             f"found {len(args.items)} arguments")
        a, b = (args.items[1], args.items[2]) if len(args.items) == 3 else (None, None)
        c = compare(a, b, by=args.by, source=args.items[0], metrics=metrics, noise_from=args.noise_from,
                    runner=args.runner)
    else:
        if len(args.items) != 2:
            raise InputError(f"compare takes two runs or folders (A B), found {len(args.items)}; to group by a "
                             "tag use --by TAG")
        c = compare(args.items[0], args.items[1], metrics=metrics, noise_from=args.noise_from, runner=args.runner)
    for line in c.lines():
        print(line)
    if args.csv:
        from pathlib import Path

        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        c.table.to_csv(args.csv, index=False)
        print(f"  wrote {args.csv}")
    return 0
