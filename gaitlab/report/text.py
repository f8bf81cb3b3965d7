"""The report's words: clock times, where a pattern held, and the flag record.

Numbers come from the rule engine (:mod:`.engine`) and the checks (:mod:`.evaluate`); this module
only formats them. Health language follows the project's rule: "associated with", a cited
source, never a diagnosis (the sentences themselves are the rules' data, :mod:`.rules`).
"""

from __future__ import annotations

import math
from typing import Any

from .engine import Episode
from .rules import Rule
from .sources import cite

__all__ = ["clock", "flag", "span_text", "episode_evidence", "UNIT_DECIMALS", "number"]


def clock(t_s: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a time in seconds on the recording's axis."""
    if not math.isfinite(t_s):
        return "?"
    sign = "-" if t_s < 0 else ""
    total = int(round(abs(t_s)))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m}:{s:02d}"


#: Decimals worth showing per unit: what a wearable IMU resolves and what a runner can act on (a
#: 0.498 deg pelvic drop is 0.5 deg; a contact time to the millisecond is already finer than 100 Hz).
UNIT_DECIMALS: dict[str, int] = {"ms": 0, "s": 0, "spm": 0, "steps/min": 0, "g/s": 0, "deg/s": 0, "deg": 1,
                                 "cm": 1, "%": 1, "g": 2, "m": 2, "m/s": 2, "": 2}


def number(value: float, unit: str = "", *, with_unit: bool = False) -> str:
    """``value`` rounded to its unit's meaningful precision (:data:`UNIT_DECIMALS`)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "n/a"
    decimals = UNIT_DECIMALS.get(unit, 2)
    if unit == "" and abs(v) >= 10:
        decimals = 0
    text = f"{v:.{decimals}f}"
    if text in ("-0", "-0.0", "-0.00"):
        text = text[1:]
    return f"{text} {unit}".rstrip() if with_unit else text


def flag(rule: Rule, severity: str, detail: str, evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "severity": severity,
        "message": f"{detail} {rule.concern}",
        "evidence": evidence,
        "source": cite(rule.articles, rule.research),
        "advice": rule.full_advice,
    }


def span_text(eps: list[Episode]) -> str:
    main = max(eps, key=lambda e: e.running_s)
    total = sum(e.running_s for e in eps)
    more = f" ({len(eps)} stretches, {total / 60:.1f} min in all)" if len(eps) > 1 else ""
    return f"from {clock(main.start_s)} to {clock(main.end_s)} ({main.running_s / 60:.1f} min){more}"


def episode_evidence(eps: list[Episode]) -> dict[str, Any]:
    main = max(eps, key=lambda e: e.running_s)
    return {**main.as_dict(), "total_duration_s": round(sum(e.running_s for e in eps), 1),
            "episodes": [e.as_dict() for e in eps[:20]]}
