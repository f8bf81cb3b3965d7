"""Small HTML helpers shared by the single-run report (:mod:`.html`) and the history pages
(:mod:`.history_html`): escaping, numbers, the page templates, figures as inline PNG."""

from __future__ import annotations

import base64
import html
import io
import math
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["_esc", "_num", "_template", "_figure_png"]


def _esc(value: Any) -> str:
    """``value`` as HTML-escaped text (quotes included)."""
    return html.escape(str(value), quote=True)


def _num(value: Any) -> float | None:
    """A finite float, else None (missing, NaN, not a number)."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _template(name: str) -> str:
    """A page template of ``gaitlab/report/templates``."""
    return resources.files("gaitlab.report").joinpath("templates", name).read_text(encoding="utf-8")


def _figure_png(fig: Figure) -> str:
    """A matplotlib figure as base64 PNG (100 dpi, white background)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor="white")
    return base64.b64encode(buf.getvalue()).decode("ascii")
