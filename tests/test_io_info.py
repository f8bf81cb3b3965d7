"""``gaitlab info``: text and JSON output, and the one-line error with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gaitlab import Recording
from gaitlab.cli import main
from gaitlab.io import write

DATA = Path(__file__).parent / "data"


def test_info_text(capsys):
    path = DATA / "formats" / "mbientlab" / "MetaWear_2019-06-19T13.37.50.384_D5D3E0B6F0A2_Accelerometer.csv"
    assert main(["info", str(path), "--placement", "shoe"]) == 0
    out = capsys.readouterr().out
    assert "mbientlab-metabase" in out
    assert "100 Hz nominal, 100.0000 Hz measured" in out
    assert "3.990 s" in out and "400" in out
    assert "gyroscope       yes" in out
    assert "MetaWear D5D3E0B6F0A2" in out and "2019-06-18T12:37:50.384000-13:00" in out
    assert "shoe" in out


def test_info_json_reports_gaps(tmp_path, capsys):
    t = np.arange(1000) / 100.0
    t[500:] += 0.5  # one 0.51 s interval: a gap of 0.5 s beyond the nominal step
    acc = np.tile([0.0, 0.0, 1.0], (1000, 1))
    path = write(Recording(t, acc, fs=100.0), tmp_path / "gappy.csv")
    assert main(["info", "--json", str(path)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["format"] == "generic-csv" and info["samples"] == 1000
    assert info["gyro"] is False and info["fs_hz"] == 100.0
    assert info["fs_measured_hz"] == np.float64(100.0) or abs(info["fs_measured_hz"] - 100.0) < 1e-6
    assert info["gaps"]["count"] == 1
    assert abs(info["gaps"]["longest_s"] - 0.51) < 1e-9
    assert info["duration_s"] == 10.49


def test_info_bad_input_exit_code_and_one_line(capsys):
    assert main(["info", str(DATA / "bad" / "non_numeric.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"gaitlab: error: {DATA / 'bad' / 'non_numeric.csv'}:50: column acc_x_g: 'abc' is not a number"]


def test_info_prints_reader_warnings(capsys):
    assert main(["info", str(DATA / "bad" / "truncated.csv")]) == 0
    assert "gaitlab: warning:" in capsys.readouterr().err
