"""Movesense GATT SensorData Protocol (GSP): accelerometer and IMU6 streams.

Byte layouts, little-endian (Movesense "GATT SensorData Protocol" specification [1]_ and the
``gatt_sensordata_app`` sample, ``GATTSensorDataClient.cpp``):

* command characteristic ``34800001-…`` (write): ``00 ref`` HELLO; ``01 ref <ASCII path>`` SUBSCRIBE,
  e.g. ``01 63 "/Meas/Acc/104"`` or ``"/Meas/IMU6/208"``; ``02 ref`` UNSUBSCRIBE.
* data characteristic ``34800002-…`` (notify): ``01 ref <u16 status>`` command result (HTTP codes,
  200 = OK); ``02 ref <payload>`` data; ``03 ref <payload continued>`` the rest of a data payload
  that did not fit one notification.
* payload: ``u32`` timestamp (ms, sensor clock, of the first sample), then ``n`` float32 x, y, z
  acceleration in m/s^2; for IMU6 the ``n`` gyro samples (deg/s) follow the acceleration block.

References
----------
.. [1] Movesense, "GATT SensorData Protocol", https://www.movesense.com/docs/esw/gatt_sensordata_protocol/
   (document GD-77 v1.0); sample ``samples/gatt_sensordata_app`` of movesense-device-lib.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

import numpy as np

from ...errors import FrameError
from ...schema import GRAVITY_MPS2
from ..packets import ImuPacket, Timing

__all__ = [
    "SERVICE_UUID", "COMMAND_UUID", "DATA_UUID", "ADVERTISED_UUID16", "TIMING", "STANDARD_GRAVITY",
    "Resource", "DataDecoder", "encode_hello", "encode_subscribe", "encode_unsubscribe", "decode_command",
    "encode_result", "encode_data", "parse_resource",
]

SERVICE_UUID = "34802252-7185-4d5d-b431-630e7050e8f0"
COMMAND_UUID = "34800001-7185-4d5d-b431-630e7050e8f0"
DATA_UUID = "34800002-7185-4d5d-b431-630e7050e8f0"
ADVERTISED_UUID16 = 0xFDF3  # Movesense's SIG member UUID in newer firmware adverts

CMD_HELLO, CMD_SUBSCRIBE, CMD_UNSUBSCRIBE = 0x00, 0x01, 0x02
PKT_RESULT, PKT_DATA, PKT_DATA_PART2 = 0x01, 0x02, 0x03
RATES_HZ = (13, 26, 52, 104, 208, 416, 833, 1666)
STANDARD_GRAVITY = GRAVITY_MPS2  # m/s^2 per g (Movesense sends m/s^2)
TIMING = Timing(tick_s=1e-3, wrap_ticks=2**32, ref="first")

_PATH = re.compile(r"^/Meas/(Acc|IMU6)/(\d+)$")


@dataclass(frozen=True, slots=True)
class Resource:
    """A parsed measurement path: which channels and at what rate."""

    kind: str  # 'Acc' or 'IMU6'
    rate_hz: int

    @property
    def path(self) -> str:
        return f"/Meas/{self.kind}/{self.rate_hz}"

    @property
    def blocks(self) -> int:
        """Number of xyz float32 blocks per sample (2 for IMU6)."""
        return 2 if self.kind == "IMU6" else 1


def parse_resource(path: str) -> Resource:
    m = _PATH.match(path)
    if m is None or int(m.group(2)) not in RATES_HZ:
        raise ValueError(f"unsupported Movesense resource {path!r}; expected /Meas/Acc/<rate> "
                         f"or /Meas/IMU6/<rate> with rate in {RATES_HZ}")
    return Resource(m.group(1), int(m.group(2)))


def encode_hello(ref: int = 0) -> bytes:
    return bytes([CMD_HELLO, ref])


def encode_subscribe(ref: int, path: str) -> bytes:
    if not 1 <= ref <= 255:
        raise ValueError(f"GSP reference must be 1..255 (0 is reserved), found {ref}")
    return bytes([CMD_SUBSCRIBE, ref]) + path.encode("ascii")


def encode_unsubscribe(ref: int) -> bytes:
    return bytes([CMD_UNSUBSCRIBE, ref])


def decode_command(data: bytes) -> tuple[int, int, str | None]:
    """``(command, ref, path or None)``; used by the emulator."""
    if len(data) < 2:
        raise FrameError(f"GSP command needs at least 2 bytes, found {len(data)}")
    path = bytes(data[2:]).decode("ascii") if data[0] == CMD_SUBSCRIBE else None
    return data[0], data[1], path


def encode_result(ref: int, status: int) -> bytes:
    return struct.pack("<BBH", PKT_RESULT, ref, status)


def encode_data(ref: int, timestamp_ms: int, acc_mps2: np.ndarray, gyr_dps: np.ndarray | None = None,
                max_payload: int = 244) -> list[bytes]:
    """One data payload as notifications: ``02 ref …`` then ``03 ref …`` parts if it needs more room."""
    body = struct.pack("<I", timestamp_ms & 0xFFFFFFFF) + np.asarray(acc_mps2, "<f4").tobytes()
    if gyr_dps is not None:
        body += np.asarray(gyr_dps, "<f4").tobytes()
    room = max_payload - 2
    parts = [body[i:i + room] for i in range(0, len(body), room)]
    return [bytes([PKT_DATA if k == 0 else PKT_DATA_PART2, ref]) + p for k, p in enumerate(parts)]


class DataDecoder:
    """Reassemble and decode GSP data notifications for one subscription.

    Parameters
    ----------
    ref : int
        The reference byte the subscription was made with.
    resource : Resource
        What was subscribed (sets the channel layout and nominal rate).
    max_payload : int
        Largest notification payload on this link (ATT MTU - 3). A data packet that fills it may
        be continued by a ``03`` packet, so it is held until the next packet shows whether it is.

    Notes
    -----
    Command results (``01 ref status``) are returned by :meth:`feed` as an ``int`` status.
    """

    timing = TIMING

    def __init__(self, ref: int, resource: Resource, max_payload: int = 244) -> None:
        self.ref = ref
        self.resource = resource
        self.max_payload = max_payload
        self._pending: bytearray | None = None

    def _sample_bytes(self) -> int:
        return 12 * self.resource.blocks

    def feed(self, data: bytes) -> ImuPacket | int | None:
        """Feed one notification; returns a packet, a command status, or None (incomplete/other ref)."""
        if len(data) < 2:
            raise FrameError(f"GSP notification of {len(data)} bytes is too short")
        kind, ref = data[0], data[1]
        if kind == PKT_RESULT:
            if len(data) < 4:
                raise FrameError("GSP command result needs 4 bytes", offset=2)
            return int(struct.unpack_from("<H", data, 2)[0]) if ref == self.ref else None
        if ref != self.ref:
            return None
        if kind == PKT_DATA_PART2:
            if self._pending is None:
                raise FrameError("GSP continuation packet without a data packet before it", offset=0)
            self._pending += data[2:]
            return self._finish() if len(data) < self.max_payload else None
        if kind != PKT_DATA:
            raise FrameError(f"unknown GSP packet type {kind}", offset=0)
        out = self._finish() if self._pending is not None else None
        self._pending = bytearray(data[2:])
        if len(data) < self.max_payload:
            return self._finish()
        return out  # a full-size packet: its continuation may follow

    def flush(self) -> ImuPacket | None:
        """The held packet, if any (call when the stream stops)."""
        return self._finish() if self._pending is not None else None

    def _finish(self) -> ImuPacket:
        body, self._pending = bytes(self._pending or b""), None
        sb = self._sample_bytes()
        if len(body) < 4 + sb or (len(body) - 4) % sb:
            raise FrameError(f"GSP data payload of {len(body)} bytes is not a u32 timestamp plus whole "
                             f"{sb}-byte samples of {self.resource.path}", offset=2)
        ts = struct.unpack_from("<I", body)[0]
        n = (len(body) - 4) // sb
        vals = np.frombuffer(body, "<f4", offset=4).astype(np.float64)
        first = vals[:3 * n].reshape(n, 3)
        acc_g = first / STANDARD_GRAVITY
        gyr = vals[3 * n:].reshape(n, 3) if self.resource.blocks == 2 else None
        return ImuPacket(ticks=ts, acc_g=acc_g, gyr_dps=gyr, fs_hz=float(self.resource.rate_hz))
