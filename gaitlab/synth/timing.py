"""Timing layers applied to a rendered recording: gaps (samples removed) and host-timestamp jitter."""

from __future__ import annotations

import numpy as np

from .scenario import Gaps

__all__ = ["draw_gap_mask", "gap_spans_from_mask", "jitter_timestamps", "steps_touching"]


def draw_gap_mask(gaps: Gaps, t_s: np.ndarray, move_span_s: tuple[float, float],
                  rng: np.random.Generator) -> np.ndarray:
    """Boolean keep-mask over samples: ``gaps.n`` random gaps inside ``move_span_s`` plus i.i.d.
    packet loss. Gaps never touch the first or last sample, so the recording span is unchanged."""
    n = t_s.size
    keep = np.ones(n, dtype=bool)
    m0, m1 = move_span_s
    lo, hi = gaps.duration_s
    for _ in range(int(gaps.n)):
        dur = rng.uniform(lo, hi)
        if m1 - m0 <= dur + 1.0:
            break
        start = rng.uniform(m0 + 0.5, m1 - dur - 0.5)
        keep &= ~((t_s >= start) & (t_s < start + dur))
    if gaps.packet_loss_pct > 0:
        size = max(int(gaps.packet_size), 1)
        n_packets = -(-n // size)
        lost = rng.random(n_packets) < gaps.packet_loss_pct / 100.0
        keep &= ~np.repeat(lost, size)[:n]
    keep[0] = keep[-1] = True
    return keep


def gap_spans_from_mask(t_s: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """(k, 2) spans ``[t_before, t_after]`` (last kept sample before, first kept after each run of
    removed samples), as :attr:`gaitlab.Recording.gaps` reports them."""
    removed = ~keep
    if not removed.any():
        return np.empty((0, 2))
    d = np.diff(removed.astype(np.int8))
    starts = np.flatnonzero(d == 1) + 1
    ends = np.flatnonzero(d == -1) + 1  # first kept index after the run
    return np.stack([t_s[starts - 1], t_s[ends]], axis=1)


def steps_touching(spans: np.ndarray, t0_s: np.ndarray, t1_s: np.ndarray) -> np.ndarray:
    """True for intervals ``[t0, t1]`` that overlap any gap span ``(t_before, t_after)``."""
    out = np.zeros(t0_s.shape, dtype=bool)
    for a, b in spans:
        out |= (t0_s < b) & (t1_s > a)
    return out


def jitter_timestamps(t_s: np.ndarray, jitter_ms: float, fs_hz: float, rng: np.random.Generator) -> np.ndarray:
    """Host timestamps: ``t`` plus Gaussian jitter (SD ``jitter_ms``), clipped to +-0.45 of a sample
    period so the order of samples (and strict monotonicity) is kept."""
    if jitter_ms <= 0:
        return t_s
    lim = 0.45 / fs_hz
    return t_s + np.clip(rng.standard_normal(t_s.size) * jitter_ms / 1000.0, -lim, lim)
