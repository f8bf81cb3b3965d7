"""The live stream: connect, decode, time-stamp, record, analyse, reconnect.

``async with connect(...) as s: async for update in s: ...`` runs on the caller's event loop
(so it works inside Jupyter's running loop: no ``asyncio.run``, no ``nest_asyncio``). Three pieces
run concurrently:

* the notification handlers (profile): decode + ``put_nowait`` into one queue, stamped with the
  host arrival time;
* the *pump* task: drains the queue in order, runs the :class:`~.timebase.Timeline`, writes the
  recording, feeds the analyzer and publishes the newest :class:`~.live.LiveUpdate`;
* the *supervisor* task: waits for link loss, marks it in the queue, and reconnects with
  exponential backoff (re-subscribing and re-sending the start command).

Recording happens in the pump, so it continues whether or not anybody iterates the updates.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from collections.abc import Mapping
from typing import Any

from ..errors import FrameError, GaitlabError
from .live import LiveAnalyzer, LiveUpdate, RateAnalyzer, summarize_steps
from .packets import ImuPacket, RscMeasurement
from .profiles import Profile, RscProfile, get_profile
from .protocols import rsc
from .recorder import CsvRecorder
from .source import BleakSource, Source, StreamError
from .timebase import Block, ClockFit, Timeline

__all__ = ["Stream", "connect"]

log = logging.getLogger(__name__)

_SEGMENT = object()  # queue marker: the link was lost here
_RECOVERABLE = (GaitlabError, OSError, asyncio.TimeoutError, EOFError)


def _bleak_errors() -> tuple[type[BaseException], ...]:
    try:
        from bleak.exc import BleakError
    except ImportError:  # pragma: no cover - bleak is a dependency
        return ()
    return (BleakError,)


class Stream:
    """A live sensor stream; use :func:`connect` to make one.

    Parameters
    ----------
    device : str or BLEDevice or None
        Sensor name or address, or a bleak ``BLEDevice``; unused when ``source`` is given.
    profile : str or Profile, optional
        ``'polar'``, ``'movesense'``, ``'gaitlab'``, ``'rsc'`` or a configured instance;
        detected from the discovered services when None.
    record : str or PathLike, optional
        Append the samples to this generic-CSV file as they arrive (crash-safe, see
        :class:`~.recorder.CsvRecorder`).
    source : Source, optional
        Inject the link (tests, other transports); default a :class:`~.source.BleakSource`.
    scanner_backend, client_backend : type, optional
        bleak backends for the default source.
    analyzer : LiveAnalyzer, optional
        Receives every in-order block of samples; default :class:`~.live.RateAnalyzer`.
    duration_s : float, optional
        Stop after this much stream time (s, sensor clock); samples after it are not recorded.
    idle_timeout_s : float, optional
        Stop when no packet arrived for this long while connected (s).
    reconnect : bool
        Reconnect after a link loss (default True); otherwise the stream ends.
    backoff_s : (float, float)
        First and longest wait between reconnect attempts (s); the wait doubles each failure.
    max_reconnect_attempts : int, optional
        Give up (raise :class:`~.source.StreamError`) after this many failed attempts in a row.
    flush_interval_s : float
        Longest time recorded rows stay in the process's buffer (s).
    reorder_depth : int
        Packets that may queue behind a hole before it is declared lost.
    """

    def __init__(self, device: Any = None, *, profile: str | Profile | None = None,
                 record: str | os.PathLike[str] | None = None, source: Source | None = None,
                 scanner_backend: Any = None, client_backend: Any = None,
                 analyzer: LiveAnalyzer | None = None, duration_s: float | None = None,
                 idle_timeout_s: float | None = None, reconnect: bool = True,
                 backoff_s: tuple[float, float] = (0.5, 30.0), max_reconnect_attempts: int | None = None,
                 flush_interval_s: float = 1.0, reorder_depth: int = 3) -> None:
        if source is None:
            if device is None:
                raise ValueError("give a device (name, address or BLEDevice) or a source")
            source = BleakSource(device, scanner_backend=scanner_backend, client_backend=client_backend)
        self.source = source
        self._profile_arg = profile
        self.profile: Profile | None = None
        self._aux: RscProfile | None = None
        self._record_path = record
        self.recorder: CsvRecorder | None = None
        self.analyzer: LiveAnalyzer = analyzer if analyzer is not None else RateAnalyzer()
        self._rate = self.analyzer if isinstance(self.analyzer, RateAnalyzer) else RateAnalyzer()
        self.duration_s = duration_s
        self.idle_timeout_s = idle_timeout_s
        self.reconnect = reconnect
        self.backoff_s = backoff_s
        self.max_reconnect_attempts = max_reconnect_attempts
        self.flush_interval_s = flush_interval_s
        self.reorder_depth = reorder_depth

        self.timeline: Timeline | None = None
        self.clock = ClockFit()
        self.connected = False
        self.reconnects = 0
        self.n_bad_frames = 0
        self.n_samples = 0  # samples delivered (recorded and analysed)
        self._queue: asyncio.Queue[tuple[float, Any]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()
        self._version = 0
        self._seen = 0
        self._done = False
        self._error: BaseException | None = None
        self._closed = False
        self._steps_all: list[Mapping[str, Any]] = []
        self._steps_new: list[Mapping[str, Any]] = []
        self._latest_rsc: RscMeasurement | None = None
        self._last_t = 0.0
        self._last_arrival = math.nan
        self._last_packet_host = time.monotonic()

    # -- lifecycle -----------------------------------------------------------------------------
    async def __aenter__(self) -> Stream:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Connect, start streaming and the background tasks. Raises if the first connect fails."""
        await self._connect_once()
        self._tasks = [asyncio.create_task(self._pump(), name="gaitlab-stream-pump"),
                       asyncio.create_task(self._supervise(), name="gaitlab-stream-supervisor")]

    async def close(self) -> None:
        """Stop streaming, flush and close the recording, disconnect."""
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            self._drain_now()
            self._finish_analysis()
        finally:
            if self.recorder is not None:
                self.recorder.close()
            if self.source.is_connected:
                try:
                    if self.profile is not None:
                        await asyncio.wait_for(self.profile.stop(self.source), 2.0)
                except Exception as exc:  # stopping is a courtesy; the disconnect stops it anyway
                    log.debug("stop command failed: %s", exc)
                try:
                    await self.source.disconnect()
                except Exception as exc:
                    log.debug("disconnect failed: %s", exc)
            self.connected = False
            self._done = True
            self._changed.set()

    # -- iteration -------------------------------------------------------------------------------
    def __aiter__(self) -> Stream:
        return self

    async def __anext__(self) -> LiveUpdate:
        while self._version == self._seen:
            if self._error is not None:
                err, self._error = self._error, None
                raise err
            if self._done:
                raise StopAsyncIteration
            self._changed.clear()
            await self._changed.wait()
        self._seen = self._version
        return self.snapshot(take_steps=True)

    @property
    def done(self) -> bool:
        return self._done

    async def wait_done(self) -> None:
        """Wait until the stream ends (duration reached, idle timeout, gave up, or closed)."""
        while not self._done:
            self._changed.clear()
            await self._changed.wait()
        if self._error is not None:
            err, self._error = self._error, None
            raise err

    def snapshot(self, take_steps: bool = False) -> LiveUpdate:
        """The current state as a :class:`LiveUpdate`."""
        tl = self.timeline
        steps: tuple[Mapping[str, Any], ...] = ()
        if take_steps:
            steps, self._steps_new = tuple(self._steps_new), []
        summ: Mapping[str, Any] = {}
        summary_fn = getattr(self.analyzer, "summary", None)
        if self._steps_all:
            summ = summarize_steps(self._steps_all)
        if callable(summary_fn) and not isinstance(self.analyzer, RateAnalyzer):
            summ = {**summ, **dict(summary_fn())}
        r = self._latest_rsc
        return LiveUpdate(
            t_s=self._last_t,
            host_time_s=float(self.clock.to_host(self._last_t)) if self.clock.ready else None,
            arrival_s=self._last_arrival,
            n_samples=self.n_samples,
            n_lost=tl.n_lost if tl else 0,
            gaps=tuple(tl.gaps) if tl else (),
            rate_hz=self._rate.rate_hz,
            connected=self.connected,
            reconnects=self.reconnects,
            steps=steps,
            cadence_median_spm=summ.get("cadence_median_spm"),
            gct_median_ms=summ.get("gct_median_ms"),
            vo_median_cm=summ.get("vo_median_cm"),
            gct_balance_median_left_pct=summ.get("gct_balance_median_left_pct"),
            flags=tuple(summ.get("flags", ()) or ()),
            speed_mps=r.speed_mps if r else None,
            footpod_cadence_per_min=float(r.cadence_per_min) if r else None,
            stride_length_m=r.stride_length_m if r else None,
        )

    # -- connection ------------------------------------------------------------------------------
    def _sink(self, item: Any) -> None:
        self._queue.put_nowait((time.time(), item))

    async def _connect_once(self) -> None:
        await self.source.connect()
        try:
            if self.profile is None:
                self.profile = get_profile(self._profile_arg, self.source.service_uuids)
                if self.profile.imu:
                    assert self.profile.timing is not None and self.profile.fs_hz is not None
                    self.timeline = Timeline(self.profile.timing, self.profile.fs_hz,
                                             reorder_depth=self.reorder_depth)
                    if self._record_path is not None:
                        self.recorder = CsvRecorder(self._record_path, gyro=self.profile.gyro,
                                                    flush_interval_s=self.flush_interval_s)
                elif self._record_path is not None:
                    raise StreamError(f"profile {self.profile.name!r} sends summaries, not samples; "
                                      f"there is nothing to record")
                log.info("profile %s on %s", self.profile.name, self.source.name)
            if self.profile.service_uuid not in self.source.service_uuids:
                raise StreamError(f"{self.source.name} has no {self.profile.name} service "
                                  f"{self.profile.service_uuid}")
            await self.profile.start(self.source, self._sink)
            if self.profile.imu and rsc.SERVICE_UUID in self.source.service_uuids:
                self._aux = RscProfile()  # the sensor is also a footpod: show its speed
                await self._aux.start(self.source, self._sink)
        except BaseException:
            try:
                await self.source.disconnect()
            except Exception as exc:
                log.debug("disconnect after failed start: %s", exc)
            raise
        self.connected = True
        self._last_packet_host = time.monotonic()
        self._publish()

    async def _supervise(self) -> None:
        recoverable = _RECOVERABLE + _bleak_errors()
        try:
            while not self._closed:
                await self.source.wait_disconnected()
                if self._closed:
                    return
                self.connected = False
                self._queue.put_nowait((time.time(), _SEGMENT))
                log.warning("lost the link to %s", self.source.name)
                self._publish()
                if not self.reconnect:
                    self._finish()
                    return
                delay, attempts = self.backoff_s[0], 0
                while not self._closed:
                    await asyncio.sleep(delay)
                    try:
                        await self._connect_once()
                    except recoverable as exc:
                        attempts += 1
                        log.info("reconnect attempt %d to %s failed: %s", attempts, self.source.name, exc)
                        if self.max_reconnect_attempts is not None and attempts >= self.max_reconnect_attempts:
                            self._fail(StreamError(f"gave up reconnecting to {self.source.name} after "
                                                   f"{attempts} attempts: {exc}"))
                            return
                        delay = min(delay * 2, self.backoff_s[1])
                        continue
                    self.reconnects += 1
                    log.info("reconnected to %s (reconnect %d)", self.source.name, self.reconnects)
                    break
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never die silently: surface it to the consumer
            self._fail(exc)

    # -- processing ------------------------------------------------------------------------------
    async def _pump(self) -> None:
        try:
            while not self._done:
                try:
                    item = await asyncio.wait_for(self._queue.get(), timeout=self.flush_interval_s / 2)
                except TimeoutError:
                    if self.recorder is not None:
                        self.recorder.maybe_flush()
                    if (self.idle_timeout_s is not None and self.connected
                            and time.monotonic() - self._last_packet_host > self.idle_timeout_s):
                        log.info("no data for %.1f s: ending the stream", self.idle_timeout_s)
                        self._finish()
                    continue
                self._handle(*item)
                while not self._queue.empty() and not self._done:  # coalesce a burst into one update
                    self._handle(*self._queue.get_nowait())
                self._publish()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("stream processing failed")
            self._fail(exc)

    def _drain_now(self) -> None:
        """Process whatever is queued and flush the reorder buffer (on close)."""
        while not self._queue.empty():
            self._handle(*self._queue.get_nowait())
        if self.timeline is not None:
            self._blocks(self.timeline.flush())

    def _handle(self, arrival: float, item: Any) -> None:
        if self._done:
            return
        if isinstance(item, ImuPacket):
            assert self.timeline is not None
            self._last_packet_host = time.monotonic()
            self._blocks(self.timeline.push(item, arrival))
        elif item is _SEGMENT:
            if self.timeline is not None:
                elapsed = arrival - self._last_arrival if math.isfinite(self._last_arrival) else None
                self._blocks(self.timeline.new_segment(elapsed))
        elif isinstance(item, RscMeasurement):
            self._last_packet_host = time.monotonic()
            self._latest_rsc = item
            if self.timeline is None:  # a footpod-only stream: its summaries are the updates
                self._last_arrival = arrival
        elif isinstance(item, FrameError):
            self.n_bad_frames += 1
            log.warning("undecodable frame from %s: %s", self.source.name, item)

    def _blocks(self, blocks: list[Block]) -> None:
        for b in blocks:
            t, acc, gyr = b.t_s, b.acc_g, b.gyr_dps
            if self.duration_s is not None and t[-1] >= self.duration_s:
                keep = t < self.duration_s
                t, acc = t[keep], acc[keep]
                gyr = gyr[keep] if gyr is not None else None
                self._finish()
            if len(t) == 0:
                break
            self.clock.add(float(t[-1]), b.arrival_s)
            self.n_samples += len(t)
            if self.recorder is not None:
                self.recorder.write(t, acc, gyr if self.profile and self.profile.gyro else None)
            rows = self.analyzer.push(t, acc, gyr)
            if self._rate is not self.analyzer:
                self._rate.push(t, acc, gyr)
            if rows:
                self._steps_all.extend(rows)
                del self._steps_all[:-200]
                self._steps_new.extend(rows)
            self._last_t = float(t[-1])
            self._last_arrival = b.arrival_s
            if self._done:
                break

    def _finish_analysis(self) -> None:
        """Let an analyzer that holds back unsettled steps (``finish()``) emit them at the end."""
        finish = getattr(self.analyzer, "finish", None)
        rows = finish() if callable(finish) else None
        if rows:
            self._steps_all.extend(rows)
            del self._steps_all[:-200]
            self._steps_new.extend(rows)
            self._publish()

    def _publish(self) -> None:
        self._version += 1
        self._changed.set()

    def _finish(self) -> None:
        self._done = True
        if self.recorder is not None:
            self.recorder.flush()
        self._changed.set()

    def _fail(self, exc: BaseException) -> None:
        self._error = exc
        self._finish()


def connect(device: Any = None, *, profile: str | Profile | None = None,
            record: str | os.PathLike[str] | None = None, scanner_backend: Any = None,
            client_backend: Any = None, source: Source | None = None, **kwargs: Any) -> Stream:
    """Open a live stream from a sensor (an async context manager and async iterator).

    Parameters
    ----------
    device : str or BLEDevice
        The sensor's advertised name or its address, or a ``BLEDevice`` from a scan.
    profile : {'polar', 'movesense', 'gaitlab', 'rsc'} or Profile, optional
        Sensor family; detected from the services when None.
    record : path, optional
        Record samples to this generic-CSV file, crash-safe.
    scanner_backend, client_backend : type, optional
        bleak backends (tests pass the bumble ones from :mod:`gaitlab.testing`).
    source : Source, optional
        A custom link instead of bleak.
    **kwargs
        Further :class:`Stream` options (``analyzer``, ``duration_s``, ``reconnect``, ...).

    Returns
    -------
    Stream
        Use as ``async with connect(...) as s: async for update in s: ...``.

    Examples
    --------
    >>> async def show():                                              # doctest: +SKIP
    ...     async with gaitlab.stream.connect("Polar H10 0A1B2C3D", record="run.csv") as s:
    ...         async for update in s:
    ...             print(update.line())
    """
    return Stream(device, profile=profile, record=record, source=source, scanner_backend=scanner_backend,
                  client_backend=client_backend, **kwargs)

