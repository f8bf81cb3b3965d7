"""The ``gaitlab`` command: fast help, analyze on the sample data, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gaitlab.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "waist_run.csv.gz"


def test_help_is_fast_and_imports_nothing_heavy():
    code = ("import sys, time; t = time.perf_counter(); import gaitlab.cli as c; c.build_parser(); "
            "print(time.perf_counter() - t); "
            "print(sorted(m for m in ('numpy', 'pandas', 'numba', 'scipy', 'matplotlib', 'bleak') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert float(out[0]) < 0.5
    assert out[1] == "[]"
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "gaitlab", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "analyze" in res.stdout and time.perf_counter() - t0 < 3.0


def test_analyze_sample_writes_json_and_html(tmp_path, capsys):
    out_json = tmp_path / "sub" / "run.json"
    out_html = tmp_path / "sub" / "run.html"
    code = main(["analyze", str(SAMPLE), "--json", str(out_json), "--html", str(out_html)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "cadence" in printed and "contact time" in printed
    doc = json.loads(out_json.read_text())
    truth = json.loads((ROOT / "sample_data" / "waist_run.truth.json").read_text())["summary"]
    assert doc["schema"] == 1 and doc["input"]["placement"] == "waist"
    assert doc["summary"]["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=0.5)
    assert doc["summary"]["gct_ms"] == pytest.approx(truth["gct_ms"], abs=12)
    assert doc["summary"]["vo_cm"] == pytest.approx(truth["vo_cm"], abs=0.8)
    assert "<html" in out_html.read_text()[:500].lower()


def test_bad_file_is_one_line_with_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "run.csv"
    lines = ["time_s,acc_x_g,acc_y_g,acc_z_g"] + [f"{i / 100},0,0,1" for i in range(300)]
    lines[49] = "0.48,abc,0,1"
    bad.write_text("\n".join(lines) + "\n")
    assert main(["analyze", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0] == f"gaitlab: error: {bad}:50: column acc_x_g: 'abc' is not a number"


def test_missing_file_and_usage_errors(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["analyze", str(SAMPLE), "--placement", "wrist"])
    assert exc.value.code == 2


def test_fail_on_gives_exit_code_1(tmp_path):
    import gaitlab
    from gaitlab.synth import simulate_waist

    slow = simulate_waist(300, fs=100, seed=1, cadence_spm=150, gct_ms=300, speed_mps=2.6).recording
    path = tmp_path / "slow.csv"
    gaitlab.write(slow, path)
    assert main(["analyze", str(path), "--fail-on", "warn"]) == 1
    assert main(["analyze", str(path)]) == 0
