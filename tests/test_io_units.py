"""The units check (gaitlab.io._assemble.check_acc_units) on the edges of the physiological envelope.

Over whole strides the mean specific force is gravity, so mean |acc| >= 1 g for any worn sensor:
a fast runner whose pelvis reads ~0 g most of the time (more flight than contact) is valid, while
values in the wrong unit (mg or m/s^2 declared as g, g declared as m/s^2) are refused by name.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gaitlab import InputError
from gaitlab.io import read
from gaitlab.io._assemble import ACC_UNITS, AccLevels
from gaitlab.synth import simulate_shoes, simulate_waist


def write_csv(path: Path, t: np.ndarray, acc_g: np.ndarray, unit: str = "g", scale: float | None = None) -> Path:
    """A generic CSV with header unit ``unit`` and values ``acc_g / ACC_UNITS[unit]`` (or x ``scale``)."""
    values = acc_g / ACC_UNITS[unit] if scale is None else acc_g * scale
    body = np.column_stack([t, values])
    np.savetxt(path, body, delimiter=",", fmt="%.6f",
               header=f"time_s,acc_x_{unit},acc_y_{unit},acc_z_{unit}", comments="")
    return path


@pytest.fixture(scope="module")
def elite():
    """The issue's case: 185 spm, 165 ms contacts, 5.5 m/s, no standing (median |acc| ~0.3 g)."""
    return simulate_waist(30.0, fs=100.0, seed=0, cadence_spm=185, gct_ms=165, speed_mps=5.5).recording


def test_elite_waist_median_is_far_from_1g_but_the_mean_is_not(elite):
    mag = np.linalg.norm(elite.acc, axis=1)
    assert np.median(mag) < 0.5  # what refused the run before
    levels = AccLevels.of(elite.t, elite.acc)
    assert levels.mean_norm == pytest.approx(1.0, abs=0.05)
    assert levels.gravity == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("unit", ["g", "mps2", "mg"])
def test_elite_waist_is_accepted_in_every_unit(tmp_path, elite, unit):
    rec = read(write_csv(tmp_path / f"elite_{unit}.csv", elite.t, elite.acc, unit))
    np.testing.assert_allclose(rec.acc, elite.acc, atol=1e-6)  # 6 decimals in the file unit


def test_fast_shoe_is_accepted(tmp_path):
    """A foot at 6 m/s reads a mean |acc| of several g (swing): still a valid run, not m/s^2."""
    left, _ = simulate_shoes(10.0, fs=400.0, seed=0, cadence_spm=210, gct_ms=140, speed_mps=6.0)
    rec = left.recording
    assert AccLevels.of(rec.t, rec.acc).mean_norm > 4.0
    for unit in ("g", "mps2"):
        read(write_csv(tmp_path / f"shoe_{unit}.csv", rec.t, rec.acc, unit))


@pytest.mark.parametrize("true_unit,declared,says", [
    ("mg", "g", "looks like mg but the header says g"),
    ("mps2", "g", "looks like m/s^2 but the header says g"),
    ("g", "mps2", "looks like g but the header says m/s^2"),
    ("mps2", "mg", "looks like m/s^2 but the header says mg"),
])
def test_wrong_units_are_refused_by_name(tmp_path, elite, true_unit, declared, says):
    path = write_csv(tmp_path / "x.csv", elite.t, elite.acc, declared, scale=1.0 / ACC_UNITS[true_unit])
    with pytest.raises(InputError, match="implausible units") as err:
        read(path)
    assert says in err.value.message
    assert f"acc_unit={true_unit!r}" in err.value.message


def test_wrong_units_are_refused_for_a_fast_runner_too(tmp_path):
    """mg values declared as g, for the runner whose median |acc| fooled the old check."""
    rec = simulate_waist(20.0, fs=100.0, seed=3, cadence_spm=200, gct_ms=150, speed_mps=6.0).recording
    with pytest.raises(InputError, match="looks like mg but the header says g"):
        read(write_csv(tmp_path / "x.csv", rec.t, rec.acc, "g", scale=1000.0))


def test_standing_still_in_wrong_units_is_caught_by_the_rest_level(tmp_path):
    """At rest |f| is exactly 1 g: 9.81 declared as g is refused even where the mean alone is ambiguous."""
    t = np.arange(0, 20, 0.01)
    acc = np.tile([0.0, 0.0, 1.0], (t.size, 1)) + 0.001 * np.random.default_rng(0).standard_normal((t.size, 3))
    levels = AccLevels.of(t, acc)
    assert levels.still == pytest.approx(1.0, abs=0.01)
    read(write_csv(tmp_path / "ok.csv", t, acc, "g"))
    with pytest.raises(InputError, match="looks like m/s\\^2 but the header says g"):
        read(write_csv(tmp_path / "x.csv", t, acc, "g", scale=9.80665))


def test_all_zero_accelerometer_is_refused_plainly(tmp_path):
    t = np.arange(0, 5, 0.01)
    with pytest.raises(InputError, match="reads exactly 0 on all three axes"):
        read(write_csv(tmp_path / "zero.csv", t, np.zeros((t.size, 3))))


def test_gravity_free_linear_acceleration_is_refused(tmp_path, elite):
    lin = elite.acc - elite.acc.mean(axis=0)  # momentum: the gravity-free signal averages to 0
    with pytest.raises(InputError, match="gravity is missing"):
        read(write_csv(tmp_path / "lin.csv", elite.t, lin, "mps2"))
