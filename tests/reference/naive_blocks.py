"""Plain numpy versions of the per-block kernels in gaitlab.kernels.blockstats (the code they replaced),
written for clarity, not speed."""

from __future__ import annotations

import math

import numpy as np


def step_period(norm_g, fs, min_s=0.22, max_s=1.0):
    """Autocorrelation by FFT of the whole block; see ``blockstats.autocorr_period``."""
    x = norm_g - norm_g.mean()
    n = x.size
    lo, hi = int(min_s * fs), int(max_s * fs)
    if n < 3 * hi // 2 or float(np.dot(x, x)) < n * 1e-4:
        return float("nan")
    nfft = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(x, nfft)
    ac = np.fft.irfft(spec * np.conj(spec), nfft)[: hi + 2]
    ac /= ac[0]
    ac[1:] /= (n - np.arange(1, ac.size)) / n
    seg = ac[lo: hi + 1]
    if seg.size < 3:
        return float("nan")
    peaks = np.flatnonzero((seg[1:-1] > seg[:-2]) & (seg[1:-1] >= seg[2:])) + 1
    if peaks.size == 0:
        return float("nan")
    best = seg[peaks].max()
    if best < 0.2:
        return float("nan")
    k = peaks[np.argmax(seg[peaks] >= 0.7 * best)]
    y0, y1, y2 = seg[k - 1], seg[k], seg[k + 1]
    den = y0 - 2 * y1 + y2
    frac = 0.5 * (y0 - y2) / den if den != 0 else 0.0
    return float((lo + k + frac) / fs)


def _amplitude(x, freq, fs):
    """Fourier amplitude (per column) of ``x`` at ``freq`` over the whole number of its periods."""
    per = fs / freq
    k = int(x.shape[0] // per)
    if k < 2:
        return np.full(x.shape[1:], np.nan)
    n = int(round(k * per))
    ph = np.exp(-2j * np.pi * freq * np.arange(n) / fs)
    return 2.0 * np.abs(ph @ x[:n]) / n


def mounting_features(acc, starts, ends, period_s, up, fs, flight_below, quantile):
    """One block at a time: see ``blockstats.mounting_features``."""
    m = len(starts)
    swing, alternation, running = np.full(m, np.nan), np.full(m, np.nan), np.zeros(m, dtype=bool)
    for b in range(m):
        T = period_s[b]
        blk = acc[starts[b]: ends[b]]
        if not np.isfinite(T) or blk.shape[0] < 4 * T * fs:
            continue
        fz = blk @ up[b]
        running[b] = not np.percentile(fz, 100 * quantile) >= flight_below
        swing[b] = np.sqrt(np.sum(_amplitude(blk, 0.5 / T, fs) ** 2))
        a1 = _amplitude(fz[:, None], 0.5 / T, fs)[0]
        a2 = _amplitude(fz[:, None], 1.0 / T, fs)[0]
        alternation[b] = a1 / a2 if a2 > 0 else np.nan
    return swing, alternation, running


def sign_score(ap, fz, lag, flight_below):
    """Stride windows by reshaping; see ``blockstats.sign_score``."""
    prod = ap[:-1] * np.diff(fz)
    win = max(2 * lag, 2)
    nwin = prod.size // win
    if nwin == 0:
        return float(prod.sum())
    head = nwin * win
    sums = prod[:head].reshape(nwin, win).sum(axis=1)
    running = fz[:head].reshape(nwin, win).min(axis=1) < flight_below
    score = float(np.where(running, sums, -sums).sum())
    tail = prod[head:].sum()
    return score + (float(tail) if running[-1] else -float(tail))


def dot3(u, v):
    """A 3-vector dot product, left to right."""
    return float(u[0]) * float(v[0]) + float(u[1]) * float(v[1]) + float(u[2]) * float(v[2])


def horizontal_unit(v, up):
    """The unit vector along ``v - (v @ up) up``, one vector at a time."""
    d = dot3(v, up)
    h = [v[q] - d * up[q] for q in range(3)]
    nrm = math.sqrt(dot3(h, h))
    return np.array([x / nrm for x in h])


def scatter3(s):
    """``s.T @ s``, one matrix entry at a time, summed over the rows in order."""
    out = np.zeros((3, 3))
    for a in range(3):
        for b in range(3):
            acc = 0.0
            for k in range(s.shape[0]):
                acc += float(s[k, a]) * float(s[k, b])
            out[a, b] = acc
    return out


def nearest_gait(gait, b):
    """The gait block nearest to block ``b`` (the earlier on a tie), or None."""
    donors = [j for j in range(len(gait)) if gait[j]]
    return min(donors, key=lambda j: abs(j - b)) if donors else None


def attitude_splits(x, starts, ends, min_part, step, cos_limit, lo, hi):
    """The split of each block into two parts whose mean vectors are longest together, kept when
    they point more than the limit apart and each is a plausible gravity; -1 otherwise."""
    out = np.full(len(starts), -1, dtype=np.int64)
    for b, (a, e) in enumerate(zip(starts, ends)):
        best, pick = -1.0, None
        for c in range(a + min_part, e - min_part + 1, step):
            s1, s2 = x[a:c].sum(axis=0), x[c:e].sum(axis=0)
            score = np.linalg.norm(s1) + np.linalg.norm(s2)
            if score > best:
                best, pick = score, (c, s1, s2)
        if pick is None:
            continue
        c, s1, s2 = pick
        n1, n2 = np.linalg.norm(s1), np.linalg.norm(s2)
        cos = s1 @ s2 / (n1 * n2) if n1 > 0 and n2 > 0 else 1.0
        if cos < cos_limit and lo < n1 / (c - a) < hi and lo < n2 / (e - c) < hi:
            out[b] = c
    return out
