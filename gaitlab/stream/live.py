"""Live updates and the analyzer plug-in point.

The stream pushes every in-order block of samples into a :class:`LiveAnalyzer` and yields a
:class:`LiveUpdate` after each batch of packets. The real waist analyzer (gait events and per-step
metrics) plugs in through the protocol; the built-in :class:`RateAnalyzer` only counts samples and
measures the rate, so streaming works (and is testable) without any gait detection.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["LiveUpdate", "LiveAnalyzer", "RateAnalyzer", "summarize_steps"]


@runtime_checkable
class LiveAnalyzer(Protocol):
    """What the stream needs from a live analyzer.

    ``push`` receives each in-order block of samples (times on the stream axis, s; specific force,
    g; angular rate, deg/s or None; all in the sensor frame). A jump in ``t_s`` larger than
    1.5 sample periods is a gap: samples there are missing, never interpolated. It returns the
    steps completed by this block as rows with the JSON-schema step fields (``ic_s``, ``to_s``,
    ``side``, ``gct_ms``, ``flight_ms``, ``step_time_ms``, ``vo_cm``, ``impact_g``, ``valid``).

    An analyzer may also define ``summary() -> Mapping`` returning current values of
    ``cadence_median_spm``, ``gct_median_ms``, ``vo_median_cm``, ``gct_balance_median_left_pct``
    (:data:`gaitlab.schema.LIVE_SUMMARY_KEYS`) and ``flags``; without it the
    stream summarises the recent step rows itself (:func:`summarize_steps`). An analyzer that
    holds steps back until they are final may define ``finish() -> Sequence[Mapping]``, returning
    the remaining steps at the end of the stream
    (:class:`~gaitlab.stream.analyzer.LiveWaistAnalyzer`).
    """

    def push(self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray | None
             ) -> Sequence[Mapping[str, Any]]: ...


class RateAnalyzer:
    """The built-in analyzer: counts samples and measures the sample rate; finds no steps.

    Parameters
    ----------
    window_s : float
        Stream-time span over which the rate is measured (s).
    """

    def __init__(self, window_s: float = 5.0) -> None:
        self.window_s = float(window_s)
        self.n_samples = 0
        self._marks: deque[tuple[float, int]] = deque()

    def push(self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray | None) -> list[dict[str, Any]]:
        self.n_samples += len(t_s)
        self._marks.append((float(t_s[-1]), self.n_samples))
        while len(self._marks) > 2 and self._marks[-1][0] - self._marks[1][0] >= self.window_s:
            self._marks.popleft()
        return []

    @property
    def rate_hz(self) -> float | None:
        """Received samples per second of sensor time over the window (gaps lower it)."""
        if len(self._marks) < 2:
            return None
        (t0, n0), (t1, n1) = self._marks[0], self._marks[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else None

    def summary(self) -> dict[str, Any]:
        return {"rate_hz": self.rate_hz}


def summarize_steps(steps: Sequence[Mapping[str, Any]], last_n: int = 10) -> dict[str, float | None]:
    """Median cadence, GCT and VO and the GCT balance over the most recent valid steps.

    Keys ``cadence_median_spm``, ``gct_median_ms``, ``vo_median_cm`` and
    ``gct_balance_median_left_pct`` (:data:`gaitlab.schema.LIVE_SUMMARY`): medians, so one odd step
    does not move a live display, and named apart from the batch summary's means. Cadence =
    60000 / median step time; GCT balance (left %) = 100 * GCT_L / (GCT_L + GCT_R) of each side's
    median GCT (``docs/methods.md``). Missing inputs give None.
    """
    from ..gait.metrics import balance_left_pct, cadence_spm

    recent = [s for s in steps if s.get("valid", True)][-last_n:]

    def med(key: str, rows: Sequence[Mapping[str, Any]]) -> float | None:
        vals = [float(r[key]) for r in rows if r.get(key) is not None and np.isfinite(r[key])]
        return float(np.median(vals)) if vals else None

    step_ms = med("step_time_ms", recent)
    gl = med("gct_ms", [s for s in recent if s.get("side") == "L"])
    gr = med("gct_ms", [s for s in recent if s.get("side") == "R"])
    return {
        "cadence_median_spm": float(cadence_spm(step_ms)) if step_ms else None,
        "gct_median_ms": med("gct_ms", recent),
        "vo_median_cm": med("vo_cm", recent),
        "gct_balance_median_left_pct": float(balance_left_pct(gl, gr)) if gl and gr else None,
    }


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """One snapshot of a live stream, yielded after each batch of packets.

    Attributes
    ----------
    t_s : float
        Stream time of the newest sample (s, sensor clock, 0 = first sample).
    host_time_s : float or None
        Host time (Unix s) of the newest sample via the clock fit, None before the first packet.
    arrival_s : float
        Host time (Unix s) at which the newest packet included here arrived.
    n_samples : int
        Samples received so far.
    n_lost : int
        Samples known to be lost so far.
    gaps : tuple of (float, float)
        Every gap so far as ``(t_before, t_after)`` on the stream axis (s).
    rate_hz : float or None
        Received samples per second of sensor time, recent window.
    connected : bool
        Whether the sensor is connected right now.
    reconnects : int
        How many times the stream has reconnected.
    steps : tuple of mapping
        Step rows completed since the previous update (from the analyzer).
    cadence_median_spm, gct_median_ms, vo_median_cm, gct_balance_median_left_pct : float or None
        Current metrics from the analyzer: medians of the recent steps
        (:data:`gaitlab.schema.LIVE_SUMMARY`); None when it does not provide them. The old names
        ``cadence_spm``, ``gct_ms``, ``vo_cm`` and ``balance_left_pct`` read the same values.
    flags : tuple
        Current flags from the analyzer.
    speed_mps, footpod_cadence_per_min, stride_length_m : float or None
        Latest footpod (RSC) summary, when the sensor sends one.
    """

    t_s: float
    host_time_s: float | None
    arrival_s: float
    n_samples: int
    n_lost: int
    gaps: tuple[tuple[float, float], ...]
    rate_hz: float | None
    connected: bool
    reconnects: int
    steps: tuple[Mapping[str, Any], ...] = ()
    cadence_median_spm: float | None = None
    gct_median_ms: float | None = None
    vo_median_cm: float | None = None
    gct_balance_median_left_pct: float | None = None
    flags: tuple[Any, ...] = field(default_factory=tuple)
    speed_mps: float | None = None
    footpod_cadence_per_min: float | None = None
    stride_length_m: float | None = None

    # the names before the live medians were named apart from the batch summary's means
    @property
    def cadence_spm(self) -> float | None:
        """Alias of :attr:`cadence_median_spm` (deprecated name)."""
        return self.cadence_median_spm

    @property
    def gct_ms(self) -> float | None:
        """Alias of :attr:`gct_median_ms` (deprecated name)."""
        return self.gct_median_ms

    @property
    def vo_cm(self) -> float | None:
        """Alias of :attr:`vo_median_cm` (deprecated name)."""
        return self.vo_median_cm

    @property
    def balance_left_pct(self) -> float | None:
        """Alias of :attr:`gct_balance_median_left_pct` (deprecated name)."""
        return self.gct_balance_median_left_pct

    def line(self) -> str:
        """A one-line text summary (the CLI's live display)."""
        def f(v: float | None, fmt: str) -> str:
            return "-" if v is None else format(v, fmt)

        parts = [f"t={self.t_s:7.1f}s", f"samples={self.n_samples}", f"rate={f(self.rate_hz, '.1f')}Hz",
                 f"lost={self.n_lost}", f"gaps={len(self.gaps)}"]
        if not self.connected:
            parts.append("DISCONNECTED")
        if self.reconnects:
            parts.append(f"reconnects={self.reconnects}")
        for name, v, fmt in (("cadence", self.cadence_median_spm, ".0f"), ("gct_ms", self.gct_median_ms, ".0f"),
                             ("vo_cm", self.vo_median_cm, ".1f"), ("balL%", self.gct_balance_median_left_pct, ".1f"),
                             ("speed", self.speed_mps, ".2f")):
            if v is not None:
                parts.append(f"{name}={format(v, fmt)}")
        for flag in self.flags:
            code = flag.get("code") if isinstance(flag, dict) else str(flag)
            parts.append(f"[{flag.get('severity', '?') if isinstance(flag, dict) else '?'}:{code}]")
        return " ".join(parts)
