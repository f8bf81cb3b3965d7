"""Contacts without a visible flight floor (walking, or running seen by an off-midline sensor): kernel.

Physics. In walking the pelvis rides an inverted pendulum: its vertical specific force is lowest
(~0.7-0.9 g) in mid single support, when the body vaults over the stance foot, and highest
(~1.2-1.5 g) in the weight acceptance just after the next heel strike. Heel strike starts the
loading of the new stance leg, so the vertical force rises fastest right at initial contact: on
real lower-back recordings against an independent multi-sensor reference (INDIP, Mobilise-D) the
steepest rise of the 10 Hz low-passed vertical force lies within ~10 ms of the reference IC (median),
where the 1 g up-crossing (the pelvis' lowest vertical velocity) comes 50-90 ms early and the
hump's peak 60 ms late. One step is one hump: a peak above 1 g preceded by a trough below 1 g.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def walking_contacts(smooth: np.ndarray, slope: np.ndarray, busy: np.ndarray, min_step: int,
                     max_step: int, min_rise: float, min_chain: int) -> np.ndarray:
    """Initial contacts of walking steps (fractional samples).

    Parameters
    ----------
    smooth : ndarray, shape (n,)
        Vertical specific force low-passed at ~5 Hz (g): one hump per step.
    slope : ndarray, shape (n,)
        First difference of the vertical force low-passed at ~10 Hz (g per sample);
        ``slope[i] = f[i + 1] - f[i]``.
    busy : ndarray of bool, shape (n,)
        Samples already explained by running contacts (no walking step there).
    min_step, max_step : int
        Shortest and longest walking step (samples).
    min_rise : float
        Smallest rise from the trough to the peak of a hump (g).
    min_chain : int
        Fewest consecutive steps (each within ``[min_step, max_step]`` of the next) for them to be
        walking: isolated humps (sitting down, a bump) are not steps.

    Returns
    -------
    ic : ndarray of float64
        Fractional sample index of each initial contact, increasing.
    swing : ndarray of float64
        Trough-to-peak rise of each contact's hump (g): how far the step's vertical force swings.
    """
    return walking_contacts_at(smooth, slope, busy, hump_maxima(smooth), min_step, max_step, min_rise, min_chain)


@njit(cache=True)
def hump_maxima(smooth: np.ndarray) -> np.ndarray:
    """Local maxima of ``smooth`` above 1 g (``smooth[i - 1] <= smooth[i] > smooth[i + 1]``),
    increasing: the candidate step peaks of :func:`walking_contacts`, found once for any step range."""
    n = smooth.shape[0]
    out = np.empty(max(n - 2, 0), dtype=np.int64)
    m = 0
    for i in range(1, n - 1):
        # without a branch: whether a sample is above 1 g is a coin toss the predictor loses
        out[m] = i
        m += (smooth[i] > 1.0) & (smooth[i] >= smooth[i - 1]) & (smooth[i] > smooth[i + 1])
    return out[:m].copy()


@njit(cache=True)
def walking_contacts_at(smooth: np.ndarray, slope: np.ndarray, busy: np.ndarray, maxima: np.ndarray,
                        min_step: int, max_step: int, min_rise: float, min_chain: int):
    """:func:`walking_contacts` from the hump maxima found already (:func:`hump_maxima`)."""
    peaks = np.empty(maxima.shape[0], dtype=np.int64)
    m = 0
    for i in maxima:
        if m > 0 and i - peaks[m - 1] < min_step:
            if smooth[i] > smooth[peaks[m - 1]]:
                peaks[m - 1] = i  # two maxima inside one step: keep the higher
            continue
        peaks[m] = i
        m += 1
    ic = np.full(m, np.nan)
    rise = np.full(m, np.nan)
    for k in range(m):
        p = peaks[k]
        if busy[p]:
            continue
        lo = max(p - max_step, 0)
        if k > 0 and peaks[k - 1] > lo:
            lo = peaks[k - 1]
        tr = lo
        for i in range(lo, p):
            if smooth[i] < smooth[tr]:
                tr = i
        if tr <= 0 or smooth[tr] >= 1.0 or smooth[p] - smooth[tr] < min_rise or busy[tr]:
            continue
        best = tr
        for i in range(tr, p):
            if slope[i] > slope[best]:
                best = i
        frac = 0.0
        if best > tr and best + 1 < p:
            y0 = slope[best - 1]
            y1 = slope[best]
            y2 = slope[best + 1]
            den = y0 - 2.0 * y1 + y2
            if den < 0.0:
                frac = 0.5 * (y0 - y2) / den
        ic[k] = best + 0.5 + frac  # slope[i] sits between samples i and i + 1
        rise[k] = smooth[p] - smooth[tr]
    # chains of regularly spaced contacts
    out = np.empty(m)
    out_rise = np.empty(m)
    q = 0
    k = 0
    while k < m:
        if np.isnan(ic[k]):
            k += 1
            continue
        j = k
        while j + 1 < m and not np.isnan(ic[j + 1]) and min_step <= ic[j + 1] - ic[j] <= max_step:
            j += 1
        if j - k + 1 >= min_chain:
            for i in range(k, j + 1):
                out[q] = ic[i]
                out_rise[q] = rise[i]
                q += 1
        k = j + 1
    return out[:q], out_rise[:q]
