"""Guess where a sensor was worn when the user did not say."""

from __future__ import annotations

import numpy as np

from ..recording import Recording

__all__ = ["infer_placement"]


def infer_placement(recording: Recording) -> str:
    """``'shoe'`` or ``'waist'`` from the signal's dynamics.

    A foot swings through large rotations (pitch rates of several hundred deg/s) and sees impacts
    of 5-30 g; the pelvis rotates by a few degrees and its specific force stays below ~4 g apart
    from short transients. The 99th percentile of ``|f|`` (and of ``|w|`` with a gyroscope)
    separates the two without being fooled by a single spike.
    """
    norm = np.linalg.norm(recording.acc, axis=1)
    acc_p99 = float(np.percentile(norm, 99))
    if recording.gyr is not None:
        gyr_p99 = float(np.percentile(np.linalg.norm(recording.gyr, axis=1), 99))
        if gyr_p99 > 250.0:
            return "shoe"
    return "shoe" if acc_p99 > 5.0 else "waist"
