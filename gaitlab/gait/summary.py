"""Run summary and per-minute segments from a per-step table (shared by waist and shoe).

Running metrics are computed on valid running steps only; a metric that cannot be measured is
NaN (null in JSON), never 0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..analysis import SEGMENT_COLUMNS, SUMMARY_KEYS

__all__ = ["summarize", "segment_table", "balance_left_pct", "symmetry_index_pct", "side_means_ci",
           "PER_SIDE_METRICS"]

#: Per-side metrics reported with confidence intervals (summary keys ``<name>_left``, ...).
PER_SIDE_METRICS = ("gct_ms", "step_time_ms", "impact_g")

#: Two-sided 95 % normal quantile.
_Z95 = 1.959963984540054


def _mean(x: pd.Series) -> float:
    x = x.dropna()
    return float(x.mean()) if len(x) else math.nan


def balance_left_pct(values: pd.Series, side: pd.Series) -> float:
    """Garmin's balance: ``100 * L / (L + R)`` of the side means (NaN without both sides)."""
    left, right = _mean(values[side == "L"]), _mean(values[side == "R"])
    if not (math.isfinite(left) and math.isfinite(right)) or left + right == 0:
        return math.nan
    return 100.0 * left / (left + right)


def symmetry_index_pct(values: pd.Series, side: pd.Series) -> float:
    """Robinson's symmetry index ``200 |L - R| / (L + R)`` of the side means, in %."""
    left, right = _mean(values[side == "L"]), _mean(values[side == "R"])
    if not (math.isfinite(left) and math.isfinite(right)) or left + right == 0:
        return math.nan
    return 200.0 * abs(left - right) / (left + right)


def _mean_se(x: np.ndarray) -> tuple[float, float, int]:
    """Mean, standard error and count of a step series, the error widened for serial correlation.

    Consecutive steps of one foot are not independent (pace drifts, hills): with lag-1
    autocorrelation ``rho`` the variance of the mean grows by ``(1 + rho) / (1 - rho)``
    (AR(1) effective sample size), ``rho`` clipped to [0, 0.9].
    """
    x = x[np.isfinite(x)]
    n = x.size
    if n < 3:
        return math.nan, math.nan, n
    mean = float(x.mean())
    sd = float(x.std(ddof=1))
    d = x - mean
    den = float(np.dot(d, d))
    rho = float(np.dot(d[:-1], d[1:]) / den) if den > 0 else 0.0
    rho = min(max(rho, 0.0), 0.9)
    return mean, sd / math.sqrt(n) * math.sqrt((1.0 + rho) / (1.0 - rho)), n


def side_means_ci(values: pd.Series | np.ndarray, side: pd.Series | np.ndarray) -> dict[str, float]:
    """Per-side means with 95 % confidence intervals, and the symmetry index with its interval.

    Returns ``left``, ``left_lo``, ``left_hi``, ``right`` (...), ``n_left``, ``n_right``, ``si_pct``
    (Robinson's ``200 |L - R| / (L + R)``) and ``si_lo_pct``/``si_hi_pct`` from the interval of the
    difference ``L - R`` (delta method, both sides' errors combined). NaN where a side has fewer than
    3 values.
    """
    v = np.asarray(values, dtype=np.float64)
    sd = np.asarray(side, dtype=object)
    lm, lse, ln = _mean_se(v[sd == "L"])
    rm, rse, rn = _mean_se(v[sd == "R"])
    out = {"left": lm, "left_lo": lm - _Z95 * lse, "left_hi": lm + _Z95 * lse, "n_left": ln,
           "right": rm, "right_lo": rm - _Z95 * rse, "right_hi": rm + _Z95 * rse, "n_right": rn,
           "si_pct": math.nan, "si_lo_pct": math.nan, "si_hi_pct": math.nan}
    tot = lm + rm
    if math.isfinite(tot) and tot > 0:
        diff = abs(lm - rm)
        half = _Z95 * math.hypot(lse, rse)
        out["si_pct"] = 200.0 * diff / tot
        out["si_lo_pct"] = 200.0 * max(diff - half, 0.0) / tot
        out["si_hi_pct"] = 200.0 * (diff + half) / tot
    return out


def _running(steps: pd.DataFrame) -> pd.DataFrame:
    return steps[steps["valid"].astype(bool) & (steps["activity"] == "running")]


def _block_metrics(run: pd.DataFrame) -> dict[str, float]:
    """Metrics shared by the summary and each segment, from valid running steps."""
    st = run["step_time_ms"]
    mean_st = _mean(st)
    out = {
        "cadence_spm": 60000.0 / mean_st if math.isfinite(mean_st) and mean_st > 0 else math.nan,
        "gct_ms": _mean(run["gct_ms"]),
        "flight_ms": _mean(run["flight_ms"]),
        "vo_cm": _mean(run["vo_cm"]),
        "impact_g": _mean(run["impact_g"]),
        "loading_rate_gps": _mean(run["loading_rate_gps"]),
        "braking_mps": _mean(run["braking_mps"]),
        "pelvic_tilt_deg": _mean(run["pelvic_tilt_deg"]),
        "gct_balance_left_pct": balance_left_pct(run["gct_ms"], run["side"]),
        "step_time_cv_pct": (100.0 * float(st.std()) / mean_st
                             if len(st.dropna()) >= 3 and mean_st > 0 else math.nan),
        "running_s": float(run["step_time_ms"].sum()) / 1000.0,
    }
    if "speed_mps" in run and run["speed_mps"].notna().any():
        step_len = run["speed_mps"] * run["step_time_ms"] / 1000.0
        vr = 100.0 * (run["vo_cm"] / 100.0) / step_len
        out["vertical_ratio_pct"] = _mean(vr)
        out["step_length_m"] = _mean(step_len)
        out["speed_mps"] = _mean(run["speed_mps"])
    else:
        out["vertical_ratio_pct"] = math.nan
        out["step_length_m"] = math.nan
        out["speed_mps"] = math.nan
    return out


def summarize(steps: pd.DataFrame, *, duration_s: float, gap_s: float = 0.0,
              regularity: tuple[float, float] | None = None,
              per_side_reason: str | None = None) -> dict[str, float]:
    """Run-level summary (keys :data:`gaitlab.analysis.SUMMARY_KEYS`).

    Parameters
    ----------
    steps : DataFrame
        Per-step table.
    duration_s : float
        Recording duration (s).
    gap_s : float
        Total time inside gaps (s).
    regularity : (float, float), optional
        Step and stride regularity (autocorrelation, 0-1) where computed.
    per_side_reason : str, optional
        Why per-side metrics cannot be measured with this mounting: left/right means, balance and
        asymmetry are then NaN and the reason is kept under ``per_side_reason``.

    Per-side means carry 95 % confidence intervals (:func:`side_means_ci`): ``gct_left_ms``,
    ``gct_left_ci_lo_ms``, ``gct_left_ci_hi_ms``, ``gct_right_ms`` ..., and ``gct_si_ci_lo_pct`` /
    ``gct_si_ci_hi_pct`` for the symmetry index (likewise ``step_time_*`` and ``impact_*``).
    """
    run = _running(steps)
    out: dict[str, float] = {k: math.nan for k in SUMMARY_KEYS}
    out.update(_block_metrics(run))
    out["n_steps"] = int(len(steps))
    out["n_valid_steps"] = int(len(run))
    out["step_time_asymmetry_pct"] = symmetry_index_pct(run["step_time_ms"], run["side"])
    mean_gct, mean_st = out["gct_ms"], _mean(run["step_time_ms"])
    out["duty_factor"] = mean_gct / (2.0 * mean_st) if math.isfinite(mean_gct) and mean_st > 0 else math.nan
    out["pelvic_drop_deg"] = _mean(run["pelvic_drop_deg"])
    # valid walking steps only: the last step of a walk has no next contact in rhythm (the walker
    # stopped), so its "step time" runs over the pause and is not walking time
    walk = steps[(steps["activity"] == "walking") & steps["valid"].astype(bool)]
    out["walking_s"] = float(walk["step_time_ms"].sum()) / 1000.0
    all_run = steps[steps["activity"] == "running"]
    out["running_s"] = float(all_run["step_time_ms"].sum()) / 1000.0
    out["standing_s"] = max(0.0, duration_s - gap_s - out["running_s"] - out["walking_s"])
    if regularity is not None:
        out["step_regularity"], out["stride_regularity"] = regularity
    for name in PER_SIDE_METRICS:
        ci = side_means_ci(run[name], run["side"])
        base = name.rsplit("_", 1)
        for key, val in (("left", ci["left"]), ("left_ci_lo", ci["left_lo"]), ("left_ci_hi", ci["left_hi"]),
                         ("right", ci["right"]), ("right_ci_lo", ci["right_lo"]),
                         ("right_ci_hi", ci["right_hi"])):
            out[f"{base[0]}_{key}_{base[1]}"] = val  # e.g. gct_left_ms, gct_left_ci_lo_ms
        out[f"{base[0]}_si_ci_lo_pct"] = ci["si_lo_pct"]
        out[f"{base[0]}_si_ci_hi_pct"] = ci["si_hi_pct"]
    if per_side_reason:
        # the mounting biases left/right timing and impacts: not measurable, say why
        for key in list(out):
            if any(key.startswith(f"{m.rsplit('_', 1)[0]}_{w}") for m in PER_SIDE_METRICS
                   for w in ("left", "right", "si_")):
                out[key] = math.nan
        out["gct_balance_left_pct"] = math.nan
        out["step_time_asymmetry_pct"] = math.nan
        out["per_side_reason"] = per_side_reason
    return out


def _group_mean(values: np.ndarray, group: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Mean of ``values[mask]`` per group (NaN values and empty groups give NaN)."""
    ok = mask & np.isfinite(values)
    cnt = np.bincount(group[ok], minlength=n)
    tot = np.bincount(group[ok], weights=values[ok], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)


def segment_table(steps: pd.DataFrame, segment_s: float = 60.0) -> pd.DataFrame:
    """Per-segment metrics (default one row per minute of the recording with running steps).

    The same definitions as :func:`summarize`, computed for all segments at once (grouped sums,
    no per-segment pandas work: a 4-hour run has 240 segments).
    """
    run = _running(steps)
    if run.empty:
        return pd.DataFrame(columns=list(SEGMENT_COLUMNS))
    seg_all = np.floor(run["ic_s"].to_numpy() / segment_s).astype(np.int64)
    keys, seg = np.unique(seg_all, return_inverse=True)
    n = keys.size
    every = np.ones(seg.size, dtype=bool)

    def col(name: str) -> np.ndarray:
        return run[name].to_numpy(dtype=np.float64, na_value=np.nan)

    st = col("step_time_ms")
    side = run["side"].to_numpy(dtype=object)
    mean_st = _group_mean(st, seg, every, n)
    sq = _group_mean(st * st, seg, every, n)
    cnt_st = np.bincount(seg[np.isfinite(st)], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(cnt_st >= 3, (sq - mean_st**2) * cnt_st / np.maximum(cnt_st - 1, 1), np.nan)
        gct = col("gct_ms")
        left = _group_mean(gct, seg, side == "L", n)
        right = _group_mean(gct, seg, side == "R", n)
        out = {
            "start_s": keys * segment_s,
            "end_s": (keys + 1) * segment_s,
            "cadence_spm": 60000.0 / mean_st,
            "gct_ms": _group_mean(gct, seg, every, n),
            "vo_cm": _group_mean(col("vo_cm"), seg, every, n),
            "flight_ms": _group_mean(col("flight_ms"), seg, every, n),
            "n_steps": np.bincount(seg, minlength=n),
            "gct_balance_left_pct": 100.0 * left / (left + right),
            "impact_g": _group_mean(col("impact_g"), seg, every, n),
            "loading_rate_gps": _group_mean(col("loading_rate_gps"), seg, every, n),
            "braking_mps": _group_mean(col("braking_mps"), seg, every, n),
            "pelvic_tilt_deg": _group_mean(col("pelvic_tilt_deg"), seg, every, n),
            "step_time_cv_pct": 100.0 * np.sqrt(np.clip(var, 0, None)) / mean_st,
            "running_s": np.bincount(seg[np.isfinite(st)], weights=st[np.isfinite(st)], minlength=n) / 1000.0,
        }
        if "speed_mps" in run:
            speed = col("speed_mps")
            vr = 100.0 * (col("vo_cm") / 100.0) / (speed * st / 1000.0)
            out["vertical_ratio_pct"] = _group_mean(vr, seg, every, n)
        else:
            out["vertical_ratio_pct"] = np.full(n, np.nan)
    return pd.DataFrame(out)[list(SEGMENT_COLUMNS)]
