"""Zero-phase low-pass filtering without importing scipy.signal (slow to import, not needed here).

A cascade of second-order Butterworth sections designed by the bilinear transform, run forward
and backward (zero phase, like ``scipy.signal.sosfiltfilt``) with odd-reflection padding at both
ends so the signal's edges do not ring.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


def butter_lowpass_sos(order: int, fc_hz: float, fs_hz: float) -> np.ndarray:
    """Second-order sections of a Butterworth low-pass (like ``butter(..., output='sos')``).

    Parameters
    ----------
    order : int
        Filter order (even: 2, 4, 6 ...).
    fc_hz, fs_hz : float
        Cut-off (-3 dB) and sample rate (Hz); ``0 < fc < fs / 2``.

    Returns
    -------
    ndarray, shape (order // 2, 6)
        Rows ``[b0, b1, b2, 1, a1, a2]``.
    """
    if order < 2 or order % 2:
        raise ValueError(f"order must be a positive even number, found {order}")
    if not 0.0 < fc_hz < fs_hz / 2.0:
        raise ValueError(f"cut-off must lie in (0, fs/2) = (0, {fs_hz / 2:g}) Hz, found {fc_hz:g}")
    k = math.tan(math.pi * fc_hz / fs_hz)  # pre-warped analogue cut-off
    sos = np.empty((order // 2, 6))
    for i in range(order // 2):
        # pole pair of the analogue Butterworth prototype: s^2 + 2 sin(theta) s + 1
        theta = math.pi * (2 * i + 1) / (2 * order)
        q = 2.0 * math.sin(theta)
        norm = 1.0 + q * k + k * k
        b0 = k * k / norm
        sos[i] = (b0, 2.0 * b0, b0, 1.0, 2.0 * (k * k - 1.0) / norm, (1.0 - q * k + k * k) / norm)
    return sos


@njit(cache=True)
def _sos_pass_inplace(y: np.ndarray, sos: np.ndarray, backward: bool) -> None:
    """One causal pass through the sections (direct form II transposed), in place, forward or
    backward in time, starting in the steady state of the first value (no start-up transient)."""
    n = y.shape[0]
    start, stop, step = (n - 1, -1, -1) if backward else (0, n, 1)
    for s in range(sos.shape[0]):
        b0, b1, b2, a1, a2 = sos[s, 0], sos[s, 1], sos[s, 2], sos[s, 4], sos[s, 5]
        x0 = y[start]
        y0 = x0 * (b0 + b1 + b2) / (1.0 + a1 + a2)  # steady-state output for input x0
        z1 = y0 - b0 * x0
        z2 = b2 * x0 - a2 * y0
        for i in range(start, stop, step):
            xi = y[i]
            yi = b0 * xi + z1
            z1 = b1 * xi - a1 * yi + z2
            z2 = b2 * xi - a2 * yi
            y[i] = yi


@njit(cache=True)
def _filtfilt_into(ext: np.ndarray, x: np.ndarray, sos: np.ndarray, p: int) -> None:
    """``ext`` = ``x`` with ``p`` samples of odd reflection at each end, filtered forwards and backwards."""
    n = x.shape[0]
    for i in range(p):
        ext[i] = 2.0 * x[0] - x[p - i]
        ext[n + p + i] = 2.0 * x[n - 1] - x[n - 2 - i]
    ext[p:p + n] = x
    _sos_pass_inplace(ext, sos, False)
    _sos_pass_inplace(ext, sos, True)


@njit(cache=True)
def _filtfilt_pair_into(ext: np.ndarray, ext2: np.ndarray, x: np.ndarray, sos: np.ndarray, sos2: np.ndarray,
                        p: int) -> None:
    """:func:`_filtfilt_into` of one signal with two filters of as many sections, in one loop.

    Each recursion waits on its own previous output (the loop runs at the latency of one), so a
    second, independent one in the same loop comes almost free; each filter's arithmetic, so its
    bits, are those of :func:`_sos_pass_inplace`.
    """
    n = x.shape[0]
    for i in range(p):
        ext[i] = 2.0 * x[0] - x[p - i]
        ext[n + p + i] = 2.0 * x[n - 1] - x[n - 2 - i]
    ext[p:p + n] = x
    ext2[:] = ext
    for backward in (False, True):
        for s in range(sos.shape[0]):
            _pair_pass(ext, ext2, sos[s, 0], sos[s, 1], sos[s, 2], sos[s, 4], sos[s, 5],
                       sos2[s, 0], sos2[s, 1], sos2[s, 2], sos2[s, 4], sos2[s, 5], backward)


@njit(cache=True)
def _pair_pass(y: np.ndarray, u: np.ndarray, b0: float, b1: float, b2: float, a1: float, a2: float,
               c0: float, c1: float, c2: float, d1: float, d2: float, backward: bool) -> None:
    """One section of :func:`_sos_pass_inplace` on ``y`` and another on ``u``, interleaved: the two
    independent recursions overlap in the CPU's pipeline."""
    n = y.shape[0]
    first = n - 1 if backward else 0
    x0 = y[first]
    y0 = x0 * (b0 + b1 + b2) / (1.0 + a1 + a2)  # steady state of the first value, as one pass
    z1 = y0 - b0 * x0
    z2 = b2 * x0 - a2 * y0
    w0 = u[first]
    v0 = w0 * (c0 + c1 + c2) / (1.0 + d1 + d2)
    q1 = v0 - c0 * w0
    q2 = c2 * w0 - d2 * v0
    step = -1 if backward else 1
    i = first
    for _ in range(n):
        xi = y[i]
        wi = u[i]
        yi = b0 * xi + z1
        vi = c0 * wi + q1
        z1 = b1 * xi - a1 * yi + z2
        q1 = c1 * wi - d1 * vi + q2
        z2 = b2 * xi - a2 * yi
        q2 = c2 * wi - d2 * vi
        y[i] = yi
        u[i] = vi
        i += step


def sosfiltfilt(x: np.ndarray, sos: np.ndarray, padlen: int) -> np.ndarray:
    """Zero-phase filtering of a 1-D signal (forward and backward), odd-reflection padded.

    Parameters
    ----------
    x : ndarray, shape (n,)
    sos : ndarray, shape (k, 6)
        From :func:`butter_lowpass_sos`.
    padlen : int
        Samples of odd reflection added at each end (clipped to ``n - 1``).

    Notes
    -----
    Works in one padded buffer (about one extra copy of the signal), so filtering a 3-hour
    recording does not multiply its memory; the result is a view into it.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    n = x.shape[0]
    p = min(max(padlen, 0), n - 1)
    # the buffer comes from numpy, not from inside the kernel: numpy backs large arrays with huge
    # pages, numba with 4 kB pages whose first-touch faults cost more than the filter itself
    ext = np.empty(n + 2 * p)
    _filtfilt_into(ext, x, sos, p)
    return ext[p:p + n]


def lowpass(x: np.ndarray, fs: float, fc: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth low-pass; returns ``x`` unchanged when ``fc`` is above 0.45 fs.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Signal (any unit).
    fs, fc : float
        Sample rate and cut-off (Hz).
    order : int
        Butterworth order (applied forwards and backwards: twice the attenuation, no phase).
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    if fc >= 0.45 * fs:
        return x
    sos = butter_lowpass_sos(order, fc, fs)
    return sosfiltfilt(x, sos, 3 * (2 * sos.shape[0] + 1))


def lowpass_pair(x: np.ndarray, fs: float, fc: float, fc2: float, order: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """``(lowpass(x, fs, fc, order), lowpass(x, fs, fc2, order))``, the same bits, at about the cost of one."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    if fc >= 0.45 * fs or fc2 >= 0.45 * fs or x.shape[0] < 2:
        return lowpass(x, fs, fc, order), lowpass(x, fs, fc2, order)
    sos = butter_lowpass_sos(order, fc, fs)
    sos2 = butter_lowpass_sos(order, fc2, fs)
    n = x.shape[0]
    p = min(3 * (2 * sos.shape[0] + 1), n - 1)
    ext = np.empty(n + 2 * p)  # numpy's buffers: see sosfiltfilt
    ext2 = np.empty(n + 2 * p)
    _filtfilt_pair_into(ext, ext2, x, sos, sos2, p)
    return ext[p:p + n], ext2[p:p + n]
