"""The incremental base of the live analyzers: sample buffer, block checks, emission of final rows.

:class:`~gaitlab.stream.analyzer.LiveWaistAnalyzer` and
:class:`~gaitlab.stream.shoe_analyzer.LiveShoeAnalyzer` run the batch pipelines' public per-stretch
steps over a bounded buffer of recent samples. What they share is here, once:

* every pushed block is checked (:func:`as_block`) and appended to a :class:`SampleBuffer`;
* the sample rate is measured from the first seconds when it is not given;
* an analysis pass runs every ``update_s`` of stream time (the subclass's :meth:`_pushed`);
* a pass hands over the rows that became final and the provisional ones (:meth:`_settle`): final
  rows are emitted once, in time order, and kept in a bounded ``steps_``;
* the batch pipeline's per-recording INFO notes are silenced during live passes (they would repeat
  every second); the filter is installed when the first analyzer is made, not at import.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import math
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..errors import InputError
from ..schema import TEXT_COLUMNS

logger = logging.getLogger(__name__)

__all__ = ["IncrementalAnalyzer", "SampleBuffer", "as_block", "live_pass"]

#: Samples used to measure the sample rate when ``fs`` is not given (s).
FS_PROBE_S = 2.0

#: Loggers of the batch pipeline whose INFO notes are per recording (one a second when live).
_BATCH_LOGGERS = ("gaitlab.gait.orientation", "gaitlab.gait.waist", "gaitlab.gait.segments",
                  "gaitlab.gait.shoe", "gaitlab.gait.foot_frame")

_in_live_pass: contextvars.ContextVar[bool] = contextvars.ContextVar("gaitlab_live_pass", default=False)


class _RepeatFilter(logging.Filter):
    """Drops the batch pipeline's per-recording INFO notes during live passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.INFO or not _in_live_pass.get()


_FILTER = _RepeatFilter()


def _install_filter() -> None:
    """Attach the filter to the batch loggers (idempotent; inert outside live passes)."""
    for name in _BATCH_LOGGERS:
        log = logging.getLogger(name)
        if _FILTER not in log.filters:
            log.addFilter(_FILTER)


@contextlib.contextmanager
def live_pass() -> Iterator[None]:
    """Mark the code inside as a live analysis pass (silences the batch pipeline's INFO notes)."""
    token = _in_live_pass.set(True)
    try:
        yield
    finally:
        _in_live_pass.reset(token)


class SampleBuffer:
    """Growable, front-trimmable arrays of time (s), acc (g) and optional gyro (deg/s).

    Memory is bounded by the caller trimming the front; capacity doubles only while the kept span
    grows.
    """

    def __init__(self, gyro: bool, capacity: int = 4096) -> None:
        self.n = 0
        self.t = np.empty(capacity)
        self.acc = np.empty((capacity, 3))
        self.gyr = np.empty((capacity, 3)) if gyro else None

    def append(self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray | None) -> None:
        """Append a checked block (:func:`as_block`); it must follow the samples already held and
        carry a gyroscope exactly when the first block did (nothing is invented for a missing one)."""
        if (gyr_dps is None) != (self.gyr is None):
            raise InputError("gyr_dps must be given for every block or for none: the stream started "
                             f"{'with' if self.gyr is not None else 'without'} a gyroscope")
        if self.n and not t_s[0] > self.t[self.n - 1]:
            raise InputError(f"samples must arrive in time order: t = {t_s[0]:.6f} s after "
                             f"{self.t[self.n - 1]:.6f} s")
        k = t_s.size
        if self.n + k > self.t.size:
            cap = max(2 * self.t.size, self.n + k)
            self.t = np.concatenate((self.t[: self.n], np.empty(cap - self.n)))
            self.acc = np.concatenate((self.acc[: self.n], np.empty((cap - self.n, 3))))
            if self.gyr is not None:
                self.gyr = np.concatenate((self.gyr[: self.n], np.empty((cap - self.n, 3))))
        self.t[self.n: self.n + k] = t_s
        self.acc[self.n: self.n + k] = acc_g
        if self.gyr is not None:
            self.gyr[self.n: self.n + k] = gyr_dps
        self.n += k

    def drop_front(self, k: int) -> None:
        if k <= 0:
            return
        keep = self.n - k
        self.t[:keep] = self.t[k: self.n]
        self.acc[:keep] = self.acc[k: self.n]
        if self.gyr is not None:
            self.gyr[:keep] = self.gyr[k: self.n]
        self.n = keep

    def measured_rate(self) -> float | None:
        """Sample rate (Hz) from the median interval once ``FS_PROBE_S`` of samples are held."""
        if self.n < 2 or self.t[self.n - 1] - self.t[0] < FS_PROBE_S:
            return None
        return float(1.0 / np.median(np.diff(self.t[: self.n])))

    def view(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        return self.t[a:b], self.acc[a:b], None if self.gyr is None else self.gyr[a:b]


def as_block(t_s: Any, acc_g: Any, gyr_dps: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One pushed block as float arrays, checked: matching shapes, strictly increasing time."""
    t_s = np.asarray(t_s, dtype=np.float64).reshape(-1)
    acc_g = np.asarray(acc_g, dtype=np.float64)
    if acc_g.shape != (t_s.size, 3):
        raise InputError(f"acc_g must have shape ({t_s.size}, 3) to match t_s, found {acc_g.shape}")
    if gyr_dps is not None:
        gyr_dps = np.asarray(gyr_dps, dtype=np.float64)
        if gyr_dps.shape != (t_s.size, 3):
            raise InputError(f"gyr_dps must have shape ({t_s.size}, 3) to match t_s, found {gyr_dps.shape}")
    if np.any(np.diff(t_s) <= 0):
        raise InputError("t_s must be strictly increasing within a block")
    return t_s, acc_g, gyr_dps


class IncrementalAnalyzer:
    """Shared state and control flow of a live analyzer (the :class:`~.live.LiveAnalyzer` protocol).

    Subclasses set :attr:`FIELDS` (the row fields) and :attr:`NAME` (for messages) and implement
    :meth:`_pushed` (after each block, once the sample rate is known: analyse when due) and
    :meth:`_final_pass` (at the end of the stream).

    Parameters
    ----------
    fs : float, optional
        Nominal sample rate (Hz); measured from the first ~2 s of samples when None.
    update_s : float
        Stream time (s) between two analysis passes.
    summary_steps : int
        Number of most recent valid rows in ``summary()``.
    max_rows : int
        Emitted rows kept in :attr:`steps_`.

    Attributes
    ----------
    steps_ : deque of dict
        The newest ``max_rows`` emitted rows (:attr:`FIELDS`; NaN is None), in time order.
    n_samples : int
        Samples pushed so far.
    n_analyses : int
        Analysis passes run so far.
    """

    FIELDS: tuple[str, ...] = ()
    NAME = "live analysis"

    def __init__(self, fs: float | None, *, update_s: float, summary_steps: int, max_rows: int) -> None:
        if fs is not None and not (math.isfinite(fs) and fs > 0):
            raise InputError(f"fs must be a positive sample rate in Hz, found {fs!r}")
        if not (math.isfinite(update_s) and update_s > 0):
            raise InputError(f"update_s must be a positive number of seconds, found {update_s!r}")
        _install_filter()
        self.fs = None if fs is None else float(fs)
        self.update_s = float(update_s)
        self.summary_steps = int(summary_steps)
        self.steps_: deque[dict[str, Any]] = deque(maxlen=int(max_rows))
        self.n_samples = 0
        self.n_analyses = 0
        self._buf: SampleBuffer | None = None
        self._emitted_s = -math.inf  # rows with IC at or before this are settled (emitted or none)
        self._last_analysis_n = 0
        self._provisional: list[dict[str, Any]] = []
        self._finished = False

    # -- the LiveAnalyzer protocol ------------------------------------------------------------
    def push(self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray | None) -> list[dict[str, Any]]:
        """Add a block of samples; returns the rows that became final (time order).

        Parameters
        ----------
        t_s : ndarray, shape (k,)
            Sample times on the stream axis (s), increasing; a jump > 1.5 periods is a gap.
        acc_g : ndarray, shape (k, 3)
            Specific force (g), sensor frame.
        gyr_dps : ndarray, shape (k, 3) or None
            Angular rate (deg/s), sensor frame. Whether a stream has a gyro is fixed by its first
            block.
        """
        if self._finished:
            raise InputError(f"push() after finish(): this {type(self).__name__}'s stream has ended")
        t_s, acc_g, gyr_dps = as_block(t_s, acc_g, gyr_dps)
        if t_s.size == 0:
            return []
        if self._buf is None:
            self._buf = SampleBuffer(gyro=gyr_dps is not None)
        self._buf.append(t_s, acc_g, gyr_dps)
        self.n_samples += t_s.size
        if self.fs is None:
            self.fs = self._buf.measured_rate()
            if self.fs is None:
                return []
            logger.info("%s: measured sample rate %.3f Hz", self.NAME, self.fs)
        return self._pushed()

    def finish(self) -> list[dict[str, Any]]:
        """End of the stream: every remaining row is final now; returns them."""
        if self._finished or self._buf is None or self.fs is None:
            self._finished = True
            return []
        rows = self._final_pass()
        self._finished = True
        return rows

    # -- for subclasses --------------------------------------------------------------------------
    def _pushed(self) -> list[dict[str, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _final_pass(self) -> list[dict[str, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _due(self) -> bool:
        """Whether ``update_s`` of samples arrived since the last pass."""
        assert self.fs is not None
        return self.n_samples - self._last_analysis_n >= self.update_s * self.fs

    def _row(self, cols: Mapping[str, np.ndarray], j: int) -> dict[str, Any]:
        """Row ``j`` of a column table as a JSON-ready dict of :attr:`FIELDS` (NaN -> None)."""
        row: dict[str, Any] = {}
        for name in self.FIELDS:
            v = cols[name][j]
            if name == "valid":
                row[name] = bool(v)
            elif name in TEXT_COLUMNS:
                row[name] = None if v is None else str(v)
            else:
                v = float(v)
                row[name] = v if math.isfinite(v) else None
        return row

    def _settle(self, emit: list[dict[str, Any]], provisional: list[dict[str, Any]], settled_s: float) -> None:
        """Record a pass: emit the final rows, keep the provisional ones, and mark everything up to
        ``settled_s`` (s) as settled (no row there can still appear)."""
        self._provisional = provisional
        if emit:
            self.steps_.extend(emit)
            self._emitted_s = max(self._emitted_s, emit[-1]["ic_s"])
            self._on_emit(emit)
        if math.isfinite(settled_s):
            self._emitted_s = max(self._emitted_s, settled_s)

    def _on_emit(self, rows: list[dict[str, Any]]) -> None:
        """Hook: rows just emitted (in time order)."""
