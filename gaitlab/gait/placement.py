"""Guess where a sensor was worn when the user did not say."""

from __future__ import annotations

import logging

import numpy as np

from ..recording import Recording

logger = logging.getLogger(__name__)

__all__ = ["infer_placement"]

#: |f| 99th percentile above which the impacts are a foot's (5-30 g) when the body shows no
#: free fall; a sacrum reaches 5-6 g on fast downhill heel strikes (real treadmill trials).
FOOT_IMPACT_G = 5.0
#: Free fall: in running's flight the trunk (and a thigh) reads close to 0 g, while a foot,
#: pulled round by the leg, never does (|f| 10th percentile >= ~0.9 g on real and synthetic
#: feet; <= 0.45 g on real sacral and pocket running).
FREE_FALL_G = 0.6
#: |w| 99th percentile above which a limb, not the trunk, carries the sensor (deg/s).
LIMB_RATE_DPS = 250.0
#: Share of a moving window in which a foot lies flat (|w| < 100 deg/s, |f| within 0.3 g of 1 g):
#: >= 0.07 on real foot jogs at 150-160 spm and on gaitlab.synth at 185 spm; a thigh (a phone in
#: a trouser pocket) swings through its stance and reads ~0.03 on real jogging.
FOOT_FLAT_SHARE = 0.045


def _windows(x: np.ndarray, n: int) -> np.ndarray:
    k = x.shape[0] // n
    return x[: k * n].reshape(k, n)


def infer_placement(recording: Recording) -> str:
    """``'shoe'`` or ``'waist'`` from the signal's dynamics.

    Evidence, in order (each a physical difference, not a fitted score):

    1. free fall: in running's flight the trunk reads ~0 g; a foot is pulled round by the leg and
       never does. A moving recording whose ``|f|`` dips below :data:`FREE_FALL_G` is worn on
       the trunk (or a thigh, which the waist pipeline recognises), whatever its impacts.
    2. without free fall (walking, or a foot): impacts above :data:`FOOT_IMPACT_G` are a foot's;
       a sensor rotating like a limb (:data:`LIMB_RATE_DPS`) is a foot when it lies flat for part
       of each stride (:data:`FOOT_FLAT_SHARE`), a thigh (pocket) when it never does.

    Statistics are taken over 2-s windows in which the sensor moves (``|f|`` std > 0.2 g), so
    standing before or after the run does not dilute them.
    """
    from ..kernels.blockstats import row_norms

    norm = row_norms(np.ascontiguousarray(recording.acc, dtype=np.float64))
    n = max(int(round(2.0 * recording.fs)), 1)
    a = _windows(norm, n)
    moving = a.std(axis=1) > 0.2 if a.size else np.zeros(0, dtype=bool)
    if not moving.any():
        return "waist"  # nothing moves: nothing to tell, and nothing to analyse either
    a_mov = a[moving]
    if float(np.median(np.percentile(a_mov, 10, axis=1))) < FREE_FALL_G:
        return "waist"
    if float(np.percentile(a_mov, 99)) > FOOT_IMPACT_G:
        return "shoe"
    if recording.gyr is not None:
        w = _windows(row_norms(np.ascontiguousarray(recording.gyr, dtype=np.float64)), n)[moving]
        gyr_p99 = float(np.percentile(w, 99))
        if gyr_p99 > LIMB_RATE_DPS:
            share = float(np.median(((w < 100.0) & (np.abs(a_mov - 1.0) < 0.3)).mean(axis=1)))
            if share >= FOOT_FLAT_SHARE:
                return "shoe"
            logger.info("fast rotation (|w| p99 %.0f deg/s) without a foot's flat phases (%.3f of the "
                        "time): a thigh or pocket, analysed as a waist sensor", gyr_p99, share)
    return "waist"
