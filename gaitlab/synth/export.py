"""What an exporting app or lab does to a recording before sharing it.

Exports are often low-passed with a zero-phase Butterworth filter (run forwards and backwards:
no lag, but a sharp edge is spread backwards in time as well as forwards) and some clip the
vertical channel at 0 g, e.g. the sacral trials of Alcantara et al. 2022 (PeerJ 10:e12752):
4th order, 20 Hz, vertical clipped at 0 g. Detectors must give the same events on such exports
as on raw streams.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

__all__ = ["export_filter"]


def export_filter(acc: np.ndarray, fs: float, lowpass_hz: float | None = None, order: int = 4,
                  clip_floor_g: float | None = None) -> np.ndarray:
    """Zero-phase low-pass of each acceleration column, then the sensor's z axis clipped below.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Accelerometer samples (g), uniformly sampled at ``fs``.
    fs : float
        Sample rate (Hz).
    lowpass_hz : float, optional
        Cut-off of the Butterworth low-pass (Hz), applied forwards and backwards (zero phase,
        twice the order's roll-off). None: no filter.
    order : int
        Order of the Butterworth design (4: as in Alcantara et al. 2022).
    clip_floor_g : float, optional
        Values of the sensor's z axis below this (g) are set to it (0.0 as in the shared trials;
        the vertical channel when the sensor is mounted upright). None: no clipping.

    Returns
    -------
    ndarray, shape (n, 3)
        A new array.
    """
    from ..kernels.filters import butter_lowpass_sos, sosfiltfilt

    out = np.array(acc, dtype=np.float64, copy=True)
    if lowpass_hz is not None:
        if not 0.0 < lowpass_hz < 0.5 * fs:
            raise InputError(f"export_lowpass_hz must be in (0, {0.5 * fs:g}) Hz at {fs:g} Hz, found {lowpass_hz!r}")
        sos = butter_lowpass_sos(order, lowpass_hz, fs)
        pad = 3 * (2 * sos.shape[0] + 1)
        for j in range(out.shape[1]):
            out[:, j] = sosfiltfilt(np.ascontiguousarray(out[:, j]), sos, pad)
    if clip_floor_g is not None:
        np.maximum(out[:, 2], clip_floor_g, out=out[:, 2])
    return out
