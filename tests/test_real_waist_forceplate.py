"""REAL DATA: waist events against force-plate contacts (issue #12 targets).

The shared treadmill trials (``../shared/data/real/waist_treadmill_forceplate``; Alcantara et al.
2022, sacral accelerometer at 500 Hz, exported through a zero-phase 20 Hz low-pass and clipped at
0 g) are scored by ``benchmarks/real/waist_forceplate.py``; skipped when the data is absent.
Targets not met yet are strict xfails that carry the measured figure, with a guard at today's level
so that they cannot get worse unnoticed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from .real_support import real_path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def scored():
    root = real_path("waist_treadmill_forceplate").parent
    sys.path.insert(0, str(BENCH))
    try:
        from real import waist_forceplate as bench
    finally:
        sys.path.remove(str(BENCH))
    rows, cond_rows, overall, scores = bench.evaluate(root)
    return bench, cond_rows, overall, scores


def test_initial_contact_timing(scored):
    bench, _, overall, _ = scored
    assert overall["ic_mae"] <= bench.TARGETS["ic_mae_ms"], overall
    assert abs(overall["ic_bias"]) <= bench.TARGETS["ic_bias_ms"], overall


def test_contact_time_bias(scored):
    bench, _, overall, _ = scored
    assert abs(overall["gct_bias"]) <= bench.TARGETS["gct_bias_ms"], overall


def test_contact_time_mae_target(scored):
    """Measured 14.8 ms (REAL DATA), so with little margin: toe-off from the sacrum is late uphill
    (+12..+21 ms per trial) and early on some level/downhill trials (-21 ms), see
    :func:`test_toe_off_spread_is_in_the_sacral_signal`."""
    bench, _, overall, _ = scored
    assert overall["gct_mae"] <= bench.TARGETS["gct_mae_ms"], overall


def test_contact_time_mae_does_not_regress(scored):
    _, _, overall, _ = scored
    assert overall["gct_mae"] <= 15.5, overall  # issue #12 baseline: 22.0 ms; 14.8 ms now


def test_detection_target(scored):
    bench, _, overall, _ = scored
    assert overall["f1"] >= bench.TARGETS["f1_min"], overall


def test_detection_does_not_regress(scored):
    _, _, overall, _ = scored
    assert overall["f1"] >= 0.99, overall  # issue #12 baseline: 0.910


@pytest.mark.xfail(strict=True, reason="measured +13.4 ms at 2.50 m/s level rearfoot (REAL DATA, one "
                                       "trial): the same estimator on the plate's force reads +3.6 ms there; the sacral "
                                       "edge rises later and more gently than the force (+9.8 ms more)")
def test_no_condition_biased(scored):
    bench, cond_rows, _, _ = scored
    worst = max((r for r in cond_rows if " x " in r["name"]), key=lambda r: abs(r["ic_bias"]))
    assert abs(worst["ic_bias"]) <= bench.TARGETS["condition_ic_bias_ms"], worst


def test_condition_bias_does_not_regress(scored):
    _, cond_rows, _, _ = scored
    worst = max(abs(r["ic_bias"]) for r in cond_rows if " x " in r["name"])
    assert worst <= 15.0  # issue #12 baseline: 43.7 ms (downhill, 4.17 m/s)


def test_toe_off_spread_is_in_the_sacral_signal(scored):
    """Why the GCT MAE target is not met (REAL DATA): between trials run at one speed, the sacral
    signal crosses the detector's 0.2 g floor level with a spread of 14-17 ms about the plate's
    toe-off (it reads 0.0-0.67 g at that instant), while mid-edge (1 g) crossings spread 5-6 ms.
    gaitlab's toe-off, bounded below by the floor crossing, follows the former."""
    bench, _, _, scores = scored
    rows = bench.toe_off_signal(real_path("waist_treadmill_forceplate").parent, scores)
    same = [r for r in rows if abs(r["speed"] - 3.33) < 0.01]
    assert len(same) >= 8
    low, mid = (np.std([r[f"cross_{lv:g}"] for r in same], ddof=1) for lv in bench.TOE_OFF_LEVELS_G)
    assert low > 2.0 * mid, (low, mid)
    at_to = [r["at_to"] for r in rows]
    assert min(at_to) < 0.1 and max(at_to) > 0.5, at_to
    r = np.corrcoef([x["cross_0.2"] for x in rows], [x["to_bias"] for x in rows])[0, 1]
    assert r > 0.9, r


@pytest.fixture(scope="module")
def at_100_hz(scored):
    """The overall scores with 1 sample in 5 kept (100 Hz). The export is low-passed at 20 Hz, so
    nothing aliases: the events should not move."""
    bench = scored[0]
    return bench.evaluate(real_path("waist_treadmill_forceplate").parent, every=5)[2]


def test_toe_off_does_not_move_with_the_sample_rate(scored, at_100_hz):
    """Measured TO bias +5.5 / +5.7 ms, MAE 12.2 / 12.0 ms at 500 / 100 Hz; with bounds on the sample
    grid it read 4-8 ms later at 100 Hz, MAE 18.4-18.9 ms."""
    _, _, overall, _ = scored
    assert abs(at_100_hz["to_bias"] - overall["to_bias"]) <= 1.5, (at_100_hz, overall)
    assert at_100_hz["to_mae"] <= overall["to_mae"] + 1.5, (at_100_hz, overall)


def test_contacts_at_100_hz_meet_the_targets(scored, at_100_hz):
    """At 100 Hz a steep impact edge has fewer than 3 samples between 0.2 and 0.8 g, and the flight
    apex and the edge's foot stand in for the mid-edge fit, unless they disagree with it by more
    than the apex's impact bias and a sample. On downhill trials they read 50-70 ms early (a slope,
    the export's smear); before that rule 12 contacts were not matched (F1 0.945). Measured: F1
    0.996, IC MAE 8.6 ms, GCT MAE 13.8 ms."""
    bench = scored[0]
    assert at_100_hz["f1"] >= bench.TARGETS["f1_min"], at_100_hz
    assert at_100_hz["ic_mae"] <= bench.TARGETS["ic_mae_ms"], at_100_hz
    assert at_100_hz["gct_mae"] <= bench.TARGETS["gct_mae_ms"], at_100_hz


def test_first_and_last_contacts_are_reported(scored):
    """Each trial starts and ends mid-run: its first and last complete contacts are reported. Two
    files start on a loading edge already above the floor level (trial06, 8 ms before the contact;
    trial18, 50 ms: the export's zero-phase filter lifts the edge's foot): those contacts are
    measured from the edge too (reported, not valid: no flight is visible before them)."""
    _, _, _, scores = scored
    assert sum(s["first"] for s in scores) == len(scores)
    assert sum(s["last"] for s in scores) == len(scores)
    assert np.mean([s["n_match"] / s["n_ref"] for s in scores]) >= 0.98


def test_left_right_indices_against_the_plate(scored):
    """Step-time and GCT symmetry indices of alternate contacts against the plate's (REAL DATA).

    Measured: mean |error| 2.8 points (step time) and 4.3 (GCT); the sacrum's response differs
    between the feet (toe-off bias 8.8 ms apart on average), which is why a waist flag says how far
    to trust it. Guards at about today's level plus the step-to-step noise of a 7-steps-a-side
    trial (~1.5 points), so that per-foot timing cannot get worse unnoticed."""
    _, _, _, scores = scored
    sides = [s["sides"] for s in scores]
    for key, guard in (("step", 4.0), ("gct", 6.0)):
        err = np.nanmean([abs(x[f"{key}_si_det"] - x[f"{key}_si_ref"]) for x in sides])
        assert err <= guard, (key, err)
    assert np.mean([abs(x["to_foot_diff"]) for x in sides]) <= 12.0


@pytest.mark.parametrize("trial", ["trial06", "trial18"])
def test_contact_on_the_first_samples_is_reported_not_valid(trial):
    """The file starts on the loading edge (0.24-0.40 g at the first sample): the contact is found
    within the IC tolerance of the plate's, and not valid (no flight before it is recorded)."""
    import pandas as pd

    import gaitlab

    folder = real_path("waist_treadmill_forceplate")
    ref = pd.read_csv(folder / "reference_contacts.csv")
    first_ref = float(ref.loc[ref["trial"] == trial, "ic_s"].min())
    steps = gaitlab.analyze(gaitlab.read(folder / f"{trial}.csv.gz"), report=False).steps
    first = steps[steps["activity"] == "running"].iloc[0]
    assert abs(first["ic_s"] - first_ref) < 0.025, (first["ic_s"], first_ref)
    assert not first["valid"]


@pytest.mark.parametrize("trial, start_s", [("trial18", 0.025), ("trial12", 0.475)])
def test_a_recording_starting_just_before_a_contact_reports_it(trial, start_s):
    """The trial cut to start 22-24 ms before a plate contact, on the foot of its loading edge
    (0.24-0.43 g: the export's low-pass lifts it): the contact is found within the IC tolerance of
    the plate's, and not valid. Of 448 start cuts of the 16 trials (every 25 ms over 0.7 s), these
    two lost their first contact before: the smoothed signal did not start below the re-arm level,
    or the edge's foot held above the floor level with a dip in it."""
    import pandas as pd

    import gaitlab

    folder = real_path("waist_treadmill_forceplate")
    ref = pd.read_csv(folder / "reference_contacts.csv")
    rec = gaitlab.read(folder / f"{trial}.csv.gz")
    keep = rec.t >= start_s
    t = rec.t[keep]
    cut = gaitlab.Recording(t - t[0], rec.acc[keep], fs=rec.fs, placement="waist")
    first_ref = float(ref.loc[(ref["trial"] == trial) & (ref["ic_s"] >= t[0]), "ic_s"].min())
    steps = gaitlab.analyze(cut, report=False).steps
    first = steps[steps["activity"] == "running"].iloc[0]
    assert abs(first["ic_s"] + t[0] - first_ref) < 0.025, (first["ic_s"] + t[0], first_ref)
    assert not first["valid"]


def test_no_contact_lost_wherever_a_recording_starts_or_ends(scored):
    """Every trial cut to start later, and to end earlier, by 0-0.7 s in 25-ms steps (896 cuts):
    every plate contact wholly inside a cut is found, and nothing is found where the plate has no
    contact (REAL DATA; 12 233 contacts)."""
    bench = scored[0]
    cuts = bench.edge_cuts(real_path("waist_treadmill_forceplate").parent)
    assert cuts["inside"] > 10000
    assert cuts["missed"] == 0 and cuts["spurious"] == 0, cuts["where"]


def test_a_stance_cut_by_the_end_is_reported_and_times_the_step_before_it():
    """Twelve trials end 48-220 ms inside a stance (the force above 0.05 BW again after the
    reference's last toe-off; the reference lists complete contacts only). That contact is reported
    and not valid; its IC comes from the middle of its loading edge like every
    other contact, within 20 ms of the plate's (measured -18..+15 ms: the shortest cuts lack the
    first peak). The step before it, valid, gets its step time within 15 ms of the plate's (measured
    at most 13.7 ms off; 44 ms on the downhill trial12 when the cut contact was fitted at the foot
    of its edge, which the export lifts 40 ms early). trial10's is reported with a toe-off
    estimated 10 ms before the end (the force is still at 0.09 BW there)."""
    import pandas as pd

    import gaitlab

    folder = real_path("waist_treadmill_forceplate")
    ref = pd.read_csv(folder / "reference_contacts.csv")
    n_cut = 0
    for trial, rows in ref.groupby("trial"):
        path = folder / f"{trial}.csv.gz"
        if not path.exists():
            continue
        force = pd.read_csv(folder / f"{trial}_vgrf.csv.gz")["vgrf_bw"].to_numpy()
        after = int(rows["to_s"].iloc[-1] * 500.0) + 5  # 500 Hz, as the sacral channel
        loaded = np.flatnonzero(force[after:] > 0.05)
        if not loaded.size or after + loaded[0] > force.size - 10:
            continue  # the file ends in the flight, or within 20 ms of the contact
        n_cut += 1
        plate_ic = (after + loaded[0]) / 500.0
        run = gaitlab.analyze(gaitlab.read(path), report=False).steps
        run = run[run["activity"] == "running"]
        cut, before = run.iloc[-1], run.iloc[-2]
        assert not cut["valid"], trial
        assert abs(cut["ic_s"] - plate_ic) < 0.020, (trial, cut["ic_s"], plate_ic)
        assert before["valid"], trial
        plate_step_ms = (plate_ic - rows["ic_s"].iloc[-1]) * 1e3
        assert abs(before["step_time_ms"] - plate_step_ms) < 15.0, (trial, before["step_time_ms"], plate_step_ms)
    assert n_cut >= 10


# --- the estimator on an ideal centre-of-mass signal -----------------------------------------------
# The vertical ground force in body weights, ``vGRF / (m g)``, is exactly the vertical specific force
# (g) of the body's centre of mass, i.e. what an ideal accelerometer at the centre of mass would read
# (it reads 0 g in flight). Analysing it separates the event estimators from the sacrum's own motion
# relative to the centre of mass (soft tissue, pelvis vs trunk and legs) and from the export filter of
# the sacral channel: a bias here is the estimator's, a bias only on the sacrum is the sensor's.

#: seed of the 0.02 g white noise put on the two horizontal channels (the force has none; the
#: pipeline's orientation step needs a 3-axis signal, as in the shared sacral files)
_NOISE_SEED = 0
#: speeds of the shared trials (m/s)
_SPEEDS = (2.5, 3.33, 4.17)


@pytest.fixture(scope="module")
def com_errors():
    """Per-speed IC and TO errors (ms, detected - reference) of gaitlab run on the force itself."""
    import pandas as pd

    import gaitlab
    from gaitlab.validation import match_events

    folder = real_path("waist_treadmill_forceplate")
    cond = pd.read_csv(folder / "conditions.csv").set_index("trial")
    ref = pd.read_csv(folder / "reference_contacts.csv")
    rng = np.random.default_rng(_NOISE_SEED)
    out = {s: {"ic": [], "to": []} for s in _SPEEDS}
    for trial, row in cond.iterrows():
        f = pd.read_csv(folder / f"{trial}_vgrf.csv.gz")
        n = len(f)
        acc = np.column_stack([rng.normal(0.0, 0.02, n), rng.normal(0.0, 0.02, n), f["vgrf_bw"].to_numpy(float)])
        rec = gaitlab.Recording(f["time_s"].to_numpy(float), acc, fs=500.0, placement="waist")
        steps = gaitlab.analyze(rec, report=False).steps
        run = steps[steps["activity"] == "running"]
        r = ref[ref["trial"] == trial]
        d, k = match_events(run["ic_s"].to_numpy(float), r["ic_s"].to_numpy(float), 0.05)
        assert d.size >= r.shape[0] - 1, trial  # every contact but at most one at the file's edge
        speed = min(_SPEEDS, key=lambda s: abs(s - row["speed_mps"]))
        out[speed]["ic"].append((run["ic_s"].to_numpy()[d] - r["ic_s"].to_numpy()[k]) * 1e3)
        out[speed]["to"].append((run["to_s"].to_numpy()[d] - r["to_s"].to_numpy()[k]) * 1e3)
    return {s: {key: np.concatenate(v) for key, v in e.items()} for s, e in out.items()}


def test_initial_contact_on_the_centre_of_mass_signal_holds_at_every_speed(com_errors):
    """IC from the loading-edge fit is within 5 ms of the force plate's at 2.5, 3.33 and 4.17 m/s
    (measured bias +2.3 / +1.4 / +1.7 ms, MAE 4.1 / 2.5 / 1.7 ms): the loading-edge model fits the
    ground force's own build-up at every speed. The speed drift of the sacral IC on this set
    (+5.9 / +0.1 / -9.4 ms) is therefore the sacral signal's, not the estimator's. It grows with the
    sacral impact peak, whose mid-edge leads the force by up to 15 ms on the fast/downhill trials (no
    body response precedes its load): the publisher's zero-phase 20 Hz filter spreads short, tall
    impacts backwards (on ``gaitlab.synth`` the same export moves IC by -5.5 / -10.7 / -14 ms for
    50 / 30 / 20 ms impacts, raw streams stay within 1 ms). Correcting the estimator for it would
    bias raw streams: do not."""
    for speed, e in com_errors.items():
        ic = e["ic"][np.isfinite(e["ic"])]
        assert abs(ic.mean()) <= 5.0, (speed, ic.mean())
        assert np.abs(ic).mean() <= 6.0, (speed, np.abs(ic).mean())


@pytest.mark.xfail(strict=True, reason="measured -18.7 / -13.6 / -11.0 ms at 2.5 / 3.33 / 4.17 m/s: the "
                                       "ground force unloads over a longer tail than the half sine the "
                                       "falling-edge fit extrapolates (landing-take-off asymmetry, "
                                       "Cavagna 2006), more so at low speed")
def test_toe_off_on_the_centre_of_mass_signal_holds_at_every_speed(com_errors):
    """On the sacrum the early half-sine extrapolation is hidden: the sacral vertical stays above the
    0.2 g floor level for 15-40 ms after the force's toe-off on level and uphill trials (the pelvis
    is not the centre of mass at push-off), and TO is bounded below by that, so sacral TO reads late
    uphill and early downhill. Neither is fixed: the force's tail below ~0.3 BW is not visible in the
    sacral signal, and its length changes with speed."""
    for speed, e in com_errors.items():
        to = e["to"][np.isfinite(e["to"])]
        assert abs(to.mean()) <= 6.0, (speed, to.mean())
