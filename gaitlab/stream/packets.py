"""What a sensor profile's decoder hands to the stream: IMU packets and footpod summaries.

A decoder turns one BLE notification into at most one :class:`ImuPacket` (raw sensor clock ticks,
samples in g and deg/s) or one :class:`RscMeasurement`. Turning ticks into per-sample times, and
finding lost, duplicated or reordered packets, is the job of :mod:`gaitlab.stream.timebase`, which
reads how a protocol stamps its packets from a :class:`Timing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["Timing", "ImuPacket", "RscMeasurement"]


@dataclass(frozen=True, slots=True)
class Timing:
    """How a protocol time-stamps its packets.

    Parameters
    ----------
    tick_s : float
        Seconds per tick of the packet timestamp (1e-9 for Polar PMD, 1e-3 for Movesense, 1e-6 GLF).
    wrap_ticks : int or None
        Modulus of the timestamp counter (``2**32`` for a u32), ``None`` if it never wraps.
    ref : {'first', 'last'}
        Whether the timestamp belongs to the first or the last sample of the packet.
    seq_wrap : int or None
        Modulus of the packet sequence counter, ``None`` if the protocol has none.
    """

    tick_s: float
    wrap_ticks: int | None
    ref: Literal["first", "last"]
    seq_wrap: int | None = None


@dataclass(slots=True)
class ImuPacket:
    """One notification's samples, still on the sensor's raw clock.

    Attributes
    ----------
    ticks : int
        Raw (possibly wrapping) sensor timestamp; see :class:`Timing` for units and reference sample.
    acc_g : ndarray, shape (n, 3)
        Specific force in g, sensor frame.
    gyr_dps : ndarray, shape (n, 3) or None
        Angular rate in deg/s, sensor frame.
    seq : int or None
        Raw (wrapping) packet sequence number, when the protocol has one.
    fs_hz : float or None
        Nominal output data rate the sensor reports or was configured for (Hz).
    """

    ticks: int
    acc_g: np.ndarray
    gyr_dps: np.ndarray | None = None
    seq: int | None = None
    fs_hz: float | None = None

    @property
    def n(self) -> int:
        return int(self.acc_g.shape[0])


@dataclass(frozen=True, slots=True)
class RscMeasurement:
    """A Running Speed and Cadence summary (Bluetooth SIG characteristic 0x2A53).

    Attributes
    ----------
    speed_mps : float
        Instantaneous speed (m/s).
    cadence_per_min : int
        Cadence as sent, in 1/min (see :mod:`gaitlab.stream.protocols.rsc` for the steps/strides
        ambiguity of real footpods).
    stride_length_m : float or None
        Instantaneous stride length (m), when present.
    total_distance_m : float or None
        Total distance (m), when present.
    running : bool or None
        Walking (False) or running (True), when the sensor supports the status bit.
    """

    speed_mps: float
    cadence_per_min: int
    stride_length_m: float | None = None
    total_distance_m: float | None = None
    running: bool | None = None
