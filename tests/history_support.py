"""Generated seasons of JSON results (schema 1) with known trends, for history/compare tests and the
speed benchmark.

Each run is drawn from a two-level model: the run's true mean = the runner's level on that day
(plus any planned trend) + run-to-run noise (``run_sd``); its steps scatter around that mean with
the step-to-step SD (``step_sd``). The JSON has the layout ``Analysis.to_json`` writes (input,
summary, steps, segments, gaps, flags, params), so the fast reader is tested on the real layout.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

#: Run-to-run SDs of the generated runner (the same order as a recreational runner's day-to-day
#: spread at an easy pace) and step-to-step SDs within a run.
RUN_SD = {"cadence_spm": 2.0, "gct_ms": 6.0, "vo_cm": 0.3, "impact_g": 0.08, "loading_rate_gps": 6.0}
STEP_SD = {"cadence_spm": 4.0, "gct_ms": 12.0, "vo_cm": 0.6, "impact_g": 0.25, "loading_rate_gps": 20.0}
BASE = {"cadence_spm": 166.0, "gct_ms": 255.0, "vo_cm": 9.0, "impact_g": 2.6, "loading_rate_gps": 95.0}


def make_result(rng: np.random.Generator, *, start: datetime | None, means: Mapping[str, float],
                tags: Mapping[str, str] | None = None, minutes: int = 20, n_steps: int | None = None,
                placement: str = "waist", device: str | None = "synthetic IMU", speed_mps: float = 3.0,
                path: str = "run.csv") -> dict[str, Any]:
    """One JSON result whose steps scatter around ``means`` (the run's true values)."""
    n = n_steps if n_steps is not None else int(minutes * means["cadence_spm"])
    cad = means["cadence_spm"] + STEP_SD["cadence_spm"] * rng.standard_normal(n)
    step_ms = 60000.0 / cad
    ic = np.concatenate(([0.0], np.cumsum(step_ms[:-1]) / 1000.0))
    cols = {k: means[k] + STEP_SD[k] * rng.standard_normal(n) for k in ("gct_ms", "vo_cm", "impact_g",
                                                                          "loading_rate_gps")}
    side = np.where(np.arange(n) % 2 == 0, "L", "R")
    steps = [{"ic_s": round(float(ic[i]), 6), "to_s": round(float(ic[i] + cols["gct_ms"][i] / 1000), 6),
              "side": str(side[i]), "gct_ms": round(float(cols["gct_ms"][i]), 3),
              "flight_ms": round(float(step_ms[i] - cols["gct_ms"][i]), 3), "step_time_ms": round(float(step_ms[i]), 3),
              "vo_cm": round(float(cols["vo_cm"][i]), 3), "impact_g": round(float(cols["impact_g"][i]), 4),
              "valid": True, "loading_rate_gps": round(float(cols["loading_rate_gps"][i]), 2), "braking_mps": None,
              "pelvic_tilt_deg": None, "pelvic_drop_deg": None, "activity": "running"} for i in range(n)]
    duration = float(ic[-1] + step_ms[-1] / 1000.0)
    segs = []
    for m in range(int(math.ceil(duration / 60.0))):
        sel = (ic >= 60 * m) & (ic < 60 * (m + 1))
        if not sel.any():
            continue
        segs.append({"start_s": 60.0 * m, "end_s": 60.0 * (m + 1),
                     "cadence_spm": float(60000.0 / step_ms[sel].mean()), "gct_ms": float(cols["gct_ms"][sel].mean()),
                     "vo_cm": float(cols["vo_cm"][sel].mean()), "flight_ms": None, "n_steps": int(sel.sum()),
                     "running_s": float(step_ms[sel].sum() / 1000.0)})
    summary = {"n_steps": n, "cadence_spm": float(60000.0 / step_ms.mean()),
               "gct_ms": float(cols["gct_ms"].mean()), "flight_ms": float((step_ms - cols["gct_ms"]).mean()),
               "vo_cm": float(cols["vo_cm"].mean()), "vertical_ratio_pct": None, "gct_balance_left_pct": 50.0,
               "step_time_asymmetry_pct": 0.5, "running_s": duration, "n_valid_steps": n,
               "impact_g": float(cols["impact_g"].mean()), "loading_rate_gps": float(cols["loading_rate_gps"].mean()),
               "speed_mps": speed_mps}
    return {"schema": 1, "gaitlab_version": "test",
            "input": {"path": path, "format": "synth", "fs_hz": 100.0, "duration_s": duration, "placement": placement,
                      "device": device, "start_time": None if start is None else start.isoformat(),
                      "tags": dict(tags or {})},
            "summary": summary, "steps": steps, "segments": segs, "gaps": [],
            "flags": [{"code": "low_cadence", "severity": "info", "message": "m", "evidence": {"segments": 1},
                       "source": "s", "advice": "a"}],
            "params": {"segment_s": 60.0}}


def write_json(doc: Mapping[str, Any], path: Path, indent: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=indent, allow_nan=False) + "\n", encoding="utf-8")
    return path


def season(out: Path, *, seed: int = 0, weeks: int = 6, runs_per_week: int = 4,
           trend: Mapping[str, float] | None = None, tags: Mapping[str, str] | None = None,
           start: datetime = datetime(2024, 3, 4, 7, 0), minutes: int = 10, offset: str = "+01:00",
           base: Mapping[str, float] | None = None, prefix: str = "run") -> list[Path]:
    """``weeks x runs_per_week`` results; ``trend`` = total change per metric over the season
    (e.g. ``{"cadence_spm": 5.0}``: a cadence raised 5 spm over the weeks, linearly)."""
    rng = np.random.default_rng(seed)
    base = dict(BASE if base is None else base)
    n = weeks * runs_per_week
    paths = []
    for i in range(n):
        day = (7 * weeks - 1) * i / max(n - 1, 1)
        when = start + timedelta(days=round(day), hours=float(rng.uniform(0, 3)))
        frac = day / (7 * weeks - 1)
        means = {k: base[k] + (trend or {}).get(k, 0.0) * frac + RUN_SD[k] * rng.standard_normal() for k in base}
        doc = make_result(rng, start=None, means=means, tags=tags, minutes=minutes, path=f"{prefix}{i:03d}.csv")
        doc["input"]["start_time"] = when.isoformat() + offset
        paths.append(write_json(doc, out / f"{prefix}{i:03d}.csv.json", indent=1 if i % 2 else None))
    return paths
