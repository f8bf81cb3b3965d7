"""Soft-tissue / shoe impact transients after an initial contact."""

from __future__ import annotations

import numpy as np

__all__ = ["impact_shape", "wobble_shape"]


def impact_shape(tau_s: np.ndarray, freq_hz: float, tau_c_s: float) -> np.ndarray:
    """Unit damped ringing ``e^{-t/tau} sin(2 pi f t) - c t e^{-t/tau}`` for ``t >= 0``, else 0.

    The second term has the same integral as the first, so the transient carries no net
    impulse: it shakes the sensor without changing the body's velocity, and the stride-mean
    specific force stays exactly gravity. Both terms start at 0, so the signal is continuous at IC.
    Negligible (< 1e-5) beyond ``16 tau``, where it is cut.
    ``c = area / tau^2`` with ``area = w / (1/tau^2 + w^2)``, the ringing's integral.
    Used for the shoe, whose foot must be still again within the stance.
    """
    w = 2.0 * np.pi * freq_hz
    area = w / (1.0 / tau_c_s**2 + w**2)  # integral of the ringing over [0, inf)
    c = area / tau_c_s**2  # integral of t e^{-t/tau} is tau^2
    t = np.clip(tau_s, 0.0, None)
    on = (tau_s >= 0) & (tau_s < 16 * tau_c_s)
    return np.where(on, np.exp(-t / tau_c_s) * np.sin(w * t) - c * t * np.exp(-t / tau_c_s), 0.0)


def wobble_shape(tau_s: np.ndarray, freq_hz: float, tau_c_s: float) -> np.ndarray:
    """Acceleration of a soft-tissue wobble after IC, unit peak (trunk / sacrum sensors).

    The sensor's displacement relative to the skeleton is a damped bump-and-ring that starts and
    ends at rest, ``x(t) = e^{-t/tau} (1 - cos(2 pi f t))`` (``x(0) = x'(0) = 0``), and the transient
    is its second derivative::

        x''(t) = e^{-t/tau} [(1 - cos wt) / tau^2 - (2 w / tau) sin wt + w^2 cos wt]

    Because ``x`` and ``x'`` vanish at IC and at the end, the transient has zero integral *and*
    zero first moment: the sensor's velocity and position both return to the body's (it neither
    changes the body's momentum nor leaves the sensor displaced, so a height or flight apex derived
    from the double integral is unbiased outside the transient). It jumps up at IC (the impact)
    and its first, upward lobe is the largest, as in real sacral signals.
    """
    w = 2.0 * np.pi * freq_hz
    s = 1.0 / tau_c_s
    t = np.clip(tau_s, 0.0, None)
    cs, sn = np.cos(w * t), np.sin(w * t)
    a = np.exp(-s * t) * ((1.0 - cs) * s * s - 2.0 * w * s * sn + w * w * cs)
    peak = w * w  # the value at t = 0, the largest
    on = (tau_s >= 0) & (tau_s < 16 * tau_c_s)
    return np.where(on, a / peak, 0.0)
