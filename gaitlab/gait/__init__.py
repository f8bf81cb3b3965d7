"""Gait pipelines: Recording -> per-step table (``waist.py``, ``shoe.py``) and their shared parts."""
