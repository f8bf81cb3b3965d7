"""Accelerometer saturation: the level a sensor clipped at, and the samples at that level.

A sensor reads its full-scale value for everything beyond it, so a clipped peak is a lower bound,
not a measurement: the pipelines leave such contacts' impact out (NaN) and say so in the summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["FULL_SCALES_G", "CLIP_MIN_SAMPLES", "CLIP_BAND", "CLIPPED_CHANNEL", "saturation_range",
           "clipped_samples", "stated_clip_level", "clip_level", "clipped_windows"]

#: Accelerometer full-scale ranges on the market (g): a saturated axis reads one of them ...
FULL_SCALES_G = (2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 64.0, 100.0, 200.0, 400.0)
#: ... on at least this many samples (or two in a row); within CLIP_BAND of that level a reading is
#: not trusted as a peak (an anti-alias filter after the clip rounds the flat top off).
CLIP_MIN_SAMPLES, CLIP_BAND = 3, 0.95
#: Extra channel of a stretch (``split_stretches``) marking the samples at the accelerometer's rail
#: (:func:`clipped_samples`), for the pipelines' per-contact check (:func:`clipped_windows`).
CLIPPED_CHANNEL = "acc_clipped"


def saturation_range(acc: np.ndarray) -> float | None:
    """The level at which an accelerometer saturated (g), or None: from the signal alone.

    An axis is saturated when its extreme value (per sign) lies within 3 % of a standard
    full-scale range (``FULL_SCALES_G``) and either the sensor returned exactly that value on at
    least ``CLIP_MIN_SAMPLES`` samples or on two consecutive ones (a sensor reads its limit for
    everything beyond it, while a real peak below the range is reached once). Peaks that merely
    come close to a range are not evidence: impacts of a +-16 g sensor pile up under 8 g as well
    (on the synthetic 'realistic' sensor five peaks lie within 5 % under 8 g), and on the shared
    real foot jogs each maximum (up to 7.7 g, on a sensor said to saturate near 8 g) is reached
    once. Where a filter ran after the clip and rounded the top off, only a known range
    (``FootPipeline(acc_range_g=...)`` or ``Recording.meta['acc_range_g']``) can tell.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Specific force (g), sensor frame as recorded.

    Returns
    -------
    float or None
        The smallest saturated level over the axes (the full scale, or the extreme reached when
        lower), None when no axis saturated.
    """
    a = np.asarray(acc, dtype=np.float64)
    if a.shape[0] == 0:
        return None
    scales = np.asarray(FULL_SCALES_G)
    found: list[float] = []
    for k in range(a.shape[1]):
        x = a[:, k]
        high, low = x.max(), x.min()  # 4x faster than nanmax / nanmin; NaN only if the data hold one
        if np.isnan(high) or np.isnan(low):
            if not np.isfinite(x).any():
                continue
            high, low = np.nanmax(x), np.nanmin(x)
        for ext in (float(high), float(low)):
            rel = np.abs(abs(ext) / scales - 1.0)
            if rel.min() > 0.03:
                continue
            scale = float(scales[np.argmin(rel)])
            at = np.abs(x - ext) <= 1e-9 * abs(ext)
            if at.sum() >= CLIP_MIN_SAMPLES or (at[1:] & at[:-1]).any():
                found.append(min(scale, abs(ext)))
    return min(found) if found else None


def clipped_samples(acc: np.ndarray, range_g: float | None) -> np.ndarray:
    """Samples of ``acc`` (g, any frame-free sensor axes) within ``CLIP_BAND`` of the range, any axis.

    Within 5 % of the range a reading is not trusted as a peak: the sensor may have clipped, and an
    anti-alias filter after the clip rounds the top off to just under the range. All False
    without a range.
    """
    a = np.asarray(acc, dtype=np.float64)
    if range_g is None:
        return np.zeros(a.shape[0], dtype=bool)
    return np.any(np.abs(a) >= CLIP_BAND * abs(float(range_g)), axis=1)


def stated_clip_level(meta: Mapping[str, Any]) -> float | None:
    """The level (g) a recording's metadata says its accelerometer clips at, or None: the range the
    file states (``meta['acc_range_g']``), else the level a reader found peaks cut at
    (``meta['acc_clipped_g']``, e.g. a Shimmer low-noise accelerometer's rail, kept with its sign)."""
    for key in ("acc_range_g", "acc_clipped_g"):
        level = meta.get(key)
        if level is not None:
            return abs(float(level))
    return None


def clip_level(acc: np.ndarray, meta: Mapping[str, Any]) -> float | None:
    """The level (g) at which ``acc`` may be clipped, or None: :func:`stated_clip_level`, else the
    level the signal shows (:func:`saturation_range`)."""
    stated = stated_clip_level(meta)
    return stated if stated is not None else saturation_range(acc)


def clipped_windows(clip: np.ndarray | None, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Whether any sample marked in ``clip`` lies in ``[floor(start), ceil(stop)]`` of each window
    (fractional sample indices), e.g. a contact's impact window; all False without a mask, and
    for a NaN start."""
    hit = np.zeros(start.size, dtype=bool)
    if clip is None or not start.size:
        return hit
    csum = np.concatenate(([0], np.cumsum(clip > 0)))
    ok = np.isfinite(start)
    a = np.clip(np.floor(start[ok]), 0, clip.size - 1).astype(np.int64)
    b = np.clip(np.ceil(stop[ok]), 0, clip.size - 1).astype(np.int64)
    hit[ok] = csum[b + 1] > csum[a]
    return hit
