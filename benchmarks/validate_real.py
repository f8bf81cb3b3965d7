"""Validate gaitlab on real recordings made outside this project (``../shared/data/real``).

Each data set has its own scoring module in ``benchmarks/real/`` (one per folder of the shared data,
see its README): the module reads the recordings, runs ``gaitlab.analyze`` and compares the result
with the set's reference (force-plate contacts, stride starts, cadence, reference initial contacts).
Every module prints its tables and a list of targets with PASS/FAIL; this script runs them all.

Usage::

    python benchmarks/validate_real.py                 # every data set
    python benchmarks/validate_real.py waist_forceplate foot_jog   # some of them
    GAITLAB_REAL_DATA=/path/to/real python benchmarks/validate_real.py

When the data folder is absent it says so and exits 0. Figures are real-data figures: label them so
wherever they are quoted, next to (never instead of) the synthetic ones.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: the data sets, in the order they are reported (module names in benchmarks/real/)
SETS = ("waist_forceplate", "waist_walking", "phone_jog", "foot_jog")


def data_root() -> Path:
    """The shared real-data folder: ``$GAITLAB_REAL_DATA`` or ``../shared/data/real`` from the repo."""
    env = os.environ.get("GAITLAB_REAL_DATA")
    return Path(env) if env else HERE.parent.parent / "shared" / "data" / "real"


def main(argv: list[str] | None = None) -> int:
    names = list(argv if argv is not None else sys.argv[1:]) or list(SETS)
    root = data_root()
    if not root.is_dir():
        print(f"real data not found at {root}: nothing to validate (set GAITLAB_REAL_DATA)")
        return 0
    import gaitlab

    print(f"gaitlab {gaitlab.__version__} on real recordings in {root}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    sys.path.insert(0, str(HERE))
    failed: list[str] = []
    scored = 0
    for name in names:
        if name not in SETS:
            print(f"unknown data set {name!r}; known: {', '.join(SETS)}")
            return 2
        try:
            module = importlib.import_module(f"real.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"real.{name}":
                raise
            print(f"== {name}: no scoring module yet (benchmarks/real/{name}.py)\n")
            continue
        t0 = time.perf_counter()
        targets = module.run(root)
        scored += 1
        print(f"   ({time.perf_counter() - t0:.1f} s)\n")
        failed += [f"{name}: {t}" for t, ok in targets.items() if not ok]
    if not scored:
        print("no data set was scored")
        return 0
    print("targets not met:" if failed else "all targets met")
    for line in failed:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
