"""Walking steps of a trunk-worn sensor: the walking breaks of a run (run-walk, hills, lights).

Running contacts are found from the flight floor (:mod:`gaitlab.kernels.events`); walking has no
flight, so its steps are the humps of the vertical force of the inverted pendulum, timed at their
steepest rise (heel strike loads the new stance leg; see :mod:`gaitlab.kernels.walking` for the
physics and the measured agreement with a reference system). Only chains of at least
:data:`MIN_CHAIN` regularly spaced humps count: one hump is a bump, not walking.
"""

from __future__ import annotations

import numpy as np

from ..schema import PLAUSIBLE_WAIST

__all__ = ["WALK_SMOOTH_HZ", "WALK_EDGE_HZ", "RUN_DF", "GROUNDED_DF", "WALK_STRIDE_MIN_MS", "merge_walking",
           "walking_by_duty_factor", "walking_ic"]

#: Duty factor of running (a flight phase between the steps: van Oeveren et al. 2024) ...
RUN_DF = 0.5
#: ... and the upper end of grounded running / lower end of walking (double support >= 10 % of the
#: stride), where the cadence decides (:func:`walking_by_duty_factor`).
GROUNDED_DF = 0.55
#: A stride longer than this is walking within the grounded band: 120 steps/min (``docs/shoe.md``).
WALK_STRIDE_MIN_MS = 1000.0

#: Low-pass (Hz) that keeps one hump per walking step (step frequency <= ~2.9 Hz at 170 spm).
WALK_SMOOTH_HZ = 5.0
#: Low-pass (Hz) of the vertical force whose steepest rise marks the heel strike: keeps the
#: 50-100 ms loading rise of weight acceptance, removes the soft-tissue ringing above it.
WALK_EDGE_HZ = 10.0
#: Fewest consecutive regularly spaced steps that make walking (two steps = one stride each side).
MIN_CHAIN = 3
#: Trough-to-peak swing (g) of the vertical force within a step above which the gait bounces
#: (running) even where no flight floor is visible (a sensor off the midline or on a thigh adds its
#: own accelerations in flight). Walking's inverted pendulum keeps the pelvis' vertical force within
#: ~+-0.4 g of body weight (the walk-run transition comes at a Froude number of ~0.5, where the
#: mid-stance force falls to ~0.5 g), a swing below ~0.8 g; a spring-mass step that delivers its
#: 1 g mean impulse as a half sine swings by >= pi/2 g even without flight.
BOUNCE_SWING_G = 1.0
#: Plausible walking step times (ms): 50-170 steps/min (defined in :mod:`gaitlab.schema`).
WALK_STEP_MS = PLAUSIBLE_WAIST["walk_step_time_ms"]
#: Smallest trough-to-peak rise of a walking hump (g): a slow walk still moves the pelvis' vertical
#: force by ~+-0.1 g about 1 g; standing sway and breathing stay below a few hundredths.
MIN_RISE_G = 0.1


def walking_by_duty_factor(df: np.ndarray, stride_ms: np.ndarray) -> np.ndarray:
    """Which contacts walk by their duty factor ``df`` (contact time / stride time), per contact.

    Running has a flight phase: DF < :data:`RUN_DF`. Slow jogging ("grounded running", 1-2 m/s),
    or a flight of a sample or two measured with a sample's error at each edge, reaches DF 0.5-0.55:
    in that band the cadence decides (walking when the stride is longer than
    :data:`WALK_STRIDE_MIN_MS`, i.e. below 120 steps/min). Walking keeps both feet on the ground for
    >= 8-10 % of the stride (double support): DF >= :data:`GROUNDED_DF`. NaN gives False.
    """
    with np.errstate(invalid="ignore"):
        band = (df >= RUN_DF) & (df < GROUNDED_DF) & (stride_ms > WALK_STRIDE_MIN_MS)
        return (df >= GROUNDED_DF) | band


def walking_ic(fz: np.ndarray, fs: float, busy: np.ndarray, step_ms: tuple[float, float],
               smooth: np.ndarray | None = None, edge: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Initial contacts (fractional samples) of steps without a flight floor in one stretch.

    Parameters
    ----------
    fz : ndarray, shape (n,)
        Vertical specific force (g), body frame, 1 g mean.
    fs : float
        Sample rate (Hz).
    busy : ndarray of bool, shape (n,)
        Samples inside running contacts (no step is looked for there).
    step_ms : (float, float)
        Shortest and longest step times looked for (ms).
    smooth, edge : ndarray, shape (n,), optional
        ``fz`` low-passed at :data:`WALK_SMOOTH_HZ` and :data:`WALK_EDGE_HZ` (order 2), when the
        caller has them already.

    Returns
    -------
    ic : ndarray
        Initial contacts (fractional samples).
    swing : ndarray
        Trough-to-peak swing of each step's vertical force (g).
    """
    from ..kernels.filters import lowpass, lowpass_pair
    from ..kernels.walking import hump_maxima, walking_contacts_at

    if fz.size < 4:
        return np.empty(0), np.empty(0)
    if smooth is None and edge is None:
        smooth, edge = lowpass_pair(fz, fs, WALK_SMOOTH_HZ, WALK_EDGE_HZ, order=2)
    if smooth is None:
        smooth = lowpass(fz, fs, WALK_SMOOTH_HZ, order=2)
    if edge is None:
        edge = lowpass(fz, fs, WALK_EDGE_HZ, order=2)
    slope = np.empty(edge.size)  # np.append(np.diff(edge), 0.0) without a second signal-sized copy
    np.subtract(edge[1:], edge[:-1], out=slope[:-1])
    slope[-1] = 0.0
    busy = np.ascontiguousarray(busy, dtype=np.bool_)
    lo, hi = (int(round(v * fs / 1000.0)) for v in step_ms)
    # bouncing (running) contacts, with running step times
    maxima = hump_maxima(smooth)  # shared by both step ranges
    b_ic, b_sw = walking_contacts_at(smooth, slope, busy, maxima, max(lo, 1), max(hi, 2), MIN_RISE_G, MIN_CHAIN)
    keep_b = b_sw >= BOUNCE_SWING_G
    b_ic, b_sw = b_ic[keep_b], b_sw[keep_b]
    # walking contacts, with walking step times (a walking step's second maximum, push-off, can sit
    # within a fast running step's time of the first)
    wlo, whi = (int(round(v * fs / 1000.0)) for v in WALK_STEP_MS)
    w_ic, w_sw = walking_contacts_at(smooth, slope, busy, maxima, max(wlo, 1), max(whi, 2), MIN_RISE_G,
                                     MIN_CHAIN)
    keep_w = w_sw < BOUNCE_SWING_G
    if b_ic.size:
        keep_w &= ~(_nearest_distance(w_ic, b_ic) < lo)
    ic = np.concatenate((b_ic, w_ic[keep_w]))
    sw = np.concatenate((b_sw, w_sw[keep_w]))
    order = np.argsort(ic, kind="stable")
    return ic[order], sw[order]


def _nearest_distance(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Distance from each ``x`` to the nearest ``ref`` (same units; ``ref`` not empty).

    The nearest value is one of the two neighbours in sorted order, so this is
    ``np.abs(x[:, None] - ref[None, :]).min(axis=1)`` (the same subtractions, the same bits) in
    O((n + m) log m) time and O(n) memory instead of an n x m matrix (10 000 x 10 000 steps of a
    1-hour run: 800 MB and seconds).
    """
    r = np.sort(ref)
    j = np.searchsorted(r, x)
    left = np.abs(x - r[np.clip(j - 1, 0, r.size - 1)])
    right = np.abs(x - r[np.clip(j, 0, r.size - 1)])
    return np.minimum(left, right)


def merge_walking(fz: np.ndarray, fs: float, ic: np.ndarray, to: np.ndarray, running: np.ndarray,
                  step_ms: tuple[float, float], smooth: np.ndarray | None = None,
                  edge: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Running contacts (humps with a flight) and contacts without a visible flight, in time order.

    Parameters
    ----------
    fz : ndarray
        Vertical specific force (g).
    ic, to : ndarray
        Per stance hump: contact edges (fractional samples, NaN where the hump has no flight).
    running : ndarray of bool
        Humps with both edges (running contacts).
    step_ms : (float, float)
        Shortest and longest step times looked for (ms): from the fastest running to the slowest
        walking step.
    smooth, edge : ndarray, optional
        ``fz`` low-passed for the walking detector (see :func:`walking_ic`), when the caller has them.

    Returns
    -------
    ic, to, is_running : ndarray
        All contacts (fractional samples), TO NaN where no flight floor was seen, and which are
        running (a flight, or a bounce: :data:`BOUNCE_SWING_G`).

    Notes
    -----
    A sensor off the midline (a phone in a pocket) can hide the flight between the two feet's
    contacts of a stride: the edge fit then takes both contacts for one long "contact" with one
    step of twice the step time. Where the hump detector finds two or more regularly spaced
    contacts between two running contacts, the step between them was merged: it is split at the
    hump contacts and the merged contact time, which spans both feet, is dropped.
    """
    n = fz.size
    r_ic, r_to = ic[running], to[running].copy()
    h_ic, swing = walking_ic(fz, fs, np.zeros(n, dtype=bool), step_ms, smooth, edge)
    lo = step_ms[0] * fs / 1000.0
    add_ic: list[np.ndarray] = []
    add_run: list[np.ndarray] = []
    if r_ic.size:
        # hump contacts between consecutive running contacts (a little before each: the steepest
        # rise comes after the onset the edge fit finds)
        lead = 0.5 * lo
        owner = np.searchsorted(r_ic - lead, h_ic, side="right") - 1
        inside = (owner >= 0) & (owner < r_ic.size - 1)
        counts = np.bincount(owner[inside], minlength=r_ic.size)
        merged = np.flatnonzero(counts >= 2)
        hi = step_ms[1] * fs / 1000.0
        split: list[int] = []
        for k in merged:
            sel = inside & (owner == k)
            extra = h_ic[sel][1:]  # the first is the running contact itself
            # a walk break between two runs is not a merged step: beyond one running stride the
            # humps in between must bounce like running steps (a walking hump swings < 1 g)
            if r_ic[k + 1] - r_ic[k] > 2.0 * hi and np.any(swing[sel][1:] < BOUNCE_SWING_G):
                continue
            if not (extra[0] - r_ic[k] >= lo and np.all(np.diff(extra) >= lo) and r_ic[k + 1] - extra[-1] >= lo):
                continue
            split.append(int(k))
            r_to[k] = np.nan  # its "contact" ran over the next foot's contact
            add_ic.append(extra)
            add_run.append(np.ones(extra.size, dtype=bool))
        # contacts before the first / after the last running contact and where no running
        # contact is (walking, or bouncing without a visible flight)
        a = np.clip(np.floor(r_ic).astype(np.int64), 0, n)
        end = np.append(r_ic[1:], np.inf)
        b = np.clip(np.ceil(np.minimum(end, r_to_orig_end(r_ic, to[running]))).astype(np.int64), 0, n)
        idx = np.clip(np.round(h_ic).astype(np.int64), 0, n - 1)
        # a sample is busy when more spans [a, b) start than end at or before it: counted at the
        # hump contacts only, not over every sample of the stretch
        busy = (np.searchsorted(np.sort(a), idx, side="right") - np.searchsorted(np.sort(b), idx, side="right")) > 0
        free = ~busy & ~(inside & np.isin(owner, split))
        add_ic.append(h_ic[free])
        add_run.append(swing[free] >= BOUNCE_SWING_G)
    else:
        add_ic.append(h_ic)
        add_run.append(swing >= BOUNCE_SWING_G)
    w_ic = np.concatenate(add_ic) if add_ic else np.empty(0)
    w_run = np.concatenate(add_run) if add_run else np.empty(0, dtype=bool)
    all_ic = np.concatenate((r_ic, w_ic))
    all_to = np.concatenate((r_to, np.full(w_ic.size, np.nan)))
    is_run = np.concatenate((np.ones(r_ic.size, dtype=bool), w_run))
    order = np.argsort(all_ic, kind="stable")
    all_ic, all_to, is_run = all_ic[order], all_to[order], is_run[order]
    # fewer than MIN_CHAIN "walking" humps between running steps are no walk break: running steps
    # whose bounce the sensor did not show (walking needs a few steps to start and stop)
    walk = ~is_run
    if walk.any():
        edges = np.diff(np.concatenate(([0], walk.astype(np.int8), [0])))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        for a, b in zip(starts, stops, strict=True):
            if b - a < MIN_CHAIN and a > 0 and b < walk.size:
                is_run[a:b] = True
    return all_ic, all_to, is_run


def r_to_orig_end(r_ic: np.ndarray, r_to: np.ndarray) -> np.ndarray:
    """End of the span a running contact explains: its toe-off plus one contact time (its flight)."""
    return r_to + (r_to - r_ic)
