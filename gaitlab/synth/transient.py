"""Soft-tissue / shoe impact transient after an initial contact."""

from __future__ import annotations

import numpy as np

__all__ = ["impact_shape"]


def impact_shape(tau_s: np.ndarray, freq_hz: float, tau_c_s: float) -> np.ndarray:
    """Unit damped ringing ``e^{-t/tau} sin(2 pi f t) - c t e^{-t/tau}`` for ``t >= 0``, else 0.

    The second term has the same integral as the first, so the transient carries no net
    impulse: it shakes the sensor without changing the body's velocity, and the stride-mean
    specific force stays exactly gravity. Both terms start at 0, so the signal is continuous at IC.
    Negligible (< 1e-5) beyond ``16 tau``, where it is cut.
    ``c = area / tau^2`` with ``area = w / (1/tau^2 + w^2)``, the ringing's integral.
    """
    w = 2.0 * np.pi * freq_hz
    area = w / (1.0 / tau_c_s**2 + w**2)  # integral of the ringing over [0, inf)
    tau2 = tau_c_s
    c = area / tau2**2  # integral of t e^{-t/tau2} is tau2^2
    t = np.clip(tau_s, 0.0, None)
    on = (tau_s >= 0) & (tau_s < 16 * tau_c_s)
    return np.where(on, np.exp(-t / tau_c_s) * np.sin(w * t) - c * t * np.exp(-t / tau2), 0.0)
