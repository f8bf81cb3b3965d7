"""Plain-Python/numpy versions of gaitlab's kernels, written for clarity, not speed."""

from __future__ import annotations

import math

import numpy as np

G = 9.80665


def level_crossings(x, level, rising):
    out = []
    for i in range(len(x) - 1):
        a, b = x[i] - level, x[i + 1] - level
        if (rising and a < 0 <= b) or (not rising and a >= 0 > b):
            out.append(i + a / (a - b))
    return np.array(out)


def moving_mean(x, h):
    n = len(x)
    return np.array([x[max(0, i - h): min(n, i + h + 1)].mean(axis=0) for i in range(n)])


def rotate_blocks(x, rot, starts):
    bounds = list(starts) + [len(x)]
    return np.concatenate([x[a:b] @ rot[k].T for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))])


def find_humps(ys, level, low, min_peak):
    up, down, peak = [], [], []
    armed, inside, start, top = True, False, 0.0, 0.0  # the data's start counts as below `low`
    if len(ys) and ys[0] >= level:  # the data begin inside a hump: it starts at the first sample
        inside, armed, top = True, False, ys[0]
    for i in range(len(ys) - 1):
        a, b = ys[i], ys[i + 1]
        if not inside:
            armed = armed or a < low
            if armed and a < level <= b:
                inside, armed, start, top = True, False, i + (level - a) / (b - a), b
        else:
            top = max(top, b)
            if a >= level > b:
                inside = False
                if top >= min_peak:
                    up.append(start)
                    down.append(i + (a - level) / (a - b))
                    peak.append(top)
                armed = b < low
    return np.array(up), np.array(down), np.array(peak), (start if inside else np.nan)


def stride_height(fz, a, b, fs):
    """Height (m) over samples a..b: trapezoid integrals, stride mean and trend removed."""
    dt = 1.0 / fs
    acc = (fz[a: b + 1] - fz[a: b + 1].mean()) * G
    v = np.concatenate(([0.0], np.cumsum(0.5 * (acc[1:] + acc[:-1]) * dt)))
    v = v - v.mean()
    z = np.concatenate(([0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * dt)))
    return z - z[-1] * np.arange(len(z)) / (len(z) - 1)


def vertical_oscillation(fz, ic, fs):
    m = len(ic)
    est = [[] for _ in range(m)]
    for i in range(m - 2):
        if np.isnan(ic[i: i + 3]).any():
            continue
        a, mid, b = (int(math.floor(v + 0.5)) for v in ic[i: i + 3])
        if a < 0 or b >= len(fz) or b - a < 4 or not a < mid < b:
            continue
        z = stride_height(fz, a, b, fs)
        est[i].append((z[: mid - a + 1].max() - z[: mid - a + 1].min()) * 100)
        est[i + 1].append((z[mid - a:].max() - z[mid - a:].min()) * 100)
    return np.array([np.mean(e) if e else np.nan for e in est])


def sosfiltfilt(x, sos, padlen):
    from scipy.signal import sosfiltfilt as ref

    return ref(sos, x, padlen=padlen)


# ---------------------------------------------------------------------------------------------
# Foot (shoe) event kernels (gaitlab.kernels.foot), written for clarity, not speed.
# ---------------------------------------------------------------------------------------------
FIRST_BURST = 0.6


def foot_jerk_onset(d2, lo, hi, base, min_ratio, first):
    """Twin of ``_jerk_onset``: centroid of the first clear second-difference burst in [lo, hi)."""
    if hi - lo < 3:
        return np.nan
    top = max(d2[lo:hi])
    if top <= 0.0 or top < min_ratio * base:
        return np.nan
    level = max(min_ratio * base, FIRST_BURST * top) if first else top
    p = next((i for i in range(lo, hi) if d2[i] >= level), hi)
    while p + 1 < hi and d2[p + 1] > d2[p]:
        p += 1
    idx = range(max(p - 1, lo), min(p + 1, hi - 1) + 1)
    return sum(d2[i] * i for i in idx) / sum(d2[i] for i in idx)


def _parabolic_min(x, i):
    if i <= 0 or i >= len(x) - 1:
        return float(i)
    den = x[i - 1] - 2 * x[i] + x[i + 1]
    return float(i) if den <= 0 else i + 0.5 * (x[i - 1] - x[i + 1]) / den


def foot_contact_events(w, gn_s, gn, an, d2, ms, still_dps, still_g, ic_pre, flat_guard, min_ratio):
    """Twin of ``contact_events``: per mid-swing pair, mid-stance (stillest), IC (impact onset
    before the still foot, else the pitch-rate minimum), the push-off pitch-rate minimum and the
    toes' release (largest burst after it, else the minimum)."""
    c = max(len(ms) - 1, 0)
    ic, to, mid, icg, tog = (np.full(c, np.nan) for _ in range(5))
    sa, sb = np.zeros(c, dtype=np.int64), np.zeros(c, dtype=np.int64)
    for k in range(c):
        a, b = ms[k], ms[k + 1]
        if b - a < 8:
            continue
        j = a + 1 + int(np.argmin(gn_s[a + 1:b]))
        thr = max(still_dps, 1.5 * gn_s[j])

        def still(i, thr=thr):
            return gn[i] <= thr and abs(an[i] - 1.0) <= still_g

        lo = j
        while lo - 1 > a and still(lo - 1):
            lo -= 1
        hi = j
        while hi + 1 < b and still(hi + 1):
            hi += 1
        sa[k], sb[k], mid[k] = lo, hi, 0.5 * (lo + hi)
        base = np.median(d2[a:b])
        if lo - a >= 3:
            i_ic = a + 1 + int(np.argmin(w[a + 1:lo]))
            icg[k] = _parabolic_min(w, i_ic)
            on = foot_jerk_onset(d2, max(a + 1, i_ic - ic_pre), lo - flat_guard, base, min_ratio, True)
            ic[k] = icg[k] if np.isnan(on) else on
        if b - hi >= 3:
            i_to = hi + 1 + int(np.argmin(w[hi + 1:b]))
            tog[k] = _parabolic_min(w, i_to)
            off = foot_jerk_onset(d2, i_to, i_to + (b - i_to) // 2, base, min_ratio, False)
            to[k] = tog[k] if np.isnan(off) else off
    return ic, to, mid, icg, tog, sa, sb


def foot_impact_peaks(e, period, frac, min_height):
    """Twin of ``impact_peaks``: greedy highest-first local maxima, ``frac`` strides apart."""
    cand = [i for i in range(1, len(e) - 1) if e[i] >= min_height and e[i] > e[i - 1] and e[i] >= e[i + 1]]
    cand.sort(key=lambda i: -e[i])  # stable: ties keep index order
    kept = []
    for i in cand:
        r = int(frac * period[i])
        if all(abs(i - k) > r for k in kept):
            kept.append(i)
    return np.array(sorted(kept), dtype=np.int64)


def foot_acc_only_events(d2, dev, imp, ic_pre, min_ratio, max_stride, still_dev):
    """Twin of ``acc_only_events``: IC from the impact onset, mid-stance the stillest sample after
    it, the foot-flat interval around it."""
    m, n = len(imp), len(d2)
    ic, mid = np.full(m, np.nan), np.full(m, np.nan)
    fa, fb = np.full(m, -1, dtype=np.int64), np.full(m, -1, dtype=np.int64)
    base = np.median(d2)
    for k, p in enumerate(imp):
        top = max(d2[max(p - 1, 0): min(p + 2, n)])
        q = max(p - ic_pre, 1)
        while q < p and d2[q] < max(min_ratio * base, top / 8.0):
            q += 1
        on = foot_jerk_onset(d2, max(q - 1, 1), min(q + 2 + ic_pre // 6, p + 2), base, min_ratio, False)
        ic[k] = float(p) if np.isnan(on) else on
        if k == m - 1:
            continue
        L = min(imp[k + 1] - p, max_stride)
        e = min(p + int(0.6 * L), n - 1)
        best = p + 1 + int(np.argmin(dev[p + 1:e])) if e > p + 1 else p + 1
        mid[k] = best
        lo = hi = best
        if dev[best] <= still_dev:
            while lo - 1 > p and dev[lo - 1] <= still_dev:
                lo -= 1
            while hi + 1 < imp[k + 1] and dev[hi + 1] <= still_dev:
                hi += 1
        fa[k], fb[k] = lo, hi
    return ic, mid, fa, fb

def quadratic_onset(y, idx, guess, vertex_if_no_root=False):
    """Root (at or before the first sample) of a least-squares parabola through y[idx], nearest guess
    (or, optionally, the vertex of a convex fit that stays above 0)."""
    x0 = idx[0]
    x = np.asarray(idx, dtype=float) - x0
    q2, q1, q0 = np.polyfit(x, y[idx], 2)
    if q1 <= 0:
        return np.nan
    if abs(q2) < 1e-12:
        return x0 - q0 / q1
    disc = q1 * q1 - 4 * q2 * q0
    if disc < 0:
        return x0 - q1 / (2 * q2) if vertex_if_no_root and q2 > 0 else np.nan
    roots = [x0 + r for r in ((-q1 + math.sqrt(disc)) / (2 * q2), (-q1 - math.sqrt(disc)) / (2 * q2)) if r <= 0]
    return min(roots, key=lambda c: abs(c - guess)) if roots else np.nan


def loading_edge_onsets(y, first_above, amp, peak_frac, band_low_frac, min_bump, peak_drop=0.1, slope_frac=0.5):
    """Parabola through the loading edge from band_low_frac of its first peak to its first steep
    rise, extended to 0 g (else the tangent there)."""
    out = np.full(len(first_above), np.nan)
    for k, (fa, a) in enumerate(zip(first_above, amp)):
        if not (np.isfinite(fa) and np.isfinite(a)):
            continue
        j0 = max(int(fa) - 1, 1)
        stop, hi = None, y[j0]
        for i in range(j0, len(y) - 1):
            hi = max(hi, y[i])
            if (y[i + 1] < y[i] and y[i] >= peak_frac * a) or (hi > min_bump and y[i + 1] < hi - peak_drop):
                stop = i
                break
        if stop is None:
            continue
        slopes = [(y[i + 1] - y[i - 1]) / 2 for i in range(j0, stop + 1)]
        bi = j0 + int(np.argmax(slopes))
        if slopes[bi - j0] <= 0:
            continue
        best = slopes[bi - j0]

        def slope(q):
            return (y[q + 1] - y[q - 1]) / 2

        # the first local maximum of the slope at least half the steepest
        for q in range(max(j0, 2), bi):
            if slope(q) >= slope_frac * best and slope(q) >= slope(q + 1) and slope(q) >= slope(q - 1):
                bi, best = q, slope(q)
                break
        tangent = bi - y[bi] / best
        idx = [q for q in range(j0, bi + 1) if y[q] >= band_low_frac * hi]
        est = quadratic_onset(y, np.array(idx), tangent, True) if len(idx) >= 3 else np.nan
        out[k] = tangent if np.isnan(est) else est
    return out


def flight_floor_levels(y, ic, to, block, n_blocks, min_flights, min_level, max_level):
    """Twin of ``events.flight_floor_levels``: per block, the median of its flight middles' samples."""
    table = np.zeros(n_blocks)
    samples = {}
    for k in range(len(ic) - 1):
        a, b = to[k], ic[k + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        first, last = math.ceil(a + 0.25 * (b - a)), math.floor(b - 0.25 * (b - a))
        if last >= first:
            samples.setdefault(int(block[first]), []).append(y[first: last + 1])
    for blk, parts in samples.items():
        if len(parts) >= min_flights:
            level = float(np.median(np.concatenate(parts)))
            if min_level <= abs(level) < max_level:
                table[blk] = level
    return table
