"""GLF v1, gaitlab's own frame for DIY sensors: decoder, encoder, control and info records.

The byte format is specified in ``firmware_bridge/PROTOCOL.md``; the C reference implementation
is ``firmware_bridge/src/glf.c``, and both are checked against the same golden vectors
(``firmware_bridge/vectors/``). All multi-byte fields are little-endian.

Data frame (notify characteristic), v1 base header of 16 bytes:

===  ====  ===============  ================================================================
off  type  field            meaning
===  ====  ===============  ================================================================
0    u8    version          1; any other value is rejected (a v2 frame is never misread)
1    u8    header_len       bytes before the samples, >= 16; extra bytes are skipped
2    u8    layout           low nibble 1 = acc xyz, 2 = acc+gyro; bit 7 = CRC trailer
3    u8    n                samples in the frame, 1..255
4    u16   seq              +1 per frame, wraps at 65536
6    u16   odr_hz           nominal output data rate (Hz)
8    u32   t0_us            sensor clock (us) of the first sample, wraps at 2**32
12   u16   gyro_range_dps   gyro full scale, 0 for acc-only frames
14   u8    acc_range_g      acc full scale: g per LSB = acc_range_g / 32768
15   u8    reserved         0
===  ====  ===============  ================================================================

then ``n`` samples of int16 ``x, y, z[, gx, gy, gz]`` in the sensor frame, then a u16
CRC-16/CCITT-FALSE over all preceding bytes when layout bit 7 is set.

Sample times and loss are not handled here: :class:`GlfDecoder` turns a notification into an
:class:`~gaitlab.stream.packets.ImuPacket` and :data:`TIMING` tells
:class:`gaitlab.stream.timebase.Timeline` how GLF stamps packets (u32 microseconds of the first
sample, u16 sequence number), which unwraps both counters, drops duplicates and reports lost
frames as gaps.
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from ...errors import FrameError
from ..packets import ImuPacket, Timing

__all__ = [
    "VERSION", "HEADER_LEN", "MAX_FRAME_LEN", "LAYOUT_ACC", "LAYOUT_ACC_GYRO", "FLAG_CRC",
    "SERVICE_UUID", "DATA_UUID", "CONTROL_UUID", "INFO_UUID", "TIMING",
    "GlfFrameError", "GlfFrame", "decode_frame", "encode_frame", "crc16", "channels", "frame_size",
    "max_samples", "to_counts",
    "Op", "Status", "Command", "encode_start", "encode_stop", "encode_command", "decode_command",
    "Response", "encode_response", "decode_response",
    "DeviceInfo", "encode_info", "decode_info", "GlfDecoder",
]

VERSION = 1
HEADER_LEN = 16
CRC_LEN = 2
MAX_FRAME_LEN = 512  # ATT attribute value limit
ATT_OVERHEAD = 3  # notification payload = ATT MTU - 3
LAYOUT_ACC = 0x01
LAYOUT_ACC_GYRO = 0x02
FLAG_CRC = 0x80
_CHANNEL_MASK = 0x0F
_RESERVED_MASK = 0x70
_CHANNELS = {LAYOUT_ACC: 3, LAYOUT_ACC_GYRO: 6}

# 128-bit UUIDs: project base a9c7xxxx-5d3b-4e0b-9a53-67616974c0de ("gait" + c0de)
_UUID_BASE = "a9c7{:04x}-5d3b-4e0b-9a53-67616974c0de"
SERVICE_UUID = _UUID_BASE.format(0x0001)
DATA_UUID = _UUID_BASE.format(0x0002)
CONTROL_UUID = _UUID_BASE.format(0x0003)
INFO_UUID = _UUID_BASE.format(0x0004)

TIMING = Timing(tick_s=1e-6, wrap_ticks=2**32, ref="first", seq_wrap=2**16)

_HEADER = struct.Struct("<BBBBHHIHBB")
assert _HEADER.size == HEADER_LEN


class GlfFrameError(FrameError):
    """A GLF record that cannot be decoded.

    ``code`` names the error class, the same names as the C library's ``glf_strerror``:
    ``truncated``, ``version``, ``header_len``, ``layout``, ``count``, ``field``, ``oversized``,
    ``crc``, ``opcode``.
    """

    def __init__(self, code: str, message: str, *, offset: int | None = None) -> None:
        self.code = code
        super().__init__(message, offset=offset)

    def __reduce__(self):
        return (GlfFrameError, (self.code, self.message), {"offset": self.offset})

    def __setstate__(self, state):
        self.offset = state["offset"]
        self.args = (self.message if self.offset is None else f"byte {self.offset}: {self.message}",)


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection): ``crc16(b"123456789") == 0x29B1``."""
    return binascii.crc_hqx(data, 0xFFFF)


def channels(layout: int) -> int:
    """int16 values per sample for a layout byte (3 or 6), 0 if the layout is unknown."""
    if layout & _RESERVED_MASK:
        return 0
    return _CHANNELS.get(layout & _CHANNEL_MASK, 0)


def frame_size(layout: int, n: int) -> int:
    """Bytes of a frame with the v1 base header and ``n`` samples (0 if layout or n is invalid)."""
    k = channels(layout)
    if k == 0 or not 1 <= n <= 255:
        return 0
    return HEADER_LEN + n * k * 2 + (CRC_LEN if layout & FLAG_CRC else 0)


def max_samples(mtu: int, layout: int) -> int:
    """Most samples one notification can carry at this ATT MTU (0 if not even one fits)."""
    k = channels(layout)
    if k == 0 or mtu <= ATT_OVERHEAD:
        return 0
    payload = min(mtu - ATT_OVERHEAD, MAX_FRAME_LEN)
    fixed = HEADER_LEN + (CRC_LEN if layout & FLAG_CRC else 0)
    if payload < fixed:
        return 0
    return min((payload - fixed) // (2 * k), 255)


def to_counts(values: np.ndarray, full_scale: float) -> np.ndarray:
    """Physical values (g or deg/s) to int16 counts at ``full_scale`` (rounded, saturated)."""
    counts = np.rint(np.asarray(values, dtype=np.float64) * (32768.0 / float(full_scale)))
    return np.clip(counts, -32768, 32767).astype(np.int16)


@dataclass(frozen=True, eq=False)
class GlfFrame:
    """One decoded GLF data frame.

    Attributes
    ----------
    version, header_len, layout : int
        Header bytes as sent; ``layout`` includes the CRC flag bit.
    seq : int
        Raw sequence number (wraps at 65536).
    t0_us : int
        Raw sensor time of the first sample (us, wraps at 2**32).
    odr_hz : int
        Nominal sample rate (Hz); the true rate is measured from ``t0_us`` by the timeline.
    acc_range_g : int
        Accelerometer full scale (g).
    gyro_range_dps : int or None
        Gyro full scale (deg/s), None for acc-only frames.
    raw_acc, raw_gyr : ndarray of int16, shape (n, 3)
        Counts as sent (read-only); ``raw_gyr`` is None for acc-only frames.
    acc_g : ndarray of float64, shape (n, 3)
        Specific force (g), sensor frame.
    gyr_dps : ndarray of float64, shape (n, 3) or None
        Angular rate (deg/s), sensor frame.
    header_ext : bytes
        Header bytes past the v1 base header (from a newer minor revision), unparsed.
    """

    version: int
    header_len: int
    layout: int
    seq: int
    t0_us: int
    odr_hz: int
    acc_range_g: int
    gyro_range_dps: int | None
    raw_acc: np.ndarray
    raw_gyr: np.ndarray | None
    acc_g: np.ndarray
    gyr_dps: np.ndarray | None
    header_ext: bytes = b""

    @property
    def n(self) -> int:
        return int(self.raw_acc.shape[0])

    @property
    def crc(self) -> bool:
        return bool(self.layout & FLAG_CRC)

    @property
    def channels(self) -> int:
        return channels(self.layout)


def _err(code: str, message: str, offset: int | None) -> GlfFrameError:
    return GlfFrameError(code, message, offset=offset)


def decode_frame(data: bytes | bytearray | memoryview) -> GlfFrame:
    """Decode and validate one GLF frame.

    Checks run in the order PROTOCOL.md specifies (the C decoder uses the same order), so both
    report the same error class for the same bytes.

    Raises
    ------
    GlfFrameError
        (a :class:`~gaitlab.errors.FrameError`) with ``code`` and the byte ``offset`` of the problem.
    """
    data = bytes(data)
    size = len(data)
    if size < 1:
        raise _err("truncated", "empty GLF frame", 0)
    if data[0] != VERSION:
        raise _err("version", f"GLF frame version {data[0]} is not supported (this reader reads "
                   f"version {VERSION})", 0)
    if size < HEADER_LEN:
        raise _err("truncated", f"GLF frame of {size} bytes is shorter than the {HEADER_LEN}-byte "
                   "header", size)
    _, header_len, layout, n, seq, odr_hz, t0_us, gyro_range, acc_range, reserved = _HEADER.unpack_from(data)
    if header_len < HEADER_LEN:
        raise _err("header_len", f"header_len {header_len} is below the v1 minimum {HEADER_LEN}", 1)
    k = channels(layout)
    if k == 0:
        raise _err("layout", f"unknown layout 0x{layout:02x} (expected channel set 1 or 2, optional "
                   "CRC bit 0x80, reserved bits 0x70 clear)", 2)
    if n == 0:
        raise _err("count", "frame declares 0 samples (expected 1..255)", 3)
    if odr_hz == 0:
        raise _err("field", "odr_hz is 0 (expected the nominal sample rate)", 6)
    if (k == 6) != (gyro_range != 0):
        want = "a non-zero gyro range" if k == 6 else "0 for an acc-only layout"
        raise _err("field", f"gyro_range_dps is {gyro_range}, expected {want}", 12)
    if acc_range == 0:
        raise _err("field", "acc_range_g is 0 (expected the full scale in g)", 14)
    if reserved != 0:
        raise _err("field", f"reserved byte is 0x{reserved:02x}, expected 0", 15)
    trailer = CRC_LEN if layout & FLAG_CRC else 0
    expected = header_len + n * k * 2 + trailer
    if expected > MAX_FRAME_LEN:
        raise _err("oversized", f"header declares a {expected}-byte frame ({n} samples), larger than "
                   f"the {MAX_FRAME_LEN}-byte limit", 3)
    if size < expected:
        raise _err("truncated", f"frame of {size} bytes is shorter than the {expected} bytes its header "
                   f"declares ({n} samples of {k} channels)", size)
    if size > expected:
        raise _err("count", f"frame of {size} bytes has {size - expected} bytes after the {n} samples "
                   f"its header declares ({expected} bytes expected)", expected)
    if trailer:
        (sent,) = struct.unpack_from("<H", data, expected - CRC_LEN)
        computed = crc16(data[:expected - CRC_LEN])
        if sent != computed:
            raise _err("crc", f"CRC 0x{sent:04x} does not match the computed 0x{computed:04x}",
                       expected - CRC_LEN)
    raw = np.frombuffer(data, dtype="<i2", count=n * k, offset=header_len).reshape(n, k)
    raw_acc = raw[:, :3]
    raw_gyr = raw[:, 3:] if k == 6 else None
    acc_g = raw_acc * (acc_range / 32768.0)
    gyr_dps = raw_gyr * (gyro_range / 32768.0) if raw_gyr is not None else None
    return GlfFrame(VERSION, header_len, layout, seq, t0_us, odr_hz, acc_range,
                    gyro_range if k == 6 else None, raw_acc, raw_gyr, acc_g, gyr_dps,
                    data[HEADER_LEN:header_len])


def encode_frame(raw_acc: np.ndarray, raw_gyr: np.ndarray | None = None, *, seq: int, t0_us: int,
                 odr_hz: int, acc_range_g: int, gyro_range_dps: int = 0, crc: bool = False,
                 header_ext: bytes = b"") -> bytes:
    """Encode one GLF v1 frame (byte-identical to ``glf_encode_ext`` in C).

    Parameters
    ----------
    raw_acc : array_like of int, shape (n, 3)
        Accelerometer counts (``to_counts(acc_g, acc_range_g)``), sensor frame.
    raw_gyr : array_like of int, shape (n, 3), optional
        Gyro counts; selects the acc+gyro layout.
    seq, t0_us : int
        Sequence number and first-sample sensor time (us); reduced modulo 2**16 and 2**32.
    odr_hz, acc_range_g, gyro_range_dps : int
        Nominal rate (Hz) and full scales (g, deg/s); ``gyro_range_dps`` only with ``raw_gyr``.
    crc : bool
        Append the CRC-16 trailer (for UART/SD logs; BLE has its own).
    header_ext : bytes
        Extra header bytes (a future minor revision's fields); v1 readers skip them.

    Raises
    ------
    ValueError
        For anything the decoder would reject (so an emitted frame always decodes).
    """
    acc = _counts_array(raw_acc, "raw_acc")
    parts = [acc]
    layout = LAYOUT_ACC
    if raw_gyr is not None:
        gyr = _counts_array(raw_gyr, "raw_gyr")
        if gyr.shape != acc.shape:
            raise ValueError(f"raw_gyr shape {gyr.shape} differs from raw_acc shape {acc.shape}")
        parts.append(gyr)
        layout = LAYOUT_ACC_GYRO
    n = acc.shape[0]
    if not 1 <= n <= 255:
        raise ValueError(f"a frame holds 1..255 samples, found {n}")
    if not 0 < odr_hz <= 0xFFFF:
        raise ValueError(f"odr_hz must be in 1..65535, found {odr_hz}")
    if not 0 < acc_range_g <= 0xFF:
        raise ValueError(f"acc_range_g must be in 1..255, found {acc_range_g}")
    if raw_gyr is not None and not 0 < gyro_range_dps <= 0xFFFF:
        raise ValueError(f"acc+gyro frames need gyro_range_dps in 1..65535, found {gyro_range_dps}")
    if raw_gyr is None and gyro_range_dps != 0:
        raise ValueError("gyro_range_dps must be 0 for an acc-only frame")
    header_len = HEADER_LEN + len(header_ext)
    if header_len > 255:
        raise ValueError(f"header extension of {len(header_ext)} bytes makes the header longer than 255")
    if crc:
        layout |= FLAG_CRC
    size = header_len + acc.size * len(parts) * 2 + (CRC_LEN if crc else 0)
    if size > MAX_FRAME_LEN:
        raise ValueError(f"{n} samples make a {size}-byte frame, above the {MAX_FRAME_LEN}-byte limit")
    samples = np.hstack(parts).astype("<i2") if len(parts) > 1 else acc.astype("<i2")
    body = (_HEADER.pack(VERSION, header_len, layout, n, seq & 0xFFFF, odr_hz, t0_us & 0xFFFFFFFF,
                         gyro_range_dps, acc_range_g, 0) + bytes(header_ext) + samples.tobytes())
    if crc:
        body += struct.pack("<H", crc16(body))
    return body


def _counts_array(values: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(values)
    if a.ndim != 2 or a.shape[1] != 3:
        raise ValueError(f"{name} must have shape (n, 3), found {a.shape}")
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name} must hold integer counts, found dtype {a.dtype} (use to_counts)")
    if a.size and (a.min() < -32768 or a.max() > 32767):
        raise ValueError(f"{name} counts must fit int16, found {a.min()}..{a.max()}")
    return a


# ---- control characteristic ------------------------------------------------------------------

class Op(IntEnum):
    """Control opcodes (first byte of a control write)."""

    START = 0x01
    STOP = 0x02
    RESPONSE = 0xF0  # first byte of a response notification


class Status(IntEnum):
    """Status byte of a control response notification."""

    OK = 0x00
    UNKNOWN_OP = 0x01
    BAD_LENGTH = 0x02
    BAD_RATE = 0x03
    BAD_RANGE = 0x04
    BAD_LAYOUT = 0x05
    BUSY = 0x06


_START = struct.Struct("<BHBHB")


@dataclass(frozen=True)
class Command:
    """A decoded control write; for START, 0 in a field means "keep the current setting"."""

    op: int
    odr_hz: int = 0
    acc_range_g: int = 0
    gyro_range_dps: int = 0
    layout: int = 0


def encode_start(odr_hz: int = 0, acc_range_g: int = 0, gyro_range_dps: int = 0, layout: int = 0) -> bytes:
    """START command: ``01 odr_hz:u16 acc_range_g:u8 gyro_range_dps:u16 layout:u8`` (7 bytes)."""
    if layout and not channels(layout):
        raise ValueError(f"unknown layout 0x{layout:02x}")
    return _START.pack(Op.START, odr_hz, acc_range_g, gyro_range_dps, layout)


def encode_stop() -> bytes:
    """STOP command: ``02``."""
    return bytes([Op.STOP])


def encode_command(cmd: Command) -> bytes:
    if cmd.op == Op.START:
        return encode_start(cmd.odr_hz, cmd.acc_range_g, cmd.gyro_range_dps, cmd.layout)
    if cmd.op == Op.STOP:
        return encode_stop()
    raise ValueError(f"unknown control opcode 0x{cmd.op:02x}")


def decode_command(data: bytes | bytearray) -> Command:
    """Decode a control write (what firmware and the emulated sensor receive)."""
    data = bytes(data)
    if not data:
        raise _err("truncated", "empty control command", 0)
    op = data[0]
    if op == Op.START:
        want = _START.size
    elif op == Op.STOP:
        want = 1
    else:
        raise _err("opcode", f"unknown control opcode 0x{op:02x} (expected 0x01 START or 0x02 STOP)", 0)
    if len(data) < want:
        raise _err("truncated", f"control command 0x{op:02x} needs {want} bytes, found {len(data)}",
                   len(data))
    if len(data) > want:
        raise _err("count", f"control command 0x{op:02x} is {want} bytes, found {len(data)}", want)
    if op == Op.STOP:
        return Command(Op.STOP)
    _, odr_hz, acc_range, gyro_range, layout = _START.unpack(data)
    if layout and not channels(layout):
        raise _err("layout", f"START asks for unknown layout 0x{layout:02x}", 6)
    return Command(Op.START, odr_hz, acc_range, gyro_range, layout)


@dataclass(frozen=True)
class Response:
    """A control response notification ``F0 op status``."""

    op: int
    status: int

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    @property
    def status_name(self) -> str:
        try:
            return Status(self.status).name
        except ValueError:
            return f"UNKNOWN_STATUS_{self.status}"


def encode_response(op: int, status: int) -> bytes:
    return bytes([Op.RESPONSE, op & 0xFF, status & 0xFF])


def decode_response(data: bytes | bytearray) -> Response:
    data = bytes(data)
    if not data:
        raise _err("truncated", "empty control response", 0)
    if data[0] != Op.RESPONSE:
        raise _err("opcode", f"control response starts with 0x{data[0]:02x}, expected 0xf0", 0)
    if len(data) != 3:
        code = "truncated" if len(data) < 3 else "count"
        raise _err(code, f"control response is 3 bytes, found {len(data)}", min(len(data), 3))
    return Response(data[1], data[2])


# ---- device info (read characteristic) ----------------------------------------------------------

INFO_VERSION = 1
INFO_LEN = 36
_INFO = struct.Struct("<BBBBBBHBBBBHHHBB16s")
assert _INFO.size == INFO_LEN
_PLACEMENTS = {0: None, 1: "waist", 2: "shoe"}
_SIDES = {0: None, 1: "L", 2: "R"}


@dataclass(frozen=True)
class DeviceInfo:
    """The info characteristic: firmware, board, sensor part and current settings.

    ``placement`` is None/'waist'/'shoe' and ``side`` None/'L'/'R', as in
    :class:`~gaitlab.recording.Recording`; ``layouts`` lists the supported layout codes.
    """

    glf_version: int
    fw_version: tuple[int, int, int]
    board_id: int
    placement: str | None
    side: str | None
    acc_range_g: int
    layouts: tuple[int, ...]
    gyro_range_dps: int
    odr_hz: int
    max_odr_hz: int
    streaming: bool
    model: str


def encode_info(info: DeviceInfo) -> bytes:
    placement = {v: k for k, v in _PLACEMENTS.items()}[info.placement]
    side = {v: k for k, v in _SIDES.items()}[info.side]
    model = info.model.encode("ascii")
    if len(model) > 16 or not all(0x20 <= b <= 0x7E for b in model):
        raise ValueError(f"model must be up to 16 printable ASCII characters, found {info.model!r}")
    mask = sum(1 << code for code in info.layouts)
    return _INFO.pack(INFO_VERSION, INFO_LEN, info.glf_version, *info.fw_version, info.board_id, placement,
                      side, info.acc_range_g, mask, info.gyro_range_dps, info.odr_hz, info.max_odr_hz,
                      int(info.streaming), 0, model)


def decode_info(data: bytes | bytearray) -> DeviceInfo:
    """Decode the info record (36 bytes in info v1; a longer record's extra bytes are ignored)."""
    data = bytes(data)
    size = len(data)
    if size < 1:
        raise _err("truncated", "empty info record", 0)
    if data[0] != INFO_VERSION:
        raise _err("version", f"info record version {data[0]} is not supported (expected {INFO_VERSION})", 0)
    if size < INFO_LEN:
        raise _err("truncated", f"info record of {size} bytes is shorter than {INFO_LEN}", size)
    if data[1] < INFO_LEN:
        raise _err("header_len", f"info_len {data[1]} is below the v1 minimum {INFO_LEN}", 1)
    if size != data[1]:
        code = "truncated" if size < data[1] else "count"
        raise _err(code, f"info record of {size} bytes, its info_len says {data[1]}", min(size, data[1]))
    (_, _, glf_version, major, minor, patch, board, placement, side, acc_range, mask, gyro_range, odr,
     max_odr, state, _reserved, model_raw) = _INFO.unpack_from(data)
    model = model_raw.rstrip(b"\0")
    if b"\0" in model or not all(0x20 <= b <= 0x7E for b in model):
        raise _err("field", f"sensor model {model_raw!r} is not printable ASCII padded with NULs", 20)
    return DeviceInfo(glf_version, (major, minor, patch), board, _PLACEMENTS.get(placement),
                      _SIDES.get(side), acc_range, tuple(c for c in (1, 2) if mask >> c & 1), gyro_range,
                      odr, max_odr, state == 1, model.decode("ascii"))


# ---- stream adapter --------------------------------------------------------------------------

class GlfDecoder:
    """Turn GLF notifications into :class:`~gaitlab.stream.packets.ImuPacket` for the timeline.

    The packet's ``ticks`` are the raw ``t0_us`` and ``seq`` the raw sequence number; feed packets
    to ``Timeline(GlfDecoder.timing, fs_hz)``, which unwraps both. The last decoded frame is kept
    in :attr:`last_frame` (header fields, raw counts).
    """

    timing = TIMING

    def __init__(self) -> None:
        self.last_frame: GlfFrame | None = None

    def feed(self, data: bytes | bytearray) -> ImuPacket:
        frame = decode_frame(data)
        self.last_frame = frame
        return ImuPacket(ticks=frame.t0_us, acc_g=frame.acc_g, gyr_dps=frame.gyr_dps, seq=frame.seq,
                         fs_hz=float(frame.odr_hz))
