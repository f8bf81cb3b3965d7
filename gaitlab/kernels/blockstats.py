"""Per-block statistics of orientation (:mod:`gaitlab.gait.orientation`) and mounting
(:mod:`gaitlab.gait.mounting`), each kernel over all ~20-s blocks of a recording in one call.

* step period: unbiased autocorrelation of ``|f|`` summed directly over the searched lags only;
* gravity and the step covariance: column means, the centred step-periodic signal
  ``f(t) + f(t + one step)`` and its 3 x 3 scatter matrix, then the forward direction's sign;
* mounting: the flight test and the Fourier amplitudes at the stride and step frequencies.

Sums run in a fixed order (rows in order; the 3 x 3 scatter one row at a time), so results are
deterministic and do not depend on the BLAS build or thread count; they agree with the numpy code
they replaced (BLAS dot products, ``s.T @ s``, FFT autocorrelation, complex exponentials) to a few
units in the last place, far below any threshold applied to them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["column_mean", "centred_step_sum", "scatter3", "block_step_scatters", "block_means",
           "row_norms", "row_dots", "horizontal_units", "autocorr_period", "block_periods", "sign_score",
           "block_sign_scores", "mounting_features", "orientation_rhythm", "orientation_axes",
           "attitude_splits"]


@njit(cache=True)
def _dot3(u: np.ndarray, v: np.ndarray) -> float:
    """Dot product of two 3-vectors."""
    return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]


@njit(cache=True)
def row_norms(x: np.ndarray) -> np.ndarray:
    """Length of each row of an (n, 3) array: the bits of ``np.linalg.norm(x, axis=1)`` (its squares
    summed left to right), without numpy's slow reduction along a length-3 axis."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = np.sqrt((x[i, 0] * x[i, 0] + x[i, 1] * x[i, 1]) + x[i, 2] * x[i, 2])
    return out


@njit(cache=True)
def row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a[j] @ b[j]`` for each row of two (m, 3) arrays."""
    out = np.empty(a.shape[0])
    for j in range(a.shape[0]):
        out[j] = _dot3(a[j], b[j])
    return out


@njit(cache=True)
def horizontal_units(v: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Unit vector along the part of each ``v[j]`` perpendicular to ``up[j]`` (rows of (m, 3)
    arrays): ``h = v - (v @ up) up``, ``h / |h|``."""
    out = np.empty((v.shape[0], 3))
    h = np.empty(3)
    for j in range(v.shape[0]):
        d = _dot3(v[j], up[j])
        for q in range(3):
            h[q] = v[j, q] - d * up[j, q]
        nrm = np.sqrt(_dot3(h, h))
        for q in range(3):
            out[j, q] = h[q] / nrm if nrm > 0 else np.nan  # v along up: no horizontal direction
    return out


@njit(cache=True)
def column_mean(x: np.ndarray, a: int, b: int) -> np.ndarray:
    """Mean of rows ``[a, b)`` of ``x`` (n, 3), summed in row order."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    for i in range(a, b):
        s0 += x[i, 0]
        s1 += x[i, 1]
        s2 += x[i, 2]
    n = b - a
    out = np.empty(3)
    out[0] = s0 / n
    out[1] = s1 / n
    out[2] = s2 / n
    return out


@njit(cache=True)
def centred_step_sum(x: np.ndarray, lag: int) -> np.ndarray:
    """``s = x[:-lag] + x[lag:]`` minus its column means (row-order sums), shape (n - lag, 3)."""
    m = x.shape[0] - lag
    s = np.empty((m, 3))
    t0 = 0.0
    t1 = 0.0
    t2 = 0.0
    for i in range(m):
        v0 = x[i, 0] + x[i + lag, 0]
        v1 = x[i, 1] + x[i + lag, 1]
        v2 = x[i, 2] + x[i + lag, 2]
        s[i, 0] = v0
        s[i, 1] = v1
        s[i, 2] = v2
        t0 += v0
        t1 += v1
        t2 += v2
    t0 /= m
    t1 /= m
    t2 /= m
    for i in range(m):
        s[i, 0] -= t0
        s[i, 1] -= t1
        s[i, 2] -= t2
    return s


@njit(cache=True)
def scatter3(s: np.ndarray) -> np.ndarray:
    """``s.T @ s`` of an (m, 3) array (the six distinct sums, one row at a time)."""
    c00 = c01 = c02 = c11 = c12 = c22 = 0.0
    for k in range(s.shape[0]):
        x0 = s[k, 0]
        x1 = s[k, 1]
        x2 = s[k, 2]
        c00 += x0 * x0
        c01 += x0 * x1
        c02 += x0 * x2
        c11 += x1 * x1
        c12 += x1 * x2
        c22 += x2 * x2
    out = np.empty((3, 3))
    out[0, 0], out[0, 1], out[0, 2] = c00, c01, c02
    out[1, 0], out[1, 1], out[1, 2] = c01, c11, c12
    out[2, 0], out[2, 1], out[2, 2] = c02, c12, c22
    return out


@njit(cache=True)
def block_step_scatters(x: np.ndarray, starts: np.ndarray, ends: np.ndarray, dec: int, lags: np.ndarray,
                        min_rows: int):
    """:func:`scatter3` of the :func:`centred_step_sum` of rows ``starts[b]:ends[b]:dec`` of ``x``
    with lag ``lags[b]``, for every block, shape (m, 3, 3); ``ok[b]`` False (and NaN) for a block
    with ``lags[b] < 1`` or fewer than ``min_rows`` sums.

    Adding the signal to itself one step later keeps what repeats every step (the vertical force,
    braking/propulsion) and cancels the mediolateral sway (its sign alternates between left and
    right steps): the scatter's principal axes are the vertical and then forward."""
    m = starts.size
    out = np.full((m, 3, 3), np.nan)
    ok = np.zeros(m, dtype=np.bool_)
    for b in range(m):
        rows = (ends[b] - starts[b] + dec - 1) // dec - lags[b]
        if lags[b] >= 1 and rows >= min_rows:
            out[b] = scatter3(centred_step_sum(x[starts[b]: ends[b]: dec], lags[b]))
            ok[b] = True
    return out, ok


@njit(cache=True)
def block_means(x: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """:func:`column_mean` of rows ``[starts[b], stops[b])`` for every block ``b``, shape (m, 3)."""
    out = np.empty((starts.size, 3))
    for b in range(starts.size):
        out[b] = column_mean(x, starts[b], stops[b])
    return out


@njit(cache=True)
def _lag_products(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``ac[lag] = sum(x[i] * x[i + lag])`` for ``lo <= lag <= hi`` (0 elsewhere), each sum over
    ``i`` in order. While every lag has its partner sample, all lags advance together (lags
    innermost: independent sums, which the compiler vectorises); then each sum's own tail."""
    n = x.size
    ac = np.zeros(hi + 1)
    m = hi + 1 - lo
    sums = np.zeros(max(m, 0))
    head = max(n - hi, 0)
    for i in range(head):
        xi = x[i]
        xs = x[i + lo: i + hi + 1]
        for q in range(m):
            sums[q] += xi * xs[q]
    for q in range(m):
        s = sums[q]
        for i in range(head, n - lo - q):
            s += x[i] * x[i + lo + q]
        ac[lo + q] = s
    return ac


@njit(cache=True)
def autocorr_period(x: np.ndarray, fs: float, lo: int, hi: int) -> float:
    """Step period (s) from the first dominant peak of the unbiased autocorrelation of ``x``.

    The autocorrelation is summed directly over the lags ``lo..hi`` only (the FFT of the whole
    block computed all of them); each lag's sum runs over the samples in order. NaN when ``x`` is
    too short (< 1.5 ``hi`` samples), still (std < 0.01) or without a peak of >= 0.2 in the range.
    """
    n = x.size
    if n < 3 * hi // 2:
        return np.nan
    mean = 0.0
    for i in range(n):
        mean += x[i]
    mean /= n
    xc = np.empty(n)
    e = 0.0
    for i in range(n):
        xc[i] = x[i] - mean
        e += xc[i] * xc[i]
    if e < n * 1e-4:  # still (std < 0.01 g), as a NaN block also fails below
        return np.nan
    ac = _lag_products(xc, lo, hi)
    m = hi + 1 - lo
    if m < 3:
        return np.nan
    seg = np.empty(m)
    for j in range(m):
        lag = lo + j
        v = ac[lag] / e if lag > 0 else 1.0
        seg[j] = v / ((n - lag) / n) if lag > 0 else v  # unbiased
    best = -np.inf
    found = False
    for j in range(1, m - 1):
        if seg[j] > seg[j - 1] and seg[j] >= seg[j + 1]:
            found = True
            if seg[j] > best:
                best = seg[j]
    if not found or best < 0.2:
        return np.nan
    k = 1
    for j in range(1, m - 1):
        if seg[j] > seg[j - 1] and seg[j] >= seg[j + 1] and seg[j] >= 0.7 * best:
            k = j
            break
    # parabolic refinement of the peak position
    y0 = seg[k - 1]
    y1 = seg[k]
    y2 = seg[k + 1]
    den = y0 - 2 * y1 + y2
    frac = 0.5 * (y0 - y2) / den if den != 0 else 0.0
    return (lo + k + frac) / fs


@njit(cache=True)
def block_periods(acc: np.ndarray, starts: np.ndarray, ends: np.ndarray, dec: int, fs: float,
                  lo: int, hi: int) -> np.ndarray:
    """:func:`autocorr_period` of ``|acc|`` of every block, decimated by ``dec`` (``fs``: the
    decimated rate), shape (m,)."""
    out = np.empty(starts.size)
    for b in range(starts.size):
        a = starts[b]
        n = (ends[b] - a + dec - 1) // dec
        x = np.empty(n)
        for j in range(n):
            i = a + j * dec
            x[j] = np.sqrt(acc[i, 0] * acc[i, 0] + acc[i, 1] * acc[i, 1] + acc[i, 2] * acc[i, 2])
        out[b] = autocorr_period(x, fs, lo, hi)
    return out


@njit(cache=True)
def sign_score(ap: np.ndarray, fz: np.ndarray, lag: int, flight_below: float) -> float:
    """Sum of ``ap[i] * (fz[i + 1] - fz[i])`` over stride-long windows (``2 lag`` samples), each
    counted negatively unless ``fz`` drops below ``flight_below`` in it (a flight: running); the
    tail after the last whole window takes the last window's sign. No window: the plain sum."""
    n = fz.size - 1
    win = max(2 * lag, 2)
    nwin = n // win if n > 0 else 0
    if nwin == 0:
        s = 0.0
        for i in range(max(n, 0)):
            s += ap[i] * (fz[i + 1] - fz[i])
        return s
    score = 0.0
    running = False
    for w in range(nwin):
        s = 0.0
        low = np.inf
        for i in range(w * win, (w + 1) * win):
            s += ap[i] * (fz[i + 1] - fz[i])
            if fz[i] < low:
                low = fz[i]
        running = low < flight_below
        score += s if running else -s
    tail = 0.0
    for i in range(nwin * win, n):
        tail += ap[i] * (fz[i + 1] - fz[i])
    return score + (tail if running else -tail)


@njit(cache=True)
def block_sign_scores(acc: np.ndarray, starts: np.ndarray, ends: np.ndarray, dec: int, fwd: np.ndarray,
                      up: np.ndarray, lags: np.ndarray, flight_below: float) -> np.ndarray:
    """:func:`sign_score` of each block ``j`` (rows ``starts[j]:ends[j]:dec`` of ``acc``) for the
    candidate forward ``fwd[j]`` against the vertical ``up[j]``, shape (m,)."""
    out = np.empty(starts.size)
    for j in range(starts.size):
        a = starts[j]
        n = (ends[j] - a + dec - 1) // dec
        ap = np.empty(n)
        fz = np.empty(n)
        for k in range(n):
            i = a + k * dec
            ap[k] = acc[i, 0] * fwd[j, 0] + acc[i, 1] * fwd[j, 1] + acc[i, 2] * fwd[j, 2]
            fz[k] = acc[i, 0] * up[j, 0] + acc[i, 1] * up[j, 1] + acc[i, 2] * up[j, 2]
        out[j] = sign_score(ap, fz, lags[j], flight_below)
    return out


@njit(cache=True)
def _whole_periods(n_samples: int, per: float) -> int:
    """Samples in the whole number of periods (``per`` samples each) that fit in ``n_samples``;
    0 when fewer than two fit."""
    k = n_samples // per  # float floor division, as Python's
    if k < 2:
        return 0
    return int(np.rint(k * per))  # round half to even, as Python's round


@njit(cache=True)
def _quantile_at_least(n: int, q: float, below: int, below_max: float, above_min: float,
                       has_nan: bool, level: float) -> bool:
    """Whether ``np.percentile(x, 100 q) >= level`` for a sample of size ``n`` of which ``below``
    values are < ``level`` (the largest ``below_max``) and the rest >= it (the smallest
    ``above_min``): numpy's 'linear' quantile interpolates between the sorted values at
    ``floor((n - 1) q)`` and the next one, and lies between them, so only the value pair that
    straddles the level needs the interpolation itself."""
    if has_nan:
        return False  # numpy's quantile is NaN, and NaN >= level is False
    virtual = (n - 1) * q
    k = int(np.floor(virtual))
    if k >= n - 1:
        return below < n
    if below <= k:
        return True
    if below >= k + 2:
        return False
    t = virtual - k
    d = above_min - below_max  # numpy's monotonic lerp (numpy.lib._function_base_impl._lerp)
    v = above_min - d * (1.0 - t) if t >= 0.5 else below_max + d * t
    return v >= level


@njit(cache=True)
def _phasor(i: int, c: float, r: float, pr: float, pi: float, wr: float, wi: float) -> tuple[float, float]:
    """``exp(1j * c * i * r)`` of sample ``i`` (``c`` in rad/s, ``r`` s per sample): from the angle
    itself (rounded as numpy's ``c * arange(n) / fs``) every 32 samples, else the previous sample's
    ``(pr, pi)`` turned by ``(wr, wi) = exp(1j * c * r)``."""
    if i % 32 == 0:
        th = (c * i) * r
        return np.cos(th), np.sin(th)
    return pr * wr - pi * wi, pr * wi + pi * wr


@njit(cache=True)
def mounting_features(acc: np.ndarray, starts: np.ndarray, ends: np.ndarray, period_s: np.ndarray,
                      up: np.ndarray, fs: float, flight_below: float, quantile: float):
    """Per-block Fourier amplitudes of the stride and step rhythms, and whether the block runs.

    For each block ``b`` (rows ``starts[b]:ends[b]`` of ``acc``, step period ``period_s[b]``,
    vertical ``up[b]``): ``fz = acc @ up``; ``running[b]`` when the ``quantile`` of ``fz`` is below
    ``flight_below`` (a flight phase); ``swing[b]`` the vector norm over the axes of the Fourier
    amplitude of ``acc`` at the stride frequency ``1 / (2 T)`` and ``alternation[b]`` the ratio of
    the stride- to the step-frequency (``1 / T``) amplitude of ``fz``, each over the whole number
    of its periods in the block. NaN where the period is unknown or the block shorter than 4 steps
    (amplitude ratio also NaN when the step amplitude is 0).

    The Fourier sums rotate the phasor ``exp(-2 pi i f t)`` sample by sample, recomputed from the
    exact angle every 32 samples (rounding stays ~1e-14, as ``exp`` of the rounded angles).
    """
    m = starts.size
    swing = np.full(m, np.nan)
    alternation = np.full(m, np.nan)
    running = np.zeros(m, dtype=np.bool_)
    r = 1.0 / fs
    for b in range(m):
        T = period_s[b]
        a = starts[b]
        L = ends[b] - a
        if not np.isfinite(T) or L < 4 * T * fs:
            continue
        u0 = up[b, 0]
        u1 = up[b, 1]
        u2 = up[b, 2]
        f1 = 0.5 / T  # stride rhythm
        f2 = 1.0 / T  # step rhythm
        n1 = _whole_periods(L, fs / f1)
        n2 = _whole_periods(L, fs / f2)
        c1 = -2.0 * np.pi * f1
        c2 = -2.0 * np.pi * f2
        w1r, w1i = np.cos(c1 * r), np.sin(c1 * r)  # one sample's turn
        w2r, w2i = np.cos(c2 * r), np.sin(c2 * r)
        p1r = p1i = p2r = p2i = 0.0
        s0r = s0i = s1r = s1i = s2r = s2i = szr = szi = tzr = tzi = 0.0
        below = 0
        below_max = -np.inf
        above_min = np.inf
        has_nan = False
        for i in range(L):
            x0 = acc[a + i, 0]
            x1 = acc[a + i, 1]
            x2 = acc[a + i, 2]
            z = x0 * u0 + x1 * u1 + x2 * u2
            if z < flight_below:
                below += 1
                below_max = max(below_max, z)
            elif z >= flight_below:
                above_min = min(above_min, z)
            else:
                has_nan = True
            if i < n1:
                p1r, p1i = _phasor(i, c1, r, p1r, p1i, w1r, w1i)
                s0r += p1r * x0
                s0i += p1i * x0
                s1r += p1r * x1
                s1i += p1i * x1
                s2r += p1r * x2
                s2i += p1i * x2
                szr += p1r * z
                szi += p1i * z
            if i < n2:
                p2r, p2i = _phasor(i, c2, r, p2r, p2i, w2r, w2i)
                tzr += p2r * z
                tzi += p2i * z
        running[b] = not _quantile_at_least(L, quantile, below, below_max, above_min, has_nan, flight_below)
        if n1 > 0:
            a0 = 2.0 * np.hypot(s0r, s0i) / n1
            a1 = 2.0 * np.hypot(s1r, s1i) / n1
            a2 = 2.0 * np.hypot(s2r, s2i) / n1
            swing[b] = np.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
            az1 = 2.0 * np.hypot(szr, szi) / n1
            az2 = 2.0 * np.hypot(tzr, tzi) / n2 if n2 > 0 else np.nan
            alternation[b] = az1 / az2 if az2 > 0 else np.nan
    return swing, alternation, running


@njit(cache=True)
def orientation_rhythm(acc: np.ndarray, starts: np.ndarray, ends: np.ndarray, dec: int, fs: float, lo: int,
                       hi: int, min_rows: int):
    """Orientation's first pass over all blocks (one kernel call: numba loads each kernel's cache
    once per process, ~3-5 ms each).

    Returns per block: the step period (s, :func:`block_periods` at ``fs / dec``, lags ``lo..hi``);
    the mean of ``acc`` over the whole strides in the block (all of it without a rhythm or a whole
    stride) and its length; the step lag in decimated samples (0 without a rhythm); the scatter
    matrix of the step-periodic signal (:func:`block_step_scatters`) and whether it was found.
    """
    period = block_periods(acc, starts, ends, dec, fs / dec, lo, hi)
    stops = ends.copy()
    lags = np.zeros(starts.size, dtype=np.int64)
    for b in range(starts.size):
        if np.isfinite(period[b]):
            stride = 2 * period[b] * fs
            k = (ends[b] - starts[b]) // stride  # float floor division, as Python's
            if k >= 1:
                stops[b] = starts[b] + int(np.rint(k * stride))
            lags[b] = int(np.rint(period[b] * fs / dec))
    means = block_means(acc, starts, stops)
    grav = np.sqrt(row_dots(means, means))
    cov, ok = block_step_scatters(acc, starts, ends, dec, lags, min_rows)
    return period, means, grav, lags, cov, ok


@njit(cache=True)
def orientation_axes(acc: np.ndarray, starts: np.ndarray, ends: np.ndarray, dec: int, lags: np.ndarray,
                     idx: np.ndarray, main: np.ndarray, clear: np.ndarray, ups: np.ndarray, means: np.ndarray,
                     rhythm: np.ndarray, flight_below: float):
    """Orientation's second pass (one kernel call): forward, left and the vertical calibration.

    ``idx``: blocks with a step covariance; ``main[j]``: the principal horizontal direction of
    block ``idx[j]`` (sign unknown), ``clear[j]`` whether it is clearly defined; ``ups``: each
    block's vertical; ``means``: each block's mean specific force; ``rhythm``: blocks with a step
    period. Clear blocks get forward = ``main`` made exactly horizontal and unit
    (:func:`horizontal_units`), its sign by :func:`sign_score` (flipped when > 0): these are the
    gait blocks. Every other block borrows the forward of the nearest gait block (the earlier on a
    tie), made horizontal in its own frame; with no gait anywhere, sensor x (or y when x is within
    ~25 deg of the vertical). Left = up x forward.

    Returns the rotations (m, 3, 3: rows forward, left, up), the gait flags and, for the
    ``rhythm`` blocks, the mean specific force along the vertical (the vertical calibration).
    """
    m = starts.size
    fwd = horizontal_units(main, ups[idx])
    cl = idx[clear]
    score = block_sign_scores(acc, starts[cl], ends[cl], dec, fwd[clear], ups[cl], lags[cl], flight_below)
    found = np.full((m, 3), np.nan)
    gait = np.zeros(m, dtype=np.bool_)
    j = 0
    for q in range(idx.size):
        if clear[q]:
            b = idx[q]
            sign = -1.0 if score[j] > 0 else 1.0
            for c in range(3):
                found[b, c] = sign * fwd[q, c]  # exact: a sign flip
            gait[b] = True
            j += 1
    calib = row_dots(means[rhythm], ups[rhythm])
    # the nearest gait block before and after each block
    before = np.full(m, -1, dtype=np.int64)
    after = np.full(m, -1, dtype=np.int64)
    last = -1
    for b in range(m):
        if gait[b]:
            last = b
        before[b] = last
    last = -1
    for b in range(m - 1, -1, -1):
        if gait[b]:
            last = b
        after[b] = last
    rest = np.flatnonzero(~gait)
    lent = np.empty((rest.size, 3))
    for q in range(rest.size):
        b = rest[q]
        d = before[b]
        if d < 0 or (after[b] >= 0 and after[b] - b < b - d):
            d = after[b]
        if d >= 0:
            lent[q] = found[d]
        elif abs(ups[b, 0]) < 0.9:  # no gait anywhere: any horizontal direction
            lent[q, 0], lent[q, 1], lent[q, 2] = 1.0, 0.0, 0.0
        else:
            lent[q, 0], lent[q, 1], lent[q, 2] = 0.0, 1.0, 0.0
    own = horizontal_units(lent, ups[rest])
    for q in range(rest.size):
        found[rest[q]] = own[q]
    rot = np.empty((m, 3, 3))
    for b in range(m):
        f0, f1, f2 = found[b, 0], found[b, 1], found[b, 2]
        u0, u1, u2 = ups[b, 0], ups[b, 1], ups[b, 2]
        rot[b, 0, 0], rot[b, 0, 1], rot[b, 0, 2] = f0, f1, f2
        rot[b, 1, 0], rot[b, 1, 1], rot[b, 1, 2] = u1 * f2 - u2 * f1, u2 * f0 - u0 * f2, u0 * f1 - u1 * f0
        rot[b, 2, 0], rot[b, 2, 1], rot[b, 2, 2] = u0, u1, u2
    return rot, gait, calib


@njit(cache=True)
def attitude_splits(x: np.ndarray, starts: np.ndarray, ends: np.ndarray, min_part: int, step: int,
                    cos_limit: float, lo: float, hi: float) -> np.ndarray:
    """Sample where each block's attitude changes once, or -1.

    For block ``b`` (rows ``starts[b]:ends[b]`` of ``x``, (n, 3)), every ``step``-th sample that
    leaves at least ``min_part`` rows on both sides is a candidate; the one whose two parts' summed
    vectors are longest together (each part's own gravity, when the sensor was re-seated there)
    wins. It counts when the angle between the two sums has a cosine below ``cos_limit`` and each
    part's mean vector is between ``lo`` and ``hi`` long (a gravity of its own).
    """
    m = starts.size
    out = np.full(m, -1, dtype=np.int64)
    for b in range(m):
        a, e = starts[b], ends[b]
        if e - a < 2 * min_part:
            continue
        tot = column_mean(x, a, e) * (e - a)
        t0, t1, t2 = tot[0], tot[1], tot[2]
        h0 = 0.0
        h1 = 0.0
        h2 = 0.0
        best = -1.0
        cut = -1
        cos_best = 1.0
        g_head = 0.0
        g_tail = 0.0
        i = a
        c = a + min_part
        while c <= e - min_part:
            while i < c:
                h0 += x[i, 0]
                h1 += x[i, 1]
                h2 += x[i, 2]
                i += 1
            r0 = t0 - h0
            r1 = t1 - h1
            r2 = t2 - h2
            nh = np.sqrt(h0 * h0 + h1 * h1 + h2 * h2)
            nr = np.sqrt(r0 * r0 + r1 * r1 + r2 * r2)
            if nh + nr > best:
                best = nh + nr
                cut = c
                cos_best = (h0 * r0 + h1 * r1 + h2 * r2) / (nh * nr) if nh > 0.0 and nr > 0.0 else 1.0
                g_head = nh / (c - a)
                g_tail = nr / (e - c)
            c += step
        if cut >= 0 and cos_best < cos_limit and lo < g_head < hi and lo < g_tail < hi:
            out[b] = cut
    return out
