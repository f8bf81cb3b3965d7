"""The summary and report stages' kernels (issue #17) against their plain twins."""

from __future__ import annotations

import numpy as np

from gaitlab.kernels.groups import group_sums

from .reference import groups as ref


def test_group_sums_are_bincounts_of_the_finite_values():
    rng = np.random.default_rng(17)
    m, n_groups = 5000, 37
    values = rng.normal(200.0, 30.0, size=(6, m))
    values[rng.random(values.shape) < 0.05] = np.nan
    values[0, 10] = np.inf  # infinite values are left out like NaN
    values[3] = np.nan  # a metric never measured
    group = np.sort(rng.integers(0, n_groups, size=m))
    group[group == 5] = 6  # an empty group
    total, count = group_sums(values, group, n_groups)
    want_total, want_count = ref.group_sums(values, group, n_groups)
    np.testing.assert_array_equal(count, want_count)
    np.testing.assert_array_equal(total, want_total)  # same order of additions: the same bits
    assert count[:, 5].sum() == 0 and count[3].sum() == 0


def test_group_sums_of_no_steps():
    total, count = group_sums(np.empty((2, 0)), np.empty(0, dtype=np.int64), 3)
    assert total.shape == (2, 3) and not total.any() and not count.any()
