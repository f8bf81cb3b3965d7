"""Live waist analysis: the batch waist pipeline, run incrementally over a bounded sample buffer.

:class:`LiveWaistAnalyzer` implements the :class:`~.live.LiveAnalyzer` protocol. It does not hold
a second copy of the algorithm: every analysis pass calls the two public steps of
:class:`gaitlab.gait.waist.WaistPipeline` that ``gaitlab analyze`` uses,
:meth:`~gaitlab.gait.waist.WaistPipeline.body_frame` and
:meth:`~gaitlab.gait.waist.WaistPipeline.stretch_steps`, over the recent samples.

Why the live steps equal the recorded file's
--------------------------------------------
* **Orientation blocks.** The batch pipeline estimates orientation over fixed
  ``round(block_s * fs)``-sample blocks counted from sample 0
  (:func:`gaitlab.gait.orientation.block_starts`), each from its own samples only. The buffer is
  always cut at such a block boundary, so the analysed blocks are the recording's blocks. A block's
  orientation is *final* once half a block of data follows it (before that, the end of the stream
  would merge a short last block into it, exactly as the batch pipeline does at the end of a file).
* **Emitted once, when final.** A step is emitted when its stride lies at least ``settle_s`` before
  the end of the orientation-final data (or in a stretch that a gap already closed), so neither
  the rest of the stream nor the zero-phase filters' edges can change it. Steps therefore come
  ``0.5-1.5`` blocks plus ``settle_s`` after they happen (15-35 s with the default 20 s blocks);
  the running summary (:meth:`LiveWaistAnalyzer.summary`) also uses the newest provisional steps and
  follows the runner within about ``update_s`` plus one step.
* **Tilt reference.** Pelvic tilt is relative to a reference posture taken from the first seconds
  and the first block with gait; those (at most two) blocks are kept and analysed with the buffer.
* **Gaps** (a time jump of more than 1.5 sample periods) split the signal into stretches exactly
  as in the batch pipeline (:func:`gaitlab.gait.segments.split_stretches`): no step spans a gap.

What can still differ (see ``docs/streaming.md``): quantities the batch pipeline takes over a whole
gap-free stretch (the flight-floor offset, the left/right vote of an unbroken run of steps) are
taken over the buffer here, and a block without a step rhythm borrows its forward direction from
the nearest block with gait that the buffer holds (the batch pipeline may pick a later one).
On clean data these agree; the test suite states the tolerances.

**Mounting is not inferred live.** The batch pipeline infers the mounting from the whole recording
(:func:`gaitlab.gait.mounting.infer_mounting`, the step-timing check of
:func:`~gaitlab.gait.mounting.timing_mounting`, re-mount groups) and passes it to
:meth:`~gaitlab.gait.waist.WaistPipeline.stretch_steps`; live, ``mounting=None``: the sensor is
analysed as worn on the midline (sacrum, belt at the back), so a sensor off the midline (hip,
pocket) or on a thigh gets full step times and left/right values that the recorded analysis would
time as half strides or report as not measurable (``per_side_reason``). Sides are voted per
stretch of the buffer, not chained over the whole recording.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from ..errors import InputError
from ..schema import LIVE_STEP_FIELDS, STEP_COLUMNS
from .incremental import IncrementalAnalyzer, live_pass
from .live import summarize_steps

logger = logging.getLogger(__name__)

__all__ = ["LiveWaistAnalyzer"]

#: Low-latency mode: a candidate this close (s) after the last emitted step is that step moved by
#: the open block's orientation update, not a new one (steps are >= 250 ms apart when running).
_SAME_STEP_S = 0.15

#: Steps of the run's start kept for the report's baseline rules (their baseline: first 10 min).
_BASELINE_S = 600.0


class LiveWaistAnalyzer(IncrementalAnalyzer):
    """Live per-step running metrics from a trunk-worn accelerometer (waist, sacrum, chest strap).

    Parameters
    ----------
    fs : float, optional
        Nominal sample rate (Hz). Measured from the first ~2 s of samples when None (pass it for
        sensors whose timestamps jitter, so the orientation blocks match ``gaitlab analyze``'s).
    speed_mps : float, optional
        Constant running speed (m/s), as for :class:`~gaitlab.gait.waist.WaistPipeline`.
    axes : str or (3, 3) array, optional
        Explicit sensor-to-body axes (see :func:`gaitlab.gait.orientation.parse_axes`).
    window_s : float
        History kept before the first step not yet emitted (s): the context that step is analysed
        with. Longer than any stride plus the filters' settling.
    settle_s : float
        A step is emitted once the orientation-final data reach this far (s) beyond its initial
        contact: its stride and the filters' edge transients must fit.
    update_s : float
        Stream time (s) between two analysis passes.
    summary_steps : int
        Number of most recent valid steps in :meth:`summary`.
    max_rows : int
        Emitted rows kept in :attr:`steps_`.
    exact : bool
        True (default): emit a step only once its orientation block is final, so it equals the
        batch analysis of the recorded file (15-35 s after the step with 20 s blocks). False: emit
        ``settle_s`` after the step with the still-open block's provisional orientation (a few
        seconds); its numbers then differ slightly from the batch analysis (``docs/streaming.md``).
    flags_every_s : float
        Stream time (s) between two evaluations of the report's rules for :meth:`summary`'s
        ``flags`` (the same rules and persistence as ``gaitlab analyze``).
    **pipeline_params
        Further :class:`~gaitlab.gait.waist.WaistPipeline` settings (``block_s``, ``smooth_hz``, ...);
        use the same ones as the batch analysis to get the same steps.

    Attributes
    ----------
    steps_ : deque of dict
        Every step emitted so far (:data:`gaitlab.schema.LIVE_STEP_FIELDS`; NaN is None), in time
        order. Bounded: the newest ``max_rows`` rows are kept.
    n_samples : int
        Samples pushed so far.

    Notes
    -----
    Memory is bounded: about two orientation blocks plus ``window_s + settle_s`` of samples, the
    (at most two) reference blocks, ``max_rows`` step rows and the first 10 minutes of step rows
    (the report's baseline), whatever the run's length.
    Call :meth:`finish` at the end of a stream for the last steps (they are final only then).

    Examples
    --------
    >>> from gaitlab.synth import simulate_waist
    >>> rec = simulate_waist(40.0, fs=100.0, seed=1).recording                # doctest: +SKIP
    >>> live = LiveWaistAnalyzer(fs=100.0)                                      # doctest: +SKIP
    >>> rows = []
    >>> for a in range(0, rec.n_samples, 50):                                 # doctest: +SKIP
    ...     rows += live.push(rec.t[a:a + 50], rec.acc[a:a + 50], None)
    >>> rows += live.finish()                                                  # doctest: +SKIP
    """

    def __init__(self, fs: float | None = None, *, speed_mps: float | None = None, axes: Any = None,
                 window_s: float = 5.0, settle_s: float = 5.0, update_s: float = 1.0, summary_steps: int = 20,
                 max_rows: int = 1000, exact: bool = True, flags_every_s: float = 10.0,
                 **pipeline_params: Any) -> None:
        from ..gait.orientation import parse_axes
        from ..gait.settings import check_settings
        from ..gait.waist import WaistPipeline

        super().__init__(fs, update_s=update_s, summary_steps=summary_steps, max_rows=max_rows)
        if speed_mps is not None and not (0.5 <= float(speed_mps) <= 12.0):
            raise InputError(f"speed_mps must be a running speed in m/s (0.5-12), found {speed_mps}")
        for name, v in (("window_s", window_s), ("settle_s", settle_s)):
            if not (math.isfinite(v) and v > 0):
                raise InputError(f"{name} must be a positive number of seconds, found {v!r}")
        check_settings(pipeline_params, WaistPipeline, "waist", given=("speed_mps", "axes"))
        self.pipeline = WaistPipeline(speed_mps=speed_mps, axes=axes, **pipeline_params)
        self._axes = None if axes is None else parse_axes(axes)
        self.window_s = float(window_s)
        self.settle_s = float(settle_s)
        self.exact = bool(exact)
        self.flags_every_s = float(flags_every_s)
        self._baseline_rows: list[dict[str, Any]] = []  # the first _BASELINE_S of steps, for the rules
        self._baseline_end_s = -math.inf
        self._flags: tuple[dict[str, Any], ...] = ()
        self._flags_at: float | None = None
        self._buf0 = 0              # global index of the buffer's first sample
        self._block = 0             # samples per orientation block (set with fs)
        self._checked_blocks = 0    # blocks 0.. already searched for the tilt reference
        self._head: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []
        self._ref_found = False
        self._last_ic_s = -math.inf
        self._mounting: Any = None  # gaitlab.gait.mounting.Mounting, from the windows analysed so far

    FIELDS = LIVE_STEP_FIELDS
    NAME = "live analysis"

    # -- the incremental base's hooks -------------------------------------------------------------
    def _pushed(self) -> list[dict[str, Any]]:
        """After each block: keep the reference blocks, analyse every ``update_s``."""
        if self._block == 0:
            self._block = max(int(round(self.pipeline.block_s * self.fs)), 1)
        self._search_reference(self._final_n())
        if not self._due():
            return []
        return self._analyze(self._final_n() if self.exact else self.n_samples)

    def _final_pass(self) -> list[dict[str, Any]]:
        return self._analyze(self.n_samples, end=True)

    def summary(self) -> dict[str, Any]:
        """Median cadence (spm), GCT (ms), VO (cm) and GCT balance (left %) of the recent steps.

        Keys :data:`gaitlab.schema.LIVE_SUMMARY_KEYS` (medians, named apart from the batch
        summary's means) and ``flags``. Uses the last ``summary_steps`` valid steps, final and
        provisional (not yet emitted) ones, so it follows the runner within about ``update_s``
        plus one step.
        """
        recent = list(self.steps_)[-self.summary_steps:] + self._provisional
        out: dict[str, Any] = dict(summarize_steps(recent, last_n=self.summary_steps))
        out["flags"] = self._live_flags()
        if self._per_side_reason() is not None:
            out["gct_balance_median_left_pct"] = None  # the mounting's, not the runner's
        return out

    @property
    def mounting(self) -> str | None:
        """The mounting inferred so far (``'midline'``, ``'off_midline'``, ``'thigh'``...; None
        before the first analysis pass); see :mod:`gaitlab.gait.mounting`."""
        return None if self._mounting is None else self._mounting.kind

    def _per_side_reason(self) -> str | None:
        return None if self._mounting is None else self._mounting.reason

    def _window_mounting(self, acc: np.ndarray, frame: Any) -> Any:
        """The mounting, from the window being analysed. Once off the midline (or on a thigh) it is
        kept: a later window with less running in it shows less, not a different sensor."""
        from ..gait.mounting import infer_mounting

        if self._mounting is None or self._mounting.reason is None:
            self._mounting = infer_mounting(acc, self.fs, frame.orientation, declared=self.pipeline.mounting)
        return self._mounting

    def _timing_mounting(self, steps: Any) -> None:
        """The batch analysis's second look: steps whose timing alternates far beyond a runner's
        own asymmetry reveal a sensor off the midline (:func:`~gaitlab.gait.mounting.timing_mounting`)."""
        from ..gait.mounting import timing_mounting

        if self._mounting is None or self._mounting.reason is not None:
            return
        cols = {c: steps[c].to_numpy() for c in ("side", "activity", "step_time_ms", "gct_ms", "impact_g")}
        found = timing_mounting(self._mounting, cols)
        if found is not None:
            self._mounting = found

    def _live_flags(self) -> tuple[dict[str, Any], ...]:
        """The report's flags on the steps so far: the early-run baseline plus the recent steps.

        The same rules as ``gaitlab analyze`` (persistence included, so one odd step never flags),
        evaluated at most every ``flags_every_s`` of signal on a bounded history: the first
        ``_BASELINE_S`` of running (the rules' own baseline) and the newest ``max_rows`` steps.
        """
        if not self.steps_:
            return ()
        last_ic = self.steps_[-1]["ic_s"]
        if self._flags_at is not None and last_ic - self._flags_at < self.flags_every_s:
            return self._flags
        self._flags_at = last_ic
        import pandas as pd

        from ..report import evaluate_steps

        rows = list(self._baseline_rows) + [r for r in self.steps_ if r["ic_s"] > self._baseline_end_s]
        steps = pd.DataFrame(rows).reindex(columns=list(LIVE_STEP_FIELDS))
        steps = steps.astype({c: float for c in STEP_COLUMNS if c not in ("side", "activity", "valid", "impact_clipped")})
        for c in ("valid", "impact_clipped"):
            steps[c] = steps[c].fillna(False).astype(bool)
        self._timing_mounting(steps)
        # the live tilt reference is the early run (the stream rarely starts standing still)
        evaluation = evaluate_steps(steps, placement="waist", tilt_reference="early_run",
                                    per_side_reason=self._per_side_reason())
        self._flags = tuple(evaluation.flags)
        return self._flags

    # -- internals -----------------------------------------------------------------------------
    def _keep_baseline(self, rows: list[dict[str, Any]]) -> None:
        """Keep the steps of the first ``_BASELINE_S`` of the run for the report's baseline rules."""
        if not rows:
            return
        first = self._baseline_rows[0]["ic_s"] if self._baseline_rows else rows[0]["ic_s"]
        for r in rows:
            if r["ic_s"] - first <= _BASELINE_S:
                self._baseline_rows.append(r)
                self._baseline_end_s = r["ic_s"]

    def _final_n(self) -> int:
        """Global index up to which block orientations are final (whole blocks).

        Block k is final once block k + 1 holds at least half a block: then the end of the stream
        can no longer merge a short last block into block k (``block_starts``).
        """
        b = self._block
        return max(0, (self.n_samples - b // 2) // b) * b

    def _search_reference(self, final_n: int) -> None:
        """Keep block 0 and the first block with a step rhythm: the tilt reference's inputs."""
        from ..gait.orientation import estimate_orientation

        b, buf = self._block, self._buf
        assert buf is not None
        while not self._ref_found and (self._checked_blocks + 1) * b <= final_n:
            k = self._checked_blocks
            a = k * b - self._buf0
            t, acc, gyr = (x.copy() if x is not None else None for x in buf.view(a, a + b))
            if k == 0:
                self._head.append((t, acc, gyr))
            gait = False
            if self._axes is None:
                try:
                    gait = bool(estimate_orientation(acc, self.fs, block_s=self.pipeline.block_s).gait[0])
                except InputError:
                    gait = False
            if gait:
                if k > 0:
                    self._head.append((t, acc, gyr))
                self._ref_found = True
            elif self._axes is not None:
                self._ref_found = True  # fixed axes: the reference is block 0
            self._checked_blocks += 1

    def _window(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
        """The samples to analyse: the reference blocks the buffer no longer holds, then the buffer.

        Returns t, acc, gyr and the index of the buffer's first sample in them.
        """
        buf = self._buf
        assert buf is not None
        parts = [h for h in self._head if h[0][-1] < buf.t[0]]
        t_b, acc_b, gyr_b = buf.view(0, buf.n)
        if not parts:
            return t_b, acc_b, gyr_b, 0
        t = np.concatenate([p[0] for p in parts] + [t_b])
        acc = np.concatenate([p[1] for p in parts] + [acc_b])
        gyr = None if gyr_b is None else np.concatenate([p[2] for p in parts] + [gyr_b])
        return t, acc, gyr, t.size - t_b.size

    def _analyze(self, final_n: int, end: bool = False) -> list[dict[str, Any]]:
        """One analysis pass: emit the steps that are final, keep the rest as provisional."""
        with live_pass():
            return self._pass(final_n, end)

    def _pass(self, final_n: int, end: bool) -> list[dict[str, Any]]:
        from ..gait.segments import split_stretches
        from ..recording import Recording

        buf = self._buf
        assert buf is not None and self.fs is not None
        self._last_analysis_n = self.n_samples
        self.n_analyses += 1
        t, acc, gyr, off = self._window()
        if t.size < 2:
            return []
        t_final = math.inf if end else float(buf.t[final_n - self._buf0 - 1]) if final_n > self._buf0 \
            else -math.inf
        emit: list[dict[str, Any]] = []
        provisional: list[dict[str, Any]] = []
        try:
            rec = Recording(t, acc, gyr, fs=self.fs, placement="waist")
            frame = self.pipeline.body_frame(rec, self._axes)
            mounting = self._window_mounting(acc, frame)
            stretches, _ = split_stretches(t, frame.acc, frame.gyr, self.fs, frame.extra)
            for st in stretches:
                if st.last < off:
                    continue  # reference blocks only: analysed (and emitted) long ago
                closed = st.ends_at_gap and (st.last - off + self._buf0) < final_n
                cols, _ = self.pipeline.stretch_steps(st, frame.block_tilt_deg, mounting)
                if mounting.kind == "thigh":  # the thigh swings with one leg: not the pelvis' motion
                    from ..gait.mounting import THIGH_UNMEASURABLE

                    cols = {**cols, **{c: np.full(cols[c].size, np.nan) for c in THIGH_UNMEASURABLE if c in cols}}
                ic = cols["ic_s"]
                for j in range(ic.size):
                    # 1 us slack: a step's time can differ in the last bits between passes
                    if not ic[j] > self._emitted_s + 1e-6 or (not self.exact and ic[j] < self._last_ic_s + _SAME_STEP_S):
                        continue
                    if end or closed or ic[j] <= t_final - self.settle_s:
                        emit.append(self._row(cols, j))
                    elif math.isfinite(cols["step_time_ms"][j]):
                        provisional.append(self._row(cols, j))
        except InputError as exc:
            # e.g. a block whose mean force is not ~1 g (sensor handled, not worn): the batch
            # analysis would refuse the file; live, those steps are skipped and streaming goes on
            logger.warning("live analysis skipped a window: %s", exc)
        self._settle(emit, provisional, t_final - self.settle_s)
        self._trim()
        return emit

    def _on_emit(self, rows: list[dict[str, Any]]) -> None:
        self._keep_baseline(rows)
        self._last_ic_s = rows[-1]["ic_s"]

    def _trim(self) -> None:
        """Drop whole blocks before the history the next unsettled step needs."""
        buf = self._buf
        assert buf is not None
        if not math.isfinite(self._emitted_s):
            return
        keep_from = int(np.searchsorted(buf.t[: buf.n], self._emitted_s - self.window_s))
        start = (keep_from + self._buf0) // self._block * self._block
        if not self._ref_found:  # blocks not yet searched for the tilt reference must stay
            start = min(start, self._checked_blocks * self._block)
        if start > self._buf0:
            buf.drop_front(start - self._buf0)
            self._buf0 = start
