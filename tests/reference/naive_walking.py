"""Plain-Python twin of :func:`gaitlab.kernels.walking.walking_contacts`, written for clarity."""

from __future__ import annotations

import math

import numpy as np


def walking_contacts(smooth, slope, busy, min_step, max_step, min_rise, min_chain):
    n = len(smooth)
    peaks: list[int] = []
    for i in range(1, n - 1):
        if smooth[i] > 1.0 and smooth[i] >= smooth[i - 1] and smooth[i] > smooth[i + 1]:
            if peaks and i - peaks[-1] < min_step:
                if smooth[i] > smooth[peaks[-1]]:
                    peaks[-1] = i
                continue
            peaks.append(i)
    ics, rises = [], []
    for k, p in enumerate(peaks):
        ic = math.nan
        rise = math.nan
        lo = max(p - max_step, 0)
        if k > 0:
            lo = max(lo, peaks[k - 1])
        if not busy[p] and p > lo:
            tr = lo + int(np.argmin(smooth[lo:p]))
            if tr > 0 and smooth[tr] < 1.0 and smooth[p] - smooth[tr] >= min_rise and not busy[tr]:
                best = tr + int(np.argmax(slope[tr:p]))
                frac = 0.0
                if tr < best and best + 1 < p:
                    y0, y1, y2 = slope[best - 1], slope[best], slope[best + 1]
                    den = y0 - 2 * y1 + y2
                    if den < 0:
                        frac = 0.5 * (y0 - y2) / den
                ic = best + 0.5 + frac
                rise = smooth[p] - smooth[tr]
        ics.append(ic)
        rises.append(rise)
    out, out_rise = [], []
    k = 0
    while k < len(ics):
        if math.isnan(ics[k]):
            k += 1
            continue
        j = k
        while j + 1 < len(ics) and not math.isnan(ics[j + 1]) and min_step <= ics[j + 1] - ics[j] <= max_step:
            j += 1
        if j - k + 1 >= min_chain:
            out.extend(ics[k: j + 1])
            out_rise.extend(rises[k: j + 1])
        k = j + 1
    return np.array(out), np.array(out_rise)
