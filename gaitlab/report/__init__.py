"""The back-strain form report: pattern rules, flags, HTML report, figures and the Jupyter view.

``evaluate(analysis, thresholds=None)`` returns the flags :func:`gaitlab.analyze` stores. The HTML
report (:mod:`gaitlab.report.html`) and figures (:mod:`gaitlab.report.figures`, matplotlib) are
imported on first use so that this package stays light.
"""

from __future__ import annotations

from .evaluate import Evaluation, evaluate, evaluate_detailed
from .rules import RULES, SEVERITIES, Rule, Threshold
from .thresholds import Thresholds, load_thresholds

__all__ = [
    "evaluate", "evaluate_detailed", "Evaluation", "RULES", "SEVERITIES", "Rule", "Threshold",
    "Thresholds", "load_thresholds",
]
