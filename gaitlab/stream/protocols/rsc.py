"""Bluetooth SIG Running Speed and Cadence (RSC): footpod summaries, about once a second.

RSC Measurement (0x2A53), little-endian (Bluetooth SIG GATT Specification Supplement [1]_,
``org.bluetooth.characteristic.rsc_measurement``):

====== ===== ==========================================================================
field  type  meaning
====== ===== ==========================================================================
flags  u8    bit 0 stride length present, bit 1 total distance present, bit 2 running
speed  u16   instantaneous speed, 1/256 m/s
cad    u8    instantaneous cadence, 1/min
stride u16   instantaneous stride length, 1/100 m (if flag bit 0)
dist   u32   total distance, 1/10 m (if flag bit 1)
====== ===== ==========================================================================

RSC Feature (0x2A54, u16): bit 0 stride length, bit 1 total distance, bit 2 walking/running status.

The spec says cadence is per minute without saying of what; treadmills and footpods send steps/min
(160-190 when running) while FIT/TCX files store per-leg strides. Check it against speed/stride.

References
----------
.. [1] Bluetooth SIG, "GATT Specification Supplement", section "RSC Measurement" (v5+), and the
   Running Speed and Cadence Service 1.0 specification (RSCS_SPEC_V10), 2012.
"""

from __future__ import annotations

import struct

from ...errors import FrameError
from ..packets import RscMeasurement

__all__ = ["SERVICE_UUID", "MEASUREMENT_UUID", "FEATURE_UUID", "decode_measurement", "encode_measurement",
           "decode_feature", "encode_feature", "RscDecoder"]

SERVICE_UUID = "00001814-0000-1000-8000-00805f9b34fb"
MEASUREMENT_UUID = "00002a53-0000-1000-8000-00805f9b34fb"
FEATURE_UUID = "00002a54-0000-1000-8000-00805f9b34fb"

FLAG_STRIDE, FLAG_DISTANCE, FLAG_RUNNING = 0x01, 0x02, 0x04
FEATURE_STRIDE, FEATURE_DISTANCE, FEATURE_STATUS = 0x01, 0x02, 0x04


def decode_measurement(data: bytes, *, status_supported: bool = True) -> RscMeasurement:
    """Parse one RSC Measurement value.

    Parameters
    ----------
    data : bytes
        The characteristic value.
    status_supported : bool
        Whether the sensor's RSC Feature has the walking/running status bit; if not, ``running``
        is None rather than a meaningless False.
    """
    if len(data) < 4:
        raise FrameError(f"RSC measurement needs at least 4 bytes, found {len(data)}")
    flags = data[0]
    speed_raw, cadence = struct.unpack_from("<HB", data, 1)
    need = 4 + (2 if flags & FLAG_STRIDE else 0) + (4 if flags & FLAG_DISTANCE else 0)
    if len(data) < need:
        raise FrameError(f"RSC measurement with flags 0x{flags:02x} needs {need} bytes, found {len(data)}")
    off, stride, dist = 4, None, None
    if flags & FLAG_STRIDE:
        stride = struct.unpack_from("<H", data, off)[0] / 100.0
        off += 2
    if flags & FLAG_DISTANCE:
        dist = struct.unpack_from("<I", data, off)[0] / 10.0
    running = bool(flags & FLAG_RUNNING) if status_supported else None
    return RscMeasurement(speed_raw / 256.0, int(cadence), stride, dist, running)


def encode_measurement(m: RscMeasurement) -> bytes:
    flags = (FLAG_STRIDE if m.stride_length_m is not None else 0) | (
        FLAG_DISTANCE if m.total_distance_m is not None else 0) | (FLAG_RUNNING if m.running else 0)
    out = struct.pack("<BHB", flags, min(round(m.speed_mps * 256), 0xFFFF), min(m.cadence_per_min, 255))
    if m.stride_length_m is not None:
        out += struct.pack("<H", min(round(m.stride_length_m * 100), 0xFFFF))
    if m.total_distance_m is not None:
        out += struct.pack("<I", round(m.total_distance_m * 10) & 0xFFFFFFFF)
    return out


def decode_feature(data: bytes) -> int:
    if len(data) < 2:
        raise FrameError(f"RSC feature needs 2 bytes, found {len(data)}")
    return struct.unpack_from("<H", data)[0]


def encode_feature(stride: bool = True, distance: bool = True, status: bool = True) -> bytes:
    return struct.pack("<H", (FEATURE_STRIDE if stride else 0) | (FEATURE_DISTANCE if distance else 0)
                       | (FEATURE_STATUS if status else 0))


class RscDecoder:
    """Decode notifications of RSC Measurement into :class:`RscMeasurement`."""

    def __init__(self, status_supported: bool = True) -> None:
        self.status_supported = status_supported

    def feed(self, data: bytes) -> RscMeasurement:
        return decode_measurement(data, status_supported=self.status_supported)
