"""REAL DATA: walking steps of a lower-back sensor against the INDIP reference (``waist_walking_indip``).

One healthy adult of the Mobilise-D lab protocol (McRoberts MM+ on the lower back, 100 Hz, acc and
gyro in the sensor's own frame: gaitlab finds the orientation itself). The reference gives the
initial contacts (with Left/Right) inside each walking bout. Scoring: detected ICs inside a bout
(+- the tolerance) are matched one to one to the bout's reference ICs within +-100 ms; F1, timing
error and side agreement of the matched pairs are pooled over all bouts.

Targets: IC F1 >= 0.80 at +-100 ms, side accuracy >= 0.90, typical (median absolute) IC
error <= 50 ms, and the matched steps labelled walking.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import check, print_table

TOLERANCE_S = 0.100
FOLDER = "waist_walking_indip"


def score(root: Path) -> tuple[list[dict], dict]:
    """Per-bout rows and pooled totals."""
    import pandas as pd

    import gaitlab
    from gaitlab.validation import match_events

    ref = pd.read_csv(root / FOLDER / "reference_initial_contacts.csv")
    rows: list[dict] = []
    err_all: list[float] = []
    tot = {"det": 0, "ref": 0, "match": 0, "side_ok": 0, "side_n": 0, "walking": 0}
    for rec, g in ref.groupby("recording", sort=False):
        a = gaitlab.analyze(root / FOLDER / f"{rec}.csv.gz", placement="waist", report=False)
        s = a.steps
        for bout, gb in g.groupby("bout"):
            lo = float(gb["bout_start_s"].iloc[0]) - TOLERANCE_S
            hi = float(gb["bout_end_s"].iloc[0]) + TOLERANCE_S
            d = s[(s["ic_s"] >= lo) & (s["ic_s"] <= hi)]
            r_ic = gb["ic_s"].to_numpy(dtype=float)
            di, ri = match_events(d["ic_s"].to_numpy(), r_ic, TOLERANCE_S)
            err = (d["ic_s"].to_numpy()[di] - r_ic[ri]) * 1e3
            sides_d = d["side"].to_numpy(dtype=object)[di]
            sides_r = gb["side"].to_numpy(dtype=object)[ri]
            has = np.array([x is not None for x in sides_d], dtype=bool)
            ok = int((sides_d[has] == sides_r[has]).sum())
            walking = int((d["activity"].to_numpy(dtype=object)[di] == "walking").sum())
            n_ref = int(np.isfinite(r_ic).sum())
            rows.append({"recording": rec, "bout": str(bout), "n_ref": n_ref, "n_det": len(d),
                         "n_match": int(di.size),
                         "f1": 2 * di.size / (len(d) + n_ref) if len(d) + n_ref else np.nan,
                         "bias_ms": float(np.mean(err)) if err.size else np.nan,
                         "mae_ms": float(np.mean(np.abs(err))) if err.size else np.nan,
                         "side_acc": ok / has.sum() if has.sum() else np.nan})
            err_all.extend(err.tolist())
            tot["det"] += len(d)
            tot["ref"] += n_ref
            tot["match"] += int(di.size)
            tot["side_ok"] += ok
            tot["side_n"] += int(has.sum())
            tot["walking"] += walking
    e = np.array(err_all)
    tot["f1"] = 2 * tot["match"] / (tot["det"] + tot["ref"]) if tot["det"] + tot["ref"] else np.nan
    tot["side_acc"] = tot["side_ok"] / tot["side_n"] if tot["side_n"] else np.nan
    tot["median_abs_ms"] = float(np.median(np.abs(e))) if e.size else np.nan
    tot["bias_ms"] = float(np.mean(e)) if e.size else np.nan
    tot["p90_abs_ms"] = float(np.percentile(np.abs(e), 90)) if e.size else np.nan
    tot["walking_frac"] = tot["walking"] / tot["match"] if tot["match"] else np.nan
    return rows, tot


def run(root: Path) -> dict[str, bool]:
    print("== waist_walking (REAL DATA: lower-back sensor, walking, INDIP reference ICs)")
    if not (root / FOLDER).is_dir():
        print(f"   {root / FOLDER} not found: skipped")
        return {}
    rows, tot = score(root)
    print_table(rows, [("recording", "recording", ""), ("bout", "bout", ""), ("n_ref", "ref", "d"),
                       ("n_det", "det", "d"), ("n_match", "match", "d"), ("f1", "F1", ".2f"),
                       ("bias_ms", "bias ms", ".0f"), ("mae_ms", "MAE ms", ".0f"),
                       ("side_acc", "side acc", ".2f")])
    print(f"  pooled: {tot['match']} of {tot['ref']} reference ICs matched, {tot['det']} detected; "
          f"IC error median |e| {tot['median_abs_ms']:.0f} ms, bias {tot['bias_ms']:+.0f} ms, "
          f"90th pct |e| {tot['p90_abs_ms']:.0f} ms")
    targets: dict[str, bool] = {}
    check(targets, "IC F1 at +-100 ms >= 0.80", tot["f1"], tot["f1"] >= 0.80)
    check(targets, "side accuracy >= 0.90", tot["side_acc"], tot["side_acc"] >= 0.90)
    check(targets, "median |IC error| <= 50 ms", tot["median_abs_ms"], tot["median_abs_ms"] <= 50.0, " ms")
    check(targets, "matched steps labelled walking >= 0.95", tot["walking_frac"], tot["walking_frac"] >= 0.95)
    return targets
