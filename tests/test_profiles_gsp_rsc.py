"""Movesense GSP and Bluetooth SIG RSC decoders against hand-built golden byte vectors.

GSP vectors follow Movesense's "GATT SensorData Protocol" (movesense.com/docs/esw/gatt_sensordata_protocol):
``01 ref path`` subscribe, ``01 ref u16`` result, ``02 ref u32-ms floats`` data, ``03 ref …`` continuation.
RSC vectors follow the GATT Specification Supplement "RSC Measurement" (0x2A53); the 3.5 m/s /
172 /min / 1.22 m / 123.4 m vector is the one ble.md cross-checked with the ``bluetooth-sig`` parser.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest

from gaitlab.errors import FrameError
from gaitlab.stream.packets import RscMeasurement
from gaitlab.stream.protocols import gsp, rsc

ACC_104 = gsp.parse_resource("/Meas/Acc/104")
IMU6_208 = gsp.parse_resource("/Meas/IMU6/208")


def test_gsp_commands():
    assert gsp.encode_subscribe(99, "/Meas/Acc/104") == bytes.fromhex("01 63") + b"/Meas/Acc/104"
    assert gsp.encode_subscribe(99, "/Meas/Acc/104") == bytes.fromhex("01 63 2F 4D 65 61 73 2F 41 63 63 2F 31 30 34")
    assert gsp.encode_unsubscribe(99) == bytes.fromhex("02 63")
    assert gsp.encode_hello() == bytes.fromhex("00 00")
    assert gsp.decode_command(bytes.fromhex("01 63") + b"/Meas/IMU6/208") == (1, 99, "/Meas/IMU6/208")
    with pytest.raises(ValueError, match="unsupported Movesense resource"):
        gsp.parse_resource("/Meas/Acc/100")


def test_gsp_result_and_acc_data_golden():
    dec = gsp.DataDecoder(99, ACC_104)
    assert dec.feed(bytes.fromhex("01 63 C8 00")) == 200
    assert dec.feed(bytes.fromhex("01 07 C8 00")) is None  # someone else's subscription
    # ts 0x1234 ms, one sample (0, 0, 9.80665 m/s^2) = (0, 0, 1 g) as float32
    pkt = dec.feed(bytes.fromhex("02 63 34 12 00 00 00 00 00 00 00 00 00 00 0A E8 1C 41"))
    assert pkt.ticks == 0x1234 and pkt.fs_hz == 104.0 and pkt.gyr_dps is None
    np.testing.assert_allclose(pkt.acc_g, [[0.0, 0.0, 1.0]], atol=1e-7)


def test_gsp_imu6_layout_acc_block_then_gyro_block():
    acc = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    gyr = np.array([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]])
    body = struct.pack("<I12f", 5000, *acc.ravel(), *gyr.ravel())
    pkt = gsp.DataDecoder(7, IMU6_208).feed(bytes([2, 7]) + body)
    np.testing.assert_allclose(pkt.acc_g * gsp.STANDARD_GRAVITY, acc, rtol=1e-7)
    np.testing.assert_allclose(pkt.gyr_dps, gyr, rtol=1e-7)


def test_gsp_continuation_reassembly_on_small_mtu():
    rng = np.random.default_rng(0)
    acc = rng.normal(0, 9, (8, 3))
    gyr = rng.normal(0, 100, (8, 3))
    parts = gsp.encode_data(5, 777, acc, gyr, max_payload=20)  # ATT MTU 23
    assert parts[0][0] == 2 and all(p[0] == 3 for p in parts[1:]) and all(len(p) <= 20 for p in parts)
    dec = gsp.DataDecoder(5, IMU6_208, max_payload=20)
    out = [dec.feed(p) for p in parts]
    assert all(o is None for o in out[:-1])
    np.testing.assert_allclose(out[-1].acc_g * gsp.STANDARD_GRAVITY, acc, rtol=1e-6)
    np.testing.assert_allclose(out[-1].gyr_dps, gyr, rtol=1e-6)
    assert out[-1].ticks == 777


def test_gsp_bad_payloads():
    dec = gsp.DataDecoder(5, ACC_104)
    with pytest.raises(FrameError, match="whole 12-byte samples"):
        dec.feed(bytes.fromhex("02 05 00 00 00 00 01 02 03"))
    with pytest.raises(FrameError, match="continuation"):
        gsp.DataDecoder(5, ACC_104).feed(bytes.fromhex("03 05 00 00"))
    with pytest.raises(FrameError, match="unknown GSP packet type"):
        dec.feed(bytes.fromhex("09 05 00"))


def test_rsc_golden_full_and_minimal():
    m = rsc.decode_measurement(bytes.fromhex("07 80 03 AC 7A 00 D2 04 00 00"))
    assert m == RscMeasurement(3.5, 172, 1.22, 123.4, True)
    assert rsc.encode_measurement(m) == bytes.fromhex("07 80 03 AC 7A 00 D2 04 00 00")
    walk = rsc.decode_measurement(bytes.fromhex("00 00 01 5A"))
    assert walk == RscMeasurement(1.0, 90, None, None, False)
    assert rsc.decode_measurement(bytes.fromhex("00 00 01 5A"), status_supported=False).running is None
    assert rsc.decode_feature(bytes.fromhex("07 00")) == 7 and rsc.encode_feature() == bytes.fromhex("07 00")


@pytest.mark.parametrize("data", [bytes.fromhex("07 80 03"), bytes.fromhex("07 80 03 AC 7A 00 D2 04")])
def test_rsc_truncated(data):
    with pytest.raises(FrameError, match="RSC measurement"):
        rsc.decode_measurement(data)
