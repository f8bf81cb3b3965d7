"""Placement inference (gaitlab.gait.placement): trunk vs foot from physical evidence."""

from __future__ import annotations

import warnings

import pytest

import gaitlab
from gaitlab.gait.placement import infer_placement
from gaitlab.synth import simulate_shoes, simulate_waist
from gaitlab.synth.mounting import simulate_mounted_waist
from tests.real_support import real_path


@pytest.mark.parametrize("cadence, gct, speed", [(150.0, 350.0, 2.0), (170.0, 250.0, 3.5), (200.0, 140.0, 6.0)])
def test_synthetic_feet_and_pelvis(cadence, gct, speed):
    left, _ = simulate_shoes(duration_s=30.0, fs=100.0, seed=1, cadence_spm=cadence, gct_ms=gct,
                             speed_mps=speed, standing_s=(0.0, 10.0))
    waist = simulate_waist(30.0, 100.0, seed=1, cadence_spm=cadence, gct_ms=gct, speed_mps=speed,
                           standing_s=(0.0, 10.0))
    assert infer_placement(left.recording) == "shoe"
    assert infer_placement(waist.recording) == "waist"


def test_a_pocket_phone_is_not_a_shoe():
    """A thigh rotates like a foot but never lies flat, and shows the body's free fall."""
    run = simulate_mounted_waist(30.0, fs=100.0, site="pocket_left", seed=7)
    assert infer_placement(run.recording) == "waist"


@pytest.mark.parametrize("trial", ["trial16", "trial18"])
def test_real_sacrum_with_5g_impacts_is_a_waist(trial):
    """REAL DATA: fast downhill heel strikes reach 5-6 g at the sacrum; its flight reads ~0 g."""
    path = real_path("waist_treadmill_forceplate", f"{trial}.csv.gz")
    assert infer_placement(gaitlab.read(path)) == "waist"


def test_real_pocket_phone_with_gyro_and_real_feet():
    """REAL DATA: a phone in a trouser pocket (with its gyro) vs a foot IMU jogging."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        phone = gaitlab.read(real_path("phone_pocket_jog", "JOG_acc_10_1.txt"))
    assert phone.has_gyro and infer_placement(phone) == "waist"
    foot = gaitlab.read(real_path("foot_jog_vicon_room", "2017-12-15-18-03-05_foot.csv.gz"))
    assert infer_placement(foot) == "shoe"
