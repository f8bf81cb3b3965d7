"""Live shoe analysis: the batch foot pipeline, run incrementally over a bounded sample buffer.

:class:`LiveShoeAnalyzer` implements the :class:`~.live.LiveAnalyzer` protocol for one
foot-mounted IMU. It holds no second copy of the algorithm: every analysis pass runs
:meth:`gaitlab.gait.shoe.FootPipeline.run` (the step ``gaitlab analyze`` uses for a shoe) on the
recent samples, with a foot frame fixed once at the start of the stream.

How the live contacts relate to ``gaitlab analyze``
---------------------------------------------------
* **Foot frame.** The batch pipeline estimates the sensor-to-foot rotation from the first ten
  minutes of the file (:func:`gaitlab.gait.foot_frame.estimate_foot_frame`). Live, the same
  estimator runs once on the first ``frame_s`` seconds of the stream (retried every
  ``update_s`` until it succeeds, e.g. after a standing start) and the frame is then frozen, so
  every contact of the stream is analysed in one frame and emitted rows never change. The
  shorter estimation window tilts the frame by a fraction of a degree on a noisy sensor: the
  pitch-rate events, the foot-strike angle and the ZUPT stride length move slightly (the test
  suite states the tolerances). Given the batch frame (``frame=``), the live contacts equal the
  batch contacts to float rounding.
* **Emitted once, when final.** Every stage after the frame is local in time (mid-swing peaks
  within ``swing_rel_s``, events within one stride, ZUPT from one mid-stance to the next). A
  contact is emitted once the buffer reaches ``settle_s`` beyond its initial contact (its stride,
  the next contact and the mid-swing after it must fit), or once a gap closed its stretch; the
  buffer keeps ``window_s`` of history before the first contact not yet emitted, so a pass never
  sees a contact cut by the buffer's start.
* **Gaps** (a time jump of more than 1.5 sample periods) split the signal into stretches exactly
  as in the batch pipeline (:func:`gaitlab.gait.segments.split_stretches`): no contact spans a
  gap and the last contact before a gap is invalid (its stride runs into the gap).
* **One foot.** The stream is one sensor: step time is half the stride time and flight time is
  not measured (it needs the other foot), as for a single shoe file.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from typing import Any

import numpy as np

from ..errors import InputError
from ..schema import LIVE_CONTACT_FIELDS
from .incremental import IncrementalAnalyzer, live_pass
from .live import summarize_steps

logger = logging.getLogger(__name__)

__all__ = ["LiveShoeAnalyzer"]

#: The foot frame is estimated only from data in which the foot moves (swings) this often: gyro
#: norm above ``_MOVING_DPS`` (deg/s) or, without a gyro, specific force off its median by more
#: than ``_MOVING_G`` (g). Running and walking swing 30-60 % of the time.
_MIN_MOVING_FRACTION = 0.15
_MOVING_DPS = 100.0
_MOVING_G = 0.5


class LiveShoeAnalyzer(IncrementalAnalyzer):
    """Live per-contact running metrics from one shoe-mounted IMU (accelerometer, ideally + gyro).

    Parameters
    ----------
    fs : float, optional
        Nominal sample rate (Hz); measured from the first ~2 s of samples when None.
    side : {'L', 'R'}, optional
        The foot wearing the sensor; written to every row (None when not given, as for a
        shoe file without a side).
    axes : str or (3, 3) array, optional
        Explicit sensor-to-foot axes (forward, left, up), see
        :func:`gaitlab.gait.orientation.parse_axes`; only the gravity scale is then estimated.
    frame : FootFrame, optional
        A foot frame known beforehand (e.g. ``FootPipeline().run(rec).frame_`` of an earlier
        recording with the same mounting): used as is, nothing is estimated.
    frame_s : float
        Stream time (s) the foot frame is estimated from (the batch analysis uses up to 600 s).
    window_s : float
        History (s) kept before the first contact not yet emitted: at least one stride plus the
        filters' reach.
    settle_s : float
        A contact is emitted once the data reach this far (s) beyond its initial contact: its
        stride (up to 2.6 s walking) and the next contact must fit.
    update_s : float
        Stream time (s) between two analysis passes.
    summary_steps : int
        Number of most recent valid contacts in :meth:`summary`.
    max_rows : int
        Emitted rows kept in :attr:`steps_`.
    **pipeline_params
        Further :class:`~gaitlab.gait.shoe.FootPipeline` settings; use the batch analysis's to get
        its contacts.

    Attributes
    ----------
    steps_ : deque of dict
        The newest ``max_rows`` emitted contact rows (:data:`gaitlab.schema.LIVE_CONTACT_FIELDS`;
        NaN is None).
    frame_ : FootFrame or None
        The foot frame in use, None until it is estimated.
    n_samples : int
        Samples pushed so far.

    Notes
    -----
    Memory is bounded by about ``window_s + settle_s + update_s`` of samples (``frame_s`` before
    the frame is known) and ``max_rows`` rows, whatever the run's length. Call :meth:`finish` at
    the end of a stream for the last contacts.

    Examples
    --------
    >>> from gaitlab.synth import simulate_shoes
    >>> left, _ = simulate_shoes(30.0, fs=200.0, seed=1)                     # doctest: +SKIP
    >>> rec = left.recording                                                 # doctest: +SKIP
    >>> live = LiveShoeAnalyzer(side="L")                                    # doctest: +SKIP
    >>> rows = []
    >>> for a in range(0, rec.n_samples, 50):                                # doctest: +SKIP
    ...     rows += live.push(rec.t[a:a + 50], rec.acc[a:a + 50], rec.gyr[a:a + 50])
    >>> rows += live.finish()                                                # doctest: +SKIP
    """

    def __init__(self, fs: float | None = None, *, side: str | None = None, axes: Any = None,
                 frame: Any = None, frame_s: float = 20.0, window_s: float = 4.0, settle_s: float = 4.0,
                 update_s: float = 1.0, summary_steps: int = 20, max_rows: int = 1000,
                 **pipeline_params: Any) -> None:
        from ..gait.orientation import parse_axes
        from ..gait.settings import check_settings
        from ..gait.shoe import FootPipeline

        super().__init__(fs, update_s=update_s, summary_steps=summary_steps, max_rows=max_rows)
        if side not in (None, "L", "R"):
            raise InputError(f"side must be 'L', 'R' or None, found {side!r}")
        for name, v in (("frame_s", frame_s), ("window_s", window_s), ("settle_s", settle_s)):
            if not (math.isfinite(v) and v > 0):
                raise InputError(f"{name} must be a positive number of seconds, found {v!r}")
        check_settings(pipeline_params, FootPipeline, "shoe", given=("axes",))
        self.pipeline = FootPipeline(axes=axes, **pipeline_params)
        self._axes = None if axes is None else parse_axes(axes)
        self.side = side
        self.frame_ = frame
        self.frame_s = float(frame_s)
        self.window_s = float(window_s)
        self.settle_s = float(settle_s)

    FIELDS = LIVE_CONTACT_FIELDS
    NAME = "live shoe analysis"

    # -- the incremental base's hooks -------------------------------------------------------------
    def _pushed(self) -> list[dict[str, Any]]:
        """After each block: every ``update_s``, fix the foot frame if needed, then analyse."""
        if not self._due():
            return []
        self._last_analysis_n = self.n_samples
        if self.frame_ is None and not self._estimate_frame():
            return []
        return self._analyze(end=False)

    def _final_pass(self) -> list[dict[str, Any]]:
        if self.frame_ is not None or self._estimate_frame(final=True):
            return self._analyze(end=True)
        return []

    def summary(self) -> dict[str, Any]:
        """Current cadence (spm), GCT (ms), stride length (m), speed (m/s) and foot strike.

        Medians over the last ``summary_steps`` valid running-or-walking contacts, emitted and
        provisional (not yet final) ones, so it follows the runner within about ``update_s`` plus
        one stride (keys :data:`gaitlab.schema.LIVE_SUMMARY_KEYS`, named apart from the batch
        summary's means). VO and the GCT balance need a waist sensor / both feet: None.
        ``strike_class`` is the most frequent class; ``flags`` is empty (the report's rules are
        evaluated on the recorded file).
        """
        recent = [r for r in list(self.steps_) + self._provisional if r["valid"]][-self.summary_steps:]
        out: dict[str, Any] = dict(summarize_steps(recent, last_n=self.summary_steps))

        def med(key: str) -> float | None:
            vals = [r[key] for r in recent if r.get(key) is not None]
            return float(np.median(vals)) if vals else None

        out["stride_length_median_m"] = med("stride_length_m")
        out["speed_median_mps"] = med("speed_mps")
        out["foot_strike_angle_median_deg"] = med("foot_strike_angle_deg")
        classes = Counter(r["strike_class"] for r in recent if r.get("strike_class"))
        out["strike_class"] = classes.most_common(1)[0][0] if classes else None
        out["flags"] = ()
        return out

    # -- internals -----------------------------------------------------------------------------
    def _estimate_frame(self, final: bool = False) -> bool:
        """Fix the foot frame from the first ``frame_s`` of data (the whole stream at its end)."""
        from ..gait.foot_frame import estimate_foot_frame

        buf = self._buf
        assert buf is not None and self.fs is not None
        if not final and buf.t[buf.n - 1] - buf.t[0] < self.frame_s:
            return False
        t, acc, gyr = buf.view(0, buf.n)
        # the frozen frame must come from gait: a standing start gives gravity but no pitch axis
        x = gyr if gyr is not None else acc - np.median(acc, axis=0)
        lim = _MOVING_DPS if gyr is not None else _MOVING_G
        moving = float(np.mean(np.einsum("ij,ij->i", x, x) > lim * lim))
        try:
            if self._axes is None and moving < _MIN_MOVING_FRACTION:
                raise InputError(f"the foot moves in {100 * moving:.0f} % of the samples, "
                                 f"expected >= {100 * _MIN_MOVING_FRACTION:.0f} % during gait")
            with live_pass():
                self.frame_ = estimate_foot_frame(acc, gyr, self.fs, self._axes)
        except InputError as exc:
            # e.g. standing at the start: keep the newest frame_s and retry
            logger.info("live shoe analysis: no foot frame yet (%s)", exc)
            buf.drop_front(int(np.searchsorted(t, t[-1] - self.frame_s)))
            return False
        logger.info("live shoe analysis: foot frame fixed from %.1f s of data", t[-1] - t[0])
        return True

    def _analyze(self, end: bool) -> list[dict[str, Any]]:
        """One pass of the batch pipeline over the buffer: emit the final contacts."""
        from ..gait.shoe import pair_columns
        from ..recording import Recording

        buf = self._buf
        assert buf is not None and self.fs is not None
        self.n_analyses += 1
        t, acc, gyr = buf.view(0, buf.n)
        if t.size < 2:
            return []
        t_final = math.inf if end else float(t[-1]) - self.settle_s
        emit: list[dict[str, Any]] = []
        provisional: list[dict[str, Any]] = []
        try:
            with live_pass():
                rec = Recording(t, acc, gyr, fs=self.fs, placement="shoe", side=self.side)
                pipe = self.pipeline.run(rec, frame=self.frame_)
            cols = dict(pipe.contacts_)
            n = cols["ic_s"].size
            side = np.full(n, self.side, dtype=object)
            cols["side"] = side
            pair_columns(cols, side, paired=False)  # one foot: step = stride / 2, no flight
            cols["vo_cm"] = np.full(n, np.nan)
            # a contact followed by a gap inside the buffer belongs to a stretch the gap closed
            gap_starts = pipe.gaps_[:, 0] if len(pipe.gaps_) else np.empty(0)
            ic = cols["ic_s"]
            for j in range(n):
                # 1 us slack: a contact's time can differ in the last bits between passes
                if not ic[j] > self._emitted_s + 1e-6:
                    continue
                closed = bool(np.any(gap_starts >= ic[j]))
                if end or closed or ic[j] <= t_final:
                    emit.append(self._row(cols, j))
                else:
                    provisional.append(self._row(cols, j))
        except InputError as exc:
            # e.g. no gap-free stretch long enough yet: nothing to emit, streaming goes on
            logger.debug("live shoe analysis skipped a window: %s", exc)
        self._settle(emit, provisional, t_final)
        self._trim()
        return emit

    def _trim(self) -> None:
        """Drop samples before the history the next unsettled contact needs."""
        buf = self._buf
        assert buf is not None
        if math.isfinite(self._emitted_s):
            buf.drop_front(int(np.searchsorted(buf.t[: buf.n], self._emitted_s - self.window_s)))
