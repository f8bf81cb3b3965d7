"""gaitlab.io.fit: Garmin FIT running dynamics, checked on files built with Garmin's FIT SDK.

gaitlab reads FIT with fitdecode and writes it with its own small encoder; the tests build files
with Garmin's SDK (``garmin-fit-sdk``, a test-only dependency of the ``dev`` extra) message by
message in raw FIT profile units (strides/min, mm, ...), so a unit slip in :func:`read_fit` cannot
be hidden by the same slip in :func:`write_fit`; the writer is checked by round trip and by the
SDK's own decoder. Real files (compressed timestamps, unterminated, damaged, multisport) at the end.
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

from .real_support import real_path

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


@pytest.mark.parametrize("damage", ["flip_record_byte", "bad_file_crc"])
def test_checksum_mismatch_is_an_input_error(tmp_path, damage):
    """A complete file whose CRC fails has a wrong byte somewhere: nothing in it can be trusted."""
    data = bytearray(encode([FULL] * 20))
    if damage == "flip_record_byte":
        data[len(data) // 2] ^= 0xFF
    else:
        data[-1] ^= 0x01
    path = tmp_path / "broken.fit"
    path.write_bytes(bytes(data))
    with pytest.raises(gaitlab.InputError, match=r"broken\.fit: corrupt FIT file: CRC mismatch"):
        read_fit(path)


def test_unterminated_file_is_read_up_to_the_cut_with_the_byte_offset(tmp_path):
    """A watch that stopped mid-write: the records before the cut are kept, the cut is located."""
    whole = encode([FULL] * 20, sport=None)
    path = tmp_path / "cut.fit"
    path.write_bytes(whole[: len(whole) - 2 - 7])  # no CRC, the last record cut inside
    with pytest.warns(UserWarning, match=rf"cut\.fit: FIT file ends at byte {len(whole) - 9} inside a message "
                                         r"that starts at byte \d+ \(unterminated.*read the 19 record\(s\)"):
        df = read_fit(path)
    assert len(df) == 19
    assert df["gct_ms"].tolist() == pytest.approx([249.5] * 19)


def test_damage_before_the_first_record_is_an_error(tmp_path):
    whole = encode([FULL] * 3)
    path = tmp_path / "early.fit"
    path.write_bytes(whole[:20])
    with pytest.raises(gaitlab.InputError, match="corrupt FIT file: the file ends at byte 20.*before the first record"):
        read_fit(path)


def test_multisport_records_take_their_own_sessions_sport(tmp_path, caplog):
    """A run then a ride in one file: the run keeps its step cadence, the ride's crank rate is NaN."""
    enc = sdk.Encoder()
    enc.write_mesg({"mesg_num": MESG["FILE_ID"], "type": "activity", "manufacturer": "garmin", "product": 3113,
                    "serial_number": 42, "time_created": T0})
    for i in range(20):
        enc.write_mesg({"mesg_num": MESG["RECORD"], "timestamp": T0 + timedelta(seconds=i), **FULL})
    for i in range(20, 30):
        enc.write_mesg({"mesg_num": MESG["RECORD"], "timestamp": T0 + timedelta(seconds=i), "cadence": 90})
    for start, n, sport in ((0, 20, "running"), (20, 10, "cycling")):
        enc.write_mesg({"mesg_num": MESG["SESSION"], "timestamp": T0 + timedelta(seconds=start + n),
                        "start_time": T0 + timedelta(seconds=start), "sport": sport,
                        "total_elapsed_time": float(n)})
    path = tmp_path / "multi.fit"
    path.write_bytes(enc.close())
    with caplog.at_level(logging.WARNING, logger="gaitlab.io.fit"):
        df = read_fit(path)
    assert df["cadence_spm"].iloc[:20].tolist() == pytest.approx([171.0] * 20)
    assert df["cadence_spm"].iloc[20:].isna().all()
    assert df.attrs["sport"] == "multisport"
    assert [(x["sport"], x["first_row"], x["n_records"], x["start_s"], x["end_s"]) for x in df.attrs["sessions"]] \
        == [("running", 0, 20, 0.0, 19.0), ("cycling", 20, 10, 20.0, 29.0)]
    assert "'cycling' (10 records, 20-29 s)" in caplog.text


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
            "print(sorted(m for m in ('pandas', 'fitdecode', 'garmin_fit_sdk', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_written_file_decodes_with_garmins_sdk(tmp_path):
    """The encoder is checked by an independent decoder (CRCs, field numbers, scales)."""
    table = pd.DataFrame({"time_s": [0.0, 1.0, 2.0], "cadence_spm": [170.5, 171.0, np.nan],
                          "gct_ms": [250.0, 249.5, 251.0], "speed_mps": [3.2, 3.25, 3.3]})
    out = write_fit(table, tmp_path / "w.fit")
    messages, errors = sdk.Decoder(sdk.Stream.from_file(str(out))).read()
    assert errors == []
    recs = messages["record_mesgs"]
    assert [r["stance_time"] for r in recs] == pytest.approx([250.0, 249.5, 251.0])
    assert recs[0]["cadence"] == 85 and recs[0]["fractional_cadence"] == pytest.approx(0.25)
    assert "cadence" not in recs[2]
    assert messages["session_mesgs"][0]["sport"] == "running"


# -- real files (exports/garmin_fit: dtcooper/python-fitparse and polyvertex/fitdecode tests, MIT) -----
def _real_fit(name: str):
    return real_path("exports", "garmin_fit", name)


def test_real_compressed_timestamp_file_is_read_fully():
    """Compressed-timestamp headers and relative (power-up) times: all 755 records."""
    df = read_fit(_real_fit("compressed-speed-distance.fit"))
    assert len(df) == 755
    assert df["time_s"].is_monotonic_increasing and df["time_s"].iloc[0] == 0.0
    assert df["speed_mps"].notna().sum() >= 750 and df["speed_mps"].max() < 6.0
    assert df.attrs["sport"] == "running" and df.attrs["start_time"] is None


def test_real_unterminated_file_is_read_up_to_the_cut():
    with pytest.warns(UserWarning, match=r"nick\.fit: FIT file ends at byte 403456 inside a message that "
                                         r"starts at byte 403437 .*read the 14391 record"):
        df = read_fit(_real_fit("nick.fit"))
    assert len(df) == 14391 and df["time_s"].is_monotonic_increasing


def test_real_damaged_app_file_is_read_up_to_byte_7471():
    with pytest.warns(UserWarning, match=r"strava-android-app-201\.10-b1218918\.fit: FIT file is damaged at "
                                         r"byte 7471"):
        df = read_fit(_real_fit("strava-android-app-201.10-b1218918.fit"))
    # the record decoded from the bytes just before the damage (38.9 m/s, dated 2085) is dropped too
    assert 400 < len(df) < 473
    assert df["time_s"].iloc[-1] < 600 and df["speed_mps"].max() < 6.0
    assert df.attrs["sport"] == "running"


def test_real_multisport_file_uses_each_sessions_sport():
    df = read_fit(_real_fit("activity-large-fenxi2-multisport.fit"))
    sports = pd.Series([x["sport"] for x in df.attrs["sessions"] for _ in range(x["n_records"])])
    assert set(sports) == {"generic", "transition", "running", "cycling"}
    running = df[sports.eq("running").to_numpy()]
    assert running["cadence_spm"].median() == pytest.approx(152, abs=20)  # a run's step rate survives
    assert df.loc[sports.eq("cycling").to_numpy(), "cadence_spm"].isna().all()


def test_bytes_after_a_complete_file_keep_every_record(tmp_path):
    """Trailing bytes after a CRC-checked file: all its records are kept, the junk is located."""
    whole = encode([FULL] * 5)
    path = tmp_path / "junk.fit"
    path.write_bytes(whole + b"not a fit header at all")
    with pytest.warns(UserWarning, match=rf"junk\.fit: FIT file is damaged at byte {len(whole)}"):
        df = read_fit(path)
    assert len(df) == 5
