"""A simple, deterministic IMU test signal for transport tests, demos and benchmarks.

Not a gait model (that is :mod:`gaitlab.synth`): a periodic waveform with a sharp "impact"
per step, some noise and a slow drift, so that every sample differs and a dropped, duplicated or
misplaced packet shows up in a comparison.
"""

from __future__ import annotations

import numpy as np

__all__ = ["transport_signal"]


def transport_signal(duration_s: float = 30.0, fs_hz: float = 200.0, *, cadence_spm: float = 172.0,
                     gyro: bool = False, seed: int = 0
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Times (s), specific force (g, z up, within ±4 g) and optionally angular rate (deg/s).

    Returns
    -------
    t_s : ndarray, shape (n,)
    acc_g : ndarray, shape (n, 3)
    gyr_dps : ndarray, shape (n, 3) or None
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fs_hz))
    t = np.arange(n) / fs_hz
    f = cadence_spm / 60.0
    phase = (t * f) % 1.0
    z = 1.0 + 1.2 * np.sin(2 * np.pi * f * t) + 1.5 * np.exp(-phase / 0.02) * (phase < 0.2)
    x = 0.35 * np.sin(2 * np.pi * f * t + 1.0) + 0.05 * np.sin(2 * np.pi * 0.05 * t)
    y = 0.2 * np.sin(np.pi * f * t)
    acc = np.column_stack([x, y, z]) + rng.normal(0.0, 0.01, (n, 3))
    gyr = None
    if gyro:
        gyr = np.column_stack([40 * np.sin(np.pi * f * t), 25 * np.cos(2 * np.pi * f * t),
                               15 * np.sin(np.pi * f * t + 0.5)]) + rng.normal(0.0, 0.5, (n, 3))
    return t, np.clip(acc, -3.9, 3.9), gyr
