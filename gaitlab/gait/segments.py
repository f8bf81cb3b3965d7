"""Contiguous stretches of a recording: split at gaps, put on a uniform time grid.

Steps are never detected across a gap: each stretch between gaps is
analysed on its own, and the kernels see a uniformly sampled signal. A stretch whose timestamps
are irregular (jittered host timestamps, phone sensors) is resampled onto a uniform grid by
linear interpolation *within* the stretch only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MIN_STRETCH_S", "Stretch", "gap_threshold_s", "split_stretches"]

#: Shortest gap-free stretch analysed (s): room for one stance with the flights either side.
MIN_STRETCH_S = 0.75

#: Relative irregularity of sample intervals (robust SD / median) below which timestamps are used as is.
_REGULAR = 0.01

#: Longest hole (s) bridged by interpolation in a jittered (host-timestamped, e.g. phone) timeline:
#: 40 ms is about 15 % of a running contact, too short to hide a contact or a flight; a phone that
#: skips a sample or two every few seconds would otherwise be cut into short stretches that lose steps.
MAX_BRIDGED_S = 0.040


@dataclass(frozen=True)
class Stretch:
    """A gap-free part of a recording on a uniform grid.

    Attributes
    ----------
    t : ndarray, shape (n,)
        Uniform sample times (s) on the recording's time axis.
    acc : ndarray, shape (n, 3)
        Specific force (g), sensor frame.
    gyr : ndarray, shape (n, 3) or None
    fs : float
        The stretch's own sample rate (Hz), measured from its timestamps.
    first, last : int
        Index range ``[first, last]`` of the original samples the stretch covers.
    resampled : bool
        Whether the samples were interpolated onto the grid.
    ends_at_gap : bool
        Whether a gap follows the stretch (rather than the end of the recording).
    extra : dict
        Extra channels on the same grid.
    """

    t: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray | None
    fs: float
    first: int
    last: int
    resampled: bool
    extra: dict
    ends_at_gap: bool = False

    def time_at(self, idx: np.ndarray) -> np.ndarray:
        """Times (s) of fractional sample indices (NaN stays NaN)."""
        return self.t[0] + np.asarray(idx, dtype=np.float64) / self.fs


def gap_threshold_s(t: np.ndarray, fs: float) -> float:
    """Smallest interval (s) counted as a gap.

    ``1.5 / fs`` (the Recording's definition), raised above the timestamp jitter when the
    timestamps are jittered so that jitter is not mistaken for missing samples; on a jittered
    timeline (phones) holes up to :data:`MAX_BRIDGED_S` are interpolated rather than split.
    """
    return _gap_threshold(*_interval_spread(np.diff(t)), fs)


def _interval_spread(dt: np.ndarray) -> tuple[float, float]:
    """Median of the sample intervals ``dt`` and their robust SD (scaled MAD), both in s."""
    from ..kernels.select import median_of_common

    # np.median's values; counted rather than partitioned when most intervals are the median one
    med = median_of_common(dt)
    return med, median_of_common(dt, med) * 1.4826


def _gap_threshold(med: float, mad: float, fs: float) -> float:
    """:func:`gap_threshold_s` from the intervals' median and robust SD."""
    thr = max(1.5 / fs, 1.5 * med, med + 6.0 * mad)
    if mad > _REGULAR * med:
        # a jittered timeline is resampled anyway: a skipped sample or two is bridged (<= 40 ms)
        thr = max(thr, MAX_BRIDGED_S)
    return thr


def _grid_deviation(ts: np.ndarray, fs: float) -> float:
    """Largest distance (s) of the timestamps from the uniform grid ``ts[0] + k / fs``, in one
    buffer (each signal-sized temporary costs fresh memory)."""
    dev = np.arange(ts.size, dtype=np.float64)
    dev /= fs
    dev += ts[0]
    np.subtract(ts, dev, out=dev)
    np.abs(dev, out=dev)
    return float(dev.max())


def split_stretches(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None, fs: float,
                    extra: dict[str, np.ndarray] | None = None,
                    min_duration_s: float = MIN_STRETCH_S) -> tuple[list[Stretch], np.ndarray]:
    """Split a signal at gaps into uniformly sampled stretches.

    Parameters
    ----------
    t : ndarray, shape (n,)
        Sample times (s), strictly increasing.
    acc, gyr : ndarray, shape (n, 3)
    fs : float
        Nominal sample rate (Hz).
    extra : dict of ndarray, optional
    min_duration_s : float
        Stretches shorter than this are dropped (too short to hold steps).

    Returns
    -------
    stretches : list of Stretch
    gaps : ndarray, shape (k, 2)
        ``[t_before, t_after]`` of each gap (s).
    """
    extra = extra or {}
    dt_all = np.diff(t)
    spread = _interval_spread(dt_all)
    thr = _gap_threshold(*spread, fs)
    cut = np.flatnonzero(dt_all > thr)
    gaps = np.column_stack((t[cut], t[cut + 1])) if cut.size else np.empty((0, 2))
    bounds = np.concatenate(([0], cut + 1, [t.size]))
    out: list[Stretch] = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b - a < 2 or t[b - 1] - t[a] < min_duration_s:
            continue
        ts = t[a:b]
        n = b - a
        fs_seg = (n - 1) / (ts[-1] - ts[0])
        # a stretch without gaps is the whole recording: its intervals' spread is known already
        med, mad = spread if (a == 0 and b == t.size) else _interval_spread(dt_all[a:b - 1])
        irregular = mad > _REGULAR * med or _grid_deviation(ts, fs_seg) > 0.25 / fs_seg
        if irregular:
            grid = ts[0] + np.arange(n) / fs_seg
            grid = grid[grid <= ts[-1]]

            def on_grid(x: np.ndarray, ts=ts, grid=grid) -> np.ndarray:
                return np.column_stack([np.interp(grid, ts, x[:, j]) for j in range(x.shape[1])])

            acc_s = on_grid(acc[a:b])
            gyr_s = None if gyr is None else on_grid(gyr[a:b])
            ext = {k: np.interp(grid, ts, v[a:b]) for k, v in extra.items()}
            out.append(Stretch(grid, acc_s, gyr_s, fs_seg, int(a), int(b - 1), True, ext, b < t.size))
        else:
            out.append(Stretch(ts, acc[a:b], None if gyr is None else gyr[a:b], fs_seg, int(a),
                               int(b - 1), False, {k: v[a:b] for k, v in extra.items()}, b < t.size))
    return out, gaps
