"""REAL DATA: a foot IMU on the shoe, jogging at 150-160 spm in a mocap room (``foot_jog_vicon_room``).

Reference (see the data README): stride starts from a hand-corrected ZUPT detector (the last
still sample of each stance, i.e. heel-off; the last entry is the end of the recording), the
median stride time, cadence = 120 / median stride, and the number of running strides. The
hand-corrected stride starts lie on a 25-ms grid (their intervals are 0.725, 0.75, 0.775 s ...), so
the median stride of ``reference.csv`` is quantised and its cadence uncertain by +-2.6 spm. The
cadence gaitlab reports is the mean over its *valid* strides (the summary's definition): a stride
off the local rhythm (accelerometer only), the stride that lands into a stop, a stride across a gap
are left out. It is therefore scored like with like, against the mean of the reference strides
that are the same strides (per valid detected stride ``[IC_k, IC_k+1]``, the reference stride from
the heel-off inside it to the next one; a detected stride holding no or two reference starts, i.e.
a missed or spurious landing, has no reference and counts in the detected mean only). The mean
over the whole run (first to last reference start, the final entry, the end of the recording, left
out) is printed beside it: it includes the slow gait-initiation strides (0.9-1.0 s) that an
accelerometer-only clip flags as off its rhythm. There is
no force reference, so contact time cannot be scored; the duty factor must be physiological
(< 0.45 median for jogging at 150-160 spm).

The walking trial (``2017-11-22-11-40-44``, no running strides in the reference) is scored for
strides found, cadence, walking labels and a walking duty factor (>= 0.55).

Targets per jogging trial: >= 97 % of the reference strides found (one contact, i.e. one landing,
per reference stride), cadence within 2 spm (mean over the run, see above), every jogging stride labelled running (at least the reference's running strides), median
duty factor < 0.45. Each trial is also scored with the gyroscope dropped (an accelerometer-only
shoe clip): strides found and cadence, with strike angle, pronation and stride length null; and
once more decimated to 100 Hz and clipped at +-8 g (as outdoor shoe clips): also the moving time
(running + walking) against the reference's first-to-last stride start.

The files hold acceleration in m/s^2 and the gyroscope in rad/s (``gyr_*_rads``): they are
converted here explicitly to g and deg/s, so the score does not depend on the reader's column
handling.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .common import check, print_table

FOLDER = "foot_jog_vicon_room"
G = 9.80665


def _recording(path: Path, gyro: bool = True, fs_100: bool = False):
    import pandas as pd

    from gaitlab.recording import Recording

    df = pd.read_csv(path)
    t = df["time_s"].to_numpy(dtype=np.float64)
    acc = df[["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]].to_numpy(dtype=np.float64) / G
    gyr = np.rad2deg(df[["gyr_x_rads", "gyr_y_rads", "gyr_z_rads"]].to_numpy(dtype=np.float64)) if gyro else None
    fs = 1.0 / float(np.median(np.diff(t)))
    if fs_100:
        # a 100 Hz, +-8 g accelerometer-only clip (as the outdoor shoe clips): anti-aliased
        # decimation by two, then the range
        from scipy.signal import decimate

        acc = np.clip(decimate(acc, 2, axis=0, zero_phase=True), -8.0, 8.0)
        t, fs = t[::2][: acc.shape[0]], fs / 2.0
    return Recording(t=t, acc=acc, gyr=gyr, fs=fs, placement="shoe", side="R",
                     meta={"source": str(path), "format": "csv"})


def _median(x) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.median(x[np.isfinite(x)])) if np.isfinite(x).any() else math.nan


def _mean_cadence(times: np.ndarray) -> float:
    """120 x strides / time between the first and the last of ``times`` (steps/min)."""
    times = times[np.isfinite(times)]
    return 120.0 * (times.size - 1) / float(times[-1] - times[0]) if times.size >= 2 else math.nan


def _same_strides_cadence(starts: np.ndarray, ic_s: np.ndarray, stride_ms: np.ndarray) -> float:
    """Reference cadence (steps/min) over the reference strides matching the given detected strides.

    Each detected stride ``[ic, ic + stride)`` holds the heel-off (reference stride start) of its
    own stance; the reference stride is from that start to the next one. Detected strides holding
    no or several starts (a missed or a spurious landing) have no reference stride.
    """
    ref = []
    for t0, ms in zip(ic_s, stride_ms, strict=True):
        if not (np.isfinite(t0) and np.isfinite(ms)):
            continue
        j = np.flatnonzero((starts > t0) & (starts < t0 + ms / 1e3))
        if j.size == 1 and j[0] + 1 < starts.size:
            ref.append(starts[j[0] + 1] - starts[j[0]])
    return 120.0 / float(np.mean(ref)) if ref else math.nan


def score_trial(path: Path, ref: dict, gyro: bool = True, fs_100: bool = False) -> dict:
    """One trial: detected contacts vs the reference strides, cadence, labels, duty factor."""
    import pandas as pd

    import gaitlab

    starts = pd.read_csv(path.with_name(path.name.replace("_foot.csv.gz", "_ref_stride_starts.csv")))
    starts = starts["stride_start_s"].to_numpy()[:-1]  # the last entry is the end of the recording

    rec = _recording(path, gyro and not fs_100, fs_100)
    a = gaitlab.analyze(rec, placement="shoe")
    st = a.steps
    n = len(st)
    ok = st["valid"].to_numpy(dtype=bool)
    ic_ok, stride_ok = st["ic_s"].to_numpy()[ok], st["stride_time_ms"].to_numpy(dtype=np.float64)[ok]
    return {
        "trial": path.name[:19] + (" acc-only 100 Hz" if fs_100 else "" if gyro else " acc-only"),
        "moving_ref_s": float(starts[-1] - starts[0]),
        "moving_s": float(a.summary["running_s"] + a.summary["walking_s"]),
        "standing_s": float(a.summary["standing_s"]),
        "ref_strides": int(ref["n_strides"]), "found": n,
        "found_pct": 100.0 * min(n, ref["n_strides"]) / ref["n_strides"],
        "ref_cadence_median": float(ref["ref_cadence_spm"]), "ref_cadence_run": _mean_cadence(starts),
        "ref_cadence": _same_strides_cadence(starts, ic_ok, stride_ok),
        "cadence": 120000.0 / float(np.nanmean(stride_ok)), "valid": int(ok.sum()),
        "ref_running": int(ref["n_running_strides"]),
        "running": int((st["activity"] == "running").sum()),
        "gct_ms": _median(st["gct_ms"]), "df": _median(st["duty_factor"]),
        "strike_null": bool(st["foot_strike_angle_deg"].isna().all()),
        "length_null": bool(st["stride_length_m"].isna().all()),
        "clipped": int(st["impact_clipped"].sum()) if "impact_clipped" in st else 0,
    }


def run(root: Path) -> dict[str, bool]:
    import pandas as pd

    folder = root / FOLDER
    print(f"== foot_jog (REAL DATA: {folder.name}, foot IMU 200 Hz, jogging 150-160 spm)")
    targets: dict[str, bool] = {}
    if not folder.is_dir():
        print(f"  not found: {folder}")
        return targets
    refs = pd.read_csv(folder / "reference.csv", dtype={"trial": str}).set_index("trial")
    rows = []
    for trial, ref in refs.iterrows():
        for gyro in (True, False):
            rows.append(score_trial(folder / f"{trial}_foot.csv.gz", ref.to_dict(), gyro))
        rows.append(score_trial(folder / f"{trial}_foot.csv.gz", ref.to_dict(), False, fs_100=True))
    print_table(rows, [("trial", "trial", "s"), ("ref_strides", "ref strides", "d"), ("found", "found", "d"),
                       ("found_pct", "found %", ".1f"), ("ref_cadence_median", "ref spm (csv median)", ".1f"),
                       ("ref_cadence_run", "ref spm (run mean)", ".1f"),
                       ("ref_cadence", "ref spm (same strides)", ".1f"),
                       ("cadence", "spm (valid mean)", ".1f"), ("valid", "valid", "d"), ("ref_running", "ref running", "d"),
                       ("running", "running", "d"), ("gct_ms", "GCT ms (median)", ".0f"),
                       ("df", "DF (median)", ".3f"), ("moving_ref_s", "ref moving s", ".1f"),
                       ("moving_s", "moving s", ".1f"), ("standing_s", "standing s", ".1f"),
                       ("clipped", "clipped impacts", "d")])
    for r in rows:
        name = r["trial"]
        check(targets, f"{name}: strides found >= 97 %", r["found_pct"], r["found_pct"] >= 97.0, " %")
        err = abs(r["cadence"] - r["ref_cadence"])
        # like with like: the reported (valid-stride) cadence vs the reference over those strides
        check(targets, f"{name}: cadence within 2 spm", err, err <= 2.0, " spm off")
        if name.endswith("100 Hz"):
            # never running reported as standing: moving time (running + walking) covers the
            # reference's moving span (first to last stride start) within a stride
            short = r["moving_ref_s"] - r["moving_s"]
            check(targets, f"{name}: moving time within 1 s of the reference's", short, abs(short) <= 1.0, " s")
        if "acc-only" in name:
            check(targets, f"{name}: strike angle and stride length null without a gyro", math.nan,
                  r["strike_null"] and r["length_null"])
            continue
        if r["ref_running"] == 0:  # the walk: walking, with the double support of walking
            check(targets, f"{name}: walking strides labelled walking", r["running"], r["running"] == 0)
            check(targets, f"{name}: median duty factor >= 0.55 (walking)", r["df"], r["df"] >= 0.55)
            continue
        check(targets, f"{name}: jogging strides labelled running", r["running"],
              r["running"] >= min(r["ref_running"], r["found"] - 1))
        check(targets, f"{name}: median duty factor < 0.45", r["df"], r["df"] < 0.45)
    return targets
