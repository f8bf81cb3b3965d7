"""Compare runs, or groups of runs (two shoes, two insoles, before/after a cadence block).

>>> import gaitlab
>>> c = gaitlab.compare("results/", by="shoe", a="Pegasus40", b="Clifton9")   # doctest: +SKIP
>>> print(c)                                                                  # doctest: +SKIP
>>> c.table[["metric", "diff", "ci_lo", "ci_hi", "verdict"]]                  # doctest: +SKIP

Why runs, not steps, are the unit
---------------------------------
Two runs differ by more than their steps say: speed, route, wind, fatigue, how the sensor sat.
Within one run the mean cadence is known to ~0.1 spm (thousands of steps), but the same runner's
run-to-run spread is typically a few spm. A test on steps would call every 2 spm change
"significant"; it is noise. So gaitlab treats a comparison as two levels, steps within runs and
runs within a condition, and puts the uncertainty where it is, at the run level:

1. **Several runs a side** (at least 3 in all, one side may have a single run): each run's mean is
   one observation (it already carries its own step-to-step noise), the run-to-run SD is pooled over
   the sides, and the difference of the side means gets a t interval on the pooled degrees of
   freedom: the "summary statistics" approach to a two-level design, exact for the run means.
   Effect size: Hedges' g on run means (difference / pooled run-to-run SD, small-sample corrected).
2. **One run a side, with a history** (``noise_from=``, a folder of the runner's other results):
   the run-to-run SD is the runner's own, measured as the mean square successive difference of
   their runs (:func:`gaitlab.season.mssd_sd`, robust to slow trends), with its degrees of freedom.
3. **One run a side, nothing else**: run-to-run noise cannot be estimated, so gaitlab **does not
   call a difference** ("cannot tell"). It still shows the step-level interval, labelled as such,
   so the user sees why: it is far too narrow to judge two runs. (A published "typical error" is no
   substitute: reliability depends on the device, the mounting, the runner and the conditions,
   Hopkins 2000, *Sports Med* 30:1-15; repeat the conditions 2-3 times instead.)

Several metrics are compared at once, so the intervals are simultaneous: each is a
``1 - 0.05 / m`` interval for ``m`` metrics compared (Bonferroni), and a difference is called only
when its interval excludes zero. Identical shoes therefore come out "no clear difference" on every
metric at least 95 % of the time, and the verdict never disagrees with the interval shown.

Shoes and insoles: impact (peak vertical acceleration, g), loading rate (g/s) and shock
attenuation. Shock attenuation needs two sensors in one session, one on the shoe and one at the
waist: gaitlab pairs a shoe result with a waist result of the same
runner starting within :data:`SESSION_TOLERANCE_S` and computes ``shock_attenuation_db =
20 log10(impact_shoe / impact_waist)`` (peak-ratio form; positive = the body attenuated the shock).
A change of at least 3 dB is gaitlab's heuristic for a meaningful shoe difference (``docs/history.md``).
Metrics depend on speed (cadence, contact time): when the sides' mean speeds differ by
more than :data:`SPEED_MATCH_MPS`, the comparison says so.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError, option
from .runmeta import parse_start_time
from .season import UNTAGGED, _runner_of, find_results, load_result, mssd_sd

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["compare", "Comparison", "COMPARE_METRICS", "SHOE_METRICS", "ALPHA", "SESSION_TOLERANCE_S",
           "SPEED_MATCH_MPS", "within_run_se"]

logger = logging.getLogger(__name__)

#: Metrics compared: key -> (label, unit, format, step column for the step-level interval or None).
COMPARE_METRICS: dict[str, tuple[str, str, str, str | None]] = {
    "cadence_spm": ("Cadence", "spm", ".1f", "cadence_spm"),
    "gct_ms": ("Ground contact time", "ms", ".0f", "gct_ms"),
    "vo_cm": ("Vertical oscillation", "cm", ".2f", "vo_cm"),
    "vertical_ratio_pct": ("Vertical ratio", "%", ".2f", None),
    "gct_balance_left_pct": ("GCT balance (left)", "%", ".2f", None),
    "step_length_m": ("Step length", "m", ".3f", None),
    "impact_g": ("Impact", "g", ".2f", "impact_g"),
    "loading_rate_gps": ("Loading rate", "g/s", ".0f", "loading_rate_gps"),
    "shock_attenuation_db": ("Shock attenuation", "dB", ".1f", None),
}

#: The shoe/insole comparison the seed articles ask for.
SHOE_METRICS: tuple[str, ...] = ("impact_g", "loading_rate_gps", "shock_attenuation_db")

#: Family-wise error rate of the verdicts (Bonferroni over the metrics compared).
ALPHA = 0.05

#: A shoe and a waist result whose start times differ by at most this are one session (s).
SESSION_TOLERANCE_S = 120.0

#: Sides whose mean speeds differ by more than this are not speed-matched (m/s).
SPEED_MATCH_MPS = 0.2

#: Steps per block for the step-level (within-run) standard error: blocks of ~10 s of running,
#: longer than the step-to-step correlation, so the block means are close to independent.
_BLOCK_STEPS = 32


@dataclass
class _Run:
    name: str
    doc: Mapping[str, Any]
    placement: str | None
    values: dict[str, float]


@dataclass
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    a, b : str
        Labels of the two sides.
    runs_a, runs_b : list of str
        The runs on each side.
    table : pandas.DataFrame
        One row per metric (and placement): ``metric``, ``label``, ``unit``, ``placement``, ``n_a``,
        ``n_b``, ``mean_a``, ``mean_b``, ``diff`` (b - a), ``ci_lo``/``ci_hi`` (simultaneous), ``pct_diff``,
        ``effect_size`` (Hedges' g on run means), ``noise_sd`` (run-to-run), ``df``, ``p``,
        ``p_adj`` (Bonferroni), ``conf`` (the interval's level), ``method`` (``runs``, ``history``, ``none``), ``step_ci_lo``/``step_ci_hi``
        (the step-level interval, shown for single runs only) and ``verdict``.
    notes : list of str
        What the reader must know (speed not matched, noise unknown, metric not measured...).
    """

    a: str
    b: str
    runs_a: list[str]
    runs_b: list[str]
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def verdict(self, metric: str) -> str:
        rows = self.table[self.table["metric"] == metric]
        if rows.empty:
            raise KeyError(f"{metric!r} was not compared; compared: {list(self.table['metric'])}")
        return str(rows.iloc[0]["verdict"])

    def lines(self) -> list[str]:
        """The readable text ``gaitlab compare`` prints."""
        out = [f"A = {self.a} ({len(self.runs_a)} run{'s' if len(self.runs_a) != 1 else ''}), "
               f"B = {self.b} ({len(self.runs_b)} run{'s' if len(self.runs_b) != 1 else ''})"]
        for r in self.table.to_dict("records"):
            _label, unit, fmt, _col = COMPARE_METRICS[r["metric"]]
            if not math.isfinite(r["mean_a"]) or not math.isfinite(r["mean_b"]):
                continue
            ci = (f"{100 * r['conf']:.1f}% CI {r['ci_lo']:+{fmt}} to {r['ci_hi']:+{fmt}}" if math.isfinite(r["ci_lo"])
                  else f"step-level only {r['step_ci_lo']:+{fmt}} to {r['step_ci_hi']:+{fmt}}"
                  if math.isfinite(r["step_ci_lo"]) else "no interval")
            g = f", g={r['effect_size']:+.2f}" if math.isfinite(r["effect_size"]) else ""
            place = f" [{r['placement']}]" if r["placement"] else ""
            out.append(f"  {r['label']:<22}{place} A {r['mean_a']:{fmt}} {unit}  B {r['mean_b']:{fmt}} {unit}  "
                       f"B-A {r['diff']:+{fmt}} ({ci}{g}): {r['verdict']}")
        out.extend(f"  note: {n}" for n in self.notes)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:  # pragma: no cover - Jupyter
        import html

        return "<pre>" + html.escape(str(self)) + "</pre>"


# -- inputs -----------------------------------------------------------------------------------------
def _as_docs(item: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """A side's results as (name, JSON dict) pairs."""
    if isinstance(item, str | os.PathLike):
        p = Path(item)
        paths = find_results(p)
        if not paths:
            raise InputError("no gaitlab JSON results found", path=str(p))
        return [(str(f), load_result(f)) for f in paths]
    if isinstance(item, Mapping):
        return [(str(item.get("_path") or (item.get("input") or {}).get("path") or "run"), item)]
    if hasattr(item, "to_dict") and hasattr(item, "summary"):
        return [(str((item.input or {}).get("path") or "analysis"), item.to_dict())]
    if isinstance(item, Iterable):
        out: list[tuple[str, Mapping[str, Any]]] = []
        for x in item:
            out.extend(_as_docs(x))
        return out
    raise InputError(f"cannot compare a {type(item).__name__}: give JSON result paths, folders or Analyses")


def within_run_se(values: np.ndarray, block: int = _BLOCK_STEPS) -> float:
    """Standard error of a run's mean from batch means (blocks of ``block`` steps): respects the
    step-to-step correlation that a plain ``SD / sqrt(n)`` ignores. NaN with fewer than 4 blocks."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    k = v.size // block
    if k < 4:
        return math.nan
    means = v[: k * block].reshape(k, block).mean(axis=1)
    return float(means.std(ddof=1) / math.sqrt(k))


def _step_values(doc: Mapping[str, Any], column: str) -> np.ndarray:
    steps = doc.get("steps") or []
    vals = []
    for s in steps:
        if not s.get("valid", True) or s.get("activity", "running") != "running":
            continue
        if column == "cadence_spm":
            st, stride = s.get("step_time_ms"), s.get("stride_time_ms")
            # a single shoe's contacts are a stride (two steps) apart
            vals.append(60000.0 / st if st else 120000.0 / stride if stride else math.nan)
        else:
            v = s.get(column)
            vals.append(math.nan if v is None else float(v))
    return np.asarray(vals, dtype=np.float64)


def _shock_attenuation(runs: list[_Run], pool: list[_Run]) -> None:
    """Pair each shoe run with a waist run of the same runner and session (in ``pool``)."""
    waists = [r for r in pool if r.placement == "waist"]
    for r in runs:
        if r.placement != "shoe" or math.isfinite(r.values.get("shock_attenuation_db", math.nan)):
            continue
        t = parse_start_time((r.doc.get("input") or {}).get("start_time"))
        if t is None:
            continue
        who = _runner_of((r.doc.get("input") or {}).get("tags") or {})
        for w in waists:
            tw = parse_start_time((w.doc.get("input") or {}).get("start_time"))
            if tw is None or (tw.tzinfo is None) != (t.tzinfo is None):
                continue
            if _runner_of((w.doc.get("input") or {}).get("tags") or {}) != who:
                continue
            if abs((tw - t).total_seconds()) <= SESSION_TOLERANCE_S:
                shoe, waist = r.values.get("impact_g", math.nan), w.values.get("impact_g", math.nan)
                if shoe > 0 and waist > 0:
                    r.values["shock_attenuation_db"] = 20.0 * math.log10(shoe / waist)
                break


def _runs(docs: list[tuple[str, Mapping[str, Any]]]) -> list[_Run]:
    out = []
    for name, doc in docs:
        summary = doc.get("summary") or {}
        values = {}
        for k in COMPARE_METRICS:
            v = summary.get(k)
            values[k] = float(v) if isinstance(v, int | float) and not isinstance(v, bool) else math.nan
        v = summary.get("speed_mps")
        values["speed_mps"] = float(v) if isinstance(v, int | float) else math.nan
        out.append(_Run(name, doc, (doc.get("input") or {}).get("placement"), values))
    return out


# -- statistics -------------------------------------------------------------------------------------
def _noise_from_history(source: Any, runner: str | None, placement: str | None) -> dict[str, tuple[float, int]]:
    """Per metric: (run-to-run SD, degrees of freedom) from a runner's history (one placement)."""
    from .season import history

    h = history(source, runner=runner)
    out: dict[str, tuple[float, int]] = {}
    runs = h.runs
    if len(runs) and placement is not None:
        runs = runs[runs["placement"] == placement]
    if runs.empty:
        return out
    runs = runs.sort_values("start", na_position="first")
    for key in COMPARE_METRICS:
        if key not in runs:
            continue
        y = runs[key].to_numpy(dtype=np.float64)
        y = y[np.isfinite(y)]
        sd = mssd_sd(y)
        if math.isfinite(sd):
            out[key] = (sd, int(y.size) - 1)
    return out


def _compare_metric(key: str, a: list[_Run], b: list[_Run], noise: Mapping[str, tuple[float, int]]
                    ) -> dict[str, Any]:
    from scipy import stats

    ya = np.array([r.values.get(key, math.nan) for r in a])
    yb = np.array([r.values.get(key, math.nan) for r in b])
    ya, yb = ya[np.isfinite(ya)], yb[np.isfinite(yb)]
    ka, kb = ya.size, yb.size
    nan = math.nan
    row: dict[str, Any] = {"metric": key, "label": COMPARE_METRICS[key][0], "unit": COMPARE_METRICS[key][1],
                           "n_a": ka, "n_b": kb, "mean_a": nan, "mean_b": nan, "diff": nan, "ci_lo": nan,
                           "ci_hi": nan, "pct_diff": nan, "effect_size": nan, "noise_sd": nan, "df": nan,
                           "p": nan, "method": "none", "step_ci_lo": nan, "step_ci_hi": nan}
    if ka == 0 or kb == 0:
        row["verdict"] = "not measured"
        return row
    ma, mb = float(ya.mean()), float(yb.mean())
    d = mb - ma
    row.update(mean_a=ma, mean_b=mb, diff=d, pct_diff=100.0 * d / ma if ma else nan)
    df = (ka - 1) + (kb - 1)
    if df >= 1 and ka + kb >= 3:
        ss = float(((ya - ma) ** 2).sum() + ((yb - mb) ** 2).sum())
        sd = math.sqrt(ss / df)
        row["method"] = "runs"
    elif key in noise:
        sd, df = noise[key]
        row["method"] = "history"
    else:
        sd = nan
    if math.isfinite(sd) and df >= 1:
        se = sd * math.sqrt(1.0 / ka + 1.0 / kb)
        row.update(noise_sd=sd, df=df, _se=se)
        if se > 0:
            row["p"] = float(2.0 * stats.t.sf(abs(d) / se, df))
            j = 1.0 - 3.0 / (4.0 * df - 1.0) if df > 1 else 1.0  # Hedges' small-sample correction
            row["effect_size"] = j * d / sd if sd > 0 else nan
        else:
            row["p"] = 1.0 if d == 0 else 0.0
    col = COMPARE_METRICS[key][3]
    if ka == 1 and kb == 1 and col is not None:
        sa = within_run_se(_step_values(a[0].doc, col))
        sb = within_run_se(_step_values(b[0].doc, col))
        if math.isfinite(sa) and math.isfinite(sb):
            row["_step_se"] = math.sqrt(sa ** 2 + sb ** 2)
    return row


def _interval(row: dict[str, Any], level: float) -> None:
    """Fill ``ci_lo``/``ci_hi`` (t on the run level) and ``step_ci_*`` (normal) at ``level``."""
    from scipy import stats

    row["conf"] = level
    se, d = row.pop("_se", math.nan), row["diff"]
    if math.isfinite(se):
        h = float(stats.t.ppf(0.5 + level / 2.0, row["df"])) * se
        row.update(ci_lo=d - h, ci_hi=d + h)
    step_se = row.pop("_step_se", math.nan)
    if math.isfinite(step_se):
        h = float(stats.norm.ppf(0.5 + level / 2.0)) * step_se
        row.update(step_ci_lo=d - h, step_ci_hi=d + h)


def _resolve_sides(a: Any, b: Any, by: str | None, source: Any, runner: str | None,
                   steps: bool) -> tuple[str, str, list[tuple[str, Mapping[str, Any]]], list[tuple[str, Mapping[str, Any]]],
                                         list[tuple[str, Mapping[str, Any]]]]:
    if by is None:
        if a is None or b is None:
            raise InputError("compare needs two sides: two runs (JSON files), two folders, or by= a tag")
        da, db = _as_docs(a), _as_docs(b)
        pool = da + db
        la = str(a) if isinstance(a, str | os.PathLike) else "A"
        lb = str(b) if isinstance(b, str | os.PathLike) else "B"
    else:
        if source is None:
            raise InputError(f"compare by={by!r} needs source= (the folder of results to group)")
        pool = _as_docs(source)
        if runner is not None:
            pool = [x for x in pool if _runner_of((x[1].get("input") or {}).get("tags") or {}) == runner]
        values: dict[str, int] = {}
        for _, doc in pool:
            v = ((doc.get("input") or {}).get("tags") or {}).get(by)
            if v is not None:
                values[str(v)] = values.get(str(v), 0) + 1
        if a is None and b is None:
            if len(values) != 2:
                raise InputError(f"tag {by!r} has {len(values)} values ({', '.join(sorted(values)) or 'none'}); "
                                 "name the two to compare")
            a, b = sorted(values)
        for v in (a, b):
            if str(v) not in values:
                raise InputError(f"no result has the tag {by}={v} (found: {', '.join(sorted(values)) or 'none'})")
        da = [x for x in pool if str(((x[1].get("input") or {}).get("tags") or {}).get(by)) == str(a)]
        db = [x for x in pool if str(((x[1].get("input") or {}).get("tags") or {}).get(by)) == str(b)]
        la, lb = f"{by}={a}", f"{by}={b}"
    if steps:  # the step-level interval of a single run needs its steps (read only then)
        da, db = (_with_steps(side) if len(side) == 1 else side for side in (da, db))
    return la, lb, da, db, pool


def _with_steps(side: list[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, Mapping[str, Any]]]:
    name, doc = side[0]
    if not doc.get("steps") and doc.get("_path"):
        doc = load_result(doc["_path"], steps=True)
    return [(name, doc)]


def compare(a: Any = None, b: Any = None, *, by: str | None = None, source: Any = None,
            metrics: Sequence[str] | None = None, noise_from: Any = None, runner: str | None = None,
            confidence: float = 0.95) -> Comparison:
    """Compare two runs or two groups of runs, with run-to-run noise taken into account.

    Parameters
    ----------
    a, b : path, folder, Analysis, result dict, or a list of those; or tag values with ``by``
        The two sides. A folder stands for every JSON result under it.
    by : str, optional
        A tag name (e.g. ``"shoe"``): the sides are the results in ``source`` whose tag equals
        ``a`` and ``b`` (the tag's two values when both are omitted).
    source : folder or list, optional
        Where to find results for ``by``.
    metrics : sequence of str, optional
        Keys of :data:`COMPARE_METRICS` (default: all that either side measured).
    noise_from : folder or list, optional
        The runner's other results, for the run-to-run noise when a side has a single run.
    runner : str, optional
        Keep only this runner's results (``athlete``/``runner`` tag).
    confidence : float, default 0.95
        Family-wise level: each of ``m`` intervals is at ``1 - (1 - confidence) / m``.

    Returns
    -------
    Comparison
    """
    if not 0.5 <= confidence < 1.0:
        raise InputError(f"confidence must be between 0.5 and 1, found {confidence}")
    unknown = sorted(set(metrics or ()) - set(COMPARE_METRICS))
    if unknown:
        raise InputError(f"unknown metric(s) {unknown}; expected some of {', '.join(COMPARE_METRICS)}")
    la, lb, da, db, pool = _resolve_sides(a, b, by, source, runner, steps=True)
    ra, rb, rpool = _runs(da), _runs(db), _runs(pool)
    _shock_attenuation(ra, rpool)
    _shock_attenuation(rb, rpool)
    notes: list[str] = []
    overlap = {n for n, _ in da} & {n for n, _ in db}
    if overlap:
        raise InputError(f"the same run is on both sides: {sorted(overlap)[0]}")
    who = {_runner_of((d.get("input") or {}).get("tags") or {}) for _, d in da + db}
    if len(who - {UNTAGGED}) > 1:
        notes.append(f"the sides hold runs of several runners ({', '.join(sorted(who))}): a comparison is "
                     "meaningful for one runner at a time (runner=...)")
    me = runner or (next(iter(who)) if len(who) == 1 else None)
    import pandas as pd

    rows = []
    placements = sorted({r.placement for r in ra + rb if r.placement}) or [None]
    for place in placements:
        sa = [r for r in ra if r.placement == place or place is None]
        sb = [r for r in rb if r.placement == place or place is None]
        if not sa or not sb:
            if sa or sb:
                notes.append(f"{place} results are on one side only: not compared")
            continue
        noise: dict[str, tuple[float, int]] = {}
        if noise_from is not None:
            noise = _noise_from_history(noise_from, me, place)
            if not noise:
                notes.append(f"no usable {place or ''} runs of {me or 'this runner'} in {noise_from} (at least 3 "
                             "needed) to measure run-to-run noise")
        keys = list(metrics) if metrics else [k for k in COMPARE_METRICS
                                               if any(math.isfinite(r.values.get(k, math.nan)) for r in sa + sb)]
        for key in keys:
            row = _compare_metric(key, sa, sb, noise)
            row["placement"] = place if len(placements) > 1 else (place or "")
            rows.append(row)
        spa = np.nanmean([r.values["speed_mps"] for r in sa]) if any(
            math.isfinite(r.values["speed_mps"]) for r in sa) else math.nan
        spb = np.nanmean([r.values["speed_mps"] for r in sb]) if any(
            math.isfinite(r.values["speed_mps"]) for r in sb) else math.nan
        if math.isfinite(spa) and math.isfinite(spb) and abs(spb - spa) > SPEED_MATCH_MPS:
            notes.append(f"mean speeds differ ({spa:.2f} vs {spb:.2f} m/s): cadence, contact time and impact "
                         "change with speed, so part of any difference may be the speed")
    m = max(1, sum(1 for r in rows if r["method"] != "none" and r.get("verdict") != "not measured"))
    level = 1.0 - (1.0 - confidence) / m
    for r in rows:
        _interval(r, level)
        r["p_adj"] = min(1.0, m * r["p"]) if math.isfinite(r["p"]) else math.nan
        if r.get("verdict") == "not measured":
            continue
        if r["method"] == "none":
            r["verdict"] = "cannot tell (one run a side: run-to-run noise unknown)"
        elif math.isfinite(r["ci_lo"]) and (r["ci_lo"] > 0 or r["ci_hi"] < 0):
            r["verdict"] = ("B higher" if r["diff"] > 0 else "B lower") + " (beyond run-to-run noise)"
        else:
            r["verdict"] = "no clear difference (within run-to-run noise)"
    if any(r["method"] == "none" for r in rows):
        notes.append("with one run a side, run-to-run noise cannot be estimated: repeat each condition 2-3 times, "
                     f"or give {option('noise_from')} with the runner's other runs. The step-level interval "
                     "shown ignores run-to-run noise and is far too narrow to judge two runs.")
    if metrics is None or "shock_attenuation_db" in (metrics or ()):
        if not any(r["metric"] == "shock_attenuation_db" and r["n_a"] and r["n_b"] for r in rows) and \
                any(r.placement == "shoe" for r in ra + rb):
            notes.append("shock attenuation not measured: it needs a waist result of the same session next to "
                         "each shoe result (two sensors)")
    columns = ["metric", "label", "unit", "placement", "n_a", "n_b", "mean_a", "mean_b", "diff", "ci_lo", "ci_hi",
               "pct_diff", "effect_size", "noise_sd", "df", "p", "p_adj", "conf", "method", "step_ci_lo",
               "step_ci_hi", "verdict"]
    table = pd.DataFrame(rows, columns=columns)
    return Comparison(a=la, b=lb, runs_a=[n for n, _ in da], runs_b=[n for n, _ in db], table=table, notes=notes)
