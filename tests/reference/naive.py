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
    armed, inside, start, top = False, False, 0.0, 0.0
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
        if not (np.isfinite(fa) and np.isfinite(a)) or int(fa) - 1 < 1:
            continue
        j0 = int(fa) - 1
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
