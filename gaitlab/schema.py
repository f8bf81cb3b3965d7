"""The data contract in one place: column names with units and meanings, physical constants,
plausibility ranges and the "valid running steps" mask.

Every other module imports these names; none defines its own copy. The JSON result (schema
:data:`SCHEMA_VERSION`) is built from these columns: extend them, never rename.
Units are in the names (``_s`` seconds on the input's time axis, ``_ms``, ``_cm``, ``_m``, ``_g``
specific force in g, ``_gps`` g/s, ``_mps`` m/s, ``_deg``, ``_dps`` deg/s, ``_pct`` %, ``_spm``
steps/min); a value that cannot be measured is NaN in a DataFrame and null in JSON, never 0.

This module imports only the standard library and numpy, so any layer may import it.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "SCHEMA_VERSION", "GRAVITY_MPS2", "Column",
    "STEP", "SHOE", "SUMMARY", "SHOE_SUMMARY", "SIDE_SUMMARY", "SEGMENT", "GAP", "INPUT",
    "PER_SIDE_METRICS", "PER_SIDE_KEYS",
    "STEP_COLUMNS", "SHOE_COLUMNS", "SUMMARY_KEYS", "SHOE_SUMMARY_KEYS", "SEGMENT_COLUMNS",
    "GAP_COLUMNS", "LIVE_STEP_FIELDS", "LIVE_CONTACT_FIELDS", "LIVE_SUMMARY", "LIVE_SUMMARY_KEYS",
    "TEXT_COLUMNS", "REPORT", "REPORT_STATUSES", "PLAUSIBLE_WAIST", "PLAUSIBLE_SHOE", "TREND_METRICS", "describe", "valid_running_mask",
]

#: Version of the JSON result (``"schema"`` key). Bumped only for a breaking change.
SCHEMA_VERSION = 1

#: Standard gravity (m/s^2 per g), CGPM 1901. The one definition the library converts with.
GRAVITY_MPS2 = 9.80665


class Column(NamedTuple):
    """One named quantity of the result: its name (unit suffix included), unit and meaning."""

    name: str
    unit: str
    meaning: str


#: Per-step columns, in order. The first nine are JSON schema 1's; the rest extend it.
STEP: tuple[Column, ...] = (
    Column("ic_s", "s", "initial contact, on the input's own time axis"),
    Column("to_s", "s", "toe-off (end of contact); NaN for walking steps on a waist sensor"),
    Column("side", "", "'L' or 'R' (the foot in contact); None when not attributable"),
    Column("gct_ms", "ms", "ground contact time, IC to TO"),
    Column("flight_ms", "ms", "flight time, TO to the next IC (of the other foot)"),
    Column("step_time_ms", "ms", "IC to the next IC (of the other foot); 60000 / cadence"),
    Column("vo_cm", "cm", "vertical oscillation of the sensor over the step (waist only)"),
    Column("impact_g", "g", "peak vertical specific force within the impact window after IC"),
    Column("valid", "", "False for steps touching a gap or failing the plausibility ranges"),
    Column("loading_rate_gps", "g/s", "rate of rise of the vertical force after IC"),
    Column("braking_mps", "m/s", "forward speed lost during the braking part of the contact (waist)"),
    Column("pelvic_tilt_deg", "deg", "forward tilt of the stride against the reference posture"),
    Column("pelvic_drop_deg", "deg", "frontal-plane pelvis angle range over the stride (gyroscope)"),
    Column("activity", "", "'running' or 'walking' (a contact without flight, or duty factor >= 0.55, or "
           "0.5-0.55 below 120 steps/min)"),
    Column("impact_clipped", "", "True when a sample in the impact window was at the accelerometer's rail "
                                 "(any axis): impact_g and loading_rate_gps of that step are NaN"),
)

#: Per-contact columns of a shoe analysis, after :data:`STEP_COLUMNS` (``docs/shoe.md``).
SHOE: tuple[Column, ...] = (
    Column("midstance_s", "s", "mid-stance (the still foot)"),
    Column("swing_ms", "ms", "TO to the same foot's next IC"),
    Column("stride_time_ms", "ms", "IC to the same foot's next IC"),
    Column("duty_factor", "", "GCT / stride time"),
    Column("stride_length_m", "m", "stride length by zero-velocity strapdown integration"),
    Column("speed_mps", "m/s", "running speed over the stride (waist: from the given speed)"),
    Column("foot_strike_angle_deg", "deg", "foot pitch at IC, toe up positive"),
    Column("strike_class", "", "'rearfoot', 'midfoot' or 'forefoot' (Altman & Davis 2012)"),
    Column("braking_g", "g", "peak backward specific force of the foot after IC"),
    Column("pronation_deg", "deg", "roll excursion of the foot during stance"),
    Column("pronation_velocity_dps", "deg/s", "peak roll rate during stance"),
    Column("foot_clearance_m", "m", "highest point of the foot during swing"),
    Column("ic_gyro_s", "s", "IC from the pitch-rate minimum alone (Falbriard et al. 2018)"),
    Column("to_gyro_s", "s", "TO from the pitch-rate minimum alone"),
)

#: Summary keys of schema 1 (always present), then extensions. Means over valid running steps.
SUMMARY: tuple[Column, ...] = (
    Column("n_steps", "", "steps (shoe: contacts) detected, all activities"),
    Column("cadence_spm", "steps/min", "60000 / mean step time"),
    Column("gct_ms", "ms", "mean ground contact time"),
    Column("flight_ms", "ms", "mean flight time"),
    Column("vo_cm", "cm", "mean vertical oscillation"),
    Column("vertical_ratio_pct", "%", "mean of 100 * VO / step length (needs speed)"),
    Column("gct_balance_left_pct", "%", "100 * GCT_L / (GCT_L + GCT_R) of the side means"),
    Column("step_time_asymmetry_pct", "%", "symmetry index of the side means of step time"),
    Column("running_s", "s", "time spent running (sum of running step times)"),
    # extensions
    Column("n_valid_steps", "", "valid running steps"),
    Column("duty_factor", "", "mean GCT / (2 * mean step time)"),
    Column("impact_g", "g", "mean landing impact"),
    Column("loading_rate_gps", "g/s", "mean loading rate"),
    Column("braking_mps", "m/s", "mean speed lost per step"),
    Column("pelvic_tilt_deg", "deg", "mean forward pelvic tilt"),
    Column("pelvic_drop_deg", "deg", "mean pelvic drop"),
    Column("speed_mps", "m/s", "mean running speed"),
    Column("step_length_m", "m", "mean step length (speed * step time)"),
    Column("walking_s", "s", "time spent walking"),
    Column("standing_s", "s", "recording time neither running, walking nor in a gap"),
    Column("step_time_cv_pct", "%", "coefficient of variation of step time"),
    Column("step_regularity", "", "autocorrelation of the vertical force at one step (0-1)"),
    Column("stride_regularity", "", "autocorrelation of the vertical force at one stride (0-1)"),
    Column("impact_clipped_contacts", "", "contacts whose impact window held a sample at the "
                                          "accelerometer's rail (saturated sensor): their impact_g and "
                                          "loading_rate_gps are NaN, and impact_g is then a lower bound"),
    Column("impact_note", "", "text saying impact_g underestimates the impacts when contacts were clipped, "
                              "else None"),
)

#: Summary keys a shoe analysis adds (means over valid running contacts).
SHOE_SUMMARY: tuple[Column, ...] = (
    Column("stride_time_ms", "ms", "mean stride time"),
    Column("swing_ms", "ms", "mean swing time"),
    Column("stride_length_m", "m", "mean stride length"),
    Column("foot_strike_angle_deg", "deg", "mean foot-strike angle"),
    Column("strike_class", "", "most frequent strike class"),
    Column("rearfoot_pct", "%", "share of rearfoot contacts"),
    Column("midfoot_pct", "%", "share of midfoot contacts"),
    Column("forefoot_pct", "%", "share of forefoot contacts"),
    Column("braking_g", "g", "mean braking peak of the foot"),
    Column("pronation_deg", "deg", "mean pronation excursion"),
    Column("pronation_velocity_dps", "deg/s", "mean absolute peak roll rate"),
    Column("gct_si_pct", "%", "symmetry index of GCT (pair only)"),
    Column("flight_si_pct", "%", "symmetry index of flight time (pair only)"),
    Column("impact_si_pct", "%", "symmetry index of impact (pair only)"),
    Column("stride_length_si_pct", "%", "symmetry index of stride length (pair only)"),
    Column("swing_si_pct", "%", "symmetry index of swing time (pair only)"),
    Column("no_gyro_note", "", "text naming the metrics that are null without a gyroscope, else None"),
)

#: Per-side metrics of the summary, each reported per side with a 95 % confidence interval (the
#: AR(1)-widened standard error of the mean; :func:`gaitlab.gait.metrics.side_means_ci`).
PER_SIDE_METRICS: tuple[str, ...] = ("gct_ms", "step_time_ms", "impact_g")


def _per_side_columns(metric: str) -> tuple[Column, ...]:
    base, unit = metric.rsplit("_", 1)
    u = {"ms": "ms", "g": "g"}[unit]
    what = {"gct": "ground contact time", "step_time": "step time", "impact": "landing impact"}[base]
    out = []
    for side in ("left", "right"):
        out += [Column(f"{base}_{side}_{unit}", u, f"mean {what} of the {side} foot's valid running steps"),
                Column(f"{base}_{side}_ci_lo_{unit}", u, "lower end of its 95 % confidence interval"),
                Column(f"{base}_{side}_ci_hi_{unit}", u, "upper end of its 95 % confidence interval")]
    out += [Column(f"{base}_si_ci_lo_pct", "%", f"lower end of the 95 % interval of the {what} symmetry index"),
            Column(f"{base}_si_ci_hi_pct", "%", f"upper end of the 95 % interval of the {what} symmetry index")]
    return tuple(out)


#: Summary keys with the per-side means and their intervals (NaN when the mounting makes sides
#: unmeasurable), in order: ``<base>_left_<unit>``, ``..._left_ci_lo_...``, ``..._left_ci_hi_...``,
#: the same for right, ``<base>_si_ci_lo_pct``, ``<base>_si_ci_hi_pct``.
PER_SIDE_KEYS: dict[str, tuple[str, ...]] = {m: tuple(c.name for c in _per_side_columns(m))
                                             for m in PER_SIDE_METRICS}

#: Summary keys added after :data:`SUMMARY` (waist and shoe): the per-side means, and
#: ``per_side_reason`` (present only when the mounting makes left/right unmeasurable).
SIDE_SUMMARY: tuple[Column, ...] = tuple(c for m in PER_SIDE_METRICS for c in _per_side_columns(m)) + (
    Column("per_side_reason", "", "why left/right metrics are not measurable with this mounting (then "
                                  "the per-side keys, GCT balance and step-time asymmetry are NaN)"),
)

#: Keys of ``Analysis.input`` (JSON ``input``): what was analysed and how it was worn.
INPUT: tuple[Column, ...] = (
    Column("path", "", "the file analysed (a shoe pair: both, joined by ' + ')"),
    Column("format", "", "the reader's format name"),
    Column("fs_hz", "Hz", "sample rate"),
    Column("duration_s", "s", "recording duration"),
    Column("placement", "", "'waist' or 'shoe'"),
    Column("n_samples", "", "samples read"),
    Column("has_gyro", "", "whether a gyroscope was recorded (a pair: both)"),
    Column("device", "", "the recording device, where the file names it"),
    Column("sides", "", "shoe: the side of each recording"),
    Column("files", "", "shoe: one entry per recording (path, format, side, fs_hz, device, frame ...)"),
    Column("mounting", "", "waist: inferred mounting, 'midline', 'off_midline', 'thigh' or 'chest' "
                           "(gaitlab.gait.mounting)"),
    Column("mounting_stride_swing_g", "g", "median RMS stride-rhythm specific force over gait blocks"),
    Column("mounting_vertical_alternation", "", "median stride- to step-rhythm RMS ratio of the vertical "
                                                "force over gait blocks"),
    Column("mounting_face_sideways", "", "|cos| between the device's z axis and the body's left-right axis "
                                         "(near 1: a flat device on the side of the body)"),
    Column("start_time", "", "absolute start of the recording (ISO 8601), where known"),
    Column("tags", "", "user tags (e.g. shoe, athlete) for history and compare"),
    Column("watch", "", "a watch's FIT file of the same run (--speed-from): alignment and laps"),
)

#: The overall verdict of the report's rules (JSON top-level ``report_status``, an extension of schema 1):
#: ``flags`` (at least one flag), ``no_flags`` (rules were evaluated and none fired) or
#: ``not_enough_data`` (the run was too short or too unusual for any rule to be evaluated: no flag
#: does not mean a healthy run), or None when the analysis was made without the report.
REPORT_STATUSES: tuple[str, ...] = ("flags", "no_flags", "not_enough_data")

#: Top-level keys of the JSON result added after schema 1's (the report's verdict).
REPORT: tuple[Column, ...] = (
    Column("report_status", "", "'flags', 'no_flags' or 'not_enough_data' (no rule could be evaluated: "
                                "too short or too unusual a run to judge); None without a report"),
)

#: Per-segment (default per-minute) columns: the summary's definitions per segment.
SEGMENT: tuple[Column, ...] = (
    Column("start_s", "s", "segment start on the input's time axis"),
    Column("end_s", "s", "segment end"),
    Column("cadence_spm", "steps/min", "60000 / mean step time"),
    Column("gct_ms", "ms", "mean ground contact time"),
    Column("vo_cm", "cm", "mean vertical oscillation"),
    Column("flight_ms", "ms", "mean flight time"),
    Column("n_steps", "", "valid running steps in the segment"),
    Column("gct_balance_left_pct", "%", "100 * GCT_L / (GCT_L + GCT_R) of the side means"),
    Column("impact_g", "g", "mean landing impact"),
    Column("loading_rate_gps", "g/s", "mean loading rate"),
    Column("braking_mps", "m/s", "mean speed lost per step"),
    Column("pelvic_tilt_deg", "deg", "mean forward pelvic tilt"),
    Column("vertical_ratio_pct", "%", "mean vertical ratio (needs speed)"),
    Column("step_time_cv_pct", "%", "coefficient of variation of step time"),
    Column("running_s", "s", "sum of the valid running step times"),
)

#: Gaps: spans with missing samples, ``[start_s, end_s]`` = last sample before, first after.
GAP: tuple[Column, ...] = (
    Column("start_s", "s", "last sample before the gap"),
    Column("end_s", "s", "first sample after the gap"),
)

#: The live summary (:meth:`gaitlab.stream.LiveWaistAnalyzer.summary`, ``LiveUpdate``): medians
#: over the most recent valid steps, so one odd step does not move the display. They are named
#: ``*_median_*`` apart from the batch summary's means.
LIVE_SUMMARY: tuple[Column, ...] = (
    Column("cadence_median_spm", "steps/min", "60000 / median step time of the recent steps"),
    Column("gct_median_ms", "ms", "median ground contact time of the recent steps"),
    Column("vo_median_cm", "cm", "median vertical oscillation of the recent steps"),
    Column("gct_balance_median_left_pct", "%", "100 * GCT_L / (GCT_L + GCT_R) of the side medians"),
    # shoe
    Column("stride_length_median_m", "m", "median stride length of the recent contacts"),
    Column("speed_median_mps", "m/s", "median speed of the recent contacts"),
    Column("foot_strike_angle_median_deg", "deg", "median foot-strike angle of the recent contacts"),
    Column("strike_class", "", "most frequent strike class of the recent contacts"),
)

STEP_COLUMNS: tuple[str, ...] = tuple(c.name for c in STEP)
SHOE_COLUMNS: tuple[str, ...] = tuple(c.name for c in SHOE)
SUMMARY_KEYS: tuple[str, ...] = tuple(c.name for c in SUMMARY)
SHOE_SUMMARY_KEYS: tuple[str, ...] = tuple(c.name for c in SHOE_SUMMARY)
SEGMENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in SEGMENT)
GAP_COLUMNS: tuple[str, ...] = tuple(c.name for c in GAP)
LIVE_SUMMARY_KEYS: tuple[str, ...] = tuple(c.name for c in LIVE_SUMMARY)

#: Fields of a live waist step row: the step columns, then the speed used for step length.
LIVE_STEP_FIELDS: tuple[str, ...] = STEP_COLUMNS + ("speed_mps",)

#: Fields of a live shoe contact row: the schema's step fields, then the shoe columns (no pelvic
#: or waist-only columns, no ``*_gyro_s`` diagnostics).
LIVE_CONTACT_FIELDS: tuple[str, ...] = (
    "ic_s", "to_s", "side", "gct_ms", "flight_ms", "step_time_ms", "vo_cm", "impact_g", "valid",
    "loading_rate_gps", "activity", "midstance_s", "swing_ms", "stride_time_ms", "duty_factor",
    "stride_length_m", "speed_mps", "foot_strike_angle_deg", "strike_class", "braking_g", "pronation_deg",
    "pronation_velocity_dps", "foot_clearance_m",
)

#: Columns holding text (or None), not numbers.
TEXT_COLUMNS: frozenset[str] = frozenset({"side", "activity", "strike_class"})

#: Plausible running values, waist (``docs/methods.md``): (low, high) per column.
#: ``walk_step_time_ms`` is the plausible step time of a walking step (50-170 steps/min).
PLAUSIBLE_WAIST: dict[str, tuple[float, float]] = {
    "gct_ms": (100.0, 450.0),
    "step_time_ms": (250.0, 600.0),  # 100-240 spm
    "flight_ms": (-10.0, 250.0),
    "vo_cm": (2.0, 16.0),
    "walk_step_time_ms": (350.0, 1200.0),  # 50-170 spm
}

#: Plausible values, shoe (``docs/methods.md``), per activity: GCT and stride time.
PLAUSIBLE_SHOE: dict[str, tuple[float, float]] = {
    "run_gct_ms": (100.0, 450.0),
    "walk_gct_ms": (250.0, 2000.0),
    "run_stride_ms": (450.0, 1300.0),
    "walk_stride_ms": (700.0, 2600.0),
}

#: Metrics followed over weeks (:mod:`gaitlab.season`, the history report): summary key -> (label,
#: unit, number format). ``cadence_drift_spm`` and ``gct_drift_pct`` are the late-run drifts the
#: history computes from each run's segments (:func:`gaitlab.season.late_drift`).
TREND_METRICS: dict[str, tuple[str, str, str]] = {
    "cadence_spm": ("Cadence", "spm", ".1f"),
    "gct_ms": ("Ground contact time", "ms", ".0f"),
    "vo_cm": ("Vertical oscillation", "cm", ".1f"),
    "vertical_ratio_pct": ("Vertical ratio", "%", ".1f"),
    "gct_balance_left_pct": ("GCT balance (left)", "%", ".1f"),
    "impact_g": ("Impact", "g", ".2f"),
    "loading_rate_gps": ("Loading rate", "g/s", ".0f"),
    "cadence_drift_spm": ("Late-run cadence drift", "spm", "+.1f"),
    "gct_drift_pct": ("Late-run GCT drift", "%", "+.1f"),
}

_ALL: dict[str, Column] = {c.name: c for group in (REPORT, INPUT, GAP, SEGMENT, SIDE_SUMMARY, SHOE_SUMMARY, SUMMARY, SHOE,
                                                   STEP)
                           for c in group}


def describe(name: str) -> Column:
    """Unit and meaning of a step, contact, summary, segment, gap column or input key.

    Raises
    ------
    KeyError
        For a name that is not part of the result.
    """
    return _ALL[name]


def valid_running_mask(steps: Any) -> np.ndarray:
    """The steps the running metrics and the report are computed on: valid and running.

    Parameters
    ----------
    steps : pandas.DataFrame or mapping of arrays
        A step table. A missing ``valid`` column counts as valid (missing or NaN ``valid`` values
        as invalid); a missing ``activity`` column, or an activity of None/NaN, counts as running
        (hand-built tables); an ``ic_s`` of NaN is never a step.

    Returns
    -------
    ndarray of bool, one per row
    """
    ic = np.asarray(steps["ic_s"], dtype=np.float64) if "ic_s" in steps else None
    n = len(steps["ic_s"]) if ic is not None else 0
    keep = np.isfinite(ic) if ic is not None else np.zeros(0, dtype=bool)
    if "valid" in steps:
        valid = steps["valid"]
        fill = getattr(valid, "fillna", None)
        keep &= np.asarray(fill(False) if fill is not None else valid, dtype=bool)
    if "activity" in steps:
        act = np.asarray(steps["activity"], dtype=object).reshape(n)
        running = act == "running"
        other = np.flatnonzero(~running & (act != "walking"))  # rare: unknown activities
        running[other] = [a is None or (isinstance(a, float) and math.isnan(a)) for a in act[other]]
        keep &= running
    return keep
