"""The back-strain form report: pattern rules, flags, HTML report, figures and the Jupyter view.

Layout: the rules as data (:mod:`.rules`, :mod:`.thresholds`, :mod:`.sources`), the rule engine on
arrays (:mod:`.engine`: rolling windows, episodes, baselines), the checks and their evaluation
(:mod:`.evaluate`), the words (:mod:`.text`), and the views (:mod:`.html`, :mod:`.figures`).
:func:`gaitlab.analyze` evaluates the rules once (:func:`evaluate_steps`) and stores the
:class:`Evaluation` on the Analysis; ``evaluate(analysis, thresholds=None)`` re-evaluates with other
thresholds. The HTML report and figures (matplotlib) are imported on first use so that this
package stays light.
"""

from __future__ import annotations

from .evaluate import Evaluation, evaluate, evaluate_detailed, evaluate_steps
from .rules import RULES, SEVERITIES, Rule, Threshold
from .thresholds import Thresholds, load_thresholds

__all__ = [
    "evaluate", "evaluate_detailed", "evaluate_steps", "Evaluation", "RULES", "SEVERITIES", "Rule", "Threshold",
    "Thresholds", "load_thresholds",
]
