"""Garmin Running Dynamics colour zones, the familiar anchor for the headline metrics.

The zones are **Garmin's**: percentiles of Garmin's own runner population (purple = better than
95 % of Garmin runners on that metric, red = the bottom 5 %), from the Garmin Forerunner and
Running Dynamics Pod manuals. They describe where a runner sits in
that population, not what is healthy. GCT, VO and VR zone edges are only comparable for a sensor
near the body's centre of mass (Garmin measures at the chest or waistband); VO values differ
between devices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Zone", "ZoneScale", "ZONE_ORDER", "ZONES", "BALANCE_ZONES", "zone_for", "ZONE_SOURCE"]

ZONE_SOURCE = ("Garmin Running Dynamics colour zones: percentiles of Garmin's runner population "
               "(Garmin Forerunner / Running Dynamics Pod manuals)")


@dataclass(frozen=True)
class Zone:
    """One colour band."""

    name: str
    colour: str
    percentile: str


PURPLE = Zone("purple", "#7b3fa0", "top 5 %")
BLUE = Zone("blue", "#2f7fd0", "70-95th percentile")
GREEN = Zone("green", "#3a9d4a", "30-69th percentile")
ORANGE = Zone("orange", "#ef8a17", "5-29th percentile")
RED = Zone("red", "#d7263d", "bottom 5 %")
ZONE_ORDER = (RED, ORANGE, GREEN, BLUE, PURPLE)  # from the bottom of the population to the top


@dataclass(frozen=True)
class ZoneScale:
    """Zone edges of one metric.

    ``edges`` are the four boundaries in increasing value; ``lower_is_better`` says whether the
    top percentile (purple) is at low values (GCT, VO, VR) or high values (cadence).
    """

    metric: str
    label: str
    unit: str
    edges: tuple[float, float, float, float]
    lower_is_better: bool

    def zone(self, value: float) -> Zone | None:
        if value is None or not math.isfinite(value):
            return None
        k = sum(value >= e for e in self.edges)  # 0..4, index of the band from low to high values
        return ZONE_ORDER[4 - k] if self.lower_is_better else ZONE_ORDER[k]


ZONES: dict[str, ZoneScale] = {
    "cadence_spm": ZoneScale("cadence_spm", "Cadence", "spm", (153.0, 164.0, 174.0, 183.5), False),
    "gct_ms": ZoneScale("gct_ms", "Ground contact time", "ms", (218.0, 248.5, 277.5, 308.5), True),
    "vo_cm": ZoneScale("vo_cm", "Vertical oscillation", "cm", (6.4, 8.15, 9.75, 11.55), True),
    "vertical_ratio_pct": ZoneScale("vertical_ratio_pct", "Vertical ratio", "%", (6.1, 7.45, 8.65, 10.15), True),
}

#: GCT balance: distance from 50/50 (% towards the longer side) -> zone (Garmin: 40 % of runners
#: green, 25 % orange on each side, 5 % red on each side).
BALANCE_ZONES: tuple[tuple[float, Zone], ...] = ((50.7, GREEN), (52.2, ORANGE), (math.inf, RED))


def zone_for(metric: str, value: float | None) -> Zone | None:
    """The Garmin colour zone of a headline value, or None when the metric has no zones.

    Parameters
    ----------
    metric : str
        ``cadence_spm``, ``gct_ms``, ``vo_cm``, ``vertical_ratio_pct`` or ``gct_balance_left_pct``.
    value : float
        The run's value in the metric's unit (balance: left share in %).

    Examples
    --------
    >>> zone_for("cadence_spm", 178).name
    'blue'
    >>> zone_for("gct_balance_left_pct", 48.5).name
    'orange'
    """
    if value is None or not math.isfinite(float(value)):
        return None
    if metric == "gct_balance_left_pct":
        lean = max(float(value), 100.0 - float(value))
        return next(z for limit, z in BALANCE_ZONES if lean <= limit)
    scale = ZONES.get(metric)
    return None if scale is None else scale.zone(float(value))
