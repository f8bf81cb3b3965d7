"""Left/right attribution of trunk-sensor steps that does not swap without evidence.

Evidence per step (positive = left foot on the ground, body frame x forward, y left, z up):

* **running**: the mean lateral force during the contact, toward the stance side (Lee, Sutter,
  Askew & Burkett 2010; Auvinet et al. 2002): the feet land close to the midline and the pelvis
  rolls onto the stance side, which tilts its lateral axis under the 2-3 g vertical force.
* **walking**: the opposite sign, on the whole step: the foot is placed lateral to the body's
  centre of mass, so the ground force on the body points medially (away from the stance side)
  for most of the step; the inverted pendulum sways over the stance foot and is pushed back
  towards the midline (Winter 1995, *Gait Posture* 3:193). The alternating part of the
  step-mean lateral force carries it (the stride mean and slow turns cancel).

Attribution: steps alternate, so the evidence of an unbroken chain of steps is summed with
alternating parity (Kiernan et al. 2023: ~82 % per step, near-perfect per chain). A chain breaks
only where alternation may be lost: a missed step (a step much longer than its activity's median),
a gap, or a detected re-mount. Chains are not decided alone: each chain's parity is the likelihood
decision given its own lateral vote **and** the per-side signature of the other chains of the same
mounting (impact, contact and step time differ little by side on a healthy runner, but a lot with an
off-midline sensor: the sensor-side foot's impacts are larger). A short chain after a missed step
therefore keeps the labels of the run instead of flipping on a noisy vote.
"""

from __future__ import annotations

import numpy as np

__all__ = ["side_evidence", "chain_ids", "assign_sides"]

#: |difference / standard error| of a chain's per-side signature above which its parity is fixed by
#: the signature (3 standard errors: a 1-in-370 chance for a symmetric runner).
SIGNATURE_Z = 3.0

#: A step longer than this multiple of its activity's median step time has lost a step between its
#: contacts (a missed contact breaks the alternation).
BREAK_FACTOR = 1.6


def _step_means(y: np.ndarray, ic: np.ndarray) -> np.ndarray:
    """Mean of ``y`` over each step ``[ic_k, ic_k+1)`` (NaN for the last step and unknown ICs)."""
    from ..kernels.stepstats import prefix_sums

    n = y.size
    cs = prefix_sums(y)
    out = np.full(ic.size, np.nan)
    if ic.size < 2:
        return out
    a = np.ceil(ic[:-1])
    b = np.floor(ic[1:])
    ok = np.isfinite(a) & np.isfinite(b) & (b > a) & (a >= 0) & (b <= n)
    ai = a[ok].astype(np.int64)
    bi = b[ok].astype(np.int64)
    out[:-1][ok] = (cs[bi] - cs[ai]) / (bi - ai)
    return out


def side_evidence(lat_stance: np.ndarray, lateral_g: np.ndarray, ic: np.ndarray,
                  activity: np.ndarray) -> np.ndarray:
    """Per-step side evidence (> 0: left stance), each activity scaled to unit spread.

    Parameters
    ----------
    lat_stance : ndarray, shape (m,)
        Mean lateral (leftward) force during each contact minus its stride mean (g), from
        :func:`gaitlab.kernels.stepstats.step_statistics`.
    lateral_g : ndarray, shape (n,)
        Leftward specific force of the stretch (g).
    ic : ndarray, shape (m,)
        Initial contacts (fractional samples).
    activity : ndarray of str, shape (m,)
    """
    m = ic.size
    ev = np.full(m, np.nan)
    run = activity == "running"
    ev[run] = lat_stance[run]
    walk = ~run
    if walk.any():
        mean = _step_means(np.ascontiguousarray(lateral_g, dtype=np.float64), ic)
        prev = np.concatenate(([np.nan], mean[:-1]))
        nxt = np.concatenate((mean[1:], [np.nan]))
        ref = np.nanmean(np.vstack((prev, nxt)), axis=0) if m else prev
        # medial ground force: the walking step's lateral force points away from the stance side
        ev[walk] = -(mean - ref)[walk]
    for mask in (run, walk):
        x = ev[mask]
        fin = np.isfinite(x)
        if fin.sum() >= 2:
            scale = float(np.median(np.abs(x[fin])))
            if scale > 0:
                ev[mask] = x / scale
    return ev


def chain_ids(step_time_ms: np.ndarray, activity: np.ndarray,
              hard_break: np.ndarray | None = None) -> np.ndarray:
    """Chains of steps over which left and right strictly alternate.

    A chain ends after a step with an unknown time, a step longer than :data:`BREAK_FACTOR` times
    the median step of its activity (and of the next step's activity: a walk-run transition keeps
    alternating), or where ``hard_break`` is True (last step before a gap or a re-mount).
    """
    n = step_time_ms.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    st = np.asarray(step_time_ms, dtype=np.float64)
    med = np.full(n, np.nan)
    # a handful of labels: a set of them, not np.unique's sort of 10 000 Python strings
    for act in set(np.asarray(activity, dtype=object).tolist()):
        sel = activity == act
        if np.isfinite(st[sel]).any():
            med[sel] = np.nanmedian(st[sel])
    nxt_med = np.append(med[1:], med[-1:])
    limit = BREAK_FACTOR * np.fmax(med, nxt_med)
    with np.errstate(invalid="ignore"):
        brk = ~np.isfinite(st) | (st > limit)
    if hard_break is not None:
        brk |= hard_break
    ids = np.zeros(n, dtype=np.int64)
    ids[1:] = np.cumsum(brk[:-1])
    return ids


def _parity_difference(x: np.ndarray, chain: np.ndarray, parity: np.ndarray, nchain: int):
    """Per chain: mean of ``x`` on even-parity steps minus odd-parity steps, and its variance
    (NaN where a parity has fewer than 3 values)."""
    from ..kernels.groups import parity_sums

    counts, totals, squares = parity_sums(np.ascontiguousarray(x, dtype=np.float64), chain,
                                          np.ascontiguousarray(parity, dtype=np.float64), nchain)
    means, variances = [], []
    for cnt, tot, sq in zip(counts, totals, squares, strict=True):
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = tot / cnt
            sample_var = (sq / cnt - mean**2) * cnt / np.maximum(cnt - 1, 1)
            means.append(np.where(cnt >= 3, mean, np.nan))
            variances.append(np.where(cnt >= 3, np.maximum(sample_var, 0.0) / cnt, np.nan))
    return means[0] - means[1], variances[0] + variances[1]


def assign_sides(evidence: np.ndarray, chain: np.ndarray, signature: list[np.ndarray] | None = None,
                 group: np.ndarray | None = None) -> np.ndarray:
    """``'L'``/``'R'`` per step (None where a chain has no evidence at all).

    Parameters
    ----------
    evidence : ndarray, shape (m,)
        Per-step side evidence, > 0 for left (:func:`side_evidence`).
    chain : ndarray of int, shape (m,)
        Alternation chains (:func:`chain_ids`), non-decreasing.
    signature : list of ndarray, optional
        Per-step features whose left-right difference is a property of the runner and mounting
        (impact, contact time): used to keep chains consistent with each other.
    group : ndarray of int, optional
        Mounting group per step (a re-mount starts a new group); signatures are not shared across
        groups.
    """
    m = evidence.size
    side = np.full(m, None, dtype=object)
    if m == 0:
        return side
    chain = np.asarray(chain, dtype=np.int64)
    nchain = int(chain.max()) + 1
    starts = np.searchsorted(chain, np.arange(nchain))
    pos = np.arange(m) - starts[chain]
    parity = np.where(pos % 2 == 0, 1.0, -1.0)
    ev = np.nan_to_num(evidence)
    vote = np.bincount(chain, weights=parity * ev, minlength=nchain)
    count = np.bincount(chain, weights=np.isfinite(evidence).astype(float), minlength=nchain)
    # Gaussian log-likelihood ratio of "even steps are left" from the chain's own lateral evidence:
    # per step e ~ N(+-mu, sigma^2) -> LLR = 2 mu sum(parity e) / sigma^2
    s = np.where(vote >= 0, 1.0, -1.0)
    llr_own = np.zeros(nchain)
    fin = np.isfinite(evidence)
    if fin.sum() >= 2:
        signed = parity * ev * s[chain]
        mu = float(np.mean(signed[fin]))
        sigma2 = float(np.var(signed[fin])) or 1.0
        llr_own = 2.0 * max(mu, 0.0) * vote / sigma2
    grp = np.zeros(nchain, dtype=np.int64)
    if group is not None:
        grp[chain] = np.asarray(group, dtype=np.int64)
    s = np.where(llr_own >= 0, 1.0, -1.0)
    best = None
    for x in signature or []:
        d, var = _parity_difference(np.asarray(x, dtype=np.float64), chain, parity, nchain)
        ok = np.isfinite(d) & np.isfinite(var) & (var > 0)
        z = np.where(ok, d / np.sqrt(np.where(ok, var, 1.0)), 0.0)
        if best is None or np.abs(z).sum() > np.abs(best[2]).sum():
            best = (d, var, z, ok)
    if best is not None:
        d, var, z, ok = best
        # chains whose signature is unmistakable (|z| >= SIGNATURE_Z) fix each other's parity: the
        # side with the larger value is the same foot in all of them (one runner, one mounting);
        # which foot that is, the lateral evidence of all of them together decides
        sig = ok & (np.abs(z) >= SIGNATURE_Z)
        for g in np.unique(grp):
            in_g = grp == g
            anchor = sig & in_g
            if not anchor.any():
                continue
            a_dir = np.sign(d[anchor])
            sigma = 1.0 if float(np.sum(llr_own[anchor] * a_dir)) >= 0 else -1.0
            s[anchor] = sigma * a_dir
            w = 1.0 / var[anchor]
            est = float(np.sum(s[anchor] * d[anchor] * w) / np.sum(w))  # left-minus-right of the runner
            est_var = float(1.0 / np.sum(w))
            # the other chains: their own lateral vote plus how their (weaker) signature fits
            rest = in_g & ~anchor
            llr = llr_own[rest] + np.where(ok[rest], 2.0 * d[rest] * est / (np.where(ok[rest], var[rest], 1.0)
                                                                               + est_var), 0.0)
            s[rest] = np.where(llr >= 0, 1.0, -1.0)
    has = count > 0
    sign = (s[chain] * parity)
    side[(sign > 0) & has[chain]] = "L"
    side[(sign < 0) & has[chain]] = "R"
    return side
