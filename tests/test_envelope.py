"""Property tests over the physiological envelope of running (issue 15): no valid run is refused.

Every synthetic run inside the envelope (150-210 steps/min, contacts 140-350 ms, flight up to
150 ms, speed up to 6 m/s, any sensor mounting rotation, acceleration written in g or m/s^2, with
or without standing at the start) goes through the file reader (units check included) and the
analysis, and its cadence comes out within 0.5 steps/min of the generator's ground truth.

Kept fast for CI: short runs, few examples, no deadline (the first example compiles the kernels).
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

import gaitlab
from gaitlab.io import read
from gaitlab.synth import Mounting, simulate_shoes, simulate_waist
from gaitlab.validation import match_events

#: Envelope limits (running_science.md: recreational to elite running).
CADENCE_SPM = (150.0, 210.0)
GCT_MS = (140.0, 350.0)
#: Flight from 30 ms: the generator needs every step airborne, and its 1 % step-time variability
#: (~4 ms) must not close the flight of a near-grounded run.
FLIGHT_MS = (30.0, 150.0)
SPEED_MPS = (2.0, 6.0)
#: Cadence accuracy asked of every run in the envelope (steps/min).
CADENCE_TOL_SPM = 0.5
EXAMPLES = int(os.environ.get("GAITLAB_ENVELOPE_EXAMPLES", "40"))

UNITS = {"g": 1.0, "mps2": 9.80665}


@st.composite
def gaits(draw):
    """(cadence spm, contact ms, speed m/s): contact = step time - flight, both in the envelope."""
    cadence = draw(st.floats(*CADENCE_SPM))
    flight = draw(st.floats(*FLIGHT_MS))
    gct = 60_000.0 / cadence - flight
    assume(GCT_MS[0] <= gct <= GCT_MS[1])
    return cadence, gct, draw(st.floats(*SPEED_MPS))


mountings = st.tuples(st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
#: Standing (s) before and after the run: none, at the start, at the end, both.
standings = st.sampled_from([(0.0, 0.0), (4.0, 0.0), (0.0, 4.0), (4.0, 4.0)])


def _synthesise(make, **kw):
    """The generator's run, or a rejected example where the generator itself cannot render it.

    Known generator limit (reported, gaitlab.synth): the first contact after standing at the start
    of fast short-contact runs needs a negative ground force in its spring-mass model (e.g. 200 spm,
    165 ms). That is the generator's, not the analysis's, so such examples are skipped, not failed.
    """
    try:
        return make(**kw)
    except gaitlab.InputError as exc:
        if "negative ground force" not in str(exc):
            raise
        reject()


def _write(path: Path, t: np.ndarray, acc_g: np.ndarray, unit: str) -> Path:
    np.savetxt(path, np.column_stack([t, acc_g * UNITS[unit]]), delimiter=",", fmt="%.6f",
               header=f"time_s,acc_x_{unit},acc_y_{unit},acc_z_{unit}", comments="")
    return path


def _analysed(path: Path, placement: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "placement inferred": not what is tested here
        rec = read(path)
        return gaitlab.analyze(rec, placement=placement, report=False)


def _check_cadence(analysis, truth_steps, period_column: str, steps_per_period: int) -> None:
    """Cadence within the tolerance of the truth over the same steps, and most steps used.

    The generator ramps into and out of standing, and its truth and the analysis may draw the
    line between ramp and steady running one step apart: the truth's cadence over its own valid
    steps then differs from the steady cadence by up to ~0.5 spm on a 20-s run. So the measured
    cadence is compared with the truth over the truth steps matched to the measured valid running
    steps (each within 50 ms), and those must cover >= 80 % of the truth's valid running steps.
    """
    steps = analysis.steps
    used = steps[steps["valid"] & (steps["activity"] == "running")]
    truth_run = truth_steps[truth_steps["valid"] & (truth_steps["activity"] == "running")]
    d_idx, r_idx = match_events(used["ic_s"].to_numpy(), truth_steps["ic_s"].to_numpy(), 0.05)
    assert d_idx.size >= 0.8 * len(truth_run), (d_idx.size, len(truth_run))
    truth_period = np.nanmean(truth_steps[period_column].to_numpy()[r_idx])
    truth_cadence = 60_000.0 * steps_per_period / truth_period
    assert analysis.summary["cadence_spm"] == pytest.approx(truth_cadence, abs=CADENCE_TOL_SPM)


@pytest.fixture(autouse=True)
def _quiet_logs():
    logging.disable(logging.INFO)
    yield
    logging.disable(logging.NOTSET)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.filter_too_much])
@given(gait=gaits(), euler=mountings, unit=st.sampled_from(sorted(UNITS)),
       standing=standings, seed=st.integers(0, 2**16))
def test_waist_run_in_the_envelope_is_accepted_and_measured(gait, euler, unit, standing, seed):
    cadence, gct, speed = gait
    run = _synthesise(simulate_waist, duration_s=20.0 + sum(standing), fs=100.0, seed=seed, cadence_spm=cadence,
                      gct_ms=gct, speed_mps=speed, standing_s=standing, mounting=Mounting("fixed", euler_deg=euler))
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp) / "run.csv", run.recording.t, run.recording.acc, unit)
        analysis = _analysed(path, "waist")
    _check_cadence(analysis, run.truth.steps, "step_time_ms", 1)


@settings(max_examples=max(EXAMPLES // 3, 3), deadline=None, derandomize=True, suppress_health_check=[HealthCheck.filter_too_much])
@given(gait=gaits(), euler=mountings, unit=st.sampled_from(sorted(UNITS)),
       standing=standings, seed=st.integers(0, 2**16))
def test_shoe_run_in_the_envelope_is_accepted_and_measured(gait, euler, unit, standing, seed):
    cadence, gct, speed = gait
    left, _ = _synthesise(simulate_shoes, duration_s=20.0 + sum(standing), fs=200.0, seed=seed,
                          cadence_spm=cadence, gct_ms=gct, speed_mps=speed, standing_s=standing,
                          mounting=Mounting("fixed", euler_deg=euler))
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp) / "shoe.csv", left.recording.t, left.recording.acc, unit)
        if left.recording.gyr is not None:  # a shoe analysis uses the gyroscope: keep it in the file
            data = np.loadtxt(path, delimiter=",", skiprows=1)
            np.savetxt(path, np.column_stack([data, left.recording.gyr]), delimiter=",", fmt="%.6f",
                       header=f"time_s,acc_x_{unit},acc_y_{unit},acc_z_{unit},gyr_x_dps,gyr_y_dps,gyr_z_dps",
                       comments="")
        analysis = _analysed(path, "shoe")
    _check_cadence(analysis, left.truth.steps, "stride_time_ms", 2)
