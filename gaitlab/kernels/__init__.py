"""Numba-compiled kernels: plain arrays in, arrays out.

Rules: ``@numba.njit(cache=True)``; no pandas, no logging, no mutation of inputs; bad
data gives NaN or a count, never an exception. Each public kernel has a slow, obvious twin in
``tests/reference/`` that the tests compare it with. Callers (``gaitlab.gait``) check dtypes and
shapes once and pass contiguous float64 arrays.

Modules
-------
signal      moving means over (n, 3) signals, row-wise projections
events      level crossings, stance "humps", contact-edge fits (IC / TO with sub-sample precision)
integrate   per-stride double integration (vertical oscillation), speed lost while braking
stepstats   per-step impact, loading rate, lateral evidence
blockstats  per-block orientation and mounting statistics (step period, gravity, step scatter,
            forward sign, stride/step Fourier amplitudes), all blocks of a recording in one call
filters     zero-phase Butterworth low-pass
rolling     rolling medians, means and variances over time windows, series order (the report's rules)
groups      per-group sums and counts of per-step metrics (the per-minute segment table, side signatures)
walking     walking contacts on the pendulum humps
select      exact medians of mostly one-valued arrays (a recording's sample intervals)
foot        shoe kernels: swing peaks, contact events, impacts, ZUPT strides
"""
