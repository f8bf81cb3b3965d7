"""The foot frame of a shoe-mounted IMU, resolved from the signal itself (any mounting).

Foot frame (``docs/shoe.md``): x forward along the sole, y to the left, z up when the foot is flat
on the ground; right-handed. Pitch is **toe up positive**, i.e. a rotation about -y, so the
toe-up pitch rate is ``w = -gyr_y``. Per recording (a shoe sensor does not move on the shoe):

* **up** is the mean specific force over the still samples (gyro norm < 50 deg/s and the
  specific-force norm within 0.1 g of 1 g): the foot is flat and at rest during stance. A foot
  that never rests that long (running without a standing start, an accelerometer-only clip at
  100 Hz) still lies flat for a moment in every stance: then the stillest samples are taken
  (:func:`_foot_flat_mask`), never the mean over everything, which on a foot is not gravity;
* **left** (the pitch axis) is the principal axis of the angular rate while the foot moves (PCA
  of the gyro): the foot rotates mostly in the sagittal plane, about the mediolateral axis; it
  is made horizontal (orthogonal to up);
* its **sign** is chosen so that the first rotation after each still (flat) foot is toe-down: the
  heel rises before the toes leave, in running and in walking (:func:`_pitch_sign`);
* **forward** = left x up.

The frame is estimated from the first ten minutes (``FRAME_WINDOW_S``) of the recording, and so
is the level at which the accelerometer saturates, if it does (:func:`.saturation.saturation_range`).

Without a gyroscope, up comes from the still samples of the accelerometer and forward from the
principal horizontal axis of the specific force while moving, with an unknown sign (the forward
metrics are then left NaN unless ``axes`` is given).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .saturation import saturation_range

logger = logging.getLogger(__name__)

__all__ = ["FootFrame", "estimate_foot_frame", "STILL_GYRO_DPS", "STILL_ACC_G"]

#: A foot counts as still below this gyro norm (deg/s) ...
STILL_GYRO_DPS = 50.0
#: ... with the specific-force norm within this much of 1 g (a foot at rest).
STILL_ACC_G = 0.1
#: The heel-off after a still foot is judged over this long (s): the heel rises for ~0.1 s before
#: the pitch-rate minimum of push-off (real jogs and walk).
HEEL_OFF_S = 0.1
#: The frame is estimated from the first this-many seconds (s).
FRAME_WINDOW_S = 600.0
#: Share of the samples taken as foot-flat when none passes the at-rest test. A running foot lies
#: flat for >= ~40 ms of every stride (the zero-velocity interval of foot-mounted navigation,
#: Skog et al. 2010), >= ~5 % of a 0.65-0.8 s stride; the stillest 2 % sit inside it.
FOOT_FLAT_SHARE = 0.02
#: Foot-flat samples share one direction (gravity in the sensor frame); a swing sample that happens
#: to read ~1 g points elsewhere. Kept: within this angle (deg) of the first estimate.
FOOT_FLAT_CONE_DEG = 25.0


@dataclass(frozen=True)
class FootFrame:
    """Sensor-to-foot rotation.

    Attributes
    ----------
    rot : ndarray, shape (3, 3)
        Rows are the foot axes (forward, left, up) as unit vectors in the sensor frame, so
        ``foot = sensor @ rot.T``.
    gravity_g : float
        Norm of the mean still specific force (g): 1 for an ideal sensor.
    method : str
        ``'estimated'`` (gyro + gravity), ``'estimated-acc'`` (no gyro: forward sign unknown) or
        ``'axes'`` (given by the user).
    forward_known : bool
        Whether the sign of the forward axis is known.
    acc_range_g : float or None
        The level at which the accelerometer was found saturated (g, :func:`saturation_range`),
        None when it never was.
    """

    rot: np.ndarray
    gravity_g: float
    method: str
    forward_known: bool
    acc_range_g: float | None = None


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _norm_level_and_change(an: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the specific-force norm ``an`` over ~40 ms, and its mean absolute change about it."""
    from ..kernels.signal import moving_mean

    h = max(int(round(0.02 * fs)), 1)
    mean = moving_mean(an[:, None], h)[:, 0]
    return mean, moving_mean(np.abs(an - mean)[:, None], h)[:, 0]


def _still_mask(acc: np.ndarray, gyr: np.ndarray | None, fs: float) -> np.ndarray:
    an = np.sqrt(np.einsum("ij,ij->i", acc, acc))
    if gyr is not None:
        gn = np.sqrt(np.einsum("ij,ij->i", gyr, gyr))
        return (gn < STILL_GYRO_DPS) & (np.abs(an - 1.0) < STILL_ACC_G)
    # accelerometer only: the norm stays close to 1 g and hardly changes over ~40 ms
    mean, dev = _norm_level_and_change(an, fs)
    return (np.abs(mean - 1.0) < STILL_ACC_G) & (dev < 0.03)


def _foot_flat_mask(acc: np.ndarray, gyr: np.ndarray | None, fs: float) -> np.ndarray:
    """The stillest samples of the stances, for a foot that never rests for ~40 ms.

    On a foot, the mean specific force over whole strides is *not* gravity: the sensor turns with
    the foot, and the swing's large accelerations add up in its frame (real jogs at 1.2-2 m/s:
    1.3-1.9 g; the faster, the more). Gravity is read where the foot is flat on the ground: the
    specific-force norm closest to 1 g and changing least (and the slowest rotation, with a gyro).
    The :data:`FOOT_FLAT_SHARE` stillest samples are taken, then those pointing within
    :data:`FOOT_FLAT_CONE_DEG` of their mean direction.
    """
    an = np.sqrt(np.einsum("ij,ij->i", acc, acc))
    mean, dev = _norm_level_and_change(an, fs)
    score = np.abs(mean - 1.0) + dev
    if gyr is not None:  # STILL_GYRO_DPS of rotation weighs like STILL_ACC_G off 1 g
        score = score + np.sqrt(np.einsum("ij,ij->i", gyr, gyr)) * (STILL_ACC_G / STILL_GYRO_DPS)
    mask = np.zeros(an.size, dtype=bool)
    k = min(max(int(FOOT_FLAT_SHARE * an.size), 5), an.size)
    mask[np.argpartition(score, k - 1)[:k]] = True
    up0 = acc[mask].mean(axis=0)
    if np.linalg.norm(up0) > 0:
        cos = (acc @ up0) / (np.linalg.norm(up0) * np.maximum(an, 1e-12))
        mask &= cos > np.cos(np.radians(FOOT_FLAT_CONE_DEG))
    return mask


def _pitch_sign(w: np.ndarray, still: np.ndarray, fs: float) -> float:
    """+1 when ``w`` is toe-up positive, -1 when it is the other way round (see module doc).

    Every stance ends with the heel rising before the toes leave: the first rotation after a
    still (flat) foot is toe-down. The pitch change over the ``HEEL_OFF_S`` after the end of each
    still run is summed; it must be negative. Where no still run ends, the older cue decides:
    between two stances the largest pitch excursion from the flat foot is toe-down (push-off
    plantarflexion exceeds late-swing dorsiflexion). That cue flipped the frame of a real jog
    decimated to 100 Hz (9 still runs, integration drift over whole strides), the heel-off cue
    holds on every shared real recording at 100 and 200 Hz by a wide margin.
    """
    idx = np.flatnonzero(still)
    if idx.size < 2:
        return 1.0
    # ends of still runs and the starts of the next ones: the movement between two stances
    brk = np.flatnonzero(np.diff(idx) > max(int(0.2 * fs), 2))
    ends, starts = idx[brk], idx[brk + 1]
    if ends.size == 0:
        return 1.0
    ang = np.concatenate(([0.0], np.cumsum(w) / fs))
    k = max(int(round(HEEL_OFF_S * fs)), 1)
    heel_off = float(np.sum(ang[np.minimum(ends + k, ang.size - 1)] - ang[ends]))
    if heel_off != 0.0:
        return 1.0 if heel_off < 0 else -1.0
    vote = 0.0
    for e, s in zip(ends, starts, strict=True):
        seg = ang[e:s + 1] - ang[e]
        lo, hi = float(seg.min()), float(seg.max())
        vote += abs(lo) - abs(hi)
    return 1.0 if vote >= 0 else -1.0


def estimate_foot_frame(acc: np.ndarray, gyr: np.ndarray | None, fs: float,
                        axes: np.ndarray | None = None) -> FootFrame:
    """Estimate the sensor-to-foot rotation of a shoe sensor.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Specific force (g), sensor frame.
    gyr : ndarray, shape (n, 3) or None
        Angular rate (deg/s), sensor frame.
    fs : float
        Sample rate (Hz).
    axes : (3, 3) ndarray, optional
        Fixed mapping (rows forward, left, up in sensor coordinates, from
        :func:`gaitlab.gait.orientation.parse_axes`); only the gravity scale is measured.

    Returns
    -------
    FootFrame

    Raises
    ------
    InputError
        When the foot is never still (no stance to take gravity from), or the still specific
        force is far from 1 g (wrong units, or gravity removed by the app).
    """
    # the sensor does not move on the shoe: ten minutes of gait fix the frame (a long recording
    # is not read twice for it)
    k = int(FRAME_WINDOW_S * fs)
    if acc.shape[0] > k:
        acc = acc[:k]
        gyr = None if gyr is None else gyr[:k]
    still = _still_mask(acc, gyr, fs)
    flat = still
    if still.sum() < max(5, int(0.05 * fs)):
        flat = _foot_flat_mask(acc, gyr, fs)
        logger.info("shoe sensor: the foot never rests for ~40 ms; gravity from the %d stillest "
                    "foot-flat samples of the stances", int(flat.sum()))
    if not flat.any():
        raise InputError("the shoe sensor's signal never shows a foot lying flat (specific force near 1 g "
                         "in one direction): no stance to take gravity from; check the placement")
    up_raw = acc[flat].mean(axis=0)
    grav = float(np.linalg.norm(up_raw))
    if not 0.5 < grav < 1.5:
        raise InputError(
            f"the shoe sensor's mean specific force while the foot is flat and still is {grav:.2f} g; an "
            "accelerometer at rest reads 1 g. Check the units (g vs m/s^2) or whether gravity was removed "
            "by the app")
    sat = saturation_range(acc)
    if sat is not None:
        logger.info("shoe sensor: accelerometer saturated at %.1f g; impacts there are not reported", sat)
    if axes is not None:
        return FootFrame(rot=np.asarray(axes, dtype=np.float64), gravity_g=grav, method="axes",
                         forward_known=True, acc_range_g=sat)
    up = up_raw / grav
    if gyr is not None:
        gn = np.sqrt(np.einsum("ij,ij->i", gyr, gyr))
        moving = gn > 100.0
        g = gyr[moving] if moving.sum() >= 10 else gyr
        cov = g.T @ g
        _, vec = np.linalg.eigh(cov)
        e = vec[:, -1]
        left = e - np.dot(e, up) * up
        if np.linalg.norm(left) < 0.3:
            raise InputError("the shoe sensor's main rotation axis is vertical: the signal does not look "
                             "like a foot rolling through a step (check the placement)")
        left = _unit(left)
        w = -(gyr @ left)
        left = left * _pitch_sign(w, flat, fs)
        fwd = np.cross(left, up)
        return FootFrame(rot=np.vstack((fwd, left, up)), gravity_g=grav, method="estimated",
                         forward_known=True, acc_range_g=sat)
    h = acc - np.outer(acc @ up, up)
    moving = ~flat
    hm = h[moving] if moving.sum() >= 10 else h
    hm = hm - hm.mean(axis=0)
    _, vec = np.linalg.eigh(hm.T @ hm)
    fwd = vec[:, -1] - np.dot(vec[:, -1], up) * up
    fwd = _unit(fwd)
    left = np.cross(up, fwd)
    return FootFrame(rot=np.vstack((fwd, left, up)), gravity_g=grav, method="estimated-acc",
                     forward_known=False, acc_range_g=sat)
