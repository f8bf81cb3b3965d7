"""gaitlab.batch with the real analysis, on gaitlab.synth recordings of known cadence."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import gaitlab
import gaitlab.batch as gb
import gaitlab.report.html  # noqa: F401  (the --html path below needs it: import errors must fail)
from gaitlab import synth
from gaitlab.cli import main

#: name -> (cadence_spm, seed). Cadences 12 spm apart: a row attributed to the wrong file shows.
FILES = {"fast/run.csv.gz": (184.0, 1), "slow/run.parquet": (160.0, 2), "mid.csv": (172.0, 3)}
#: Batch rows must carry the analysis's own numbers; the analysis recovers cadence to well under
#: this on 30 s of clean 100 Hz signal (running_science.md 4.5), a sixth of the spacing above.
CADENCE_TOL_SPM = 2.0


@pytest.fixture(scope="module")
def real_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("real") / "data"
    for name, (cadence, seed) in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        gaitlab.write(synth.simulate_waist(30.0, 100.0, seed=seed, cadence_spm=cadence).recording, path)
    (root / "bad.csv").write_text("time_s,acc_x_g,acc_y_g,acc_z_g\n0,0,0,1\n0.01,abc,0,1\n")
    return root


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or pd.isna(b)
    return a == pytest.approx(b, rel=1e-12, abs=0) if isinstance(a, float) else a == b


def test_batch_matches_analyze_and_truth(real_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = gb.execute([real_data], out=out, jobs=1, speed_mps=3.0, progress=False)
    table = outcome.table.set_index("file")
    assert sorted(table.index) == ["bad.csv", "fast/run.csv.gz", "mid.csv", "slow/run.parquet"]
    assert table.index.tolist() == sorted(table.index)
    for name, (cadence, _) in FILES.items():
        direct = gaitlab.analyze(real_data / name, speed_mps=3.0)
        row = table.loc[name]
        assert row["status"] == "ok"
        assert row["cadence_spm"] == pytest.approx(cadence, abs=CADENCE_TOL_SPM)
        for key, value in direct.summary.items():
            assert _same(value, row[key]), (name, key, value, row[key])
        assert row["n_warn"] + row["n_alert"] + row["n_info"] == len(direct.flags)
        # the per-file JSON is the analysis's own JSON, with the batch name as input path
        direct.input["path"] = name
        assert (out / f"{name}.json").read_text() == direct.to_json() + "\n"
    assert outcome.stats.n_steps == int(table["n_steps"].sum())

    # the bad file: the reader's InputError, located, without the temporary folder
    with pytest.raises(gaitlab.InputError) as info:
        gaitlab.read(real_data / "bad.csv")
    assert table.loc["bad.csv", "status"] == "error"
    assert table.loc["bad.csv", "error"] == str(info.value).replace(str(real_data / "bad.csv"), "bad.csv")
    assert table.loc["bad.csv", "error"].startswith("bad.csv:3")
    assert str(tmp_path) not in (out / "summary.csv").read_text()


def test_cli_batch_html_and_rerun(real_data: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    args = ["batch", str(real_data / "fast"), "--out", str(out), "-j", "1", "--html"]
    assert main(args) == 0
    assert "1 file: 1 ok (0 up to date), 0 failed" in capsys.readouterr().out
    page = (out / "run.csv.gz.html").read_text()
    assert page.lstrip().lower().startswith("<!doctype html")
    assert 'href="run.csv.gz.html"' in (out / "index.html").read_text()
    assert main(args) == 0
    assert "1 ok (1 up to date)" in capsys.readouterr().out
    assert main([*args, "--force"]) == 0
    assert "1 ok (0 up to date)" in capsys.readouterr().out
