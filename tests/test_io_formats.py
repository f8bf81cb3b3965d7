"""App exports and generic variants read from fixtures built to each app's documented layout.

Ground truth: tests/data/make_fixtures.py builds every fixture from ``signal_g`` / ``gyro_dps``;
the tolerances below are the fixtures' rounding (printed decimals) plus interpolation error.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest

from gaitlab import InputError
from gaitlab.io import FORMATS, read

DATA = Path(__file__).parent / "data"
FMT = DATA / "formats"
_spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
truth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(truth)


def _read_quiet(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read(path, **kw)


def test_generic_csv_with_gyro_and_extra():
    rec = read(FMT / "generic_run.csv", placement="shoe", side="R")
    assert rec.meta["format"] == "generic-csv"
    assert rec.meta["units"] == {"time": "s", "acc": "g", "gyr": "dps"}
    assert (rec.placement, rec.side, rec.fs, rec.n_samples) == ("shoe", "R", 100.0, 500)
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t), atol=5e-6)
    np.testing.assert_allclose(rec.gyr, truth.gyro_dps(rec.t), atol=5e-4)
    assert set(rec.extra) == {"speed_mps"}  # the text column 'note' is not a channel
    np.testing.assert_allclose(rec.extra["speed_mps"], 3.2 + 0.1 * np.sin(rec.t), atol=5e-4)


def test_generic_iso_time_mps2_semicolon_preamble():
    rec = read(FMT / "generic_iso_mps2.csv")
    assert rec.meta["start_time"] == "2024-05-01T07:30:00"
    assert rec.meta["units"]["time"] == "iso" and rec.meta["units"]["acc"] == "mps2"
    assert rec.fs == 100.0
    np.testing.assert_allclose(rec.t, np.arange(500) / 100.0, atol=1e-9)
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t), atol=1e-5)


def test_polar_sensor_logger_acc_with_sibling_gyro():
    with pytest.warns(UserWarning, match="outside the gyroscope"):
        rec = read(FMT / "polar" / "Polar_Sense_B5A3F12C_20260424_141011_ACC.txt")
    m = rec.meta
    assert m["format"] == "polar-sensor-logger"
    assert m["device"] == "Polar Sense B5A3F12C"
    assert m["start_time"] == "2026-04-24T14:10:20.058"
    assert m["units"] == {"time": "ns", "acc": "mg", "gyr": "dps"}
    assert m["gyro_source"].endswith("_GYRO.txt")
    assert rec.fs == pytest.approx(52.0, rel=1e-5)
    # first acc sample precedes the first gyro sample (5 ms later) and is dropped
    t_file = rec.t + 1 / 52.0
    np.testing.assert_allclose(rec.acc, truth.signal_g(t_file), atol=6e-4)  # mg rounding
    # gyro interpolated onto acc stamps: error of linear interpolation at 52 Hz of ~35 dps at 2.8 Hz
    np.testing.assert_allclose(rec.gyr, truth.gyro_dps(t_file), atol=3.0)
    assert np.abs(rec.gyr - truth.gyro_dps(t_file)).mean() < 0.8


def test_polar_gyro_path_override_and_gyro_alone(tmp_path):
    acc = FMT / "polar" / "Polar_Sense_B5A3F12C_20260424_141011_ACC.txt"
    lone = tmp_path / "renamed.txt"
    lone.write_bytes(acc.read_bytes())
    assert not _read_quiet(lone).has_gyro  # no sibling by that name
    rec = _read_quiet(lone, gyro_path=acc.with_name(acc.name.replace("_ACC", "_GYRO")))
    assert rec.has_gyro
    with pytest.raises(InputError, match="holds no accelerometer data") as err:
        read(acc.with_name(acc.name.replace("_ACC", "_GYRO")))
    assert err.value.line == 1


def test_mbientlab_metabase_acc_and_gyro():
    rec = read(FMT / "mbientlab" / "MetaWear_2019-06-19T13.37.50.384_D5D3E0B6F0A2_Accelerometer.csv")
    assert rec.meta["format"] == "mbientlab-metabase"
    assert rec.meta["device"] == "MetaWear D5D3E0B6F0A2"
    # epoch 1560908270384 ms in the header's UTC-13:00 zone
    assert rec.meta["start_time"] == "2019-06-18T12:37:50.384000-13:00"
    assert rec.fs == 100.0 and rec.n_samples == 400
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t), atol=5e-4)
    np.testing.assert_allclose(rec.gyr, truth.gyro_dps(rec.t), atol=5e-4)  # same instants: exact


def test_phyphox_with_g_and_gyroscope():
    with pytest.warns(UserWarning, match="outside the gyroscope"):
        rec = read(FMT / "phyphox" / "Accelerometer.csv")
    assert rec.meta["format"] == "phyphox"
    assert rec.meta["units"] == {"time": "s", "acc": "mps2", "gyr": "rads"}
    t_file = rec.t + rec.meta["t0_s"]
    np.testing.assert_allclose(rec.acc, truth.signal_g(t_file), atol=1e-6)
    # rad/s -> deg/s, interpolated from samples 3 ms away
    np.testing.assert_allclose(rec.gyr, truth.gyro_dps(t_file), atol=1.5)
    assert rec.fs == pytest.approx(100.0, rel=0.01)


def test_phyphox_decimal_comma_variant():
    rec = read(FMT / "phyphox" / "decimal_comma" / "Raw Data.csv")
    # 6 printed decimals of time (0.5 us) times a slope of up to ~11 g/s, plus 6 decimals of m/s^2
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t), atol=1e-5)


def test_phyphox_without_g_is_rejected():
    with pytest.raises(InputError, match="Acceleration without g") as err:
        read(DATA / "bad" / "phyphox_linear.csv")
    assert err.value.line == 1 and err.value.column.startswith("Linear Acceleration x")


@pytest.mark.parametrize("name", ["MovesenseAcc.json", "MovesenseAcc.csv"])
def test_movesense_showcase_samples_spread_within_notifications(name):
    rec = read(FMT / "movesense" / name)
    assert rec.meta["format"] == ("movesense-showcase-json" if name.endswith("json") else "movesense-showcase-csv")
    assert rec.n_samples == 480
    # 104 Hz from whole-millisecond notification stamps
    assert rec.fs == pytest.approx(104.0, rel=1e-3)
    np.testing.assert_allclose(rec.t, np.arange(480) / 104.0, atol=1e-3)
    np.testing.assert_allclose(rec.acc, truth.signal_g(np.arange(480) / 104.0), atol=2e-3)
    if name.endswith("json"):
        np.testing.assert_allclose(rec.gyr, truth.gyro_dps(np.arange(480) / 104.0), atol=0.02)


def test_columns_override_for_unknown_header():
    rec = read(DATA / "bad" / "unknown_header.csv",
               columns={"time": "when", "acc_x": "ax", "acc_y": "ay", "acc_z": "az"}, time_unit="s")
    assert rec.meta["format"] == "mapped-csv" and rec.n_samples == 400
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t), atol=5e-6)


def test_acc_unit_override_fixes_mislabelled_file():
    rec = read(DATA / "bad" / "units_mps2_says_g.csv", acc_unit="mps2")
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t), atol=1e-5)


def test_fs_override_and_unknown_keyword():
    assert read(FMT / "generic_run.csv", fs=99.5).fs == 99.5
    with pytest.raises(TypeError, match="unexpected keyword"):
        read(FMT / "generic_run.csv", sample_rate=100)


def test_registry_lists_every_format():
    assert {"generic-csv", "polar-sensor-logger", "mbientlab-metabase", "phyphox", "movesense-showcase-csv",
            "movesense-showcase-json", "parquet"} <= set(FORMATS)
    assert all(f.description for f in FORMATS.values())
