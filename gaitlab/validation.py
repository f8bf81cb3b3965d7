"""Score detected gait events against a reference (force plate, mocap, hand labels).

One-to-one matching of event times within a tolerance, then detection scores (precision, recall,
F1) and timing errors (mean absolute error and bias, detected minus reference). Used by
``benchmarks/validate_real.py`` and by the real-data tests; useful to anyone who has a reference
system next to a gaitlab sensor.

Examples
--------
>>> import numpy as np
>>> from gaitlab.validation import match_events, event_scores
>>> ref = np.array([1.00, 1.35, 1.70, 2.05])
>>> det = np.array([0.99, 1.36, 2.04, 3.00])
>>> d, r = match_events(det, ref, tolerance_s=0.05)
>>> d.tolist(), r.tolist()
([0, 1, 2], [0, 1, 3])
>>> s = event_scores(det, ref, tolerance_s=0.05)
>>> round(s["f1"], 3), round(s["mae_ms"], 1)
(0.75, 10.0)
"""

from __future__ import annotations

import numpy as np

__all__ = ["match_events", "event_scores"]


def match_events(detected_s, reference_s, tolerance_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Pair detected and reference event times one to one, nearest first, within a tolerance.

    Parameters
    ----------
    detected_s, reference_s : array_like of float
        Event times (s) on one time axis; NaN entries are ignored.
    tolerance_s : float
        Largest allowed ``|detected - reference|`` for a pair (s).

    Returns
    -------
    det_idx, ref_idx : ndarray of int64
        Indices into ``detected_s`` and ``reference_s`` of the matched pairs, sorted by reference
        time. Each event is used at most once; among candidate pairs, the closest are taken first.
    """
    det = np.asarray(detected_s, dtype=np.float64).ravel()
    ref = np.asarray(reference_s, dtype=np.float64).ravel()
    if tolerance_s < 0 or not np.isfinite(tolerance_s):
        raise ValueError(f"tolerance_s must be a finite value >= 0, found {tolerance_s}")
    di = np.flatnonzero(np.isfinite(det))
    ri = np.flatnonzero(np.isfinite(ref))
    if di.size == 0 or ri.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    # candidate pairs within the tolerance (events are sparse: a sorted sweep keeps this linear)
    order = np.argsort(det[di], kind="stable")
    di = di[order]
    d_sorted = det[di]
    pairs: list[tuple[float, int, int]] = []
    for r in ri:
        lo = np.searchsorted(d_sorted, ref[r] - tolerance_s, side="left")
        hi = np.searchsorted(d_sorted, ref[r] + tolerance_s, side="right")
        for k in range(lo, hi):
            pairs.append((abs(d_sorted[k] - ref[r]), int(di[k]), int(r)))
    pairs.sort()
    used_d: set[int] = set()
    used_r: set[int] = set()
    out: list[tuple[int, int]] = []
    for _, d, r in pairs:
        if d in used_d or r in used_r:
            continue
        used_d.add(d)
        used_r.add(r)
        out.append((d, r))
    out.sort(key=lambda p: ref[p[1]])
    if not out:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    d_idx, r_idx = (np.array(x, dtype=np.int64) for x in zip(*out))
    return d_idx, r_idx


def event_scores(detected_s, reference_s, tolerance_s: float) -> dict[str, float]:
    """Detection and timing scores of detected events against reference events.

    Parameters
    ----------
    detected_s, reference_s : array_like of float
        Event times (s); NaN entries are ignored.
    tolerance_s : float
        Matching tolerance (s), see :func:`match_events`.

    Returns
    -------
    dict
        ``n_detected``, ``n_reference``, ``n_matched``, ``precision``, ``recall``, ``f1`` (NaN when
        undefined), ``mae_ms`` and ``bias_ms`` (mean of detected - reference over the matched
        pairs, NaN without pairs).
    """
    det = np.asarray(detected_s, dtype=np.float64).ravel()
    ref = np.asarray(reference_s, dtype=np.float64).ravel()
    d_idx, r_idx = match_events(det, ref, tolerance_s)
    n_det = int(np.isfinite(det).sum())
    n_ref = int(np.isfinite(ref).sum())
    n = d_idx.size
    precision = n / n_det if n_det else float("nan")
    recall = n / n_ref if n_ref else float("nan")
    f1 = 2 * n / (n_det + n_ref) if (n_det + n_ref) else float("nan")
    err_ms = (det[d_idx] - ref[r_idx]) * 1e3
    return {
        "n_detected": n_det, "n_reference": n_ref, "n_matched": n,
        "precision": precision, "recall": recall, "f1": f1,
        "mae_ms": float(np.mean(np.abs(err_ms))) if n else float("nan"),
        "bias_ms": float(np.mean(err_ms)) if n else float("nan"),
    }
