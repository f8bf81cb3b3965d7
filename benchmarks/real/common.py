"""Helpers shared by the real-data scoring modules: tables and target lines."""

from __future__ import annotations

import math


def fmt(value, spec: str = ".1f") -> str:
    """A number for a table cell; NaN/None as '-'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


def print_table(rows: list[dict], columns: list[tuple[str, str, str]]) -> None:
    """Print ``rows`` as an aligned table; ``columns`` = (key, header, format spec)."""
    cells = [[h for _, h, _ in columns]]
    for row in rows:
        cells.append([row[k] if isinstance(row.get(k), str) else fmt(row.get(k), spec)
                      for k, _, spec in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    for n, r in enumerate(cells):
        print("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def check(targets: dict[str, bool], name: str, value: float, ok: bool, unit: str = "") -> None:
    """Record a target and print it with its measured value."""
    targets[name] = bool(ok)
    print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {fmt(value, '.3g')}{unit}")
