"""Foot (shoe) kernels: swing peaks, contact events, ZUPT strapdown and per-contact statistics.

Signals are in the foot frame (x forward along the sole, y left, z up when the foot is flat); the
pitch rate ``w`` is **toe-up positive** (``w = -gyr_y``), so mid-swing is a large positive peak
and the foot rotating down onto the ground (rearfoot strike) or pushing off is negative
(Falbriard et al. 2018, see :mod:`gaitlab.gait.shoe`). Indices are samples of one gap-free,
uniformly sampled stretch; events are fractional sample indices (NaN where not found).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..schema import GRAVITY_MPS2
from .stepstats import impact_peak

G = GRAVITY_MPS2  # m/s^2 per g (a compile-time constant in the kernels)
#: The impact burst is the first second difference above this fraction of the window's largest.
FIRST_BURST = 0.6


@njit(cache=True)
def jerk_norm(acc: np.ndarray) -> np.ndarray:
    """Norm of the second difference of the specific force, ``|f[i+1] - 2 f[i] + f[i-1]|`` (g).

    Large where the acceleration changes abruptly: the impact onset at initial contact and the
    unloading at toe-off. Zero at both ends.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Specific force (g), any frame (the norm does not depend on it).

    Returns
    -------
    ndarray, shape (n,)
    """
    n = acc.shape[0]
    out = np.zeros(n)
    for i in range(1, n - 1):
        s = 0.0
        for k in range(3):
            d = acc[i + 1, k] - 2.0 * acc[i, k] + acc[i - 1, k]
            s += d * d
        out[i] = math.sqrt(s)
    return out


@njit(cache=True)
def swing_peaks(w_s: np.ndarray, min_height: float, half_width: int, rel_height: float,
                rel_half_width: int) -> np.ndarray:
    """Mid-swing peaks of the (smoothed) toe-up pitch rate.

    A sample is a peak when it is the maximum of ``w_s`` within ``+- half_width`` samples, is at
    least ``min_height``, and is at least ``rel_height`` times the highest such maximum within
    ``+- rel_half_width`` samples (drops the heel-drop bump of a forefoot strike and small bumps
    next to real swings, while keeping walking swings far from running ones).

    Parameters
    ----------
    w_s : ndarray, shape (n,)
        Smoothed pitch rate, toe up positive (deg/s).
    min_height : float
        Absolute minimum of a swing peak (deg/s).
    half_width, rel_half_width : int
        Non-maximum suppression and relative-height neighbourhoods (samples).
    rel_height : float
        Fraction of the neighbourhood's highest peak a peak must reach.

    Returns
    -------
    ndarray of int64
        Peak indices, increasing.
    """
    n = w_s.shape[0]
    cand = np.empty(n, dtype=np.int64)
    m = 0
    i = 1
    while i < n - 1:
        v = w_s[i]
        if v >= min_height and v > w_s[i - 1] and v >= w_s[i + 1]:
            lo = max(0, i - half_width)
            hi = min(n, i + half_width + 1)
            best = True
            for j in range(lo, hi):
                if w_s[j] > v or (w_s[j] == v and j < i):
                    best = False
                    break
            if best:
                cand[m] = i
                m += 1
                i += half_width  # nothing else can win within the half width
                continue
        i += 1
    keep = np.empty(m, dtype=np.int64)
    q = 0
    for a in range(m):
        top = w_s[cand[a]]
        b = a - 1
        while b >= 0 and cand[a] - cand[b] <= rel_half_width:
            top = max(top, w_s[cand[b]])
            b -= 1
        b = a + 1
        while b < m and cand[b] - cand[a] <= rel_half_width:
            top = max(top, w_s[cand[b]])
            b += 1
        if w_s[cand[a]] >= rel_height * top:
            keep[q] = cand[a]
            q += 1
    return keep[:q]


@njit(cache=True)
def _parabolic_min(x: np.ndarray, i: int) -> float:
    """Sub-sample position of the minimum at ``i`` from a parabola through its neighbours."""
    if i <= 0 or i >= x.shape[0] - 1:
        return float(i)
    y0, y1, y2 = x[i - 1], x[i], x[i + 1]
    den = y0 - 2.0 * y1 + y2
    if den <= 0.0:
        return float(i)
    return i + 0.5 * (y0 - y2) / den


@njit(cache=True)
def _argmin(x: np.ndarray, lo: int, hi: int) -> int:
    best = lo
    for i in range(lo, hi):
        if x[i] < x[best]:
            best = i
    return best


@njit(cache=True)
def _jerk_onset(d2: np.ndarray, lo: int, hi: int, base: float, min_ratio: float, first: bool) -> float:
    """Onset of the first clear second-difference burst in ``[lo, hi)`` (fractional sample).

    A burst is where ``d2`` first exceeds ``min_ratio`` times ``base`` (the typical second
    difference of the whole cycle, mostly smooth swing) and a quarter of the window's maximum (the first abrupt change: a later, larger one such as the foot-flat
    "slap" is not the contact). Its position is the centroid of ``d2`` over the burst's peak
    sample and its neighbours: for a ramp starting between samples ``j`` and ``j + 1`` the second
    difference is non-zero at ``j`` and ``j + 1`` only, in proportions that put their centroid
    exactly at the onset; a step gives the midpoint. NaN when the window is empty or holds no
    burst.
    """
    if hi - lo < 3:
        return np.nan
    top = 0.0
    for i in range(lo, hi):
        if d2[i] > top:
            top = d2[i]
    level = max(min_ratio * base, FIRST_BURST * top) if first else top
    if top <= 0.0 or top < min_ratio * base:
        return np.nan
    p = lo
    while p < hi and d2[p] < level:
        p += 1
    # climb to the burst's local peak
    while p + 1 < hi and d2[p + 1] > d2[p]:
        p += 1
    a = max(p - 1, lo)
    b = min(p + 1, hi - 1)
    s = 0.0
    sw = 0.0
    for i in range(a, b + 1):
        s += d2[i] * i
        sw += d2[i]
    return s / sw


@njit(cache=True)
def contact_events(w: np.ndarray, gn_s: np.ndarray, gn: np.ndarray, an: np.ndarray, d2: np.ndarray,
                   ms: np.ndarray, still_dps: float, still_g: float, ic_pre: int, flat_guard: int,
                   min_ratio: float):
    """IC, TO and mid-stance of the contact between each pair of consecutive mid-swing peaks.

    Per cycle ``[ms[k], ms[k + 1]]`` (Falbriard et al. 2018): mid-stance is the minimum of the
    smoothed gyro norm; the still (foot-flat) interval extends from it while the raw gyro norm is
    below ``still_dps`` and the specific-force norm within ``still_g`` of 1 g (a foot rotating
    slowly in late swing is not still: it is decelerating); the gyro IC is the pitch-rate minimum before the still interval and the
    gyro TO the minimum after it (parabolic sub-sample refinement). IC is then refined to the
    abrupt change of the specific force nearby (:func:`jerk_norm`), the impact onset in
    ``[ic_gyro - ic_pre, still start)``, where a clear burst is found (else the gyro estimate is
    kept). Two toe-off candidates are returned: the push-off pitch-rate minimum ``to_gyro``, where
    the forefoot stops being a fixed pivot (the running TO: Falbriard et al. 2018), and ``to``, the
    largest abrupt change of f in ``(to_gyro, to_gyro + half the way to the next mid-swing]``, the
    release of the toes after the walking toe rocker (``to_gyro`` where no burst is clear). The
    pipeline picks one per contact (:mod:`gaitlab.gait.shoe`).

    Parameters
    ----------
    w : ndarray, shape (n,)
        Pitch rate, toe up positive (deg/s).
    gn_s, gn : ndarray, shape (n,)
        Smoothed (~30 ms) and raw gyro norm (deg/s).
    an : ndarray, shape (n,)
        Specific-force norm (g).
    d2 : ndarray, shape (n,)
        :func:`jerk_norm` of the specific force (g); all zeros to use the gyro alone.
    ms : ndarray of int64, shape (m,)
        Mid-swing peaks (:func:`swing_peaks`).
    still_dps : float
        Gyro norm below which the foot counts as still (deg/s).
    still_g : float
        Largest deviation of the specific-force norm from 1 g of a still foot (g).
    ic_pre : int
        How far before the gyro IC the impact onset is searched (samples).
    flat_guard : int
        Samples before the still interval left out of the impact search.
    min_ratio : float
        A burst must exceed this multiple of the window's median second difference.

    Returns
    -------
    ic, to, mid : ndarray, shape (m - 1,)
        Fractional sample indices (NaN where not found); ``to`` is the toes' release.
    ic_gyro, to_gyro : ndarray, shape (m - 1,)
        The pitch-rate minima (``to_gyro``: the running toe-off).
    still_a, still_b : ndarray of int64, shape (m - 1,)
        First and last sample of the still interval.
    """
    c = max(ms.shape[0] - 1, 0)
    ic = np.full(c, np.nan)
    to = np.full(c, np.nan)
    mid = np.full(c, np.nan)
    icg = np.full(c, np.nan)
    tog = np.full(c, np.nan)
    sa = np.zeros(c, dtype=np.int64)
    sb = np.zeros(c, dtype=np.int64)
    for k in range(c):
        a = ms[k]
        b = ms[k + 1]
        if b - a < 8:
            continue
        j = _argmin(gn_s, a + 1, b)
        thr = max(still_dps, 1.5 * gn_s[j])
        lo = j
        while lo - 1 > a and gn[lo - 1] <= thr and abs(an[lo - 1] - 1.0) <= still_g:
            lo -= 1
        hi = j
        while hi + 1 < b and gn[hi + 1] <= thr and abs(an[hi + 1] - 1.0) <= still_g:
            hi += 1
        sa[k] = lo
        sb[k] = hi
        mid[k] = 0.5 * (lo + hi)
        base = np.median(d2[a:b])
        # a stance still at the window's edge (the recording ends or starts standing) has only
        # its landing or only its lift-off
        if lo - a >= 3:
            i_ic = _argmin(w, a + 1, lo)
            icg[k] = _parabolic_min(w, i_ic)
            # impact onset: before the still interval, minus ``flat_guard`` samples (the
            # foot-flat "slap" at its start changes the acceleration abruptly too)
            on = _jerk_onset(d2, max(a + 1, i_ic - ic_pre), lo - flat_guard, base, min_ratio, True)
            ic[k] = on if not np.isnan(on) else icg[k]
        if b - hi < 3:
            continue
        i_to = _argmin(w, hi + 1, b)
        tog[k] = _parabolic_min(w, i_to)
        # the toes' release: the largest abrupt change of f after the push-off minimum (the
        # walking toe-off, 70-80 ms later on real feet; the running TO is ``tog``, docs/shoe.md)
        off = _jerk_onset(d2, i_to, i_to + (b - i_to) // 2, base, min_ratio, False)
        to[k] = off if not np.isnan(off) else tog[k]
    return ic, to, mid, icg, tog, sa, sb


@njit(cache=True)
def still_intervals(dev: np.ndarray, thr: float, min_len: int):
    """Runs of at least ``min_len`` samples where ``dev <= thr`` (accelerometer-only stance).

    Returns
    -------
    start, end : ndarray of int64
        First and last sample of each run.
    """
    n = dev.shape[0]
    st = np.empty(n // max(min_len, 1) + 1, dtype=np.int64)
    en = np.empty_like(st)
    m = 0
    i = 0
    while i < n:
        if dev[i] <= thr:
            j = i
            while j + 1 < n and dev[j + 1] <= thr:
                j += 1
            if j - i + 1 >= min_len:
                st[m] = i
                en[m] = j
                m += 1
            i = j + 1
        else:
            i += 1
    return st[:m], en[:m]


@njit(cache=True)
def impact_peaks(e: np.ndarray, period: np.ndarray, frac: float, min_height: float) -> np.ndarray:
    """One impact per stride: the highest peaks of ``e``, greedily, at least ``frac`` strides apart.

    Candidates are the local maxima of ``e`` of at least ``min_height``; taken from the highest
    down, a candidate is kept when no kept peak lies within ``frac * period[i]`` samples of it
    (``period``: the local stride period in samples). A foot lands once per stride and the
    landing is its largest abrupt change, so the push-off and swing bursts in between are dropped.

    Returns
    -------
    ndarray of int64
        Peak indices, increasing.
    """
    n = e.shape[0]
    cand = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(1, n - 1):
        if e[i] >= min_height and e[i] > e[i - 1] and e[i] >= e[i + 1]:
            cand[m] = i
            m += 1
    cand = cand[:m]
    order = np.argsort(-e[cand], kind="mergesort")
    taken = np.zeros(n, dtype=np.bool_)
    kept = np.empty(m, dtype=np.int64)
    q = 0
    for o in order:
        i = cand[o]
        r = int(frac * period[i])
        ok = True
        for j in range(max(0, i - r), min(n, i + r + 1)):
            if taken[j]:
                ok = False
                break
        if ok:
            taken[i] = True
            kept[q] = i
            q += 1
    return np.sort(kept[:q])


@njit(cache=True)
def acc_only_events(d2: np.ndarray, dev: np.ndarray, imp: np.ndarray, ic_pre: int, min_ratio: float,
                    max_stride: int, still_dev: float):
    """IC, mid-stance and the foot-flat interval of each stride without a gyroscope.

    Each stride of a foot has one landing, the largest abrupt change of the specific force
    (``imp``: peaks of the smoothed :func:`jerk_norm`, one per stride, :func:`impact_peaks`). Per
    impact ``k`` with the next one ``k + 1``:

    * IC is the onset of the impact burst: the first second difference of at least a third of
      the peak's in the ``ic_pre`` samples before it (the peak may be the foot-flat slap after a
      forefoot landing), refined to its centroid (:func:`_jerk_onset`);
    * mid-stance is the stillest sample (smallest ``dev``) from the peak to 60 % of the stride
      (at most ``max_stride`` samples): the flat foot;
    * the foot-flat interval extends from it while ``dev <= still_dev``.

    Toe-off is not timed here: on the top of a real shoe no accelerometer feature follows the
    forefoot lifting closely enough (docs/shoe.md), so it needs the gyroscope.

    Parameters
    ----------
    d2 : ndarray, shape (n,)
        :func:`jerk_norm` of the specific force (g).
    dev : ndarray, shape (n,)
        Local deviation of the specific-force norm from a still 1 g (g).
    imp : ndarray of int64, shape (m,)
        Impact peaks, increasing.
    ic_pre : int
        Samples before the peak searched for the impact onset.
    min_ratio : float
        A burst must exceed this multiple of the median second difference.
    max_stride : int
        Longest stride (samples).
    still_dev : float
        Largest ``dev`` of a flat, still foot (g).

    Returns
    -------
    ic, mid : ndarray, shape (m,)
        Fractional sample indices (NaN where not found; the last impact has no stride).
    flat_a, flat_b : ndarray of int64, shape (m,)
        First and last sample of the foot-flat interval (equal to mid-stance where it is not
        still; -1 without a mid-stance).
    """
    m = imp.shape[0]
    n = d2.shape[0]
    ic = np.full(m, np.nan)
    mid = np.full(m, np.nan)
    fa = np.full(m, -1, dtype=np.int64)
    fb = np.full(m, -1, dtype=np.int64)
    base = np.median(d2)
    for k in range(m):
        p = imp[k]
        top = 0.0
        for i in range(max(p - 1, 0), min(p + 2, n)):
            top = max(top, d2[i])
        q = max(p - ic_pre, 1)
        while q < p and d2[q] < max(min_ratio * base, top / 8.0):
            q += 1
        on = _jerk_onset(d2, max(q - 1, 1), min(q + 2 + ic_pre // 6, p + 2), base, min_ratio, False)
        ic[k] = on if not np.isnan(on) else float(p)
        if k == m - 1:
            continue
        L = min(imp[k + 1] - p, max_stride)
        e = min(p + int(0.6 * L), n - 1)
        best = p + 1
        for j in range(p + 1, e):
            if dev[j] < dev[best]:
                best = j
        mid[k] = best
        lo = best
        hi = best
        if dev[best] <= still_dev:
            while lo - 1 > p and dev[lo - 1] <= still_dev:
                lo -= 1
            while hi + 1 < imp[k + 1] and dev[hi + 1] <= still_dev:
                hi += 1
        fa[k] = lo
        fb[k] = hi
    return ic, mid, fa, fb


@njit(cache=True)
def _quat_mul(a0, a1, a2, a3, b0, b1, b2, b3):
    return (a0 * b0 - a1 * b1 - a2 * b2 - a3 * b3,
            a0 * b1 + a1 * b0 + a2 * b3 - a3 * b2,
            a0 * b2 - a1 * b3 + a2 * b0 + a3 * b1,
            a0 * b3 + a1 * b2 - a2 * b1 + a3 * b0)


@njit(cache=True)
def _tilt_quat(gx: float, gy: float, gz: float):
    """Unit quaternion rotating the (unit) gravity reading ``g`` onto +z (yaw left at zero)."""
    # shortest rotation from g to z: axis g x z, angle acos(g . z)
    c = gz
    ax, ay = gy, -gx  # g x (0, 0, 1)
    s = math.sqrt(ax * ax + ay * ay)
    if s < 1e-12:
        if c > 0.0:
            return 1.0, 0.0, 0.0, 0.0
        return 0.0, 1.0, 0.0, 0.0
    ang = math.atan2(s, c)
    h = math.sin(0.5 * ang) / s
    return math.cos(0.5 * ang), ax * h, ay * h, 0.0


@njit(cache=True)
def zupt_strides(acc_g: np.ndarray, gyr_dps: np.ndarray, a_idx: np.ndarray, b_idx: np.ndarray,
                 grav_a: np.ndarray, fs: float):
    """Stride displacement by strapdown integration between two zero-velocity instants.

    For each stride ``[a, b]`` (mid-stance to the next mid-stance of the same foot): the initial
    tilt comes from the gravity reading at ``a`` (yaw free), the gyro is integrated as a
    quaternion (exact rotation per sample of the mean rate), the specific force rotated to the
    world frame has gravity removed and is integrated to velocity with the trapezoid rule; the
    velocity drift is removed linearly so it is zero at both ends (Zrenner et al. 2018), and it
    is integrated again to the position.

    Parameters
    ----------
    acc_g : ndarray, shape (n, 3)
        Specific force (g), sensor or foot frame.
    gyr_dps : ndarray, shape (n, 3)
        Angular rate (deg/s), same frame.
    a_idx, b_idx : ndarray of int64, shape (m,)
        First and last sample of each stride (still at both).
    grav_a : ndarray, shape (m, 3)
        Gravity reading (mean specific force of the still interval at ``a``) of each stride (g).
    fs : float
        Sample rate (Hz).

    Returns
    -------
    length_m : ndarray, shape (m,)
        Horizontal distance between the two mid-stances (m).
    dz_m : ndarray, shape (m,)
        Height change (m), up positive (a check: ~0 on level ground).
    peak_z_m : ndarray, shape (m,)
        Highest point of the sensor above its start (m): foot clearance.
    """
    m = a_idx.shape[0]
    length = np.full(m, np.nan)
    dz = np.full(m, np.nan)
    peak = np.full(m, np.nan)
    n = acc_g.shape[0]
    dt = 1.0 / fs
    d2r = math.pi / 180.0
    vel = np.empty((n + 1, 3))
    for s in range(m):
        a = a_idx[s]
        b = b_idx[s]
        if a < 0 or b >= n or b - a < 4:
            continue
        gx, gy, gz = grav_a[s, 0], grav_a[s, 1], grav_a[s, 2]
        gnorm = math.sqrt(gx * gx + gy * gy + gz * gz)
        if not gnorm > 0.5:
            continue
        q0, q1, q2, q3 = _tilt_quat(gx / gnorm, gy / gnorm, gz / gnorm)
        L = b - a
        prev = np.zeros(3)
        v = np.zeros(3)
        vel[0, 0] = 0.0
        vel[0, 1] = 0.0
        vel[0, 2] = 0.0
        for i in range(a, b + 1):
            if i > a:
                # rotate by the mean rate over the interval (first-order exact for constant rate)
                wx = 0.5 * (gyr_dps[i - 1, 0] + gyr_dps[i, 0]) * d2r * dt
                wy = 0.5 * (gyr_dps[i - 1, 1] + gyr_dps[i, 1]) * d2r * dt
                wz = 0.5 * (gyr_dps[i - 1, 2] + gyr_dps[i, 2]) * d2r * dt
                ang = math.sqrt(wx * wx + wy * wy + wz * wz)
                if ang > 1e-15:
                    h = math.sin(0.5 * ang) / ang
                    q0, q1, q2, q3 = _quat_mul(q0, q1, q2, q3, math.cos(0.5 * ang), wx * h, wy * h, wz * h)
                    nq = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3)
                    q0 /= nq
                    q1 /= nq
                    q2 /= nq
                    q3 /= nq
            fx, fy, fz = acc_g[i, 0], acc_g[i, 1], acc_g[i, 2]
            # world = q f q*
            r00 = 1 - 2 * (q2 * q2 + q3 * q3)
            r01 = 2 * (q1 * q2 - q0 * q3)
            r02 = 2 * (q1 * q3 + q0 * q2)
            r10 = 2 * (q1 * q2 + q0 * q3)
            r11 = 1 - 2 * (q1 * q1 + q3 * q3)
            r12 = 2 * (q2 * q3 - q0 * q1)
            r20 = 2 * (q1 * q3 - q0 * q2)
            r21 = 2 * (q2 * q3 + q0 * q1)
            r22 = 1 - 2 * (q1 * q1 + q2 * q2)
            ax = (r00 * fx + r01 * fy + r02 * fz) * G
            ay = (r10 * fx + r11 * fy + r12 * fz) * G
            az = (r20 * fx + r21 * fy + r22 * fz - gnorm) * G  # gravity as read at rest
            if i > a:
                v[0] += 0.5 * (prev[0] + ax) * dt
                v[1] += 0.5 * (prev[1] + ay) * dt
                v[2] += 0.5 * (prev[2] + az) * dt
                vel[i - a, 0] = v[0]
                vel[i - a, 1] = v[1]
                vel[i - a, 2] = v[2]
            prev[0] = ax
            prev[1] = ay
            prev[2] = az
        # zero velocity at both ends: remove the drift linearly, then integrate the position
        px = 0.0
        py = 0.0
        pz = 0.0
        top = 0.0
        ux0 = 0.0
        uy0 = 0.0
        uz0 = 0.0
        for k in range(1, L + 1):
            f = k / L
            ux = vel[k, 0] - f * vel[L, 0]
            uy = vel[k, 1] - f * vel[L, 1]
            uz = vel[k, 2] - f * vel[L, 2]
            px += 0.5 * (ux0 + ux) * dt
            py += 0.5 * (uy0 + uy) * dt
            pz += 0.5 * (uz0 + uz) * dt
            if pz > top:
                top = pz
            ux0 = ux
            uy0 = uy
            uz0 = uz
        length[s] = math.sqrt(px * px + py * py)
        dz[s] = pz
        peak[s] = top
    return length, dz, peak


@njit(cache=True)
def _integral(x: np.ndarray, a: float, b: float) -> float:
    """Trapezoid integral (sample units) of ``x`` from fractional index ``a`` to ``b`` (a <= b)."""
    n = x.shape[0]
    ia = int(math.floor(a))
    ib = int(math.floor(b))
    if ia < 0 or ib >= n - 1:
        return np.nan

    def at(u):
        i = min(int(math.floor(u)), n - 2)
        f = u - i
        return x[i] * (1.0 - f) + x[i + 1] * f

    if ia == ib:
        return 0.5 * (at(a) + at(b)) * (b - a)
    s = 0.5 * (at(a) + x[ia + 1]) * (ia + 1 - a)
    for i in range(ia + 1, ib):
        s += 0.5 * (x[i] + x[i + 1])
    s += 0.5 * (x[ib] + at(b)) * (b - ib)
    return s


@njit(cache=True)
def contact_statistics(acc: np.ndarray, w_pitch: np.ndarray, w_roll: np.ndarray, ic: np.ndarray,
                       to: np.ndarray, mid: np.ndarray, fs: float, impact_window_s: float):
    """Per-contact foot metrics from foot-frame signals.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Specific force (g), foot frame (x forward, y left, z up).
    w_pitch : ndarray, shape (n,)
        Pitch rate, toe up positive (deg/s); all NaN without a gyroscope.
    w_roll : ndarray, shape (n,)
        Roll rate about the forward axis (deg/s), positive lifting the left edge.
    ic, to, mid : ndarray, shape (m,)
        Initial contact, toe-off and mid-stance (fractional samples).
    fs : float
        Sample rate (Hz).
    impact_window_s : float
        Impact peak search window after IC (s).

    Returns
    -------
    impact_g : peak foot-vertical specific force within the window after IC (g).
    loading_rate_gps : steepest rise of the vertical force from IC to that peak (g/s).
    braking_g : peak backward specific force from IC to mid-stance (g).
    strike_deg : foot pitch at IC relative to the flat foot at mid-stance (deg, toe up +).
    roll_excursion_deg : roll angle change from IC to its extremum before mid-stance (deg, + left
        edge up).
    roll_rate_dps : the roll rate of largest magnitude between IC and mid-stance (deg/s, signed).
    """
    n = acc.shape[0]
    m = ic.shape[0]
    impact = np.full(m, np.nan)
    rate = np.full(m, np.nan)
    brake = np.full(m, np.nan)
    strike = np.full(m, np.nan)
    roll_x = np.full(m, np.nan)
    roll_v = np.full(m, np.nan)
    w = max(int(round(impact_window_s * fs)), 1)
    dt = 1.0 / fs
    for k in range(m):
        if np.isnan(ic[k]) or np.isnan(mid[k]):
            continue
        a = int(math.ceil(ic[k]))
        e = int(math.floor(mid[k]))
        if a < 1 or e >= n or e <= a:
            continue
        impact[k], rate[k] = impact_peak(acc[:, 2], acc[:, 2], a, w, fs)
        bk = 0.0
        for i in range(a, e + 1):
            if -acc[i, 0] > bk:
                bk = -acc[i, 0]
        brake[k] = bk
        if not np.isnan(w_pitch[a]):
            # pitch relative to mid-stance (flat foot): minus the rotation from IC to mid-stance
            strike[k] = -_integral(w_pitch, ic[k], mid[k]) * dt
            ang = 0.0
            ext = 0.0
            pv = 0.0
            for i in range(a, e + 1):
                if i > a:
                    ang += 0.5 * (w_roll[i - 1] + w_roll[i]) * dt
                if abs(ang) > abs(ext):
                    ext = ang
                if abs(w_roll[i]) > abs(pv):
                    pv = w_roll[i]
            roll_x[k] = ext
            roll_v[k] = pv
    return impact, rate, brake, strike, roll_x, roll_v
