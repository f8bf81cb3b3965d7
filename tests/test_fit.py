"""gaitlab.io.fit: Garmin FIT running dynamics, checked on files built with Garmin's FIT SDK.

The reader is tested on files encoded message by message with the SDK's own ``Encoder`` (raw FIT
profile units: strides/min, mm, ...), so a unit slip in :func:`read_fit` cannot be hidden by the
same slip in :func:`write_fit`; the writer is then checked by round trip.
"""

from __future__ import annotations

import logging
import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

import gaitlab
from gaitlab.io.fit import FIT_COLUMNS, FIT_METRICS, read_fit, write_fit

sdk = pytest.importorskip("garmin_fit_sdk")
MESG = sdk.Profile["mesg_num"]
T0 = datetime(2024, 5, 1, 7, 30, tzinfo=UTC)


def encode(records: list[dict], *, sport: str | None = "running", file_id: bool = True) -> bytes:
    """A FIT activity: file_id, the given record fields at 1 s intervals, a session with ``sport``."""
    enc = sdk.Encoder()
    if file_id:
        enc.write_mesg({"mesg_num": MESG["FILE_ID"], "type": "activity", "manufacturer": "garmin",
                        "product": 3113, "serial_number": 42, "time_created": T0})
    for i, fields in enumerate(records):
        mesg = {"mesg_num": MESG["RECORD"], "timestamp": T0 + timedelta(seconds=i)}
        mesg.update(fields)
        enc.write_mesg(mesg)
    if sport is not None:
        enc.write_mesg({"mesg_num": MESG["SESSION"], "timestamp": T0 + timedelta(seconds=len(records)),
                        "start_time": T0, "sport": sport, "total_elapsed_time": float(len(records))})
    return enc.close()


#: One watch record in FIT profile units: 85.5 strides/min, 74.3 mm, 249.5 ms, ...
FULL = {"cadence": 85, "fractional_cadence": 0.5, "vertical_oscillation": 74.3, "stance_time": 249.5,
        "stance_time_balance": 50.52, "vertical_ratio": 6.61, "step_length": 1052.0, "enhanced_speed": 2.987}


@pytest.fixture
def fit_file(tmp_path):
    def make(records, name="run.fit", **kw):
        path = tmp_path / name
        path.write_bytes(encode(records, **kw))
        return path
    return make


def test_values_and_unit_conversions(fit_file):
    df = read_fit(fit_file([FULL] * 3))
    assert list(df.columns) == list(FIT_COLUMNS)
    assert len(df) == 3
    np.testing.assert_array_equal(df["time_s"], [0.0, 1.0, 2.0])
    assert df["timestamp"].iloc[0] == pd.Timestamp(T0)
    assert str(df["timestamp"].dt.tz) == "UTC"
    row = df.iloc[1]
    assert row["cadence_spm"] == pytest.approx(171.0, abs=1e-9)          # 2 x 85.5 strides/min
    assert row["vo_cm"] == pytest.approx(7.43, abs=1e-9)                 # 74.3 mm
    assert row["gct_ms"] == pytest.approx(249.5, abs=1e-9)
    assert row["gct_balance_left_pct"] == pytest.approx(50.52, abs=1e-9)
    assert row["vertical_ratio_pct"] == pytest.approx(6.61, abs=1e-9)
    assert row["step_length_m"] == pytest.approx(1.052, abs=1e-9)        # 1052 mm
    assert row["speed_mps"] == pytest.approx(2.987, abs=1e-9)
    assert df.attrs["format"] == "fit"
    assert df.attrs["sport"] == "running"
    assert df.attrs["start_time"] == "2024-05-01T07:30:00+00:00"
    assert df.attrs["device"] is not None and df.attrs["device"].startswith("garmin")


def test_cadence_without_fraction_and_cadence256(fit_file):
    df = read_fit(fit_file([{"cadence": 88}, {"cadence256": 86.25}, {"cadence": 0}, {}]))
    np.testing.assert_allclose(df["cadence_spm"].to_numpy()[:3], [176.0, 172.5, 0.0])  # standing: a real 0
    assert math.isnan(df["cadence_spm"].iloc[3])


def test_speed_field_when_no_enhanced_speed(fit_file):
    df = read_fit(fit_file([{"speed": 3.25}, {"enhanced_speed": 3.5}, {"enhanced_speed": 70.125}]))
    np.testing.assert_allclose(df["speed_mps"], [3.25, 3.5, 70.125])   # 70 m/s overflows 'speed' (uint16)


def test_missing_fields_are_nan_not_zero(fit_file):
    partial = {k: v for k, v in FULL.items() if k not in ("vertical_oscillation", "stance_time_balance")}
    df = read_fit(fit_file([FULL, partial, {}]))
    assert df["vo_cm"].iloc[0] == pytest.approx(7.43)
    assert math.isnan(df["vo_cm"].iloc[1]) and math.isnan(df["gct_balance_left_pct"].iloc[1])
    assert df["gct_ms"].iloc[1] == pytest.approx(249.5)
    empty = df.iloc[2]
    for column in FIT_METRICS:
        assert math.isnan(empty[column]), column
    assert empty["time_s"] == 2.0


def test_non_step_sport_has_no_step_cadence(fit_file, caplog):
    with caplog.at_level(logging.WARNING, logger="gaitlab.io.fit"):
        df = read_fit(fit_file([FULL] * 2, sport="cycling"))
    assert df["cadence_spm"].isna().all()
    assert df["gct_ms"].iloc[0] == pytest.approx(249.5)   # the other fields are still read
    assert "cycling" in caplog.text


def test_not_a_fit_file(tmp_path):
    csv = tmp_path / "run.csv"
    csv.write_text("time_s,acc_x_g,acc_y_g,acc_z_g\n0,0,0,1\n")
    with pytest.raises(gaitlab.InputError, match=r"run\.csv: not a FIT file: expected the signature '\.FIT'"):
        read_fit(csv)
    tiny = tmp_path / "tiny.fit"
    tiny.write_bytes(b"\x0e\x10")
    with pytest.raises(gaitlab.InputError, match="not a FIT file.*2 bytes in all"):
        read_fit(tiny)
    with pytest.raises(FileNotFoundError):
        read_fit(tmp_path / "nope.fit")


@pytest.mark.parametrize("damage", ["flip_record_byte", "truncate", "bad_file_crc"])
def test_corrupt_file_is_an_input_error(tmp_path, damage):
    data = bytearray(encode([FULL] * 20))
    if damage == "flip_record_byte":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) - 40]
    else:
        data[-1] ^= 0x01
    path = tmp_path / "broken.fit"
    path.write_bytes(bytes(data))
    with pytest.raises(gaitlab.InputError, match=r"broken\.fit: corrupt FIT file"):
        read_fit(path)


def test_fit_without_records(fit_file):
    with pytest.raises(gaitlab.InputError, match="no 'record' messages.*file_id"):
        read_fit(fit_file([]))


def test_record_without_timestamp(tmp_path):
    enc = sdk.Encoder()
    enc.write_mesg({"mesg_num": MESG["RECORD"], "timestamp": T0, "cadence": 85})
    enc.write_mesg({"mesg_num": MESG["RECORD"], "cadence": 86})
    path = tmp_path / "nostamp.fit"
    path.write_bytes(enc.close())
    with pytest.raises(gaitlab.InputError, match="record message 2 of 2 has no timestamp"):
        read_fit(path)


def test_write_read_round_trip_within_fit_resolution(tmp_path):
    rng = np.random.default_rng(7)
    n = 300
    table = pd.DataFrame({
        "time_s": np.arange(n, dtype=float) + np.r_[np.zeros(150), np.full(150, 30.0)],  # a 30-s pause
        "cadence_spm": rng.uniform(150, 195, n),
        "vo_cm": rng.uniform(5, 12, n),
        "gct_ms": rng.uniform(180, 320, n),
        "gct_balance_left_pct": rng.uniform(47, 53, n),
        "vertical_ratio_pct": rng.uniform(5, 11, n),
        "step_length_m": rng.uniform(0.8, 1.6, n),
        "speed_mps": rng.uniform(2, 6, n),
    })
    table.loc[10:19, "vo_cm"] = np.nan
    start = datetime(2025, 3, 2, 6, 0, 5, tzinfo=UTC)
    out = write_fit(table, tmp_path / "w.fit", start_time=start)
    back = read_fit(out)
    assert len(back) == n
    np.testing.assert_array_equal(back["time_s"], table["time_s"])
    assert back["timestamp"].iloc[0] == pd.Timestamp(start)
    # half of each field's FIT resolution (scale): 1/128 stride/min = 1/64 spm, 0.1 mm, 0.1 ms, ...
    tolerance = {"cadence_spm": 1 / 128, "vo_cm": 0.005 + 1e-9, "gct_ms": 0.05 + 1e-9,
                 "gct_balance_left_pct": 0.005 + 1e-9, "vertical_ratio_pct": 0.005 + 1e-9,
                 "step_length_m": 0.00005 + 1e-12, "speed_mps": 0.0005 + 1e-12}
    for column, tol in tolerance.items():
        np.testing.assert_allclose(back[column], table[column], rtol=0, atol=tol, err_msg=column)
    assert back["vo_cm"].iloc[10:20].isna().all()
    assert back.attrs["sport"] == "running"


def test_write_fit_rejects_bad_times(tmp_path):
    with pytest.raises(gaitlab.InputError, match="'time_s' column"):
        write_fit(pd.DataFrame({"gct_ms": [250.0]}), tmp_path / "x.fit")
    with pytest.raises(gaitlab.InputError, match="increase by at least 1 s"):
        write_fit(pd.DataFrame({"time_s": [0.0, 0.4, 1.0]}), tmp_path / "x.fit")
    with pytest.raises(gaitlab.InputError, match="timezone-aware"):
        write_fit(pd.DataFrame({"time_s": [0.0, 1.0]}), tmp_path / "x.fit", start_time=datetime(2024, 1, 1))


def test_exported_from_gaitlab_io_and_import_stays_light():
    assert gaitlab.io.read_fit is read_fit
    code = ("import sys, gaitlab.io.fit; "
            "print(sorted(m for m in ('pandas', 'garmin_fit_sdk', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
