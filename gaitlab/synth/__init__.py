"""Physics-based synthetic running signals with exact ground truth (tests, demos, benchmarks).

Waist: Morin's sine-wave spring-mass vertical force extended to unequal steps, braking/propulsion,
ML sway, soft-tissue transients and pelvis rotations (Morin et al. 2005; ``docs/methods.md``). Shoes: a
rigid foot rolling over heel/forefoot and toe with minimum-jerk swing. Scenario layers:
asymmetry, fatigue, cadence schedule, walking and standing, clock error, jitter, gaps, mounting.
Everything is deterministic for a ``seed``.

>>> from gaitlab.synth import simulate_waist
>>> run = simulate_waist(30.0, fs=100.0, seed=0, asymmetry_pct=3.2)
>>> round(run.truth.summary["gct_balance_left_pct"], 1)
50.8
"""

from __future__ import annotations

from .api import (
    SHOE_COLUMNS,
    WAIST_COLUMNS,
    Session,
    SynthRun,
    make_scenario,
    render_shoe,
    render_waist,
    simulate_session,
    simulate_shoes,
    simulate_waist,
)
from .scenario import (
    G_MPS2,
    MOUNTING_PRESETS,
    SENSOR_PRESETS,
    CadenceChange,
    Fatigue,
    FootMotion,
    Gait,
    Gaps,
    Mounting,
    Scenario,
    Segments,
    SensorModel,
    Timing,
    WaistMotion,
)
from .truth import Truth

__all__ = [
    "simulate_waist",
    "simulate_shoes",
    "simulate_session",
    "make_scenario",
    "render_waist",
    "render_shoe",
    "SynthRun",
    "Session",
    "Truth",
    "Scenario",
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
    "SENSOR_PRESETS",
    "MOUNTING_PRESETS",
    "G_MPS2",
    "WAIST_COLUMNS",
    "SHOE_COLUMNS",
]
