"""Scoring of detected steps against gaitlab.synth ground truth (shared by the waist tests)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A detected IC matches a true one within this distance (issue #3).
MATCH_S = 0.060


@dataclass
class Score:
    n_detected: int
    n_true: int
    f1: float
    ic_mae_ms: float
    to_mae_ms: float
    gct_mae_ms: float
    vo_mae_cm: float
    side_accuracy: float
    cadence_error_spm: float
    balance_error_pp: float


def match(est_s: np.ndarray, true_s: np.ndarray, tol_s: float = MATCH_S) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest true event for each detected one, and whether it is within ``tol_s``.

    A true event is matched at most once (the closest detection wins).
    """
    if true_s.size == 0 or est_s.size == 0:
        return np.zeros(est_s.size, dtype=int), np.zeros(est_s.size, dtype=bool)
    j = np.clip(np.searchsorted(true_s, est_s), 1, true_s.size - 1)
    j = np.where(np.abs(true_s[j] - est_s) < np.abs(true_s[j - 1] - est_s), j, j - 1)
    dist = np.abs(true_s[j] - est_s)
    ok = dist <= tol_s
    order = np.argsort(dist)
    seen: set[int] = set()
    for i in order:
        if ok[i] and j[i] in seen:
            ok[i] = False
        seen.add(int(j[i]))
    return j, ok


def score(analysis, truth) -> Score:
    """Detection and accuracy of valid running steps against the truth's running steps.

    Truth steps touching a gap are neither required nor allowed to be matched; the truth's last
    step (whose next contact lies beyond the recording) is not in the truth table, so a detection
    there is not counted as a false positive.
    """
    steps = analysis.steps
    est = steps[steps["valid"] & (steps["activity"] == "running")]
    tr: pd.DataFrame = truth.steps
    tr_run = tr[(tr["activity"] == "running") & ~tr["in_gap"]]
    j, ok = match(est["ic_s"].to_numpy(), tr_run["ic_s"].to_numpy())
    beyond = est["ic_s"].to_numpy() > tr["ic_s"].max() + MATCH_S
    n_det = int((~beyond).sum())
    tp = int(ok.sum())
    prec = tp / max(n_det, 1)
    rec = tp / max(len(tr_run), 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-12)
    e, t = est[ok], tr_run.iloc[j[ok]]
    s, ts = analysis.summary, truth.summary
    return Score(
        n_detected=n_det, n_true=len(tr_run), f1=f1,
        ic_mae_ms=float(np.mean(np.abs(e["ic_s"].to_numpy() - t["ic_s"].to_numpy()))) * 1e3,
        to_mae_ms=float(np.nanmean(np.abs(e["to_s"].to_numpy() - t["to_s"].to_numpy()))) * 1e3,
        gct_mae_ms=float(np.nanmean(np.abs(e["gct_ms"].to_numpy() - t["gct_ms"].to_numpy()))),
        vo_mae_cm=float(np.nanmean(np.abs(e["vo_cm"].to_numpy() - t["vo_cm"].to_numpy()))),
        side_accuracy=float(np.mean(e["side"].to_numpy() == t["side"].to_numpy())),
        cadence_error_spm=abs(s["cadence_spm"] - ts["cadence_spm"]),
        balance_error_pp=abs(s["gct_balance_left_pct"] - ts["gct_balance_left_pct"]),
    )


#: Today's synthetic limits (``tests/test_waist.py``): a :class:`Score` field, its bound, and whether
#: the field must reach the bound (True) or stay within it (False).
LIMITS = (("f1", 0.98, True), ("ic_mae_ms", 10.0, False), ("gct_mae_ms", 12.0, False),
          ("vo_mae_cm", 0.8, False), ("cadence_error_spm", 0.5, False), ("side_accuracy", 0.98, True),
          ("balance_error_pp", 0.5, False))


def beyond_limits(sc: Score) -> list[str]:
    """The :data:`LIMITS` ``sc`` misses, as text ([] when it meets them all; NaN misses)."""
    out = []
    for name, bound, at_least in LIMITS:
        v = getattr(sc, name)
        if not (v >= bound if at_least else v <= bound):
            out.append(f"{name} {v:.3g} {'<' if at_least else '>'} {bound:g}")
    return out
