"""The stream's time base: sensor timestamps -> per-sample times, loss, and the host clock.

Two jobs, both driven by the sensor's own clock and counters, never by BLE arrival times
(arrival times jitter and bunch up; see ``docs/streaming.md``):

* :class:`Timeline` unwraps packet timestamps / sequence numbers, restores packet order through a
  small reorder buffer, drops duplicates, spreads each packet's samples over time, and reports
  missing samples as an explicit gap (never interpolated across).
* :class:`ClockFit` maps sensor time to host time with a robust linear fit over
  (sensor time, arrival time) pairs that follows the *lower envelope*: BLE and OS delivery only
  ever add (bursty, positive) delay, so the earliest arrivals are the ones closest to the truth.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from .packets import ImuPacket, Timing

__all__ = ["Block", "Timeline", "ClockFit"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Block:
    """Samples released in order, on the stream's time axis.

    Attributes
    ----------
    t_s : ndarray, shape (n,)
        Sample times (s, sensor clock) since the first sample of the stream.
    acc_g : ndarray, shape (n, 3)
        Specific force (g), sensor frame.
    gyr_dps : ndarray, shape (n, 3) or None
        Angular rate (deg/s), sensor frame.
    arrival_s : float
        Host time (``time.time()``, s) at which the packet arrived.
    lost_before : int
        Samples known to be missing just before this block (0 if contiguous).
    gap : tuple of float or None
        ``(t_before, t_after)`` (s, stream axis) when samples are missing before this block.
    """

    t_s: np.ndarray
    acc_g: np.ndarray
    gyr_dps: np.ndarray | None
    arrival_s: float
    lost_before: int = 0
    gap: tuple[float, float] | None = None


def _unwrap(raw: int, last_raw: int, last: int, modulus: int | None) -> int:
    """Unwrap ``raw`` next to a previous value (``last`` unwrapped, ``last_raw`` as received)."""
    if modulus is None:
        return raw
    d = (raw - last_raw) % modulus
    if d > modulus // 2:
        d -= modulus  # a step backwards: reordered or duplicated, not a wrap
    return last + d


@dataclass(slots=True)
class _Pending:
    key: int
    ticks: int  # unwrapped timestamp of the packet's reference sample
    packet: ImuPacket
    arrival_s: float


class Timeline:
    """Turn packets into in-order, time-stamped sample blocks with explicit gaps.

    Parameters
    ----------
    timing : Timing
        How the protocol stamps packets (tick size, wrap, first/last sample, sequence counter).
    fs_hz : float
        Nominal sample rate (Hz): the period estimate until the sensor's own timestamps refine it.
    reorder_depth : int
        How many packets may wait behind a hole before the hole is declared lost. BLE delivers a
        connection's notifications in order, so holes are normally real losses; the buffer exists
        for transports and firmware that reorder.

    Notes
    -----
    The sample period is re-estimated from the sensor's timestamps over every contiguous pair of
    packets (total ticks / total samples), so an IMU whose real rate differs from its nominal one
    by a few percent (common) is followed, and millisecond timestamp quantisation averages out.
    With ``timing.ref == 'last'`` the samples of a packet that follows its predecessor without a
    hole are spread evenly between the two packet timestamps, as the Polar SDK does
    (``PmdTimeStampUtils``).
    """

    def __init__(self, timing: Timing, fs_hz: float, *, reorder_depth: int = 3) -> None:
        if not fs_hz or fs_hz <= 0:
            raise ValueError(f"fs_hz must be positive, found {fs_hz!r}")
        self.timing = timing
        self.reorder_depth = int(reorder_depth)
        self._nominal_period_ticks = 1.0 / (fs_hz * timing.tick_s)
        self._sum_dticks = 0.0
        self._sum_dn = 0
        self._origin: int | None = None  # unwrapped ticks of the stream's first sample
        self._shift_ticks = 0  # re-anchoring after a sensor clock reset
        # unwrap references
        self._last_raw_ticks: int | None = None
        self._last_ticks = 0
        self._last_raw_seq: int | None = None
        self._last_seq = 0
        # last released packet
        self._rel_key: int | None = None
        self._rel_ticks: int | None = None  # reference ticks of the last released packet
        self._rel_n = 0
        self._rel_last_t: float | None = None  # stream time of the last released sample
        self._rel_arrival = 0.0
        self._released_keys: deque[int] = deque(maxlen=64)  # recent keys, to spot duplicates
        self._buffer: dict[int, _Pending] = {}
        self._segment_start = True
        self._host_elapsed: float | None = None
        self._seq_offset = 0
        # counters
        self.n_samples = 0
        self.n_lost = 0
        self.n_duplicates = 0
        self.n_late = 0
        self.n_reordered = 0
        self.gaps: list[tuple[float, float]] = []

    # -- public --------------------------------------------------------------------------------
    @property
    def period_s(self) -> float:
        """Current estimate of the true sample period (s, sensor clock)."""
        return self._period_ticks() * self.timing.tick_s

    def new_segment(self, host_elapsed_s: float | None = None) -> list[Block]:
        """Start over after a reconnect; returns what the reorder buffer still held.

        The sensor clock normally keeps running across a disconnect, so times continue and the
        disconnected span becomes a gap. ``host_elapsed_s`` (host seconds since the last packet)
        resolves timestamp wraps during a long disconnect and re-anchors a sensor that rebooted.
        """
        out = self.flush()
        self._segment_start = True
        self._host_elapsed = host_elapsed_s
        self._last_raw_seq = None
        self._released_keys.clear()
        return out

    def push(self, packet: ImuPacket, arrival_s: float) -> list[Block]:
        """Add one packet; returns the blocks that can now be released, in order."""
        if packet.n == 0:
            return []
        if packet.fs_hz:  # the sensor's own nominal rate beats the requested one
            self._nominal_period_ticks = 1.0 / (packet.fs_hz * self.timing.tick_s)
        ticks = self._unwrap_ticks(packet.ticks)
        if self.timing.seq_wrap is not None and packet.seq is not None:
            key = self._unwrap_seq(packet.seq)
        else:
            key = ticks
        if key in self._buffer or key in self._released_keys:
            self.n_duplicates += 1
            return []
        if self._rel_key is not None and key < self._rel_key:
            self.n_late += 1  # arrived after its hole was declared lost; the gap stays a gap
            log.debug("late packet (key %d < %d) dropped", key, self._rel_key)
            return []
        if self._buffer and key < max(self._buffer):
            self.n_reordered += 1
        self._buffer[key] = _Pending(key, ticks, packet, arrival_s)
        return self._release(force=False)

    def flush(self) -> list[Block]:
        """Release everything buffered (end of stream or disconnect)."""
        return self._release(force=True)

    # -- internals -------------------------------------------------------------------------------
    def _period_ticks(self) -> float:
        # trust the measurement once timestamp quantisation (one tick over the span) is below 0.2 %
        if self._sum_dn >= 8 and self._sum_dticks >= 500.0:
            return self._sum_dticks / self._sum_dn
        return self._nominal_period_ticks

    def _unwrap_ticks(self, raw: int) -> int:
        wrap = self.timing.wrap_ticks
        if self._last_raw_ticks is None:
            ticks = raw
        elif self._segment_start and wrap is not None and self._host_elapsed is not None:
            # after a reconnect: choose the wrap count that best matches the host's elapsed time
            expected = self._last_ticks + self._host_elapsed / self.timing.tick_s
            k = round((expected - raw) / wrap)
            ticks = raw + k * wrap
        else:
            ticks = _unwrap(raw, self._last_raw_ticks, self._last_ticks, wrap)
        self._last_raw_ticks, self._last_ticks = raw, ticks
        return ticks + self._shift_ticks

    def _unwrap_seq(self, raw: int) -> int:
        if self._last_raw_seq is None:
            # new segment: seq numbering may have restarted; place it after everything released
            base = (self._rel_key + 1) if self._rel_key is not None else 0
            self._seq_offset = base - raw
            seq = raw
        else:
            seq = _unwrap(raw, self._last_raw_seq, self._last_seq, self.timing.seq_wrap)
        self._last_raw_seq, self._last_seq = raw, seq
        return seq + self._seq_offset

    def _first_ticks(self, p: _Pending, period: float) -> float:
        return p.ticks - (p.packet.n - 1) * period if self.timing.ref == "last" else float(p.ticks)

    def _missing(self, p: _Pending, period: float) -> float:
        """Samples missing between the last released sample and ``p``'s first (fractional)."""
        assert self._rel_ticks is not None
        prev_last = self._rel_ticks if self.timing.ref == "last" else self._rel_ticks + (self._rel_n - 1) * period
        return (self._first_ticks(p, period) - prev_last) / period - 1.0

    def _release(self, force: bool) -> list[Block]:
        out: list[Block] = []
        while self._buffer:
            key = min(self._buffer)
            p = self._buffer[key]
            if self._rel_key is not None and not self._segment_start and not force:
                seq_next = self.timing.seq_wrap is not None and p.packet.seq is not None
                contiguous = (key == self._rel_key + 1) if seq_next else (
                    self._missing(p, self._period_ticks()) < max(1.0, 0.25 * p.packet.n))
                if not contiguous and len(self._buffer) <= self.reorder_depth:
                    break  # wait: the packet filling the hole may still come
            del self._buffer[key]
            out.append(self._emit(p))
        return out

    def _emit(self, p: _Pending) -> Block:
        n = p.packet.n
        period = self._period_ticks()
        lost = 0
        gap = None
        first_of_stream = self._rel_ticks is None
        if not first_of_stream:
            missing = self._missing(p, period)
            if self._segment_start and missing < -0.5:
                # the sensor clock went backwards across a reconnect (reboot): re-anchor on host time
                elapsed = self._host_elapsed or 0.0
                shift = self._rel_ticks - self._first_ticks(p, period) + max(
                    elapsed / self.timing.tick_s, 2 * period)
                self._shift_ticks += int(round(shift))
                p.ticks += int(round(shift))
                missing = self._missing(p, period)
                log.warning("sensor clock restarted; times after the reconnect are placed by host time")
            if missing >= max(1.0, 0.25 * n) or self._segment_start:
                lost = max(int(round(missing)), 0)
            else:
                # contiguous: refine the period from the sensor's own timestamps
                d_ticks = p.ticks - self._rel_ticks
                d_n = n if self.timing.ref == "last" else self._rel_n
                self._sum_dticks += d_ticks
                self._sum_dn += d_n
        if first_of_stream:
            self._origin = p.ticks - (int(round((n - 1) * period)) if self.timing.ref == "last" else 0)
        assert self._origin is not None
        # integer ticks relative to the origin first: ns since 2000 do not fit a float64 exactly
        rel = p.ticks - self._origin
        if self.timing.ref == "last" and not first_of_stream and lost == 0 and not self._segment_start:
            assert self._rel_ticks is not None
            prev = self._rel_ticks - self._origin
            ticks = prev + (rel - prev) / n * np.arange(1, n + 1)  # Polar: spread between frame stamps
        else:
            first = rel - (n - 1) * period if self.timing.ref == "last" else float(rel)
            ticks = first + period * np.arange(n)
        t_s = ticks * self.timing.tick_s
        if self._rel_last_t is not None and t_s[0] <= self._rel_last_t:
            # never let timestamp jitter break strict monotonicity
            t_s = t_s + (self._rel_last_t - t_s[0] + 1e-6)
        if self._rel_last_t is not None and (lost > 0 or (
                self._segment_start and t_s[0] - self._rel_last_t > 1.5 * period * self.timing.tick_s)):
            gap = (float(self._rel_last_t), float(t_s[0]))
            self.gaps.append(gap)
            self.n_lost += lost
        self._segment_start = False
        self._rel_key, self._rel_ticks, self._rel_n = p.key, p.ticks, n
        self._rel_last_t = float(t_s[-1])
        self._rel_arrival = p.arrival_s
        self._released_keys.append(p.key)
        self.n_samples += n
        return Block(t_s, p.packet.acc_g, p.packet.gyr_dps, p.arrival_s, lost, gap)


class ClockFit:
    """Map sensor time to host time: ``host ≈ offset + slope * sensor`` along the lower envelope.

    Parameters
    ----------
    bucket_s : float
        Sensor-time width of the buckets whose earliest arrival is kept as an envelope point (s).
    max_points : int
        How many recent (sensor, arrival) pairs to keep for the fit (older ones are forgotten,
        so slow drift changes are followed).

    Notes
    -----
    Each refit (a) fits a line through all pairs, (b) keeps in each sensor-time bucket the pair
    with the smallest residual (the earliest arrival relative to the line), (c) refits through
    those and repeats (b)-(c) once more, then (d) shifts the line down onto the lowest envelope
    point so it follows the minimum delay. Until two buckets exist the slope is taken as 1.
    """

    def __init__(self, bucket_s: float = 1.0, max_points: int = 4096) -> None:
        self.bucket_s = float(bucket_s)
        self._sensor = np.empty(max_points)
        self._host = np.empty(max_points)
        self._n = 0
        self._i = 0
        self.offset = math.nan
        self.slope = 1.0
        self._since_fit = 0

    @property
    def ready(self) -> bool:
        return self._n > 0

    @property
    def drift_ppm(self) -> float:
        """Sensor clock rate error relative to the host clock (ppm, positive = sensor slow)."""
        return (self.slope - 1.0) * 1e6

    def add(self, sensor_s: float, host_s: float) -> None:
        """Add one pair: a sample's sensor time and the host time its packet arrived."""
        cap = self._sensor.shape[0]
        self._sensor[self._i] = sensor_s
        self._host[self._i] = host_s
        self._i = (self._i + 1) % cap
        self._n = min(self._n + 1, cap)
        self._since_fit += 1
        if self._n <= 2 or self._since_fit >= 16:
            self.refit()

    def refit(self) -> None:
        s = self._sensor[:self._n]
        h = self._host[:self._n]
        self._since_fit = 0
        s0 = float(s.min())
        x = s - s0  # condition the fit: sensor times can be large
        buckets = np.floor(x / self.bucket_s).astype(np.int64)
        if buckets.max() == buckets.min():
            slope = 1.0
        else:
            slope, _ = np.polyfit(x, h, 1)
            for _ in range(2):
                resid = h - slope * x
                order = np.lexsort((resid, buckets))
                first = np.ones(order.size, bool)
                first[1:] = buckets[order][1:] != buckets[order][:-1]
                pick = order[first]  # per bucket, the earliest arrival relative to the line
                if pick.size < 2:
                    break
                slope, _ = np.polyfit(x[pick], h[pick], 1)
        intercept = float(np.min(h - slope * x))
        self.slope = float(slope)
        self.offset = intercept - self.slope * s0

    def to_host(self, sensor_s: float | np.ndarray) -> float | np.ndarray:
        """Host time (s, same clock as the arrival times) of a sensor time."""
        if not self.ready:
            raise RuntimeError("ClockFit has no data yet")
        return self.offset + self.slope * np.asarray(sensor_s) if isinstance(sensor_s, np.ndarray) \
            else self.offset + self.slope * float(sensor_s)
