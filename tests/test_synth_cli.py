"""``gaitlab simulate``: files written, truth round trip, exit codes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gaitlab.cli import main
from gaitlab.commands.simulate import with_side
from gaitlab.synth import Truth, simulate_waist


def test_simulate_waist_writes_recording_and_truth(tmp_path, capsys):
    out, truth = tmp_path / "run.csv.gz", tmp_path / "run.json"
    rc = main(["simulate", str(out), "--truth", str(truth), "--duration", "12", "--fs", "100", "--seed", "3",
               "--asymmetry", "3.2", "--cv", "0", "--noise", "ideal", "--gyro"])
    assert rc == 0
    assert "wrote" in capsys.readouterr().out
    import gaitlab

    rec = gaitlab.read(out)
    t = Truth.from_json(truth)
    assert rec.n_samples == 1200 and rec.has_gyro
    assert t.summary["gct_balance_left_pct"] == pytest.approx(50.8, abs=1e-6)
    # the CLI and the API produce the same signal for the same options
    api = simulate_waist(12.0, 100.0, seed=3, asymmetry_pct=3.2, step_cv_pct=0.0, noise="ideal", gyro=True)
    np.testing.assert_allclose(rec.acc, api.recording.acc, rtol=0, atol=1e-15)
    np.testing.assert_allclose(t.steps["ic_s"], api.truth.steps["ic_s"], rtol=1e-15)
    assert json.loads(truth.read_text())["params"]["scenario"]["gait"]["asymmetry_pct"] == 3.2


def test_simulate_shoe_writes_a_pair(tmp_path):
    out = tmp_path / "shoe.csv"
    rc = main(["simulate", str(out), "--placement", "shoe", "--truth", str(tmp_path / "shoe.json"),
               "--duration", "6", "--fs", "200", "--strike-angle", "-7", "--walk", "2:2"])
    assert rc == 0
    for side in "LR":
        assert (tmp_path / f"shoe_{side}.csv").exists()
        t = Truth.from_json(tmp_path / f"shoe_{side}.json")
        assert t.side == side and t.placement == "shoe"
        running = t.steps[t.steps["activity"] == "running"]
        assert (running["strike_class"] == "forefoot").all()
        assert (t.steps["activity"] == "walking").any()


def test_with_side_keeps_suffix():
    assert with_side("a/run.csv.gz", "L").name == "run_L.csv.gz"
    assert with_side("run.parquet", "R").name == "run_R.parquet"
    assert with_side("t.json", "R").name == "t_R.json"


@pytest.mark.parametrize("argv", [["--cadence", "20"], ["--gct", "400", "--cadence", "180"]])
def test_bad_scenario_exits_2_with_one_line(tmp_path, argv, capsys):
    assert main(["simulate", str(tmp_path / "x.csv"), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gaitlab: error:") and "\n" not in err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("argv", [["--fs", "-5"], ["--walk", "abc"], ["--gaps", "-1"]])
def test_bad_usage_exits_2(tmp_path, argv):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", str(tmp_path / "x.csv"), *argv])
    assert exc.value.code == 2
