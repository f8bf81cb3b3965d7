"""Run summary and per-minute segments from a per-step table (shared by waist and shoe).

Running metrics are computed on valid running steps only; a metric that cannot be measured is
NaN (null in JSON), never 0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..analysis import SEGMENT_COLUMNS, SUMMARY_KEYS

__all__ = ["summarize", "segment_table", "balance_left_pct", "symmetry_index_pct"]


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
              regularity: tuple[float, float] | None = None) -> dict[str, float]:
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
    walk = steps[steps["activity"] == "walking"]
    out["walking_s"] = float(walk["step_time_ms"].sum()) / 1000.0
    all_run = steps[steps["activity"] == "running"]
    out["running_s"] = float(all_run["step_time_ms"].sum()) / 1000.0
    out["standing_s"] = max(0.0, duration_s - gap_s - out["running_s"] - out["walking_s"])
    if regularity is not None:
        out["step_regularity"], out["stride_regularity"] = regularity
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
