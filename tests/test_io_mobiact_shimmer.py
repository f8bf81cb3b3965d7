"""MobiAct Android-logger raw text and Shimmer Consensys/ShimmerCapture CSV.

Fixtures: tests/data/make_fixtures.py (``make_mobiact_shimmer``) builds them from ``signal_g`` /
``gyro_dps``; tolerances are the fixtures' printed digits plus interpolation error. The real
files (../shared/data/real) are only read, never copied; those tests skip where absent.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gaitlab import InputError
from gaitlab.io import FORMATS, read
from gaitlab.io._table import find_header
from gaitlab.io.shimmer import LN_NEAR_RANGE, LN_RANGE_G, choose_accel
from tests.real_support import real_path
from tests.test_io_formats import FMT, truth  # the fixtures' generator: ground truth

MOB = FMT / "mobiact"
SHIM = FMT / "shimmer"
G = truth.G


# -- MobiAct ------------------------------------------------------------------------------------
def test_mobiact_acc_with_sibling_gyro_and_preamble_meta():
    rec = read(MOB / "JOG_acc_99_1.txt")
    m = rec.meta
    assert m["format"] == "mobiact"
    assert m["start_time"] == "2014-12-25T08:05:09"  # dd/MM/yyyy: day first
    assert (m["activity"], m["subject_id"]) == ("3 - JOG - Jogging - 30s", "99")
    assert "First Name" not in str(m) and "anon" not in str(m)  # personal data is not copied
    assert m["device"] == "Android phone (MobiAct logger)"
    assert m["units"] == {"time": "ns", "acc": "mps2", "gyr": "rads"}
    assert m["gyro_source"].endswith("JOG_gyro_99_1.txt")
    assert rec.n_samples == 126
    # the irregular phone clock is kept as it is: the 200 ms hole after the first sample
    assert rec.t[1] == pytest.approx(0.2, abs=1e-9)
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t), atol=2e-6)  # 7 significant digits
    # gyro in rad/s at 50 Hz interpolated onto the acc stamps, converted to deg/s
    err = np.abs(rec.gyr - truth.gyro_dps(rec.t))
    assert err.max() < 1.5 and err.mean() < 0.5


def test_mobiact_line_numbers_count_the_preamble(tmp_path):
    text = (MOB / "JOG_acc_99_1.txt").read_bytes().decode()
    lines = text.split("\r\n")
    assert lines[15] == "@DATA"  # line 16
    lines[20] = lines[20].rsplit(",", 1)[0] + ", 9.8O"  # line 21: a letter O in column z
    bad = tmp_path / "JOG_acc_99_1.txt"
    bad.write_bytes("\r\n".join(lines).encode())
    with pytest.raises(InputError) as err:
        read(bad)
    assert (err.value.line, err.value.column) == (21, "z(m/s^2)")


def test_mobiact_gyro_alone_is_a_companion_and_header_comes_from_the_comment():
    head = find_header((MOB / "JOG_gyro_99_1.txt").read_bytes(), "g")
    assert head.fields == ["timestamp(ns)", "x", "y", "z(rad/s)"]
    assert (head.line, head.data_line) == (2, 16)
    with pytest.raises(InputError, match="MobiAct gyroscope file") as err:
        read(MOB / "JOG_gyro_99_1.txt")
    assert err.value.line == 2


def test_data_marker_without_column_comment(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("#Datetime: 01/02/2015 10:00:00\n@DATA\n1000, 0.1, 0.2, 9.8\n")
    with pytest.raises(InputError, match="no comment line above it lists the 4 columns") as err:
        read(p)
    assert err.value.line == 2


def test_mobiact_acc_without_gyro_and_explicit_gyro_path(tmp_path):
    lone = tmp_path / "run.txt"
    lone.write_bytes((MOB / "JOG_acc_99_1.txt").read_bytes())
    assert not read(lone).has_gyro
    assert read(lone, gyro_path=MOB / "JOG_gyro_99_1.txt").has_gyro


@pytest.mark.parametrize("subject", ["10", "11", "2"])
def test_real_mobiact_txt_and_csv_hold_the_same_samples(subject):
    txt = real_path("phone_pocket_jog", f"JOG_acc_{subject}_1.txt")
    csv = real_path("phone_pocket_jog", f"JOG_acc_{subject}_1.csv")
    a, b = read(txt), read(csv)
    assert a.meta["format"] == "mobiact" and b.meta["format"] == "generic-csv"
    assert a.n_samples == b.n_samples > 2500
    np.testing.assert_array_equal(a.t, b.t)
    np.testing.assert_array_equal(a.acc, b.acc)
    assert a.meta["activity"].startswith("3 - JOG")


def test_real_mobiact_gyro_merged_and_start_time():
    rec = read(real_path("phone_pocket_jog", "JOG_acc_10_1.txt"))
    assert rec.meta["start_time"] == "2013-07-03T13:55:19"
    assert rec.meta["gyro_source"].endswith("JOG_gyro_10_1.txt")
    assert rec.meta["units"]["gyr"] == "rads" and rec.has_gyro
    # the gyro file spans the accelerometer's: no sample dropped
    assert rec.n_samples == read(real_path("phone_pocket_jog", "JOG_acc_10_1.csv")).n_samples
    # a jogging pocket phone turns at tens to hundreds of deg/s, not thousands (units really converted)
    assert 20 < np.percentile(np.abs(rec.gyr), 95) < 1000


# -- Shimmer ------------------------------------------------------------------------------------
def test_shimmer_plain_layout():
    rec = read(SHIM / "shimmer_plain_ln.csv")
    assert rec.meta["format"] == "shimmer"
    assert rec.meta["units"] == {"time": "ms", "acc": "mps2"}
    assert rec.meta["acc_sensor"].startswith("Accel_LN")
    assert rec.fs == 51.2 and not rec.has_gyro
    assert rec.meta["t0_s"] == pytest.approx(1 / 51.2)
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t + 1 / 51.2), atol=1e-9)


def test_shimmer_consensys_tab_prefers_wide_range_when_low_noise_clips():
    rec = read(SHIM / "Consensys_tab_ln_wr_gyro.csv")
    m = rec.meta
    assert m["acc_sensor"].startswith("Accel_WR") and "2.40 g" in m["acc_sensor"]
    assert m["device"] == "Shimmer 8D58"
    assert m["units"] == {"time": "ms", "acc": "mps2", "gyr": "dps"}
    assert m["start_time"] == "2020-09-13T12:26:40.144781+00:00"
    assert rec.fs == 51.2 and rec.n_samples == 128
    t_file = rec.t + 1 / 51.2
    np.testing.assert_allclose(rec.acc, truth.running_g(t_file, 2.8), atol=1e-6)
    assert rec.acc[:, 2].max() > 2.7  # the impacts LN could not hold
    np.testing.assert_allclose(rec.gyr, truth.gyro_dps(t_file), atol=1e-4)


def test_shimmer_consensys_comma_prefers_low_noise_within_range():
    rec = read(SHIM / "Consensys_comma_ln.csv")
    assert rec.meta["acc_sensor"].startswith("Accel_LN")
    assert rec.meta["device"] == "S SeatHead"
    # WR was written 0.05 m/s^2 off: the values are LN's
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t + 1 / 51.2), atol=1e-6)


def test_choose_accel_rule():
    ln = np.array([[0.0, 0.0, LN_NEAR_RANGE * LN_RANGE_G * G * 0.99]])
    assert choose_accel(ln, ln, "mps2")[0] == "Accel_LN"
    assert choose_accel(ln * 1.02, ln, "mps2")[0] == "Accel_WR"
    assert choose_accel(ln * 2, None, "mps2")[0] == "Accel_LN"  # nothing better: LN, with a warning
    assert choose_accel(None, ln, "mps2")[0] == "Accel_WR"


def test_shimmer_ln_only_flat_tops_warn(tmp_path):
    t = np.arange(200) / 51.2
    acc = np.clip(truth.running_g(t, 2.8), -2.4, 2.4) * G
    p = tmp_path / "clipped.csv"
    p.write_text("Accel_LN_X,Accel_LN_Y,Accel_LN_Z,System_Timestamp_Plot_Zeroed\n" + "".join(
        f"{a[0]:.6f},{a[1]:.6f},{a[2]:.6f},{ti * 1000:.4f}\n" for a, ti in zip(acc, t)))
    with pytest.warns(UserWarning, match=r"tops out at 2\.40 g on Accel_LN_Z"):
        rec = read(p)
    assert rec.meta["acc_clipped_g"] == 2.4
    # unclipped impacts that vary from step to step (2.0-2.35 g, as real strides do): no warning
    acc2 = truth.running_g(t, 2.3) * G
    acc2[:, 2] = (1.0 + (1.0 + 0.35 * np.sin(2 * np.pi * 0.37 * t)) * np.sin(2 * np.pi * truth.STEP_HZ * t)) * G
    p.write_text("Accel_LN_X,Accel_LN_Y,Accel_LN_Z,System_Timestamp_Plot_Zeroed\n" + "".join(
        f"{a[0]:.6f},{a[1]:.6f},{a[2]:.6f},{ti * 1000:.4f}\n" for a, ti in zip(acc2, t)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "acc_clipped_g" not in read(p).meta


@pytest.mark.parametrize("device_row", [True, False])
def test_shimmer_multirow_header_picks_calibrated_columns(tmp_path, device_row):
    t_ms = np.arange(150) * 1000 / 51.2
    acc, gyr = truth.signal_g(t_ms / 1000) * G, truth.gyro_dps(t_ms / 1000)
    names = ["Timestamp", "Timestamp", "Accel_LN_X", "Accel_LN_Y", "Accel_LN_Z", "Accel_LN_X", "Accel_LN_Y",
             "Accel_LN_Z", "Gyro_X", "Gyro_Y", "Gyro_Z", "System_Timestamp_Plot_Zeroed"]
    kinds = ["RAW", "CAL"] + ["RAW"] * 3 + ["CAL"] * 6 + ["CAL"]
    units = ["no_units", "ms"] + ["no_units"] * 3 + ["m/(s^2)"] * 3 + ["deg/s"] * 3 + ["ms"]
    rows = ([",".join(["Shimmer_5E1F"] * len(names))] if device_row else []) + [
        ",".join(names), ",".join(kinds), ",".join(units)]
    rows += [",".join([str(int(tm * 32.768)), f"{tm:.5f}", "2011", "1990", "2700", f"{a[0]:.6f}", f"{a[1]:.6f}",
                       f"{a[2]:.6f}", f"{g[0]:.4f}", f"{g[1]:.4f}", f"{g[2]:.4f}", f"{tm:.5f}"])
             for tm, a, g in zip(t_ms, acc, gyr)]
    p = tmp_path / "capture.csv"
    p.write_text("\n".join(rows) + "\n")
    rec = read(p)
    assert rec.meta["format"] == "shimmer" and rec.meta["units"] == {"time": "ms", "acc": "mps2", "gyr": "dps"}
    assert rec.meta.get("device") == ("Shimmer 5E1F" if device_row else None)
    np.testing.assert_allclose(rec.acc, truth.signal_g(rec.t), atol=1e-6)  # the CAL columns, not RAW
    np.testing.assert_allclose(rec.gyr, truth.gyro_dps(rec.t), atol=1e-4)
    first = 5 if device_row else 4  # data start after the units row
    lines = p.read_text().splitlines()
    cells = lines[first + 9].split(",")
    cells[6] = "nan?"
    lines[first + 9] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        read(p)
    assert err.value.line == first + 10
    assert err.value.column == ("Shimmer_5E1F_" if device_row else "") + "Accel_LN_Y_CAL"


def test_shimmer_units_row_errors_and_line_numbers(tmp_path):
    lines = (SHIM / "Consensys_comma_ln.csv").read_text().splitlines()
    assert lines[2].startswith("ms,")
    bad = list(lines)
    bad[2] = bad[2].replace("m/(s^2)", "furlongs", 1)
    p = tmp_path / "units.csv"
    p.write_text("\n".join(bad) + "\n")
    with pytest.raises(InputError, match="unknown acceleration unit 'furlongs'") as err:
        read(p)
    assert (err.value.line, err.value.column) == (3, "S_SeatHead_Accel_WR_X_CAL")
    bad = list(lines)
    cells = bad[9].split(",")
    cells[4] = "x"  # line 10, first LN column
    bad[9] = ",".join(cells)
    p.write_text("\n".join(bad) + "\n")
    with pytest.raises(InputError) as err:
        read(p)
    assert (err.value.line, err.value.column) == (10, "S_SeatHead_Accel_LN_X_CAL")


def test_shimmer_two_devices_in_one_file_is_an_error(tmp_path):
    p = tmp_path / "two.csv"
    names = [f"{d}_{s}_CAL" for d in ("Shimmer_AAAA", "Shimmer_BBBB")
             for s in ("Timestamp_Unix", "Accel_WR_X", "Accel_WR_Y", "Accel_WR_Z")]
    p.write_text(",".join(names) + "\n" + "1,0,0,9.8,1,0,0,9.8\n")
    with pytest.raises(InputError, match="2 devices") as err:
        read(p)
    assert err.value.line == 1


def test_sep_line_declares_the_delimiter_for_any_csv(tmp_path):
    text = (FMT / "generic_run.csv").read_text()
    p = tmp_path / "excel.csv"
    p.write_text("sep=;\n" + text.replace(",", ";"))
    rec = read(p)
    assert rec.meta["format"] == "generic-csv" and rec.n_samples == 500


def test_real_shimmer_raw_sample():
    path = real_path("waist_treadmill_forceplate", "raw_sensor_sample_512hz_mps2.csv")
    with pytest.warns(UserWarning, match=r"tops out at -2\.5\d g on Accel_LN_X"):
        rec = read(path)
    assert rec.meta["format"] == "shimmer" and rec.meta["units"]["time"] == "ms"
    assert rec.fs == 512.0 and rec.n_samples == 2963
    # x is vertical here: gravity is the mean of the vertical axis over whole strides
    assert abs(np.mean(rec.acc[:, 0])) == pytest.approx(0.93, abs=0.1)
    # the reader keeps the rail with its sign; the sacrum reaches it at mid-stance, 57-95 ms after
    # contact, after the 50-ms impact window: the impacts themselves are measured and reported
    import gaitlab

    assert rec.meta["acc_clipped_g"] == pytest.approx(-2.554, abs=0.01)
    a = gaitlab.analyze(rec, report=False)
    assert not a.steps["impact_clipped"].any() and a.steps.loc[a.steps["valid"], "impact_g"].notna().all()
    assert a.summary["impact_clipped_contacts"] == 0 and a.summary["impact_note"] is None


def test_registry_has_both_formats_and_explicit_format_mismatch_is_an_error():
    assert {"mobiact", "shimmer"} <= set(FORMATS)
    with pytest.raises(InputError, match="not a MobiAct header") as err:
        read(FMT / "generic_run.csv", format="mobiact")
    assert err.value.line == 1
    with pytest.raises(InputError, match="no Shimmer accelerometer columns"):
        read(FMT / "generic_run.csv", format="shimmer")
    assert read(SHIM / "shimmer_plain_ln.csv", format="shimmer").n_samples == 128


def test_trailing_tab_in_header_only_is_still_ignored(tmp_path):
    rows = (FMT / "generic_run.csv").read_text().replace(",", "\t").splitlines()
    p = tmp_path / "tabs.tsv"
    p.write_text(rows[0] + "\t\n" + "\n".join(rows[1:]) + "\n")  # header ends in a tab, rows do not
    assert read(p).n_samples == 500
    p.write_text("\n".join(r + "\t" for r in rows) + "\n")  # both do: an empty last column
    assert read(p).n_samples == 500
