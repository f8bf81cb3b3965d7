"""Running speed given by the user: one constant, or per segment of the run.

The trunk signal does not tell speed, so step length and vertical
ratio need it from outside: a GPS or foot-pod channel in the recording (``speed_mps``), one
constant (``--speed 3.2``), or speeds per segment (``--speed 0-600:3.0,600-1200:3.4``), e.g. from
a treadmill protocol.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InputError

__all__ = ["SpeedSpec", "parse_speed", "speed_at"]

#: One constant (m/s) or ``((start_s, end_s, speed_mps), ...)``.
SpeedSpec = float | tuple[tuple[float, float, float], ...]

_RANGE = (0.5, 12.0)


def _check(v: float, what: str) -> float:
    v = float(v)
    if not _RANGE[0] <= v <= _RANGE[1]:
        raise InputError(f"{what} must be a running speed in m/s ({_RANGE[0]:g}-{_RANGE[1]:g}), found {v:g}")
    return v


def parse_speed(value: float | str | Sequence[Sequence[float]] | None) -> SpeedSpec | None:
    """Validate a speed: a number, a ``"START-END:SPEED,..."`` string, or (start, end, speed) triples.

    Times are seconds on the recording's time axis; segments must not overlap.
    """
    if value is None:
        return None
    if isinstance(value, int | float | np.floating | np.integer):
        return _check(value, "speed_mps")
    if isinstance(value, str):
        text = value.strip()
        try:
            return _check(float(text), "speed")
        except ValueError:
            pass
        triples = []
        for item in text.split(","):
            try:
                span, speed = item.split(":")
                start, end = span.split("-")
                triples.append((float(start), float(end), float(speed)))
            except ValueError:
                raise InputError(f"speed {item!r} is neither m/s nor START-END:SPEED "
                                 "(e.g. 0-600:3.0,600-1200:3.4)") from None
        value = triples
    segs = []
    for seg in value:
        if len(seg) != 3:
            raise InputError(f"a speed segment is (start_s, end_s, speed_mps), found {tuple(seg)!r}")
        start, end, speed = (float(x) for x in seg)
        if not end > start:
            raise InputError(f"speed segment {start:g}-{end:g} s ends before it starts")
        segs.append((start, end, _check(speed, f"speed of segment {start:g}-{end:g} s")))
    segs.sort()
    for (_, a1, _), (b0, _, _) in zip(segs[:-1], segs[1:], strict=True):
        if b0 < a1:
            raise InputError(f"speed segments overlap: one ends at {a1:g} s, the next starts at {b0:g} s")
    return tuple(segs)


def speed_at(spec: SpeedSpec | None, t_s: np.ndarray) -> np.ndarray:
    """Speed (m/s) at times ``t_s``: the constant, the segment's speed, or NaN where none applies."""
    t_s = np.asarray(t_s, dtype=np.float64)
    if spec is None:
        return np.full(t_s.shape, np.nan)
    if isinstance(spec, float):
        return np.full(t_s.shape, spec)
    out = np.full(t_s.shape, np.nan)
    for start, end, speed in spec:
        out[(t_s >= start) & (t_s < end)] = speed
    return out
