"""Shoe (foot-mounted IMU) pipeline: one foot or a left/right pair -> per-contact table.

Stages, each over plain arrays with the hot loops in :mod:`gaitlab.kernels.foot`:

1. the foot frame (x forward, y left, z up when flat; pitch toe up positive) from gravity during
   stance and the dominant rotation axis of the gyro (:mod:`.foot_frame`), or ``axes=``;
2. split at gaps into uniformly sampled stretches (:func:`.segments.split_stretches`): no
   contact is detected across a gap;
3. strides from mid-swing peaks of the pitch rate; per cycle, mid-stance (the still foot), IC as
   the pitch-rate minimum before it (Falbriard et al. 2018) refined to the impact onset, TO as the
   push-off pitch-rate minimum after it (running) or the toes' release after that (walking);
   running vs walking from the duty factor (a flight) with a grounded-running band; without a
   gyroscope, landings from the impacts (one per stride), no toe-off, and the foot-flat share of
   the stride for running vs walking; impacts clipped by a saturated sensor are not reported;
4. per contact: GCT, swing, stride time, foot-strike angle and class, impact, loading rate,
   braking, pronation (roll) excursion and velocity, stride length and speed by zero-velocity
   strapdown integration between mid-stances (Zrenner et al. 2018);
5. the pair (:class:`ShoePipeline`): flight time (TO of one foot to the next IC of the other),
   step time; the same result shape as the waist pipeline (balance and symmetry indices are in
   :mod:`.metrics`).

See ``docs/shoe.md`` for the definitions, conventions and known limits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..recording import Recording
from ..schema import PLAUSIBLE_SHOE, SHOE_COLUMNS, STEP_COLUMNS
from .foot_frame import STILL_GYRO_DPS, FootFrame, estimate_foot_frame
from .orientation import parse_axes
from .saturation import CLIPPED_CHANNEL, clipped_samples, clipped_windows, stated_clip_level
from .segments import MIN_STRETCH_S, Stretch, split_stretches
from .speed import parse_speed, speed_at
from .walking import walking_by_duty_factor

logger = logging.getLogger(__name__)

__all__ = ["FootPipeline", "ShoePipeline", "pair_columns", "strike_class", "RFS_MIN_DEG", "FFS_MAX_DEG"]

#: Altman & Davis (2012): rearfoot above 8 deg, forefoot below -1.6 deg, midfoot between.
RFS_MIN_DEG, FFS_MAX_DEG = 8.0, -1.6

#: A stance at the start or end of a stretch (its other swing cut off) is kept when its mid-stance
#: turns no faster than this many times the median mid-stance rate of the stretch's other stances
#: (and than ``still_dps``) for >= 30 ms: at its quietest a running foot still turns at up to
#: 50-80 deg/s (smoothed gyro norm, the shared real jog at 2 m/s), while a cut-off swing turns at
#: hundreds.
EDGE_QUIET_RATIO = 2.0
#: A landing this close (s) to the start or end of a stretch is not visible as one: the swing before
#: it is cut off, and what remains is the tail of a cut-off stance's impact (acc-only: found 20-30 ms
#: after a start cut at a real landing, shared foot jogs at 100 Hz).
EDGE_LANDING_S = 0.05

#: Accelerometer only: a foot is flat and still while |f| stays within this of 1 g (g, ~20 ms mean) ...
FLAT_DEV_G = 0.15
#: ... and walking keeps it so for at least this share of the stride (:func:`_walking_flat`).
WALK_FLAT_FRAC = 0.2

#: Accelerometer only: a stride more than this fraction off the local stride period (autocorrelation)
#: holds a missed or a spurious landing (stride-to-stride variability in steady gait is a few %).
RHYTHM_TOL = 0.3

#: Accelerometer only: a landing is followed by a planted foot, whose |f| stays near 1 g for a
#: while (walking: the foot-flat, 25-35 % of the stride; fast running: the quasi-still mid-stance,
#: >= ~50 ms); the swinging foot's |f| only crosses 1 g. Stillness ahead of a candidate landing
#: is therefore judged on ``dev`` held (running maximum) over this long (s). Measured on the shared
#: real recordings: with the raw ``dev`` the toe-off burst won over the heel strike in 8 of 36
#: walking strides at 200 Hz (25 of 36 at 100 Hz) and a burst in a turn replaced landings of a
#: jog; held over 50 ms, 2 and 14 (docs/shoe.md).
HOLD_S = 0.05

#: Accelerometer only: two landings of one foot are at least this fraction of its stride apart.
IMPACT_SPACING = 0.6

#: Plausible ranges per activity, from :mod:`gaitlab.schema` (values in ``docs/methods.md``).
RUN_GCT_MS = PLAUSIBLE_SHOE["run_gct_ms"]
WALK_GCT_MS = PLAUSIBLE_SHOE["walk_gct_ms"]
RUN_STRIDE_MS = PLAUSIBLE_SHOE["run_stride_ms"]
WALK_STRIDE_MS = PLAUSIBLE_SHOE["walk_stride_ms"]


def strike_class(angle_deg: np.ndarray) -> np.ndarray:
    """'rearfoot' (> 8 deg), 'forefoot' (< -1.6 deg), 'midfoot', or None where NaN."""
    a = np.asarray(angle_deg, dtype=np.float64)
    out = np.where(a > RFS_MIN_DEG, "rearfoot", np.where(a < FFS_MAX_DEG, "forefoot", "midfoot")).astype(object)
    out[~np.isfinite(a)] = None
    return out


@dataclass
class FootPipeline:
    """Contacts and per-contact metrics of one shoe sensor.

    Parameters
    ----------
    axes : str or (3, 3) array, optional
        Explicit sensor-to-foot mapping (forward, left, up), as for the waist
        (:func:`gaitlab.gait.orientation.parse_axes`).
    still_dps : float
        Gyro norm below which the foot is still (deg/s).
    still_g : float
        Largest deviation of the specific-force norm from 1 g of a still foot (g).
    min_swing_dps : float
        Smallest mid-swing pitch rate accepted as a stride (deg/s).
    swing_rel : float
        A mid-swing peak must reach this fraction of the highest one within ``swing_rel_s``.
    swing_rel_s : float
        Neighbourhood for ``swing_rel`` (s).
    min_stride_s : float
        Shortest stride (s): two mid-swing peaks are at least half of it apart.
    ic_pre_s : float
        How far before the pitch-rate minimum the impact onset is searched (s): longer than the
        heel rocker from heel strike to that minimum (52-84 ms in real walking, 23-54 ms jogging).
    flat_guard_s : float
        Time before the still foot-flat left out of the impact search (s): the foot-flat "slap"
        is an abrupt change as well.
    jerk_ratio : float
        An impact/unloading burst must exceed this multiple of the window's median.
    impact_window_s : float
        Window after IC for the impact peak (s).
    acc_range_g : float, optional
        The accelerometer's full-scale range (g), when known (else the level the recording's
        metadata states, :func:`.saturation.stated_clip_level`, else the saturation level the foot
        frame found, :func:`.saturation.saturation_range`); samples at >= 95 % of it count as
        clipped (:func:`.saturation.clipped_samples`).

    Attributes
    ----------
    contacts_ : dict of ndarray
        One entry per column, one row per contact, on the recording's time axis.
    frame_ : FootFrame
    gaps_ : ndarray, shape (k, 2)

    References
    ----------
    .. [1] Falbriard, M., Meyer, F., Mariani, B., Millet, G. P., Aminian, K. (2018). Accurate
       estimation of running temporal parameters using foot-worn inertial sensors. Front Physiol
       9:610. doi:10.3389/fphys.2018.00610
    .. [2] Zrenner, M., Gradl, S., Jensen, U., Ullrich, M., Eskofier, B. M. (2018). Comparison of
       different algorithms for calculating velocity and stride length in running using inertial
       measurement units. Sensors 18:4194. doi:10.3390/s18124194
    .. [3] Altman, A. R., Davis, I. S. (2012). A kinematic method for footstrike pattern detection
       in barefoot and shod runners. Gait Posture 35:298-300. doi:10.1016/j.gaitpost.2011.09.104

    Examples
    --------
    >>> from gaitlab.synth import simulate_shoes
    >>> left, _ = simulate_shoes(8.0, fs=200.0, seed=1)
    >>> pipe = FootPipeline().run(left.recording)
    >>> int((pipe.contacts_["activity"] == "running").sum()) >= 8
    True
    """

    axes: Any = None
    still_dps: float = STILL_GYRO_DPS
    still_g: float = 0.2
    min_swing_dps: float = 100.0
    swing_rel: float = 0.45
    swing_rel_s: float = 1.0
    min_stride_s: float = 0.5
    ic_pre_s: float = 0.1
    flat_guard_s: float = 0.015
    jerk_ratio: float = 4.0
    impact_window_s: float = 0.05
    acc_range_g: float | None = None
    frame_: FootFrame | None = field(default=None, init=False, repr=False)

    def run(self, recording: Recording, frame: FootFrame | None = None) -> FootPipeline:
        """Detect the contacts of ``recording``; sets ``contacts_``, ``frame_``, ``gaps_``.

        ``frame`` is a foot frame estimated beforehand (e.g. by the live analyzer from the start
        of a stream); by default it is estimated from ``recording`` (:func:`estimate_foot_frame`).
        """
        if not isinstance(recording, Recording):
            raise InputError(f"expected a Recording, found {type(recording).__name__}")
        if frame is None:
            axes = None if self.axes is None else parse_axes(self.axes)
            frame = estimate_foot_frame(recording.acc, recording.gyr, recording.fs, axes)
        acc = _to_foot(recording.acc, frame.rot)
        acc /= frame.gravity_g
        gyr = None if recording.gyr is None else _to_foot(recording.gyr, frame.rot)
        rng = self.acc_range_g if self.acc_range_g is not None else stated_clip_level(recording.meta)
        rng = frame.acc_range_g if rng is None else float(rng)
        clip = clipped_samples(recording.acc, rng)
        stretches, gaps = split_stretches(recording.t, acc, gyr, recording.fs, {CLIPPED_CHANNEL: clip.astype(np.float64)})
        if not stretches:
            raise InputError(f"no stretch of at least {MIN_STRETCH_S} s without gaps in "
                             f"{recording.duration_s:.1f} s of data", path=recording.meta.get("source"))
        parts = [self._stretch_contacts(st, frame) for st in stretches]
        self.contacts_ = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        self.frame_ = frame
        self.gaps_ = gaps
        return self

    # -- one stretch ---------------------------------------------------------------------------
    def _stretch_contacts(self, st: Stretch, frame: FootFrame) -> dict[str, np.ndarray]:
        from ..kernels import foot as kf

        fs = st.fs
        acc = np.ascontiguousarray(st.acc, dtype=np.float64)
        d2 = kf.jerk_norm(acc)
        if st.gyr is not None:
            ic, to, mid, icg, tog, sa, sb = self._gyro_events(st, d2)
            gyr = np.ascontiguousarray(st.gyr, dtype=np.float64)
            w_pitch = np.ascontiguousarray(-gyr[:, 1])
            w_roll = np.ascontiguousarray(gyr[:, 0])
        else:
            ic, to, mid, sa, sb, rhythm_ok = self._acc_events(acc, d2, fs)
            icg = tog = np.full(ic.size, np.nan)
            flat_s = np.where(np.isfinite(mid), (sb - sa + 1) / fs, np.nan)
            gyr = None
            w_pitch = w_roll = np.full(acc.shape[0], np.nan)
        impact, rate, brake, strike, roll_x, roll_v = kf.contact_statistics(
            acc, w_pitch, w_roll, ic, to, mid, fs, self.impact_window_s)
        if not frame.forward_known:
            brake[:] = np.nan
        # a clipped sample in the impact window: the true peak is higher than any value read, so
        # the impact (and its loading rate) is not reported (the summary says how many)
        clipped = clipped_windows(st.extra[CLIPPED_CHANNEL], ic,
                                  np.floor(ic) + max(int(round(self.impact_window_s * fs)), 1))
        impact[clipped] = np.nan
        rate[clipped] = np.nan
        # ZUPT stride from this contact's mid-stance to the next one's
        m = ic.size
        length = np.full(m, np.nan)
        clear = np.full(m, np.nan)
        ok = np.isfinite(mid)
        if gyr is not None and m >= 2:
            a = np.round(np.nan_to_num(mid[:-1])).astype(np.int64)
            b = np.round(np.nan_to_num(mid[1:])).astype(np.int64)
            grav = np.empty((m - 1, 3))
            csum = np.vstack((np.zeros((1, 3)), np.cumsum(acc, axis=0)))
            grav[:] = (csum[sb[:-1] + 1] - csum[sa[:-1]]) / np.maximum(sb[:-1] - sa[:-1] + 1, 1)[:, None]
            good = ok[:-1] & ok[1:] & (b > a)
            a[~good] = -1
            ln, _dz, top = kf.zupt_strides(acc, gyr, a, b, grav, fs)
            length[:-1] = ln
            clear[:-1] = top
        t_ic, t_to, t_mid = st.time_at(ic), st.time_at(to), st.time_at(mid)
        next_ic = np.append(t_ic[1:], np.nan)
        next_mid = np.append(t_mid[1:], np.nan)
        stride_ms = (next_ic - t_ic) * 1e3
        # longer than any walking stride: the foot stood in between (a stop), no stride
        stride_ms[stride_ms > WALK_STRIDE_MS[1]] = np.nan
        gct_ms = (t_to - t_ic) * 1e3
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = length / (next_mid - t_mid)
            df = gct_ms / stride_ms
        if st.gyr is not None:
            # running toe-off: the push-off pitch-rate minimum; walking rolls over the toes on
            # and leaves at their release (docs/shoe.md): the gait is judged on the former
            gct_run = (st.time_at(tog) - t_ic) * 1e3
            with np.errstate(invalid="ignore", divide="ignore"):
                walking = _walking(gct_run / stride_ms, stride_ms, gct_run)
            to = np.where(walking & np.isfinite(to), to, tog)
            t_to = st.time_at(to)
            gct_ms = (t_to - t_ic) * 1e3
            with np.errstate(invalid="ignore", divide="ignore"):
                df = gct_ms / stride_ms
            valid = np.isfinite(t_ic) & np.isfinite(t_to)
        else:
            # no toe-off without a gyroscope: the foot-flat share of the stride decides
            with np.errstate(invalid="ignore", divide="ignore"):
                walking = _walking_flat(flat_s * 1e3 / stride_ms)
            valid = np.isfinite(t_ic) & np.isfinite(stride_ms) & rhythm_ok
        activity = np.where(walking, "walking", "running").astype(object)
        gl = np.where(walking, WALK_GCT_MS[0], RUN_GCT_MS[0]), np.where(walking, WALK_GCT_MS[1], RUN_GCT_MS[1])
        sl = (np.where(walking, WALK_STRIDE_MS[0], RUN_STRIDE_MS[0]),
              np.where(walking, WALK_STRIDE_MS[1], RUN_STRIDE_MS[1]))
        gct_ok = (gct_ms >= gl[0]) & (gct_ms <= gl[1])
        valid &= gct_ok if st.gyr is not None else (~np.isfinite(gct_ms) | gct_ok)
        valid &= ~np.isfinite(stride_ms) | ((stride_ms >= sl[0]) & (stride_ms <= sl[1]))
        if st.ends_at_gap and m:
            valid[-1] = False  # its stride runs into the gap
        valid[:-1] &= ~_lands_into_stop(t_ic, next_ic, float(st.t[-1]))[1:]
        return {
            "ic_s": t_ic, "to_s": t_to, "gct_ms": gct_ms, "impact_g": impact, "valid": valid,
            "loading_rate_gps": rate, "activity": activity,
            "midstance_s": t_mid, "swing_ms": (next_ic - t_to) * 1e3, "stride_time_ms": stride_ms,
            "duty_factor": df, "stride_length_m": length, "speed_mps": speed,
            "foot_strike_angle_deg": strike, "strike_class": strike_class(strike), "braking_g": brake,
            "pronation_deg": roll_x, "pronation_velocity_dps": roll_v, "foot_clearance_m": clear,
            "ic_gyro_s": st.time_at(icg), "to_gyro_s": st.time_at(tog), "impact_clipped": clipped,
        }

    def _gyro_events(self, st: Stretch, d2: np.ndarray):
        from ..kernels import foot as kf
        from ..kernels.signal import moving_mean

        fs = st.fs
        gyr = np.ascontiguousarray(st.gyr, dtype=np.float64)
        w = np.ascontiguousarray(-gyr[:, 1])
        gn = _norm(gyr)
        w_s = moving_mean(w[:, None], max(int(round(0.04 * fs)), 1))[:, 0]  # ~80 ms: swing, not heel drop
        gn_s = moving_mean(gn[:, None], max(int(round(0.015 * fs)), 1))[:, 0]
        ms = kf.swing_peaks(w_s, self.min_swing_dps, max(int(round(0.5 * self.min_stride_s * fs)), 1),
                            self.swing_rel, int(round(self.swing_rel_s * fs)))
        an = _norm(st.acc)
        # a stance before the first / after the last mid-swing of the stretch (the swing next to
        # it is cut off by the start, the end or a gap) is bounded by the stretch's edge instead
        n = w.size
        spacing = float(np.median(np.diff(ms))) if ms.size >= 2 else np.inf
        head = ms.size > 0 and ms[0] > 0.5 * spacing
        tail = ms.size > 0 and n - 1 - ms[-1] > 0.5 * spacing
        bounds = np.concatenate(([0] if head else [], ms, [n - 1] if tail else [])).astype(np.int64)
        out = kf.contact_events(w, gn_s, gn, an, d2, bounds, self.still_dps, self.still_g,
                                int(round(self.ic_pre_s * fs)), 2 + int(round(self.flat_guard_s * fs)),
                                self.jerk_ratio)
        keep = np.ones(out[0].size, dtype=bool)
        # how quiet this foot's stances are: a runner's foot rolls through stance and may never
        # turn slower than ``still_dps`` (real jog at 2 m/s: 50-80 deg/s at its quietest)
        inner = out[2][int(head):out[0].size - int(tail)]
        inner = inner[np.isfinite(inner)].astype(np.int64)
        quiet = (max(self.still_dps, EDGE_QUIET_RATIO * float(np.median(gn_s[inner]))) if inner.size
                 else self.still_dps)
        for edge, k in ((head, 0), (tail, out[0].size - 1)):
            if edge and out[0].size:
                mid = out[2][k]
                # only a real stance, not a cut-off swing: the foot as quiet as in this stretch's
                # other stances for a while (>= 30 ms), after a landing's impact (the onset of an
                # abrupt change of f was found: IC refined away from the pitch-rate minimum; a swing
                # can pass through a moment of slow rotation, but lands on nothing)
                keep[k] = bool(np.isfinite(mid) and _quiet_run(gn_s, int(mid), quiet) >= 0.03 * fs
                               and out[0][k] != out[3][k])
                # and its landing must lie inside, not at the cut-off edge (a last stance that
                # lasts to the end is a landing without its toe-off: TO NaN, not valid)
                g_ev = out[3][k]
                edge_n = EDGE_LANDING_S * fs
                keep[k] &= bool(np.isfinite(g_ev) and edge_n < g_ev < n - 1 - edge_n)
        return tuple(x[keep] for x in out)

    def _acc_events(self, acc: np.ndarray, d2: np.ndarray, fs: float):
        """Accelerometer only: strides from their impacts (:func:`gaitlab.kernels.foot.acc_only_events`).

        Returns IC, TO (NaN: it needs the gyroscope), mid-stance, the foot-flat interval and
        whether each stride fits the local rhythm.
        """
        from ..kernels import foot as kf
        from ..kernels.signal import moving_mean

        an = _norm(acc)
        h = max(int(round(0.01 * fs)), 1)
        an_s = moving_mean(an[:, None], h)[:, 0]
        dev = np.abs(an_s - 1.0) + moving_mean(np.abs(an - an_s)[:, None], h)[:, 0]
        # the landing is the largest abrupt change of a stride: peaks of the smoothed second
        # difference, one per local stride period
        e = moving_mean(d2[:, None], h)[:, 0]
        period = _stride_period(e, fs, self.min_stride_s, WALK_STRIDE_MS[1] / 1000.0)
        # a landing is followed by the still, flat foot; the abrupt changes of early swing (as
        # large as a soft heel strike in walking) by the moving foot: weigh each sample by how
        # still the foot becomes, for at least HOLD_S, within the next third of a stride
        from scipy.ndimage import maximum_filter1d

        held = maximum_filter1d(dev, size=max(int(round(HOLD_S * fs)), 1), mode="nearest")
        ahead = _min_ahead(held, int(round(0.02 * fs)), max(int(0.35 * float(np.median(period))), 2))
        ew = e / (FLAT_DEV_G + ahead)
        imp = kf.impact_peaks(ew, period, IMPACT_SPACING,
                              self.jerk_ratio * float(np.median(e)) / (FLAT_DEV_G + float(np.median(ahead))))
        ic, mid, fa, fb = kf.acc_only_events(d2, dev, imp, int(round(self.ic_pre_s * fs)), self.jerk_ratio,
                                             int(round(WALK_STRIDE_MS[1] / 1000.0 * fs)), FLAT_DEV_G)
        # a landing at the very start is the tail of a stance cut off by the start, not a contact
        visible = ~(ic < EDGE_LANDING_S * fs)
        ic, mid, fa, fb = ic[visible], mid[visible], fa[visible], fb[visible]
        # a stride far from the local rhythm holds a missed or a spurious landing (a weak impact in
        # a turn, a stumble): it is kept as a contact but not as a valid stride
        stride = np.append(np.diff(ic), np.nan)
        per = period[np.clip(np.nan_to_num(ic).astype(np.int64), 0, max(period.size - 1, 0))]
        with np.errstate(invalid="ignore"):
            rhythm_ok = ~(np.abs(stride / per - 1.0) > RHYTHM_TOL)
        return ic, np.full(ic.size, np.nan), mid, np.maximum(fa, 0), np.maximum(fb, 0), rhythm_ok


def _quiet_run(x: np.ndarray, i: int, level: float) -> int:
    """Length (samples) of the run of ``x <= level`` that holds sample ``i`` (0 if ``x[i]`` is above)."""
    if x[i] > level:
        return 0
    above = np.flatnonzero(x > level)
    lo = above[above < i]
    hi = above[above > i]
    return int((hi[0] if hi.size else x.size) - (lo[-1] + 1 if lo.size else 0))


def _stride_period(e: np.ndarray, fs: float, lo_s: float, hi_s: float, win_s: float = 8.0) -> np.ndarray:
    """Local stride period (samples) of a foot signal, per sample, by autocorrelation.

    In windows of ``win_s`` (half overlapping), the lag in ``[lo_s, hi_s]`` with the highest
    autocorrelation of ``e`` (one foot repeats once per stride); where nothing repeats (standing)
    the shortest stride, so no impact is suppressed for a rhythm that is not there.
    """
    n = e.size
    w = int(round(win_s * fs))
    lo, hi = max(int(round(lo_s * fs)), 1), int(round(hi_s * fs))
    out = np.full(n, float(lo))
    if n < 2 * lo:
        return out
    hop = max(w // 2, 1)
    starts = list(range(0, max(n - w, 0) + 1, hop))
    if starts[-1] + w < n:
        starts.append(max(n - w, 0))
    best = np.full(n, -np.inf)
    for a in starts:
        x = e[a:a + w] - e[a:a + w].mean()
        m = x.size
        f = np.fft.rfft(x, 2 * m)
        ac = np.fft.irfft(f * np.conj(f))[:m]
        if ac[0] <= 0 or m <= lo + 1:
            continue
        top = min(hi, m - 1)
        r = ac[lo:top + 1] / ac[0]
        k = int(np.argmax(r))
        if r[k] < 0.2:
            continue
        # a periodic signal repeats at two strides as well: take the shortest lag whose peak
        # comes close to the best one (not a step: one foot's landing and push-off differ)
        for d in (3, 2):
            c = int(round((lo + k) / d)) - lo
            if c - 3 >= 0:
                cc = c - 3 + int(np.argmax(r[c - 3:c + 4]))
                if r[cc] >= 0.8 * r[k]:
                    k = cc
                    break
        seg = slice(a, a + m)
        better = r[k] > best[seg]
        out[seg] = np.where(better, float(lo + k), out[seg])
        best[seg] = np.where(better, r[k], best[seg])
    return out


def _min_ahead(x: np.ndarray, skip: int, width: int) -> np.ndarray:
    """Per sample ``i``: the minimum of ``x[i + skip : i + skip + width]`` (the last value past the end)."""
    from scipy.ndimage import minimum_filter1d

    m = minimum_filter1d(x, size=width, mode="nearest", origin=-(width // 2))
    out = np.empty_like(m)
    out[: m.size - skip] = m[skip:]
    out[m.size - skip:] = m[-1]
    return out


def _walking_flat(flat_frac: np.ndarray) -> np.ndarray:
    """Walking (True) or running per contact without a gyroscope: the foot-flat share of the stride.

    A walking foot stays flat and still from the loading response to heel rise, about 30 % of the
    stride (Perry & Burnfield, Gait Analysis, 2010); a running foot rolls through in a few tens of
    ms. Measured with the accelerometer (``FLAT_DEV_G``) on the shared real recordings: walking
    0.38-0.40 (10th percentile 0.26), jogging at 150-160 spm 0.00-0.10 (90th percentile <= 0.25).
    The median over five consecutive contacts decides, so one unusually still or busy stance
    does not flip the label (a walking break shorter than three strides is not resolved);
    unknown (no stride) follows its neighbours.
    """
    with np.errstate(invalid="ignore"):
        return _median5(flat_frac) >= WALK_FLAT_FRAC


def _median5(x: np.ndarray) -> np.ndarray:
    """Median of each value and its two neighbours on each side, NaN left out (NaN where all are)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full(x.size, np.nan)
    for i in range(x.size):
        w = x[max(0, i - 2): i + 3]
        w = w[np.isfinite(w)]
        if w.size:
            out[i] = float(np.median(w))
    return out


def _lands_into_stop(t_ic: np.ndarray, next_ic: np.ndarray, t_end: float) -> np.ndarray:
    """Contacts after which the foot stands still for longer than any stride (a stop).

    The stride that lands into a stop decelerates (on gaitlab.synth and in real stops it is
    ~10 % shorter than the steady strides): the caller marks it invalid, as the waist pipeline
    does the first step out of standing. A recording that ends mid-run (less than a stride after
    its last contact) has no stop there, so its last complete stride is kept.
    """
    after_s = np.where(np.isfinite(next_ic), next_ic, t_end) - t_ic
    return after_s * 1e3 > WALK_STRIDE_MS[1]


def _walking(df: np.ndarray, stride_ms: np.ndarray, gct_ms: np.ndarray) -> np.ndarray:
    """Walking (True) or running (False) per contact of one foot.

    By the duty factor (:func:`.walking.walking_by_duty_factor`: with one foot's contact shorter
    than half its stride the two contacts of a stride cannot overlap; in the grounded band
    0.5-0.55 the cadence decides, ``docs/shoe.md``). Without a stride time (the last contact), a
    contact of >= 400 ms is walking.
    """
    # per stride: a median over neighbours would also erase real walking breaks of two strides
    out = np.where(np.isfinite(df), walking_by_duty_factor(df, stride_ms), gct_ms >= 400.0)
    # no contact time either (a landing into standing): the gait it ended
    for i in np.flatnonzero(~np.isfinite(df) & ~np.isfinite(gct_ms)):
        if i > 0:
            out[i] = out[i - 1]
    return out


def _to_foot(x: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """Sensor-frame (n, 3) vectors in the foot frame (the waist's block-rotation kernel, one block)."""
    from ..kernels.signal import rotate_blocks

    return rotate_blocks(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(rot)[None],
                         np.zeros(1, dtype=np.int64))


def _norm(x: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", x, x))


# -- pair ----------------------------------------------------------------------------------------
def _sides(recs: list[Recording]) -> list[str]:
    given = [r.side for r in recs]
    if len(recs) == 1:
        return [given[0] or "L"] if given[0] else [None]  # type: ignore[list-item]
    if given[0] and given[1]:
        if given[0] == given[1]:
            raise InputError(f"both shoe recordings are marked side {given[0]!r}; a pair needs 'L' and 'R'")
        return given  # type: ignore[return-value]
    if given[0] or given[1]:
        known = given[0] or given[1]
        other = "R" if known == "L" else "L"
        return [known, other] if given[0] else [other, known]
    return ["L", "R"]


def pair_columns(tab: dict[str, np.ndarray], side: np.ndarray, paired: bool) -> None:
    """Step time and flight time: from each contact to the next IC of the other foot (in place).

    One foot (``paired=False``): step time is half the stride time and flight is not measured.
    """
    ic, to = tab["ic_s"], tab["to_s"]
    n = ic.size
    step = np.full(n, np.nan)
    flight = np.full(n, np.nan)
    if paired:
        for me, other in (("L", "R"), ("R", "L")):
            mine = np.flatnonzero(side == me)
            theirs = np.flatnonzero(side == other)
            if mine.size == 0 or theirs.size == 0:
                continue
            oic = ic[theirs]
            j = np.searchsorted(oic, ic[mine], side="right")
            has = j < oic.size
            nxt = np.where(has, oic[np.minimum(j, oic.size - 1)], np.nan)
            # the other foot's contact must come before this foot's next one (no missed step)
            mine_next = np.append(ic[mine][1:], np.inf)
            nxt = np.where(nxt < mine_next, nxt, np.nan)
            step[mine] = (nxt - ic[mine]) * 1e3
            flight[mine] = (nxt - to[mine]) * 1e3
    else:
        step = tab["stride_time_ms"] / 2.0  # one foot: the mean step of its stride
    tab["step_time_ms"] = step
    tab["flight_ms"] = np.where(tab["activity"] == "running", flight, np.nan)


@dataclass
class ShoePipeline:
    """Contacts of one shoe sensor or a left/right pair, as one step table.

    The shoe counterpart of :class:`~gaitlab.gait.waist.WaistPipeline`, with the same result
    attributes; :func:`gaitlab.analyze` turns them into an :class:`~gaitlab.Analysis`.

    Parameters
    ----------
    speed_mps : float, optional
        Running speed used where the stride length cannot be integrated (no gyroscope).
    axes : str or (3, 3) array, optional
        Explicit sensor-to-foot mapping for every recording (forward, left, up).
    segment_s : float
        Segment length (s) of the per-segment table.
    **foot_params
        :class:`FootPipeline` settings.

    Attributes
    ----------
    steps_ : pandas.DataFrame
        One row per contact of either foot, sorted by ``ic_s``: :data:`gaitlab.schema.STEP_COLUMNS`
        (``vo_cm``, ``braking_mps`` and the pelvic columns are NaN for shoes) then
        :data:`gaitlab.schema.SHOE_COLUMNS`.
    gaps_ : ndarray, shape (k, 2)
    gap_s_, duration_s_ : float
    regularity_ : None
    paired_ : bool
        Whether both feet were analysed.
    per_side_reason_ : None
        Left/right are always measurable with shoes (see :class:`gaitlab.gait.waist.WaistPipeline`).
    input_, params_, signals_ : dict
    """

    speed_mps: float | None = None
    axes: Any = None
    segment_s: float = 60.0
    foot_params: dict[str, Any] = field(default_factory=dict)

    def run(self, recordings: Sequence[Recording]) -> ShoePipeline:
        """Analyse one shoe recording (one foot) or a left/right pair (a shared time axis).

        The side comes from ``Recording.side``; without it the order is taken as left, right.
        """
        import pandas as pd

        speed_mps, axes, params = self.speed_mps, self.axes, dict(self.foot_params)
        recs = list(recordings)
        if not 1 <= len(recs) <= 2:
            raise InputError(f"a shoe analysis takes one or two shoe recordings, found {len(recs)}")
        for r in recs:
            if not isinstance(r, Recording):
                raise InputError(f"expected a Recording, found {type(r).__name__}")
        speed_spec = parse_speed(speed_mps)
        segment_s = float(self.segment_s)
        sides = _sides(recs)
        if len(recs) == 2:
            a, b = recs
            if min(a.t[-1], b.t[-1]) <= max(a.t[0], b.t[0]):
                raise InputError(
                    f"the two shoe recordings do not overlap in time ({a.t[0]:.1f}-{a.t[-1]:.1f} s and "
                    f"{b.t[0]:.1f}-{b.t[-1]:.1f} s): a pair must be recorded on one clock")
        tables, frames, gap_list, files = [], [], [], []
        for rec, side in zip(recs, sides, strict=True):
            pipe = FootPipeline(axes=axes, **params).run(rec)
            tab = dict(pipe.contacts_)
            tab["side"] = np.full(tab["ic_s"].size, side, dtype=object)
            if rec.gyr is None and speed_spec is not None:
                tab["speed_mps"] = speed_at(speed_spec, tab["ic_s"])
            tables.append(tab)
            frames.append(pipe.frame_)
            gap_list.append(pipe.gaps_)
            files.append({"path": rec.meta.get("source"), "format": rec.meta.get("format"), "side": side,
                          "fs_hz": rec.fs, "duration_s": rec.duration_s, "n_samples": rec.n_samples,
                          "has_gyro": rec.has_gyro, "device": rec.meta.get("device"),
                          "frame": pipe.frame_.method if pipe.frame_ else None})
        tab = {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}
        order = np.argsort(tab["ic_s"], kind="stable")
        tab = {k: v[order] for k, v in tab.items()}
        side = tab["side"]
        pair_columns(tab, side, len(recs) == 2)
        n = side.size
        for col in STEP_COLUMNS:
            if col not in tab:
                tab[col] = np.full(n, np.nan)
        steps = pd.DataFrame({c: tab[c] for c in list(STEP_COLUMNS) + list(SHOE_COLUMNS)})
        steps["valid"] = steps["valid"].astype(bool)
        gaps = np.vstack(gap_list) if gap_list else np.empty((0, 2))
        gaps = gaps[np.argsort(gaps[:, 0])] if len(gaps) else np.empty((0, 2))
        t0 = min(r.t[0] for r in recs)
        t1 = max(r.t[-1] for r in recs)
        self.steps_ = steps
        self.gaps_ = gaps
        self.duration_s_ = float(t1 - t0)
        self.gap_s_ = float(max(((g[:, 1] - g[:, 0]).sum() if len(g) else 0.0) for g in gap_list))
        self.regularity_ = None
        self.paired_ = len(recs) == 2
        self.per_side_reason_ = None  # a shoe is on its foot: sides are measured
        self.params_ = {k: v for k, v in vars(FootPipeline(**params)).items()
                        if not (k.endswith("_") or k.startswith("_"))}
        self.params_.update({"axes": None if axes is None else str(axes), "segment_s": segment_s,
                             "speed_mps": None if speed_mps is None else str(speed_mps)})
        first = recs[0]
        path = " + ".join(str(f["path"]) for f in files) if any(f["path"] for f in files) else None
        self.input_ = {"path": path, "format": first.meta.get("format"), "fs_hz": first.fs,
                       "duration_s": self.duration_s_, "placement": "shoe",
                       "n_samples": int(sum(r.n_samples for r in recs)),
                       "has_gyro": all(r.has_gyro for r in recs), "sides": list(sides), "files": files}
        self.signals_ = {}
        return self
