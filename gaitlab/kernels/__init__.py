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
sides       left/right assignment with alternation
"""
