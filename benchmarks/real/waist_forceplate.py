"""REAL DATA: waist events against force-plate contacts (``waist_treadmill_forceplate/``).

One runner on an instrumented treadmill, sacral accelerometer at 500 Hz, ~5 s per trial at
2.5-4.17 m/s on slopes of -10..+10 % (Alcantara et al. 2022, PeerJ 10:e12752; data
alcantarar/Recurrent_GRF_Prediction, Apache-2.0). The publishers low-passed the acceleration
with a zero-phase 20 Hz Butterworth filter and clipped the vertical channel at 0 g; the
reference contacts come from the vertical ground force (> 0.05 BW for >= 50 ms).

Each trial is read with :func:`gaitlab.read` and analysed with :func:`gaitlab.analyze`; detected
initial contacts (every running step, valid or not: a stance cut by the file's start or end is
not in the reference, so it is not counted) are matched one to one with the reference within
``TOLERANCE_S`` (50 ms: a fifth of a contact, wider than any plausible timing error, narrower
than half a step so a miss cannot be paired with the neighbouring contact). IC, TO and GCT
errors are detected minus reference over the matched contacts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import check, print_table

FOLDER = "waist_treadmill_forceplate"
#: one-to-one matching tolerance for initial contacts (s)
TOLERANCE_S = 0.05

#: levels (g) of the falling edge timed against the plate's toe-off by :func:`toe_off_signal`: the
#: detector's floor level, and a mid-edge level of every trial's stance (amplitudes 1.8-2.6 g)
TOE_OFF_LEVELS_G = (0.2, 1.0)

#: accuracy targets for sacral contacts against force-plate contacts (REAL DATA)
TARGETS = {
    "f1_min": 0.99, "ic_mae_ms": 10.0, "ic_bias_ms": 6.0, "gct_mae_ms": 15.0, "gct_bias_ms": 10.0,
    "condition_ic_bias_ms": 12.0,
}


def score_trial(steps, ref) -> dict:
    """Scores of one trial: ``steps`` (gaitlab step table), ``ref`` (reference contacts rows)."""
    from gaitlab.validation import event_scores, match_events

    run = steps[steps["activity"] == "running"]
    if len(run) and np.isnan(run["to_s"].iloc[-1]) and not run["valid"].iloc[-1]:
        run = run.iloc[:-1]  # a stance cut by the file's end: reported, not in the reference
    det_ic = run["ic_s"].to_numpy(float)
    det_to = run["to_s"].to_numpy(float)
    det_ok = run["valid"].to_numpy(bool)
    ref_ic = ref["ic_s"].to_numpy(float)
    ref_to = ref["to_s"].to_numpy(float)
    s = event_scores(det_ic, ref_ic, TOLERANCE_S)
    d, r = match_events(det_ic, ref_ic, TOLERANCE_S)
    e_ic = (det_ic[d] - ref_ic[r]) * 1e3
    e_to = (det_to[d] - ref_to[r]) * 1e3
    e_gct = e_to - e_ic
    ok = np.isfinite(e_to)
    return {
        "n_ref": s["n_reference"], "n_det": s["n_detected"], "n_match": s["n_matched"],
        "n_valid": int(det_ok[d].sum()), "f1": s["f1"],
        "e_ic": e_ic, "e_to": e_to[ok], "e_gct": e_gct[ok],
        "first": bool(r.size and r.min() == 0), "last": bool(r.size and r.max() == ref_ic.size - 1),
        "sides": _left_right(det_ic[d], det_to[d], ref_ic[r], ref_to[r], r),
    }


def _left_right(det_ic, det_to, ref_ic, ref_to, ref_index) -> dict:
    """Step-time and GCT symmetry indices (%) of one trial's matched contacts, gaitlab's and the
    plate's, and the IC and TO biases of one foot minus the other's (ms).

    The plate does not say which foot is down, but feet alternate: the contacts are split by the
    parity of their reference index. Step times are taken only between two consecutive reference
    contacts that were both matched, the same steps for both, so the indices differ by the timing
    of the events alone, not by which steps were found.
    """
    from gaitlab.gait.metrics import symmetry_index_pct

    nxt = np.flatnonzero(np.diff(ref_index) == 1)
    foot = ref_index % 2 == 0
    e_ic = (det_ic - ref_ic) * 1e3
    e_to = (det_to - ref_to) * 1e3
    out = {"ic_foot_diff": float(np.mean(e_ic[foot]) - np.mean(e_ic[~foot])),
           "to_foot_diff": float(np.nanmean(e_to[foot]) - np.nanmean(e_to[~foot]))}
    for name, det, ref, rows in (("step", np.diff(det_ic), np.diff(ref_ic), nxt),
                                 ("gct", det_to - det_ic, ref_to - ref_ic, np.arange(det_ic.size))):
        rows = rows[np.isfinite(det[rows])]
        a, b = rows[foot[rows]], rows[~foot[rows]]
        for who, x in (("det", det), ("ref", ref)):
            out[f"{name}_si_{who}"] = (float(symmetry_index_pct(np.mean(x[a]), np.mean(x[b])))
                                       if a.size >= 2 and b.size >= 2 else np.nan)
    return out


def _stats(errs: list[np.ndarray]) -> tuple[float, float]:
    e = np.concatenate(errs) if errs else np.empty(0)
    if e.size == 0:
        return float("nan"), float("nan")
    return float(np.mean(np.abs(e))), float(np.mean(e))


def _row(name: str, scores: list[dict]) -> dict:
    n_ref = sum(s["n_ref"] for s in scores)
    n_det = sum(s["n_det"] for s in scores)
    n_match = sum(s["n_match"] for s in scores)
    row = {"name": name, "n": str(n_ref), "f1": 2 * n_match / (n_ref + n_det) if n_ref + n_det else np.nan}
    for key in ("ic", "to", "gct"):
        row[f"{key}_mae"], row[f"{key}_bias"] = _stats([s[f"e_{key}"] for s in scores])
    return row


COLUMNS = [("name", "trial / condition", ""), ("n", "n ref", ""), ("f1", "F1", ".3f"),
           ("ic_mae", "IC MAE", ".1f"), ("ic_bias", "IC bias", "+.1f"),
           ("to_mae", "TO MAE", ".1f"), ("to_bias", "TO bias", "+.1f"),
           ("gct_mae", "GCT MAE", ".1f"), ("gct_bias", "GCT bias", "+.1f")]


#: lower sample rates the trials are also scored at (every k-th sample of the 500 Hz export, whose
#: 20 Hz zero-phase low-pass leaves nothing to alias at 100 Hz): the events should not move
DECIMATIONS = (2, 5)


def evaluate(root: Path, every: int = 1) -> tuple[list[dict], list[dict], dict, list[dict]]:
    """Analyse every trial (every ``every``-th sample); returns (per-trial rows, per-condition rows,
    overall row, raw scores)."""
    import pandas as pd

    import gaitlab

    folder = Path(root) / FOLDER
    cond = pd.read_csv(folder / "conditions.csv")
    ref = pd.read_csv(folder / "reference_contacts.csv")
    scores: list[dict] = []
    rows: list[dict] = []
    for c in cond.itertuples(index=False):
        rec = gaitlab.read(folder / f"{c.trial}.csv.gz")
        if every > 1:
            rec = gaitlab.Recording(rec.t[::every], rec.acc[::every], fs=rec.fs / every, placement="waist")
        res = gaitlab.analyze(rec, placement="waist", report=False)
        s = score_trial(res.steps, ref[ref["trial"] == c.trial])
        s.update(trial=c.trial, speed=float(c.speed_mps), slope=int(c.slope_pct), strike=c.strike)
        scores.append(s)
        row = _row(c.trial, [s])
        row["name"] = f"{c.trial} {c.speed_mps:.2f} m/s {int(c.slope_pct):+d}% {c.strike}"
        rows.append(row)
    groups: dict[str, list[dict]] = {}
    for s in scores:
        slope = "downhill" if s["slope"] < 0 else "uphill" if s["slope"] > 0 else "level"
        groups.setdefault(f"{slope} x {s['strike']}", []).append(s)
        groups.setdefault(f"{s['slope']:+d}% x {s['strike']} x {s['speed']:.2f} m/s", []).append(s)
        groups.setdefault(f"speed {s['speed']:.2f} m/s", []).append(s)
    cond_rows = [_row(k, v) for k, v in sorted(groups.items())]
    return rows, cond_rows, _row("all trials", scores), scores


def toe_off_signal(root: Path, scores: list[dict]) -> list[dict]:
    """What the sacral signal shows at the plate's toe-off, per trial (medians over its contacts).

    For each reference contact: the vertical specific force at the plate's toe-off (g), and the time
    from the plate's toe-off to the falling edge's crossing of each of ``TOE_OFF_LEVELS_G`` (ms; the
    first sample below the level after mid-stance, interpolated). A sacrum that followed the ground
    force would read ~0 g at toe-off and cross every level at a time set by the speed; where the
    low crossings spread between trials of one condition and the mid-edge ones do not, the toe-off
    is not in the signal to better than that spread.
    """
    import pandas as pd

    folder = Path(root) / FOLDER
    ref = pd.read_csv(folder / "reference_contacts.csv")
    rows = []
    for s in scores:
        rec = pd.read_csv(folder / f"{s['trial']}.csv.gz", usecols=["time_s", "acc_z_g"])
        t, z = rec["time_s"].to_numpy(float), rec["acc_z_g"].to_numpy(float)
        fs = 1.0 / float(np.median(np.diff(t)))
        at_to, cross = [], {lv: [] for lv in TOE_OFF_LEVELS_G}
        for ic, to in ref.loc[ref["trial"] == s["trial"], ["ic_s", "to_s"]].itertuples(index=False):
            at_to.append(float(np.interp(to, t, z)))
            mid = int(np.searchsorted(t, 0.5 * (ic + to)))
            for lv in TOE_OFF_LEVELS_G:
                below = np.flatnonzero(z[mid:] < lv)
                i = mid + int(below[0]) if below.size else -1
                if i > mid:  # interpolated between the last sample above and the first below
                    cross[lv].append((t[i - 1] + (z[i - 1] - lv) / (z[i - 1] - z[i]) / fs - to) * 1e3)
        row = {"name": f"{s['trial']} {s['speed']:.2f} m/s {s['slope']:+d}% {s['strike']}",
               "speed": s["speed"], "at_to": float(np.median(at_to)),
               "to_bias": float(np.mean(s["e_to"])) if s["e_to"].size else np.nan}
        for lv in TOE_OFF_LEVELS_G:
            row[f"cross_{lv:g}"] = float(np.median(cross[lv])) if cross[lv] else np.nan
        rows.append(row)
    return rows


#: the trials are also cut to start (end) this many seconds later (earlier), every ``CUT_STEP_S``:
#: a recording can begin and end at any phase of a stride
CUT_SPAN_S = 0.7
CUT_STEP_S = 0.025


def edge_cuts(root: Path) -> dict:
    """Each trial cut to start later and, separately, to end earlier by 0 to ``CUT_SPAN_S``: the
    plate contacts wholly inside a cut (initial contact >= 10 ms after its first sample, toe-off
    >= 10 ms before its last) that no detected running contact matches within ``TOLERANCE_S``, and
    the detections that match no plate contact at all, away from the cut's ends (a stance cut by
    an end is reported, and is not in the reference)."""
    import pandas as pd

    import gaitlab
    from gaitlab.validation import match_events

    folder = Path(root) / FOLDER
    cond = pd.read_csv(folder / "conditions.csv")
    ref = pd.read_csv(folder / "reference_contacts.csv")
    out = {"cuts": 0, "inside": 0, "missed": 0, "spurious": 0, "where": []}
    for c in cond.itertuples(index=False):
        rec = gaitlab.read(folder / f"{c.trial}.csv.gz")
        r = ref[ref["trial"] == c.trial]
        for end in ("start", "end"):
            for off in np.arange(0.0, CUT_SPAN_S, CUT_STEP_S):
                keep = rec.t >= off if end == "start" else rec.t <= rec.t[-1] - off
                t = rec.t[keep]
                cut = gaitlab.Recording(t - t[0], rec.acc[keep], fs=rec.fs, placement="waist")
                steps = gaitlab.analyze(cut, placement="waist", report=False).steps
                ic = steps.loc[steps["activity"] == "running", "ic_s"].to_numpy(float) + t[0]
                inside = r.loc[(r["ic_s"] >= t[0] + 0.01) & (r["to_s"] <= t[-1] - 0.01), "ic_s"].to_numpy(float)
                d, _ = match_events(ic, inside, TOLERANCE_S)
                alone = np.setdiff1d(np.arange(ic.size), d)
                spurious = sum(1 for u in alone if t[0] + 0.05 < ic[u] < t[-1] - 0.3
                               and np.min(np.abs(r["ic_s"].to_numpy(float) - ic[u])) > TOLERANCE_S)
                out["cuts"] += 1
                out["inside"] += inside.size
                out["missed"] += inside.size - d.size
                out["spurious"] += spurious
                if inside.size - d.size or spurious:
                    out["where"].append(f"{c.trial} {end} {off:.3f} s")
    return out


SIDE_COLUMNS = [("name", "trial / condition", ""), ("step_si_ref", "step SI plate %", ".1f"),
                ("step_si_det", "step SI gaitlab %", ".1f"), ("gct_si_ref", "GCT SI plate %", ".1f"),
                ("gct_si_det", "GCT SI gaitlab %", ".1f"), ("ic_foot_diff", "IC bias A - B, ms", "+.1f"),
                ("to_foot_diff", "TO bias A - B, ms", "+.1f")]


TOE_OFF_COLUMNS = [("name", "trial / condition", ""), ("at_to", "g at plate TO", ".2f")] + [
    (f"cross_{lv:g}", f"{lv:g} g crossed, ms", "+.1f") for lv in TOE_OFF_LEVELS_G] + [
    ("to_bias", "gaitlab TO bias", "+.1f")]


def run(root: Path) -> dict[str, bool]:
    """Print the REAL DATA tables and the accuracy targets; returns target -> met."""
    folder = Path(root) / FOLDER
    print(f"== waist_forceplate: REAL DATA, {folder} (Alcantara et al. 2022; sacral accelerometer vs "
          f"force-treadmill contacts; IC matched one to one within {TOLERANCE_S * 1e3:.0f} ms; errors "
          "in ms, detected - reference)")
    if not folder.is_dir():
        print("  data set absent: skipped")
        return {}
    rows, cond_rows, overall, scores = evaluate(root)
    print("  per trial (REAL DATA):")
    print_table(rows, COLUMNS)
    print("  per condition (REAL DATA; slope x strike, slope x strike x speed, speed):")
    print_table(cond_rows, COLUMNS)
    print("  all trials (REAL DATA):")
    print_table([overall], COLUMNS)
    gct = np.concatenate([s["e_gct"] for s in scores])
    print(f"  GCT RMSE {np.sqrt(np.mean(gct ** 2)):.1f} ms over {gct.size} contacts (REAL DATA; the best published "
          "single-sacral-sensor figure is about 20 ms, Patoz et al. 2022)")
    n_first = sum(s["first"] for s in scores)
    n_last = sum(s["last"] for s in scores)
    print(f"  first contact found in {n_first}/{len(scores)} trials, last in {n_last}/{len(scores)}")
    print("  left / right (REAL DATA; Robinson's symmetry index 200 |A - B| / (A + B) of the mean step time and "
          "GCT of alternate contacts, the same matched steps for gaitlab and the plate):")
    side_rows = [dict(s["sides"], name=r["name"]) for s, r in zip(scores, rows, strict=True)]
    print_table(side_rows, SIDE_COLUMNS)
    for key in ("step", "gct"):
        err = [abs(r[f"{key}_si_det"] - r[f"{key}_si_ref"]) for r in side_rows]
        print(f"  {key} SI, gaitlab - plate: mean |error| {np.nanmean(err):.1f} points, worst {np.nanmax(err):.1f}; "
              f"plate's SI {np.nanmean([r[f'{key}_si_ref'] for r in side_rows]):.1f} % on average")
    for key in ("ic", "to"):
        diff = [abs(r[f"{key}_foot_diff"]) for r in side_rows]
        print(f"  {key.upper()} bias differing between the feet: mean |A - B| {np.nanmean(diff):.1f} ms, "
              f"worst {np.nanmax(diff):.1f} ms")
    cuts = edge_cuts(root)
    print(f"  cut to start later / end earlier by 0-{CUT_SPAN_S:g} s every {CUT_STEP_S * 1e3:.0f} ms (REAL DATA; "
          f"{cuts['cuts']} cuts): {cuts['missed']} of {cuts['inside']} plate contacts inside the cuts missed, "
          f"{cuts['spurious']} detections matching no plate contact"
          + (f" ({', '.join(cuts['where'][:6])})" if cuts["where"] else ""))
    print("  the same trials at lower sample rates (REAL DATA; every k-th sample of the export):")
    rate_rows = [dict(overall, name="500 Hz (as published)")]
    for k in DECIMATIONS:
        rate_rows.append(dict(evaluate(root, every=k)[2], name=f"{500 // k} Hz (1 sample in {k})"))
    print_table(rate_rows, COLUMNS)
    print("  the sacral signal at the plate's toe-off (REAL DATA; medians per trial; crossings of the falling "
          "edge minus the plate's toe-off):")
    to_rows = toe_off_signal(root, scores)
    print_table(to_rows, TOE_OFF_COLUMNS)
    for speed in sorted({r["speed"] for r in to_rows}):
        same = [r for r in to_rows if r["speed"] == speed]
        if len(same) >= 3:
            spread = ", ".join(f"{lv:g} g crossed {np.std([r[f'cross_{lv:g}'] for r in same], ddof=1):.1f} ms"
                               for lv in TOE_OFF_LEVELS_G)
            print(f"  between-trial SD at {speed:.2f} m/s ({len(same)} trials): {spread}; gaitlab TO bias "
                  f"{np.std([r['to_bias'] for r in same], ddof=1):.1f} ms")
    t: dict[str, bool] = {}
    print("  targets (REAL DATA):")
    check(t, "F1 >= 0.99 (first and last contacts counted)", overall["f1"], overall["f1"] >= TARGETS["f1_min"])
    check(t, "IC MAE <= 10 ms", overall["ic_mae"], overall["ic_mae"] <= TARGETS["ic_mae_ms"], " ms")
    check(t, "|IC bias| <= 6 ms", overall["ic_bias"], abs(overall["ic_bias"]) <= TARGETS["ic_bias_ms"], " ms")
    check(t, "GCT MAE <= 15 ms", overall["gct_mae"], overall["gct_mae"] <= TARGETS["gct_mae_ms"], " ms")
    check(t, "|GCT bias| <= 10 ms", overall["gct_bias"],
          abs(overall["gct_bias"]) <= TARGETS["gct_bias_ms"], " ms")
    worst = max((r for r in cond_rows if " x " in r["name"]), key=lambda r: abs(r["ic_bias"]))
    check(t, f"no condition with |IC bias| > 12 ms (worst: {worst['name']})", worst["ic_bias"],
          abs(worst["ic_bias"]) <= TARGETS["condition_ic_bias_ms"], " ms")
    check(t, "no contact lost where a recording starts or ends (cut trials)", cuts["missed"], cuts["missed"] == 0)
    return t
