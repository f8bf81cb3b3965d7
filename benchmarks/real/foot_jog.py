"""REAL DATA: a foot IMU on the shoe, jogging at 150-160 spm in a mocap room (``foot_jog_vicon_room``).

Reference (see the data README): stride starts from a hand-corrected ZUPT detector (the last
still sample of each stance, i.e. heel-off; the last entry is the end of the recording), the
median stride time, cadence = 120 / median stride, and the number of running strides. The
hand-corrected stride starts lie on a 25-ms grid (their intervals are 0.725, 0.75, 0.775 s ...), so
the median stride of ``reference.csv`` is quantised and its cadence uncertain by +-2.6 spm; the
cadence is therefore scored as the mean over the run, 120 x strides / time, from the first to the
last reference stride start (the final entry, the end of the recording, left out) and from the
first to the last detected initial contact. There is
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
    return {
        "trial": path.name[:19] + (" acc-only 100 Hz" if fs_100 else "" if gyro else " acc-only"),
        "moving_ref_s": float(starts[-1] - starts[0]),
        "moving_s": float(a.summary["running_s"] + a.summary["walking_s"]),
        "standing_s": float(a.summary["standing_s"]),
        "ref_strides": int(ref["n_strides"]), "found": n,
        "found_pct": 100.0 * min(n, ref["n_strides"]) / ref["n_strides"],
        "ref_cadence_median": float(ref["ref_cadence_spm"]), "ref_cadence": _mean_cadence(starts),
        "cadence": 120000.0 / float(np.nanmean(st.loc[st["valid"], "stride_time_ms"])),
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
                       ("ref_cadence", "ref spm (mean)", ".1f"),
                       ("cadence", "spm (mean)", ".1f"), ("ref_running", "ref running", "d"),
                       ("running", "running", "d"), ("gct_ms", "GCT ms (median)", ".0f"),
                       ("df", "DF (median)", ".3f"), ("moving_ref_s", "ref moving s", ".1f"),
                       ("moving_s", "moving s", ".1f"), ("standing_s", "standing s", ".1f"),
                       ("clipped", "clipped impacts", "d")])
    for r in rows:
        name = r["trial"]
        check(targets, f"{name}: strides found >= 97 %", r["found_pct"], r["found_pct"] >= 97.0, " %")
        err = abs(r["cadence"] - r["ref_cadence"])
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
