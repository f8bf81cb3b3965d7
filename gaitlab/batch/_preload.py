"""Warm-up run once in the batch pool's fork server, before it forks any worker.

Imported by the fork server (:data:`gaitlab.batch.local.FORKSERVER_PRELOAD`): it analyses a short
synthetic waist run, which initialises numba's target context (its registries and the BLAS check,
~0.5 s) and loads the analysis kernels from numba's on-disk cache (compiling them if the cache is
cold). Every worker forked afterwards inherits the loaded machine code copy-on-write, so the
workers no longer take turns loading it under the warm-up lock (that serialised ~1 s per worker
before the first file). Nothing here starts a thread (the kernels are serial ``njit``), so forking
afterwards is safe. Any failure is logged and ignored: a worker then loads what it needs itself, as
before (the fork server must not die on an import-time error; it only skips ``ImportError``).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def warm() -> None:
    """Analyse 60 s of a synthetic waist run (report included); never raises.

    The run is rendered with the ideal sensor model: the realistic one's anti-aliasing filter
    imports ``scipy.signal`` (~0.4 s of the pool's start-up), which no analysis needs."""
    try:
        from ..analysis import analyze
        from ..synth import simulate_waist

        analyze(simulate_waist(60.0, fs=100.0, seed=0, noise="ideal").recording)
    except Exception as exc:  # pragma: no cover - depends on the environment
        logger.debug("fork-server warm-up failed: %s", exc)


warm()
