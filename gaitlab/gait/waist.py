"""Waist (sacrum, belt clip, lower-back or chest strap) pipeline: Recording -> per-step table.

Stages, each a small function over plain arrays, hot loops in :mod:`gaitlab.kernels`:

1. split the recording at gaps into uniformly sampled stretches (:mod:`.segments`);
2. orientation per ~20 s block: up from gravity, forward from braking, left = up x forward
   (:mod:`.orientation`); the vertical is scaled so its stride mean is exactly 1 g;
3. stance humps of the ~5 Hz low-passed vertical force, with hysteresis (no steps while standing);
4. IC and TO from the edges of the stance hump (:func:`gaitlab.kernels.events.contact_edges`):
   TO from the middle of the falling edge, IC from the middle of the loading edge
   (:func:`gaitlab.kernels.events.loading_edge_onsets`), where a zero-phase low-pass of an export
   moves an edge least (its foot it spreads by tens of ms); the flight apex only at low rates, and
   only where it agrees with the mid-edge fit to within its own impact bias and a sample;
   humps without a flight phase are walking; contacts at a recording's edges are reported, valid
   when their flight is visible;
5. per-step metrics: VO by drift-free double integration per stride, impact and loading rate,
   braking, side from the lateral force during stance plus alternation, pelvic tilt (and pelvic
   drop with a gyroscope);
6. plausibility (:data:`gaitlab.schema.PLAUSIBLE_WAIST`): implausible steps and steps at gaps are
   ``valid=False``.

A chest strap works with the same pipeline (the trunk moves with the pelvis vertically); its
"pelvic" tilt is then a trunk lean, and vertical oscillation is the trunk's, as Garmin's is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..errors import InputError
from ..recording import Recording
from ..schema import PLAUSIBLE_WAIST, STEP_COLUMNS, valid_running_mask
from .mounting import (
    THIGH_UNMEASURABLE,
    Mounting,
    infer_mounting,
    remount_groups,
    stride_half_steps,
    timing_mounting,
)
from .orientation import Orientation, estimate_orientation, parse_axes
from .saturation import CLIPPED_CHANNEL, clip_level, clipped_samples, clipped_windows
from .segments import MIN_STRETCH_S, Stretch, split_stretches
from .sides import assign_sides, chain_ids, side_evidence
from .speed import parse_speed, speed_at
from .walking import RUN_DF, WALK_EDGE_HZ, WALK_SMOOTH_HZ, WALK_STEP_MS, merge_walking, walking_by_duty_factor

logger = logging.getLogger(__name__)

__all__ = ["WaistPipeline", "BodyFrame"]

#: Plausible running values (defined in :mod:`gaitlab.schema`, listed in ``docs/methods.md``).
PLAUSIBLE = PLAUSIBLE_WAIST
WALK_STEP_TIME_MS = WALK_STEP_MS  # 50-170 spm (gaitlab.schema PLAUSIBLE_WAIST['walk_step_time_ms'])

#: Shift (s) of the flight-apex estimate of initial contact by a heel strike's impact peak (an
#: asymmetric contact force; :meth:`WaistPipeline._refine_ic`): the largest bias the apex carries
#: under its own assumption of landing at the take-off height.
APEX_IMPACT_BIAS_S = 0.020
#: Largest median disagreement (s) over a stretch between the flight-apex and onset estimates of
#: initial contact for the apex to be used: above the onset's sampling/filter error, below
#: ``APEX_IMPACT_BIAS_S``.
APEX_AGREEMENT_S = 0.012
#: ... and the apex is not used either when it reads earlier than the onset by more than this
#: (samples, median over the stretch): the onset's own resolution, half a sample; an impact peak's
#: asymmetry puts the apex early by 6-7 ms for a mild impact (independent generator) ...
APEX_EARLY_SAMPLES = 0.5
#: ... a judgement made only when at least this share of the apex estimates is plausible (a median
#: over a selected part, e.g. a hip belt's alternate late apexes dropped, would be biased).
APEX_PLAUSIBLE_SHARE = 0.9
#: The loading edge ends at the stance's first peak: the first local maximum at or above this
#: fraction of the hump's (active) amplitude, so a heel strike's impact peak ends it, small
#: wobbles on the edge do not.
FIRST_PEAK_FRAC = 0.5
#: The first (last) contact of a stretch is valid when at least this much flight (s, below the floor
#: level) precedes (follows) it in the stretch: about the shortest flight of running, and longer
#: than the dip of a soft-tissue rebound after a contact. Else it may have begun before the first
#: sample (ended after the last): reported, but not valid.
EDGE_FLIGHT_S = 0.02
#: Longest time (s) from the flight before a contact's soft-tissue spike to the rebound dip after it:
#: half a period of the slowest wobble (~10 Hz; soft tissue rings at 10-50 Hz, Wakeling & Nigg
#: 2001). A spike sampled below the valley limit still marks the contact when such a dip follows it
#: (short flights at 100 Hz: the rebound is deeper than the flight's floor).
REBOUND_S = 0.05
#: Samples between 0.2 and 0.8 g on a rising edge (``n_rise``) from which its middle is fitted for IC:
#: with fewer, the edge's foot is not resolved and the flight apex / onset bracket is used instead.
MIN_EDGE_SAMPLES = 3
#: The initial-contact fit uses the loading edge from this fraction of its first peak up (mid-edge
#: levels move least under a zero-phase low-pass; the edge's foot is where such a filter smears).
EDGE_BAND_LOW_FRAC = 0.25


class BodyFrame(NamedTuple):
    """A recording rotated into the body frame (x forward, y left, z up), see :meth:`WaistPipeline.body_frame`.

    Attributes
    ----------
    acc : ndarray, shape (n, 3)
        Specific force (g), body frame, vertical scaled so its stride mean is 1 g per block.
    gyr : ndarray, shape (n, 3) or None
        Angular rate (deg/s), body frame.
    extra : dict of ndarray
        The recording's extra channels plus ``orientation_block`` (each sample's block number).
    tilt_reference : {'standing', 'early_run'}
        What the pelvic tilt is measured against.
    block_tilt_deg : ndarray, shape (m,)
        Forward tilt (deg) of each orientation block against that reference.
    orientation : Orientation
        The block-wise sensor-to-body orientation (:func:`.orientation.estimate_orientation`);
        the mounting inference and the re-mount groups read it.
    """

    acc: np.ndarray
    gyr: np.ndarray | None
    extra: dict[str, np.ndarray]
    tilt_reference: str
    block_tilt_deg: np.ndarray
    orientation: Orientation


@dataclass
class WaistPipeline:
    """Detect steps and compute per-step running metrics from a trunk-worn accelerometer.

    Parameters
    ----------
    speed_mps : float or sequence of (start_s, end_s, speed_mps), optional
        Running speed for step length and vertical ratio: a constant, or per segment of the run
        (see :func:`gaitlab.gait.speed.parse_speed`). A ``speed_mps`` channel in the recording
        takes precedence.
    axes : str or (3, 3) array, optional
        Explicit sensor-to-body mapping (see :func:`gaitlab.gait.orientation.parse_axes`).
    smooth_hz : float
        Low-pass of the vertical force used to find stance humps (Hz).
    edge_lowpass_hz : float, optional
        Light low-pass of the vertical force used for the contact edges (Hz), for noisy sensors;
        off by default (a zero-phase filter rounds the contact onset and moves it earlier).
    floor_level_g : float
        Level above the flight floor where a contact edge starts (g).
    band_high_g : float
        Upper end of the edge band fitted (g).
    max_valley_g : float
        Minimum between two humps above which there is no flight: not a running step (g).
    block_s : float
        Orientation block length (s).
    impact_window_s : float
        Window after IC for the impact peak (s).
    mounting : str, optional
        Where the sensor is worn, when known (``'chest'`` for a chest strap): see
        :mod:`gaitlab.gait.mounting`. The signal still overrides it when it shows a sensor off the
        midline or on a thigh.

    Attributes
    ----------
    steps_ : pandas.DataFrame
        One row per step (see :data:`gaitlab.schema.STEP_COLUMNS`), then ``speed_mps``.
    gaps_ : ndarray, shape (k, 2)
        ``[t_before, t_after]`` of each gap (s).
    gap_s_, duration_s_ : float
        Time inside gaps and the recording's duration (s), for the summary.
    regularity_ : (float, float)
        Step and stride regularity of the vertical signal.
    per_side_reason_ : str or None
        Why the mounting makes left/right metrics unmeasurable (None when they are measurable).
    input_, params_, signals_ : dict
        What was analysed (with the mounting keys of :meth:`.mounting.Mounting.as_dict`), the
        public settings used, and the vertical force for figures.
    orientation_ : Orientation
        The block-wise orientation (waist only).
    mounting_ : Mounting
        The inferred mounting (waist only; :mod:`gaitlab.gait.mounting`).

    The same attributes as :class:`gaitlab.gait.shoe.ShoePipeline` (plus the last two); :func:`gaitlab.analyze` turns
    them into an :class:`~gaitlab.Analysis` (summary, segments, report).

    References
    ----------
    .. [1] Morin, J.-B., Dalleau, G., Kyröläinen, H., Jeannin, T., Belli, A. (2005). A simple method
       for measuring stiffness during running. J Appl Biomech 21:167-180. (sine-wave GRF model)
    .. [2] Patoz, A., Lussiana, T., Breine, B., Gindre, C., Malatesta, D. (2022). A single
       sacral-mounted inertial measurement unit to estimate peak vertical ground reaction force,
       contact time, and flight time in running. Sensors 22:784. doi:10.3390/s22030784
    .. [3] Auvinet, B. et al. (2002). Reference data for normal subjects obtained with an
       accelerometric device. Gait Posture 16:124-134. (free-fall toe-off, lateral side cue)
    .. [4] Moe-Nilssen, R. (1998). A new method for evaluating motor control in gait under
       real-life environmental conditions. Clin Biomech 13:320-327. (tilt correction)

    Examples
    --------
    >>> import gaitlab
    >>> run = gaitlab.synth.simulate_waist(30.0, fs=200.0, seed=1)      # doctest: +SKIP
    >>> pipe = WaistPipeline().run(run.recording)                        # doctest: +SKIP
    >>> int(pipe.steps_["valid"].sum()) > 80                             # doctest: +SKIP
    True
    """

    speed_mps: Any = None
    axes: Any = None
    smooth_hz: float = 5.0
    edge_lowpass_hz: float | None = None
    floor_level_g: float = 0.2
    band_high_g: float = 1.3
    max_valley_g: float = 0.5
    block_s: float = 20.0
    impact_window_s: float = 0.05
    segment_s: float = 60.0
    mounting: str | None = None
    params_: dict = field(default_factory=dict, init=False, repr=False)

    def run(self, recording: Recording) -> WaistPipeline:
        """Analyse ``recording``; sets the step table and what the summary needs (see Attributes)."""
        import pandas as pd

        if not isinstance(recording, Recording):
            raise InputError(f"expected a Recording, found {type(recording).__name__}")
        axes = None if self.axes is None else parse_axes(self.axes)
        self._speed_spec = parse_speed(self.speed_mps)
        frame = self.body_frame(recording, axes)
        self.orientation_ = frame.orientation
        mounting = infer_mounting(recording.acc, recording.fs, frame.orientation,
                                  declared=self.mounting or recording.meta.get("mounting"))
        stretches, gaps = split_stretches(recording.t, frame.acc, frame.gyr, recording.fs, frame.extra)
        if not stretches:
            raise InputError(
                f"no stretch of at least {MIN_STRETCH_S} s without gaps in {recording.duration_s:.1f} s "
                "of data", path=recording.meta.get("source"))
        cols, last, vertical_t, vertical_g = self._all_steps(stretches, frame.block_tilt_deg, mounting)
        group = remount_groups(frame.orientation, recording.t, cols["ic_s"])
        self._recording_sides(cols, last, group)
        # timing that alternates far beyond a runner's own asymmetry: the mounting, not the runner
        timing = timing_mounting(mounting, cols)
        if timing is not None:
            mounting = timing
            cols, last, vertical_t, vertical_g = self._all_steps(stretches, frame.block_tilt_deg, mounting)
            group = remount_groups(frame.orientation, recording.t, cols["ic_s"])
            self._recording_sides(cols, last, group)
        self.mounting_ = mounting
        cols.pop("side_evidence")
        for name in THIGH_UNMEASURABLE if self.mounting_.kind == "thigh" else ():
            cols[name] = np.full(cols["ic_s"].size, np.nan)  # the thigh swings with one leg: not the pelvis' motion
        cols["valid"] = cols["valid"].astype(bool)
        # one DataFrame, columns in schema order (a reordered copy would convert the labels twice)
        order = list(STEP_COLUMNS) + [c for c in cols if c not in STEP_COLUMNS]
        steps = pd.DataFrame({name: cols[name] for name in order})
        self.steps_ = steps
        self.columns_ = cols  # the table's columns as arrays, for the summary and report (analysis._build)
        self.gaps_ = gaps
        self.gap_s_ = float((gaps[:, 1] - gaps[:, 0]).sum()) if len(gaps) else 0.0
        self.duration_s_ = recording.duration_s
        # from the columns as arrays: the table's string columns would be converted back for the mask
        self.regularity_ = self._regularity(stretches, vertical_g, cols)
        self.paired_ = False
        self.per_side_reason_ = mounting.reason
        self.params_ = {k: v for k, v in vars(self).items() if not (k.endswith("_") or k.startswith("_"))}
        self.params_["axes"] = None if self.axes is None else str(self.axes)
        self.params_["pelvic_tilt_reference"] = frame.tilt_reference
        meta = recording.meta
        self.input_ = {"path": meta.get("source"), "format": meta.get("format"), "fs_hz": recording.fs,
                       "duration_s": recording.duration_s, "placement": "waist",
                       "n_samples": recording.n_samples, "has_gyro": recording.has_gyro,
                       "device": meta.get("device"), **mounting.as_dict()}
        # one stretch (no gaps): its arrays as they are, not a copy of each
        one = len(vertical_t) == 1
        self.signals_ = {"t_s": vertical_t[0] if one else np.concatenate(vertical_t),
                         "vertical_g": vertical_g[0] if one else np.concatenate(vertical_g)}
        return self

    def _recording_sides(self, cols: dict, last: np.ndarray, group: np.ndarray) -> None:
        """Sides over the whole recording (in place): chains break at every stretch end (a gap loses
        the alternation) and at a re-mount (``group`` changes: the sensor's attitude jumped between
        blocks); chains of one mounting group share the per-side signature, so labels stay put."""
        brk = last | np.append(np.diff(group) != 0, False)
        cols["side"] = self._sides(cols["side_evidence"], cols["step_time_ms"], cols["activity"],
                                   cols["impact_g"], cols["gct_ms"], hard_break=brk, group=group)

    def _all_steps(self, stretches: list[Stretch], block_tilt_deg: np.ndarray, mounting: Mounting | None):
        """Steps of every stretch, concatenated (``cols['side']`` left None for
        :meth:`_recording_sides`), which stretch-final steps break the alternation, and each
        stretch's vertical force."""
        parts: list[dict[str, np.ndarray]] = []
        vertical_t: list[np.ndarray] = []
        vertical_g: list[np.ndarray] = []
        for st in stretches:
            # the sides are attributed over the whole recording (_recording_sides), not per stretch
            cols, fz = self.stretch_steps(st, block_tilt_deg, mounting, sides=False)
            parts.append(cols)
            vertical_t.append(st.t)
            vertical_g.append(fz)
        cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        last = np.concatenate([np.arange(p["ic_s"].size) == p["ic_s"].size - 1 for p in parts])
        return cols, last, vertical_t, vertical_g

    # -- one stretch ---------------------------------------------------------------------------
    def body_frame(self, rec: Recording, axes: np.ndarray | None) -> BodyFrame:
        """Rotate the whole recording into the body frame, block by block (no state is kept).

        Orientation is a property of how the sensor sits, not of gaps, so it is estimated over
        all samples (gaps included) before the recording is split: even a short stretch between
        two gaps is then in the right frame. The vertical is scaled so that its stride mean is
        exactly 1 g in every block. Returns a :class:`BodyFrame`: body-frame acc (n, 3), gyro (or
        None), the extra channels plus ``orientation_block`` (each sample's block number), the name
        of the tilt reference and each block's forward tilt relative to it.
        """
        from ..kernels.signal import rotate_blocks

        ori = estimate_orientation(rec.acc, rec.fs, block_s=self.block_s, axes=axes)
        n = rec.n_samples
        lengths = np.diff(np.append(ori.block_starts, n))
        # the vertical scale (stride mean exactly 1 g) is folded into each block's rotation
        scaled = ori.rot / ori.gravity_g[:, None, None]
        body = rotate_blocks(np.ascontiguousarray(rec.acc), scaled, ori.block_starts)
        gyr = None
        if rec.gyr is not None:
            gyr = rotate_blocks(np.ascontiguousarray(rec.gyr), ori.rot, ori.block_starts)
        fwd_ref, up_ref, ref_name = self._tilt_reference(rec, ori)
        ups = ori.rot[:, 2]
        block_tilt_deg = np.degrees(np.arctan2(-(ups @ fwd_ref), ups @ up_ref))
        extra = dict(rec.extra)
        extra["orientation_block"] = np.repeat(np.arange(lengths.size, dtype=np.float32), lengths)
        # samples at the accelerometer's rail (any sensor axis): a clipped impact is a lower bound
        # (the channel only when there are any: a stretch without it has none)
        level = clip_level(rec.acc, rec.meta)
        if level is not None:
            clipped = clipped_samples(rec.acc, level)
            if clipped.any():
                extra[CLIPPED_CHANNEL] = clipped.astype(np.float32)
        return BodyFrame(body, gyr, extra, ref_name, block_tilt_deg, ori)

    def stretch_steps(self, st: Stretch, block_tilt_deg: np.ndarray, mounting: Mounting | None = None,
                      sides: bool = True) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Steps of one gap-free, body-frame stretch (see :meth:`body_frame`, ``split_stretches``).

        ``block_tilt_deg`` is :attr:`BodyFrame.block_tilt_deg` of the frame the stretch was cut
        from; ``mounting`` the recording's inferred mounting (:func:`.mounting.infer_mounting`):
        off the midline (``mounting.reason`` set) steps are timed as half strides and a contact
        overrunning its step loses its GCT instead of turning into walking. None (the live
        analysers, which infer no mounting) analyses the sensor as worn on the midline.
        Returns the per-step columns (arrays, :data:`gaitlab.schema.STEP_COLUMNS` plus
        ``speed_mps`` and ``side_evidence``, the per-step side vote of :func:`.sides.side_evidence`)
        and the stretch's vertical specific force (g). Stateless: the live analyser calls this on
        its buffer so that live and recorded analyses share one implementation. ``sides=False``
        leaves ``side`` None, for a caller that attributes sides over the whole recording.
        """
        from ..kernels.events import contact_edges, find_humps
        from ..kernels.filters import lowpass, lowpass_pair
        from ..kernels.integrate import stride_angle_range, vertical_oscillation
        from ..kernels.stepstats import step_statistics

        fs = st.fs
        body = st.acc  # already in the body frame (x forward, y left, z up)
        fz_raw = np.ascontiguousarray(body[:, 2])
        fz = self._edge_signal(fz_raw, fs)
        walk = (None, None)
        if self.smooth_hz == WALK_SMOOTH_HZ:
            # the hump signal is also the walking detector's, and its edge signal comes almost free
            # with it (:func:`lowpass_pair`): both serve when the floor needs no recalibration
            ys, walk_edge = lowpass_pair(fz_raw, fs, self.smooth_hz, WALK_EDGE_HZ, order=2)
            walk = (ys, walk_edge)
        else:
            ys = lowpass(fz_raw, fs, self.smooth_hz, order=2)
        up, down, _, open_up = find_humps(ys, 1.0, 0.9, 1.15)
        edges = (up, down, self.floor_level_g, self.band_high_g, self.max_valley_g, int(round(REBOUND_S * fs)))
        ic, to, amp, vb, va, n_rise, first_above = contact_edges(fz, *edges)
        # flight floor: real sensors read a little above or below 0 g in flight (accelerometer
        # bias along the vertical, residual tilt, soft tissue); an offset b also scales the
        # signal by 1 / (1 + b) through the 1 g normalisation. Mapping the floor to 0 g while
        # keeping the 1 g mean undoes both (edges, VO and impact alike), then the edges are refit.
        block = np.rint(st.extra["orientation_block"]).astype(np.int32)
        floor = self._flight_floor(fz, ic, to, block)  # per block
        if floor.any():
            from ..kernels.events import remove_floor

            # (f - floor) / (1 - floor) with each sample's block's floor, into a new array (not the
            # body-frame signal)
            fz_raw = remove_floor(fz_raw, floor, block, np.empty(fz_raw.size))
            walk = (None, None)
            fz = self._edge_signal(fz_raw, fs)
            ic, to, amp, vb, va, n_rise, first_above = contact_edges(fz, *edges)
        ic = self._refine_ic(fz, down, ic, to, n_rise, first_above, amp, self.floor_level_g, fs)
        ic = self._loading_edge_ic(fz, ic, n_rise, first_above, amp, self.max_valley_g, fs)
        ic[ic < 0.0] = np.nan  # estimated before the stretch's first sample: not measured
        running = np.isfinite(ic) & np.isfinite(to)
        # a "contact" between two flight floors longer than two running contacts (a phone can merge
        # two) is no running step: sitting down, a stair, a landing from a jump
        with np.errstate(invalid="ignore"):
            running &= (to - ic) * 1000.0 / fs <= 2.0 * PLAUSIBLE["gct_ms"][1]
        # humps without a flight are not running contacts: walking steps come from the walking
        # detector (steepest rise of each inverted-pendulum hump, no TO / GCT), see .walking
        ic_k, to_k, run_k = merge_walking(fz_raw, fs, ic, to, running, PLAUSIBLE["step_time_ms"], *walk)
        # a running stance cut by the stretch's end (the data or a gap): its initial contact was
        # recorded after a flight, its toe-off was not. It is reported (not valid), and it ends
        # the step before it
        cut = (self._cut_off_contact(fz, up, down, open_up, amp, va, running, fs)
               if to_k.size and np.isfinite(to_k[-1]) else np.nan)
        if np.isfinite(cut):
            ic_k, to_k, run_k = np.append(ic_k, cut), np.append(to_k, np.nan), np.append(run_k, True)
        t_ic = st.time_at(ic_k)
        t_to = st.time_at(to_k)
        next_ic = np.append(t_ic[1:], np.nan)
        step_time_ms = (next_ic - t_ic) * 1e3
        if mounting is not None and mounting.reason:
            # off the midline, each contact is seen early or late depending on the side (the
            # mounting, not the runner): that bias alternates and cancels over a stride, so each
            # step is timed as half the stride that starts with it
            step_time_ms = stride_half_steps(t_ic, next_ic, step_time_ms)
        gct_ms = (t_to - t_ic) * 1e3
        flight_ms = (next_ic - t_to) * 1e3
        vo_cm = vertical_oscillation(fz_raw, ic_k, fs)
        impact, rate, brake, lat = step_statistics(fz_raw, fz, body[:, 0], body[:, 1],
                                                   ic_k, to_k, fs, self.impact_window_s)
        # an impact window holding a sample at the accelerometer's rail: its peak and rise are cut
        impact_clipped = clipped_windows(st.extra.get(CLIPPED_CHANNEL), ic_k, ic_k + self.impact_window_s * fs)
        impact[impact_clipped] = np.nan
        rate[impact_clipped] = np.nan
        n_steps = ic_k.size
        # a step is running when it and its contact look like running, and its duty factor is
        # running's (below 0.5, or 0.5-0.55 at >= 120 steps/min: a flight of a sample or two, each
        # edge measured to about a sample)
        is_running = run_k.copy()
        df = gct_ms / (2.0 * step_time_ms)
        if mounting is not None and mounting.reason:
            # off the midline the flight floor is shifted by the mounting: a fitted contact that
            # overruns the step is a biased edge, not walking (a flight was seen after it)
            gct_ms = np.where(df >= RUN_DF, np.nan, gct_ms)
        else:
            is_running &= ~walking_by_duty_factor(df, 2.0 * step_time_ms)
        # the labels are built from the mask (comparing object arrays costs more than the mask)
        activity = np.full(n_steps, "walking", dtype=object)
        activity[is_running] = "running"
        evidence = side_evidence(lat, body[:, 1], ic_k, activity)
        side = (self._sides(evidence, step_time_ms, activity, impact, gct_ms) if sides
                else np.full(n_steps, None, dtype=object))
        tilt = self._pelvic_tilt(st, ic_k, block_tilt_deg)
        drop = np.full(n_steps, np.nan)
        if st.gyr is not None:
            drop = stride_angle_range(np.ascontiguousarray(st.gyr[:, 0]), ic_k, to_k, fs)
        valid = self._plausible(is_running, gct_ms, step_time_ms, flight_ms, vo_cm)
        valid &= ~self._cut_at_edges(fz, ic_k, to_k, fs)
        valid &= ~self._starts_from_rest(is_running, t_ic, t_to, st.t[0])
        if np.isfinite(cut):
            valid[-1] = False  # its stance was cut: no toe-off, no step time
        if st.ends_at_gap and n_steps and not np.isfinite(next_ic[-1]):
            valid[-1] = False  # its step runs into the gap: its next contact was not recorded
        speed = self._speed(st, ic_k, next_ic)
        cols = {
            "ic_s": t_ic, "to_s": t_to, "side": side, "gct_ms": gct_ms, "flight_ms": flight_ms,
            "step_time_ms": step_time_ms, "vo_cm": vo_cm, "impact_g": impact, "valid": valid,
            "loading_rate_gps": rate, "braking_mps": brake, "pelvic_tilt_deg": tilt,
            "pelvic_drop_deg": drop, "activity": activity, "speed_mps": speed,
            "side_evidence": evidence, "impact_clipped": impact_clipped,
        }
        for name in ("gct_ms", "flight_ms"):
            cols[name] = np.where(is_running, cols[name], np.nan)
        cols["to_s"] = np.where(is_running, t_to, np.nan)
        return cols, fz_raw

    def _edge_signal(self, fz: np.ndarray, fs: float) -> np.ndarray:
        """The vertical force the contact edges are fitted on: as measured, or lightly low-passed."""
        from ..kernels.filters import lowpass

        return fz if self.edge_lowpass_hz is None else lowpass(fz, fs, self.edge_lowpass_hz, order=4)

    @staticmethod
    def _regularity(stretches: list[Stretch], vertical_g: list[np.ndarray], steps) -> tuple[float, float]:
        """Step and stride regularity of the vertical signal (Moe-Nilssen & Helbostad 2004), from a
        step table or its columns (``steps``).

        The unbiased autocorrelation of the vertical specific force at lags of one step and one
        stride (from the median running step time), over the longest stretch (at most 5 minutes).
        1 means every step (stride) repeats the previous one exactly.
        """
        run = valid_running_mask(steps)
        if np.count_nonzero(run) < 20 or not stretches:
            return (np.nan, np.nan)
        k = int(np.argmax([s.t.size for s in stretches]))
        fs = stretches[k].fs
        x = vertical_g[k][: int(300 * fs)]
        x = x - x.mean()
        T = float(np.nanmedian(np.asarray(steps["step_time_ms"], dtype=np.float64)[run])) / 1000.0
        n = x.size
        hi = int(np.ceil(1.15 * 2 * T * fs))
        if hi >= n // 2:
            return (np.nan, np.nan)
        # unbiased autocorrelation up to just past one stride, by FFT
        nfft = 1 << int(np.ceil(np.log2(2 * n)))
        spec = np.fft.rfft(x, nfft)
        ac = np.fft.irfft(spec * np.conj(spec), nfft)[: hi + 1] / (n - np.arange(hi + 1))
        if ac[0] <= 0:
            return (np.nan, np.nan)
        out = []
        for lag_s in (T, 2 * T):
            lo, up = max(int(0.85 * lag_s * fs), 1), int(np.ceil(1.15 * lag_s * fs))
            out.append(float(ac[lo: up + 1].max() / ac[0]))
        return (out[0], out[1])

    @staticmethod
    def _flight_floor(fz: np.ndarray, ic: np.ndarray, to: np.ndarray, block: np.ndarray) -> np.ndarray:
        """Level (g) of the vertical force in flight of each orientation block (``block`` holds
        each sample's block).

        The middle of each flight (between toe-off and the next contact, a quarter of the flight
        in from each end) is free of both edges; the median of those samples is robust to noise,
        unlike the valleys' minima, which noise biases downwards. It is estimated per orientation
        block (each block has its own calibration, and a live analysis sees the same blocks);
        blocks with fewer than 4 flights, a negligible level (< 0.01 g) or an implausible one
        (beyond +-0.3 g) get 0.
        """
        from ..kernels.events import flight_floor_levels

        n_blocks = int(block.max()) + 1 if block.size else 0
        # below 0.01 g the edges move by < 0.4 ms: leave as is
        return flight_floor_levels(fz, ic, to, block, n_blocks, 4, 0.01, 0.3)

    @staticmethod
    def _loading_edge_ic(fz, ic_low_rate, n_rise, first_above, amp, max_valley_g, fs: float) -> np.ndarray:
        """Initial contact from the middle of the loading edge, where the edge is sampled.

        The onset fit of :func:`gaitlab.kernels.events.contact_edges` uses the edge's foot (0.2 g
        up), which a zero-phase low-pass of the export spreads backwards by 30-60 ms on impact-heavy
        steps (real sacral data, Alcantara et al. 2022): the fit of the edge's middle, from a
        quarter of its first peak to its first steep rise
        (:func:`gaitlab.kernels.events.loading_edge_onsets`), is taken instead wherever the edge
        has at least ``MIN_EDGE_SAMPLES`` samples between 0.2 and 0.8 g (``n_rise``). Where it has
        fewer (low rates), the flight apex (:meth:`_refine_ic`) or the foot is kept, unless it
        differs from the mid-edge fit by more than ``APEX_IMPACT_BIAS_S`` and a sample: more than
        the apex's impact bias and the mid-edge fit's resolution together explain, so its own
        assumption is broken for that contact (a slope moves the apex, the export's smear the
        foot: 50-70 ms early on real downhill heel strikes at 100 Hz).
        """
        from ..kernels.events import loading_edge_onsets

        onset = loading_edge_onsets(fz, first_above, amp, FIRST_PEAK_FRAC, EDGE_BAND_LOW_FRAC, max_valley_g)
        # an edge fit that reaches back before the stretch's first sample is not measured
        fit = np.isfinite(onset) & np.isfinite(ic_low_rate) & (onset >= 0.0)
        with np.errstate(invalid="ignore"):
            broken = np.abs(ic_low_rate - onset) > APEX_IMPACT_BIAS_S * fs + 1.0
        use = fit & ((n_rise >= MIN_EDGE_SAMPLES) | broken)
        return np.where(use, onset, ic_low_rate)

    @staticmethod
    def _refine_ic(fz, down, ic_onset, to, n_rise, first_above, amp, floor_level, fs) -> np.ndarray:
        """Initial contact from the flight apex, unless this runner's contacts are asymmetric.

        The flight apex gives ``IC = 2 * apex - TO_prev``: exact when the contact force is
        symmetric about mid-stance (the pelvis is then at the same height at toe-off and at the
        next contact), and independent of how sharply the onset was sampled or smeared by the
        sensor's anti-alias filter, which makes it the better estimate at low rates. A heel
        strike's impact peak makes the force asymmetric and puts every apex estimate ~20 ms
        before the onset fit (the apex's error is twice the shift of the contact force's centroid
        from mid-stance). The choice is made once per stretch (strike pattern is the runner's, not
        the step's, and a per-step choice would flip with noise): the onset fit is used when the
        median disagreement exceeds ``APEX_AGREEMENT_S`` (at least 1.5 samples), when the apex is
        earlier than the onset by more than half a sample (median; a mild impact peak puts it 6-7
        ms early, inside the agreement limit), or when most apex estimates fall before the
        earliest contact the signal allows (:func:`_earliest_contact`; a heel striker at 185-195
        spm sampled at 100 Hz: its apex is ~15 ms early, as wide as the disagreement limit); else
        the apex, averaged with the onset where that is well sampled (>= 3 samples on the edge).
        """
        from ..kernels.integrate import flight_apex

        apex = flight_apex(fz, down, to, fs)
        ic_apex = np.full_like(ic_onset, np.nan)
        ic_apex[1:] = 2.0 * apex[:-1] - to[:-1]
        prev_to = np.concatenate(([np.nan], to[:-1]))
        with np.errstate(invalid="ignore"):
            plausible = (ic_apex > prev_to) & (ic_apex <= first_above + 1.0)
            # an apex estimate before the signal allows a contact to have begun is the apex's bias
            too_early = (ic_apex < _earliest_contact(fz, prev_to, to, amp, floor_level))[plausible]
        # contact starts no later than the first sample on the edge: a small excess (noise) is
        # clipped rather than rejected, so estimates do not jump between methods
        ic_apex = np.fmin(ic_apex, first_above)
        has_onset = np.isfinite(ic_onset)
        apex_minus_onset = (ic_apex - ic_onset)[plausible & has_onset]
        gap = np.abs(apex_minus_onset)
        # the apex earlier than the onset (median): the contact force is asymmetric the way
        # running's is (an impact peak, a push longer than the brake: Cavagna 2006), whatever the
        # size of the disagreement
        early_apex = (gap.size >= APEX_PLAUSIBLE_SHARE * np.count_nonzero(has_onset & np.isfinite(ic_apex))
                      and gap.size >= 5 and float(np.median(apex_minus_onset)) < -APEX_EARLY_SAMPLES)
        asymmetric = gap.size >= 5 and (float(np.median(gap)) > max(APEX_AGREEMENT_S * fs, 1.5)
                                        or np.count_nonzero(too_early) > 0.5 * too_early.size
                                        or early_apex)
        out = ic_onset.copy()
        if asymmetric:
            alone = plausible & ~has_onset
            out[alone] = ic_apex[alone]
            return out
        both = plausible & has_onset & (n_rise >= 3) & (np.abs(ic_apex - ic_onset) < 1.0)
        out[plausible] = ic_apex[plausible]
        out[both] = 0.5 * (ic_apex[both] + ic_onset[both])
        return out

    def _cut_off_contact(self, fz: np.ndarray, up: np.ndarray, down: np.ndarray, open_up: float,
                         amp: np.ndarray, valley_after: np.ndarray, keep: np.ndarray, fs: float) -> float:
        """Initial contact of a stance cut off by the end of the stretch (fractional sample).

        When a gap (or the end of the data) falls inside a stance, its toe-off was not recorded but
        its initial contact was: the contact is reported, and it completes the step before it,
        which would otherwise be lost at every short packet loss. The stance is a hump still open
        at the end (``open_up``); a last hump that fell back below 1 g but not to the flight floor
        before the end (no valley after it: ``valley_after`` NaN); or a rise after the last hump's
        flight too short for the ~5 Hz hump signal to reach 1 g (tens of ms of stance), which is a
        contact when the data end above the valley limit (no flight reads that much). Its IC is
        fitted as every other contact's (:meth:`_loading_edge_ic`), from the foot of its edge where
        too little of the edge was recorded. NaN when there is no such contact, or no flight before it.
        """
        from ..kernels.events import rising_onset

        started = np.isfinite(open_up)  # a rise is known to follow the valley
        if not started and down.size >= 2 and np.isnan(valley_after[-1]) and not keep[-1]:
            # the last hump ends with the data: it is the cut stance, the one before it the last step
            open_up, down, keep, started = up[-1], down[:-1], keep[:-1], True
        if down.size == 0 or not keep[-1]:
            return np.nan
        a = int(np.ceil(down[-1]))
        b = int(np.floor(open_up)) if started else fz.size - 1
        if b <= a:
            return np.nan
        valley = a + int(np.argmin(fz[a: b + 1]))
        if fz[valley] > self.max_valley_g:
            return np.nan  # no flight before it: not a running contact
        if not started and not fz[-1] > self.max_valley_g:
            return np.nan  # the data end in the flight (or in a lone spike's recoil)
        typical_amp = float(np.nanmedian(amp))  # the cut stance's own amplitude was not recorded
        high = min(self.band_high_g, 0.8 * typical_amp)
        scratch = np.empty(fz.size, dtype=np.int64)
        onset, n_rise, first_above = rising_onset(fz, valley, fz.size, self.floor_level_g, high, 0.0, scratch)
        return float(self._loading_edge_ic(fz, np.array([onset]), np.array([n_rise]), np.array([first_above]),
                                           np.array([typical_amp]), self.max_valley_g, fs)[0])

    def _cut_at_edges(self, fz: np.ndarray, ic: np.ndarray, to: np.ndarray, fs: float) -> np.ndarray:
        """Steps whose contact may be cut by the stretch's start or end (see ``EDGE_FLIGHT_S``).

        A recording that starts (ends) mid-run shows its first (last) contact whole only when the
        flight before (after) it is visible: fewer flight samples than ``EDGE_FLIGHT_S`` between
        the first sample and the contact (the toe-off and the last sample), and the contact may
        have begun before the recording (ended after it). Such a step is reported, not valid.
        """
        cut = np.zeros(ic.size, dtype=bool)
        if ic.size == 0:
            return cut
        need = EDGE_FLIGHT_S * fs
        # only the samples before the first contact and after the last toe-off are compared
        if np.isfinite(ic[0]):
            cut[0] = np.count_nonzero(fz[: max(int(np.floor(ic[0])), 0) + 1] < self.floor_level_g) < need
        if np.isfinite(to[-1]):
            cut[-1] |= np.count_nonzero(fz[int(np.ceil(to[-1])):] < self.floor_level_g) < need
        return cut

    @staticmethod
    def _starts_from_rest(running: np.ndarray, t_ic: np.ndarray, t_to: np.ndarray, t0: float) -> np.ndarray:
        """Running steps that follow standing or walking rather than a flight.

        The first contact out of standing or walking is a push-off, not a landing from a flight:
        its "initial contact" is not one, so the step is not valid. A stretch's first step is kept
        when the stretch (after a gap) begins less than a second before it: nothing says it
        followed rest. ``running``: which steps are running (bool).
        """
        prev_running = np.concatenate(([False], running[:-1]))
        prev_to = np.concatenate(([np.nan], t_to[:-1]))
        gap_before = t_ic - prev_to
        med = np.nanmedian(np.diff(t_ic)) if t_ic.size > 1 else np.nan
        # a flight measured down to the plausible minimum (-10 ms: a short flight, each edge off by
        # a sample) is a flight; a longer overlap is no landing
        min_flight_s = PLAUSIBLE["flight_ms"][0] / 1e3
        after_flight = prev_running & (gap_before >= min_flight_s) & (gap_before < 1.5 * med)
        # after a bouncing step whose flight was not seen (no TO): it followed running if in rhythm
        prev_ic = np.concatenate(([np.nan], t_ic[:-1]))
        after_flight |= prev_running & np.isnan(prev_to) & (t_ic - prev_ic < 1.5 * med)
        at_start = np.arange(t_ic.size) == 0
        return running & ~after_flight & ~(at_start & (t_ic - t0 < 1.0))

    @staticmethod
    def _sides(evidence: np.ndarray, step_time_ms: np.ndarray, activity: np.ndarray,
               impact_g: np.ndarray, gct_ms: np.ndarray, hard_break: np.ndarray | None = None,
               group: np.ndarray | None = None) -> np.ndarray:
        """L/R from the per-step side evidence over alternation chains (see :mod:`.sides`).

        Impact and contact time are the per-side signature that keeps chains consistent with each
        other (a chain after a missed step does not flip on its own noisy vote).
        """
        chain = chain_ids(step_time_ms, activity, hard_break)
        return assign_sides(evidence, chain, [impact_g, gct_ms], group)

    def _pelvic_tilt(self, st: Stretch, ic: np.ndarray, block_tilt_deg: np.ndarray) -> np.ndarray:
        """Forward tilt (deg) of each stride relative to the reference posture.

        The block's tilt (from its gravity direction) plus the stride's own deviation from the
        block's vertical: the forward component of the stride-mean specific force. Forward lean
        is positive. A stride is [IC_k, IC_k+2): sums over steps (``np.add.reduceat``), two per
        stride, so no signal-sized temporaries.
        """
        n = st.acc.shape[0]
        tilt = np.full(ic.size, np.nan)
        ok = np.flatnonzero(np.isfinite(ic))
        if ok.size < 3:
            return tilt
        edges = np.clip(np.ceil(ic[ok]).astype(np.int64), 0, n - 1)
        step_sums = {}
        for name, col in (("fwd", st.acc[:, 0]), ("up", st.acc[:, 2])):
            step_sums[name] = np.add.reduceat(col, edges)[:-1]  # [edge_k, edge_k+1)
        block = np.rint(st.extra["orientation_block"][edges]).astype(np.int64)
        lengths = np.diff(edges)
        fwd = step_sums["fwd"][:-1] + step_sums["fwd"][1:]
        up = step_sums["up"][:-1] + step_sums["up"][1:]
        # consecutive detected contacts only (a NaN in between breaks the stride)
        consecutive = (ok[2:] - ok[:-2] == 2) & (lengths[:-1] > 0) & (lengths[1:] > 0)
        k = ok[:-2][consecutive]
        tilt[k] = block_tilt_deg[block[:-2][consecutive]] + np.degrees(
            np.arctan2(-fwd[consecutive], up[consecutive]))
        return tilt

    @staticmethod
    def _tilt_reference(rec: Recording, ori):
        """Reference posture for tilt: standing still at the start (>= 3 s), else the first gait block.

        Returns (forward, up) unit vectors in the sensor frame and the reference's name.
        """
        gait_blocks = np.flatnonzero(ori.gait)
        first = gait_blocks[0] if gait_blocks.size else 0
        k = int(3 * rec.fs)
        head = rec.acc[:k]
        norm = np.linalg.norm(head, axis=1)
        if rec.n_samples > 2 * k and float(norm.std()) < 0.03 and 0.8 < float(norm.mean()) < 1.2:
            up = head.mean(axis=0)
            up /= np.linalg.norm(up)
            fwd = ori.rot[first, 0] - np.dot(ori.rot[first, 0], up) * up
            return fwd / np.linalg.norm(fwd), up, "standing"
        return ori.rot[first, 0].copy(), ori.rot[first, 2].copy(), "early_run"

    def _speed(self, st: Stretch, ic: np.ndarray, next_ic_s: np.ndarray) -> np.ndarray:
        if "speed_mps" in st.extra:
            from ..kernels.stepstats import prefix_sums

            v = st.extra["speed_mps"]
            csum = prefix_sums(v)
            a = np.clip(np.nan_to_num(np.ceil(ic), nan=0).astype(np.int64), 0, v.size)
            nxt = np.append(ic[1:], np.nan)
            b = np.clip(np.nan_to_num(np.floor(nxt), nan=0).astype(np.int64) + 1, 0, v.size)
            out = np.full(ic.size, np.nan)
            ok = np.isfinite(ic) & np.isfinite(nxt) & (b > a)
            out[ok] = (csum[b[ok]] - csum[a[ok]]) / (b[ok] - a[ok])
            return out
        return speed_at(getattr(self, "_speed_spec", parse_speed(self.speed_mps)), st.time_at(ic))

    @staticmethod
    def _plausible(running, gct_ms, step_time_ms, flight_ms, vo_cm) -> np.ndarray:
        """Steps whose numbers lie in the plausible ranges (``running``: which steps are running, bool)."""
        lo, hi = PLAUSIBLE["step_time_ms"]
        wlo, whi = WALK_STEP_TIME_MS
        # the last step of a recording has no next contact: its step time is unknown, not wrong
        known = np.isfinite(step_time_ms)
        ok = ~known | np.where(running, (step_time_ms >= lo) & (step_time_ms <= hi),
                               (step_time_ms >= wlo) & (step_time_ms <= whi))
        # a bouncing step whose flight the sensor does not show has no contact time: not wrong
        ok &= ~running | ~np.isfinite(gct_ms) | ((gct_ms >= PLAUSIBLE["gct_ms"][0])
                                                 & (gct_ms <= PLAUSIBLE["gct_ms"][1]))
        for name, x in (("flight_ms", flight_ms), ("vo_cm", vo_cm)):
            lo, hi = PLAUSIBLE[name]
            ok &= ~running | ~np.isfinite(x) | ((x >= lo) & (x <= hi))
        return ok


def _earliest_contact(fz: np.ndarray, prev_to: np.ndarray, to: np.ndarray, amp: np.ndarray,
                      floor_level: float) -> np.ndarray:
    """Earliest possible initial contact of each stance (fractional sample; NaN if unknown).

    The last flight sample below the floor level before the signal first rises through it after
    the previous toe-off, less half a sample (sampling) and the time a half-sine contact force of
    the stance's amplitude and duration takes to reach the floor level: the force had not reached
    it at that sample. A zero-phase low-pass of an export lifts samples before a contact, which
    only moves the bound earlier, so it holds on exports too; the first rise may be a soft-tissue
    bump at contact, before a rebound dip.
    """
    out = np.full(to.size, np.nan)
    below = fz < floor_level
    last_below = np.flatnonzero(below[:-1] & ~below[1:]).astype(float)
    ok = np.isfinite(prev_to)
    if not ok.any() or last_below.size == 0:
        return out
    pos = np.searchsorted(last_below, prev_to[ok])
    has = pos < last_below.size
    idx = np.flatnonzero(ok)[has]
    lb = last_below[pos[has]]
    with np.errstate(invalid="ignore", divide="ignore"):
        lead = np.arcsin(np.clip(floor_level / amp[idx], 0.0, 1.0)) * (to[idx] - lb) / np.pi
    out[idx] = lb - 0.5 - lead
    return out
