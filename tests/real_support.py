"""Real recordings (``../shared/data/real``) for tests: skipped with a message where absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL_ROOT = Path(os.environ.get("GAITLAB_REAL_DATA",
                                Path(__file__).resolve().parents[2] / "shared" / "data" / "real"))


def real_path(*parts: str) -> Path:
    """Path inside the real-data folder; skips the test (saying where it looked) when absent."""
    path = REAL_ROOT.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (set GAITLAB_REAL_DATA or provide ../shared/data/real)")
    return path
