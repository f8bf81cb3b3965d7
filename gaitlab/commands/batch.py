"""``gaitlab batch``: analyse many recordings, with a summary table and CI gating.

Only argparse is imported at module level; the batch machinery is imported in :func:`run`.
"""

from __future__ import annotations

import argparse
import sys

from ._input import add_read_options, read_options

HELP = "analyse many files (folders, globs) into per-file JSON/HTML and a summary table"

EPILOG = """\
outputs (with --out DIR or URL): <name>.json per input (as `gaitlab analyze --json`),
<name>.html with --html, summary.csv, summary.parquet and index.html; <name> is the input's path
relative to the folder holding all inputs. Without --out the summary table is printed as CSV.
Files whose outputs are up to date are skipped (--force redoes them).

exit codes: 0 ok; 1 a file has a flag at or above --fail-on; 2 bad usage, or (with --strict)
a file could not be analysed. Without --strict, a bad file gives an error row and the batch
goes on.
"""


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of worker processes, found {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 worker process, found {n}")
    return n


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("batch", help=HELP, description=HELP, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders (searched recursively) or globs")
    p.add_argument("--out", metavar="DIR|URL",
                   help="output folder or fsspec URL (file:///..., s3://...); omitted: print the table")
    p.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                   help="worker processes (default: CPU count; 1 runs in-process)")
    p.add_argument("--scheduler", metavar="ADDRESS|local",
                   help="run on Dask: a scheduler address (tcp://host:8786) or 'local' for a LocalCluster")
    p.add_argument("--fail-on", choices=("info", "warn", "alert"), metavar="warn|alert",
                   help="exit 1 when any file has a flag of this severity or worse")
    p.add_argument("--html", action="store_true",
                   help="also write each file's HTML report (renders figures per file: the batch takes "
                        "several times longer)")
    p.add_argument("--strict", action="store_true", help="exit 2 when any file could not be analysed")
    p.add_argument("--force", action="store_true", help="redo files whose outputs are up to date")
    p.add_argument("--placement", choices=("waist", "shoe", "auto"), default="auto",
                   help="sensor placement of every file (default: auto, from the file or the signal)")
    p.add_argument("--speed", metavar="M/S", help="running speed for all files: m/s, or START-END:SPEED "
                   "segments in seconds (as for gaitlab analyze)")
    p.add_argument("--thresholds", metavar="TOML", help="report threshold overrides (TOML file)")
    p.add_argument("--tag", action="append", metavar="KEY=VALUE", default=[],
                   help="tag every file of this batch (repeatable), e.g. --tag athlete=ana --tag shoe=Pegasus40")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_read_options(p, gyro=False)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import logging
    import time

    if not args.debug:
        # per-file notes ("placement inferred") would flood the terminal; the table has them, and
        # pool workers do not log to the terminal either, so -j 1 behaves the same
        logging.getLogger("gaitlab.analysis").setLevel(logging.WARNING)

    from ..batch.runner import execute, exit_code

    kwargs = read_options(args)
    if args.placement != "auto":
        kwargs["placement"] = args.placement
    if args.speed is not None:
        from ..gait.speed import parse_speed

        kwargs["speed_mps"] = parse_speed(args.speed)  # a bad value stops the batch before it starts
    if args.thresholds is not None:
        kwargs["thresholds"] = args.thresholds
    if args.tag:
        from ..runmeta import parse_tags

        kwargs["tags"] = parse_tags(args.tag)
    t0 = time.perf_counter()
    outcome = execute(args.inputs, out=args.out, jobs=args.jobs, scheduler=args.scheduler, html=args.html,
                      force=args.force, fail_on=args.fail_on,
                      progress=not args.no_progress and not args.quiet and sys.stderr.isatty(), **kwargs)
    s = outcome.stats
    if args.out is None:
        sys.stdout.write(outcome.table.to_csv(index=False, lineterminator="\n"))
    line = (f"gaitlab batch: {s.n_files} file{'' if s.n_files == 1 else 's'}: {s.n_ok} ok ({s.n_skipped} up to date), {s.n_failed} failed; "
            f"{s.n_steps} steps; {s.n_flagged} flagged ({args.fail_on or 'warn'} or worse); "
            f"{time.perf_counter() - t0:.1f} s")
    if args.out is not None:
        line += f"; summary in {args.out.rstrip('/')}/summary.csv"
    if not args.quiet:
        print(line, file=sys.stderr if args.out is None else sys.stdout)
    if s.n_failed and not args.quiet:
        failed = list(outcome.table.loc[outcome.table["status"] != "ok", "file"])
        more = f" and {len(failed) - 10} more (see the summary's error column)" if len(failed) > 10 else ""
        print(f"gaitlab batch: failed: {', '.join(failed[:10])}{more}", file=sys.stderr)
    return exit_code(outcome, strict=args.strict)
