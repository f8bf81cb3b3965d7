"""Ground truth of a synthetic recording: per-step table, summary and scenario parameters.

Column names follow the analysis output (:mod:`gaitlab.schema`): ``ic_s, to_s, side,
gct_ms, flight_ms, step_time_ms, vo_cm, impact_g, ...``. Times are on the recording's own time axis
(device clock); durations are measured on that axis too.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Truth", "waist_summary", "shoe_summary", "symmetry_index_pct", "TRUTH_SCHEMA"]

TRUTH_SCHEMA = 1


def symmetry_index_pct(left: float, right: float) -> float:
    """Robinson symmetry index ``200 |L - R| / (L + R)`` (%)."""
    return float(200.0 * abs(left - right) / (left + right)) if (left + right) else float("nan")


def _mean(x) -> float | None:
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else None


def waist_summary(steps, extra: dict[str, Any]) -> dict[str, Any]:
    """Summary of waist truth over valid running steps (means; balance from side means)."""
    run = steps[(steps["activity"] == "running") & steps["valid"]]
    left, right = run[run["side"] == "L"], run[run["side"] == "R"]
    gct_l, gct_r = _mean(left["gct_ms"]), _mean(right["gct_ms"])
    st_l, st_r = _mean(left["step_time_ms"]), _mean(right["step_time_ms"])
    step_ms = _mean(run["step_time_ms"])
    gct = _mean(run["gct_ms"])
    balance = 100.0 * gct_l / (gct_l + gct_r) if gct_l and gct_r else None
    vo = _mean(run["vo_cm"])
    sl = _mean(run["step_length_m"])
    out = {
        "n_steps": int(len(steps)),
        "n_running_steps": int(len(run)),
        "cadence_spm": 60000.0 / step_ms if step_ms else None,
        "gct_ms": gct,
        "flight_ms": _mean(run["flight_ms"]),
        "step_time_ms": step_ms,
        "duty_factor": gct / (2.0 * step_ms) if gct and step_ms else None,
        "vo_cm": vo,
        "speed_mps": _mean(run["speed_mps"]),
        "step_length_m": sl,
        "vertical_ratio_pct": _mean(run["vo_cm"] / run["step_length_m"]) if len(run) else None,
        "gct_balance_left_pct": balance,
        "gct_symmetry_index_pct": abs(4.0 * balance - 200.0) if balance is not None else None,
        "step_time_asymmetry_pct": symmetry_index_pct(st_l, st_r) if st_l and st_r else None,
        "impact_g": _mean(run["impact_g"]),
        "peak_g": _mean(run["peak_g"]),
        "braking_mps": _mean(run["braking_mps"]),
        "pelvic_tilt_deg": _mean(run["pelvic_tilt_deg"]),
        "pelvic_drop_left_deg": _mean(left["pelvic_drop_deg"]),
        "pelvic_drop_right_deg": _mean(right["pelvic_drop_deg"]),
    }
    out.update(extra)
    return out


def shoe_summary(contacts, extra: dict[str, Any]) -> dict[str, Any]:
    """Summary of one foot's truth over valid running contacts (means)."""
    run = contacts[(contacts["activity"] == "running") & contacts["valid"]]
    counts = contacts["strike_class"].value_counts()
    out = {
        "n_contacts": int(len(contacts)),
        "n_running_contacts": int(len(run)),
        "gct_ms": _mean(run["gct_ms"]),
        "stride_time_ms": _mean(run["stride_time_ms"]),
        "cadence_spm": 120000.0 / _mean(run["stride_time_ms"]) if len(run) else None,
        "stride_length_m": _mean(run["stride_length_m"]),
        "foot_strike_angle_deg": _mean(run["foot_strike_angle_deg"]),
        "strike_class": str(run["strike_class"].mode().iloc[0]) if len(run) else None,
        "strike_class_counts": {str(k): int(v) for k, v in counts.items()},
        "impact_g": _mean(run["impact_g"]),
        "speed_mps": _mean(run["speed_mps"]),
    }
    out.update(extra)
    return out


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.bool_ | bool):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        x = float(x)
        return x if math.isfinite(x) else None
    return x


@dataclass
class Truth:
    """What a synthetic recording really contains.

    Attributes
    ----------
    steps : pandas.DataFrame
        One row per step (waist) or per contact (shoe), see :data:`WAIST_COLUMNS` /
        :data:`SHOE_COLUMNS` in :mod:`gaitlab.synth.api`. ``valid`` is False for steps touching a gap
        and for the first/last step of a start or stop (transition steps).
    summary : dict
        Means over valid running steps plus recording-level facts (``fs_hz``, ``duration_s``,
        ``running_s``, ``walking_s``, ``standing_s``...).
    params : dict
        The scenario and the drawn sensor (mounting matrix, scale, bias) that produced the signal.
    gaps : ndarray, shape (k, 2)
        ``[t_before, t_after]`` of each run of removed samples (s, recording time axis).
    placement : {'waist', 'shoe'}
    side : {'L', 'R'} or None
    """

    steps: Any
    summary: dict[str, Any]
    params: dict[str, Any]
    gaps: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    placement: str = "waist"
    side: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN becomes null)."""
        records = []
        for row in self.steps.to_dict(orient="records"):
            records.append(_jsonable(row))
        return {
            "schema": TRUTH_SCHEMA,
            "kind": "gaitlab.synth.truth",
            "placement": self.placement,
            "side": self.side,
            "summary": _jsonable(self.summary),
            "params": _jsonable(self.params),
            "gaps": [{"start_s": float(a), "end_s": float(b)} for a, b in np.asarray(self.gaps).reshape(-1, 2)],
            "columns": list(self.steps.columns),
            "steps": records,
        }

    def to_json(self, path: str | Path | None = None, *, indent: int | None = 1) -> str:
        """Serialise; writes to ``path`` when given. Returns the JSON text."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Truth:
        import pandas as pd

        from ..errors import InputError

        if d.get("kind") != "gaitlab.synth.truth" or d.get("schema") != TRUTH_SCHEMA:
            raise InputError(f"not a gaitlab synth truth file of schema {TRUTH_SCHEMA}: "
                             f"kind={d.get('kind')!r}, schema={d.get('schema')!r}")
        cols = d["columns"]
        steps = pd.DataFrame.from_records(d["steps"], columns=cols)
        for c in cols:
            if c in ("side", "activity", "strike_class"):
                steps[c] = steps[c].astype("str")
            elif c in ("valid", "in_gap"):
                steps[c] = steps[c].astype(bool)
            else:
                steps[c] = pd.to_numeric(steps[c], errors="coerce").astype(np.float64)
        gaps = np.array([[g["start_s"], g["end_s"]] for g in d.get("gaps", [])], dtype=np.float64).reshape(-1, 2)
        return cls(steps=steps, summary=dict(d["summary"]), params=dict(d["params"]), gaps=gaps,
                   placement=d.get("placement", "waist"), side=d.get("side"))

    @classmethod
    def from_json(cls, path_or_text: str | Path) -> Truth:
        """Read a truth file written by :meth:`to_json` (a path, or the JSON text itself)."""
        from ..errors import InputError

        text = str(path_or_text)
        if not text.lstrip().startswith("{"):
            try:
                text = Path(path_or_text).read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot read truth file: {exc.strerror}", path=str(path_or_text)) from None
        try:
            d = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", line=exc.lineno) from None
        return cls.from_dict(d)
