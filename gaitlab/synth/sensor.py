"""The sensor: mounting rotation, scale, bias, saturation, anti-alias FIR, decimation, noise, ADC.

A model (waist or foot) gives the ideal body-frame specific force (g) and angular velocity (deg/s)
at any true time. :func:`render` samples it at an internal rate ``k * fs`` (>= 1 kHz), applies

``f_s = S R_mount^T f_body + b`` (clipped at the range), low-passes with a linear-phase FIR at
``0.4 fs`` and keeps every k-th sample, then adds white noise and quantises to ``bits`` over the range.
It works in chunks with exact overlap, so a 3-hour recording needs
bounded memory and is identical to a one-shot render.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .rotation import euler_deg_matrix, random_rotation
from .scenario import Mounting, SensorModel

__all__ = ["SensorRealisation", "realise_sensor", "mounting_matrix", "internal_factor", "render",
           "MIN_INTERNAL_HZ"]

#: The internal (pre-decimation) rate is the smallest multiple of fs at or above this (Hz); 1 kHz
#: resolves the fastest modelled content (50 Hz impact ringing) and keeps a 3-hour render fast.
MIN_INTERNAL_HZ = 1000.0
#: FIR half length in output samples (the filter has 2 * _FIR_HALF * k + 1 taps).
_FIR_HALF = 10
#: Internal samples evaluated per chunk.
_CHUNK_INTERNAL = 1 << 18

SampleFn = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]]


@dataclass(frozen=True)
class SensorRealisation:
    """One draw of a :class:`SensorModel` (reported in the truth params).

    ``R_mount`` maps sensor axes to body axes (``f_body = R_mount f_sensor``); scale factors are
    per axis (dimensionless), biases in g and deg/s.
    """

    R_mount: np.ndarray
    acc_scale: np.ndarray
    acc_bias_g: np.ndarray
    gyr_scale: np.ndarray
    gyr_bias_dps: np.ndarray

    def to_dict(self) -> dict:
        return {k: np.asarray(getattr(self, k)).round(12).tolist() for k in self.__dataclass_fields__}


def mounting_matrix(mounting: Mounting, rng: np.random.Generator) -> np.ndarray:
    """``R_mount`` (sensor to body) for a :class:`Mounting`."""
    nominal = euler_deg_matrix(mounting.nominal_euler_deg)
    if mounting.kind == "upright":
        return nominal
    if mounting.kind == "fixed":
        return nominal @ euler_deg_matrix(mounting.euler_deg)
    if mounting.kind == "tilted":
        jitter = rng.uniform(-mounting.max_deg, mounting.max_deg, 3)
        return nominal @ euler_deg_matrix(tuple(jitter))
    if mounting.kind == "random":
        return random_rotation(rng)
    from ..errors import InputError

    raise InputError(f"mounting kind must be 'upright', 'tilted', 'random' or 'fixed', found {mounting.kind!r}")


def realise_sensor(model: SensorModel, mounting: Mounting, rng: np.random.Generator) -> SensorRealisation:
    """Draw the mounting, scale factors and biases of one sensor."""
    R = mounting_matrix(mounting, rng)
    return SensorRealisation(
        R_mount=R,
        acc_scale=1.0 + rng.uniform(-model.scale_sd, model.scale_sd, 3),
        acc_bias_g=rng.uniform(-model.acc_bias_g, model.acc_bias_g, 3),
        gyr_scale=1.0 + rng.uniform(-model.scale_sd, model.scale_sd, 3),
        gyr_bias_dps=rng.uniform(-model.gyr_bias_dps, model.gyr_bias_dps, 3),
    )


def internal_factor(fs_hz: float) -> int:
    """Oversampling factor k: ``k * fs >= MIN_INTERNAL_HZ``."""
    return max(1, math.ceil(MIN_INTERNAL_HZ / fs_hz - 1e-9))


def _fir(k: int, fs_hz: float, antialias: bool) -> tuple[np.ndarray, int]:
    """Linear-phase low-pass at 0.4 fs for the internal rate ``k fs``; returns (taps, half length M)."""
    if not antialias or k == 1:
        return np.ones(1), 0
    from scipy.signal import firwin

    M = _FIR_HALF * k
    h = firwin(2 * M + 1, 0.4 * fs_hz, fs=k * fs_hz)
    return h, M


def _adc(x: np.ndarray, rng: np.random.Generator, noise_rthz: float, fs_hz: float, rng_limit: float | None,
         bits: int | None) -> np.ndarray:
    if noise_rthz > 0:
        x = x + rng.standard_normal(x.shape) * noise_rthz * math.sqrt(fs_hz / 2.0)
    if rng_limit is not None:
        if bits is not None:
            lsb = 2.0 * rng_limit / 2**bits
            x = np.clip(np.round(x / lsb), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1) * lsb
        else:
            x = np.clip(x, -rng_limit, rng_limit)
    return x


def render(sample_fn: SampleFn, n_samples: int, fs_hz: float, model: SensorModel, real: SensorRealisation,
           rng: np.random.Generator, *, time_scale: float = 1.0, gyro: bool = True,
           ) -> tuple[np.ndarray, np.ndarray | None]:
    """Sample a body-frame model as the sensor would.

    Parameters
    ----------
    sample_fn : callable
        ``t_true_s -> (f_body_g (n, 3), w_body_dps (n, 3) or None)``: the ideal body-frame signal.
    n_samples : int
        Output samples; sample ``i`` is labelled ``i / fs`` on the device clock.
    fs_hz : float
        Output rate (Hz).
    model, real : SensorModel, SensorRealisation
        The non-idealities and their draw.
    rng : Generator
        Noise stream.
    time_scale : float
        Device clock over true clock (``1 + ppm 1e-6``): label time = true time * time_scale.
    gyro : bool
        Also return the gyroscope.

    Returns
    -------
    acc_g : ndarray, shape (n_samples, 3)
        Specific force in the sensor frame (g).
    gyr_dps : ndarray, shape (n_samples, 3) or None
        Angular rate in the sensor frame (deg/s).
    """
    k = internal_factor(fs_hz)
    h, M = _fir(k, fs_hz, model.antialias)
    p = M // k
    fs_int = k * fs_hz
    chunk = max(256, _CHUNK_INTERNAL // k)
    acc_out = np.empty((n_samples, 3))
    gyr_out = np.empty((n_samples, 3)) if gyro else None
    Rt = real.R_mount.T
    if h.size > 1:
        from scipy.signal import upfirdn
    for n0 in range(0, n_samples, chunk):
        n1 = min(n_samples, n0 + chunk)
        m = np.arange(n0 * k - M, (n1 - 1) * k + M + 1)
        t_true = m / fs_int / time_scale
        f_body, w_body = sample_fn(t_true)
        acc = (f_body @ Rt.T) * real.acc_scale + real.acc_bias_g
        if model.acc_range_g is not None:
            np.clip(acc, -model.acc_range_g, model.acc_range_g, out=acc)
        chans = [acc]
        if gyro:
            gyr = (w_body @ Rt.T) * real.gyr_scale + real.gyr_bias_dps
            if model.gyr_range_dps is not None:
                np.clip(gyr, -model.gyr_range_dps, model.gyr_range_dps, out=gyr)
            chans.append(gyr)
        for j, x in enumerate(chans):
            if h.size > 1:
                y = upfirdn(h, x, up=1, down=k, axis=0)[2 * p: 2 * p + (n1 - n0)]
            else:
                y = x[::k][: n1 - n0]
            if j == 0:
                acc_out[n0:n1] = y
            else:
                gyr_out[n0:n1] = y
    acc_out = _adc(acc_out, rng, model.acc_noise_g_rthz, fs_hz, model.acc_range_g, model.bits)
    if gyro:
        gyr_out = _adc(gyr_out, rng, model.gyr_noise_dps_rthz, fs_hz, model.gyr_range_dps, model.bits)
    return acc_out, gyr_out
