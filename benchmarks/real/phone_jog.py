"""REAL DATA: a phone in a trouser pocket as a waist sensor, 3 x 30 s of jogging (``phone_pocket_jog``).

MobiAct JOG trials: irregular ~95 Hz Android timestamps with holes at the start, m/s^2 with
gravity, the phone in a trouser pocket (off the body's midline). The runners jogged the whole
30 s; the reference cadence comes from the dominant frequency (README of the shared data).

Scored: cadence against the reference, whether the jog is reported as running throughout (no
standing or walking between the first and the last running step), and the inferred mounting.
For context the table also shows an independent spectral estimate from the same samples: twice
the stride frequency (the strongest rhythm of the acceleration norm between 0.9 and 1.75 Hz) over
the whole file; it is not used by gaitlab. And the plain count: detected steps per minute between
the first and the last detected step (low where steps are missed, as on JOG_acc_10_1).

Targets: running for the whole jog, cadence within 1 spm of the reference.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import check, print_table

FOLDER = "phone_pocket_jog"
#: file stem -> reference cadence (spm), from the shared data's README
REFERENCE = {"JOG_acc_10_1": 164.1, "JOG_acc_11_1": 158.2, "JOG_acc_2_1": 146.5}


def spectral_cadence(path: Path) -> float:
    """Twice the stride frequency of the acceleration norm (spm), from the raw timestamps."""
    import pandas as pd

    d = pd.read_csv(path)
    t = (d["time_ns"].to_numpy() - d["time_ns"].iloc[0]) / 1e9
    norm = np.linalg.norm(d.iloc[:, 1:4].to_numpy(dtype=float), axis=1)
    grid = np.arange(t[0], t[-1], 0.01)
    x = np.interp(grid, t, norm)
    x = (x - x.mean()) * np.hanning(x.size)
    nfft = 1 << 20
    spec = np.abs(np.fft.rfft(x, nfft))
    freq = np.fft.rfftfreq(nfft, 0.01)
    band = (freq > 0.9) & (freq < 1.75)
    return float(120.0 * freq[band][np.argmax(spec[band])])


def score_file(path: Path) -> dict:
    import gaitlab

    a = gaitlab.analyze(path, placement="waist", report=False)
    s = a.steps
    run = s["activity"].to_numpy(dtype=object) == "running"
    ic = s["ic_s"].to_numpy(dtype=float)
    st = s["step_time_ms"].to_numpy(dtype=float)
    first, last = np.flatnonzero(run)[[0, -1]] if run.any() else (0, -1)
    inside = slice(first, last)  # steps from the first running contact to the last one
    span = ic[last] - ic[first] if run.any() else 0.0
    covered = float(np.nansum(np.where(run[inside], st[inside], 0.0))) / 1000.0
    return {
        "file": path.stem, "ref_spm": REFERENCE[path.stem], "cadence_spm": a.summary["cadence_spm"],
        "spectral_spm": spectral_cadence(path), "n_steps": len(s),
        "counted_spm": 60.0 * (len(s) - 1) / float(ic[-1] - ic[0]) if len(s) >= 2 else np.nan,
        "walking_inside": int((~run[inside]).sum()), "not_running_inside_s": max(span - covered, 0.0),
        "standing_s": a.summary["standing_s"], "first_run_s": ic[first] if run.any() else np.nan,
        "mounting": str(a.input.get("mounting")),
        "gct_balance": a.summary["gct_balance_left_pct"],
    }


def run(root: Path) -> dict[str, bool]:
    print("== phone_jog (REAL DATA: phone in a trouser pocket, 3 x 30 s jogging, MobiAct)")
    folder = root / FOLDER
    if not folder.is_dir():
        print(f"   {folder} not found: skipped")
        return {}
    rows = [score_file(folder / f"{stem}.csv") for stem in REFERENCE]
    for r in rows:
        r["error_spm"] = r["cadence_spm"] - r["ref_spm"]
    print_table(rows, [("file", "file", ""), ("ref_spm", "ref spm", ".1f"), ("cadence_spm", "gaitlab", ".1f"),
                       ("error_spm", "error", "+.1f"), ("spectral_spm", "spectral*", ".1f"),
                       ("counted_spm", "counted**", ".1f"),
                       ("n_steps", "steps", "d"), ("first_run_s", "1st run s", ".2f"),
                       ("walking_inside", "walk inside", "d"), ("not_running_inside_s", "not run s", ".2f"),
                       ("standing_s", "standing s", ".2f"), ("mounting", "mounting", "")])
    print("  * spectral: twice the stride frequency of |acc| over the file (context, not a reference)")
    print("  ** counted: detected steps per minute from the first to the last detected step (context)")
    print("  standing_s counts the still start before the first step and the time after the last one")
    targets: dict[str, bool] = {}
    worst = max(abs(r["error_spm"]) for r in rows)
    check(targets, "cadence within 1 spm of the reference (all 3)", worst, worst <= 1.0, " spm (worst)")
    inside = max(r["not_running_inside_s"] for r in rows)
    walk = sum(r["walking_inside"] for r in rows)
    check(targets, "running for the whole jog (no walking/standing step inside)", walk + inside,
          walk == 0 and inside < 1.0, f" (walking steps {walk}, longest non-running {inside:.2f} s)")
    return targets
