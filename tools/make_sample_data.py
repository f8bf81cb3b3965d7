"""Regenerate ``sample_data/`` from :mod:`gaitlab.synth` (deterministic: same files every run).

Usage::

    python tools/make_sample_data.py [OUT_DIR]

Writes ``waist_run.csv.gz`` + ``waist_run.truth.json`` (10 min, 100 Hz, waist, with gyro) and
``shoe_L.csv.gz`` / ``shoe_R.csv.gz`` + ``shoe_L.truth.json`` / ``shoe_R.truth.json`` (3 min,
200 Hz, with gyro). ``sample_data/README.md`` describes them.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from gaitlab.io import write
from gaitlab.synth import FootMotion, Mounting, make_scenario, render_shoe, render_waist
from gaitlab.synth.scenario import Fatigue
from gaitlab.synth.schedule import build_schedule

log = logging.getLogger("make_sample_data")

WAIST_SEED = 2024
SHOE_SEED = 7


def make_waist(out: Path) -> None:
    sc = make_scenario(
        600.0, seed=WAIST_SEED, speed_mps=3.2, cadence_spm=172.0, gct_ms=245.0, step_cv_pct=1.5,
        asymmetry_pct=2.0,
        fatigue=Fatigue(gct_rise_pct=3.0, cadence_drop_pct=2.0, lean_rise_deg=2.0, cv_end_pct=2.5),
        standing_s=(15.0, 5.0),
    )
    run = render_waist(sc, 100.0, mounting=Mounting("tilted", max_deg=15.0), noise="realistic", gyro=True)
    write(run.recording, out / "waist_run.csv.gz")
    run.truth.to_json(out / "waist_run.truth.json", indent=None)
    log.info("waist: %s, %d steps", run.recording, len(run.truth.steps))


def make_shoes(out: Path) -> None:
    sc = make_scenario(180.0, seed=SHOE_SEED, speed_mps=3.4, cadence_spm=176.0, gct_ms=235.0, step_cv_pct=1.5,
                       asymmetry_pct=1.0, standing_s=(5.0, 5.0), foot_motion=FootMotion(strike_angle_deg=12.0))
    sched = build_schedule(sc)
    for side in ("L", "R"):
        run = render_shoe(sc, side, 200.0, schedule=sched, mounting=Mounting("tilted", max_deg=10.0),
                          noise="realistic")
        write(run.recording, out / f"shoe_{side}.csv.gz")
        run.truth.to_json(out / f"shoe_{side}.truth.json", indent=None)
        log.info("shoe %s: %s, %d contacts", side, run.recording, len(run.truth.steps))


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "sample_data"
    out.mkdir(parents=True, exist_ok=True)
    make_waist(out)
    make_shoes(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
