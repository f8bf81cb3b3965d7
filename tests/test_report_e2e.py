"""End to end: gaitlab.synth signal -> gaitlab.analyze (waist pipeline) -> report flags.

The synthetic runs are short and at 50 Hz to keep the suite fast; the rules only need >= 60 s
(absolute rules) or a >= 3-min baseline (fatigue).
"""

from __future__ import annotations

import json

import pytest

import gaitlab
from gaitlab.synth import Fatigue, simulate_waist


def warn_codes(analysis):
    return {f["code"] for f in analysis.flags if f["severity"] in ("warn", "alert")}


def run(duration_s, **kw):
    kw.setdefault("speed_mps", 3.2)
    sim = simulate_waist(duration_s, fs=50.0, noise="realistic", **kw)
    return gaitlab.analyze(sim.recording)


@pytest.fixture(scope="module")
def clean():
    return run(600.0, seed=11, cadence_spm=178.0, gct_ms=230.0, gyro=True, gaps=2)


def test_clean_run_has_no_warning(clean):
    s = clean.summary
    assert s["cadence_spm"] == pytest.approx(178.0, abs=1.5)
    assert s["vo_cm"] == pytest.approx(7.0, abs=1.0)
    assert warn_codes(clean) == set(), [f["message"] for f in clean.flags]
    json.dumps(clean.to_dict(), allow_nan=False)


@pytest.mark.parametrize("name, kwargs, code", [
    ("low cadence", dict(duration_s=240.0, seed=12, cadence_spm=156.0, gct_ms=255.0, speed_mps=2.8),
     "low_cadence"),
    ("long contact", dict(duration_s=240.0, seed=13, cadence_spm=170.0, gct_ms=300.0), "long_ground_contact"),
    ("asymmetry", dict(duration_s=300.0, seed=14, cadence_spm=178.0, gct_ms=235.0, asymmetry_pct=7.0),
     "asymmetry"),
    ("fatigue", dict(duration_s=900.0, seed=15, cadence_spm=178.0, gct_ms=230.0,
                     fatigue=Fatigue(gct_rise_pct=8.0, cadence_drop_pct=4.0)), "fatigue_drift"),
])
def test_pattern_raises_its_flag(name, kwargs, code):
    a = run(**kwargs)
    assert code in warn_codes(a), (name, [f["message"] for f in a.flags])
    flag = next(f for f in a.flags if f["code"] == code)
    assert flag["evidence"]["duration_s"] >= 60.0 and flag["advice"] and flag["source"]


def test_asymmetry_flag_points_to_the_longer_side():
    a = run(300.0, seed=16, cadence_spm=178.0, gct_ms=235.0, asymmetry_pct=7.0)  # left longer
    flag = next(f for f in a.flags if f["code"] == "asymmetry")
    gct = flag["evidence"]["metrics"]["gct_si_pct"]
    assert gct["balance_left_pct"] > 50.0 and "left foot" in flag["message"]
    assert gct["value"] == pytest.approx(7.0, abs=2.0)
    # one waist sensor times the feet through the pelvis: the flag says how far to trust that
    assert "sensor on each shoe" in flag["message"]


def test_analyze_passes_thresholds_through(clean):
    a = gaitlab.analyze(clean.recording, thresholds={"low_cadence": {"info_below_spm": 190.0,
                                                                     "warn_below_spm": 185.0}})
    assert warn_codes(a) == {"low_cadence"}


def test_cadence_falling_below_own_baseline_warns():
    """178 spm for 10 min, then 166 spm (still above the absolute 164 spm warn limit, but 7 % below
    the runner's own baseline): low_cadence warns with the baseline as evidence."""
    from gaitlab.synth.scenario import CadenceChange

    run = simulate_waist(900.0, fs=50.0, seed=31, cadence_spm=178.0, gct_ms=235.0,
                         cadence_changes=(CadenceChange(at_s=600.0, cadence_spm=166.0),))
    flags = {f["code"]: f for f in gaitlab.analyze(run.recording).flags}
    assert "low_cadence" in flags and flags["low_cadence"]["severity"] == "warn"
    evidence = flags["low_cadence"]["evidence"]
    assert evidence["baseline"] and evidence["change_pct"] < -5
