"""Scenario options of the synthetic generator: small frozen dataclasses with physiological defaults.

Every option group is a frozen dataclass so a scenario is hashable, printable and serialisable
(:func:`scenario_to_dict`) into the truth file. Defaults are typical running values (``docs/methods.md``); the
ranges are checked once, in :meth:`Scenario.validate`, so a bad option gives an
:class:`~gaitlab.errors.InputError` naming the option, never a wrong signal.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..schema import GRAVITY_MPS2

__all__ = [
    "G_MPS2",
    "Gait",
    "Fatigue",
    "CadenceChange",
    "Segments",
    "WaistMotion",
    "FootMotion",
    "Mounting",
    "SensorModel",
    "Timing",
    "Gaps",
    "Scenario",
    "SENSOR_PRESETS",
    "MOUNTING_PRESETS",
    "sensor_preset",
    "mounting_preset",
    "scenario_to_dict",
]

#: Standard gravity (m/s^2); 1 g of specific force (:data:`gaitlab.schema.GRAVITY_MPS2`).
G_MPS2 = GRAVITY_MPS2


@dataclass(frozen=True)
class Gait:
    """Steady running gait (before the asymmetry, fatigue and schedule layers).

    Parameters
    ----------
    speed_mps : float
        Mean forward speed (m/s).
    cadence_spm : float
        Steps per minute (both feet): ``T_step = 60 / cadence``.
    gct_ms : float or None
        Ground contact time (ms). Exactly one of ``gct_ms`` / ``duty_factor`` is used; when
        ``duty_factor`` is given it wins.
    duty_factor : float or None
        ``tc / T_stride`` (running < 0.5): ``tc = 2 * DF * T_step``.
    step_cv_pct : float
        Coefficient of variation of step time (%); contact time varies with half of it.
    asymmetry_pct : float
        GCT symmetry index delta (%): ``tc_L = tc (1 + d/2)``, ``tc_R = tc (1 - d/2)`` with the
        step time unchanged, so the flights absorb the difference. Positive = left longer.
    """

    speed_mps: float = 3.0
    cadence_spm: float = 171.4
    gct_ms: float | None = 250.0
    duty_factor: float | None = None
    step_cv_pct: float = 1.0
    asymmetry_pct: float = 0.0

    def contact_s(self, step_s: float) -> float:
        """Nominal contact time (s) for a step of ``step_s`` seconds."""
        if self.duty_factor is not None:
            return 2.0 * self.duty_factor * step_s
        return float(self.gct_ms) / 1000.0


@dataclass(frozen=True)
class Fatigue:
    """Linear drift over the moving part of the recording.

    At the end of the run: contact time ``* (1 + gct_rise_pct/100)``, cadence
    ``* (1 - cadence_drop_pct/100)``, pelvic tilt ``+ lean_rise_deg``, step-time CV rising linearly to
    ``cv_end_pct`` and the GCT asymmetry growing by ``asymmetry_growth_pct``.
    """

    gct_rise_pct: float = 5.0
    cadence_drop_pct: float = 3.0
    lean_rise_deg: float = 4.0
    cv_end_pct: float = 3.5
    asymmetry_growth_pct: float = 0.0


@dataclass(frozen=True)
class CadenceChange:
    """From ``at_s`` on, the running cadence moves to ``cadence_spm`` over ``ramp_steps`` steps."""

    at_s: float
    cadence_spm: float
    ramp_steps: int = 20


@dataclass(frozen=True)
class Segments:
    """Non-running parts of the timeline.

    Parameters
    ----------
    standing_start_s, standing_end_s : float
        Still standing (1 g) at the start and at the end of the recording (s).
    standing : tuple of (start_s, duration_s)
        Further standing periods inside the recording.
    walking : tuple of (start_s, duration_s)
        Walking periods (duty factor > 0.5, double support, never 0 g).
    walk_cadence_spm, walk_speed_mps, walk_duty_factor : float
        The walking gait.
    walk_vertical_g : float
        Amplitude of the walking vertical specific-force oscillation about 1 g (g).
    """

    standing_start_s: float = 0.0
    standing_end_s: float = 0.0
    standing: tuple[tuple[float, float], ...] = ()
    walking: tuple[tuple[float, float], ...] = ()
    walk_cadence_spm: float = 112.0
    walk_speed_mps: float = 1.4
    walk_duty_factor: float = 0.62
    walk_vertical_g: float = 0.3


@dataclass(frozen=True)
class WaistMotion:
    """Pelvis kinematics and soft-tissue artefacts of the waist model.

    Angles in degrees, accelerations in g, frequencies in Hz, time constants in ms.
    ``lean_deg`` is the mean anterior pelvic tilt (body pitch, forward positive); ``roll_deg`` the
    pelvic drop amplitude (contralateral side drops during stance), ``roll_deg + roll_asymmetry_deg/2``
    in left stance and ``roll_deg - roll_asymmetry_deg/2`` in right stance; ``yaw_deg`` the pelvic rotation
    amplitude; ``tilt_osc_deg`` the within-step pitch oscillation.

    Ground-force shape (so the generator does not hide what real sacral signals show):
    ``heel_impact_g`` is the peak of a heel strike's impact bump *in the ground force* (a
    ``sin^2`` bump over the first ``heel_impact_ms`` of contact, peaking halfway: it starts with
    zero slope, as a real force builds up while the heel pad and shoe compress); the active
    (half-sine) force is reduced so momentum and height still close. ``force_shape_cv_pct`` is the
    step-to-step coefficient of variation of the bump's size and duration. ``landing_offset_cm``
    is the pelvis height at landing minus at the previous take-off (negative: lands lower, as
    downhill; positive: uphill), limited per step to 90 % of what a flight of that length allows
    (``g tf^2 / 2``); the contact takes the height back, so the pelvis stays on its treadmill-like
    cycle. ``impact_g`` (above) is the soft-tissue wobble of the sensor, not a ground force.
    """

    lean_deg: float = 8.0
    roll_deg: float = 5.0
    roll_asymmetry_deg: float = 0.0
    yaw_deg: float = 6.0
    tilt_osc_deg: float = 2.0
    braking_g: float = 0.4
    ml_g: float = 0.12
    walk_braking_g: float = 0.15
    impact_g: float = 1.0
    impact_hz: float = 15.0
    impact_tau_ms: float = 30.0
    ml_impact_g: float = 0.3
    heel_impact_g: float = 0.0
    heel_impact_ms: float = 50.0
    force_shape_cv_pct: float = 0.0
    landing_offset_cm: float = 0.0


@dataclass(frozen=True)
class FootMotion:
    """Foot kinematics of the shoe model.

    ``strike_angle_deg`` is the foot pitch at IC relative to the flat foot (toe up positive: RFS
    +10..+20, FFS -5..-10) with a per-contact SD ``strike_sd_deg``; ``toe_off_deg`` the pitch at TO
    (plantarflexion, negative; the foot keeps plantarflexing into early swing); ``clearance_m`` the extra swing height; ``impact_g`` /
    ``impact_hz`` / ``impact_tau_ms`` the shoe impact transient along the foot's vertical axis.
    """

    strike_angle_deg: float = 15.0
    strike_sd_deg: float = 1.5
    toe_off_deg: float = -30.0
    foot_flat_frac: float = 0.18
    heel_off_frac: float = 0.55
    clearance_m: float = 0.2
    impact_g: float = 8.0
    impact_hz: float = 30.0
    impact_tau_ms: float = 8.0


@dataclass(frozen=True)
class Mounting:
    """How the sensor is attached: ``f_sensor = R_mount^T f_body``.

    Parameters
    ----------
    kind : {'upright', 'tilted', 'random', 'fixed'}
        ``upright``: sensor axes = body axes. ``tilted``: a random rotation within ``max_deg`` of
        the nominal one (each Euler angle uniform in ``[-max_deg, max_deg]``). ``random``: a
        uniformly random rotation. ``fixed``: the rotation given by ``euler_deg``.
    max_deg : float
        Half range of the ``tilted`` rotation (deg).
    euler_deg : tuple of 3 floats
        Intrinsic z-y-x (yaw, pitch, roll) angles in degrees for ``fixed``, applied after
        ``nominal_euler_deg``.
    nominal_euler_deg : tuple of 3 floats
        The nominal mounting the ``tilted`` jitter is around (z-y-x, deg).
    """

    kind: str = "upright"
    max_deg: float = 15.0
    euler_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    nominal_euler_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class SensorModel:
    """Accelerometer / gyroscope non-idealities.

    ``scale_sd`` is the half range of the per-axis scale factor (uniform ``1 +- scale_sd``),
    ``acc_bias_g`` / ``gyr_bias_dps`` the half range of the uniform per-axis bias; noise densities
    in g/sqrt(Hz) and deg/s/sqrt(Hz) (the per-sample SD is ``density * sqrt(fs / 2)``);
    ``acc_range_g`` / ``gyr_range_dps`` the saturation limits (``None`` = none); ``bits`` the ADC
    resolution over the full range (``None`` = no quantisation); ``antialias`` applies a linear-phase
    FIR at ``0.4 fs`` before decimation (``False`` = pick every k-th internal sample: exact, ideal).
    """

    scale_sd: float = 0.0
    acc_bias_g: float = 0.0
    gyr_bias_dps: float = 0.0
    acc_noise_g_rthz: float = 0.0
    gyr_noise_dps_rthz: float = 0.0
    acc_range_g: float | None = None
    gyr_range_dps: float | None = None
    bits: int | None = None
    antialias: bool = True


#: Named sensor models: ``ideal`` (exact samples), ``clean`` (light noise, FIR, 16-bit), ``realistic``.
SENSOR_PRESETS: dict[str, SensorModel] = {
    "ideal": SensorModel(antialias=False),
    "clean": SensorModel(acc_noise_g_rthz=80e-6, gyr_noise_dps_rthz=0.01, acc_range_g=16.0,
                         gyr_range_dps=2000.0, bits=16),
    "realistic": SensorModel(scale_sd=0.02, acc_bias_g=0.05, gyr_bias_dps=1.0, acc_noise_g_rthz=200e-6,
                             gyr_noise_dps_rthz=0.03, acc_range_g=16.0, gyr_range_dps=2000.0, bits=16),
}

#: Named mountings.
MOUNTING_PRESETS: dict[str, Mounting] = {
    "upright": Mounting("upright"),
    "tilted": Mounting("tilted", max_deg=15.0),
    "random": Mounting("random"),
}


def sensor_preset(value: str | SensorModel | None) -> SensorModel:
    """A :class:`SensorModel` from a preset name (``ideal``, ``clean``, ``realistic``) or itself."""
    if value is None:
        return SENSOR_PRESETS["clean"]
    if isinstance(value, SensorModel):
        return value
    try:
        return SENSOR_PRESETS[value]
    except KeyError:
        raise InputError(f"noise must be one of {sorted(SENSOR_PRESETS)} or a SensorModel, "
                         f"found {value!r}") from None


def mounting_preset(value: str | Mounting | None) -> Mounting:
    """A :class:`Mounting` from a preset name (``upright``, ``tilted``, ``random``) or itself."""
    if value is None:
        return MOUNTING_PRESETS["upright"]
    if isinstance(value, Mounting):
        return value
    try:
        return MOUNTING_PRESETS[value]
    except KeyError:
        raise InputError(f"mounting must be one of {sorted(MOUNTING_PRESETS)} or a Mounting, "
                         f"found {value!r}") from None


@dataclass(frozen=True)
class Timing:
    """Clock non-idealities. ``clock_ppm``: the device clock runs fast by this much (its sample
    index clock is exact, its notion of time is not); ``jitter_ms``: SD of host-timestamp jitter
    added to ``t`` (the exact device time is kept as the extra channel ``device_time_s``)."""

    clock_ppm: float = 0.0
    jitter_ms: float = 0.0


@dataclass(frozen=True)
class Gaps:
    """Missing data: ``n`` gaps of a duration uniform in ``duration_s`` placed at random in the
    moving part, plus i.i.d. loss of ``packet_size``-sample packets with probability
    ``packet_loss_pct`` %. Lost samples are removed from the recording."""

    n: int = 0
    duration_s: tuple[float, float] = (0.1, 1.0)
    packet_loss_pct: float = 0.0
    packet_size: int = 10


@dataclass(frozen=True)
class Scenario:
    """Everything that defines one synthetic session (the same for waist and shoes)."""

    duration_s: float = 60.0
    seed: int = 0
    gait: Gait = field(default_factory=Gait)
    fatigue: Fatigue | None = None
    cadence_changes: tuple[CadenceChange, ...] = ()
    segments: Segments = field(default_factory=Segments)
    waist: WaistMotion = field(default_factory=WaistMotion)
    foot: FootMotion = field(default_factory=FootMotion)

    def validate(self) -> Scenario:
        """Check the ranges once; returns self. Raises InputError naming the bad option."""
        g = self.gait
        _check("duration_s", self.duration_s, 1.0, 48 * 3600.0)
        _check("speed_mps", g.speed_mps, 0.5, 12.0)
        _check("cadence_spm", g.cadence_spm, 100.0, 260.0)
        if g.duty_factor is not None:
            _check("duty_factor", g.duty_factor, 0.15, 0.5)
        else:
            if g.gct_ms is None:
                raise InputError("give gct_ms or duty_factor, found neither")
            _check("gct_ms", g.gct_ms, 80.0, 500.0)
        _check("step_cv_pct", g.step_cv_pct, 0.0, 10.0)
        _check("asymmetry_pct", g.asymmetry_pct, -30.0, 30.0)
        step_s = 60.0 / g.cadence_spm
        tc_s = g.contact_s(step_s) * (1.0 + abs(g.asymmetry_pct) / 200.0)
        if tc_s >= step_s:
            raise InputError(
                f"contact time {tc_s * 1e3:.0f} ms is not shorter than the step time {step_s * 1e3:.0f} ms "
                f"(cadence {g.cadence_spm:g} spm): that is walking, not running; lower gct_ms or cadence")
        for ch in self.cadence_changes:
            _check("cadence_changes.cadence_spm", ch.cadence_spm, 100.0, 260.0)
        s = self.segments
        _check("standing_start_s", s.standing_start_s, 0.0, self.duration_s)
        _check("standing_end_s", s.standing_end_s, 0.0, self.duration_s)
        if s.standing_start_s + s.standing_end_s > self.duration_s - 2.0:
            raise InputError(f"standing ({s.standing_start_s:g} s + {s.standing_end_s:g} s) leaves less than "
                             f"2 s of movement in {self.duration_s:g} s")
        _check("walk_duty_factor", s.walk_duty_factor, 0.51, 0.8)
        _check("walk_cadence_spm", s.walk_cadence_spm, 70.0, 150.0)
        _check("walk_vertical_g", s.walk_vertical_g, 0.0, 0.6)
        w = self.waist
        _check("heel_impact_g", w.heel_impact_g, 0.0, 4.0)
        _check("heel_impact_ms", w.heel_impact_ms, 10.0, 120.0)
        _check("force_shape_cv_pct", w.force_shape_cv_pct, 0.0, 40.0)
        _check("landing_offset_cm", w.landing_offset_cm, -10.0, 10.0)
        for name, spans in (("walking", s.walking), ("standing", s.standing)):
            for span in spans:
                if len(span) != 2 or span[1] <= 0 or span[0] < 0:
                    raise InputError(f"{name} spans are (start_s, duration_s) with duration > 0, found {span!r}")
        return self


def _check(name: str, value: float | None, lo: float, hi: float) -> None:
    if value is None or not (isinstance(value, int | float) and math.isfinite(value)) or not lo <= value <= hi:
        raise InputError(f"{name} must be a number in [{lo:g}, {hi:g}], found {value!r}")


def scenario_to_dict(obj: Any) -> Any:
    """A JSON-ready dict of a (nested) scenario dataclass."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: scenario_to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple | list):
        return [scenario_to_dict(v) for v in obj]
    return obj
