"""REAL DATA: the shared foot jogs (benchmarks/real/foot_jog.py) meet the shoe targets of issue 14.

Skipped with a message when ``../shared/data/real/foot_jog_vicon_room`` is absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.real_support import real_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

JOGS = ("2017-11-27-11-24-07", "2017-11-27-11-25-12", "2017-12-15-18-03-05", "2017-12-15-18-02-28")


@pytest.fixture(scope="module")
def refs() -> pd.DataFrame:
    folder = real_path("foot_jog_vicon_room")
    return pd.read_csv(folder / "reference.csv", dtype={"trial": str}).set_index("trial")


def test_reference_cadence_over_the_same_strides():
    """The benchmark's reference cadence is taken over the detected valid strides only (no data)."""
    import numpy as np
    from real.foot_jog import _same_strides_cadence

    # reference stride starts (heel-offs): two slow start-up strides of 1.0 s, then 0.8 s strides
    starts = np.concatenate(([0.0, 1.0], 2.0 + 0.8 * np.arange(11)))
    ic = starts[:-1] - 0.3  # each IC 0.3 s before its stance's heel-off
    stride_ms = np.diff(starts) * 1e3
    assert abs(_same_strides_cadence(starts, ic, stride_ms) - 120.0 / np.mean(np.diff(starts))) < 1e-9
    # the start-up strides left out (as off the rhythm): the reference leaves them out too
    assert abs(_same_strides_cadence(starts, ic[2:], stride_ms[2:]) - 150.0) < 1e-9
    # a stride holding two reference starts (a missed landing) has no reference stride
    assert np.isnan(_same_strides_cadence(starts, ic[2:3], np.array([1600.0])))


@pytest.mark.parametrize("trial", JOGS)
def test_jogging_with_gyro(refs, trial):
    from real.foot_jog import score_trial

    r = score_trial(real_path("foot_jog_vicon_room", f"{trial}_foot.csv.gz"), refs.loc[trial].to_dict())
    assert r["found_pct"] >= 97.0
    assert abs(r["cadence"] - r["ref_cadence"]) <= 2.0
    assert r["df"] < 0.45  # jogging at 150-160 spm: contact time no longer overestimated
    # every jogging stride running, except (1.22 m/s) the two gait-initiation strides of
    # 118-128 spm with DF 0.55-0.56 (see docs/shoe.md)
    assert r["running"] >= min(r["ref_running"], r["found"] - 1) - (1 if trial == JOGS[0] else 0)


@pytest.mark.parametrize("trial", JOGS)
def test_jogging_accelerometer_only(refs, trial):
    from real.foot_jog import score_trial

    r = score_trial(real_path("foot_jog_vicon_room", f"{trial}_foot.csv.gz"), refs.loc[trial].to_dict(), gyro=False)
    assert r["found_pct"] >= 97.0
    # like with like (the reported valid-stride cadence vs the reference over those strides): the
    # issue's 2 spm; it was 2.5 when the whole run's reference mean, including the slow
    # gait-initiation strides flagged off-rhythm without a gyro, was the reference
    assert abs(r["cadence"] - r["ref_cadence"]) <= 2.0
    assert r["running"] >= r["ref_running"] - 5
    assert r["strike_null"] and r["length_null"]


def test_walk_is_walking(refs):
    from real.foot_jog import score_trial

    trial = "2017-11-22-11-40-44"
    for gyro in (True, False):
        r = score_trial(real_path("foot_jog_vicon_room", f"{trial}_foot.csv.gz"), refs.loc[trial].to_dict(), gyro)
        assert r["found_pct"] >= 97.0 and r["running"] == 0
        assert abs(r["cadence"] - r["ref_cadence"]) <= 2.0
        if gyro:
            assert r["df"] >= 0.55  # double support: walking's duty factor
        else:
            assert r["df"] != r["df"]  # NaN: toe-off needs the gyroscope


@pytest.mark.parametrize("trial", JOGS + ("2017-11-22-11-40-44",))
def test_foot_frame_same_at_100_hz(trial):
    """The pitch axis's sign comes from the heel-off after each still foot: the same at 100 Hz as at
    200 Hz (the older 'largest excursion is toe-down' cue flipped 2017-12-15-18-03-05 at 100 Hz)."""
    import numpy as np
    from real.foot_jog import _recording
    from scipy.signal import decimate

    from gaitlab.gait.foot_frame import estimate_foot_frame

    rec = _recording(real_path("foot_jog_vicon_room", f"{trial}_foot.csv.gz"))
    full = estimate_foot_frame(rec.acc, rec.gyr, rec.fs)
    acc = decimate(rec.acc, 2, axis=0, zero_phase=True)
    gyr = decimate(rec.gyr, 2, axis=0, zero_phase=True)
    half = estimate_foot_frame(acc, gyr, rec.fs / 2.0)
    assert np.einsum("ij,ij->i", full.rot, half.rot).min() > 0.99


def test_accelerometer_only_walk_lands_on_the_heel_strikes():
    """Without a gyro, the walking landings are the heel strikes, not the toes' release that is as
    abrupt: >= 90 % of them within 60 ms of the gyro pipeline's ICs (78 % before the stillness
    after a candidate was held over ``HOLD_S``)."""
    import numpy as np
    from real.foot_jog import _recording

    import gaitlab

    path = real_path("foot_jog_vicon_room", "2017-11-22-11-40-44_foot.csv.gz")
    gyro = gaitlab.analyze(_recording(path, True), placement="shoe", report=False).steps["ic_s"].to_numpy()
    acc = gaitlab.analyze(_recording(path, False), placement="shoe", report=False).steps["ic_s"].to_numpy()
    near = np.array([np.min(np.abs(acc - t)) for t in gyro]) < 0.06
    assert near.mean() >= 0.9


@pytest.mark.parametrize("gyro", [True, False])
@pytest.mark.parametrize("trial", ("2017-12-15-18-03-05", "2017-12-15-18-02-28"))
def test_recording_that_starts_mid_run(trial, gyro):
    """A recording that starts and ends mid-run (no standing foot at all; at 100 Hz without a gyro
    no sample passes the at-rest test) is analysed, not refused as 'wrong units': gravity comes
    from the foot-flat moments of the stances. Before: 'mean specific force while still is
    1.74-1.89 g' (the mean over whole strides, which on a foot is not gravity)."""
    import numpy as np
    from real.foot_jog import _recording

    import gaitlab

    path = real_path("foot_jog_vicon_room", f"{trial}_foot.csv.gz")
    starts = pd.read_csv(path.with_name(f"{trial}_ref_stride_starts.csv"))["stride_start_s"].to_numpy()[:-1]
    rec = _recording(path, gyro, fs_100=not gyro)
    t0, t1 = starts[0] + 2.0, starts[-1] - 2.0
    cut = rec.slice(t0, t1)
    inside = starts[(starts >= t0) & (starts <= t1)]
    ref_spm = 120.0 / float(np.mean(np.diff(inside)))
    a = gaitlab.analyze(cut, placement="shoe", report=False)
    assert abs(a.summary["cadence_spm"] - ref_spm) <= 2.0
    assert a.summary["running_s"] >= 0.8 * (t1 - t0)
    # no standing inside: only the part strides before the first and after the last contact
    assert a.summary["standing_s"] < 2 * 120.0 / ref_spm
