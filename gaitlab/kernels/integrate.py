"""Integration kernels: vertical oscillation per step, speed lost while braking.

Both integrate specific force over whole strides with drift control (``docs/methods.md``): over a
stride at steady speed the mean vertical specific force is exactly 1 g and the
vertical velocity and height return to their start, so removing the stride mean of the
acceleration and then of the velocity leaves no drift to integrate. A stride, not a step, is the
window because with left/right asymmetry consecutive flights differ, so vertical velocity only
repeats every second step.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..schema import GRAVITY_MPS2

G = GRAVITY_MPS2  # m/s^2 per g (a compile-time constant in the kernels)


@njit(cache=True)
def _stride_height(fz: np.ndarray, a: int, b: int, dt: float, z: np.ndarray, stop: int) -> None:
    """Height (m) over samples [a, b] into ``z[0 : stop + 1]``: both integrations drift-free.

    Three passes: the stride-mean force; the velocity (trapezoid rule) and its mean; the height,
    with the residual linear trend removed on the fly (its end value follows from the velocity's
    sum: the height of a zero-mean velocity ends at ``dt (mean_v - v_end / 2)``). ``stop`` (<= b -
    a) ends the last pass early when only the start of the stride is needed.
    """
    n = b - a + 1
    mean_f = 0.0
    for i in range(a, b + 1):
        mean_f += fz[i]
    mean_f /= n
    # velocity from (f - mean) g, kept in z, and its sum
    v = 0.0
    total = 0.0
    z[0] = 0.0
    prev = (fz[a] - mean_f) * G
    for i in range(1, n):
        cur = (fz[a + i] - mean_f) * G
        v += 0.5 * (prev + cur) * dt
        z[i] = v
        total += v
        prev = cur
    mean_v = total / n
    slope = dt * (mean_v - 0.5 * v) / (n - 1)  # drift of the height per sample
    # height of the zero-mean velocity, detrended so it closes over the stride
    h = 0.0
    prev = z[0] - mean_v
    z[0] = 0.0
    for i in range(1, min(stop, n - 1) + 1):
        cur = z[i] - mean_v
        h += 0.5 * (prev + cur) * dt
        prev = cur
        z[i] = h - slope * i


@njit(cache=True)
def vertical_oscillation(fz: np.ndarray, ic: np.ndarray, fs: float) -> np.ndarray:
    """Vertical oscillation of each step (cm): range of the pelvis height from IC to the next IC.

    Each step lies in two strides (the one it starts and the one it ends); its oscillation is the
    mean of the estimates from both where both exist.

    Parameters
    ----------
    fz : ndarray, shape (n,)
        Vertical specific force (g), body frame (up).
    ic : ndarray, shape (m,)
        Initial contacts (fractional samples, increasing); NaN entries break the chain.
    fs : float
        Sample rate (Hz).

    Returns
    -------
    ndarray, shape (m,)
        VO in cm; NaN where the step is not inside a complete stride.
    """
    m = ic.shape[0]
    total = np.zeros(m)
    count = np.zeros(m)
    dt = 1.0 / fs
    z = np.empty(fz.shape[0] + 1)
    for i in range(m - 2):
        if np.isnan(ic[i]) or np.isnan(ic[i + 1]) or np.isnan(ic[i + 2]):
            continue
        a = int(math.floor(ic[i] + 0.5))
        mid = int(math.floor(ic[i + 1] + 0.5))
        b = int(math.floor(ic[i + 2] + 0.5))
        if a < 0 or b >= fz.shape[0] or b - a < 4 or mid <= a or mid >= b:
            continue
        _stride_height(fz, a, b, dt, z, b - a)
        for step, lo, hi in ((i, 0, mid - a), (i + 1, mid - a, b - a)):
            zmax = -np.inf
            zmin = np.inf
            for k in range(lo, hi + 1):
                if z[k] > zmax:
                    zmax = z[k]
                if z[k] < zmin:
                    zmin = z[k]
            total[step] += (zmax - zmin) * 100.0
            count[step] += 1.0
    out = np.full(m, np.nan)
    for i in range(m):
        if count[i] > 0:
            out[i] = total[i] / count[i]
    return out


@njit(cache=True)
def stride_angle_range(rate_dps: np.ndarray, ic: np.ndarray, to: np.ndarray, fs: float) -> np.ndarray:
    """Range (deg) of an angle during each contact, from its angular rate.

    The rate is integrated over the stride that starts at the step's IC with the stride-mean rate
    removed (the angle returns to its start every stride) and the residual trend removed; the
    result is the range of the angle between IC and TO: e.g. pelvic drop from the roll rate.

    Parameters
    ----------
    rate_dps : ndarray, shape (n,)
        Angular rate about one body axis (deg/s).
    ic, to : ndarray, shape (m,)
        Initial contact and toe-off (fractional samples).
    fs : float
        Sample rate (Hz).

    Returns
    -------
    ndarray, shape (m,)
        Angle range (deg); NaN where the step is not followed by a complete stride.
    """
    m = ic.shape[0]
    out = np.full(m, np.nan)
    dt = 1.0 / fs
    ang = np.empty(rate_dps.shape[0] + 1)
    for i in range(m - 2):
        if np.isnan(ic[i]) or np.isnan(to[i]) or np.isnan(ic[i + 2]):
            continue
        a = int(math.floor(ic[i] + 0.5))
        e = int(math.floor(to[i] + 0.5))
        b = int(math.floor(ic[i + 2] + 0.5))
        if a < 0 or b >= rate_dps.shape[0] or not (a < e < b):
            continue
        n = b - a + 1
        mean_r = 0.0
        for k in range(a, b + 1):
            mean_r += rate_dps[k]
        mean_r /= n
        ang[0] = 0.0
        prev = rate_dps[a] - mean_r
        for k in range(1, n):
            cur = rate_dps[a + k] - mean_r
            ang[k] = ang[k - 1] + 0.5 * (prev + cur) * dt
            prev = cur
        end = ang[n - 1]
        lo = np.inf
        hi = -np.inf
        for k in range(0, e - a + 1):
            v = ang[k] - end * k / (n - 1)
            if v < lo:
                lo = v
            if v > hi:
                hi = v
        out[i] = hi - lo
    return out


@njit(cache=True)
def flight_apex(fz: np.ndarray, down: np.ndarray, to: np.ndarray, fs: float) -> np.ndarray:
    """Time of the highest point of the pelvis in each flight (fractional samples).

    The flight after stance ``k`` lies between its toe-off and the next initial contact. The
    height is integrated over the two steps from the 1 g down-crossing of stance ``k`` to that of
    stance ``k + 2`` (boundaries where the force is ~1 g, so a boundary off by a fraction of a
    sample does not bias the stride mean), and its maximum after ``to[k]`` is refined by a
    parabola through the three highest samples. In a ballistic flight the apex lies halfway
    between toe-off and the next contact, so ``2 * apex - to`` locates that contact independently
    of how sharply the contact onset was sampled.

    Parameters
    ----------
    fz : ndarray, shape (n,)
        Vertical specific force (g).
    down : ndarray, shape (m,)
        1 g down-crossings of the stance humps (fractional samples).
    to : ndarray, shape (m,)
        Toe-off of each stance (fractional samples, NaN where unknown: not a running stance).
    fs : float
        Sample rate (Hz).

    Returns
    -------
    ndarray, shape (m,)
        Apex of the flight after each stance (fractional samples); NaN where unknown or where
        stances ``k``, ``k + 1`` and ``k + 2`` are not all running.
    """
    m = down.shape[0]
    out = np.full(m, np.nan)
    dt = 1.0 / fs
    z = np.empty(fz.shape[0] + 1)
    for k in range(m - 2):
        # the window must be two running steps: a walking or settling hump is no stride
        if np.isnan(to[k]) or np.isnan(to[k + 1]) or np.isnan(to[k + 2]):
            continue
        a = int(math.floor(down[k] + 0.5))
        b = int(math.floor(down[k + 2] + 0.5))
        if a < 0 or b >= fz.shape[0] or b - a < 6:
            continue
        lo = int(math.ceil(to[k])) - a
        hi = int(math.floor(down[k + 1])) - a
        if lo < 1 or hi > b - a - 1 or hi - lo < 1:
            continue
        _stride_height(fz, a, b, dt, z, hi + 1)  # the flight lies in the first half
        best = lo
        for i in range(lo, hi + 1):
            if z[i] > z[best]:
                best = i
        if best == lo or best == hi:
            continue  # no interior maximum: not a ballistic flight
        y0 = z[best - 1]
        y1 = z[best]
        y2 = z[best + 1]
        den = y0 - 2.0 * y1 + y2
        frac = 0.5 * (y0 - y2) / den if den < 0.0 else 0.0
        out[k] = a + best + frac
    return out
