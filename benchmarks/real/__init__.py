"""Scoring modules of ``benchmarks/validate_real.py``: one per shared real data set.

Each module has ``run(root: Path) -> dict[str, bool]``: it prints its tables (labelled as real
data) and returns the targets it checked, each with whether it was met.
"""
