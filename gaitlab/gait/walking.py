"""Walking steps of a trunk-worn sensor: the walking breaks of a run (run-walk, hills, lights).

Running contacts are found from the flight floor (:mod:`gaitlab.kernels.events`); walking has no
flight, so its steps are the humps of the vertical force of the inverted pendulum, timed at their
steepest rise (heel strike loads the new stance leg; see :mod:`gaitlab.kernels.walking` for the
physics and the measured agreement with a reference system). Only chains of at least
:data:`MIN_CHAIN` regularly spaced humps count: one hump is a bump, not walking.
"""

from __future__ import annotations

import numpy as np

__all__ = ["WALK_SMOOTH_HZ", "WALK_EDGE_HZ", "merge_walking", "walking_ic"]

#: Low-pass (Hz) that keeps one hump per walking step (step frequency <= ~2.9 Hz at 170 spm).
WALK_SMOOTH_HZ = 5.0
#: Low-pass (Hz) of the vertical force whose steepest rise marks the heel strike: keeps the
#: 50-100 ms loading rise of weight acceptance, removes the soft-tissue ringing above it.
WALK_EDGE_HZ = 10.0
#: Fewest consecutive regularly spaced steps that make walking (two steps = one stride each side).
MIN_CHAIN = 3
#: Smallest trough-to-peak rise of a walking hump (g): a slow walk still moves the pelvis' vertical
#: force by ~+-0.1 g about 1 g; standing sway and breathing stay below a few hundredths.
MIN_RISE_G = 0.1


def walking_ic(fz: np.ndarray, fs: float, busy: np.ndarray,
               step_ms: tuple[float, float]) -> np.ndarray:
    """Initial contacts (fractional samples) of walking steps in one stretch.

    Parameters
    ----------
    fz : ndarray, shape (n,)
        Vertical specific force (g), body frame, 1 g mean.
    fs : float
        Sample rate (Hz).
    busy : ndarray of bool, shape (n,)
        Samples inside running contacts (no walking step is looked for there).
    step_ms : (float, float)
        Plausible walking step times (ms).
    """
    from ..kernels.walking import walking_contacts
    from .waist import _lowpass

    if fz.size < 4:
        return np.empty(0)
    smooth = _lowpass(fz, fs, WALK_SMOOTH_HZ, order=2)
    edge = _lowpass(fz, fs, WALK_EDGE_HZ, order=2)
    slope = np.ascontiguousarray(np.append(np.diff(edge), 0.0))
    lo, hi = (int(round(v * fs / 1000.0)) for v in step_ms)
    return walking_contacts(smooth, slope, np.ascontiguousarray(busy, dtype=np.bool_),
                            max(lo, 1), max(hi, 2), MIN_RISE_G, MIN_CHAIN)


def merge_walking(fz: np.ndarray, fs: float, ic: np.ndarray, to: np.ndarray, running: np.ndarray,
                  step_ms: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Running contacts (humps with a flight) and walking contacts of one stretch, in time order.

    Parameters
    ----------
    fz : ndarray
        Vertical specific force (g).
    ic, to : ndarray
        Per stance hump: contact edges (fractional samples, NaN where the hump has no flight).
    running : ndarray of bool
        Humps with both edges (running contacts).
    step_ms : (float, float)
        Plausible walking step times (ms).

    Returns
    -------
    ic, to, is_running : ndarray
        All contacts (fractional samples), TO NaN for walking ones, and which are running.
    """
    n = fz.size
    busy = np.zeros(n, dtype=bool)
    r_ic, r_to = ic[running], to[running]
    if r_ic.size:
        # a running contact and the flight after it (to the next contact or ~ one contact later)
        a = np.clip(np.floor(r_ic).astype(np.int64), 0, n)
        end = np.append(r_ic[1:], np.inf)
        b = np.clip(np.ceil(np.minimum(end, r_to + (r_to - r_ic))).astype(np.int64), 0, n)
        delta = np.zeros(n + 1, dtype=np.int64)
        np.add.at(delta, a, 1)
        np.add.at(delta, b, -1)
        busy = np.cumsum(delta[:-1]) > 0
    w_ic = walking_ic(fz, fs, busy, step_ms)
    all_ic = np.concatenate((r_ic, w_ic))
    all_to = np.concatenate((r_to, np.full(w_ic.size, np.nan)))
    is_run = np.concatenate((np.ones(r_ic.size, dtype=bool), np.zeros(w_ic.size, dtype=bool)))
    order = np.argsort(all_ic, kind="stable")
    return all_ic[order], all_to[order], is_run[order]
