"""The step schedule: when each foot lands and leaves, shared by the waist and shoe models.

One :class:`StepSchedule` per scenario. Times here are on the *true* clock (seconds); the sensor
clock (ppm error) is applied when a recording is rendered. Steps are generated one by one because
each step's timing depends on the layers active at its IC (segments, cadence schedule, fatigue,
asymmetry, variability); a 3-hour run is ~30 000 steps, so a Python loop is cheap here.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from .scenario import Scenario

__all__ = ["StepSchedule", "build_schedule", "rng_for", "WARM_S", "LEFT", "RIGHT"]

#: Side codes in the schedule arrays: +1 = left, -1 = right (the sign of the ML force, +y = left).
LEFT, RIGHT = 1, -1
#: A recording that starts or ends while running is cut from a longer run: the bout is started
#: this long before t = 0 (and ended this long after the end) so no start-up transient shows.
WARM_S = 3.0
#: Largest change of mean step speed between consecutive steps (m/s): start-up and slow-down ramps.
MAX_DSPEED_MPS = 0.4


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent, reproducible random stream per purpose, so e.g. changing the noise model
    does not change the gait."""
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, zlib.crc32(stream.encode())]))


@dataclass(frozen=True)
class StepSchedule:
    """Per-step timing on the true clock (all arrays shape (n,)).

    Attributes
    ----------
    ic_s : IC time (s). ``ic_s[i] + step_s[i]`` is the next IC (or the landing that ends the bout).
    tc_s : contact time of this foot (s); in walking ``tc_s > step_s`` (double support).
    step_s : step time to the next IC (s).
    side : +1 left, -1 right.
    walking : True for walking steps (duty factor > 0.5).
    speed_mps : mean forward speed over the step (m/s).
    target_speed_mps : the speed the step would have without start/stop ramps (m/s).
    strike_deg : foot pitch at IC relative to flat (deg, toe up positive).
    lean_deg : mean pelvic tilt over the step (deg, forward positive).
    bout : index of the moving bout the step belongs to.
    bouts : (k, 2) array of [first IC, final landing] of each moving bout (s).
    warm_start, warm_end : (k,) bool, the bout continues beyond the recording (no start/stop).
    """

    ic_s: np.ndarray
    tc_s: np.ndarray
    step_s: np.ndarray
    side: np.ndarray
    walking: np.ndarray
    speed_mps: np.ndarray
    target_speed_mps: np.ndarray
    strike_deg: np.ndarray
    lean_deg: np.ndarray
    bout: np.ndarray
    bouts: np.ndarray
    warm_start: np.ndarray
    warm_end: np.ndarray
    duration_s: float
    lean0_deg: float
    lean_rise_deg: float
    move_span_s: tuple[float, float]

    @property
    def n_steps(self) -> int:
        return int(self.ic_s.size)

    @property
    def to_s(self) -> np.ndarray:
        return self.ic_s + self.tc_s

    @property
    def next_ic_s(self) -> np.ndarray:
        return self.ic_s + self.step_s

    def lean_at(self, t_s: np.ndarray) -> np.ndarray:
        """Mean pelvic tilt (deg) at true time ``t_s``: baseline plus the linear fatigue drift."""
        t0, t1 = self.move_span_s
        frac = np.clip((np.asarray(t_s) - t0) / max(t1 - t0, 1e-9), 0.0, 1.0)
        return self.lean0_deg + self.lean_rise_deg * frac

    def first_in_bout(self) -> np.ndarray:
        out = np.ones(self.n_steps, bool)
        out[1:] = self.bout[1:] != self.bout[:-1]
        return out

    def transition(self) -> np.ndarray:
        """True for steps of a start or a stop: the first/last step of a bout that does not run on
        beyond the recording, and every step whose speed is still ramping."""
        warm_s = self.warm_start[self.bout]
        warm_e = self.warm_end[self.bout]
        ramp = np.abs(self.speed_mps - self.target_speed_mps) > 1e-9
        return (self.first_in_bout() & ~warm_s) | (self.last_in_bout() & ~warm_e) | ramp

    def last_in_bout(self) -> np.ndarray:
        out = np.ones(self.n_steps, bool)
        out[:-1] = self.bout[:-1] != self.bout[1:]
        return out


def _moving_bouts(sc: Scenario) -> list[tuple[float, float, bool, bool]]:
    """Moving intervals ``(start, end, warm_start, warm_end)`` on the true clock."""
    seg = sc.segments
    d = sc.duration_s
    warm_start = seg.standing_start_s <= 0.0
    warm_end = seg.standing_end_s <= 0.0
    start = -WARM_S if warm_start else seg.standing_start_s
    end = d + WARM_S if warm_end else d - seg.standing_end_s
    bouts = [(start, end, warm_start, warm_end)]
    for s0, dur in sorted(seg.standing):
        s1 = s0 + dur
        nxt = []
        for b0, b1, ws, we in bouts:
            if s1 <= b0 or s0 >= b1:
                nxt.append((b0, b1, ws, we))
                continue
            if s0 - b0 > 1.0:
                nxt.append((b0, s0, ws, False))
            if b1 - s1 > 1.0:
                nxt.append((s1, b1, False, we))
        bouts = nxt
    return bouts


def build_schedule(sc: Scenario) -> StepSchedule:
    """Generate the steps of a scenario (deterministic for ``sc.seed``)."""
    rng = rng_for(sc.seed, "schedule")
    g, seg, fat = sc.gait, sc.segments, sc.fatigue
    bouts_in = _moving_bouts(sc)
    move0 = max(bouts_in[0][0], 0.0)
    move1 = min(bouts_in[-1][1], sc.duration_s)

    def frac_at(t: float) -> float:
        return min(max((t - move0) / max(move1 - move0, 1e-9), 0.0), 1.0) if fat is not None else 0.0

    def walking_at(t: float) -> bool:
        return any(s0 <= t < s0 + dur for s0, dur in seg.walking)

    changes = sorted(sc.cadence_changes, key=lambda c: c.at_s)

    rows: list[tuple] = []
    bouts_out: list[tuple[float, float]] = []
    warm = []
    side = 1
    for b_idx, (b0, b1, ws, we) in enumerate(bouts_in):
        t = b0
        n_since = [0] * len(changes)  # running steps since each cadence change started
        while True:
            f = frac_at(t)
            walk = walking_at(t)
            if walk:
                step = 60.0 / seg.walk_cadence_spm
                tc = 2.0 * seg.walk_duty_factor * step
                speed = seg.walk_speed_mps
                cv = 0.01
            else:
                cad = g.cadence_spm
                for k, ch in enumerate(changes):
                    if t >= ch.at_s:
                        w = min(1.0, (n_since[k] + 1) / max(ch.ramp_steps, 1))
                        cad = cad + (ch.cadence_spm - cad) * w
                        n_since[k] += 1
                if fat is not None:
                    cad *= 1.0 - fat.cadence_drop_pct / 100.0 * f
                step = 60.0 / cad
                tc = g.contact_s(step)
                if fat is not None:
                    tc *= 1.0 + fat.gct_rise_pct / 100.0 * f
                asym = g.asymmetry_pct + (fat.asymmetry_growth_pct * f if fat is not None else 0.0)
                tc *= 1.0 + side * asym / 200.0
                speed = g.speed_mps
                cv = g.step_cv_pct + ((fat.cv_end_pct - g.step_cv_pct) * f if fat is not None else 0.0)
                cv /= 100.0
            e1, e2 = (min(max(float(e), -2.5), 2.5) for e in rng.standard_normal(2))
            step *= 1.0 + cv * e1
            tc *= 1.0 + 0.5 * cv * e2
            if not walk:
                # a running step keeps a flight of at least 20 % of its nominal value
                step = max(step, tc + 0.2 * max(step - tc, 0.0), tc + 1e-3)
            if t + step > b1:
                break
            strike = (sc.foot.strike_angle_deg if not walk else max(sc.foot.strike_angle_deg, 18.0))
            strike += sc.foot.strike_sd_deg * min(max(float(rng.standard_normal()), -2.5), 2.5)
            rows.append((t, tc, step, side, walk, speed, strike, b_idx))
            t += step
            side = -side
        if not rows or rows[-1][7] != b_idx:
            continue
        first = next(i for i, r in enumerate(rows) if r[7] == b_idx)
        bouts_out.append((rows[first][0], t))
        warm.append((ws, we))

    arr = np.array([r[:3] for r in rows], dtype=np.float64).reshape(-1, 3)
    side_a = np.array([r[3] for r in rows], dtype=np.int8)
    walk_a = np.array([r[4] for r in rows], dtype=bool)
    target = np.array([r[5] for r in rows], dtype=np.float64)
    strike = np.array([r[6] for r in rows], dtype=np.float64)
    bout_a = np.array([r[7] for r in rows], dtype=np.int64)
    # renumber bouts that produced steps as 0..k-1
    _, bout_a = np.unique(bout_a, return_inverse=True)
    warm_a = np.array(warm, dtype=bool).reshape(-1, 2)
    speed = _ramped_speed(target, bout_a, warm_a)
    lean0 = sc.waist.lean_deg
    rise = fat.lean_rise_deg if fat is not None else 0.0
    sched = StepSchedule(
        ic_s=arr[:, 0], tc_s=arr[:, 1], step_s=arr[:, 2], side=side_a, walking=walk_a, speed_mps=speed,
        target_speed_mps=target,
        strike_deg=strike, lean_deg=np.zeros(0), bout=bout_a, bouts=np.array(bouts_out).reshape(-1, 2),
        warm_start=warm_a[:, 0], warm_end=warm_a[:, 1], duration_s=float(sc.duration_s),
        lean0_deg=lean0, lean_rise_deg=rise, move_span_s=(move0, move1),
    )
    mid = sched.ic_s + 0.5 * sched.step_s
    object.__setattr__(sched, "lean_deg", sched.lean_at(mid))
    return sched


def _ramped_speed(target: np.ndarray, bout: np.ndarray, warm: np.ndarray) -> np.ndarray:
    """Limit the step-to-step speed change to MAX_DSPEED_MPS, from and to rest at bout edges."""
    speed = target.copy()
    for b in range(warm.shape[0]):
        idx = np.flatnonzero(bout == b)
        if idx.size == 0:
            continue
        s = target[idx].copy()
        prev = s[0] if warm[b, 0] else 0.0
        for j in range(s.size):
            s[j] = min(s[j], prev + MAX_DSPEED_MPS) if s[j] >= prev else max(s[j], prev - MAX_DSPEED_MPS)
            prev = s[j]
        nxt = s[-1] if warm[b, 1] else 0.0
        for j in range(s.size - 1, -1, -1):
            s[j] = min(s[j], nxt + MAX_DSPEED_MPS)
            nxt = s[j]
        speed[idx] = s
    return speed
