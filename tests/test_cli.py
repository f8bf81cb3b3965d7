"""The ``gaitlab`` command: fast help, analyze on the sample data, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gaitlab
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


# -- issue 15: never refuse, break or silently skip a valid run ------------------------------------
def _gaitlab(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gaitlab", *args], capture_output=True, text=True, cwd=cwd,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})


def test_elite_runner_is_accepted_and_measured(tmp_path, capsys):
    """The issue's exact case: more flight than contact, median |acc| ~0.3 g (was 'implausible units')."""
    run = tmp_path / "elite.csv"
    assert main(["simulate", str(run), "--duration", "120", "--cadence", "185", "--gct", "165", "--speed", "5.5",
                 "--standing", "0"]) == 0
    out_json = tmp_path / "elite.json"
    assert main(["analyze", str(run), "--json", str(out_json)]) == 0
    assert "implausible" not in capsys.readouterr().err
    assert json.loads(out_json.read_text())["summary"]["cadence_spm"] == pytest.approx(185, abs=0.5)


def test_closed_output_pipe_ends_quietly(tmp_path):
    """``gaitlab analyze run.csv --steps-csv /dev/stdout | head -1``: no 'Broken pipe' error."""
    res = subprocess.run(f"{sys.executable} -m gaitlab analyze {SAMPLE} --steps-csv /dev/stdout | head -1; "
                         "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", capture_output=True,
                         text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("\n") == 1 and "waist sensor" in res.stdout
    assert "Broken pipe" not in res.stderr and "error" not in res.stderr and "Exception" not in res.stderr


def test_crashed_file_is_analysed_with_the_same_warning_as_info(tmp_path):
    """A partial last row: both commands read up to it and say so in one format, naming the line."""
    good = (ROOT / "sample_data" / "waist_run.csv.gz")
    import gzip

    text = gzip.decompress(good.read_bytes()).decode()
    lines = text.rstrip("\n").split("\n")
    cut = tmp_path / "crashed.csv"
    cut.write_text("\n".join(lines) + "\n" + lines[-1].rsplit(",", 1)[0] + ",")  # last cell lost
    n_line = len(lines) + 1
    info = _gaitlab("info", str(cut), cwd=tmp_path)
    analyze = _gaitlab("analyze", str(cut), cwd=tmp_path)
    assert info.returncode == 0 and analyze.returncode == 0, (info.stderr, analyze.stderr)
    expected = f"gaitlab: warning: {cut}:{n_line}: last line is incomplete"
    for res in (info, analyze):
        warn = [x for x in res.stderr.splitlines() if "last line is incomplete" in x]
        assert len(warn) == 1 and warn[0].startswith(expected), res.stderr
    assert "WARNING" not in analyze.stderr and "steps" in analyze.stdout


def _write_slow(path: Path, fs: float = 12.5, seconds: float = 30.0) -> Path:
    import numpy as np

    t = np.arange(0, seconds, 1 / fs)
    z = 1.0 + 0.5 * np.sin(2 * np.pi * 2.8 * t)
    rows = "\n".join(f"{ti:.3f},0.05,0.02,{zi:.4f}" for ti, zi in zip(t, z))
    path.write_text("time_s,acc_x_g,acc_y_g,acc_z_g\n" + rows + "\n")
    return path


def test_too_slow_for_gait_events_is_refused_with_the_reason(tmp_path):
    slow = _write_slow(tmp_path / "slow.csv")
    res = _gaitlab("analyze", str(slow), cwd=tmp_path)
    assert res.returncode == 2
    assert "12.5 Hz, too slow for gait events" in res.stderr and "steps" not in res.stdout
    info = _gaitlab("info", str(slow), cwd=tmp_path)
    assert info.returncode == 0
    assert f"gaitlab: warning: {slow}: the sample rate is 12.5 Hz, too slow for gait events" in info.stderr


def test_real_metabase_export_at_12_5_hz_is_refused(tmp_path):
    from .real_support import real_path

    folder = real_path("exports", "mbientlab_metabase")
    acc = next(folder.glob("A-rest-standing*Accelerometer*.csv"))
    res = _gaitlab("analyze", str(acc), cwd=tmp_path)
    assert res.returncode == 2 and "too slow for gait events" in res.stderr
    assert "running" not in res.stdout and "steps" not in res.stdout


def test_every_rule_on_a_shoe_pair_is_evaluated_or_says_why():
    """The braking rule used to do nothing on shoes (braking_mps is NaN there) without a word."""
    import gaitlab
    from gaitlab.report import evaluate_detailed
    from gaitlab.synth import simulate_shoes

    left, right = simulate_shoes(75.0, fs=200.0, seed=2)
    analysis = gaitlab.analyze([left.recording, right.recording], placement="shoe")
    results = evaluate_detailed(analysis).results
    assert results["braking"].status == "not_evaluated"
    assert "shoe sensor" in results["braking"].reason
    for code, result in results.items():
        assert result.status in ("ok", "flag") or result.reason, code


def test_shoe_summary_leaves_out_what_a_foot_cannot_measure():
    """A shoe pair's terminal summary has no VO / speed-loss / pelvic-tilt lines full of n/a."""
    from gaitlab.commands.analyze import summary_lines

    # two paths, right first: read as a pair, feet from the file names
    analysis = gaitlab.analyze([ROOT / "sample_data" / "shoe_R.csv.gz", ROOT / "sample_data" / "shoe_L.csv.gz"])
    assert analysis.input["placement"] == "shoe"
    assert analysis.summary["gct_balance_left_pct"] > 50.0  # sample truth: 50.3 % L
    text = "\n".join(summary_lines(analysis))
    assert "vertical osc." not in text and "pelvic tilt" not in text
    assert "stride length" in text and "foot strike" in text
    waist = "\n".join(summary_lines(gaitlab.analyze(str(ROOT / "sample_data" / "waist_run.csv.gz"))))
    assert "vertical osc." in waist and "pelvic tilt" in waist


def test_console_script_exits_at_once_with_its_output_complete(tmp_path):
    """``python -m gaitlab analyze`` skips the interpreter's teardown (:func:`gaitlab.cli.entry`): the
    JSON and HTML are whole, the summary reached stdout, and ``--fail-on``'s exit code arrives."""
    res = _gaitlab("analyze", str(SAMPLE), "--json", "out.json", "--html", "out.html", "--fail-on", "info",
                   cwd=tmp_path)
    result = json.loads((tmp_path / "out.json").read_text())
    assert res.returncode == (1 if result["flags"] else 0), res.stderr
    assert (tmp_path / "out.html").read_text().rstrip().endswith("</html>")
    assert "wrote out.json" in res.stdout and "wrote out.html" in res.stdout
