"""REAL DATA: walking on a lower-back sensor against the INDIP reference (issue 13 targets).

Skipped when ``../shared/data/real`` is absent (see tests/real_support.py). The scoring is the one
of ``benchmarks/real/waist_walking.py``: one-to-one matching within +-100 ms inside each of the
reference's walking bouts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .real_support import REAL_ROOT, real_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.fixture(scope="module")
def scored():
    real_path("waist_walking_indip", "reference_initial_contacts.csv")
    from real.waist_walking import score

    return score(REAL_ROOT)


def test_walking_ic_detection_and_timing(scored):
    _, tot = scored
    assert tot["f1"] >= 0.80, tot
    assert tot["median_abs_ms"] <= 50.0, tot
    assert abs(tot["bias_ms"]) <= 30.0, tot  # was 50-86 ms early with the 1 g crossing


def test_walking_sides_are_not_inverted(scored):
    _, tot = scored
    assert tot["side_acc"] >= 0.90, tot


def test_walking_steps_are_labelled_walking(scored):
    _, tot = scored
    assert tot["walking_frac"] >= 0.95, tot


def test_orientation_forward_is_forward_in_walking():
    """The file is in the sensor's own frame (x up, y right, z forward): forward must come out +z."""
    import numpy as np

    import gaitlab
    from gaitlab.gait.orientation import estimate_orientation

    rec = gaitlab.read(real_path("waist_walking_indip", "HA001_Test5_Trial1.csv.gz"), placement="waist")
    ori = estimate_orientation(rec.acc, rec.fs)
    fwd = ori.rot[0, 0]
    assert fwd @ np.array([0.0, 0.0, 1.0]) > 0.9
    assert ori.rot[0, 1] @ np.array([0.0, -1.0, 0.0]) > 0.9  # left = -y (y points right)
