"""write -> read gives the same Recording (CSV, CSV.gz, Parquet), and gzip is found by magic bytes."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

import gaitlab
from gaitlab import InputError, Recording
from gaitlab.io import read, write


@pytest.fixture
def rec() -> Recording:
    rng = np.random.default_rng(42)
    n = 1500
    t = np.arange(n) / 100.0
    acc = rng.normal(0, 0.4, (n, 3)) + [0.0, 0.0, 1.0]
    gyr = rng.normal(0, 80, (n, 3))
    speed = 3.0 + rng.random(n)
    return Recording(t, acc, gyr, fs=100.0, placement="waist", side="L",
                     meta={"device": "test unit", "start_time": "2024-05-01T07:30:00"},
                     extra={"speed_mps": speed})


@pytest.mark.parametrize("name", ["run.csv", "run.csv.gz", "run.parquet"])
def test_round_trip_is_exact(tmp_path, rec, name):
    path = write(rec, tmp_path / name)
    back = read(path, placement="waist", side="L")
    assert back == rec  # values bit-for-bit, fs, placement, side, extras
    assert back.meta["source"] == str(path)
    assert back.t[0] == 0.0


def test_parquet_keeps_everything_without_overrides(tmp_path, rec):
    back = read(write(rec, tmp_path / "run.parquet"))
    assert back == rec
    assert back.placement == "waist" and back.side == "L"
    assert back.meta["device"] == "test unit"
    assert back.meta["start_time"] == "2024-05-01T07:30:00"
    assert back.meta["format"] == "parquet"


def test_csv_without_gyro_and_top_level_api(tmp_path, rec):
    plain = rec.replace(gyr=None, extra={})
    path = tmp_path / "plain.csv.gz"
    gaitlab.write(plain, path)
    assert gzip.decompress(path.read_bytes()).startswith(b"time_s,acc_x_g,acc_y_g,acc_z_g\n")
    back = gaitlab.read(path, placement="waist", side="L")
    assert back == plain and not back.has_gyro


def test_gzip_detected_by_magic_bytes_not_suffix(tmp_path, rec):
    path = write(rec, tmp_path / "run.csv.gz")
    odd = tmp_path / "run.data"
    odd.write_bytes(path.read_bytes())
    assert read(odd, placement="waist", side="L") == rec


def test_nonzero_start_time_is_kept_in_meta(tmp_path, rec):
    shifted = rec.replace(t=rec.t + 12.5)
    back = read(write(shifted, tmp_path / "s.csv"))
    assert back.t[0] == 0.0
    np.testing.assert_allclose(back.t, rec.t, atol=1e-12)
    assert back.meta["t0_s"] == pytest.approx(12.5)


def test_write_rejects_unknown_suffix(tmp_path, rec):
    with pytest.raises(InputError, match="suffix"):
        write(rec, tmp_path / "run.xlsx")
