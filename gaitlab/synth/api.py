"""Public entry points: :func:`simulate_waist`, :func:`simulate_shoes`, :func:`simulate_session`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._version import __version__
from ..errors import InputError
from ..recording import Recording
from .peaks import window_peak
from .scenario import (
    G_MPS2,
    CadenceChange,
    Fatigue,
    Gait,
    Gaps,
    Mounting,
    Scenario,
    Segments,
    SensorModel,
    Timing,
    WaistMotion,
    mounting_preset,
    scenario_to_dict,
    sensor_preset,
)
from .schedule import StepSchedule, build_schedule, rng_for
from .sensor import SensorRealisation, realise_sensor, render
from .timing import draw_gap_mask, gap_spans_from_mask, jitter_timestamps, steps_touching
from .truth import Truth, shoe_summary, waist_summary
from .waist import WaistModel

__all__ = ["SynthRun", "Session", "simulate_waist", "simulate_shoes", "simulate_session", "make_scenario",
           "render_waist", "render_shoe", "WAIST_COLUMNS", "SHOE_COLUMNS"]

log = logging.getLogger(__name__)

#: Columns of the waist truth table (one row per step).
WAIST_COLUMNS = ("ic_s", "to_s", "side", "gct_ms", "flight_ms", "step_time_ms", "vo_cm", "impact_g", "peak_g",
                 "braking_mps", "activity", "pelvic_tilt_deg", "pelvic_drop_deg", "speed_mps", "step_length_m",
                 "cadence_spm", "duty_factor", "in_gap", "valid")
#: Columns of the shoe truth table (one row per contact of that foot).
SHOE_COLUMNS = ("ic_s", "to_s", "midstance_s", "flat_start_s", "flat_end_s", "side", "gct_ms",
                "stride_time_ms", "stride_length_m", "foot_strike_angle_deg", "strike_class", "impact_g",
                "activity", "speed_mps", "in_gap", "valid")

#: ``impact_g`` is the peak within this long after IC (s).
_WAIST_IMPACT_WINDOW_S = 0.050


@dataclass(frozen=True)
class SynthRun:
    """One synthetic sensor recording with its exact truth.

    Attributes
    ----------
    recording : Recording
        The sensor signal (``meta['source'] == 'synth'``).
    truth : Truth
        Per-step table, summary and parameters.
    model : WaistModel or FootModel
        The ideal motion; evaluable at any true time (for tests).
    schedule : StepSchedule
        The shared step timing (true clock).
    scenario : Scenario
    sensor : SensorRealisation
        Mounting matrix, scale factors and biases drawn for this sensor.
    time_scale : float
        Device clock / true clock (``1 + ppm 1e-6``): recording time = true time * time_scale.
    """

    recording: Recording
    truth: Truth
    model: Any
    schedule: StepSchedule
    scenario: Scenario
    sensor: SensorRealisation
    time_scale: float = 1.0

    @property
    def steps(self):
        """Shortcut for ``truth.steps``."""
        return self.truth.steps


@dataclass(frozen=True)
class Session:
    """A waist recording and a left/right shoe pair from one scenario on a common clock."""

    waist: SynthRun | None
    left: SynthRun | None
    right: SynthRun | None


def make_scenario(
    duration_s: float = 60.0,
    *,
    seed: int = 0,
    speed_mps: float = 3.0,
    cadence_spm: float = 171.4,
    gct_ms: float | None = 250.0,
    duty_factor: float | None = None,
    step_cv_pct: float = 1.0,
    asymmetry_pct: float = 0.0,
    fatigue: Fatigue | bool | None = None,
    cadence_changes: tuple[CadenceChange, ...] | list[CadenceChange] = (),
    standing_s: tuple[float, float] | float = (0.0, 0.0),
    walking: tuple[tuple[float, float], ...] | list = (),
    segments: Segments | None = None,
    waist_motion: WaistMotion | None = None,
    foot_motion: Any = None,
) -> Scenario:
    """Build and validate a :class:`Scenario` from keyword options (see :func:`simulate_waist`)."""
    if isinstance(standing_s, int | float):
        standing_s = (float(standing_s), float(standing_s))
    if segments is None:
        segments = Segments(standing_start_s=float(standing_s[0]), standing_end_s=float(standing_s[1]),
                            walking=tuple(tuple(map(float, w)) for w in walking))
    if fatigue is True:
        fatigue = Fatigue()
    elif fatigue is False:
        fatigue = None
    sc = Scenario(
        duration_s=float(duration_s), seed=int(seed),
        gait=Gait(speed_mps=speed_mps, cadence_spm=cadence_spm, gct_ms=gct_ms, duty_factor=duty_factor,
                  step_cv_pct=step_cv_pct, asymmetry_pct=asymmetry_pct),
        fatigue=fatigue, cadence_changes=tuple(cadence_changes), segments=segments,
        waist=waist_motion if waist_motion is not None else WaistMotion(),
    )
    if foot_motion is not None:
        sc = replace(sc, foot=foot_motion)
    return sc.validate()


def _check_fs(fs: float) -> float:
    fs = float(fs)
    if not 10.0 <= fs <= 4000.0:
        raise InputError(f"fs must be a sample rate in [10, 4000] Hz, found {fs!r}")
    return fs


def _as_gaps(gaps: int | Gaps | None) -> Gaps:
    if gaps is None:
        return Gaps()
    if isinstance(gaps, Gaps):
        return gaps
    if isinstance(gaps, int | np.integer) and gaps >= 0:
        return Gaps(n=int(gaps))
    raise InputError(f"gaps must be a non-negative count or a Gaps, found {gaps!r}")


class _Clocked:
    """The recording time axis, gaps and jitter of one sensor (shared code of waist and shoes)."""

    def __init__(self, sc: Scenario, sched: StepSchedule, fs: float, gaps: Gaps, timing: Timing,
                 stream: str) -> None:
        self.fs = fs
        self.time_scale = 1.0 + timing.clock_ppm * 1e-6
        self.n = int(round(sc.duration_s * fs))
        if self.n < 2:
            raise InputError(f"duration {sc.duration_s:g} s at {fs:g} Hz gives fewer than 2 samples")
        self.t_dev = np.arange(self.n) / fs
        rng = rng_for(sc.seed, f"gaps/{stream}")
        m0, m1 = sched.move_span_s
        self.keep = draw_gap_mask(gaps, self.t_dev, (m0 * self.time_scale, m1 * self.time_scale), rng)
        self.spans = gap_spans_from_mask(self.t_dev, self.keep)
        self.timing = timing
        self.stream = stream
        self.seed = sc.seed

    def label(self, t_true: np.ndarray) -> np.ndarray:
        return np.asarray(t_true) * self.time_scale

    def recording(self, acc: np.ndarray, gyr: np.ndarray | None, extra: dict[str, np.ndarray], **kw) -> Recording:
        t = self.t_dev[self.keep]
        extra = {k: v[self.keep] for k, v in extra.items()}
        if self.timing.jitter_ms > 0:
            extra["device_time_s"] = t
            t = jitter_timestamps(t, self.timing.jitter_ms, self.fs, rng_for(self.seed, f"jitter/{self.stream}"))
        return Recording(t, acc[self.keep], None if gyr is None else gyr[self.keep], fs=self.fs, extra=extra,
                         **kw)


def _speed_channel(sched: StepSchedule, t_true: np.ndarray) -> np.ndarray:
    """Per-sample mean step speed (m/s), 0 outside bouts: what a GPS/foot-pod speed channel shows."""
    if sched.n_steps == 0:
        return np.zeros_like(t_true)
    k = np.clip(np.searchsorted(sched.ic_s, t_true, side="right") - 1, 0, sched.n_steps - 1)
    inside = (t_true >= sched.ic_s[k]) & (t_true < sched.next_ic_s[k])
    return np.where(inside, sched.speed_mps[k], 0.0)


def _params(sc: Scenario, fs: float, sensor_model: SensorModel, mounting: Mounting, real: SensorRealisation,
            gaps: Gaps, timing: Timing, gyro: bool) -> dict[str, Any]:
    return {
        "generator": f"gaitlab.synth {__version__}",
        "scenario": scenario_to_dict(sc),
        "fs_hz": fs,
        "gyro": gyro,
        "sensor_model": scenario_to_dict(sensor_model),
        "mounting": scenario_to_dict(mounting),
        "sensor": real.to_dict(),
        "gaps": scenario_to_dict(gaps),
        "timing": scenario_to_dict(timing),
    }


def _activity_seconds(sched: StepSchedule, t0: float, t1: float) -> dict[str, float]:
    """Running / walking / standing seconds inside [t0, t1] (true clock)."""
    a = np.clip(sched.ic_s, t0, t1)
    b = np.clip(sched.next_ic_s, t0, t1)
    walk = float(np.sum((b - a)[sched.walking]))
    run = float(np.sum((b - a)[~sched.walking]))
    return {"running_s": run, "walking_s": walk, "standing_s": float(max(t1 - t0 - run - walk, 0.0))}


def _vo_per_step(model: WaistModel, t0: np.ndarray, t1: np.ndarray, n_grid: int = 97) -> np.ndarray:
    """max z - min z of the COM over [t0, t1] per step (m): grid, then Newton on v = 0."""
    out = np.empty(t0.size)
    u = np.linspace(0.0, 1.0, n_grid)
    g = G_MPS2
    for c0 in range(0, t0.size, 4000):
        a, b = t0[c0:c0 + 4000], t1[c0:c0 + 4000]
        tt = a[:, None] + (b - a)[:, None] * u[None, :]
        z = model.vertical(tt.ravel())[2].reshape(tt.shape)
        r = np.arange(tt.shape[0])
        ext = []
        for j, better in ((np.argmax(z, axis=1), np.maximum), (np.argmin(z, axis=1), np.minimum)):
            ts = tt[r, j]
            for _ in range(3):
                f, v, _z = model.vertical(ts)
                acc = f - g
                ts = np.clip(ts - np.where(np.abs(acc) > 1e-9, v / np.where(np.abs(acc) > 1e-9, acc, 1.0), 0.0),
                             a, b)
            grid_best = z.max(axis=1) if better is np.maximum else z.min(axis=1)
            ext.append(better(grid_best, model.vertical(ts)[2]))
        out[c0:c0 + 4000] = ext[0] - ext[1]
    return out


def _waist_truth(model: WaistModel, clk: _Clocked, params: dict[str, Any]) -> Truth:
    import pandas as pd

    s = model.schedule
    ts = clk.time_scale
    ic, nxt = s.ic_s, s.next_ic_s
    t_first, t_last = clk.t_dev[0], clk.t_dev[-1]
    sel = (ic * ts >= t_first) & (nxt * ts <= t_last)
    idx = np.flatnonzero(sel)
    ic_i, nxt_i, tc_i, st_i = ic[idx], nxt[idx], s.tc_s[idx], s.step_s[idx]
    walking = s.walking[idx]
    vo = _vo_per_step(model, ic_i, nxt_i)

    def body_z(t):
        return model.specific_force_body(t)[:, 2]

    def roll_deg(t):
        return np.rad2deg(model.angles(t)[:, 0])

    impact = window_peak(body_z, ic_i, _WAIST_IMPACT_WINDOW_S)
    # smooth over the contact: a coarser grid is enough (error < 1e-4 g, 1e-4 deg)
    peak = window_peak(body_z, ic_i, tc_i, n_grid=33, n_fine=21)
    drop = (window_peak(roll_deg, ic_i, tc_i, n_grid=33, n_fine=21)
            + window_peak(lambda t: -roll_deg(t), ic_i, tc_i, n_grid=33, n_fine=21))
    in_gap = steps_touching(clk.spans, ic_i * ts, nxt_i * ts)
    transition = s.transition()[idx]
    step_len = s.speed_mps[idx] * st_i
    steps = pd.DataFrame({
        "ic_s": ic_i * ts,
        "to_s": (ic_i + tc_i) * ts,
        "side": np.where(s.side[idx] > 0, "L", "R"),
        "gct_ms": tc_i * ts * 1e3,
        "flight_ms": np.where(walking, np.nan, (st_i - tc_i) * ts * 1e3),
        "step_time_ms": st_i * ts * 1e3,
        "vo_cm": vo * 100.0,
        "impact_g": impact,
        "peak_g": peak,
        "braking_mps": model.braking_mps()[idx],
        "activity": np.where(walking, "walking", "running"),
        "pelvic_tilt_deg": s.lean_deg[idx],
        "pelvic_drop_deg": drop,
        "speed_mps": s.speed_mps[idx],
        "step_length_m": step_len,
        "cadence_spm": 60.0 / (st_i * ts),
        "duty_factor": tc_i / (2.0 * st_i),
        "in_gap": in_gap,
        "valid": ~in_gap & ~transition,
    }, columns=list(WAIST_COLUMNS))
    extra = {"placement": "waist", "fs_hz": clk.fs, "duration_s": float(t_last - t_first),
             "n_gaps": int(clk.spans.shape[0]), "samples_removed": int((~clk.keep).sum())}
    extra.update(_activity_seconds(s, t_first / ts, t_last / ts))
    return Truth(steps=steps, summary=waist_summary(steps, extra), params=params, gaps=clk.spans,
                 placement="waist")


def render_waist(sc: Scenario, fs: float = 200.0, *, schedule: StepSchedule | None = None,
                 mounting: str | Mounting | None = "upright", noise: str | SensorModel | None = "clean",
                 gyro: bool = False, gaps: int | Gaps | None = 0, timing: Timing | None = None,
                 sensor_site: Any = None, export_lowpass_hz: float | None = None,
                 export_clip_floor_g: float | None = None) -> SynthRun:
    """Render the waist sensor of a validated scenario (see :func:`simulate_waist`).

    ``sensor_site``: optional ``WaistModel -> model`` wrapper that moves the sensor off the sacrum
    (:func:`gaitlab.synth.mounting.simulate_mounted_waist`); the truth stays the runner's.
    ``export_lowpass_hz`` / ``export_clip_floor_g``: the export's zero-phase low-pass and clip
    (see :mod:`gaitlab.synth.export`).
    """
    fs = _check_fs(fs)
    sched = schedule if schedule is not None else build_schedule(sc)
    model = WaistModel(sched, sc)
    site = model if sensor_site is None else sensor_site(model)
    sensor_model, mnt = sensor_preset(noise), mounting_preset(mounting)
    gaps, timing = _as_gaps(gaps), timing or Timing()
    real = realise_sensor(sensor_model, mnt, rng_for(sc.seed, "sensor/waist"))
    clk = _Clocked(sc, sched, fs, gaps, timing, "waist")

    def sample(t_true: np.ndarray):
        return site.specific_force_body(t_true), (site.angular_velocity_body(t_true) if gyro else None)

    acc, gyr = render(sample, clk.n, fs, sensor_model, real, rng_for(sc.seed, "noise/waist"),
                      time_scale=clk.time_scale, gyro=gyro)
    if export_lowpass_hz is not None or export_clip_floor_g is not None:
        from .export import export_filter

        # the exporter filters what the sensor sampled (before transmission gaps)
        acc = export_filter(acc, fs, export_lowpass_hz, clip_floor_g=export_clip_floor_g)
    speed = _speed_channel(sched, clk.t_dev / clk.time_scale)
    params = _params(sc, fs, sensor_model, mnt, real, gaps, timing, gyro)
    params["export"] = {"lowpass_hz": export_lowpass_hz, "clip_floor_g": export_clip_floor_g}
    rec = clk.recording(acc, gyr, {"speed_mps": speed}, placement="waist",
                        meta={"source": "synth", "format": "synth", "seed": sc.seed, "units": "g"})
    truth = _waist_truth(model, clk, params)
    log.debug("synth waist: %d samples at %g Hz, %d steps", rec.n_samples, fs, len(truth.steps))
    return SynthRun(recording=rec, truth=truth, model=model, schedule=sched, scenario=sc, sensor=real,
                    time_scale=clk.time_scale)


def simulate_waist(
    duration_s: float = 60.0,
    fs: float = 200.0,
    *,
    seed: int = 0,
    speed_mps: float = 3.0,
    cadence_spm: float = 171.4,
    gct_ms: float | None = 250.0,
    duty_factor: float | None = None,
    step_cv_pct: float = 1.0,
    asymmetry_pct: float = 0.0,
    fatigue: Fatigue | bool | None = None,
    cadence_changes: tuple[CadenceChange, ...] | list[CadenceChange] = (),
    standing_s: tuple[float, float] | float = (0.0, 0.0),
    walking: tuple[tuple[float, float], ...] | list = (),
    segments: Segments | None = None,
    motion: WaistMotion | None = None,
    mounting: str | Mounting = "upright",
    noise: str | SensorModel = "clean",
    gyro: bool = False,
    gaps: int | Gaps = 0,
    timing: Timing | None = None,
    scenario: Scenario | None = None,
    export_lowpass_hz: float | None = None,
    export_clip_floor_g: float | None = None,
) -> SynthRun:
    """A synthetic waist (sacrum) IMU recording of running with exact ground truth.

    Parameters
    ----------
    duration_s : float
        Recording length (s).
    fs : float
        Output sample rate (Hz), e.g. 50-1600.
    seed : int
        Everything random (timing variability, mounting, noise, gaps) follows from it.
    speed_mps, cadence_spm : float
        Mean running speed (m/s) and cadence (steps/min).
    gct_ms, duty_factor : float
        Contact time (ms) or duty factor ``tc / T_stride`` (wins when given).
    step_cv_pct : float
        Step-time coefficient of variation (%).
    asymmetry_pct : float
        GCT symmetry index (%), left longer when positive (GCT balance = ``50 (1 + d/200)`` % left).
    fatigue : Fatigue or bool
        Linear drift of GCT, cadence, tilt and variability over the run (``True`` = defaults).
    cadence_changes : sequence of CadenceChange
        Cadence schedule, each change ramped over ``ramp_steps`` steps.
    standing_s : (start, end) or float
        Seconds of still standing at the start and end (shortcut for ``segments``).
    walking : sequence of (start_s, duration_s)
        Walking periods (shortcut for ``segments``).
    segments : Segments
        Full control of standing/walking periods; overrides the two shortcuts.
    motion : WaistMotion
        Pelvis kinematics and soft-tissue artefacts.
    mounting : {'upright', 'tilted', 'random'} or Mounting
        Sensor orientation on the body.
    noise : {'ideal', 'clean', 'realistic'} or SensorModel
        Sensor non-idealities.
    gyro : bool
        Also simulate the gyroscope (deg/s).
    gaps : int or Gaps
        Number of random gaps (samples removed) or a full :class:`Gaps`.
    timing : Timing
        Device clock error (ppm) and host-timestamp jitter.
    scenario : Scenario
        A ready scenario; when given the gait/segment keywords above are ignored.
    export_lowpass_hz : float, optional
        Low-pass the exported acceleration with a zero-phase 4th-order Butterworth filter at this
        cut-off (Hz), as apps and labs do (e.g. 20 Hz in Alcantara et al. 2022); the truth is
        unchanged. See :func:`gaitlab.synth.export.export_filter`.
    export_clip_floor_g : float, optional
        Clip the sensor's z axis below this value (g) after filtering (0.0: the vertical channel
        of an upright sensor clipped at 0 g, as in the shared force-plate trials).

    Returns
    -------
    SynthRun
        ``.recording`` (placement 'waist', sensor frame; body frame x fwd, y left, z up when
        upright) and ``.truth`` (per-step table, summary, params).

    Examples
    --------
    >>> from gaitlab.synth import simulate_waist
    >>> run = simulate_waist(20.0, fs=100.0, seed=1)
    >>> run.recording.placement, run.recording.fs
    ('waist', 100.0)
    >>> round(run.truth.summary["cadence_spm"])
    171
    """
    if scenario is None:
        scenario = make_scenario(
            duration_s, seed=seed, speed_mps=speed_mps, cadence_spm=cadence_spm, gct_ms=gct_ms,
            duty_factor=duty_factor, step_cv_pct=step_cv_pct, asymmetry_pct=asymmetry_pct, fatigue=fatigue,
            cadence_changes=cadence_changes, standing_s=standing_s, walking=walking, segments=segments,
            waist_motion=motion)
    else:
        scenario = scenario.validate()
    return render_waist(scenario, fs, mounting=mounting, noise=noise, gyro=gyro, gaps=gaps, timing=timing,
                        export_lowpass_hz=export_lowpass_hz, export_clip_floor_g=export_clip_floor_g)


# -- shoes -----------------------------------------------------------------------------------------
def _shoe_truth(model: Any, clk: _Clocked, params: dict[str, Any], side: str) -> Truth:
    import pandas as pd

    from .foot import foot_truth_table

    table = foot_truth_table(model, clk.time_scale, clk.t_dev[0], clk.t_dev[-1])
    in_gap = steps_touching(clk.spans, table["ic_s"], table["next_ic_s"])
    table["in_gap"] = in_gap
    table["valid"] = ~in_gap & table["steady"]
    steps = pd.DataFrame({c: table[c] for c in SHOE_COLUMNS}, columns=list(SHOE_COLUMNS))
    extra = {"placement": "shoe", "side": side, "fs_hz": clk.fs,
             "duration_s": float(clk.t_dev[-1] - clk.t_dev[0]), "n_gaps": int(clk.spans.shape[0]),
             "samples_removed": int((~clk.keep).sum())}
    return Truth(steps=steps, summary=shoe_summary(steps, extra), params=params, gaps=clk.spans,
                 placement="shoe", side=side)


def render_shoe(sc: Scenario, side: str, fs: float = 400.0, *, schedule: StepSchedule | None = None,
                mounting: str | Mounting | None = "upright", noise: str | SensorModel | None = "clean",
                gyro: bool = True, gaps: int | Gaps | None = 0, timing: Timing | None = None) -> SynthRun:
    """Render one shoe sensor (``side`` 'L' or 'R') of a validated scenario."""
    if side not in ("L", "R"):
        raise InputError(f"side must be 'L' or 'R', found {side!r}")
    fs = _check_fs(fs)
    from .foot import FootModel

    sched = schedule if schedule is not None else build_schedule(sc)
    model = FootModel(sched, sc, side)
    sensor_model, mnt = sensor_preset(noise), mounting_preset(mounting)
    gaps, timing = _as_gaps(gaps), timing or Timing()
    real = realise_sensor(sensor_model, mnt, rng_for(sc.seed, f"sensor/shoe{side}"))
    clk = _Clocked(sc, sched, fs, gaps, timing, f"shoe{side}")

    def sample(t_true: np.ndarray):
        f, w = model.body_signals(t_true)
        return f, (w if gyro else None)

    acc, gyr = render(sample, clk.n, fs, sensor_model, real, rng_for(sc.seed, f"noise/shoe{side}"),
                      time_scale=clk.time_scale, gyro=gyro)
    speed = _speed_channel(sched, clk.t_dev / clk.time_scale)
    params = _params(sc, fs, sensor_model, mnt, real, gaps, timing, gyro)
    rec = clk.recording(acc, gyr, {"speed_mps": speed}, placement="shoe", side=side,
                        meta={"source": "synth", "format": "synth", "seed": sc.seed, "units": "g"})
    return SynthRun(recording=rec, truth=_shoe_truth(model, clk, params, side), model=model, schedule=sched,
                    scenario=sc, sensor=real, time_scale=clk.time_scale)


def simulate_shoes(
    duration_s: float = 60.0,
    fs: float = 400.0,
    *,
    seed: int = 0,
    mounting: str | Mounting = "upright",
    noise: str | SensorModel = "clean",
    gyro: bool = True,
    gaps: int | Gaps = 0,
    timing: Timing | None = None,
    scenario: Scenario | None = None,
    **gait: Any,
) -> tuple[SynthRun, SynthRun]:
    """A left and a right shoe IMU recording on a common clock, with per-contact truth.

    Takes the same gait keywords as :func:`simulate_waist` (``speed_mps``, ``cadence_spm``,
    ``gct_ms``, ``asymmetry_pct``, ``fatigue``, ``standing_s``, ``walking``...) plus ``foot_motion``
    (a :class:`~gaitlab.synth.scenario.FootMotion`). Returns ``(left, right)``. Both feet see the
    same scenario and seed; each sensor draws its own mounting, noise and gaps.

    Examples
    --------
    >>> from gaitlab.synth import simulate_shoes
    >>> left, right = simulate_shoes(10.0, fs=200.0, seed=3)
    >>> left.recording.side, right.recording.side, left.recording.has_gyro
    ('L', 'R', True)
    """
    if scenario is None:
        scenario = make_scenario(duration_s, seed=seed, **gait)
    else:
        scenario = scenario.validate()
    sched = build_schedule(scenario)
    kw = dict(schedule=sched, mounting=mounting, noise=noise, gyro=gyro, gaps=gaps, timing=timing)
    return render_shoe(scenario, "L", fs, **kw), render_shoe(scenario, "R", fs, **kw)


def simulate_session(scenario: Scenario, *, waist_fs: float | None = 200.0, shoe_fs: float | None = 400.0,
                     mounting: str | Mounting = "upright", noise: str | SensorModel = "clean",
                     waist_gyro: bool = False, gaps: int | Gaps = 0, timing: Timing | None = None) -> Session:
    """Waist and both shoes from one scenario (same steps, same clock); ``None`` rate skips a sensor.

    Examples
    --------
    >>> from gaitlab.synth import make_scenario, simulate_session
    >>> s = simulate_session(make_scenario(10.0, seed=2), waist_fs=100.0, shoe_fs=200.0)
    >>> bool((s.waist.steps["side"] == "L").sum() > 0 and len(s.left.steps) > 0)
    True
    """
    scenario = scenario.validate()
    sched = build_schedule(scenario)
    kw = dict(schedule=sched, mounting=mounting, noise=noise, gaps=gaps, timing=timing)
    waist = render_waist(scenario, waist_fs, gyro=waist_gyro, **kw) if waist_fs else None
    left = render_shoe(scenario, "L", shoe_fs, **kw) if shoe_fs else None
    right = render_shoe(scenario, "R", shoe_fs, **kw) if shoe_fs else None
    return Session(waist=waist, left=left, right=right)
