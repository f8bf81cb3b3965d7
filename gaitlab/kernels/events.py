"""Event kernels: level crossings, stance "humps" and contact-edge fits.

Physics (Morin et al. 2005; ``docs/methods.md``). Under the spring-mass model the vertical specific force
at the pelvis is 0 g in flight and close to a half sine ``A sin(w t)`` during contact, starting at
initial contact (IC) and ending at toe-off (TO). The 1 g crossings mark where the ground force
equals body weight, ~35-40 ms inside the contact, so they are *not* IC/TO. Instead we fit each
edge of the stance hump where it leaves / returns to the 0 g flight floor: on the edge samples
between a low level and about half the peak, ``asin(f / A)`` is linear in time for a half sine,
so a straight-line fit in that domain extrapolates to the zero-force instant without the
curvature bias of a chord or the ~38 ms lag of the 1 g crossing. TO is fitted on the middle of
the falling edge (0.3-0.8 of the amplitude). Real sacral signals (Alcantara et al. 2022, PeerJ
10:e12752) showed what the half sine hides: exports are low-passed forwards and backwards (a zero-phase
filter spreads an edge's foot backwards by 30-60 ms and moves mid-edge levels least), heel strikes
put an impact peak on the loading edge, midfoot landings load in two stages, and the push-off tail
of the sacrum is not the ground force's. IC is therefore taken from the loading edge's middle
(:func:`loading_edge_onsets`); the foot-of-edge fit (:func:`rising_onset`) and the flight apex
(:func:`gaitlab.kernels.integrate.flight_apex`) remain for edges with few samples (low rates).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Lower end of the falling-edge band fitted for toe-off, as a fraction of the hump's amplitude.
FALL_BAND_LOW_FRAC = 0.3
#: A fall of the vertical force by this much (g) below its running maximum ends a loading edge:
#: several times the noise of a sample, far less than any impact peak's fall.
PEAK_DROP_G = 0.1
#: The contact's rise is the first local maximum of the slope at least this fraction of the
#: loading edge's steepest slope: a midfoot or forefoot landing loads in two stages (the first
#: ~0.4 as steep as the second on the shared real trials), an in-flight wiggle rises < 0.1 as
#: steeply. 0.2-0.3 give the same events on the real and synthetic sets; 0.5 missed the first stage.
SLOPE_FRAC = 0.3


@njit(cache=True)
def level_crossings(x: np.ndarray, level: float, rising: bool) -> np.ndarray:
    """Sub-sample positions where ``x`` crosses ``level`` (linear interpolation).

    Parameters
    ----------
    x : ndarray, shape (n,)
    level : float
    rising : bool
        True for upward crossings (``x[i] < level <= x[i + 1]``), False for downward ones.

    Returns
    -------
    ndarray of float64
        Fractional sample indices of the crossings, increasing.
    """
    n = x.shape[0]
    out = np.empty(max(n - 1, 0))
    m = 0
    for i in range(n - 1):
        a = x[i] - level
        b = x[i + 1] - level
        if rising:
            hit = a < 0.0 and b >= 0.0
        else:
            hit = a >= 0.0 and b < 0.0
        if hit:
            out[m] = i + a / (a - b)
            m += 1
    return out[:m]


@njit(cache=True)
def find_humps(ys: np.ndarray, level: float, low: float, min_peak: float):
    """Stance humps of a smoothed vertical signal, with hysteresis.

    A hump starts where ``ys`` rises through ``level`` after having been below ``low`` (so noise
    around ``level`` while standing makes no humps), ends where it falls back through ``level``,
    and is kept when its peak reaches ``min_peak``. The data's start counts as below ``low``, and a
    hump the data begin in (``ys[0] >= level``) starts at the first sample (``up`` 0): a smoothed
    signal reaches back over the next contact's rise, so a recording that starts in the flight just
    before a contact would otherwise lose it. :func:`contact_edges` tells from the signal whether a
    flight or the foot of a loading edge was recorded before such a hump (a measured contact) or
    the data begin inside a stance (none).

    Parameters
    ----------
    ys : ndarray, shape (n,)
        Smoothed vertical specific force (g), e.g. low-passed at ~5 Hz.
    level, low, min_peak : float
        Crossing level (1 g), re-arm level below it, and the minimum peak of a hump (g).

    Returns
    -------
    up : ndarray of float64
        Sub-sample index of each hump's upward crossing of ``level``.
    down : ndarray of float64
        Sub-sample index of each hump's downward crossing.
    peak : ndarray of float64
        Peak of ``ys`` within each hump (g).
    open_up : float
        Upward crossing of a hump still rising or high when the signal ends (NaN if none): a
        stance cut off by the end of the data or a gap, whose initial contact can still be found.
    """
    n = ys.shape[0]
    # upper bound on the number of humps: the number of upward crossings of ``level``
    cap = 1
    for i in range(n - 1):
        if ys[i] < level <= ys[i + 1]:
            cap += 1
    up = np.empty(cap)
    down = np.empty(cap)
    peak = np.empty(cap)
    m = 0
    armed = True  # what came before the data is unknown: the signal decides (contact_edges)
    inside = False
    start = 0.0
    top = 0.0
    if n and ys[0] >= level:  # the data begin inside a hump
        inside = True
        armed = False
        top = ys[0]
    for i in range(n - 1):
        a = ys[i]
        b = ys[i + 1]
        if not inside:
            if a < low:
                armed = True
            if armed and a < level and b >= level:
                inside = True
                armed = False
                start = i + (level - a) / (b - a)
                top = b
        else:
            if b > top:
                top = b
            if a >= level and b < level:
                inside = False
                if top >= min_peak:
                    up[m] = start
                    down[m] = i + (a - level) / (a - b)
                    peak[m] = top
                    m += 1
                if b < low:
                    armed = True
    open_up = start if inside else np.nan
    return up[:m], down[:m], peak[:m], open_up


@njit(cache=True)
def _asin_line_zero(y: np.ndarray, idx: np.ndarray, count: int, amp: float):
    """Least-squares line through ``(i, asin(y[i] / amp))``; returns (zero crossing, slope)."""
    sx = 0.0
    su = 0.0
    sxx = 0.0
    sxu = 0.0
    for k in range(count):
        i = idx[k]
        r = y[i] / amp
        if r > 1.0:
            r = 1.0
        elif r < 0.0:
            r = 0.0
        u = math.asin(r)
        sx += i
        su += u
        sxx += i * i
        sxu += i * u
    den = count * sxx - sx * sx
    if den == 0.0:
        return np.nan, np.nan
    slope = (count * sxu - sx * su) / den
    icpt = (su - slope * sx) / count
    if slope == 0.0:
        return np.nan, np.nan
    return -icpt / slope, slope


@njit(cache=True)
def _quadratic_onset(y: np.ndarray, idx: np.ndarray, count: int, guess: float,
                     vertex_if_no_root: bool = False) -> float:
    """Where a quadratic fitted to the rising-edge samples reaches 0 g (the contact onset).

    The impact transient makes the first rise concave; a quadratic follows that curvature where a
    line through the same samples would reach 0 g too early. Returns the root nearest ``guess``
    below the first sample, or NaN. With ``vertex_if_no_root``, a convex fit that bottoms out
    above 0 g (an edge's foot spread by a zero-phase low-pass) gives its vertex, where the fitted
    rise starts: the limit of the double root as the foot is spread, so the estimate does not jump.
    """
    x0 = idx[0]
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    s4 = 0.0
    t0 = 0.0
    t1 = 0.0
    t2 = 0.0
    for k in range(count):
        x = float(idx[k] - x0)
        v = y[idx[k]]
        s0 += 1.0
        s1 += x
        s2 += x * x
        s3 += x * x * x
        s4 += x * x * x * x
        t0 += v
        t1 += x * v
        t2 += x * x * v
    # normal equations for q0 + q1 x + q2 x^2, solved by Cramer's rule
    det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2)
    if det == 0.0:
        return np.nan
    q0 = (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det
    q1 = (s0 * (t1 * s4 - t2 * s3) - t0 * (s1 * s4 - s3 * s2) + s2 * (s1 * t2 - t1 * s2)) / det
    q2 = (s0 * (s2 * t2 - s3 * t1) - s1 * (s1 * t2 - s2 * t1) + t0 * (s1 * s3 - s2 * s2)) / det
    if q1 <= 0.0:
        return np.nan
    if abs(q2) < 1e-12:
        return x0 - q0 / q1
    disc = q1 * q1 - 4.0 * q2 * q0
    if disc < 0.0:
        if vertex_if_no_root and q2 > 0.0:
            return x0 - q1 / (2.0 * q2)
        return np.nan
    r = math.sqrt(disc)
    best = np.nan
    for root in ((-q1 + r) / (2.0 * q2), (-q1 - r) / (2.0 * q2)):
        cand = x0 + root
        if root <= 0.0 and (np.isnan(best) or abs(cand - guess) < abs(best - guess)):
            best = cand
    return best


@njit(cache=True)
def rising_onset(y: np.ndarray, valley: int, stop: int, floor_level: float, high: float, lead: float,
                 idx: np.ndarray):
    """Contact onset (fractional sample) on the rising edge after ``valley``, and samples used.

    The first sample at ``floor_level`` after the valley bounds IC from above; ``lead`` samples
    (the time to rise from 0 g to the floor level) bound it from below. With >= 3 samples on the
    edge a quadratic is fitted (:func:`_quadratic_onset`), with 2 a line; a fit outside the
    bracket, or fewer samples, gives the bracket's middle. ``idx`` is scratch space (>= stop - valley).
    Returns (onset, samples used, first sample at the floor level); (NaN, 0, NaN) when the signal
    does not reach the floor level before ``stop``, or when ``valley`` (> 0) is above it.
    """
    j = valley
    while j < stop and y[j] < floor_level:
        j += 1
    if j >= stop or (j == valley and valley > 0):
        return np.nan, 0, np.nan
    # last sample below the floor level; -1 when the signal starts on the edge, above its foot (a
    # recording that starts just before a contact): the edge is fitted from its first sample
    j -= 1
    rise_high = min(floor_level + 0.6, high)
    cnt = 0
    i = j + 1
    while i < stop and y[i] <= rise_high and (cnt == 0 or y[i] > y[i - 1]):
        idx[cnt] = i
        cnt += 1
        i += 1
    est = np.nan
    if cnt >= 3:
        est = _quadratic_onset(y, idx, cnt, j + 1.0)
    elif cnt == 2 and y[idx[1]] > y[idx[0]]:
        est = idx[0] - y[idx[0]] / (y[idx[1]] - y[idx[0]])
    if np.isnan(est) or est < j - lead - 0.5 or est > j + 1.0:
        est = 0.5 * (j - lead + j + 1.0)
    return est, cnt, j + 1.0


@njit(cache=True)
def contact_edges(y: np.ndarray, up: np.ndarray, down: np.ndarray, floor_level: float,
                  band_high: float, max_valley: float, rebound: int = 0):
    """Initial contact and toe-off of each stance hump, in fractional samples.

    Parameters
    ----------
    y : ndarray, shape (n,)
        Vertical specific force (g), lightly filtered, flight floor calibrated to 0 g.
    up, down : ndarray, shape (m,)
        Hump crossings from :func:`find_humps` (fractional samples).
    floor_level : float
        Level (g) above the flight floor where an edge starts (e.g. 0.2 g).
    band_high : float
        Upper end (g) of the rising-edge band used in the onset fit (capped at 0.8 of the hump's
        amplitude); the falling edge is fitted between 0.3 and 0.8 of the amplitude.
    max_valley : float
        A valley (minimum between humps) above this level (g) means no flight phase: the step is
        not a running step and IC/TO are left NaN.
    rebound : int
        Longest time (samples) from the flight sample before a contact's soft-tissue spike to the
        rebound dip after it (half a wobble period); 0 when only spikes above ``max_valley``
        count as contacts.
    Returns
    -------
    ic, to : ndarray, shape (m,)
        Fractional sample index of initial contact and toe-off (NaN where not measurable).
    amp : ndarray, shape (m,)
        Amplitude of the half sine (g): the peak over the second half of the hump.
    valley_before, valley_after : ndarray, shape (m,)
        Minimum of ``y`` between this hump and its neighbours (g); NaN at the edges of ``y``.
    rise_samples : ndarray of int64, shape (m,)
        Number of samples on the rising edge that the onset estimate used (0 if not running):
        with fewer than three, the onset is poorly sampled and :func:`gaitlab.kernels.integrate.
        flight_apex` gives the better IC.
    first_above : ndarray, shape (m,)
        First sample at or above the floor level on the rising edge: initial contact cannot be
        later than this (NaN if not running).
    """
    n = y.shape[0]
    m = up.shape[0]
    ic = np.full(m, np.nan)
    to = np.full(m, np.nan)
    amp = np.full(m, np.nan)
    vb = np.full(m, np.nan)
    va = np.full(m, np.nan)
    rise = np.zeros(m, dtype=np.int64)
    first_above = np.full(m, np.nan)
    # scratch for edge samples: both edges of hump k lie in [lo_b, hi_a] (the search range below)
    span = 2
    for k in range(m):
        s = int(math.floor(up[k]))
        e = int(math.ceil(down[k]))
        lo_b = int(math.ceil(down[k - 1])) if k > 0 else max(0, s - (e - s))
        hi_a = int(math.floor(up[k + 1])) if k + 1 < m else min(n - 1, e + (e - s))
        span = max(span, hi_a - lo_b + 2)
    idx = np.empty(min(span, n), dtype=np.int64)
    for k in range(m):
        s = int(math.floor(up[k]))
        e = int(math.ceil(down[k]))
        if e > n - 2:
            continue
        # valleys: minimum between the neighbouring humps (or the signal's ends)
        # the first / last hump: look for its flight no further than one hump width away
        lo_b = int(math.ceil(down[k - 1])) if k > 0 else max(0, s - (e - s))
        hi_a = int(math.floor(up[k + 1])) if k + 1 < m else min(n - 1, e + (e - s))
        jb = lo_b
        for i in range(lo_b, s + 1):
            if y[i] < y[jb]:
                jb = i
        ja = e
        for i in range(e, hi_a + 1):
            if y[i] < y[ja]:
                ja = i
        if k == 0 and y[jb] >= floor_level:
            # no sample below the floor level from the data's start to this hump: no flight was
            # recorded before it (the export's low-pass can hold the foot of the edge above the
            # floor level for tens of ms), so its edge starts at the first sample
            q = 0
            while q < jb and y[q] >= floor_level:
                q += 1
            if q == jb:
                jb = 0
        # a valley at the very edge of the signal may be a cut-off stance, not a flight. At the end,
        # only below the floor level is it a flight (the recording ended in the air). At the start,
        # the signal rises from its first sample: below the floor level the recording started in
        # the air; up to the valley limit the edge's foot came before the recording (a zero-phase
        # low-pass of an export lifts it 30-60 ms before the contact). Such contacts are measured;
        # the pipeline decides whether enough flight shows for them to be valid
        if k > 0 or jb > 0 or y[jb] < floor_level or y[jb] <= max_valley:
            vb[k] = y[jb]
        if k + 1 < m or ja < n - 1 or y[ja] < floor_level:
            va[k] = y[ja]
        # amplitude from the second half of the hump: the impact transient is gone by mid-stance.
        # It is a peak: where the window opens on the impact's fall (a short, impact-heavy stance,
        # or a window rounded to a coarse sample grid), that fall is skipped, or the impact's tail
        # would be taken for the amplitude
        mid = (s + e) // 2
        window = mid - (e - s) // 6
        lo_amp = window
        while lo_amp < e and y[lo_amp + 1] < y[lo_amp]:
            lo_amp += 1
        if lo_amp == e:  # falling all the way: no peak in the window, take its start as before
            lo_amp = window
        pk = lo_amp
        for i in range(lo_amp, e + 1):
            if y[i] > y[pk]:
                pk = i
        a = y[pk]
        amp[k] = a
        if not (vb[k] <= max_valley and va[k] <= max_valley) or a <= floor_level:
            continue
        high = min(band_high, 0.8 * a)
        # falling edge (toe-off): samples from the peak down to the floor level
        j = pk
        while j < ja and y[j] >= floor_level:
            j += 1
        cnt = 0
        # the fitted band is mid-edge, from 0.8 of the amplitude down to FALL_BAND_LOW_FRAC of
        # it: below, the sacrum's last tenths of a g carry soft-tissue wobble and the swing leg's
        # reaction rather than the ground force, and a zero-phase low-pass of the export spreads
        # the edge's foot forwards (real sacral data, Alcantara et al. 2022)
        fall_low = max(floor_level, FALL_BAND_LOW_FRAC * a)
        for i in range(pk, j):
            if fall_low <= y[i] <= 0.8 * a:
                idx[cnt] = i
                cnt += 1
        omega = np.nan
        if cnt >= 2:
            t_off, slope = _asin_line_zero(y, idx, cnt, a)
            if slope < 0.0:
                # time to fall from the floor level to 0 g at the fitted rate
                fall = math.asin(min(floor_level / a, 1.0)) / -slope
                # the fit's zero within a sample of the edge's floor-level samples and that fall
                on_grid = j - 1 <= t_off <= j + 1 + fall
                if y[j] < floor_level:
                    # TO lies after the edge crosses the floor level and no later than that fall
                    # after it. The crossing is interpolated between the samples either side:
                    # bounds on the sample grid let the fit reach a sample further at 100 Hz than
                    # at 500 Hz (10 ms vs 2 ms); a fit outside is taken to the nearer bound
                    cross = j - 1 + (y[j - 1] - floor_level) / (y[j - 1] - y[j])
                    to[k] = min(max(t_off, cross), cross + fall)
                elif on_grid:
                    to[k] = t_off  # the valley stays above the floor level: no crossing to bound by
                # there the fitted rate also sets the rising edge's lead (below)
                if on_grid:
                    omega = -slope
        if np.isnan(to[k]):
            # one sample in the band: chord to the floor, then back-extrapolate the chord to 0 g
            y0 = y[j - 1]
            y1 = y[j]
            if y0 > y1:
                to[k] = j - 1 + y0 / (y0 - y1)
                if to[k] > j + 1:
                    to[k] = j + 1
        # rising edge (initial contact): the bracket IC must lie in starts earlier by the time
        # the half sine takes to reach the floor level, asin(level / A) / w samples
        lead = 0.0
        if not np.isnan(omega) and omega > 0.0:
            lead = math.asin(min(floor_level / a, 1.0)) / omega
        # the rising edge starts from the deepest sample between the humps, unless a spike comes
        # before it: that spike is the contact, and the dip after it a soft-tissue rebound, deeper
        # than a short flight's floor; the edge then starts from the flight sample just before the
        # spike (not from an earlier one: the previous toe-off's tail may cross the floor level
        # twice). A spike is a rise above the valley limit (no flight reads that much), or a rise
        # above the floor level (a spike sampled off its peak) at most ``rebound`` samples before
        # a dip below -floor_level (free fall reads 0 g: only a recoil of the tissue reads that
        # much less; noise in the flight of a phone in a pocket does not) that the contact's main
        # rise follows within ``rebound`` samples
        r = jb
        while r < pk and y[r] < floor_level:
            r += 1
        recoil = y[jb] < -floor_level and r - jb <= rebound
        jf = jb
        run_max = y[jb]
        for i in range(jb - 1, lo_b - 1, -1):
            if y[i] > run_max:
                run_max = y[i]
            if y[i] < floor_level and run_max > floor_level:
                if run_max > max_valley or (recoil and jb - i <= rebound):
                    jf = i
                break  # the flight sample before the first rise back from the dip
        ic[k], rise[k], first_above[k] = rising_onset(y, jf, pk, floor_level, high, lead, idx)
        if jf != jb and rise[k] < 3:
            # a spike sampled by one or two samples: a line through them reaches back too far (the
            # wobble's rise is concave), and a half sine's lead to the floor level is not its own;
            # the contact lies between the flight sample and the spike's first
            ic[k] = first_above[k] - 0.5
    return ic, to, amp, vb, va, rise, first_above



@njit(cache=True)
def loading_edge_onsets(y: np.ndarray, first_above: np.ndarray, amp: np.ndarray, peak_frac: float,
                        band_low_frac: float, min_bump: float) -> np.ndarray:
    """Initial contact from the mid part of each loading edge (fractional sample).

    The loading edge runs from the last sample below the floor level (``first_above - 1``) to the
    stance's first peak: the first local maximum at or above ``peak_frac`` of the hump's amplitude
    ``amp`` (a heel strike's impact peak, else the active peak), or an earlier maximum above
    ``min_bump`` (g; more than any flight reads) that the signal falls back from by ``PEAK_DROP_G``
    (a soft-tissue bump at contact). On it:

    1. the steepest sample (central difference) and its tangent, extended to the 0 g floor;
    2. a parabola through the edge samples from ``band_low_frac`` of the first peak up to the
       steepest sample, extended to 0 g (the root nearest the tangent's, at or before the band;
       its vertex where a convex fit bottoms out above 0 g).

    Why: a zero-phase low-pass (as exporters apply) spreads an edge's foot backwards by tens of ms
    and its top forwards, and moves mid-edge levels least, so the foot is left out. The parabola
    follows the force's build-up (a ground force starts gently while the heel pad and shoe
    compress, more so on a midfoot or uphill landing), where the tangent alone would extrapolate
    the steepest, later part of the edge. The tangent stands in where the parabola has fewer
    than 3 samples or no root. NaN where ``first_above`` is NaN or no peak follows.
    """
    n = y.shape[0]
    m = first_above.shape[0]
    out = np.full(m, np.nan)
    idx = np.empty(n, dtype=np.int64)
    for k in range(m):
        if np.isnan(first_above[k]) or np.isnan(amp[k]):
            continue
        # from the last sample below the floor level, or the second sample when the signal starts
        # above it (the slope needs a sample on each side)
        j0 = max(int(first_above[k]) - 1, 1)
        if j0 >= n - 1:
            continue
        top = peak_frac * amp[k]
        # the slope at sample i is the central difference (y[i+1] - y[i-1]) / 2: half the noise
        # of a one-sample difference, whose noise-inflated maxima would pull the tangent late
        best = -1.0
        bi = -1
        i = j0
        hi = y[j0]
        while i < n - 1:
            d = 0.5 * (y[i + 1] - y[i - 1])
            if d > best:
                best = d
                bi = i
            if y[i] > hi:
                hi = y[i]
            # the edge ends at its first peak
            if y[i + 1] < y[i] and y[i] >= top:
                break
            if hi > min_bump and y[i + 1] < hi - PEAK_DROP_G:
                break
            i += 1
        if i >= n - 1 or bi < 0 or best <= 0.0:
            continue
        # the first rise of the edge that is at least half as steep as its steepest: a later,
        # steeper rise (the forefoot loading after a midfoot landing, a soft-tissue rebound)
        # belongs to the stance, not to the contact
        for q in range(max(j0, 2), bi):
            dq = 0.5 * (y[q + 1] - y[q - 1])
            if dq >= SLOPE_FRAC * best and dq >= 0.5 * (y[q + 2] - y[q]) and dq >= 0.5 * (y[q] - y[q - 2]):
                bi = q
                best = dq
                break
        # no clip to the first sample above the floor level: a zero-phase filter lifts the edge's
        # foot above it well before the contact
        tangent = bi - y[bi] / best
        low = band_low_frac * hi
        cnt = 0
        for q in range(j0, bi + 1):
            if y[q] >= low:
                idx[cnt] = q
                cnt += 1
        est = np.nan
        if cnt >= 3:
            est = _quadratic_onset(y, idx, cnt, tangent, True)
        out[k] = tangent if np.isnan(est) else est
    return out


@njit(cache=True)
def flight_floor_levels(y: np.ndarray, ic: np.ndarray, to: np.ndarray, block: np.ndarray, n_blocks: int,
                        min_flights: int, min_level: float, max_level: float) -> np.ndarray:
    """Median of the flight middles' samples per orientation block (g), 0 where not estimated.

    Flight ``k`` runs from ``to[k]`` to ``ic[k + 1]``; its middle (a quarter of the flight in from
    each end, whole samples) is free of both contact edges. A flight belongs to the block of its
    middle's first sample. A block with fewer than ``min_flights`` flights, or whose median ``v``
    is not ``min_level <= |v| < max_level``, gets 0.

    Parameters
    ----------
    y : ndarray, shape (n,)
        Vertical specific force (g).
    ic, to : ndarray, shape (m,)
        Contact edges (fractional samples; NaN where unknown).
    block : ndarray of int, shape (n,)
        Each sample's orientation block, in ``[0, n_blocks)``.
    """
    m = ic.shape[0]
    lo = np.empty(m, dtype=np.int64)
    hi = np.empty(m, dtype=np.int64)
    flights = np.zeros(n_blocks, dtype=np.int64)
    samples = np.zeros(n_blocks + 1, dtype=np.int64)
    for k in range(m - 1):
        a = to[k]
        b = ic[k + 1]
        lo[k] = 0
        hi[k] = -1
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        quarter = 0.25 * (b - a)
        first = int(math.ceil(a + quarter))
        last = int(math.floor(b - quarter))
        if last < first:
            continue
        lo[k] = first
        hi[k] = last
        blk = block[first]
        flights[blk] += 1
        samples[blk + 1] += last - first + 1
    for blk in range(n_blocks):  # offsets of each block's samples in one buffer
        samples[blk + 1] += samples[blk]
    buf = np.empty(samples[n_blocks])
    fill = samples[:n_blocks].copy()
    for k in range(m - 1):
        if hi[k] < lo[k]:
            continue
        blk = block[lo[k]]
        for i in range(lo[k], hi[k] + 1):
            buf[fill[blk]] = y[i]
            fill[blk] += 1
    table = np.zeros(n_blocks)
    for blk in range(n_blocks):
        if flights[blk] < min_flights:
            continue
        part = buf[samples[blk]:samples[blk + 1]]
        if np.isnan(part).any():
            continue  # an unknown sample: no level (as numpy's median would give NaN)
        level = np.median(part)
        if min_level <= abs(level) < max_level:
            table[blk] = level
    return table


@njit(cache=True)
def remove_floor(y: np.ndarray, level: np.ndarray, block: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = (y - f) / (1 - f)`` with ``f = level[block]`` per sample: the flight floor mapped to
    0 g with the 1 g mean kept. ``out`` (shape of ``y``) is returned."""
    for i in range(y.shape[0]):
        f = level[block[i]]
        out[i] = (y[i] - f) / (1.0 - f)
    return out
