"""Peak of a smooth model signal over per-step windows (ground truth for impact and pelvic drop).

Shared by the waist and foot generators (:mod:`.api`, :mod:`.foot`); a module of its own so that
neither imports the other.
"""

from __future__ import annotations

import numpy as np

__all__ = ["window_peak"]


def window_peak(fn, t0: np.ndarray, width_s, n_grid: int = 51, n_fine: int = 41) -> np.ndarray:
    """Peak of a scalar function over ``[t0, t0 + width]`` per row (width scalar or per row): a
    coarse grid, then a fine grid around the coarse maximum (robust to kinks and jumps)."""
    out = np.empty(t0.size)
    width = np.broadcast_to(np.asarray(width_s, dtype=np.float64), t0.shape)
    u = np.linspace(0.0, 1.0, n_grid)
    v = np.linspace(-u[1], u[1], n_fine)
    for c0 in range(0, t0.size, 4000):
        a, w = t0[c0:c0 + 4000], width[c0:c0 + 4000]
        tt = a[:, None] + w[:, None] * u[None, :]
        y = fn(tt.ravel()).reshape(tt.shape)
        centre = tt[np.arange(tt.shape[0]), np.argmax(y, axis=1)]
        tf = np.clip(centre[:, None] + w[:, None] * v[None, :], a[:, None], (a + w)[:, None])
        yf = fn(tf.ravel()).reshape(tf.shape)
        out[c0:c0 + 4000] = np.maximum(y.max(axis=1), yf.max(axis=1))
    return out
