"""Comparisons that respect run-to-run noise (issue #19): identical shoes come out "no difference",
a 2 spm change within noise is noise, a real shoe effect is found, a single run a side is not
judged without a measure of run-to-run noise."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest

from gaitlab.cli import main
from gaitlab.comparison import compare, within_run_se
from gaitlab.errors import InputError

from .history_support import BASE, make_result, season, write_json


def _shoes(tmp_path, seed, *, runs=4, effect=None, minutes=3):
    """Two shoes of one runner, ``runs`` runs each, alternating weeks; ``effect`` applies to shoe B."""
    season(tmp_path, seed=seed, weeks=runs, runs_per_week=1, tags={"athlete": "ana", "shoe": "A"}, prefix="a",
           minutes=minutes)
    base = {k: v + (effect or {}).get(k, 0.0) for k, v in BASE.items()}
    season(tmp_path, seed=seed + 1000, weeks=runs, runs_per_week=1, tags={"athlete": "ana", "shoe": "B"},
           prefix="b", base=base, start=datetime(2024, 3, 7, 7, 0), minutes=minutes)


def test_two_identical_shoes_come_out_no_difference(tmp_path):
    """Two identical shoes, four runs each: "no clear difference" on every metric. Any "difference"
    is a false alarm, which the simultaneous intervals keep to <= 5 % of such pairs (family-wise),
    so over 20 independent pairs at most 3 may have one (binomial(20, 0.05): P(>= 4) < 2 %)."""
    alarms = []
    for i in range(20):
        d = tmp_path / f"p{i}"
        _shoes(d, seed=200 + i, runs=4, minutes=2)
        c = compare(by="shoe", source=d)
        assert (c.a, c.b) == ("shoe=A", "shoe=B")
        assert len(c.runs_a) == len(c.runs_b) == 4
        measured = c.table[c.table["verdict"] != "not measured"]
        assert set(measured["metric"]) >= {"cadence_spm", "gct_ms", "vo_cm", "impact_g", "loading_rate_gps"}
        assert (measured["method"] == "runs").all()
        ok = measured["verdict"] == "no clear difference (within run-to-run noise)"
        assert ok.sum() + (~ok).sum() == len(measured)
        if not ok.all():
            alarms.append(str(c))
    assert len(alarms) <= 3, "\n".join(alarms)


def test_a_real_shoe_effect_is_found(tmp_path):
    # shoe B lands softer: impact -0.4 g (5 run-to-run SDs) and loading rate -30 g/s
    _shoes(tmp_path, seed=12, runs=4, effect={"impact_g": -0.4, "loading_rate_gps": -30.0})
    c = compare(by="shoe", source=tmp_path, metrics=["impact_g", "loading_rate_gps", "shock_attenuation_db"])
    row = c.table.set_index("metric").loc["impact_g"]
    assert c.verdict("impact_g") == "B lower (beyond run-to-run noise)"
    assert row["ci_lo"] < -0.4 < row["ci_hi"] or abs(row["diff"] + 0.4) < 0.15
    assert c.verdict("loading_rate_gps") == "B lower (beyond run-to-run noise)"
    assert c.verdict("shock_attenuation_db") == "not measured"
    assert row["effect_size"] < -2


def test_2_spm_within_noise_is_called_noise(tmp_path):
    # three runs a side, cadence 2 spm higher on B with a 2 spm run-to-run SD
    _shoes(tmp_path, seed=13, runs=3, effect={"cadence_spm": 2.0})
    c = compare(by="shoe", source=tmp_path, metrics=["cadence_spm"])
    assert c.verdict("cadence_spm") == "no clear difference (within run-to-run noise)"


def test_one_run_a_side_is_not_judged_without_run_to_run_noise(tmp_path):
    rng = np.random.default_rng(5)
    m = dict(BASE)
    a = write_json(make_result(rng, start=datetime(2024, 3, 1, 7), means=m, tags={"athlete": "ana"}),
                   tmp_path / "a.json")
    b = write_json(make_result(rng, start=datetime(2024, 3, 2, 7), means={**m, "cadence_spm": m["cadence_spm"] + 2},
                               tags={"athlete": "ana"}), tmp_path / "b.json", indent=1)
    c = compare(a, b)
    row = c.table.set_index("metric").loc["cadence_spm"]
    assert row["verdict"].startswith("cannot tell")
    # the step-level interval alone would call the 2 spm "significant": that is the trap
    assert row["step_ci_lo"] > 0
    assert any("run-to-run noise cannot be estimated" in n for n in c.notes)
    # with the runner's history, the runner's own run-to-run noise decides: 2 spm is noise
    season(tmp_path / "hist", seed=6, tags={"athlete": "ana"}, minutes=2)
    c2 = compare(a, b, noise_from=tmp_path / "hist")
    row2 = c2.table.set_index("metric").loc["cadence_spm"]
    assert row2["method"] == "history"
    assert row2["verdict"] == "no clear difference (within run-to-run noise)"
    assert 1.0 < row2["noise_sd"] < 3.0


def test_shock_attenuation_from_a_waist_and_shoe_session(tmp_path):
    rng = np.random.default_rng(8)
    for shoe, foot_g in (("A", 9.0), ("B", 6.0)):
        for k in range(3):
            when = datetime(2024, 4, 1 + 7 * k + (shoe == "B"), 7)
            tags = {"athlete": "ana", "shoe": shoe}
            w = make_result(rng, start=when, means={**BASE, "impact_g": 2.5 + 0.05 * rng.standard_normal()},
                            tags=tags, minutes=2)
            f = make_result(rng, start=when, means={**BASE, "impact_g": foot_g + 0.2 * rng.standard_normal()},
                            tags=tags, minutes=2, placement="shoe")
            write_json(w, tmp_path / f"{shoe}{k}_waist.json")
            write_json(f, tmp_path / f"{shoe}{k}_shoe.json")
    c = compare(by="shoe", source=tmp_path, metrics=["impact_g", "shock_attenuation_db"])
    t = c.table.set_index(["placement", "metric"])
    sa = t.loc[("shoe", "shock_attenuation_db")]
    # truth: 20 log10(9 / 2.5) = 11.1 dB vs 20 log10(6 / 2.5) = 7.6 dB
    assert sa["mean_a"] == pytest.approx(11.1, abs=0.6) and sa["mean_b"] == pytest.approx(7.6, abs=0.6)
    assert sa["verdict"] == "B lower (beyond run-to-run noise)"
    assert t.loc[("waist", "impact_g")]["verdict"] == "no clear difference (within run-to-run noise)"


def test_within_run_se_respects_correlation():
    rng = np.random.default_rng(0)
    white = rng.normal(0, 1, 4096)
    assert within_run_se(white) == pytest.approx(1 / math.sqrt(4096), rel=0.35)
    slow = np.repeat(rng.normal(0, 1, 128), 32)  # strongly correlated: 128 independent values
    assert within_run_se(slow) == pytest.approx(1 / math.sqrt(128), rel=0.35)
    assert math.isnan(within_run_se(white[:64]))


def test_compare_errors_and_cli(tmp_path, capsys):
    _shoes(tmp_path / "r", seed=14, runs=3, minutes=2)
    with pytest.raises(InputError, match="no result has the tag"):
        compare("A", "Z", by="shoe", source=tmp_path / "r")
    with pytest.raises(InputError, match="unknown metric"):
        compare(by="shoe", source=tmp_path / "r", metrics=["speed"])
    one = sorted((tmp_path / "r").glob("a*.json"))[0]
    with pytest.raises(InputError, match="same run"):
        compare(one, [one])
    assert main(["compare", str(tmp_path / "r"), "--by", "shoe", "--metrics", "shoe", "--csv",
                 str(tmp_path / "c.csv")]) == 0
    out = capsys.readouterr().out
    assert "A = shoe=A (3 runs), B = shoe=B (3 runs)" in out and "Impact" in out
    assert (tmp_path / "c.csv").exists()
    assert main(["compare", "--by", "shoe", str(tmp_path / "r"), "A", "B"]) == 0
    assert main(["compare", "--by", "shoe", str(tmp_path / "r"), "A"]) == 2
    assert main(["compare", str(one)]) == 2
