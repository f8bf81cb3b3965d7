"""Polar Measurement Data (PMD): the accelerometer stream of the Polar H10 and Verity Sense.

Byte layouts, all little-endian (Polar BLE SDK [1]_, ``PmdControlPointCommand``,
``PmdControlPointResponse``, ``PmdSetting``, ``PmdDataFrame``, ``AccData``, ``PmdTimeStampUtils``):

* control point ``FB005C81-…`` (read = features, write = command, indicate = response)

  - read: ``0F`` then a feature bit field, bit *k* = measurement type *k* (ACC = 2);
  - command: ``[op][measurement type][settings…]``, op 1 = get settings, 2 = start, 3 = stop;
    each setting is ``[type][count][count × value]`` (sample rate 0, resolution 1, range 2 as u16,
    range in milli-units 3 as u32, channels 4 as u8, factor 5 as float32);
  - response: ``F0 [op][measurement type][status][more][settings…]``; status 0 = success.

* data ``FB005C82-…`` (notify): ``[measurement type][u64 ns since 2000-01-01 of the LAST sample]
  [frame type][payload]``. Frame type bit 7 = delta-compressed. Raw ACC frame types 0/1/2 carry
  8/16/24-bit signed x, y, z in mG. A compressed frame holds one reference sample (each channel
  ``ceil(resolution/8)`` bytes, signed), then blocks ``[bit width][sample count][packed deltas]``
  whose deltas are two's complement, packed LSB-first; values are multiplied by the FACTOR from the
  start response when it is not 1 (giving g, Polar SDK ``AccData``).

Sample times (Polar SDK convention): the samples of a frame are spread evenly between the
previous frame's timestamp and this one's; see :mod:`gaitlab.stream.timebase`.

References
----------
.. [1] Polar Electro, "Polar BLE SDK", https://github.com/polarofficial/polar-ble-sdk
   (``sources/Android/.../pmd``, ``documentation/TimeSystemExplained.md``), 2019-2025.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ...errors import FrameError
from ..packets import ImuPacket, Timing

__all__ = [
    "SERVICE_UUID", "CONTROL_UUID", "DATA_UUID", "MEAS_ACC", "TIMING", "POLAR_EPOCH_UNIX_S",
    "ControlResponse", "AccDecoder", "encode_command", "decode_command", "encode_response",
    "decode_response", "encode_features", "decode_features", "encode_settings", "decode_settings",
    "encode_acc_frame", "decode_deltas", "encode_deltas",
]

SERVICE_UUID = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
CONTROL_UUID = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
DATA_UUID = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

MEAS_ECG, MEAS_PPG, MEAS_ACC, MEAS_PPI, MEAS_GYRO, MEAS_MAG = 0, 1, 2, 3, 5, 6
OP_GET_SETTINGS, OP_START, OP_STOP = 0x01, 0x02, 0x03
FEATURES_CODE, RESPONSE_CODE = 0x0F, 0xF0
SET_SAMPLE_RATE, SET_RESOLUTION, SET_RANGE, SET_RANGE_MILLI, SET_CHANNELS, SET_FACTOR = 0, 1, 2, 3, 4, 5
COMPRESSED = 0x80

#: Seconds from the Unix epoch to Polar's epoch, 2000-01-01T00:00:00Z.
POLAR_EPOCH_UNIX_S = 946_684_800
TIMING = Timing(tick_s=1e-9, wrap_ticks=None, ref="last")

STATUS_NAMES = {
    0: "success", 1: "invalid op code", 2: "invalid measurement type", 3: "not supported",
    4: "invalid length", 5: "invalid parameter", 6: "already in state", 7: "invalid resolution",
    8: "invalid sample rate", 9: "invalid range", 10: "invalid MTU", 11: "invalid number of channels",
    12: "invalid state", 13: "device in charger",
}

# setting type -> struct code of one value
_SETTING_CODE = {SET_SAMPLE_RATE: "H", SET_RESOLUTION: "H", SET_RANGE: "H", SET_RANGE_MILLI: "I",
                 SET_CHANNELS: "B", SET_FACTOR: "f"}
_RAW_BYTES = {0: 1, 1: 2, 2: 3}  # raw ACC frame type -> bytes per channel value
_HEADER = struct.Struct("<BQB")


def encode_settings(settings: Mapping[int, Sequence[float]]) -> bytes:
    """``{setting type: values}`` -> ``[type][count][values…]`` blocks."""
    out = bytearray()
    for stype, values in settings.items():
        code = _SETTING_CODE.get(stype)
        if code is None:
            raise ValueError(f"unknown PMD setting type {stype}")
        out += bytes([stype, len(values)]) + struct.pack(f"<{len(values)}{code}", *values)
    return bytes(out)


def decode_settings(data: bytes, offset: int = 0) -> dict[int, list[float]]:
    """Parse ``[type][count][values…]`` blocks from ``data[offset:]``."""
    out: dict[int, list[float]] = {}
    i = offset
    while i < len(data):
        if i + 2 > len(data):
            raise FrameError("PMD setting block cut short", offset=i)
        stype, count = data[i], data[i + 1]
        code = _SETTING_CODE.get(stype)
        if code is None:
            raise FrameError(f"unknown PMD setting type {stype}", offset=i)
        size = struct.calcsize(code) * count
        if i + 2 + size > len(data):
            raise FrameError(f"PMD setting {stype} needs {size} bytes, {len(data) - i - 2} left", offset=i)
        out[stype] = list(struct.unpack_from(f"<{count}{code}", data, i + 2))
        i += 2 + size
    return out


def encode_command(op: int, meas: int = MEAS_ACC, settings: Mapping[int, Sequence[float]] | None = None
                   ) -> bytes:
    """A control point command, e.g. start ACC at 200 Hz, 16 bit, ±8 g::

        encode_command(OP_START, MEAS_ACC, {0: [200], 1: [16], 2: [8]})
        == bytes.fromhex("02 02 00 01 c8 00 01 01 10 00 02 01 08 00")
    """
    return bytes([op, meas]) + encode_settings(settings or {})


def decode_command(data: bytes) -> tuple[int, int, dict[int, list[float]]]:
    """Inverse of :func:`encode_command` (used by the emulator): ``(op, meas, settings)``."""
    if len(data) < 2:
        raise FrameError(f"PMD command needs at least 2 bytes, found {len(data)}")
    return data[0], data[1], decode_settings(data, 2)


@dataclass(frozen=True, slots=True)
class ControlResponse:
    """A decoded control point response (``F0 op meas status more settings…``)."""

    op: int
    meas: int
    status: int
    more: bool = False
    settings: dict[int, list[float]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 0

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, f"unknown status {self.status}")


def encode_response(op: int, meas: int, status: int = 0, settings: Mapping[int, Sequence[float]] | None = None,
                    more: bool = False) -> bytes:
    return bytes([RESPONSE_CODE, op, meas, status, int(more)]) + encode_settings(settings or {})


def decode_response(data: bytes) -> ControlResponse:
    """Parse a control point indication; settings are parsed only on success."""
    if len(data) < 4 or data[0] != RESPONSE_CODE:
        raise FrameError(f"not a PMD control point response: {bytes(data).hex(' ')}")
    op, meas, status = data[1], data[2], data[3]
    more = len(data) > 4 and bool(data[4])
    settings = decode_settings(data, 5) if status == 0 and len(data) > 5 else {}
    return ControlResponse(op, meas, status, more, settings)


def encode_features(meas_types: Sequence[int]) -> bytes:
    bits = 0
    for m in meas_types:
        bits |= 1 << m
    return bytes([FEATURES_CODE]) + bits.to_bytes(2, "little")


def decode_features(data: bytes) -> set[int]:
    """Measurement types a sensor supports, from a control point read (``0F`` + bit field)."""
    if len(data) < 2 or data[0] != FEATURES_CODE:
        raise FrameError(f"not a PMD feature read: {bytes(data).hex(' ')}")
    bits = int.from_bytes(bytes(data[1:]), "little")
    return {k for k in range(8 * (len(data) - 1)) if bits >> k & 1}


# -- delta compression --------------------------------------------------------------------------
def encode_deltas(samples: np.ndarray, resolution_bits: int = 16, block: int = 32) -> bytes:
    """Delta-compress integer samples (n, channels): the reference sample, then packed blocks."""
    s = np.asarray(samples, dtype=np.int64)
    nbytes = math.ceil(resolution_bits / 8)
    out = bytearray(b"".join(int(v).to_bytes(nbytes, "little", signed=True) for v in s[0]))
    d = np.diff(s, axis=0)
    for i in range(0, len(d), block):
        chunk = d[i:i + block]
        width = max(int(np.abs(chunk).max()).bit_length() + 1, 2)
        vals = (chunk.ravel() & ((1 << width) - 1)).astype(np.uint64)
        bits = ((vals[:, None] >> np.arange(width, dtype=np.uint64)) & 1).astype(np.uint8).ravel()
        out += bytes([width, len(chunk)]) + np.packbits(bits, bitorder="little").tobytes()
    return bytes(out)


def decode_deltas(payload: bytes, channels: int, resolution_bits: int) -> np.ndarray:
    """Undo PMD delta compression; returns int64 samples of shape (n, channels)."""
    nbytes = math.ceil(resolution_bits / 8)
    ref_len = channels * nbytes
    if len(payload) < ref_len:
        raise FrameError(f"compressed PMD payload of {len(payload)} bytes has no reference sample")
    ref = [int.from_bytes(payload[k * nbytes:(k + 1) * nbytes], "little", signed=True) for k in range(channels)]
    rows = [np.array(ref, dtype=np.int64)[None, :]]
    i = ref_len
    while i < len(payload):
        if i + 2 > len(payload):
            raise FrameError("PMD delta block header cut short", offset=i)
        width, count = payload[i], payload[i + 1]
        nvals = count * channels
        size = math.ceil(nvals * width / 8)
        if width == 0 or width > 32 or i + 2 + size > len(payload):
            raise FrameError(f"PMD delta block (width {width}, count {count}) does not fit the frame", offset=i)
        bits = np.unpackbits(np.frombuffer(payload, np.uint8, size, i + 2), bitorder="little")
        bits = bits[:nvals * width].reshape(nvals, width).astype(np.int64)
        vals = bits @ (np.int64(1) << np.arange(width, dtype=np.int64))
        vals -= (vals >> (width - 1) & 1) << width  # two's complement sign
        rows.append(vals.reshape(count, channels))
        i += 2 + size
    deltas = np.concatenate(rows)
    return np.cumsum(deltas, axis=0)


def encode_acc_frame(timestamp_ns: int, samples_mg: np.ndarray, *, compressed: bool = False,
                     factor: float = 1.0, resolution_bits: int = 16) -> bytes:
    """An ACC data frame: raw type 1 (int16 mG) or compressed type 0 (counts of ``factor`` g).

    ``samples_mg`` are in mG; for a compressed frame with ``factor != 1`` they are stored as
    ``round(mG / 1000 / factor)`` counts, as the Verity Sense does.
    """
    s = np.asarray(samples_mg, dtype=np.float64)
    if compressed:
        counts = np.rint(s / 1000.0 / factor) if factor != 1.0 else np.rint(s)
        payload = encode_deltas(counts.astype(np.int64), resolution_bits)
        ftype = COMPRESSED | 0
    else:
        payload = np.clip(np.rint(s), -32768, 32767).astype("<i2").tobytes()
        ftype = 1
    return _HEADER.pack(MEAS_ACC, int(timestamp_ns), ftype) + payload


class AccDecoder:
    """Decode PMD ACC data frames into :class:`ImuPacket` (g, ticks = ns since 2000-01-01).

    Parameters
    ----------
    fs_hz : float
        Sample rate the stream was started with (Hz).
    factor : float
        FACTOR from the start response (1.0 when absent).
    resolution_bits : int
        RESOLUTION the stream was started with (bits), used by compressed frames.
    """

    timing = TIMING

    def __init__(self, fs_hz: float, factor: float = 1.0, resolution_bits: int = 16) -> None:
        self.fs_hz = float(fs_hz)
        self.factor = float(factor)
        self.resolution_bits = int(resolution_bits)

    def feed(self, data: bytes) -> ImuPacket:
        if len(data) < _HEADER.size:
            raise FrameError(f"PMD frame of {len(data)} bytes is shorter than its {_HEADER.size}-byte header")
        meas, ts_ns, ftype = _HEADER.unpack_from(data)
        if meas != MEAS_ACC:
            raise FrameError(f"PMD frame of measurement type {meas}, expected ACC ({MEAS_ACC})", offset=0)
        payload = bytes(data[_HEADER.size:])
        if ftype & COMPRESSED:
            if ftype & 0x7F != 0:
                raise FrameError(f"unsupported compressed ACC frame type {ftype & 0x7F}", offset=9)
            counts = decode_deltas(payload, 3, self.resolution_bits).astype(np.float64)
            acc_g = counts * self.factor if self.factor != 1.0 else counts / 1000.0
        else:
            width = _RAW_BYTES.get(ftype)
            if width is None:
                raise FrameError(f"unsupported raw ACC frame type {ftype}", offset=9)
            if len(payload) % (3 * width):
                raise FrameError(f"raw ACC payload of {len(payload)} bytes is not whole "
                                 f"{3 * width}-byte samples", offset=_HEADER.size)
            if width == 3:
                b = np.frombuffer(payload, np.uint8).reshape(-1, 3).astype(np.int32)
                v = b[:, 0] | b[:, 1] << 8 | b[:, 2] << 16
                counts = np.where(v >= 1 << 23, v - (1 << 24), v)
            else:
                counts = np.frombuffer(payload, "<i1" if width == 1 else "<i2")
            acc_g = counts.reshape(-1, 3).astype(np.float64) / 1000.0
        if len(acc_g) == 0:
            raise FrameError("PMD ACC frame holds no samples", offset=_HEADER.size)
        return ImuPacket(ticks=int(ts_ns), acc_g=acc_g, fs_hz=self.fs_hz)
