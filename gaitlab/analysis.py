"""Running analysis: :func:`analyze`, the library's main entry point and the one place an
:class:`~gaitlab.result.Analysis` is built.

The data flow: read -> pipeline (:mod:`gaitlab.gait`: waist, or shoe one foot or
a pair, both returning a step table) -> metrics (:mod:`gaitlab.gait.metrics`: summary, segments)
-> run context (:mod:`gaitlab.context`: tags, start time, device, a watch's laps, recent runs)
-> report (:mod:`gaitlab.report`, evaluated once) -> :class:`~gaitlab.result.Analysis`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .recording import Recording
from .result import Analysis

if TYPE_CHECKING:  # pragma: no cover
    from .context import RunContext

__all__ = ["analyze", "Analysis"]

logger = logging.getLogger(__name__)


def analyze(
    recording: Recording | str | os.PathLike[str] | Sequence[Recording],
    *,
    placement: str | None = None,
    speed_mps: float | None = None,
    axes: str | np.ndarray | None = None,
    thresholds: Mapping[str, Any] | str | os.PathLike[str] | None = None,
    report: bool = True,
    tags: Mapping[str, Any] | None = None,
    speed_from: str | os.PathLike[str] | None = None,
    history: str | os.PathLike[str] | None = None,
    **params: Any,
) -> Analysis:
    """Analyse a running recording: steps, per-step metrics, summary, segments and flags.

    Parameters
    ----------
    recording : Recording, path, or pair of Recordings or paths
        The signal. A path is read with :func:`gaitlab.read`. Two shoe recordings (left, right)
        are analysed as a pair; two paths are read as a pair with each foot's side from the file,
        else its name (``run_L.csv``), else the order given (:func:`gaitlab.io.naming.read_pair`).
    placement : {'waist', 'shoe'}, optional
        Overrides the recording's placement. Unknown placement is inferred from the signal.
    speed_mps : float, optional
        Constant running speed, for vertical ratio and step length. A ``speed_mps`` channel in the
        recording takes precedence per step.
    axes : str or (3, 3) array, optional
        Explicit sensor-to-body axis mapping instead of estimating orientation, e.g.
        ``"+x,+y,+z"`` meaning body forward = sensor +x, left = sensor +y, up = sensor +z.
    thresholds : mapping or path to a TOML file, optional
        Overrides of the report's default thresholds.
    report : bool, default True
        Evaluate the back-strain pattern rules and fill :attr:`Analysis.flags`.
    tags : mapping, optional
        User tags kept in ``input['tags']`` (e.g. ``{"shoe": "Pegasus40", "athlete": "ana"}``), for
        :func:`gaitlab.history` and :func:`gaitlab.compare`.
    speed_from : path, optional
        A watch's FIT file of the same run: its speed, laps and running dynamics are aligned by
        absolute time (:mod:`gaitlab.context`); replaces ``speed_mps``.
    history : path, optional
        A folder of earlier JSON results: the report places this run among the runner's recent runs.
    **params
        Further pipeline settings (see :class:`gaitlab.gait.waist.WaistPipeline` and
        :class:`gaitlab.gait.shoe.FootPipeline`, plus ``segment_s``); an unknown name raises
        :class:`~gaitlab.errors.InputError` listing the valid ones.

    Returns
    -------
    Analysis
        With the report's evaluation stored (``evaluation``) and its ``flags``.
    """
    if isinstance(recording, str | os.PathLike):
        from .io import read

        recording = read(recording, placement=placement)
    elif (isinstance(recording, Sequence) and len(recording) == 2
          and all(isinstance(r, str | os.PathLike) for r in recording)):
        from .io.naming import read_pair

        recording = read_pair(recording, placement=placement or "shoe")
    # -- run context (gaitlab.context, docs/history.md): tags, start time, watch speed, history --
    from .context import prepare_context

    ctx, speed_mps = prepare_context(recording, tags=tags, speed_from=speed_from, speed_mps=speed_mps,
                                     history=history, recent_n=params.pop("recent_n", None))
    # -- end run context ---------------------------------------------------------------------------
    if isinstance(recording, Sequence) and not isinstance(recording, str):
        recs = list(recording)
        if len(recs) == 1:
            recording = recs[0]
        else:
            for rec in recs:
                _require_event_rate(rec)
            return _build(_shoe_pipeline(speed_mps, axes, params).run(recs), recs[0], thresholds, report, ctx)
    if not isinstance(recording, Recording):
        raise InputError(f"analyze() takes a Recording or a path, not {type(recording).__name__}")
    _require_event_rate(recording)
    place = placement or recording.placement
    if place is None:
        from .gait.placement import infer_placement

        place = infer_placement(recording)
        logger.info("placement not given: inferred %r from the signal", place)
    if place == "shoe":
        pipe = _shoe_pipeline(speed_mps, axes, params).run([recording])
    elif place == "waist":
        from .gait.settings import check_settings
        from .gait.waist import WaistPipeline

        check_settings(params, WaistPipeline, "waist", given=("speed_mps", "axes"))
        pipe = WaistPipeline(speed_mps=speed_mps, axes=axes, **params).run(recording)
    else:
        raise InputError(f"placement must be 'waist' or 'shoe', found {place!r}")
    return _build(pipe, recording, thresholds, report, ctx)


def _require_event_rate(rec: Any) -> None:
    """Refuse a recording too slow for gait events rather than report steps that cannot be timed."""
    from .recording import event_rate_problem

    problem = event_rate_problem(rec.fs) if isinstance(rec, Recording) else None
    if problem:
        raise InputError(problem, path=rec.meta.get("source"))


def _shoe_pipeline(speed_mps: Any, axes: Any, params: Mapping[str, Any]) -> Any:
    from .gait.settings import check_settings
    from .gait.shoe import FootPipeline, ShoePipeline

    check_settings(params, FootPipeline, "shoe", extra=("segment_s",), given=("axes",))
    foot = dict(params)
    segment_s = float(foot.pop("segment_s", 60.0))
    return ShoePipeline(speed_mps=speed_mps, axes=axes, segment_s=segment_s, foot_params=foot)


def _build(pipe: Any, recording: Recording, thresholds: Any, report: bool, ctx: RunContext) -> Analysis:
    """Pipeline result -> metrics -> run context -> report -> the Analysis (the only place one is built)."""
    import pandas as pd

    from .context import finish_context
    from .gait.metrics import StepColumns, segment_table, summarize
    from .schema import GAP_COLUMNS

    steps = pipe.steps_
    placement = pipe.input_["placement"]
    # the table's columns as arrays (the pipeline's own when it kept them) and the steps the
    # summary, the segments and the report are computed on, converted and found once
    cols = StepColumns(steps, getattr(pipe, "columns_", None))
    running = cols.running
    summary = summarize(steps, duration_s=pipe.duration_s_, gap_s=pipe.gap_s_, regularity=pipe.regularity_,
                        placement=placement, paired=pipe.paired_, per_side_reason=pipe.per_side_reason_,
                        has_gyro=bool(pipe.input_.get("has_gyro", True)), running=running, columns=cols)
    result = Analysis(
        steps=steps, summary=summary,
        segments=segment_table(steps, pipe.segment_s, pipe.per_side_reason_, running=running, columns=cols),
        gaps=pd.DataFrame(pipe.gaps_, columns=list(GAP_COLUMNS)),
        input=pipe.input_, flags=[], recording=recording, signals=pipe.signals_, params=dict(pipe.params_),
    )
    # tags, start time, device, the watch's laps; with a history, the recent runs for the report
    finish_context(result, ctx)
    if report:
        from .report import evaluate_steps, load_thresholds

        params = result.params
        # kept so the HTML evidence table shows the limits actually applied
        params["report_thresholds"] = load_thresholds(thresholds)
        result.evaluation = evaluate_steps(
            steps, placement=placement, speed_mps=summary.get("speed_mps"),
            tilt_reference=params.get("pelvic_tilt_reference"), per_side_reason=summary.get("per_side_reason"),
            thresholds=params["report_thresholds"], running=running, columns=cols)
        result.flags = result.evaluation.flags
    return result
