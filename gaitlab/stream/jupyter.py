"""A live-updating view of a stream in Jupyter: cadence, GCT, VO and GCT balance over time.

Inside a notebook the event loop is already running, so the view is a coroutine you ``await`` in
a cell (never ``asyncio.run``)::

    import gaitlab.stream as gs
    from gaitlab.stream.jupyter import live_view

    view = await live_view({"device": "Polar H10 0A1B2C3D", "record": "run.csv", "duration_s": 600})

    # or with a stream you opened yourself
    async with gs.connect("Polar H10 0A1B2C3D", analyzer=gs.LiveWaistAnalyzer()) as s:
        view = await live_view(s)

The figure is a plain :class:`matplotlib.figure.Figure` (no pyplot, no GUI backend), shown once
with ``IPython.display.display(..., display_id=True)`` and replaced in place every ``refresh_s``
through the returned handle. :class:`LiveFigure` does the drawing and works headless.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterable, Callable, Mapping
from typing import Any

from .live import LiveUpdate

logger = logging.getLogger(__name__)

__all__ = ["LiveFigure", "live_view", "METRICS"]

#: (LiveUpdate attribute, axis label) of the panels, top to bottom.
METRICS = (("cadence_median_spm", "cadence (steps/min)"), ("gct_median_ms", "GCT (ms)"),
           ("vo_median_cm", "VO (cm)"), ("gct_balance_median_left_pct", "GCT balance (% left)"))


class LiveFigure:
    """Four stacked time series of the live metrics, redrawn in place.

    Parameters
    ----------
    history_s : float
        Stream time shown (s): older points are dropped.
    figsize : (float, float)
        Figure size (inches).

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    axes, lines : dict
        Per metric name (:data:`METRICS`): its Axes and its Line2D.
    title : matplotlib.text.Text
        The latest values in one line.
    """

    def __init__(self, history_s: float = 300.0, figsize: tuple[float, float] = (8.0, 7.0)) -> None:
        from matplotlib.figure import Figure  # a bare Figure: no pyplot state, renders headless

        self.history_s = float(history_s)
        self.figure = Figure(figsize=figsize, layout="constrained")
        axs = self.figure.subplots(len(METRICS), 1, sharex=True)
        self.axes: dict[str, Any] = {}
        self.lines: dict[str, Any] = {}
        for ax, (name, label) in zip(axs, METRICS, strict=True):
            (self.lines[name],) = ax.plot([], [], lw=1.5)
            ax.set_ylabel(label)
            ax.grid(True, alpha=0.3)
            self.axes[name] = ax
        axs[-1].axhline(50.0, color="0.6", lw=0.8, ls="--")  # perfect balance
        axs[-1].set_xlabel("stream time (s)")
        self.title = self.figure.suptitle("waiting for data")
        self._t: deque[float] = deque()
        self._v: dict[str, deque[float]] = {name: deque() for name, _ in METRICS}
        self.latest: LiveUpdate | None = None

    def add(self, update: LiveUpdate) -> None:
        """Record one update's metrics (cheap; call :meth:`draw` to show them)."""
        self.latest = update
        self._t.append(float(update.t_s))
        for name, _ in METRICS:
            v = getattr(update, name)
            self._v[name].append(math.nan if v is None else float(v))
        while self._t and self._t[0] < update.t_s - self.history_s:
            self._t.popleft()
            for d in self._v.values():
                d.popleft()

    def draw(self) -> None:
        """Put the recorded points into the lines, rescale the axes and update the title."""
        t = list(self._t)
        for name, _ in METRICS:
            self.lines[name].set_data(t, list(self._v[name]))
            ax = self.axes[name]
            ax.relim()
            ax.autoscale_view()
        if t:
            self.axes[METRICS[0][0]].set_xlim(max(t[-1] - self.history_s, t[0]), t[-1] + 1e-9)
        u = self.latest
        if u is not None:
            parts = [f"t = {u.t_s:.0f} s"]
            for name, label, fmt in (("cadence_median_spm", "spm", ".0f"), ("gct_median_ms", "ms GCT", ".0f"),
                                     ("vo_median_cm", "cm VO", ".1f"), ("gct_balance_median_left_pct", "% L", ".1f")):
                v = getattr(u, name)
                if v is not None:
                    parts.append(f"{format(v, fmt)} {label}")
            if not u.connected:
                parts.append("DISCONNECTED")
            self.title.set_text("   ".join(parts))

    def update(self, update: LiveUpdate) -> None:
        """:meth:`add` then :meth:`draw`."""
        self.add(update)
        self.draw()

    def _repr_png_(self) -> bytes:
        """PNG for IPython's display machinery (works without matplotlib's inline backend)."""
        import io

        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=80)
        return buf.getvalue()


def _default_display() -> Callable[..., Any] | None:
    try:
        from IPython.display import display
    except ImportError:
        logger.info("IPython is not installed: the live figure is updated but not displayed")
        return None
    return display


async def live_view(source: AsyncIterable[LiveUpdate] | Mapping[str, Any], *, history_s: float = 300.0,
                    refresh_s: float = 1.0, display: Callable[..., Any] | None = None,
                    figure: LiveFigure | None = None) -> LiveFigure:
    """Show a live-updating figure of cadence, GCT, VO and balance until the stream ends.

    Parameters
    ----------
    source : async iterable of LiveUpdate, or mapping
        An open stream (``async with gs.connect(...) as s``) or any async iterable of updates; or
        the keyword arguments of :func:`gaitlab.stream.connect` (``device`` plus options), opened
        here with a :class:`~gaitlab.stream.analyzer.LiveWaistAnalyzer` unless ``analyzer`` is given.
    history_s : float
        Stream time shown (s).
    refresh_s : float
        Wall-clock time between two redraws (s).
    display : callable, optional
        ``display(obj, display_id=True) -> handle`` with ``handle.update(obj)``; default
        ``IPython.display.display`` (nothing is shown when IPython is missing).
    figure : LiveFigure, optional
        Draw into this figure instead of a new one.

    Returns
    -------
    LiveFigure
        The view, with every update drawn.
    """
    view = figure if figure is not None else LiveFigure(history_s=history_s)
    show = display if display is not None else _default_display()
    handle = show(view, display_id=True) if show is not None else None

    async def follow(updates: AsyncIterable[LiveUpdate]) -> None:
        last = -math.inf
        async for u in updates:
            view.add(u)
            now = time.monotonic()
            if now - last >= refresh_s:
                view.draw()
                if handle is not None:
                    handle.update(view)
                last = now

    if isinstance(source, Mapping):
        from .analyzer import LiveWaistAnalyzer
        from .session import connect

        kwargs = dict(source)
        kwargs.setdefault("analyzer", LiveWaistAnalyzer())
        async with connect(kwargs.pop("device", None), **kwargs) as stream:
            await follow(stream)
    else:
        await follow(source)
    view.draw()
    if handle is not None:
        handle.update(view)
    return view
