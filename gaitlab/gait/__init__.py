"""Gait pipelines: Recording -> per-step table (``waist.py``, ``shoe.py``: one result shape), the
running metrics defined once (``metrics.py``), and their shared parts (orientation, segments,
speed, settings, placement; for the waist: mounting, sides, walking)."""
