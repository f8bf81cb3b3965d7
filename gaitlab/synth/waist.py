"""Waist (sacrum) signal model: spring-mass COM, braking/propulsion, ML sway, pelvis rotations.

World frame: x forward, y left, z up (the body frame of ``docs/methods.md``).
Specific force is ``f = a - g_vec``: +1 g up at rest, 0 g in flight.

Vertical COM (Morin et al. 2005 [1]_ extended to unequal steps): the
timeline is cut into *pieces*, each with a start velocity ``v0`` and end velocity ``v1``:

* contact ``[IC, TO)``: ``f_z = A sin(wt) + B sin(2wt) + I bump(t)``, ``w = pi / tc``, with an
  optional heel-strike bump ``I sin^2(pi t / d)`` over the first ``d`` of contact;
* flight ``[TO, next IC)``: ``f_z = 0`` (ballistic; symmetric, ``v_TO = g tf / 2``, unless the
  landing is offset in height from the take-off, as on slopes: ``v_TO = g tf / 2 + dh / tf``);
* support (walking step, standing settle, standing): ``f_z = g (1 + a cos(2wt)) + A sin(wt) + B sin(2wt)``,
  ``w = pi / T`` (never 0 g: double support).

``A`` closes the vertical impulse (``v1 - v0``) and ``B`` the height over the piece (the contact
takes back a landing offset ``dh``), so the COM returns to exactly the same height at every IC and ``f_z`` is continuous at the piece ends
(``sin`` vanishes there). With symmetric steps ``B = 0`` and this is Morin's sine model.

References
----------
.. [1] Morin, J.-B., Dalleau, G., Kyrolainen, H., Jeannin, T., Belli, A. (2005). A simple method for
   measuring stiffness during running. J Appl Biomech 21(2):167-180. doi:10.1123/jab.21.2.167
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import InputError
from .rotation import euler_zyx_matrices, euler_zyx_rates_to_body, rotate_to_body
from .scenario import G_MPS2, Scenario
from .schedule import StepSchedule
from .transient import wobble_shape

__all__ = ["WaistModel", "CONTACT", "FLIGHT", "SUPPORT"]

log = logging.getLogger(__name__)

CONTACT, FLIGHT, SUPPORT = 0, 1, 2
#: Duration of the vertical settle from the last landing of a bout to still standing (s).
SETTLE_S = 0.6
#: Rotation amplitudes ramp in/out over this long at the start/end of a bout (s).
ENVELOPE_S = 0.7
#: Central-difference step for angular rates of the analytic angle functions (s).
_H_S = 1e-5


def _bump(tau: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Unit heel-strike bump ``sin^2(pi tau / d)`` on ``[0, d)``, 0 elsewhere (peak at ``d / 2``)."""
    on = (tau >= 0) & (tau < d)
    return np.where(on, np.sin(np.pi * np.clip(tau, 0.0, None) / d) ** 2, 0.0)


def _bump_h1(tau: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Integral of :func:`_bump` from 0 to ``tau`` (s)."""
    t = np.clip(tau, 0.0, d)
    return t / 2.0 - d / (4 * np.pi) * np.sin(2 * np.pi * t / d)


def _bump_h2(tau: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Double integral of :func:`_bump` from 0 to ``tau`` (s^2): linear after the bump."""
    t = np.clip(tau, 0.0, d)
    inside = t**2 / 4.0 + d**2 / (8 * np.pi**2) * (np.cos(2 * np.pi * t / d) - 1.0)
    return inside + d / 2.0 * (np.clip(tau, 0.0, None) - t)


class WaistModel:
    """The ideal pelvis motion of one scenario, evaluable at any (true) time.

    Parameters
    ----------
    schedule : StepSchedule
        Step timing (true clock).
    scenario : Scenario
        Waist motion and segment parameters.

    Notes
    -----
    All methods are vectorised over a time array ``t_s`` (true clock, seconds). Nothing is
    sampled here: the sensor module samples, filters and decimates.
    """

    def __init__(self, schedule: StepSchedule, scenario: Scenario) -> None:
        self.schedule = schedule
        self.scenario = scenario
        self.motion = scenario.waist
        self._build_pieces()
        self._build_steps()

    # -- vertical pieces ---------------------------------------------------------------------
    def _build_pieces(self) -> None:
        s = self.schedule
        g = G_MPS2
        walk_a = self.scenario.segments.walk_vertical_g
        imp, imp_s, landing = self._force_shape()
        # start, dur, kind, a, v0, v1, impact peak (m/s^2), impact duration (s), height change (m)
        rows: list[tuple[float, ...]] = []
        far = -1e6
        first_bout_start = s.bouts[0, 0] if s.bouts.size else 0.0
        if s.n_steps == 0 or not s.warm_start[0]:
            rows.append((far, first_bout_start - far, SUPPORT, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0))
        for b in range(s.bouts.shape[0]):
            idx = np.flatnonzero(s.bout == b)
            i0 = idx[0]
            tf0 = s.step_s[i0] - s.tc_s[i0]
            warm_run = s.warm_start[b] and not s.walking[i0]
            v_prev = -g * tf0 / 2.0 + (landing[i0] / tf0 if tf0 > 1e-9 else 0.0) if warm_run else 0.0
            for i in idx:
                ic, tc, T = s.ic_s[i], s.tc_s[i], s.step_s[i]
                if s.walking[i]:
                    rows.append((ic, T, SUPPORT, walk_a, v_prev, 0.0, 0.0, 1.0, 0.0))
                    v_prev = 0.0
                else:
                    tf = T - tc
                    # ballistic flight from take-off to a landing `landing[i]` higher (m)
                    v_to = g * tf / 2.0 + (landing[i] / tf if tf > 1e-9 else 0.0)
                    rows.append((ic, tc, CONTACT, 0.0, v_prev, v_to, imp[i], imp_s[i], -landing[i]))
                    if tf > 1e-9:
                        rows.append((ic + tc, tf, FLIGHT, 0.0, v_to, v_to - g * tf, 0.0, 1.0, landing[i]))
                    v_prev = v_to - g * tf
            if s.warm_end[b]:
                continue
            end = s.bouts[b, 1]
            nxt = s.bouts[b + 1, 0] if b + 1 < s.bouts.shape[0] else end + 1e6
            settle = min(SETTLE_S, nxt - end)
            rows.append((end, settle, SUPPORT, 0.0, v_prev, 0.0, 0.0, 1.0, 0.0))
            if nxt - end - settle > 1e-9:
                rows.append((end + settle, nxt - end - settle, SUPPORT, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0))
        p = np.array(rows, dtype=np.float64).reshape(-1, 9)
        start, dur, kind, a, v0, v1, imp_p, imp_d, dz = p.T
        kind = kind.astype(np.int8)
        w = np.pi / dur
        # impulse and height integrals of the base profile minus gravity (see module docstring),
        # the heel-strike bump included
        i1 = np.where(kind == SUPPORT, 0.0, -g * dur) + imp_p * _bump_h1(dur, imp_d)
        i2 = np.where(kind == SUPPORT, 0.0, -g * dur**2 / 2.0) + imp_p * _bump_h2(dur, imp_d)
        A = np.where(kind == FLIGHT, 0.0, 0.5 * w * (v1 - v0 - i1))
        B = np.where(kind == FLIGHT, 0.0, -2.0 * w * v0 - 2.0 * A - 2.0 * w * (i2 - dz) / dur)
        self._p_start, self._p_dur, self._p_kind = start, dur, kind
        self._p_w, self._p_a, self._p_v0, self._p_A, self._p_B = w, a * g, v0, A, B
        self._p_I, self._p_d = imp_p, imp_d
        # height at each piece start: chain the (analytically zero) height change of each piece
        dz = self._z_local(np.arange(start.size), dur)
        self._p_z0 = np.concatenate([[0.0], np.cumsum(dz)[:-1]])
        self._check_ground_reaction()

    def _force_shape(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per step: heel-strike bump peak (m/s^2), its duration (s), landing height offset (m).

        The bump's size and duration vary from step to step (``force_shape_cv_pct``, own seeded
        stream); the duration is at most half the contact. The landing offset is limited to 90 %
        of ``g tf^2 / 2``, so the landing velocity still points down (up for a drop at take-off).
        """
        from .schedule import rng_for

        s, m, g = self.schedule, self.motion, G_MPS2
        n = s.n_steps
        rng = rng_for(self.scenario.seed, "waist/force_shape")
        cv = m.force_shape_cv_pct / 100.0
        size = np.clip(1.0 + cv * rng.standard_normal(n), 0.0, None)
        length = np.clip(1.0 + 0.5 * cv * rng.standard_normal(n), 0.5, 1.5)
        imp = m.heel_impact_g * g * size
        imp_s = np.minimum(m.heel_impact_ms / 1000.0 * length, 0.5 * s.tc_s)
        tf = np.clip(s.step_s - s.tc_s, 0.0, None)
        lim = 0.9 * g * tf**2 / 2.0
        landing = np.clip(m.landing_offset_cm / 100.0, -lim, lim)
        return imp, imp_s, landing

    def _check_ground_reaction(self) -> None:
        """The ground cannot pull: contact f_z >= 0; support (walking/standing) f_z > 0."""
        kind, A, B = self._p_kind, self._p_A, self._p_B
        contact = np.flatnonzero(kind == CONTACT)
        # f = A sin x + B sin 2x + I bump on [0, pi], on a grid fine against the bump
        x = np.linspace(0.0, np.pi, 129)
        tau = x[None, :] / self._p_w[contact, None]
        fc = (A[contact, None] * np.sin(x) + B[contact, None] * np.sin(2 * x)
              + self._p_I[contact, None] * _bump(tau, self._p_d[contact, None]))
        bad = np.zeros(kind.size, dtype=bool)
        bad[contact] = fc.min(axis=1) < -1e-9
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"the spring-mass model needs a negative ground force in the contact at "
                f"t = {self._p_start[j]:.3f} s (A = {A[j] / G_MPS2:.2f} g, B = {B[j] / G_MPS2:.2f} g): "
                f"contact and flight times are too unequal between steps; reduce asymmetry or variability")
        sup = np.flatnonzero(kind == SUPPORT)
        x = np.linspace(0.0, np.pi, 65)
        f = (G_MPS2 + self._p_a[sup, None] * np.cos(2 * x) + A[sup, None] * np.sin(x)
             + B[sup, None] * np.sin(2 * x))
        if sup.size and f.min() <= 0.05 * G_MPS2:
            j = sup[int(np.argmin(f.min(axis=1)))]
            raise InputError(f"walking/standing vertical force drops to {f.min() / G_MPS2:.2f} g at "
                             f"t = {self._p_start[j]:.3f} s; lower walk_vertical_g")

    def _piece_of(self, t_s: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(self._p_start, t_s, side="right") - 1, 0, self._p_start.size - 1)

    def _z_local(self, p: np.ndarray, tau: np.ndarray) -> np.ndarray:
        w, A, B, a, v0 = self._p_w[p], self._p_A[p], self._p_B[p], self._p_a[p], self._p_v0[p]
        gflag = self._p_kind[p] != SUPPORT
        return (v0 * tau + a * (1.0 - np.cos(2 * w * tau)) / (4 * w**2)
                + A * (tau / w - np.sin(w * tau) / w**2) + B * (tau / (2 * w) - np.sin(2 * w * tau) / (4 * w**2))
                - gflag * G_MPS2 * tau**2 / 2.0 + self._p_I[p] * _bump_h2(tau, self._p_d[p]))

    def vertical(self, t_s: np.ndarray, force_only: bool = False):
        """Ideal COM vertical specific force (m/s^2), velocity (m/s) and height (m) at ``t_s``.

        No soft-tissue transient and no rotation: this is what the exact invariants
        hold for (stride-mean force 1 g, 0 g in flight, height closing every stride).
        With ``force_only`` only the force is returned.
        """
        t_s = np.asarray(t_s, dtype=np.float64)
        p = self._piece_of(t_s)
        tau = t_s - self._p_start[p]
        w, A, B, a = self._p_w[p], self._p_A[p], self._p_B[p], self._p_a[p]
        sup = self._p_kind[p] == SUPPORT
        s1, s2, c2 = np.sin(w * tau), np.sin(2 * w * tau), np.cos(2 * w * tau)
        imp, d = self._p_I[p], self._p_d[p]
        f = np.where(sup, G_MPS2 + a * c2, 0.0) + A * s1 + B * s2 + imp * _bump(tau, d)
        if force_only:
            return f
        v = (self._p_v0[p] + a * s2 / (2 * w) + A * (1 - np.cos(w * tau)) / w
             + B * (1 - c2) / (2 * w) - (~sup) * G_MPS2 * tau + imp * _bump_h1(tau, d))
        z = self._p_z0[p] + self._z_local(p, tau)
        return f, v, z

    # -- per-step horizontal forces, transients, rotations ---------------------------------------
    def _build_steps(self) -> None:
        s, m = self.schedule, self.motion
        g = G_MPS2
        n = s.n_steps
        self._active_s = np.where(s.walking, s.step_s, s.tc_s)  # duration of the AP/ML force pulse
        nxt_speed = np.empty(n)
        nxt_speed[:-1] = s.speed_mps[1:]
        last = s.last_in_bout()
        warm_end_step = s.warm_end[s.bout] if n else np.zeros(0, bool)
        nxt_speed[last] = np.where(warm_end_step[last], s.speed_mps[last], 0.0)
        self._dv = nxt_speed - s.speed_mps
        self._P = np.where(s.walking, m.walk_braking_g, m.braking_g) * g
        # constant ML impulse per step so that any left + right pair cancels exactly
        tc_nom = self.scenario.gait.contact_s(60.0 / self.scenario.gait.cadence_spm)
        self._Q = m.ml_g * g * tc_nom / self._active_s
        self._imp_scale = np.where(s.walking, 0.3, 1.0)
        self._osc_phase = np.pi * tc_nom * self.scenario.gait.cadence_spm / 60.0

    def _step_of(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self.schedule
        k = np.clip(np.searchsorted(s.ic_s, t_s, side="right") - 1, 0, max(s.n_steps - 1, 0))
        return k, t_s - s.ic_s[k]

    def horizontal(self, t_s: np.ndarray, _kt=None) -> tuple[np.ndarray, np.ndarray]:
        """Ideal AP (forward) and ML (left) specific force (m/s^2), no transients."""
        s = self.schedule
        t_s = np.asarray(t_s, dtype=np.float64)
        k, tau = self._step_of(t_s) if _kt is None else _kt
        d = self._active_s[k]
        on = (tau >= 0) & (tau < d) & (t_s < s.next_ic_s[k] + 1e-12)
        on &= t_s >= s.ic_s[0] if s.n_steps else False
        w = np.pi / d
        x = np.where(on, w * tau, 0.0)
        f_ap = np.where(on, -self._P[k] * np.sin(2 * x) + 0.5 * self._dv[k] * w * np.sin(x), 0.0)
        f_ml = np.where(on, s.side[k] * self._Q[k] * np.sin(x), 0.0)
        return f_ap, f_ml

    def _transients(self, t_s: np.ndarray, _kt=None) -> tuple[np.ndarray, np.ndarray]:
        """Soft-tissue transients after each IC: vertical and ipsilateral ML (m/s^2), no net impulse."""
        m, s = self.motion, self.schedule
        k, tau = self._step_of(t_s) if _kt is None else _kt
        shape = wobble_shape(tau, m.impact_hz, m.impact_tau_ms / 1000.0) if s.n_steps else np.zeros_like(tau)
        scale = self._imp_scale[k] * G_MPS2
        return m.impact_g * scale * shape, m.ml_impact_g * scale * s.side[k] * shape

    def specific_force_world(self, t_s: np.ndarray, transients: bool = True, _kt=None) -> np.ndarray:
        """COM specific force in the world frame (x fwd, y left, z up), in g, shape (n, 3)."""
        t_s = np.asarray(t_s, dtype=np.float64)
        kt = self._step_of(t_s) if _kt is None else _kt
        f_z = self.vertical(t_s, force_only=True)
        f_x, f_y = self.horizontal(t_s, kt)
        if transients:
            dz, dy = self._transients(t_s, kt)
            f_z = f_z + dz
            f_y = f_y + dy
        return np.stack([f_x, f_y, f_z], axis=1) / G_MPS2

    def envelope(self, t_s: np.ndarray) -> np.ndarray:
        """0..1 amplitude of the pelvis oscillations: 0 standing, ramps at non-warm bout edges."""
        s = self.schedule
        t_s = np.asarray(t_s, dtype=np.float64)
        env = np.zeros_like(t_s)
        for b in range(s.bouts.shape[0]):
            b0, b1 = s.bouts[b]
            up = np.ones_like(t_s) if s.warm_start[b] else np.clip((t_s - b0) / ENVELOPE_S, 0, 1)
            down = np.ones_like(t_s) if s.warm_end[b] else np.clip((b1 - t_s) / ENVELOPE_S, 0, 1)
            inside = (t_s >= b0) & (t_s < b1)
            env = np.where(inside, up * down, env)
        return env

    def angles(self, t_s: np.ndarray, _kt=None) -> np.ndarray:
        """Pelvis Euler angles (rad), shape (n, 3): roll about x, pitch about y, yaw about z.

        Pitch = pelvic tilt (forward positive) + a within-step oscillation (zero at mid-contact of
        a nominal step); roll = pelvic drop,
        positive (left side up, right side down) in left stance, so the tilted sensor projects the
        vertical force towards the stance foot; yaw = pelvic rotation, left side forward at left IC.
        """
        m, s = self.motion, self.schedule
        t_s = np.asarray(t_s, dtype=np.float64)
        k, tau = self._step_of(t_s) if _kt is None else _kt
        T = s.step_s[k]
        env = self.envelope(t_s)
        ph = np.pi * tau / T
        roll_amp = np.deg2rad(m.roll_deg + s.side[k] * m.roll_asymmetry_deg / 2.0)
        roll = env * s.side[k] * roll_amp * np.sin(ph)
        # the within-step tilt oscillation is antisymmetric about mid-contact of a nominal step, so
        # it is uncorrelated with the vertical force and the mean-force tilt equals the mean tilt
        pitch = np.deg2rad(s.lean_at(t_s)) + env * np.deg2rad(m.tilt_osc_deg) * np.sin(2 * ph - self._osc_phase)
        yaw = -env * s.side[k] * np.deg2rad(m.yaw_deg) * np.cos(ph)
        return np.stack([roll, pitch, yaw], axis=1)

    def rotation(self, t_s: np.ndarray) -> np.ndarray:
        """Body-to-world rotation matrices ``R_body``, shape (n, 3, 3)."""
        return euler_zyx_matrices(self.angles(t_s))

    def specific_force_body(self, t_s: np.ndarray, transients: bool = True) -> np.ndarray:
        """``R_body^T f_world``: what an upright-mounted ideal sensor reads (g), shape (n, 3)."""
        t_s = np.asarray(t_s, dtype=np.float64)
        kt = self._step_of(t_s)
        f_w = self.specific_force_world(t_s, transients, _kt=kt)
        return rotate_to_body(self.angles(t_s, kt), f_w)

    def angular_velocity_body(self, t_s: np.ndarray) -> np.ndarray:
        """Pelvis angular velocity in the body frame (deg/s), shape (n, 3)."""
        t_s = np.asarray(t_s, dtype=np.float64)
        ang = self.angles(t_s)
        rates = (self.angles(t_s + _H_S) - self.angles(t_s - _H_S)) / (2 * _H_S)
        return np.rad2deg(euler_zyx_rates_to_body(ang, rates))

    # -- per-step truth helpers --------------------------------------------------------------
    def braking_mps(self) -> np.ndarray:
        """Forward speed lost from IC to the AP zero crossing, per step (m/s, exact).

        With ``f = -P sin 2x + D sin x`` (``x = w t``), the crossing is at ``cos x* = D / 2P``.
        """
        w = np.pi / self._active_s
        P = self._P
        D = 0.5 * self._dv * w
        c = np.clip(D / (2 * P), -1.0, 1.0)
        return P / (2 * w) * (1 - (2 * c**2 - 1)) - D / w * (1 - c)
