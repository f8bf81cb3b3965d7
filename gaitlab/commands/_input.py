"""Reader options shared by the commands that read recordings (``analyze``, ``batch``, ``info``).

Each option sets one keyword of :func:`gaitlab.read`; the flags come from
:data:`gaitlab.errors.CLI_OPTIONS`, the table error hints are phrased from, so a hint on the
command line always names an option the command has.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import CLI_OPTIONS

ACC_UNITS = ("g", "mps2", "mg")
TIME_UNITS = ("s", "ms", "us", "ns", "iso")


def _columns(text: str) -> dict[str, str]:
    """``time=Time,acc_x=AccX,...`` -> ``{"time": "Time", "acc_x": "AccX", ...}``."""
    out: dict[str, str] = {}
    for part in text.split(","):
        key, sep, name = part.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise argparse.ArgumentTypeError(
                f"expected ROLE=COLUMN pairs separated by commas, e.g. time=Time,acc_x=AccX,acc_y=AccY,"
                f"acc_z=AccZ; found {part!r}")
        out[key.strip()] = name.strip()
    return out


def positive(kind: str):
    """An argparse type for a positive number; ``kind`` names it in the error ("rate in Hz")."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, found {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind}, found {text!r}")
        return value
    return parse


def add_read_options(p: argparse.ArgumentParser, *, gyro: bool = True) -> None:
    """The reader options (units, column mapping, decimal commas) as one help group."""
    g = p.add_argument_group("reading the file (when the header does not say)")
    g.add_argument(CLI_OPTIONS["acc_unit"], dest="acc_unit", choices=ACC_UNITS,
                   help="acceleration unit: g, mps2 (m/s^2) or mg (overrides the file's)")
    g.add_argument(CLI_OPTIONS["time_unit"], dest="time_unit", choices=TIME_UNITS,
                   help="time column unit: s, ms, us, ns, or iso (date-times)")
    g.add_argument(CLI_OPTIONS["columns"], dest="columns", type=_columns, metavar="ROLE=NAME,...",
                   help="map an unknown header: time=...,acc_x=...,acc_y=...,acc_z=...[,gyr_x=...,gyr_y=...,"
                        "gyr_z=...] (acceleration in g unless --acc-unit says otherwise)")
    g.add_argument(CLI_OPTIONS["decimal_comma"], dest="decimal_comma", action="store_true",
                   help="numbers are written 0,5 (a spreadsheet in a European locale); found by itself "
                        "when fields are separated by ';' or tabs")
    g.add_argument(CLI_OPTIONS["fs"], dest="fs", type=positive("sample rate in Hz"), metavar="HZ",
                   help="nominal sample rate in Hz (default: from the time stamps)")
    if gyro:
        g.add_argument(CLI_OPTIONS["gyro_path"], dest="gyro_path", metavar="GYRO_FILE",
                       help="gyroscope file of a two-file app export (default: the sibling file, if any)")


def read_options(args: argparse.Namespace) -> dict[str, Any]:
    """The :func:`gaitlab.read` keywords the options set (only those given)."""
    keys = ("acc_unit", "time_unit", "columns", "fs", "gyro_path")
    out = {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}
    if getattr(args, "decimal_comma", False):
        out["decimal_comma"] = True
    return out
