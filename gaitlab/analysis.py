"""Running analysis: :func:`analyze`, the library's main entry point and the one place an
:class:`~gaitlab.result.Analysis` is built.

The data flow (ARCHITECTURE.md): read -> pipeline (:mod:`gaitlab.gait`: waist, or shoe one foot or
a pair, both returning a step table) -> metrics (:mod:`gaitlab.gait.metrics`: summary, segments)
-> report (:mod:`gaitlab.report`, evaluated once) -> :class:`~gaitlab.result.Analysis`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import InputError
from .recording import Recording
from .result import Analysis

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
    **params: Any,
) -> Analysis:
    """Analyse a running recording: steps, per-step metrics, summary, segments and flags.

    Parameters
    ----------
    recording : Recording, path, or pair of Recordings
        The signal. A path is read with :func:`gaitlab.read`. Two shoe recordings (left, right)
        are analysed as a pair.
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
    if isinstance(recording, Sequence) and not isinstance(recording, str):
        recs = list(recording)
        if len(recs) == 1:
            recording = recs[0]
        else:
            return _build(_shoe_pipeline(speed_mps, axes, params).run(recs), recs[0], thresholds, report)
    if not isinstance(recording, Recording):
        raise InputError(f"analyze() takes a Recording or a path, not {type(recording).__name__}")
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
    return _build(pipe, recording, thresholds, report)


def _shoe_pipeline(speed_mps: Any, axes: Any, params: Mapping[str, Any]) -> Any:
    from .gait.settings import check_settings
    from .gait.shoe import FootPipeline, ShoePipeline

    check_settings(params, FootPipeline, "shoe", extra=("segment_s",), given=("axes",))
    foot = dict(params)
    segment_s = float(foot.pop("segment_s", 60.0))
    return ShoePipeline(speed_mps=speed_mps, axes=axes, segment_s=segment_s, foot_params=foot)


def _build(pipe: Any, recording: Recording, thresholds: Any, report: bool) -> Analysis:
    """Pipeline result -> metrics -> report -> the Analysis (the only place one is built)."""
    import pandas as pd

    from .gait.metrics import segment_table, summarize
    from .schema import GAP_COLUMNS

    steps = pipe.steps_
    placement = pipe.input_["placement"]
    summary = summarize(steps, duration_s=pipe.duration_s_, gap_s=pipe.gap_s_, regularity=pipe.regularity_,
                        placement=placement, paired=pipe.paired_)
    segments = segment_table(steps, pipe.segment_s)
    params = dict(pipe.params_)
    evaluation = None
    flags: list[dict[str, Any]] = []
    if report:
        from .report import evaluate_steps, load_thresholds

        # kept so the HTML evidence table shows the limits actually applied
        params["report_thresholds"] = load_thresholds(thresholds)
        evaluation = evaluate_steps(steps, placement=placement, speed_mps=summary.get("speed_mps"),
                                    tilt_reference=params.get("pelvic_tilt_reference"),
                                    thresholds=params["report_thresholds"])
        flags = evaluation.flags
    return Analysis(
        steps=steps, summary=summary, segments=segments,
        gaps=pd.DataFrame(pipe.gaps_, columns=list(GAP_COLUMNS)),
        input=pipe.input_, flags=flags, recording=recording, signals=pipe.signals_, params=params,
        evaluation=evaluation,
    )
