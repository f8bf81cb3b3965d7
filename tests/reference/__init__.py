"""Slow, obvious twins of the numba kernels (STYLE.md): the tests compare the two."""
