"""gaitlab: running-gait analysis from one waist- or shoe-worn IMU.

The top level stays light: heavy parts (pandas, numba kernels, matplotlib, bleak) are imported
on first use, so ``import gaitlab`` and ``gaitlab --help`` are fast.

>>> import gaitlab
>>> rec = gaitlab.read("sample_data/waist_run.csv.gz")          # doctest: +SKIP
>>> analysis = gaitlab.analyze(rec)                            # doctest: +SKIP
>>> analysis.summary["cadence_spm"]                            # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import FrameError, GaitlabError, InputError, SensorNotFoundError

__all__ = [
    "__version__",
    "Recording",
    "GaitlabError",
    "InputError",
    "FrameError",
    "SensorNotFoundError",
    "read",
    "write",
    "analyze",
    "Analysis",
    "synth",
    "stream",
    "batch",
    "report",
    "io",
    "history",
    "compare",
    "History",
    "Comparison",
]

# public name -> (module, attribute or None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    "Recording": ("gaitlab.recording", "Recording"),
    "read": ("gaitlab.io", "read"),
    "write": ("gaitlab.io", "write"),
    "analyze": ("gaitlab.analysis", "analyze"),
    "Analysis": ("gaitlab.result", "Analysis"),
    "synth": ("gaitlab.synth", None),
    "stream": ("gaitlab.stream", None),
    "batch": ("gaitlab.batch", None),
    "report": ("gaitlab.report", None),
    "io": ("gaitlab.io", None),
    # runs over time (docs/history.md): functions named after what they do; modules gaitlab.season/comparison
    "history": ("gaitlab.season", "history"),
    "compare": ("gaitlab.comparison", "compare"),
    "History": ("gaitlab.season", "History"),
    "Comparison": ("gaitlab.comparison", "Comparison"),
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import batch, io, report, stream, synth
    from .analysis import analyze
    from .comparison import Comparison, compare
    from .io import read, write
    from .recording import Recording
    from .result import Analysis
    from .season import History, history


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'gaitlab' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
