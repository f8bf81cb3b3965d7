"""Test helper for the report tests: an Analysis built directly from per-step patterns.

``make_analysis`` lays out steps one after the other (IC to IC = step time) and fills the step
columns from scalars or functions of time, with seeded noise. It lets the rule tests put an exact,
known pattern (value, start, duration) into a run without going through signal processing.
(No tests here; the file name only keeps it inside the report's test files.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from gaitlab.result import Analysis
from gaitlab.schema import SEGMENT_COLUMNS, STEP_COLUMNS, SUMMARY_KEYS

Pattern = float | Callable[[np.ndarray], np.ndarray]

#: relative per-step noise (SD as a fraction of the value) at noise=1
NOISE = {"step_time_ms": 0.015, "gct_ms": 0.03, "vo_cm": 0.05, "impact_g": 0.06,
         "loading_rate_gps": 0.08, "braking_mps": 0.08}
ABS_NOISE_DEG = 0.8


def _eval(p: Pattern | None, t: np.ndarray) -> np.ndarray:
    if p is None:
        return np.full(len(t), np.nan)
    if callable(p):
        return np.asarray(p(t), dtype=np.float64) * np.ones(len(t))
    return np.full(len(t), float(p))


def step_in(t0: float, t1: float, base: float, value: float) -> Callable[[np.ndarray], np.ndarray]:
    """A pattern equal to ``value`` for ``t0 <= t < t1`` and ``base`` elsewhere."""
    return lambda t: np.where((t >= t0) & (t < t1), value, base)


def ramp(t0: float, t1: float, v0: float, v1: float) -> Callable[[np.ndarray], np.ndarray]:
    """Linear from ``v0`` at ``t0`` to ``v1`` at ``t1``, constant outside."""
    return lambda t: v0 + (v1 - v0) * np.clip((t - t0) / (t1 - t0), 0.0, 1.0)


def make_analysis(
    duration_s: float = 360.0,
    *,
    cadence_spm: Pattern = 178.0,
    gct_ms: Pattern = 230.0,
    vo_cm: Pattern | None = 7.0,
    impact_g: Pattern | None = 2.4,
    loading_rate_gps: Pattern | None = 60.0,
    braking_mps: Pattern | None = 0.35,
    pelvic_tilt_deg: Pattern | None = None,
    pelvic_drop_deg: Pattern | None = None,
    pelvic_drop_lr_deg: Pattern = 0.0,
    gct_si_pct: Pattern = 0.0,
    impact_si_pct: Pattern = 0.0,
    speed_mps: float | None = None,
    sides: bool = True,
    noise: float = 1.0,
    gaps: Sequence[tuple[float, float]] = (),
    walking: Sequence[tuple[float, float]] = (),
    placement: str = "waist",
    path: str = "synthetic_run.csv",
    seed: int = 0,
    fs_hz: float = 100.0,
    signals: bool = True,
    tilt_reference: str = "standing",
) -> Analysis:
    """An Analysis whose steps follow the given patterns (values at each step's IC time, s).

    ``gct_si_pct`` splits GCT between feet: left = gct (1 + si/200), right = gct (1 - si/200), so
    the symmetry index 200|L-R|/(L+R) equals ``gct_si_pct`` exactly. ``pelvic_drop_lr_deg`` adds
    half the difference to left stances and subtracts it from right ones. Steps inside ``gaps`` are
    removed and their neighbours invalid; steps inside ``walking`` are labelled walking.
    """
    # IC times: fixed-point iteration so each step's duration follows the cadence at its own time
    c0 = float(np.mean(_eval(cadence_spm, np.array([0.0, duration_s]))))
    n = int(duration_s * c0 / 60.0 * 1.3) + 10
    t = np.arange(n) * 60.0 / c0
    for _ in range(4):
        jitter = np.random.default_rng(seed).standard_normal(n)  # the same noise each iteration
        step_s = np.clip(60.0 / _eval(cadence_spm, t) * (1.0 + noise * NOISE["step_time_ms"] * jitter), 0.2, 1.0)
        t = np.concatenate([[0.0], np.cumsum(step_s)[:-1]])
    keep = t < duration_s
    t, step_s = t[keep], step_s[keep]
    n = len(t)
    rng = np.random.default_rng(seed + 1)

    def noisy(name: str, p: Pattern | None) -> np.ndarray:
        v = _eval(p, t)
        return v * (1.0 + noise * NOISE[name] * rng.standard_normal(n))

    side = np.where(np.arange(n) % 2 == 0, "L", "R") if sides else np.full(n, None, dtype=object)
    sign = np.where(side == "L", 1.0, -1.0) if sides else np.zeros(n)
    gct = noisy("gct_ms", gct_ms) * (1.0 + sign * _eval(gct_si_pct, t) / 200.0)
    gct = np.minimum(gct, 0.95 * step_s * 1000.0)
    impact = noisy("impact_g", impact_g) * (1.0 + sign * _eval(impact_si_pct, t) / 200.0)
    tilt = _eval(pelvic_tilt_deg, t) + noise * ABS_NOISE_DEG * rng.standard_normal(n)
    drop = (_eval(pelvic_drop_deg, t) + sign * _eval(pelvic_drop_lr_deg, t) / 2.0
            + noise * ABS_NOISE_DEG * rng.standard_normal(n))
    steps = pd.DataFrame({
        "ic_s": t,
        "to_s": t + gct / 1000.0,
        "side": pd.Series(side, dtype=object),
        "gct_ms": gct,
        "flight_ms": step_s * 1000.0 - gct,
        "step_time_ms": step_s * 1000.0,
        "vo_cm": noisy("vo_cm", vo_cm),
        "impact_g": impact,
        "valid": np.ones(n, dtype=bool),
        "loading_rate_gps": noisy("loading_rate_gps", loading_rate_gps),
        "braking_mps": noisy("braking_mps", braking_mps),
        "pelvic_tilt_deg": tilt,
        "pelvic_drop_deg": drop,
        "activity": pd.Series(["running"] * n, dtype=object),
        "impact_clipped": np.zeros(n, dtype=bool),
    })
    if speed_mps is not None:
        steps["speed_mps"] = speed_mps
    for a, b in walking:
        steps.loc[(steps["ic_s"] >= a) & (steps["ic_s"] < b), "activity"] = "walking"
    for a, b in gaps:
        inside = (steps["ic_s"] >= a) & (steps["ic_s"] < b)
        before = steps.index[steps["ic_s"] < a]
        steps = steps[~inside]
        if len(before):
            steps.loc[before[-1], "valid"] = False
        after = steps.index[steps["ic_s"] >= b]
        if len(after):
            steps.loc[after[0], "valid"] = False
    steps = steps.reset_index(drop=True)[list(STEP_COLUMNS) + (["speed_mps"] if speed_mps else [])]
    gaps_df = pd.DataFrame({"start_s": [a for a, _ in gaps], "end_s": [b for _, b in gaps]}, dtype=float)
    return Analysis(
        steps=steps,
        summary=_summary(steps, speed_mps),
        segments=_segments(steps),
        gaps=gaps_df,
        input={"path": path, "format": "synthetic", "fs_hz": fs_hz, "duration_s": duration_s,
               "placement": placement},
        signals=_signals(steps, fs_hz) if signals else {},
        params={"pelvic_tilt_reference": None if pelvic_tilt_deg is None else tilt_reference},
    )


def _summary(steps: pd.DataFrame, speed_mps: float | None) -> dict:
    run = steps[steps["valid"] & (steps["activity"] == "running")]
    left, right = run[run["side"] == "L"], run[run["side"] == "R"]
    gl, gr = left["gct_ms"].median(), right["gct_ms"].median()
    s = dict.fromkeys(SUMMARY_KEYS, math.nan)
    step_ms = run["step_time_ms"].median()
    s.update({
        "n_steps": len(steps), "n_valid_steps": len(run), "cadence_spm": 60000.0 / step_ms,
        "gct_ms": run["gct_ms"].median(), "flight_ms": run["flight_ms"].median(),
        "vo_cm": run["vo_cm"].median(), "impact_g": run["impact_g"].median(),
        "gct_balance_left_pct": 100.0 * gl / (gl + gr) if len(left) and len(right) else math.nan,
        "running_s": float(run["step_time_ms"].sum() / 1000.0),
        "duty_factor": run["gct_ms"].median() / (2 * step_ms),
        "speed_mps": speed_mps if speed_mps else math.nan,
    })
    if speed_mps:
        s["step_length_m"] = speed_mps * step_ms / 1000.0
        s["vertical_ratio_pct"] = s["vo_cm"] / s["step_length_m"]
    return s


def _segments(steps: pd.DataFrame) -> pd.DataFrame:
    run = steps[steps["valid"] & (steps["activity"] == "running")]
    minute = (run["ic_s"] // 60).astype(int)
    rows = []
    for m, g in run.groupby(minute):
        row = dict.fromkeys(SEGMENT_COLUMNS, math.nan)
        row.update({"start_s": m * 60.0, "end_s": m * 60.0 + 60.0,
                    "cadence_spm": 60000.0 / g["step_time_ms"].median(), "gct_ms": g["gct_ms"].median(),
                    "vo_cm": g["vo_cm"].median(), "flight_ms": g["flight_ms"].median(), "n_steps": len(g),
                    "running_s": g["step_time_ms"].sum() / 1000.0})
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))


def _signals(steps: pd.DataFrame, fs_hz: float) -> dict[str, np.ndarray]:
    """Vertical specific force (g) from the half-sine contact model (running_science 4.1)."""
    t_end = float(steps["ic_s"].iloc[-1] + steps["step_time_ms"].iloc[-1] / 1000.0) if len(steps) else 0.0
    t_s = np.arange(0.0, t_end, 1.0 / fs_hz)
    vertical_g = np.zeros_like(t_s)
    ic = steps["ic_s"].to_numpy()
    tc = steps["gct_ms"].to_numpy() / 1000.0
    ts = steps["step_time_ms"].to_numpy() / 1000.0
    idx = np.clip(np.searchsorted(ic, t_s, side="right") - 1, 0, None)
    dt = t_s - ic[idx]
    contact = dt < tc[idx]
    peak = (np.pi / 2.0) * ts[idx] / tc[idx]  # mean over the step = 1 g
    vertical_g[contact] = peak[contact] * np.sin(np.pi * dt[contact] / tc[idx][contact])
    return {"t_s": t_s, "vertical_g": vertical_g}
