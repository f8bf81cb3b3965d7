"""Batch processing: many recordings -> per-file JSON/HTML + a summary table.

Runs in this process, in a local process pool, or on a Dask cluster; see :func:`run` and
``docs/batch.md``. Importing this package is light (standard library only).

>>> import gaitlab.batch
>>> table = gaitlab.batch.run(["data/"], out="results/", jobs=2)        # doctest: +SKIP
"""

from __future__ import annotations

from .inputs import KNOWN_SUFFIXES, BatchInput, expand_inputs
from .runner import BatchOutcome, BatchStats, execute, exit_code, run

__all__ = ["run", "execute", "exit_code", "expand_inputs", "BatchInput", "BatchOutcome", "BatchStats",
           "KNOWN_SUFFIXES"]
