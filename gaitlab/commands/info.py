"""``gaitlab info FILE``: what was read from a file (format, rates, duration, units, gaps...)."""

from __future__ import annotations

import argparse

from ._input import add_read_options, read_options


def register(subparsers) -> None:
    p = subparsers.add_parser("info", help="show what gaitlab reads from a file",
                              description="Read FILE and print its format, sample rate (nominal and "
                                          "measured), duration, samples, units, gyroscope, gaps, start "
                                          "time and device.")
    p.add_argument("file", metavar="FILE", help="recording: generic CSV(.gz), Parquet or an app export")
    p.add_argument("--placement", choices=("waist", "shoe", "auto"), default="auto",
                   help="where the sensor was worn (default: auto = unknown)")
    add_read_options(p)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(run=run)


def describe(rec) -> dict:
    """The facts ``gaitlab info`` prints, as a JSON-ready dict."""
    import numpy as np

    dt = np.diff(rec.t)
    gaps = rec.gaps
    gap_s = (gaps[:, 1] - gaps[:, 0]) if len(gaps) else np.zeros(0)
    regular = dt[dt <= 1.5 / rec.fs]
    meta = dict(rec.meta)
    return {
        "path": meta.get("source"),
        "format": meta.get("format"),
        "fs_hz": rec.fs,
        "fs_measured_hz": float(1.0 / regular.mean()) if regular.size else None,
        "duration_s": rec.duration_s,
        "samples": rec.n_samples,
        "units": meta.get("units", {}),
        "gyro": rec.has_gyro,
        "extra_channels": sorted(rec.extra),
        "placement": rec.placement,
        "gaps": {"count": int(len(gaps)), "total_s": float(gap_s.sum()),
                 "longest_s": float(gap_s.max()) if gap_s.size else 0.0},
        "start_time": meta.get("start_time"),
        "device": meta.get("device"),
    }


def run(args: argparse.Namespace) -> int:
    import json
    import logging

    from ..io import read
    from ..recording import event_rate_problem

    kw = read_options(args)
    # reader warnings (dropped rows...) reach stderr through the CLI's one warning format
    rec = read(args.file, placement=None if args.placement == "auto" else args.placement, **kw)
    problem = event_rate_problem(rec.fs)
    if problem:
        logging.getLogger("gaitlab").warning("%s: %s; gaitlab analyze refuses it", args.file, problem)
    info = describe(rec)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    units = ", ".join(f"{k} {v}" for k, v in info["units"].items()) or "-"
    measured = info["fs_measured_hz"]
    gaps = info["gaps"]
    rows = [
        ("file", info["path"]),
        ("format", info["format"]),
        ("sample rate", f"{info['fs_hz']:g} Hz nominal, "
                        + (f"{measured:.4f} Hz measured" if measured else "measured n/a")),
        ("duration", f"{info['duration_s']:.3f} s"),
        ("samples", f"{info['samples']}"),
        ("units", units),
        ("gyroscope", "yes" if info["gyro"] else "no"),
        ("extra channels", ", ".join(info["extra_channels"]) or "-"),
        ("placement", info["placement"] or "unknown"),
        ("gaps", f"{gaps['count']} (total {gaps['total_s']:.3f} s, longest {gaps['longest_s']:.3f} s)"
                 if gaps["count"] else "none"),
        ("start time", info["start_time"] or "unknown"),
        ("device", info["device"] or "unknown"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0
