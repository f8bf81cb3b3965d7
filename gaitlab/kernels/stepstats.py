"""Per-step statistics from body-frame signals: impact, loading rate, braking, lateral evidence."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..schema import GRAVITY_MPS2

G = GRAVITY_MPS2  # m/s^2 per g (a compile-time constant in the kernels)


@njit(cache=True)
def _prefix_sums_into(x: np.ndarray, out: np.ndarray) -> None:
    s = 0.0
    out[0] = 0.0
    for i in range(x.shape[0]):
        s += x[i]
        out[i + 1] = s


def prefix_sums(x: np.ndarray) -> np.ndarray:
    """``np.concatenate(([0.0], np.cumsum(x)))``, the same bits (one running sum, in order), for the
    mean of ``x`` over any ``[a, b)`` as ``(out[b] - out[a]) / (b - a)``.

    numpy's cumulative sum plus the copy to prepend the 0 cost ~10x the loop on a 1-hour signal.
    """
    x = np.asarray(x)
    if x.dtype != np.float64 or x.ndim != 1:
        return np.concatenate(([0.0], np.cumsum(x)))  # another accumulator type: numpy's
    out = np.empty(x.shape[0] + 1)
    _prefix_sums_into(x, out)
    return out


@njit(cache=True)
def _stride_mean(x: np.ndarray, a: int, b: int) -> float:
    s = 0.0
    for i in range(a, b):
        s += x[i]
    return s / max(b - a, 1)


@njit(cache=True)
def _stride_means(x: np.ndarray, y: np.ndarray, a: int, b: int) -> tuple[float, float]:
    """``(_stride_mean(x, a, b), _stride_mean(y, a, b))`` in one loop: two independent running
    sums overlap (each is bound by its own add latency), with the same bits as two loops."""
    sx = 0.0
    sy = 0.0
    for i in range(a, b):
        sx += x[i]
        sy += y[i]
    d = max(b - a, 1)
    return sx / d, sy / d


@njit(cache=True)
def impact_peak(f_peak: np.ndarray, f_slope: np.ndarray, a: int, window: int, fs: float):
    """Impact after a contact starting at sample ``a``: (peak, loading rate).

    The peak is the largest ``f_peak`` within ``window`` samples from ``a`` (g); the loading rate
    the steepest rise of ``f_slope`` from just before ``a`` to that peak (g/s; NaN if none). Shared
    by the waist and shoe pipelines (same definition, ``docs/methods.md``).
    """
    n = f_peak.shape[0]
    hi = min(a + window, n - 1)
    pk = a
    for i in range(a, hi + 1):
        if f_peak[i] > f_peak[pk]:
            pk = i
    best = -np.inf
    for i in range(max(a - 1, 0), max(pk, a)):
        d = (f_slope[i + 1] - f_slope[i]) * fs
        if d > best:
            best = d
    return f_peak[pk], (best if best > -np.inf else np.nan)


@njit(cache=True)
def step_statistics(fz_raw: np.ndarray, fz: np.ndarray, fx: np.ndarray, fy: np.ndarray,
                    ic: np.ndarray, to: np.ndarray, fs: float, impact_window_s: float):
    """Impact, loading rate, braking and lateral evidence for each step.

    Parameters
    ----------
    fz_raw : ndarray, shape (n,)
        Vertical specific force (g), unfiltered (impact peaks are short).
    fz : ndarray, shape (n,)
        Vertical specific force (g), lightly filtered (for the loading-rate slope).
    fx, fy : ndarray, shape (n,)
        Forward and leftward specific force (g), body frame.
    ic, to : ndarray, shape (m,)
        Initial contact and toe-off (fractional samples); NaN where unknown.
    fs : float
        Sample rate (Hz).
    impact_window_s : float
        Window after IC searched for the impact peak (s), e.g. 0.05.

    Returns
    -------
    impact_g : ndarray
        Peak vertical specific force within ``impact_window_s`` of IC (g).
    loading_rate_gps : ndarray
        Steepest rise of the filtered vertical force between IC and that peak (g/s).
    braking_mps : ndarray
        Forward speed lost from IC to its lowest point during the contact (m/s), from the
        forward specific force minus its stride mean.
    lateral_g : ndarray
        Mean leftward specific force during contact minus its stride mean (g): > 0 points to a
        left-foot stance (body frame: y left). Steps without a toe-off (walking) use
        the first half of the step, minus the step's mean.
    """
    n = fz.shape[0]
    m = ic.shape[0]
    impact = np.full(m, np.nan)
    rate = np.full(m, np.nan)
    brake = np.full(m, np.nan)
    lat = np.full(m, np.nan)
    w = max(int(round(impact_window_s * fs)), 1)
    dt = 1.0 / fs
    for k in range(m):
        if np.isnan(ic[k]):
            continue
        a = int(math.ceil(ic[k]))
        if np.isnan(to[k]):
            # no flight (walking): lateral evidence over the first half of the step only
            if k + 1 < m and not np.isnan(ic[k + 1]):
                e = int(math.floor(0.5 * (ic[k] + ic[k + 1])))
                s1 = min(int(math.floor(ic[k + 1])), n)
                if 0 <= a < e < n:
                    mean_y = _stride_mean(fy, a, s1)
                    ly = 0.0
                    for i in range(a, e + 1):
                        ly += fy[i] - mean_y
                    lat[k] = ly / (e - a + 1)
            continue
        e = int(math.floor(to[k]))
        if a < 0 or e >= n or e <= a:
            continue
        # stride around this step for the mean of the horizontal forces
        s0 = a
        s1 = a + 2 * (e - a) + 1
        if k + 2 < m and not np.isnan(ic[k + 2]):
            s1 = int(math.floor(ic[k + 2]))
        elif k >= 2 and not np.isnan(ic[k - 2]):
            s0 = int(math.ceil(ic[k - 2]))
            s1 = a
        s1 = min(s1, n)
        impact[k], rate[k] = impact_peak(fz_raw, fz, a, w, fs)
        mx, my = _stride_means(fx, fy, s0, s1)
        v = 0.0
        vmin = 0.0
        ly = 0.0
        for i in range(a, e + 1):
            v += (fx[i] - mx) * G * dt
            if v < vmin:
                vmin = v
            ly += fy[i] - my
        brake[k] = -vmin
        lat[k] = ly / (e - a + 1)
    return impact, rate, brake, lat
