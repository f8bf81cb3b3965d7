"""Shoe (foot) signal model: a rigid foot rolling heel/forefoot -> flat -> toe, minimum-jerk swing.

Foot frame (upright-mounted shoe sensor): x forward along the sole, y left, z up when the foot is
flat. Foot *pitch* ``theta`` is toe-up positive (a rotation about -y), so the gyro y axis reads
``-dtheta/dt``. Per contact:

* ``[IC, FF)``: the foot rotates about the heel (strike angle > 0, rearfoot) or the ball (< 0,
  forefoot) from the strike angle to flat;
* ``[FF, HO)``: flat and stationary (the ZUPT window; mid-stance is its centre);
* ``[HO, TO)``: rotation about the ball to ``toe_off_deg``;
* ``[TO, next IC)``: swing. Position is a quintic Hermite that matches position, velocity and
  acceleration of the rolling foot at both ends (it reduces to the minimum-jerk
  ``10 s^3 - 15 s^4 + 6 s^5`` profile for a foot at rest) plus a clearance bump ``h 64 s^3 (1-s)^3``.

Pitch is a C1 cubic Hermite spline through the phase knots (plus a mid-swing knot), so the
angular rate is continuous and the accelerations finite. Accelerometer:
``R^T (a_world + g z) + impact transient``; the foot is placed under the body at mid-stance, so
stride length = body displacement between consecutive same-foot mid-stances.
"""

from __future__ import annotations

import numpy as np

from .peaks import window_peak
from .scenario import G_MPS2, Scenario
from .schedule import StepSchedule
from .transient import impact_shape

__all__ = ["FootModel", "foot_truth_table", "strike_class", "RFS_MIN_DEG", "FFS_MAX_DEG"]

#: Altman & Davis (2012, Gait Posture 35:298) foot-strike classes: RFS > 8 deg, FFS < -1.6 deg.
RFS_MIN_DEG, FFS_MAX_DEG = 8.0, -1.6
#: Foot geometry in the foot frame (m): heel at the origin, ball (MTP) ahead, sensor on the laces.
BALL_X_M = 0.17
SENSOR_XZ_M = np.array([0.12, 0.06])
#: Lateral foot position, +y = left (m).
FOOT_Y_M = 0.09
#: Heel behind the body's horizontal position at mid-stance (m).
HEEL_BEHIND_M = 0.06
#: Swing duration used to leave or reach still standing (s).
STAND_SWING_S = 0.45
#: Extra dorsiflexion above the coming strike angle at the mid-swing knot (deg), at 70 % of swing.
SWING_PEAK_DEG, SWING_PEAK_FRAC = 12.0, 0.7
#: Impact window for ``impact_g`` (s).
IMPACT_WINDOW_S = 0.050


def strike_class(angle_deg: np.ndarray) -> np.ndarray:
    """'rearfoot' (> 8 deg), 'forefoot' (< -1.6 deg) or 'midfoot' (Altman & Davis 2012)."""
    a = np.asarray(angle_deg)
    return np.where(a > RFS_MIN_DEG, "rearfoot", np.where(a < FFS_MAX_DEG, "forefoot", "midfoot"))


def _rot(theta: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate (x, z) vectors by toe-up angle theta (rows)."""
    c, s = np.cos(theta), np.sin(theta)
    return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1]], axis=-1)


def _perp(q: np.ndarray) -> np.ndarray:
    """d/dtheta of a rotated (x, z) vector: (-z, x)."""
    return np.stack([-q[..., 1], q[..., 0]], axis=-1)


class FootModel:
    """The ideal motion of one foot (``side`` 'L' or 'R') of a scenario, evaluable at any true time."""

    def __init__(self, schedule: StepSchedule, scenario: Scenario, side: str) -> None:
        from scipy.interpolate import CubicHermiteSpline

        self.schedule, self.scenario, self.side = schedule, scenario, side
        fm = scenario.foot
        s = schedule
        sign = 1 if side == "L" else -1
        x_ic = np.concatenate([[0.0], np.cumsum(s.speed_mps * s.step_s)])  # body x at each IC

        def x_body(t: float) -> float:
            i = int(np.clip(np.searchsorted(s.ic_s, t, side="right") - 1, 0, max(s.n_steps - 1, 0)))
            if s.n_steps == 0:
                return 0.0
            if t < s.ic_s[i]:
                return float(x_ic[i])
            return float(x_ic[i] + s.speed_mps[i] * min(t - s.ic_s[i], s.step_s[i]))

        rows = []  # ic, ff, ho, to, strike_deg, toe_off_deg, heel_x, kind(0 real, 1 stand), step index
        for b in range(s.bouts.shape[0]):
            idx = np.flatnonzero((s.bout == b) & (s.side == sign))
            if idx.size == 0:
                continue
            first_ic = s.ic_s[idx[0]]
            if not s.warm_start[b]:
                prev_end = rows[-1][0] if rows else -1e6
                lift = max(first_ic - STAND_SWING_S, prev_end + 0.05) if rows else first_ic - STAND_SWING_S
                if rows and rows[-1][7] == 1:  # standing pose left at the end of the previous bout
                    r = rows.pop()
                    rows.append((r[0], r[0], lift, lift, 0.0, 0.0, r[6], 1, -1))
                else:
                    rows.append((-1e6, -1e6, lift, lift, 0.0, 0.0, x_body(first_ic) - HEEL_BEHIND_M, 1, -1))
            for i in idx:
                ic, tc = s.ic_s[i], s.tc_s[i]
                ff, ho = ic + fm.foot_flat_frac * tc, ic + fm.heel_off_frac * tc
                heel_x = x_body(0.5 * (ff + ho)) - HEEL_BEHIND_M
                rows.append((ic, ff, ho, ic + tc, s.strike_deg[i], fm.toe_off_deg, heel_x, 0, i))
            if not s.warm_end[b]:
                land = rows[-1][3] + STAND_SWING_S
                rows.append((land, land, 1e6, 1e6, 0.0, 0.0, x_body(s.bouts[b, 1]) - HEEL_BEHIND_M, 1, -1))
        if not rows:
            rows.append((-1e6, -1e6, 1e6, 1e6, 0.0, 0.0, 0.0, 1, -1))
        c = np.array(rows, dtype=np.float64)
        self.ic, self.ff, self.ho, self.to = c[:, 0], c[:, 1], c[:, 2], c[:, 3]
        self.strike_deg, self.toe_off_deg, self.heel_x = c[:, 4], c[:, 5], c[:, 6]
        self.kind, self.step_index = c[:, 7].astype(np.int8), c[:, 8].astype(np.int64)
        self.y_m = sign * FOOT_Y_M
        n = self.ic.size

        # pitch knots (time, angle deg, rate deg/s)
        strike = np.deg2rad(self.strike_deg)
        toe = np.deg2rad(self.toe_off_deg)
        self._r_ic = np.where((self.kind == 0) & (strike > 0), -strike / np.maximum(self.ff - self.ic, 1e-6), 0.0)
        # the push-off plantarflexion speeds up smoothly until the forefoot leaves the ground: the
        # pitch rate is at its (negative) extreme at TO (pitch ~ s^3 over [HO, TO], rate
        # 3 toe / (TO - HO)) and the foot keeps plantarflexing into early swing, as measured on
        # real feet (docs/shoe.md; Falbriard et al. 2018)
        self._r_to = np.where(self.kind == 0, 3.0 * toe / np.maximum(self.to - self.ho, 1e-6), 0.0)
        kt, ka, kr = [], [], []
        for j in range(n):
            pts = [(self.ic[j], strike[j], self._r_ic[j]), (self.ff[j], 0.0, 0.0), (self.ho[j], 0.0, 0.0),
                   (self.to[j], toe[j] if self.kind[j] == 0 else 0.0, self._r_to[j])]
            for p in pts:
                if not kt or p[0] > kt[-1] + 1e-9:
                    kt.append(p[0])
                    ka.append(p[1])
                    kr.append(p[2])
            if j + 1 < n:
                mid = self.to[j] + SWING_PEAK_FRAC * (self.ic[j + 1] - self.to[j])
                kt.append(mid)
                ka.append(strike[j + 1] + np.deg2rad(SWING_PEAK_DEG))
                kr.append(0.0)
        self._pitch = CubicHermiteSpline(np.array(kt), np.array(ka), np.array(kr), extrapolate=True)
        self._dpitch = self._pitch.derivative(1)
        self._ddpitch = self._pitch.derivative(2)

        # swing polynomials between consecutive contacts (x and z), matching p, v, a at both ends
        self._swing = np.zeros((n, 2, 6))
        for j in range(n - 1):
            t0, t1 = self.to[j], self.ic[j + 1]
            D = t1 - t0
            p0, v0, a0 = (x[0] for x in self._stance_state(np.array([j]), np.array([t0 - 1e-9])))
            p1, v1, a1 = (x[0] for x in self._stance_state(np.array([j + 1]), np.array([t1 + 1e-9])))
            d = p1 - (p0 + v0 * D + a0 * D**2 / 2)
            dv = v1 - (v0 + a0 * D)
            da = a1 - a0
            self._swing[j, :, 0] = p0
            self._swing[j, :, 1] = v0
            self._swing[j, :, 2] = a0 / 2
            self._swing[j, :, 3] = (10 * d - 4 * dv * D + da * D**2 / 2) / D**3
            self._swing[j, :, 4] = (-15 * d + 7 * dv * D - da * D**2) / D**4
            self._swing[j, :, 5] = (6 * d - 3 * dv * D + da * D**2 / 2) / D**5
        self._imp_scale = np.ones(n)
        walking_steps = np.zeros(n, bool)
        real = self.kind == 0
        walking_steps[real] = s.walking[self.step_index[real]]
        self._imp_scale[walking_steps] = 0.3
        self._imp_scale[~real] = 0.0
        self.walking = walking_steps

    def pitch(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Foot pitch (rad, toe up positive), its rate (rad/s) and acceleration (rad/s^2)."""
        return self._pitch(t_s), self._dpitch(t_s), self._ddpitch(t_s)

    def _stance_state(self, j: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sensor (x, z) position, velocity, acceleration while contact j is on the ground."""
        th, dth, ddth = self.pitch(t)
        heel = np.stack([self.heel_x[j], np.zeros_like(t)], axis=-1)
        ball_first = self.strike_deg[j] < 0
        before_flat = t < self.ff[j]
        after_heel_off = t >= self.ho[j]
        use_ball = (before_flat & ball_first) | after_heel_off
        pivot = heel + np.where(use_ball, BALL_X_M, 0.0)[:, None] * np.array([1.0, 0.0])
        r = SENSOR_XZ_M - np.where(use_ball, BALL_X_M, 0.0)[:, None] * np.array([1.0, 0.0])
        flat = ~before_flat & ~after_heel_off
        th = np.where(flat, 0.0, th)
        dth = np.where(flat, 0.0, dth)
        ddth = np.where(flat, 0.0, ddth)
        q = _rot(th, r)
        jq = _perp(q)
        return pivot + q, dth[:, None] * jq, ddth[:, None] * jq - (dth**2)[:, None] * q

    def kinematics(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sensor position (m), velocity (m/s), acceleration (m/s^2), world (x, z) columns."""
        t = np.asarray(t_s, dtype=np.float64)
        j = np.clip(np.searchsorted(self.ic, t, side="right") - 1, 0, self.ic.size - 1)
        p, v, a = self._stance_state(j, t)
        swing = (t >= self.to[j]) & (j + 1 < self.ic.size)
        if swing.any():
            js, tau = j[swing], (t - self.to[j])[swing]
            c = self._swing[js]  # (m, 2, 6)
            pw = tau[:, None, None] ** np.arange(6)
            ps = np.einsum("mck,mk->mc", c, pw[:, 0, :])
            k = np.arange(6)
            vs = np.einsum("mck,mk->mc", c[:, :, 1:] * k[1:], pw[:, 0, :5])
            as_ = np.einsum("mck,mk->mc", c[:, :, 2:] * (k[2:] * (k[2:] - 1)), pw[:, 0, :4])
            D = self.ic[js + 1] - self.to[js]
            s = tau / D
            h = self.scenario.foot.clearance_m * 64.0
            ps[:, 1] += h * s**3 * (1 - s) ** 3
            vs[:, 1] += h * (3 * s**2 - 12 * s**3 + 15 * s**4 - 6 * s**5) / D
            as_[:, 1] += h * (6 * s - 36 * s**2 + 60 * s**3 - 30 * s**4) / D**2
            p[swing], v[swing], a[swing] = ps, vs, as_
        return p, v, a

    def body_signals(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Foot-frame specific force (g) and angular velocity (deg/s), shape (n, 3) each."""
        t = np.asarray(t_s, dtype=np.float64)
        _, _, a = self.kinematics(t)
        th, dth, _ = self.pitch(t)
        fx, fz = a[:, 0] / G_MPS2, a[:, 1] / G_MPS2 + 1.0
        c, s = np.cos(th), np.sin(th)
        f = np.zeros((t.size, 3))
        f[:, 0] = c * fx + s * fz
        f[:, 2] = -s * fx + c * fz
        f[:, 2] += self._transient(t)
        w = np.zeros((t.size, 3))
        w[:, 1] = -np.rad2deg(dth)
        return f, w

    def _transient(self, t: np.ndarray) -> np.ndarray:
        fm = self.scenario.foot
        j = np.clip(np.searchsorted(self.ic, t, side="right") - 1, 0, self.ic.size - 1)
        shape = impact_shape(t - self.ic[j], fm.impact_hz, fm.impact_tau_ms / 1000.0)
        return fm.impact_g * self._imp_scale[j] * shape

def foot_truth_table(model: FootModel, time_scale: float, t_first: float, t_last: float) -> dict[str, np.ndarray]:
    """Per-contact truth columns of one foot (recording time axis), contacts inside the recording."""
    s = model.schedule
    real = np.flatnonzero(model.kind == 0)
    nxt_real = np.full(real.size, -1)
    # next contact of the same foot within the same bout
    same = (real[1:] == real[:-1] + 1)
    nxt_real[:-1][same] = real[1:][same]
    ic, to = model.ic[real], model.to[real]
    has_next = nxt_real >= 0
    next_ic = np.where(has_next, model.ic[np.maximum(nxt_real, 0)], np.nan)
    stride_len = np.where(has_next, model.heel_x[np.maximum(nxt_real, 0)] - model.heel_x[real], np.nan)
    end = np.where(has_next, next_ic, to)
    sel = (ic * time_scale >= t_first) & (end * time_scale <= t_last)
    real, ic, to, next_ic, stride_len, end = real[sel], ic[sel], to[sel], next_ic[sel], stride_len[sel], end[sel]

    impact = window_peak(lambda t: model.body_signals(t)[0][:, 2], ic, IMPACT_WINDOW_S) if ic.size else ic
    steps = model.step_index[real]
    # a contact is steady when neither its own step nor the foot's next step is a start/stop step
    trans = s.transition()
    nxt_step = np.minimum(steps + 1, s.n_steps - 1)
    transition = trans[steps] | trans[nxt_step]
    strike = model.strike_deg[real]
    ts = time_scale
    return {
        "ic_s": ic * ts,
        "to_s": to * ts,
        "midstance_s": 0.5 * (model.ff[real] + model.ho[real]) * ts,
        "flat_start_s": model.ff[real] * ts,
        "flat_end_s": model.ho[real] * ts,
        "side": np.full(real.size, model.side),
        "gct_ms": (to - ic) * ts * 1e3,
        "stride_time_ms": (next_ic - ic) * ts * 1e3,
        "stride_length_m": stride_len,
        "foot_strike_angle_deg": strike,
        "strike_class": strike_class(strike),
        "impact_g": impact,
        "activity": np.where(s.walking[steps], "walking", "running"),
        "speed_mps": s.speed_mps[steps],
        "next_ic_s": end * ts,
        "steady": ~transition,
    }
