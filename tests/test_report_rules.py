"""Report rules on Analyses built from known step patterns (tests/test_report_support.py).

Each rule must raise exactly its own flag on a run with its pattern, nothing on a clean run, and
respect its thresholds (just below: no flag; just above: flag) and persistence. Margins: the
helper's per-step noise (1.5 % step time, 3 % GCT, 5 % VO) shrinks to < 0.5 % in a 60-s rolling
median of ~178 steps, so the edge cases sit 1-3 % from each threshold.
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest

from gaitlab.report import RULES, evaluate, evaluate_detailed
from gaitlab.report.text import clock

from .test_report_support import make_analysis, ramp, step_in


def codes(flags, severities=("warn", "alert")):
    return {f["code"] for f in flags if f["severity"] in severities}


def only(flags, code):
    (flag,) = [f for f in flags if f["code"] == code]
    return flag


# -- no false alarms --------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    {},
    {"noise": 2.0, "seed": 3},
    {"duration_s": 2400.0, "seed": 4, "pelvic_tilt_deg": 8.0, "pelvic_drop_deg": 5.0, "speed_mps": 3.2},
    {"gaps": [(200.0, 230.0), (400.0, 400.5)]},
    {"walking": [(300.0, 420.0)]},
    {"duration_s": 1200.0, "gct_ms": step_in(900.0, 960.0, 230.0, 330.0)},        # one odd minute
    {"duration_s": 1200.0, "cadence_spm": step_in(900.0, 960.0, 178.0, 150.0)},
    {"duration_s": 1200.0, "impact_g": step_in(900.0, 960.0, 2.4, 4.0)},
])
def test_clean_run_raises_no_warning(kwargs):
    flags = evaluate(make_analysis(**kwargs))
    assert codes(flags) == set(), [f["message"] for f in flags]


def test_single_wild_steps_do_not_flag():
    a = make_analysis(1200.0)
    steps = a.steps.copy()
    wild = np.arange(50, len(steps), 97)  # ~1 % of steps are absurd
    steps.loc[wild, "gct_ms"] = 400.0
    steps.loc[wild, "vo_cm"] = 15.0
    steps.loc[wild, "step_time_ms"] = 500.0
    a.steps = steps
    assert codes(evaluate(a)) == set()


# -- each rule raises exactly its own flag ------------------------------------------------------------
PATTERNS = {
    "low_cadence": dict(cadence_spm=158.0),
    "pogo_bounce": dict(vo_cm=10.5),
    "hard_landing": dict(duration_s=1200.0, impact_g=ramp(840.0, 900.0, 2.4, 3.0)),
    "long_ground_contact": dict(gct_ms=295.0, cadence_spm=175.0),
    "asymmetry": dict(gct_si_pct=5.0),
    "fatigue_drift": dict(duration_s=1800.0, gct_ms=ramp(600.0, 1800.0, 230.0, 250.0),
                          cadence_spm=ramp(600.0, 1800.0, 178.0, 172.0)),
    "posture": dict(duration_s=1200.0, pelvic_tilt_deg=ramp(840.0, 900.0, 8.0, 13.0)),
    "pelvic_drop": dict(pelvic_drop_deg=5.0, pelvic_drop_lr_deg=3.0),
    "braking": dict(duration_s=1200.0, braking_mps=ramp(840.0, 900.0, 0.35, 0.45)),
}


def test_every_rule_has_a_pattern_test():
    assert set(PATTERNS) == set(RULES)


@functools.cache
def pattern_flags(code):
    return evaluate(make_analysis(**PATTERNS[code]))


@pytest.mark.parametrize("code", sorted(PATTERNS))
def test_rule_raises_exactly_its_flag(code):
    flags = pattern_flags(code)
    assert codes(flags) == {code}, [f["message"] for f in flags]
    flag = only(flags, code)
    assert set(flag) >= {"code", "severity", "message", "evidence", "source", "advice"}
    ev = flag["evidence"]
    assert ev["end_s"] > ev["start_s"] and ev["duration_s"] >= 60.0
    assert "threshold" in ev
    for title in (RULES[code].articles):
        from gaitlab.report.sources import ARTICLES
        assert ARTICLES[title].title in flag["source"]
    json.dumps(flags, allow_nan=False)  # the JSON contract: plain, finite values


def test_flag_evidence_locates_the_pattern_in_the_run():
    a = make_analysis(1200.0, gct_ms=step_in(600.0, 900.0, 230.0, 300.0))
    flag = only(evaluate(a), "long_ground_contact")
    ev = flag["evidence"]
    assert ev["start_s"] == pytest.approx(600.0, abs=5.0)
    assert ev["end_s"] == pytest.approx(900.0, abs=5.0)
    assert ev["value"] == pytest.approx(300.0, rel=0.02)
    assert ev["threshold"] == 277.0
    assert clock(600.0) in flag["message"] and clock(900.0) in flag["message"]


def test_fatigue_evidence_names_the_metrics_and_baseline():
    flag = only(pattern_flags("fatigue_drift"), "fatigue_drift")
    ev = flag["evidence"]
    assert set(ev["metrics"]) >= {"gct_ms", "cadence_spm"}
    assert ev["metrics"]["gct_ms"]["baseline"] == pytest.approx(230.0, rel=0.01)
    assert ev["metrics"]["gct_ms"]["value"] > ev["metrics"]["gct_ms"]["threshold"]
    assert ev["baseline"]["duration_s"] == pytest.approx(600.0, abs=2.0)  # first 10 min of 30
    assert ev["start_s"] > 600.0


# -- threshold edges (just inside / just beyond) ----------------------------------------------------
@pytest.mark.parametrize("kwargs, code, severity", [
    (dict(cadence_spm=166.0), "low_cadence", "info"),          # 164 <= cad < 170: info only
    (dict(cadence_spm=162.0), "low_cadence", "warn"),
    (dict(cadence_spm=155.0), "low_cadence", "warn"),
    (dict(cadence_spm=151.0), "low_cadence", "alert"),
    (dict(vo_cm=9.4), "pogo_bounce", None),
    (dict(vo_cm=10.0), "pogo_bounce", "warn"),
    (dict(vo_cm=11.2), "pogo_bounce", "warn"),
    (dict(vo_cm=11.9), "pogo_bounce", "alert"),
    (dict(vo_cm=7.5, speed_mps=2.5), "pogo_bounce", "warn"),   # VR 8.9 % > 8.6 % although VO is fine
    (dict(vo_cm=7.0, speed_mps=2.5), "pogo_bounce", None),     # VR 8.3 %
    (dict(gct_ms=270.0, cadence_spm=172.0), "long_ground_contact", None),
    (dict(gct_ms=283.0, cadence_spm=168.0), "long_ground_contact", "warn"),
    (dict(gct_ms=318.0, cadence_spm=165.0), "long_ground_contact", "alert"),
    (dict(gct_si_pct=2.5), "asymmetry", None),
    (dict(gct_si_pct=4.5, duration_s=600.0), "asymmetry", "warn"),
    (dict(gct_si_pct=8.0), "asymmetry", "warn"),
    (dict(gct_si_pct=10.0), "asymmetry", "alert"),
    (dict(impact_si_pct=12.0), "asymmetry", "warn"),
    (dict(duration_s=1200.0, impact_g=ramp(840.0, 900.0, 2.4, 2.68)), "hard_landing", None),  # +12 %
    (dict(duration_s=1200.0, impact_g=ramp(840.0, 900.0, 2.4, 2.86)), "hard_landing", "warn"),  # +19 %
    (dict(duration_s=1200.0, braking_mps=ramp(840.0, 900.0, 0.35, 0.385)), "braking", None),  # +10 %
    (dict(duration_s=1200.0, braking_mps=ramp(840.0, 900.0, 0.35, 0.42)), "braking", "warn"),  # +20 %
    (dict(duration_s=1200.0, pelvic_tilt_deg=ramp(840.0, 900.0, 8.0, 10.5)), "posture", None),
    (dict(duration_s=1200.0, pelvic_tilt_deg=ramp(840.0, 900.0, 8.0, 3.0)), "posture", "warn"),  # less lean
    (dict(pelvic_tilt_deg=-3.0), "posture", "warn"),           # leaning back
    (dict(pelvic_tilt_deg=2.0), "posture", None),
    (dict(pelvic_tilt_deg=-3.0, tilt_reference="early_run"), "posture", None),  # relative tilt: no absolute
    (dict(pelvic_drop_deg=5.0, pelvic_drop_lr_deg=1.2), "pelvic_drop", None),
    (dict(duration_s=1200.0, pelvic_drop_deg=ramp(840.0, 900.0, 5.0, 8.0)), "pelvic_drop", "warn"),
    (dict(duration_s=1800.0, gct_ms=ramp(600.0, 1800.0, 230.0, 250.0)), "fatigue_drift", None),  # 1 metric
])
def test_threshold_edges(kwargs, code, severity):
    flags = evaluate(make_analysis(**kwargs))
    got = [f["severity"] for f in flags if f["code"] == code]
    assert got == ([] if severity is None else [severity]), [f["message"] for f in flags]
    assert codes(flags) <= {code}


# -- persistence ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("length_s, flagged", [(30.0, False), (50.0, False), (75.0, True), (180.0, True)])
def test_absolute_rules_need_a_minute(length_s, flagged):
    a = make_analysis(1200.0, gct_ms=step_in(500.0, 500.0 + length_s, 230.0, 320.0))
    assert ("long_ground_contact" in codes(evaluate(a))) is flagged


@pytest.mark.parametrize("length_s, flagged", [(90.0, False), (200.0, True)])
def test_asymmetry_needs_two_minutes(length_s, flagged):
    a = make_analysis(1200.0, gct_si_pct=step_in(500.0, 500.0 + length_s, 0.0, 6.0))
    assert ("asymmetry" in codes(evaluate(a))) is flagged


@pytest.mark.parametrize("length_s, flagged", [(90.0, False), (200.0, True)])
def test_baseline_rules_need_two_minutes(length_s, flagged):
    a = make_analysis(1200.0, impact_g=step_in(700.0, 700.0 + length_s, 2.4, 3.2))
    assert ("hard_landing" in codes(evaluate(a))) is flagged


def test_pattern_split_by_a_gap_does_not_join_up():
    # 50 s + gap + 50 s of long contact: neither piece lasts a minute
    a = make_analysis(1200.0, gct_ms=step_in(500.0, 600.0, 230.0, 320.0), gaps=[(550.0, 600.0)])
    assert "long_ground_contact" not in codes(evaluate(a))


def test_steps_after_a_gap_still_flag_when_the_pattern_persists():
    a = make_analysis(1200.0, cadence_spm=158.0, gaps=[(300.0, 320.0)])
    assert codes(evaluate(a)) == {"low_cadence"}


def test_walking_steps_are_ignored():
    # walking has long contacts; it must not count as running
    a = make_analysis(1200.0, gct_ms=step_in(300.0, 500.0, 230.0, 340.0), walking=[(300.0, 500.0)])
    assert codes(evaluate(a)) == set()


# -- what cannot be measured is not evaluated (never a warning) --------------------------------------------
def test_unmeasurable_rules_are_not_evaluated():
    ev = evaluate_detailed(make_analysis(600.0, sides=False, braking_mps=None))
    status = {c: r.status for c, r in ev.results.items()}
    assert status["pelvic_drop"] == "not_evaluated" and "gyroscope" in ev.results["pelvic_drop"].reason
    assert status["posture"] == "not_evaluated"
    assert status["asymmetry"] == "not_evaluated" and "each foot" in ev.results["asymmetry"].reason
    assert status["braking"] == "not_evaluated"
    assert status["low_cadence"] == "ok"
    assert not ev.flags


def test_short_run_skips_baseline_rules():
    ev = evaluate_detailed(make_analysis(300.0, impact_g=ramp(200.0, 210.0, 2.4, 3.5)))
    assert ev.baseline is None
    for code in ("hard_landing", "braking", "fatigue_drift"):
        assert ev.results[code].status == "not_evaluated", code
        assert "baseline" in ev.results[code].reason
    assert ev.results["low_cadence"].status == "ok"


def test_baseline_is_first_third_of_a_short_run():
    ev = evaluate_detailed(make_analysis(900.0))
    assert ev.baseline["duration_s"] == pytest.approx(300.0, abs=1.0)
    ev = evaluate_detailed(make_analysis(2400.0))
    assert ev.baseline["duration_s"] == pytest.approx(600.0, abs=1.0)


def test_too_little_running_evaluates_nothing():
    ev = evaluate_detailed(make_analysis(40.0, cadence_spm=140.0))
    assert {r.status for r in ev.results.values()} == {"not_evaluated"}
    assert ev.flags == []


def test_shoe_placement_skips_waist_only_rules():
    ev = evaluate_detailed(make_analysis(600.0, placement="shoe", pelvic_drop_deg=9.0, pelvic_drop_lr_deg=5.0))
    assert ev.results["pelvic_drop"].status == "not_evaluated"
    assert "shoe" in ev.results["pelvic_drop"].reason


def test_speed_change_is_not_read_as_harder_landing():
    # faster running raises impact; with a speed channel the faster windows are not compared
    a = make_analysis(1200.0, impact_g=step_in(700.0, 1100.0, 2.4, 3.2))
    a.steps["speed_mps"] = np.where((a.steps["ic_s"] >= 700.0) & (a.steps["ic_s"] < 1100.0), 4.0, 3.0)
    assert "hard_landing" in codes(evaluate(make_analysis(1200.0, impact_g=step_in(700.0, 1100.0, 2.4, 3.2))))
    assert "hard_landing" not in codes(evaluate(a))


# -- health language -------------------------------------------------------------------------------------
FORBIDDEN = ("you have", "diagnos", "injury will", "causes", "you will get")


def test_no_diagnostic_language():
    texts = []
    for rule in RULES.values():
        texts += [rule.concern, rule.full_advice, rule.title]
        assert "associated with" in rule.concern, rule.code
        assert "physiotherapist or doctor" in rule.full_advice
    for code in PATTERNS:
        for f in pattern_flags(code):
            texts += [f["message"], f["advice"]]
    for text in texts:
        low = text.lower()
        assert not any(w in low for w in FORBIDDEN), text


def test_cadence_advice_is_small_steps():
    flag = only(pattern_flags("low_cadence"), "low_cadence")
    assert "5 steps per minute" in flag["advice"] and "170-190" in flag["advice"]
    assert "158 spm" in flag["message"]


def test_docs_describe_every_rule():
    from pathlib import Path

    from gaitlab.report.rules import rules_markdown

    doc = (Path(__file__).resolve().parents[1] / "docs" / "report.md").read_text(encoding="utf-8")
    assert rules_markdown() in doc, "docs/report.md is out of date: run python tools/make_report_doc.py"


@pytest.mark.parametrize("placement, noted", [("waist", True), ("shoe", False)])
def test_a_waist_imbalance_says_how_far_to_trust_it(placement, noted):
    # one waist sensor times both feet through the pelvis (REAL DATA: per-foot toe-off up to 30 ms
    # apart against a force plate); a sensor on each shoe times each foot itself
    flag = next(f for f in evaluate(make_analysis(gct_si_pct=10.0, placement=placement)) if f["code"] == "asymmetry")
    assert ("sensor on each shoe" in flag["message"]) is noted
