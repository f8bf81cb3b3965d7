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


@pytest.mark.xfail(strict=True, reason="measured 16.3 ms (REAL DATA): toe-off from the sacrum is late "
                                       "uphill (+14..+23 ms) and early on some level/downhill trials (-20 ms)")
def test_contact_time_mae_target(scored):
    bench, _, overall, _ = scored
    assert overall["gct_mae"] <= bench.TARGETS["gct_mae_ms"], overall


def test_contact_time_mae_does_not_regress(scored):
    _, _, overall, _ = scored
    assert overall["gct_mae"] <= 16.5, overall  # issue #12 baseline: 22.0 ms


def test_detection_target(scored):
    bench, _, overall, _ = scored
    assert overall["f1"] >= bench.TARGETS["f1_min"], overall


def test_detection_does_not_regress(scored):
    _, _, overall, _ = scored
    assert overall["f1"] >= 0.99, overall  # issue #12 baseline: 0.910


@pytest.mark.xfail(strict=True, reason="measured +13.4 ms at 2.50 m/s level rearfoot (REAL DATA, one "
                                       "trial): the sacrum starts rising ~15 ms after the force there")
def test_no_condition_biased(scored):
    bench, cond_rows, _, _ = scored
    worst = max((r for r in cond_rows if " x " in r["name"]), key=lambda r: abs(r["ic_bias"]))
    assert abs(worst["ic_bias"]) <= bench.TARGETS["condition_ic_bias_ms"], worst


def test_condition_bias_does_not_regress(scored):
    _, cond_rows, _, _ = scored
    worst = max(abs(r["ic_bias"]) for r in cond_rows if " x " in r["name"])
    assert worst <= 15.0  # issue #12 baseline: 43.7 ms (downhill, 4.17 m/s)


def test_first_and_last_contacts_are_reported(scored):
    """Each trial starts and ends mid-run: its first and last complete contacts are reported, except
    where the file starts just before a contact (no flight visible: trial06, 8 ms; trial18)."""
    _, _, _, scores = scored
    assert sum(s["first"] for s in scores) >= len(scores) - 2
    assert sum(s["last"] for s in scores) >= len(scores) - 1
    assert np.mean([s["n_match"] / s["n_ref"] for s in scores]) >= 0.98
