"""Polar PMD decoder/encoder against golden byte vectors.

Vectors marked "Polar SDK" are the byte arrays of Polar's own unit tests, polarofficial/polar-ble-sdk,
``sources/Android/android-communications/library/src/test/java/com/polar/androidcommunications/api/
ble/model/gatt/client/pmd/model/AccDataTest.kt`` (tests "process acc raw data frame type 1" and
"process acc compressed data type 0"). The others are built by hand from the documented layouts
(``documentation/products/PolarH10.md`` start-stream example; ``PmdControlPointResponse``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaitlab.errors import FrameError
from gaitlab.stream.protocols import pmd

# Polar SDK AccDataTest, raw frame type 1: header (ACC, ts 2_000_000_000 ns, type 1), first 4 samples
RAW_TYPE1 = bytes.fromhex("02 00 94 35 77 00 00 00 00 01"
                          "F7 FF FF FF E7 03 F8 FF FE FF E5 03 F9 FF FF FF E5 03 FA FF FF FF E6 03")
RAW_TYPE1_MG = [(-9, -1, 999), (-8, -2, 997), (-7, -1, 997), (-6, -1, 998)]

# Polar SDK AccDataTest, compressed type 0 (Verity Sense), 1 reference + 56 delta samples, factor 2.44e-4
COMPRESSED = bytes.fromhex(
    "02 00 94 35 77 00 00 00 00 80"
    "71 07 F0 6A 9E 8D 0A 38 BE 5C BE BA 2F 96 B3 EE 4B E5 AD FB 42 B9 EB BE 4C FE BA 2F 92 BF EE 4B"
    "E4 B1 FB 12 B9 EC BD 3C 3E BB 2F 8F D3 DE 4B E3 B5 F7 D2 B8 ED BD 30 7E 7B 2F 8B E3 CE 8B E2 BA"
    "F7 A2 B8 EE BC 20 BE 7B 2F 88 F3 CE CB E1 BD EF 52 F8 EF BC 18 FE 3B 2F 84 03 BF CB E0 C2 EF 32"
    "B8 F0 BB 04 4E BC 2E 81 13 AF 0B E0 C6 EF F2 F7 F1 B9 FC 7D BC 2E 7D 27 9F 4B DF CA EB C2 F7 F2"
    "B8 EC CD 7C 2E 7B 37 8F 4B DE CE E3 92 F7 F3 B8 E0 0D FD 2D 77 4B 7F CB DD D2 DF 62 37 F5 B7 D4"
    "4D BD 2D 74 5B 6F CB DC D7 D7 32 37 F6 B5 C8 8D 7D 2D 71 6B 4F 4B DC DC D3 F2 36 F7 B4 BC DD FD"
    "2C 6F 7B 3F 4B DB E0 CF D2 36 F8 B2 B0 2D BE 2C 6C 8F 1F CB DA E3 C7 A2 76 F9")


def test_raw_type1_frame_polar_sdk_vector():
    packet = pmd.AccDecoder(fs_hz=52).feed(RAW_TYPE1)
    assert packet.ticks == 2_000_000_000  # ns since 2000-01-01 of the LAST sample
    np.testing.assert_array_equal(packet.acc_g, np.array(RAW_TYPE1_MG) / 1000.0)
    assert packet.fs_hz == 52.0 and packet.gyr_dps is None


def test_compressed_type0_frame_polar_sdk_vector():
    factor = 2.44e-4
    packet = pmd.AccDecoder(fs_hz=52, factor=factor).feed(COMPRESSED)
    assert packet.n == 57  # reference sample + one block of 56
    ref = np.array([1905, 27376, -29282])
    np.testing.assert_allclose(packet.acc_g[0], ref * factor, rtol=1e-12)
    np.testing.assert_allclose(packet.acc_g[1], (ref + [190, -105, -85]) * factor, rtol=1e-12)
    # the SDK test's own range check: every sample within ±8 g
    assert np.abs(packet.acc_g).max() <= 8.0


def test_start_command_matches_documented_bytes():
    # PolarH10.md: start ACC 200 Hz, 16 bit, range 8 g
    cmd = pmd.encode_command(pmd.OP_START, pmd.MEAS_ACC, {0: [200], 1: [16], 2: [8]})
    assert cmd == bytes.fromhex("02 02 00 01 C8 00 01 01 10 00 02 01 08 00")
    assert pmd.decode_command(cmd) == (2, 2, {0: [200], 1: [16], 2: [8]})
    assert pmd.encode_command(pmd.OP_STOP, pmd.MEAS_ACC) == bytes.fromhex("03 02")


def test_settings_response_and_error_status():
    # get-settings answer: rates 25/50/100/200, resolution 16, ranges 2/4/8
    resp = pmd.decode_response(bytes.fromhex("F0 01 02 00 00 00 04 19 00 32 00 64 00 C8 00 01 01 10 00"
                                              "02 03 02 00 04 00 08 00"))
    assert resp.ok and resp.op == 1 and resp.meas == 2
    assert resp.settings == {0: [25, 50, 100, 200], 1: [16], 2: [2, 4, 8]}
    bad = pmd.decode_response(bytes.fromhex("F0 02 02 08 00"))
    assert not bad.ok and bad.status_name == "invalid sample rate"
    factor = pmd.decode_response(pmd.encode_response(2, 2, 0, {pmd.SET_FACTOR: [2.44e-4]}))
    assert factor.settings[pmd.SET_FACTOR][0] == pytest.approx(2.44e-4, rel=1e-6)
    with pytest.raises(FrameError):
        pmd.decode_response(bytes.fromhex("0F 05 00"))


def test_features_read():
    assert pmd.decode_features(bytes.fromhex("0F 05 00")) == {pmd.MEAS_ECG, pmd.MEAS_ACC}  # H10
    assert pmd.decode_features(pmd.encode_features([2, 5])) == {2, 5}


@pytest.mark.parametrize("data, match", [
    (bytes.fromhex("02 00 00"), "header"),
    (bytes.fromhex("00 00 94 35 77 00 00 00 00 01 00 00 00 00 00 00"), "measurement type 0"),
    (bytes.fromhex("02 00 94 35 77 00 00 00 00 01 F7 FF FF"), "whole 6-byte samples"),
    (bytes.fromhex("02 00 94 35 77 00 00 00 00 09 00 00"), "raw ACC frame type 9"),
    (bytes.fromhex("02 00 94 35 77 00 00 00 00 80 71 07 F0 6A 9E 8D 0A 38 BE"), "does not fit"),
])
def test_bad_frames_raise_frame_error(data, match):
    with pytest.raises(FrameError, match=match):
        pmd.AccDecoder(fs_hz=200).feed(data)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*[st.integers(-8000, 8000)] * 3), min_size=1, max_size=80))
def test_delta_roundtrip(samples):
    s = np.array(samples, dtype=np.int64)
    np.testing.assert_array_equal(pmd.decode_deltas(pmd.encode_deltas(s), 3, 16), s)


def test_compressed_encoder_matches_decoder_in_g():
    rng = np.random.default_rng(1)
    mg = rng.normal(0, 2000, (40, 3))
    frame = pmd.encode_acc_frame(123, mg, compressed=True, factor=2.44e-4)
    got = pmd.AccDecoder(200, factor=2.44e-4).feed(frame).acc_g
    np.testing.assert_allclose(got, mg / 1000.0, atol=2.44e-4 / 2 + 1e-12)
