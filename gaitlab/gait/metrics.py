"""Running metrics defined once: per-step derived quantities, the run summary and segments.

Everything that turns per-step columns into a number a runner reads is here, for waist and shoe
alike, and the report (:mod:`gaitlab.report`), the figures and the live analyzers import it:

* :func:`cadence_spm`, :func:`step_length_m`, :func:`vertical_ratio_pct`, :func:`duty_factor`
  (definitions: ``docs/methods.md``), :func:`symmetry_index_pct`, :func:`balance_left_pct`;
* :func:`summarize` (the run summary, :data:`gaitlab.schema.SUMMARY_KEYS`, plus the shoe keys of
  :data:`gaitlab.schema.SHOE_SUMMARY_KEYS`) and :func:`segment_table` (per-minute segments).

Running metrics are computed on valid running steps only (:func:`gaitlab.schema.valid_running_mask`);
a metric that cannot be measured is NaN (null in JSON), never 0.

References
----------
.. [1] Robinson, R. O., Herzog, W., Nigg, B. M. (1987). Use of force platform variables to quantify
   the effects of chiropractic manipulation on gait symmetry. J Manipulative Physiol Ther 10:172-176.
   (symmetry index)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..schema import PER_SIDE_KEYS, PER_SIDE_METRICS, SEGMENT_COLUMNS, SUMMARY_KEYS, valid_running_mask

__all__ = [
    "cadence_spm", "step_length_m", "vertical_ratio_pct", "duty_factor", "symmetry_index_pct",
    "balance_left_pct", "side_balance_left_pct", "side_symmetry_index_pct", "side_means_ci", "masked_means_ci",
    "paired_symmetry_ci",
    "summarize",
    "segment_table", "StepColumns", "SYMMETRY_WARN_PCT",
]

#: Symmetry index (%) of each per-side metric above which a left/right difference is worth a
#: warning: GCT 3.2 % (Garmin's orange GCT-balance band, 49.3-50.7 %), step time 4 %, landing impact
#: 10 % (see :mod:`gaitlab.report.rules`, the asymmetry rule's default warn levels, and
#: :func:`gaitlab.gait.mounting.timing_mounting`, which reads them for a device facing sideways).
SYMMETRY_WARN_PCT: dict[str, float] = {"gct_ms": 3.2, "step_time_ms": 4.0, "impact_g": 10.0}

#: Two-sided 95 % normal quantile.
_Z95 = 1.959963984540054


# -- per-step (array) definitions ------------------------------------------------------------------
def cadence_spm(step_time_ms: Any) -> Any:
    """Cadence (steps/min) from step time (ms): ``60000 / step_time_ms``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 60000.0 / step_time_ms


def step_length_m(speed_mps: Any, step_time_ms: Any) -> Any:
    """Step length (m) = speed (m/s) * step time (s)."""
    return speed_mps * step_time_ms / 1000.0


def vertical_ratio_pct(vo_cm: Any, step_m: Any) -> np.ndarray:
    """Vertical ratio (%) = 100 * VO / step length; NaN where the step length is not positive."""
    vo = np.asarray(vo_cm, dtype=np.float64)
    step = np.asarray(step_m, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(step > 0, 100.0 * (vo / 100.0) / step, np.nan)


def duty_factor(gct_ms: Any, step_time_ms: Any) -> Any:
    """Duty factor: the fraction of a stride (two steps) one foot is on the ground, GCT / (2 step)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return gct_ms / (2.0 * step_time_ms)


def symmetry_index_pct(left: Any, right: Any) -> Any:
    """Robinson's symmetry index [1]_ (%): ``200 |L - R| / (L + R)``, 0 = symmetric.

    Element-wise on arrays; NaN where ``L + R`` is 0 or either side is NaN.
    """
    left = np.asarray(left, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    total = left + right
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(total != 0, 200.0 * np.abs(left - right) / total, np.nan)
    return out if out.ndim else float(out)


def balance_left_pct(left: Any, right: Any) -> Any:
    """Garmin's GCT balance (left %): ``100 * L / (L + R)``; NaN where ``L + R`` is 0."""
    left = np.asarray(left, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    total = left + right
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(total != 0, 100.0 * left / total, np.nan)
    return out if out.ndim else float(out)


def _mean(x: pd.Series | np.ndarray) -> float:
    if x.dtype == np.float64:
        # pandas' mean of the non-NaN values (their sum / their count), without its per-call cost
        v = np.asarray(x)
        v = v[~np.isnan(v)]
        return float(v.sum() / v.size) if v.size else math.nan
    x = x.dropna()
    return float(x.mean()) if len(x) else math.nan


def _side_masks(side: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the left and right steps of a ``side`` column."""
    # compared as Python objects: a string column would convert its labels on every comparison
    sd = np.asarray(side, dtype=object)
    return sd == "L", sd == "R"


def _masked_side_means(values: pd.Series | np.ndarray, left: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    return _mean(values[left]), _mean(values[right])


def side_balance_left_pct(values: pd.Series, side: pd.Series | np.ndarray | None = None, *,
                          masks: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """:func:`balance_left_pct` of the side means (NaN without both sides); ``masks``: the
    (left, right) boolean masks instead of ``side``, when the caller has them already."""
    left, right = _masked_side_means(values, *(_side_masks(side) if masks is None else masks))
    if not (math.isfinite(left) and math.isfinite(right)):
        return math.nan
    return balance_left_pct(left, right)


def side_symmetry_index_pct(values: pd.Series, side: pd.Series | np.ndarray | None = None, *,
                            masks: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """:func:`symmetry_index_pct` of the side means (NaN without both sides); ``masks`` as in
    :func:`side_balance_left_pct`."""
    left, right = _masked_side_means(values, *(_side_masks(side) if masks is None else masks))
    if not (math.isfinite(left) and math.isfinite(right)):
        return math.nan
    return symmetry_index_pct(left, right)


def _mean_se(x: np.ndarray) -> tuple[float, float, int]:
    """Mean, standard error and count of a step series, the error widened for serial correlation.

    Consecutive steps of one foot are not independent (pace drifts, hills): with lag-1
    autocorrelation ``rho`` the variance of the mean grows by ``(1 + rho) / (1 - rho)``
    (AR(1) effective sample size), ``rho`` clipped to [0, 0.9].
    """
    x = x[np.isfinite(x)]
    n = x.size
    if n < 3:
        return math.nan, math.nan, n
    mean = float(x.mean())
    sd = float(x.std(ddof=1))
    d = x - mean
    den = float(np.dot(d, d))
    rho = float(np.dot(d[:-1], d[1:]) / den) if den > 0 else 0.0
    rho = min(max(rho, 0.0), 0.9)
    return mean, sd / math.sqrt(n) * math.sqrt((1.0 + rho) / (1.0 - rho)), n


def side_means_ci(values: pd.Series | np.ndarray, side: pd.Series | np.ndarray) -> dict[str, float]:
    """Per-side means with 95 % confidence intervals, and the symmetry index with its interval.

    Returns ``left``, ``left_lo``, ``left_hi``, ``right`` (...), ``n_left``, ``n_right``, ``si_pct``
    (Robinson's ``200 |L - R| / (L + R)`` [1]_) and ``si_lo_pct``/``si_hi_pct`` from the interval of
    the difference ``L - R`` (delta method, both sides' errors combined). NaN where a side has fewer
    than 3 values. Units: those of ``values`` (the indices in %).
    """
    return masked_means_ci(values, *_side_masks(side))


def paired_symmetry_ci(values: pd.Series | np.ndarray, side: pd.Series | np.ndarray,
                       use: np.ndarray) -> dict[str, float]:
    """Symmetry index of consecutive left/right step pairs, with its 95 % interval.

    A pair is two consecutive steps, both in ``use``, of opposite sides; pairs do not overlap. The
    left-minus-right difference within a pair is free of what its two steps share (pace drifting,
    hills), which widens the intervals of the per-side means of :func:`side_means_ci`, so a
    difference that alternates step after step (a sensor off the midline) stands out from far fewer
    steps. Returns ``si_pct``
    (``200 |mean(L - R)| / (mean L + mean R)``), ``si_lo_pct``, ``si_hi_pct`` and ``n_pairs``; NaN
    with fewer than 5 pairs.
    """
    v = np.asarray(values, dtype=np.float64)
    left, right = _side_masks(side)
    ok = np.asarray(use, dtype=bool) & np.isfinite(v) & (left | right)
    i = np.flatnonzero(ok[:-1] & ok[1:] & (left[:-1] != left[1:]))
    if i.size:
        # in a run of overlapping candidates (i, i + 1, ...) every other one, from the run's first
        first = np.ones(i.size, dtype=bool)
        first[1:] = np.diff(i) != 1
        start = np.maximum.accumulate(np.where(first, np.arange(i.size), 0))
        i = i[(np.arange(i.size) - start) % 2 == 0]
    out = {"si_pct": math.nan, "si_lo_pct": math.nan, "si_hi_pct": math.nan, "n_pairs": int(i.size)}
    if i.size < 5:
        return out
    lv = np.where(left[i], v[i], v[i + 1])
    rv = np.where(left[i], v[i + 1], v[i])
    d = lv - rv
    _symmetry_interval(out, abs(float(d.mean())), _Z95 * float(d.std(ddof=1)) / math.sqrt(i.size),
                       float(lv.mean() + rv.mean()))
    return out


def _symmetry_interval(out: dict[str, Any], diff: float, half: float, total: float) -> None:
    """``si_pct``, ``si_lo_pct``, ``si_hi_pct`` into ``out`` (in place) from the left-right
    difference ``diff`` (>= 0), its 95 % half-width and the sum of the side means; left as they are
    unless that sum is positive."""
    if math.isfinite(total) and total > 0:
        out["si_pct"] = 200.0 * diff / total
        out["si_lo_pct"] = 200.0 * max(diff - half, 0.0) / total
        out["si_hi_pct"] = 200.0 * (diff + half) / total


def masked_means_ci(values: pd.Series | np.ndarray, left: np.ndarray, right: np.ndarray) -> dict[str, float]:
    """:func:`side_means_ci` with the sides given as boolean masks (``left``, ``right``), for callers
    that reuse one pair of masks for several metrics."""
    v = np.asarray(values, dtype=np.float64)
    lm, lse, ln = _mean_se(v[left])
    rm, rse, rn = _mean_se(v[right])
    out = {"left": lm, "left_lo": lm - _Z95 * lse, "left_hi": lm + _Z95 * lse, "n_left": ln,
           "right": rm, "right_lo": rm - _Z95 * rse, "right_hi": rm + _Z95 * rse, "n_right": rn,
           "si_pct": math.nan, "si_lo_pct": math.nan, "si_hi_pct": math.nan}
    _symmetry_interval(out, abs(lm - rm), _Z95 * math.hypot(lse, rse), lm + rm)
    return out


# -- the step table's columns as arrays ------------------------------------------------------------
class StepColumns:
    """A step table's columns as numpy arrays, each converted once, and the masks every reader needs.

    The summary, the segments and the report read the same columns of one table; from the
    DataFrame each read is a pandas conversion (a string column to Python objects costs ~0.1-0.3
    ms on a 1-hour run, a label mask ~0.1 ms of object comparisons), so :func:`gaitlab.analyze`
    builds one of these and hands it to :func:`summarize`, :func:`segment_table` and
    :func:`gaitlab.report.evaluate_steps`. Arrays handed out are read-only: copy to modify.

    Parameters
    ----------
    steps : pandas.DataFrame
        The step table.
    arrays : mapping of str to ndarray, optional
        The columns the table was built from (the same values: a pipeline's own arrays), read
        instead of converting the table's.
    """

    def __init__(self, steps: pd.DataFrame, arrays: Any = None) -> None:
        self.steps = steps
        self._arrays = arrays
        self.n = len(steps)
        self._cache: dict[tuple[str, ...], np.ndarray] = {}
        self._running: np.ndarray | None = None

    def __contains__(self, name: str) -> bool:
        return name in self.steps.columns

    def _get(self, key: tuple[str, ...], make: Any) -> np.ndarray:
        out = self._cache.get(key)
        if out is None:
            out = make().view()  # a view: the caller's array stays writeable
            out.flags.writeable = False
            self._cache[key] = out
        return out

    def floats(self, name: str) -> np.ndarray:
        """Column ``name`` as float64 (missing values NaN)."""
        if self._arrays is not None:
            return self._get(("f", name), lambda: np.asarray(self._arrays[name], dtype=np.float64))
        return self._get(("f", name), lambda: self.steps[name].to_numpy(dtype=np.float64, na_value=np.nan))

    def bools(self, name: str) -> np.ndarray:
        """Column ``name`` as bool (as ``to_numpy(dtype=bool)``)."""
        if self._arrays is not None:
            return self._get(("b", name), lambda: np.asarray(self._arrays[name], dtype=bool))
        return self._get(("b", name), lambda: self.steps[name].to_numpy(dtype=bool))

    def labels(self, name: str) -> np.ndarray:
        """A label column (``side``, ``activity``) as Python objects."""
        src = self.steps if self._arrays is None else self._arrays
        return self._get(("o", name), lambda: np.asarray(src[name], dtype=object).reshape(self.n))

    def is_label(self, name: str, label: str) -> np.ndarray:
        """Boolean mask of the rows whose ``name`` is ``label`` (all False without the column)."""
        if name not in self:
            return self._get(("m", name, label), lambda: np.zeros(self.n, dtype=bool))
        return self._get(("m", name, label),
                         lambda: np.asarray(self.labels(name) == label, dtype=bool).reshape(self.n))

    @property
    def running(self) -> np.ndarray:
        """:func:`gaitlab.schema.valid_running_mask` of the table."""
        return self._get(("running",), lambda: valid_running_mask(self.steps if self._arrays is None
                                                                  else self._arrays))


# -- the run summary ---------------------------------------------------------------------------------
#: The per-step columns the shared summary metrics read (``speed_mps`` when present).
_BLOCK_COLUMNS = ("step_time_ms", "gct_ms", "flight_ms", "vo_cm", "impact_g", "loading_rate_gps", "braking_mps",
                  "pelvic_tilt_deg", "pelvic_drop_deg", "speed_mps", *PER_SIDE_METRICS)


def _running_columns(cols: StepColumns, keep: np.ndarray) -> dict[str, np.ndarray]:
    """The valid running steps (``keep``) of the :data:`_BLOCK_COLUMNS` in the table, as float64
    arrays (no copy of the whole table, no pandas per metric)."""
    return {name: cols.floats(name)[keep] for name in dict.fromkeys(_BLOCK_COLUMNS) if name in cols}


def _block_metrics(run: dict[str, np.ndarray], sides: tuple[np.ndarray, np.ndarray]) -> dict[str, float]:
    """Metrics shared by the summary and each segment, from valid running steps (``run``:
    :func:`_running_columns`; ``sides``: the left and right masks of their ``side`` column)."""
    st = run["step_time_ms"]
    mean_st = _mean(st)
    out = {
        "cadence_spm": cadence_spm(mean_st) if math.isfinite(mean_st) and mean_st > 0 else math.nan,
        "gct_ms": _mean(run["gct_ms"]),
        "flight_ms": _mean(run["flight_ms"]),
        "vo_cm": _mean(run["vo_cm"]),
        "impact_g": _mean(run["impact_g"]),
        "loading_rate_gps": _mean(run["loading_rate_gps"]),
        "braking_mps": _mean(run["braking_mps"]),
        "pelvic_tilt_deg": _mean(run["pelvic_tilt_deg"]),
        "gct_balance_left_pct": side_balance_left_pct(run["gct_ms"], masks=sides),
        "step_time_cv_pct": (100.0 * float(np.nanstd(st, ddof=1)) / mean_st
                             if np.count_nonzero(~np.isnan(st)) >= 3 and mean_st > 0 else math.nan),
        "running_s": float(np.nansum(st)) / 1000.0,
    }
    if "speed_mps" in run and not np.isnan(run["speed_mps"]).all():
        step_len = step_length_m(run["speed_mps"], st)
        out["vertical_ratio_pct"] = _mean(vertical_ratio_pct(run["vo_cm"], step_len))
        out["step_length_m"] = _mean(step_len)
        out["speed_mps"] = _mean(run["speed_mps"])
    else:
        out["vertical_ratio_pct"] = math.nan
        out["step_length_m"] = math.nan
        out["speed_mps"] = math.nan
    return out


def summarize(steps: pd.DataFrame, *, duration_s: float, gap_s: float = 0.0,
              regularity: tuple[float, float] | None = None, placement: str = "waist",
              paired: bool = False, per_side_reason: str | None = None, has_gyro: bool = True,
              running: np.ndarray | None = None, columns: StepColumns | None = None) -> dict[str, Any]:
    """Run-level summary (keys :data:`gaitlab.schema.SUMMARY_KEYS`, plus the shoe keys for shoes).

    Parameters
    ----------
    steps : DataFrame
        Per-step table (one row per step or contact).
    duration_s : float
        Recording duration (s).
    gap_s : float
        Total time inside gaps (s).
    regularity : (float, float), optional
        Step and stride regularity (autocorrelation, 0-1) where computed.
    placement : {'waist', 'shoe'}
        A shoe analysis adds :data:`gaitlab.schema.SHOE_SUMMARY_KEYS`.
    paired : bool
        Shoe only: both feet were analysed (balance and symmetry indices need them).
    per_side_reason : str, optional
        Why per-side metrics cannot be measured with this mounting: left/right means, balance and
        asymmetry are then NaN and the reason is kept under ``per_side_reason``.
    has_gyro : bool
        Shoe only: whether every recording had a gyroscope (else ``no_gyro_note`` names the metrics
        that are null).
    running : ndarray of bool, optional
        :func:`gaitlab.schema.valid_running_mask` of ``steps``, when the caller has it already.
    columns : StepColumns, optional
        ``steps`` as arrays, when the caller has them already (shared with the segments and report).

    Per-side means carry 95 % confidence intervals (:func:`side_means_ci`): ``gct_left_ms``,
    ``gct_left_ci_lo_ms``, ``gct_left_ci_hi_ms``, ``gct_right_ms`` ..., and ``gct_si_ci_lo_pct`` /
    ``gct_si_ci_hi_pct`` for the symmetry index (likewise ``step_time_*`` and ``impact_*``;
    :data:`gaitlab.schema.SIDE_SUMMARY`).
    """
    cols = StepColumns(steps) if columns is None else columns
    keep = cols.running if running is None else running
    run = _running_columns(cols, keep)
    # the side masks once for all per-side metrics
    sides = cols.is_label("side", "L")[keep], cols.is_label("side", "R")[keep]
    out: dict[str, Any] = {k: math.nan for k in SUMMARY_KEYS}
    out.update(_block_metrics(run, sides))
    out["n_steps"] = int(len(steps))
    out["n_valid_steps"] = int(np.count_nonzero(keep))
    out["step_time_asymmetry_pct"] = side_symmetry_index_pct(run["step_time_ms"], masks=sides)
    mean_gct, mean_st = out["gct_ms"], _mean(run["step_time_ms"])
    known = math.isfinite(mean_gct) and mean_st > 0
    out["duty_factor"] = duty_factor(mean_gct, mean_st) if known else math.nan
    out["pelvic_drop_deg"] = _mean(run["pelvic_drop_deg"])
    # valid walking steps only: the last step of a walk has no next contact in rhythm (the walker
    # stopped), so its "step time" runs over the pause and is not walking time
    step_ms = cols.floats("step_time_ms")
    walking = cols.is_label("activity", "walking") & cols.bools("valid")
    out["walking_s"] = float(np.nansum(step_ms[walking])) / 1000.0
    out["running_s"] = float(np.nansum(step_ms[cols.is_label("activity", "running")])) / 1000.0
    out["standing_s"] = max(0.0, duration_s - gap_s - out["running_s"] - out["walking_s"])
    if regularity is not None:
        out["step_regularity"], out["stride_regularity"] = regularity
    for name in PER_SIDE_METRICS:
        ci = masked_means_ci(run[name], *sides)
        values = (ci["left"], ci["left_lo"], ci["left_hi"], ci["right"], ci["right_lo"], ci["right_hi"],
                  ci["si_lo_pct"], ci["si_hi_pct"])
        out.update(zip(PER_SIDE_KEYS[name], values, strict=True))
    if per_side_reason:
        # the mounting biases left/right timing and impacts: not measurable, say why
        for name in PER_SIDE_METRICS:
            out.update(dict.fromkeys(PER_SIDE_KEYS[name], math.nan))
        out["gct_balance_left_pct"] = math.nan
        out["step_time_asymmetry_pct"] = math.nan
        out["per_side_reason"] = per_side_reason
    # saturated sensor: clipped impacts are left out of impact_g, which is then a lower bound
    n_clip = int(np.count_nonzero(cols.bools("impact_clipped"))) if "impact_clipped" in cols else 0
    out["impact_clipped_contacts"] = n_clip
    out["impact_note"] = (f"{n_clip} contacts clipped at the accelerometer's range: their impact is not "
                          "reported and impact_g (from the others) underestimates the impacts") if n_clip else None
    if placement == "shoe":
        _shoe_summary(out, steps, steps[keep], paired=paired, duration_s=duration_s, gap_s=gap_s, has_gyro=has_gyro)
    return out


def _shoe_summary(out: dict[str, Any], steps: pd.DataFrame, run: pd.DataFrame, *, paired: bool,
                  duration_s: float, gap_s: float, has_gyro: bool = True) -> None:
    """Shoe keys on top of the shared summary (in place)."""
    sides = _side_masks(run["side"])
    out["stride_time_ms"] = _mean(run["stride_time_ms"])
    out["swing_ms"] = _mean(run["swing_ms"])
    out["stride_length_m"] = _mean(run["stride_length_m"])
    out["step_length_m"] = out["stride_length_m"] / 2.0
    out["speed_mps"] = _mean(run["speed_mps"])
    out["foot_strike_angle_deg"] = _mean(run["foot_strike_angle_deg"])
    classes = run["strike_class"].dropna()
    out["strike_class"] = str(classes.mode().iloc[0]) if len(classes) else None
    for cls in ("rearfoot", "midfoot", "forefoot"):
        out[f"{cls}_pct"] = 100.0 * float((classes == cls).mean()) if len(classes) else math.nan
    out["braking_g"] = _mean(run["braking_g"])
    out["no_gyro_note"] = None
    out["pronation_deg"] = _mean(run["pronation_deg"])
    if not has_gyro:
        out["no_gyro_note"] = ("no gyroscope: toe-off (so contact time, duty factor, swing and flight), "
                               "foot-strike angle and class, pronation, braking and stride length (speed "
                               "unless given) cannot be measured and are null")
    out["pronation_velocity_dps"] = _mean(run["pronation_velocity_dps"].abs())
    if not paired:
        # one foot: each contact stands for a whole stride; the flight needs the other foot
        out["running_s"] = float(steps.loc[steps["activity"] == "running", "stride_time_ms"].sum()) / 1000.0
        out["walking_s"] = float(steps.loc[steps["activity"] == "walking", "stride_time_ms"].sum()) / 1000.0
        out["standing_s"] = max(0.0, duration_s - gap_s - out["running_s"] - out["walking_s"])
        out["duty_factor"] = _mean(run["duty_factor"])
    out["gct_balance_left_pct"] = side_balance_left_pct(run["gct_ms"], masks=sides) if paired else math.nan
    for key, col in (("gct_si_pct", "gct_ms"), ("flight_si_pct", "flight_ms"), ("impact_si_pct", "impact_g"),
                     ("stride_length_si_pct", "stride_length_m"), ("swing_si_pct", "swing_ms")):
        out[key] = side_symmetry_index_pct(run[col], masks=sides) if paired else math.nan


# -- segments -----------------------------------------------------------------------------------------
def _segment_index(seg_all: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(seg_all, return_inverse=True)``: the segments present and each step's index among them."""
    step = np.diff(seg_all)
    if (step >= 0).all():
        # steps in time order (as pipelines emit them): the same keys and inverse without np.unique's sort
        new = step != 0
        return seg_all[np.concatenate(([True], new))], np.concatenate(([0], np.cumsum(new)))
    return np.unique(seg_all, return_inverse=True)


def segment_table(steps: pd.DataFrame, segment_s: float = 60.0, per_side_reason: str | None = None, *,
                  running: np.ndarray | None = None, columns: StepColumns | None = None) -> pd.DataFrame:
    """Per-segment metrics (default one row per minute of the recording with running steps).

    The same definitions as :func:`summarize`, computed for all segments at once (grouped sums,
    no per-segment pandas work: a 4-hour run has 240 segments). With a ``per_side_reason`` (the
    mounting biases left/right, see :func:`summarize`) the GCT balance is NaN. ``running``:
    :func:`gaitlab.schema.valid_running_mask` of ``steps``, when the caller has it already;
    ``columns``: ``steps`` as :class:`StepColumns`, likewise.
    """
    from ..kernels.groups import group_sums

    cols = StepColumns(steps) if columns is None else columns
    keep = cols.running if running is None else running
    if not keep.any():
        return pd.DataFrame(columns=list(SEGMENT_COLUMNS))

    def col(name: str) -> np.ndarray:
        # the valid running steps of one column (no copy of the whole table)
        return cols.floats(name)[keep]

    keys, seg = _segment_index(np.floor(col("ic_s") / segment_s).astype(np.int64))
    n = keys.size
    st = col("step_time_ms")
    gct = col("gct_ms")
    left, right = cols.is_label("side", "L")[keep], cols.is_label("side", "R")[keep]
    rows = {"step_time_ms": st, "step_time_sq": st * st, "gct_ms": gct,
            "gct_left": np.where(left, gct, np.nan), "gct_right": np.where(right, gct, np.nan)}
    for name in ("vo_cm", "flight_ms", "impact_g", "loading_rate_gps", "braking_mps", "pelvic_tilt_deg"):
        rows[name] = col(name)
    if "speed_mps" in cols:
        rows["vertical_ratio_pct"] = vertical_ratio_pct(rows["vo_cm"], step_length_m(col("speed_mps"), st))
    # every metric's grouped sums in one pass over the steps
    total, count = group_sums(np.vstack(list(rows.values())), seg.astype(np.int64), n)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = dict(zip(rows, np.where(count > 0, total / np.maximum(count, 1), np.nan), strict=True))
        mean_st = means["step_time_ms"]
        cnt_st = count[0]
        var = np.where(cnt_st >= 3, (means["step_time_sq"] - mean_st**2) * cnt_st / np.maximum(cnt_st - 1, 1),
                       np.nan)
        out = {
            "start_s": keys * segment_s,
            "end_s": (keys + 1) * segment_s,
            "cadence_spm": cadence_spm(mean_st),
            "gct_ms": means["gct_ms"],
            "vo_cm": means["vo_cm"],
            "flight_ms": means["flight_ms"],
            "n_steps": np.bincount(seg, minlength=n),
            "gct_balance_left_pct": (balance_left_pct(means["gct_left"], means["gct_right"]) if not per_side_reason
                                     else np.full(n, np.nan)),
            "impact_g": means["impact_g"],
            "loading_rate_gps": means["loading_rate_gps"],
            "braking_mps": means["braking_mps"],
            "pelvic_tilt_deg": means["pelvic_tilt_deg"],
            "step_time_cv_pct": 100.0 * np.sqrt(np.clip(var, 0, None)) / mean_st,
            "running_s": total[0] / 1000.0,
            "vertical_ratio_pct": means.get("vertical_ratio_pct", np.full(n, np.nan)),
        }
    return pd.DataFrame({name: out[name] for name in SEGMENT_COLUMNS})
