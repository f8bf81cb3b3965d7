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


#: Time constant (s) over which the tissue's response to contact builds up (see wobble_shape).
WOBBLE_ONSET_S = 0.004


def wobble_shape(tau_s: np.ndarray, freq_hz: float, tau_c_s: float) -> np.ndarray:
    """Acceleration of a soft-tissue wobble after IC, unit peak (trunk / sacrum sensors).

    The sensor's displacement relative to the skeleton is a damped bump-and-ring that starts and
    ends at rest, ``x(t) = e^{-t/tau} (1 - cos 2 pi f t) (1 - e^{-t/tau_r})`` with
    ``x(0) = x'(0) = x''(0) = 0``, and the transient is its second derivative. Because ``x`` and
    ``x'`` vanish at IC and at the end, the transient has zero integral *and* zero first moment:
    the sensor's velocity and position both return to the body's (it neither changes the body's
    momentum nor leaves the sensor displaced, so a height or flight apex derived from the double
    integral is unbiased outside the transient). The factor ``1 - e^{-t/tau_r}``
    (``tau_r = WOBBLE_ONSET_S``) lets it build up over a few ms, as tissue driven by a ground force
    that itself builds up does: a wobble that jumped at IC marked contact more sharply than any
    real sacral signal and hid detector flaws. Its first, upward lobe is the largest.
    """
    w = 2.0 * np.pi * freq_hz
    s = 1.0 / tau_c_s
    q = 1.0 / WOBBLE_ONSET_S

    def accel(t: np.ndarray) -> np.ndarray:
        v = np.exp(-s * t)
        u, du, ddu = 1.0 - np.cos(w * t), w * np.sin(w * t), w * w * np.cos(w * t)
        e = np.exp(-q * t)
        r, dr, ddr = 1.0 - e, q * e, -q * q * e
        return v * (s * s * u * r + ddu * r + u * ddr - 2.0 * s * (du * r + u * dr) + 2.0 * du * dr)

    peak = float(accel(np.linspace(0.0, 0.5 / freq_hz, 2001)).max())  # the first lobe's peak
    t = np.clip(tau_s, 0.0, None)
    on = (tau_s >= 0) & (tau_s < 16 * tau_c_s)
    return np.where(on, accel(t) / peak, 0.0)
