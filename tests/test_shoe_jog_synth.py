"""The shoe cases that fooled the pipeline on real data, rebuilt in gaitlab.synth with exact truth.

* slow jogging with long contacts (duty factor 0.38-0.47 at 152 spm): timed right, all running;
* a saturating accelerometer: clipped impacts flagged and never reported, the others untouched;
* an accelerometer-only clip with standing and a walking break: every stride found, running
  never reported as standing, toe-off and the gyro metrics null;
* a fast run that starts and ends mid-stride, with and without a gyro: analysed (not refused as
  'wrong units': on a foot the mean specific force over strides is 1.8-2.9 g, not gravity), its
  first and last complete contacts found.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import gaitlab
from gaitlab.gait.saturation import CLIP_BAND, saturation_range
from gaitlab.synth import simulate_shoes
from gaitlab.synth.scenario import SENSOR_PRESETS


def _match(truth_ic: np.ndarray, ic: np.ndarray) -> np.ndarray:
    """Index of the detected contact nearest each true one."""
    return np.abs(truth_ic[:, None] - ic[None, :]).argmin(axis=1)


@pytest.mark.parametrize("gct_ms", [300.0, 340.0, 370.0])
def test_slow_jogging_with_long_contacts_is_timed_and_labelled_running(gct_ms):
    left, _ = simulate_shoes(30.0, fs=200.0, seed=2, speed_mps=1.8, cadence_spm=152.0, gct_ms=gct_ms,
                             mounting="random", noise="realistic")
    truth = left.truth.steps
    steps = gaitlab.analyze(left.recording, placement="shoe", report=False).steps
    j = _match(truth["ic_s"].to_numpy(), steps["ic_s"].to_numpy())
    ic_err = np.abs(steps["ic_s"].to_numpy()[j] - truth["ic_s"].to_numpy()) * 1e3
    to_err = np.abs(steps["to_s"].to_numpy()[j] - truth["to_s"].to_numpy()) * 1e3
    # the truth lists contacts whose stride ends inside the recording: the last one may be extra
    assert np.unique(j).size == len(truth) and len(steps) - len(truth) in (0, 1)
    # 200 Hz: the quantisation floor is 5 ms (running_science.md 4.5)
    assert np.mean(ic_err) <= 5.0 and np.mean(to_err) <= 5.0
    df_true = np.nanmedian(truth["gct_ms"] / truth["stride_time_ms"])
    assert 0.37 < df_true < 0.48
    assert abs(np.nanmedian(steps["duty_factor"]) - df_true) <= 0.01
    assert (steps["activity"] == "running").all()


def _clipping_run(range_g: float, fs: float):
    model = dataclasses.replace(SENSOR_PRESETS["clean"], acc_range_g=range_g)
    left, _ = simulate_shoes(30.0, fs=fs, seed=3, noise=model, mounting="upright")
    return left, gaitlab.analyze(left.recording, placement="shoe", report=False)


@pytest.mark.parametrize("range_g", [6.0, 8.0])
def test_saturating_sensor_flags_clipped_impacts_and_never_reports_them(range_g):
    left, a = _clipping_run(range_g, 400.0)
    truth, steps = left.truth.steps, a.steps
    assert saturation_range(left.recording.acc) == pytest.approx(range_g, rel=1e-3)
    j = _match(truth["ic_s"].to_numpy(), steps["ic_s"].to_numpy())
    flagged = steps["impact_clipped"].to_numpy()[j]
    true_imp = truth["impact_g"].to_numpy()
    above, below = true_imp > 1.1 * range_g, true_imp < 0.9 * range_g
    assert above.any() and (below.any() or range_g < 8.0)  # at +-6 g every impact is beyond
    assert flagged[above].all() and not flagged[below].any()
    assert steps.loc[steps["impact_clipped"], "impact_g"].isna().all()
    assert steps.loc[steps["impact_clipped"], "loading_rate_gps"].isna().all()
    # a clipped peak is never reported as the impact
    assert not (steps["impact_g"] >= CLIP_BAND * range_g).any()
    # the unclipped contacts keep their impact (sensor band limit: within 15 %)
    ok = below & ~flagged
    if ok.any():
        rel = np.abs(steps["impact_g"].to_numpy()[j][ok] / true_imp[ok] - 1.0)
        assert np.median(rel) < 0.15
    s = a.summary
    assert s["impact_clipped_contacts"] == int(steps["impact_clipped"].sum()) > 0
    assert "clipped" in s["impact_note"]


def test_a_rail_the_reader_found_counts_as_on_the_waist():
    """A reader's signed rail level (``meta['acc_clipped_g']``, e.g. a Shimmer's -2.55 g) marks the
    same contacts as the range read from the signal, by magnitude."""
    left, a = _clipping_run(6.0, 400.0)
    stated = gaitlab.analyze(left.recording.replace(meta={**left.recording.meta, "acc_clipped_g": -6.0}),
                             placement="shoe", report=False)
    np.testing.assert_array_equal(stated.steps["impact_clipped"], a.steps["impact_clipped"])
    assert a.steps["impact_clipped"].any()


def test_saturation_at_200_hz_and_an_unsaturated_sensor():
    # at 200 Hz the anti-alias filter rounds the clipped tops off: still no reading near the
    # range is reported as an impact
    left, a = _clipping_run(6.0, 200.0)
    assert a.steps["impact_clipped"].sum() > 0
    assert not (a.steps["impact_g"] >= CLIP_BAND * 6.0).any()
    # the default synthetic sensor (+-16 g) never reaches its range: nothing flagged, no note,
    # even though its peaks come close to 8 g (a pile-up under a smaller scale is no evidence)
    left, _ = simulate_shoes(70.0, fs=200.0, seed=7, mounting="random", noise="realistic")
    assert saturation_range(left.recording.acc) is None
    a = gaitlab.analyze(left.recording, placement="shoe", report=False)
    assert not a.steps["impact_clipped"].any() and a.summary["impact_note"] is None


@pytest.mark.parametrize("fs", [100.0, 200.0])
def test_accelerometer_only_run_finds_every_stride_and_never_reports_running_as_standing(fs):
    model = dataclasses.replace(SENSOR_PRESETS["realistic"], acc_range_g=8.0)
    left, _ = simulate_shoes(180.0, fs=fs, seed=11, gyro=False, noise=model, mounting="random",
                             standing_s=(10.0, 10.0), walking=((60.0, 90.0),), speed_mps=2.8, cadence_spm=160.0)
    assert not left.recording.has_gyro
    truth = left.truth.steps
    a = gaitlab.analyze(left.recording, placement="shoe", report=False)
    steps, s = a.steps, a.summary
    j = _match(truth["ic_s"].to_numpy(), steps["ic_s"].to_numpy())
    err = np.abs(steps["ic_s"].to_numpy()[j] - truth["ic_s"].to_numpy()) * 1e3
    run = (truth["activity"] == "running").to_numpy()
    # every stride found; running landings timed within two samples (the synthetic walking
    # heel strike is softer than its foot-flat slap, see docs/shoe.md)
    assert np.unique(j).size == len(truth)
    assert np.median(err[run]) <= 2000.0 / fs
    assert (steps["activity"].to_numpy()[j] == truth["activity"].to_numpy()).mean() >= 0.97
    true_stride = truth["stride_time_ms"].to_numpy() / 1000.0
    run_s = float(np.nansum(true_stride[run]))
    walk_s = float(np.nansum(true_stride[~run]))
    assert abs(s["running_s"] - run_s) <= 2.0 and abs(s["walking_s"] - walk_s) <= 3.0
    assert s["standing_s"] <= 20.0 + 4.0  # 20 s standing in the scenario
    assert abs(s["cadence_spm"] - 160.0) <= 2.0
    # what needs the gyroscope is null, and the summary says why
    for col in ("to_s", "gct_ms", "duty_factor", "foot_strike_angle_deg", "pronation_deg", "stride_length_m"):
        assert steps[col].isna().all(), col
    assert "gyroscope" in s["no_gyro_note"]


@pytest.mark.parametrize("gyro", [True, False])
@pytest.mark.parametrize("speed_mps, cadence_spm", [(3.8, 178.0), (4.5, 185.0)])
def test_fast_run_cut_mid_stride_is_analysed_with_its_edge_contacts(speed_mps, cadence_spm, gyro):
    model = dataclasses.replace(SENSOR_PRESETS["realistic"], acc_range_g=16.0)
    left, _ = simulate_shoes(40.0, fs=100.0, seed=5, gyro=gyro, noise=model, mounting="random",
                             speed_mps=speed_mps, cadence_spm=cadence_spm)
    acc = left.recording.acc
    assert np.linalg.norm(acc.mean(axis=0)) > 1.5  # the case that was refused: far from 1 g
    truth = left.truth.steps
    t_ic = truth["ic_s"].to_numpy()
    # cut 0.3 s after one landing (mid-stance) and 0.1 s before a later one (late swing)
    t0, t1 = t_ic[5] + 0.3, t_ic[-6] - 0.1
    a = gaitlab.analyze(left.recording.slice(t0, t1), placement="shoe", report=False)
    ic = a.steps["ic_s"].to_numpy()
    inside = t_ic[(t_ic > t0 + 0.05) & (t_ic < t1 - 0.05)]
    j = _match(inside, ic)
    # every complete contact, the first and the last included, and nothing else
    assert np.unique(j).size == inside.size == ic.size
    assert np.abs(ic[j] - inside).max() <= 0.02
    assert abs(a.summary["cadence_spm"] - cadence_spm) <= 1.0
