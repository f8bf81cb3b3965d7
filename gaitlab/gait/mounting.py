"""Where on the body a trunk-class sensor sits, from its own signal: midline, off the midline, thigh.

Physics of the three cases (per block of steady gait with a step period ``T``):

* **midline** (sacrum, lower back, belt clip at the back, chest strap): the sensor moves with the
  trunk's centre line. Its vertical force repeats every *step*; what alternates from one step to
  the next (the *stride* rhythm) is the sideways sway and the runner's own asymmetry, a few per
  cent of the step rhythm for a healthy runner.
* **off the midline** (side of the hip: an elastic belt with the sensor over one hip): a sensor a distance ``r`` off the
  midline rides the pelvis' roll ``phi``: its vertical position gains ``r sin(phi)``, which has the
  opposite sign on left and right steps, and the sensor-side leg's impacts reach it more directly.
  Its vertical force alternates strongly between steps (with r = 0.15 m, 5 deg of roll at
  1.4 strides/s: ~0.1 g plus the impact difference), which is mounting, not the runner:
  per-side timing and amplitude are biased and are reported as not measurable.
* **thigh** (a phone deep in a trouser pocket): the sensor rides the thigh, which swings through
  ~50-70 deg each stride, so the direction of gravity in the sensor frame swings by tens of degrees
  at the stride rhythm: a stride-rhythm specific force of several tenths of a g, against <= ~0.15 g
  on the trunk (sway, roll). The thigh is not the pelvis: cadence and step times are measurable;
  contact times, vertical oscillation, pelvic angles and sides are not.

The classification uses the Fourier amplitudes of the specific force at the stride frequency
``1 / (2 T)`` and the step frequency ``1 / T`` in each block of steady gait, each over a whole
number of its periods (:func:`gaitlab.kernels.blockstats.mounting_features`): only the fundamental
of each rhythm, so the step-to-step jitter of sharp impact edges (broadband) does not count as
alternation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .orientation import FLIGHT_BELOW_G, REMOUNT_DEG

logger = logging.getLogger(__name__)

__all__ = ["MOUNTINGS", "Mounting", "infer_mounting", "PER_SIDE_REASON", "stride_half_steps",
           "timing_mounting", "THIGH_UNMEASURABLE",
           "remount_groups"]

#: Mountings gaitlab recognises (``Analysis.input['mounting']``).
MOUNTINGS = ("midline", "off_midline", "thigh", "chest", "unknown")

#: Fraction of a block's samples whose vertical force must lie below :data:`.orientation.FLIGHT_BELOW_G`
#: for the block to count as running: a flight phase every step at the pelvis reads ~0 g for ~30 % of
#: the time; walking never gets there.
FLIGHT_QUANTILE = 0.1

#: Amplitude (g) of the stride-rhythm specific force (Fourier amplitude at the stride frequency,
#: vector norm over the axes) above which the sensor's orientation swings with a leg: a thigh swings
#: through ~50-70 deg per stride, so gravity's direction in the sensor frame swings by >= +-25 deg:
#: g sin(25 deg) ~ 0.42 g. On the trunk the stride rhythm is the sideways sway (0.1-0.2 g) and the
#: roll of the pelvis (+-5-8 deg: <= 0.14 g), at most ~0.3 g together.
THIGH_SWING_G = 0.4

#: A flat device lies against the body surface with its face (the sensor z axis of phones and most
#: IMUs, out of the screen or the case's face) along the surface normal: backwards or forwards on the
#: sacrum, lower back, belly or chest, sideways on the side of the hip or thigh [H]. The sensor's z
#: axis within this angle (deg) of the body's left-right axis: the device sits on the side of the body,
#: so a left/right difference beyond the report's warn levels is taken as the mounting's
#: (:func:`timing_mounting`). Not a cue on its own: generic files need not keep the device's axes.
SIDE_FACE_DEG = 30.0

#: Ratio of the stride- to the step-rhythm amplitude of the vertical force above which the steps
#: alternate more than a runner's own asymmetry explains: the sensor rides off the midline. Real
#: sacral sensors (16 treadmill trials, 2.5-4.2 m/s, slopes -10..+10 %) showed 0.03-0.10, the highest
#: on steep downhill heel striking; 0.15 leaves that margin. Milder off-midline cases are caught by
#: their timing (:func:`timing_mounting`).
OFF_MIDLINE_ALTERNATION = 0.15

#: Step-time and contact-time symmetry indices (%) whose 95 % interval lies wholly above these are
#: taken as the mounting, not the runner [H]: they are 2.5x the report's step-time warn level (4 %)
#: and above its GCT alert level (8.8 %, Garmin's red balance band) by more than 2x. A sensor off the
#: midline times one foot's contacts early and the other's late (a real hip-belt run: 26 % in
#: contact time, 9.8 % in step time; the synthetic hip belt: 15 % in step time), and the near leg's
#: impacts reach it more directly: 30 % in impact is 3x the report's impact warn level (the hip-belt
#: run: 4.3 vs 2.8 g, 42 %).
TIMING_SI_PCT = {"step_time_ms": 10.0, "gct_ms": 20.0, "impact_g": 30.0}

#: Per-step columns a thigh-borne sensor cannot measure (NaN): the pelvis' contact edges, height,
#: braking and angles are hidden behind the thigh's own swing.
THIGH_UNMEASURABLE = ("to_s", "gct_ms", "flight_ms", "vo_cm", "braking_mps", "pelvic_tilt_deg",
                      "pelvic_drop_deg", "loading_rate_gps", "impact_g")

PER_SIDE_REASON = {
    "off_midline": ("the sensor sits off the body's midline (side of the hip, a pocket): the pelvis' roll "
                    "moves it up on one step and down on the next and the near leg's impacts reach it "
                    "more directly, so left and right timing and impacts differ because of the "
                    "mounting, not the runner"),
    "thigh": ("the sensor rides the thigh (trouser pocket): it swings with one leg, so contact "
               "times, left/right attribution and pelvic motion cannot be measured; cadence and "
               "step times can"),
}


@dataclass(frozen=True)
class Mounting:
    """Inferred mounting and the evidence for it.

    Attributes
    ----------
    kind : str
        One of :data:`MOUNTINGS`.
    stride_swing_g : float
        Median over gait blocks of the RMS stride-rhythm specific force (g).
    vertical_alternation : float
        Median over gait blocks of the stride- to step-rhythm RMS ratio of the vertical force.
    reason : str or None
        Why per-side metrics are not measurable with this mounting (None when they are).
    face_sideways : float
        ``|cos|`` of the angle between the sensor's z axis (a flat device's face) and the body's
        left-right axis, median over gait blocks: near 1 for a device on the side of the body.
    """

    kind: str
    stride_swing_g: float
    vertical_alternation: float
    reason: str | None
    face_sideways: float = float("nan")

    def as_dict(self) -> dict:
        return {"mounting": self.kind, "mounting_stride_swing_g": self.stride_swing_g,
                "mounting_vertical_alternation": self.vertical_alternation,
                "mounting_face_sideways": self.face_sideways,
                "per_side_reason": self.reason}


def infer_mounting(acc: np.ndarray, fs: float, ori, declared: str | None = None) -> Mounting:
    """Infer the mounting of a trunk-class sensor.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Specific force (g), sensor frame, uniformly sampled (gaps included).
    fs : float
        Sample rate (Hz).
    ori : gaitlab.gait.orientation.Orientation
        Block-wise orientation (vertical and step period per block).
    declared : str, optional
        A mounting stated by the user or the file (``'chest'`` for a chest strap); the signal
        still overrides a midline declaration when it shows a thigh.
    """
    from ..kernels.blockstats import mounting_features

    starts = np.asarray(ori.block_starts, dtype=np.int64)
    ends = np.append(starts[1:], acc.shape[0])
    # running blocks only (10 % of the vertical force below the flight level): walking's own stride
    # rhythm (the pendulum sways over each foot in turn, turns) would read as off-midline
    swing_b, alt_b, running = mounting_features(
        np.ascontiguousarray(acc, dtype=np.float64), starts, ends,
        np.ascontiguousarray(ori.step_period_s, dtype=np.float64),
        np.ascontiguousarray(ori.rot[:, 2], dtype=np.float64), float(fs), FLIGHT_BELOW_G, FLIGHT_QUANTILE)
    use = running & np.isfinite(swing_b)
    swings, alts = swing_b[use], alt_b[use]
    # the device's face direction (sensor z) against the body's left-right axis, over gait blocks
    gait_blocks = np.flatnonzero(ori.gait)
    side_face = (float(np.median(np.abs(ori.rot[gait_blocks, 1, 2]))) if gait_blocks.size else np.nan)
    swing = float(np.median(swings)) if swings.size else np.nan
    alt = float(np.nanmedian(alts)) if np.isfinite(alts).any() else np.nan
    if np.isfinite(swing) and swing > THIGH_SWING_G:
        kind = "thigh"
    elif np.isfinite(alt) and alt > OFF_MIDLINE_ALTERNATION:
        kind = "off_midline"
    elif declared in MOUNTINGS:
        kind = declared
    elif not swings.size:
        kind = "unknown"  # no running: walking alternates by itself, so it does not tell
    else:
        kind = "midline"
    logger.info("mounting %s (stride swing %.2f g, vertical alternation %.2f, face sideways %.2f)",
                kind, swing, alt, side_face)
    return Mounting(kind, swing, alt, PER_SIDE_REASON.get(kind), side_face)


def stride_half_steps(t_ic: np.ndarray, next_ic: np.ndarray, step_time_ms: np.ndarray) -> np.ndarray:
    """Step times (ms) as half of the stride that starts at each contact.

    With a sensor off the midline one foot's contacts are seen systematically earlier (or later)
    than the other's, so single step times alternate short-long around the truth; over a stride
    (two steps) the bias cancels. Steps whose stride is not complete (last step, a missing next
    contact, or a next step of unknown time) keep their own time.
    """
    out = np.asarray(step_time_ms, dtype=np.float64).copy()
    if t_ic.size < 2:
        return out
    second = np.append(next_ic[1:], np.nan)  # the contact two steps later
    half = (second - t_ic) * 500.0
    # the stride must be two consecutive steps of one chain (both step times known)
    ok = np.isfinite(half) & np.isfinite(out) & np.isfinite(np.append(out[1:], np.nan))
    out[ok] = half[ok]
    return out


def timing_mounting(current: Mounting, cols: dict) -> Mounting | None:
    """An off-midline mounting recognised from the step timing, or None.

    Parameters
    ----------
    current : Mounting
        The mounting inferred from the signal's rhythm (:func:`infer_mounting`).
    cols : dict of ndarray
        Per-step columns of the first pass (``side``, ``activity``, ``valid``, ``step_time_ms``,
        ``gct_ms``).

    Returns a new :class:`Mounting` (``off_midline``) when a midline-looking sensor's running steps
    alternate short-long (or contact times long-short) by more than :data:`TIMING_SI_PCT` with the
    whole 95 % interval above it; None otherwise. The interval is that of the left-minus-right
    difference within consecutive step pairs (:func:`.metrics.paired_symmetry_ci`): a runner's pace
    drifting from stride to stride does not widen it.
    """
    from .metrics import paired_symmetry_ci

    if current.reason is not None:
        return None
    limits = TIMING_SI_PCT
    sideways = np.isfinite(current.face_sideways) and current.face_sideways > np.cos(np.radians(SIDE_FACE_DEG))
    if sideways:
        # a device on the side of the body: any left/right difference beyond the report's warn
        # levels is what that mounting produces (a symmetric one stays 'midline', sides measured)
        limits = _report_warn_levels()
    st = np.asarray(cols["step_time_ms"], dtype=np.float64)
    run = np.asarray(cols["activity"]) == "running"
    if run.sum() < 20:
        return None
    # running steps in rhythm, short ones included: the plausibility check drops a step the mounting
    # made very short but keeps its long partner, which would hide the alternation
    med = float(np.nanmedian(st[run]))
    with np.errstate(invalid="ignore"):
        run &= (st > 0.5 * med) & (st < 1.6 * med)
    for name, limit in limits.items():
        ci = paired_symmetry_ci(cols[name], cols["side"], run)
        if np.isfinite(ci["si_lo_pct"]) and ci["si_lo_pct"] > limit:
            logger.info("step timing alternates by %.1f %% (%s): sensor off the midline", ci["si_pct"], name)
            what = {"step_time_ms": "step time", "gct_ms": "contact time", "impact_g": "impact"}[name]
            face = "; the device faces sideways, on the side of the body" if sideways else ""
            return Mounting("off_midline", current.stride_swing_g, current.vertical_alternation,
                            PER_SIDE_REASON["off_midline"] + f" ({what} alternates by {ci['si_pct']:.0f} % "
                            f"between steps{face})", current.face_sideways)
    return None




def remount_groups(ori, t: np.ndarray, ic_s: np.ndarray) -> np.ndarray:
    """Mounting group of each step: +1 at each re-mount between orientation blocks.

    Parameters
    ----------
    ori : gaitlab.gait.orientation.Orientation
        Block-wise orientation of the recording.
    t : ndarray
        The recording's sample times (s).
    ic_s : ndarray
        Initial contact of each step (s).
    """
    gait = np.flatnonzero(ori.gait)
    jump = np.zeros(ori.rot.shape[0], dtype=np.int64)
    if gait.size > 1:
        lim = np.cos(np.radians(REMOUNT_DEG))
        moved = np.zeros(gait.size - 1, dtype=bool)
        for axis in (0, 2):  # forward (found in gait blocks only) and up
            v = ori.rot[gait, axis]
            moved |= np.einsum("ij,ij->i", v[1:], v[:-1]) < lim
        jump[gait[1:][moved]] = 1
    block_group = np.cumsum(jump)
    sample = np.clip(np.searchsorted(t, np.nan_to_num(ic_s, nan=t[0])), 0, t.size - 1)
    block = np.searchsorted(ori.block_starts, sample, side="right") - 1
    return block_group[np.clip(block, 0, block_group.size - 1)]


def _report_warn_levels() -> dict[str, float]:
    """The asymmetry pattern's default warn levels (%), per step column (:data:`.metrics.SYMMETRY_WARN_PCT`)."""
    from .metrics import SYMMETRY_WARN_PCT

    return dict(SYMMETRY_WARN_PCT)
