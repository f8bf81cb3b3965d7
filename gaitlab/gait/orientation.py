"""Sensor-to-body orientation for a trunk-worn sensor, from the signal itself.

Body frame (``docs/methods.md``): x forward, y left, z up, right-handed. For each block of ~20 s:

* **up** is the direction of the mean specific force over a whole number of strides: at steady
  running it is exactly 1 g straight up (Moe-Nilssen 1998 tilt
  correction). Its length also calibrates the accelerometer's scale along the vertical.
* **forward** is the principal horizontal direction of the step-periodic part of the signal: adding
  the signal to itself one step later keeps the braking/propulsion pattern (the same every step)
  and cancels the mediolateral sway (its sign alternates between left and right steps).
* its **sign** comes from the braking-then-propulsion pattern: during the rising vertical force of
  early stance the body is braking, so the forward specific force correlates negatively with the
  time derivative of the vertical force. In walking the coupling is the opposite (the vertical
  force rises while the trunk falls forwards over the stance foot), so strides without a flight
  phase count with the opposite sign (:func:`_sign_score`).
* **left** = up x forward.

Blocks are re-estimated along the run so a sensor that shifts is followed; blocks without gait
(standing) inherit the forward direction of the nearest block with gait.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["Orientation", "block_starts", "estimate_orientation", "parse_axes", "step_period", "REMOUNT_DEG"]

_AXIS_RE = re.compile(r"^\s*([+-]?)\s*([xyz])\s*$")


@dataclass(frozen=True)
class Orientation:
    """Block-wise sensor-to-body rotations.

    Attributes
    ----------
    rot : ndarray, shape (m, 3, 3)
        Rows are the body axes (forward, left, up) as unit vectors in the sensor frame.
    block_starts : ndarray of int64, shape (m,)
        First sample of each block.
    gravity_g : ndarray, shape (m,)
        Length of the mean specific force of each block (g): 1 for an ideal sensor.
    gait : ndarray of bool, shape (m,)
        Whether a step rhythm was found in the block (forward estimated there, not inherited).
    step_period_s : ndarray, shape (m,)
        Step period found in each block (s), NaN without gait.
    """

    rot: np.ndarray
    block_starts: np.ndarray
    gravity_g: np.ndarray
    gait: np.ndarray
    step_period_s: np.ndarray


def parse_axes(axes: str | np.ndarray) -> np.ndarray:
    """An explicit sensor-to-body mapping as a (3, 3) rotation (rows forward, left, up).

    Parameters
    ----------
    axes : str or array_like
        ``"+x,+y,+z"``-style: the sensor axis that points forward, left and up, in that order
        (e.g. ``"-y,+x,+z"``), or a (3, 3) matrix whose rows are the body axes in sensor coordinates.
    """
    if isinstance(axes, str):
        parts = [p for p in axes.split(",")]
        if len(parts) != 3:
            raise InputError(f"axes must name three sensor axes like '+x,+y,+z', found {axes!r}")
        rows = []
        for p in parts:
            mt = _AXIS_RE.match(p)
            if not mt:
                raise InputError(f"axes entry {p!r} is not one of +x, -x, +y, -y, +z, -z")
            v = np.zeros(3)
            v["xyz".index(mt.group(2))] = -1.0 if mt.group(1) == "-" else 1.0
            rows.append(v)
        rot = np.array(rows)
    else:
        rot = np.asarray(axes, dtype=np.float64)
        if rot.shape != (3, 3):
            raise InputError(f"axes matrix must be 3 x 3, found shape {rot.shape}")
    if not np.allclose(rot @ rot.T, np.eye(3), atol=1e-6) or np.linalg.det(rot) < 0:
        raise InputError("axes must form a right-handed orthonormal frame (forward, left, up); "
                         f"found determinant {np.linalg.det(rot):.3f}")
    return rot


def step_period(norm_g: np.ndarray, fs: float, min_s: float = 0.22, max_s: float = 1.0) -> float:
    """Step period (s) from the first dominant peak of the autocorrelation of ``|f|``.

    Orientation-free (the norm does not depend on mounting). Returns NaN when no clear rhythm
    (standing, or fewer than ~3 steps).
    """
    from ..kernels.blockstats import autocorr_period

    lo, hi = _lag_range(fs, min_s, max_s)
    return float(autocorr_period(np.ascontiguousarray(norm_g, dtype=np.float64), float(fs), lo, hi))


def _lag_range(fs: float, min_s: float = 0.22, max_s: float = 1.0) -> tuple[int, int]:
    """Autocorrelation lags (samples at ``fs``) of the shortest and longest step period searched:
    0.22 s (270 steps/min, sprinting) to 1 s (60 steps/min, slow walking)."""
    return int(min_s * fs), int(max_s * fs)


def block_starts(n: int, fs: float, block_s: float) -> np.ndarray:
    """First sample of each orientation block: fixed ``round(block_s * fs)``-sample blocks from
    sample 0, so a block's samples (and its orientation) do not depend on how long the recording
    goes on (a live analysis sees the same blocks). A last block shorter than half a block is
    merged into the one before."""
    size = max(int(round(block_s * fs)), 1)
    starts = np.arange(0, n, size, dtype=np.int64)
    if starts.size > 1 and n - starts[-1] < size // 2:
        starts = starts[:-1]
    return starts


def _dynamic_verticals(eig_w: np.ndarray, eig_v: np.ndarray, gravity_dir: np.ndarray) -> np.ndarray:
    """Vertical as the main axis of the step-periodic force, where it agrees with gravity (per block).

    The mean specific force points up only if the accelerometer has no bias: a 50 mg bias tilts
    it by ~3 deg, which leaks the alternating left/right sway into the vertical and shows up as a
    false step-time asymmetry. The vertical ground reaction force, repeated every step, is by far
    the largest varying force (about 2 g peak to peak against <= 0.5 g forward and sideways, and
    the forward braking pattern is uncorrelated with it over a step), and a constant bias has no
    variance: so the first principal axis of the step-periodic force ``f(t) + f(t + one step)`` (its
    scatter matrix: :func:`gaitlab.kernels.blockstats.orientation_rhythm`) is the vertical, bias-free. Used when within 15 deg of the gravity direction, else gravity.

    Parameters
    ----------
    eig_w, eig_v : ndarray, shapes (m, 3) and (m, 3, 3)
        Eigen-decomposition of each block's step covariance (``numpy.linalg.eigh``).
    gravity_dir : ndarray, shape (m, 3)
        Unit gravity direction (up) of each block.
    """
    axis = eig_v[:, :, 2]
    flip = np.einsum("ij,ij->i", axis, gravity_dir) < 0
    axis = np.where(flip[:, None], -axis, axis)
    agree = np.einsum("ij,ij->i", axis, gravity_dir) > np.cos(np.radians(15.0))
    # no dominant vertical rhythm (walking slowly, cycling, ...): gravity
    dominant = ~(eig_w[:, 2] < 4.0 * eig_w[:, 1])
    return np.where((dominant & agree)[:, None], axis, gravity_dir)


def _forward_axes(cov: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward directions (sensor frame, sign not yet fixed, not yet exactly unit and horizontal) of
    blocks and how clearly each was defined (0..1; NaN where undefined): the principal direction of
    the step-periodic force within the horizontal plane (the covariance projected onto the plane,
    where the vertical becomes a zero eigenvalue).

    Parameters
    ----------
    cov : ndarray, shape (m, 3, 3)
        Step covariance of each block (:func:`gaitlab.kernels.blockstats.orientation_rhythm`).
    up : ndarray, shape (m, 3)
        Each block's vertical.
    """
    proj = np.eye(3)[None] - up[:, :, None] * up[:, None, :]
    w, v = np.linalg.eigh(proj @ cov @ proj)
    with np.errstate(invalid="ignore", divide="ignore"):
        clarity = np.where(w[:, 2] > 0, 1.0 - w[:, 1] / w[:, 2], np.nan)
    return np.ascontiguousarray(v[:, :, 2]), clarity


#: Vertical specific force (g) below which a stride window counts as having a flight phase (running):
#: flight reads ~0 g at the pelvis; walking's lowest vertical force (mid-stance, the top of the
#: inverted pendulum) stays above ~0.5 g.
FLIGHT_BELOW_G = 0.4


def _sign_score(ap: np.ndarray, fz: np.ndarray, lag: int) -> float:
    """Coupling of a candidate forward force with the rise of the vertical force, gait-corrected.

    Running (spring-mass): the vertical force rises in early stance, while the body brakes, so the
    true forward force correlates *negatively* with d f_z/dt. Walking (inverted pendulum): the
    vertical force rises in late single support and double support, while the trunk accelerates
    forwards (falling over the stance foot, push-off), so the correlation is *positive*: the running
    rule alone turns a walking block backwards (and left into right). Each stride-long window is
    classed by whether it has a flight (vertical force below :data:`FLIGHT_BELOW_G`) and its
    walking part counted with the opposite sign. Returns > 0 when the candidate points backwards.
    """
    from ..kernels.blockstats import sign_score

    return float(sign_score(np.ascontiguousarray(ap, dtype=np.float64),
                            np.ascontiguousarray(fz, dtype=np.float64), int(lag), FLIGHT_BELOW_G))


#: Length of the mean specific force of a block (g) that a worn accelerometer can read: 1 g with
#: calibration error, and down to ~0.5 g while a sensor swings with a limb (a pocket phone's thigh).
GRAVITY_RANGE_G = (0.5, 1.5)
#: Change (deg) of the body's forward or vertical axis in the sensor frame that counts as a re-mount:
#: posture changes the pelvis' tilt by ~10 deg at most (hills, fatigue), a bend's centripetal force
#: tilts the mean force by <= ~10 deg, and block-to-block estimates of forward scatter by ~10 deg
#: (real walking with turns); re-clipping or turning a sensor moves it by tens of degrees.
REMOUNT_DEG = 30.0
#: A block is split where the sensor was re-seated inside it (its mean force turns by more than
#: ``REMOUNT_DEG``), each part at least this long (s): over >= 1.5 strides the dynamic forces
#: average to a few tenths of a g at most, tilting the mean by far less than ``REMOUNT_DEG``; the
#: split is placed to this resolution (s).
MIN_ATTITUDE_S, ATTITUDE_STEP_S = 1.0, 0.25


def _plausible_gravity(g):
    return (g > GRAVITY_RANGE_G[0]) & (g < GRAVITY_RANGE_G[1])


def estimate_orientation(acc: np.ndarray, fs: float, *, block_s: float = 20.0,
                         axes: np.ndarray | None = None) -> Orientation:
    """Estimate the block-wise sensor-to-body orientation of a trunk-worn sensor.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Specific force (g) in the sensor frame, uniformly sampled.
    fs : float
        Sample rate (Hz).
    block_s : float
        Block length (s) over which orientation is assumed constant.
    axes : (3, 3) ndarray, optional
        Fixed mapping (rows forward, left, up in sensor coordinates) instead of estimating it;
        the vertical scale is still calibrated per block.

    Returns
    -------
    Orientation
    """
    from ..kernels.blockstats import attitude_splits, orientation_axes, orientation_rhythm

    starts = block_starts(acc.shape[0], fs, block_s)
    n = acc.shape[0]
    nblk = starts.size
    ends = np.append(starts[1:], n)
    # rhythm and direction need no more than ~50 Hz: decimate (not filtered: the step rhythm and
    # the braking pattern are far below the new Nyquist, and aliased noise averages out)
    dec = max(int(round(fs / 50.0)), 1)
    # row-order sums equal numpy's axis-0 mean only on a C-contiguous array
    acc_c = acc if acc.flags.c_contiguous and acc.dtype == np.float64 else np.ascontiguousarray(acc, np.float64)
    # pass 1, all blocks in one kernel call: rhythm (orientation-free |f|), gravity (the mean over a
    # whole number of strides: exact at steady speed), the step covariance (blocks > lag + 8 samples)
    period, means, grav, lags, cov, ok = orientation_rhythm(acc_c, starts, ends, dec, float(fs),
                                                            *_lag_range(fs / dec), 9)
    # a sensor re-seated inside a block (re-clipped, turned upside down in the belt) gives each part
    # its own gravity, and their mean is neither: such a block is split where the attitude changes
    split = attitude_splits(acc_c, starts, ends, max(int(round(MIN_ATTITUDE_S * fs)), 1),
                            max(int(round(ATTITUDE_STEP_S * fs)), 1), float(np.cos(np.radians(REMOUNT_DEG))),
                            *GRAVITY_RANGE_G)
    if (split >= 0).any():
        logger.info("sensor re-seated at t = %s s: orientation estimated on each side",
                    ", ".join(f"{c / fs:.1f}" for c in split[split >= 0]))
        starts = np.sort(np.concatenate((starts, split[split >= 0])))
        nblk = starts.size
        ends = np.append(starts[1:], n)
        period, means, grav, lags, cov, ok = orientation_rhythm(acc_c, starts, ends, dec, float(fs),
                                                                *_lag_range(fs / dec), 9)
    bad = np.flatnonzero(~_plausible_gravity(grav))
    if bad.size:
        b = bad[0]
        raise InputError(
            f"mean specific force over {(ends[b] - starts[b]) / fs:.0f} s from t = {starts[b] / fs:.0f} s is "
            f"{grav[b]:.2f} g; a worn accelerometer reads about 1 g on average. Check the units "
            "(g vs m/s^2) or whether gravity was removed by the app")
    if axes is not None:
        rot = np.broadcast_to(np.asarray(axes, dtype=np.float64), (nblk, 3, 3)).copy()
        return Orientation(rot=rot, block_starts=starts.astype(np.int64), gravity_g=grav,
                           gait=np.zeros(nblk, dtype=bool), step_period_s=period)
    ups = means / grav[:, None]
    rhythm = np.flatnonzero(np.isfinite(period))
    idx = np.flatnonzero(ok)
    main, clarity = np.empty((0, 3)), np.empty(0)
    # pass 2, all blocks with a rhythm at once (3 x 3 eigen-problems): vertical, then forward
    if idx.size:
        w, v = np.linalg.eigh(cov[idx])
        ups[idx] = _dynamic_verticals(w, v, ups[idx])
        main, clarity = _forward_axes(cov[idx], ups[idx])
    # forward's sign (braking while the vertical force rises, early stance, in running; the opposite
    # in walking), forward lent to blocks without gait, left, and the vertical calibration along the
    # (possibly refined) vertical
    rot, gait, calib = orientation_axes(acc_c, starts, ends, dec, lags, idx, main, clarity > 0.2, ups, means,
                                        rhythm, FLIGHT_BELOW_G)
    grav[rhythm] = calib
    if not gait.any():
        logger.info("no step rhythm found: forward direction unknown")
    return Orientation(rot=rot, block_starts=starts.astype(np.int64), gravity_g=grav, gait=gait,
                       step_period_s=period)
