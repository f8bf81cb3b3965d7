"""The :class:`Recording`: one sensor's signal, validated once and then immutable.

Everything downstream (orientation, event detection, streaming, batch) takes a Recording, so the
checks that protect the analysis from wrong numbers live here, at the single entry point:
strictly increasing finite time, finite ``(n, 3)`` acceleration in g, optional gyroscope in deg/s.
Readers add file/line context before they build one; a Recording built by hand gets the same
checks without it.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["Recording", "PLACEMENTS", "SIDES", "ACC_COLUMNS", "GYR_COLUMNS", "MIN_EVENT_FS_HZ",
           "event_rate_problem"]

PLACEMENTS = ("waist", "shoe")
SIDES = ("L", "R")
ACC_COLUMNS = ("acc_x_g", "acc_y_g", "acc_z_g")
GYR_COLUMNS = ("gyr_x_dps", "gyr_y_dps", "gyr_z_dps")
TIME_COLUMN = "time_s"

#: An interval longer than this many nominal sample periods is a gap: halfway between one period
#: and the two periods of a single lost sample.
GAP_FACTOR = 1.5
#: Slowest sample rate (Hz) at which gait events can be located. Below it the shortest running
#: contact (140 ms) spans fewer than 3.5 samples, and the landing impact that marks initial contact
#: (10-20 Hz content) lies above the Nyquist frequency fs/2, so contacts cannot be timed at all.
MIN_EVENT_FS_HZ = 25.0


def event_rate_problem(fs: float) -> str | None:
    """Why ``fs`` (Hz) is too slow for gait events, or None when it is fast enough."""
    if fs >= MIN_EVENT_FS_HZ:
        return None
    return (f"the sample rate is {fs:g} Hz, too slow for gait events: below {MIN_EVENT_FS_HZ:g} Hz a 140-ms "
            "running contact spans fewer than 4 samples and the landing impact lies above the Nyquist "
            f"frequency ({fs / 2:g} Hz); record at {MIN_EVENT_FS_HZ:g} Hz or more (gait sensors use 50-1000 Hz)")


def _readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a`` (no copy): the caller's own array stays writable."""
    v = a.view()
    v.flags.writeable = False
    return v


def _as_float_array(x: Any, name: str, ndim: int, path: str | None) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric: {exc}", path=path) from None
    if a.ndim != ndim or (ndim == 2 and a.shape[1] != 3):
        want = "(n,)" if ndim == 1 else "(n, 3)"
        raise InputError(f"{name} must have shape {want}, found {a.shape}", path=path)
    return a


def _first_nonfinite(a: np.ndarray) -> int | None:
    bad = ~np.isfinite(a)
    if a.ndim == 2:
        bad = bad.any(axis=1)
    if not bad.any():
        return None
    return int(np.argmax(bad))


class Recording:
    """One sensor's signal: time, acceleration (g) and optionally angular rate (deg/s).

    Parameters
    ----------
    t : array_like, shape (n,)
        Sample times in seconds, finite and strictly increasing (float64).
    acc : array_like, shape (n, 3)
        Specific force in g, in the sensor frame (+1 g up at rest).
    gyr : array_like, shape (n, 3), optional
        Angular rate in deg/s, in the sensor frame.
    fs : float, optional
        Nominal sample rate in Hz. Estimated from the median interval when omitted.
    placement : {'waist', 'shoe'}, optional
        Where the sensor was worn; ``None`` if unknown.
    side : {'L', 'R'}, optional
        Which foot, for a shoe sensor.
    meta : mapping, optional
        Provenance: ``source`` (path), ``format``, ``units``, ``device``, ``start_time``...
    extra : mapping of str to array_like, optional
        Further per-sample channels kept from the input (e.g. ``speed_mps``), each shape (n,).

    Notes
    -----
    A Recording never copies an array that is already float64 and C-contiguous; it keeps
    read-only views, so the object is cheap and immutable while the caller's arrays stay theirs.

    Examples
    --------
    >>> import numpy as np
    >>> from gaitlab import Recording
    >>> t = np.arange(1000) / 100.0
    >>> acc = np.tile([0.0, 0.0, 1.0], (1000, 1))
    >>> rec = Recording(t, acc, placement="waist")
    >>> rec.fs, rec.duration_s, rec.n_samples
    (100.0, 9.99, 1000)
    """

    __slots__ = ("_t", "_acc", "_gyr", "_fs", "_placement", "_side", "_meta", "_extra", "_gaps")

    def __init__(
        self,
        t: Any,
        acc: Any,
        gyr: Any | None = None,
        *,
        fs: float | None = None,
        placement: str | None = None,
        side: str | None = None,
        meta: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        meta = dict(meta or {})
        path = meta.get("source")
        t = _as_float_array(t, "t", 1, path)
        acc = _as_float_array(acc, "acc", 2, path)
        if acc.shape[0] != t.shape[0]:
            raise InputError(f"acc has {acc.shape[0]} rows but t has {t.shape[0]}", path=path)
        if t.shape[0] < 2:
            raise InputError(f"need at least 2 samples, found {t.shape[0]}", path=path)
        for name, arr in (("t", t), ("acc", acc)):
            i = _first_nonfinite(arr)
            if i is not None:
                raise InputError(f"{name} has a NaN or infinite value at sample {i}", path=path)
        dt = np.diff(t)
        if not (dt > 0).all():
            i = int(np.argmax(dt <= 0))
            raise InputError(
                f"time must be strictly increasing; sample {i + 1} ({t[i + 1]!r} s) "
                f"does not come after sample {i} ({t[i]!r} s)",
                path=path,
            )
        if gyr is not None:
            gyr = _as_float_array(gyr, "gyr", 2, path)
            if gyr.shape[0] != t.shape[0]:
                raise InputError(f"gyr has {gyr.shape[0]} rows but t has {t.shape[0]}", path=path)
            i = _first_nonfinite(gyr)
            if i is not None:
                raise InputError(f"gyr has a NaN or infinite value at sample {i}", path=path)
        if fs is None:
            # 9 significant digits: 1 / 0.005 is 199.99999999999997 in binary floating point
            fs = float(f"{1.0 / np.median(dt):.9g}")
        fs = float(fs)
        if not np.isfinite(fs) or fs <= 0:
            raise InputError(f"fs must be a positive number of Hz, found {fs!r}", path=path)
        if placement is not None and placement not in PLACEMENTS:
            raise InputError(f"placement must be one of {PLACEMENTS} or None, found {placement!r}", path=path)
        if side is not None and side not in SIDES:
            raise InputError(f"side must be one of {SIDES} or None, found {side!r}", path=path)
        extras: dict[str, np.ndarray] = {}
        for name, col in (extra or {}).items():
            a = _as_float_array(col, f"extra channel {name!r}", 1, path)
            if a.shape[0] != t.shape[0]:
                raise InputError(f"extra channel {name!r} has {a.shape[0]} rows but t has {t.shape[0]}", path=path)
            extras[str(name)] = _readonly(a)

        self._t = _readonly(t)
        self._acc = _readonly(acc)
        self._gyr = None if gyr is None else _readonly(gyr)
        self._fs = fs
        self._placement = placement
        self._side = side
        self._meta = types.MappingProxyType(meta)
        self._extra = types.MappingProxyType(extras)
        self._gaps: np.ndarray | None = None

    # -- read-only attributes -------------------------------------------------------------
    @property
    def t(self) -> np.ndarray:
        """Sample times (s), shape (n,), read-only."""
        return self._t

    @property
    def acc(self) -> np.ndarray:
        """Specific force (g) in the sensor frame, shape (n, 3), read-only."""
        return self._acc

    @property
    def gyr(self) -> np.ndarray | None:
        """Angular rate (deg/s) in the sensor frame, shape (n, 3), read-only; or None."""
        return self._gyr

    @property
    def fs(self) -> float:
        """Nominal sample rate (Hz)."""
        return self._fs

    @property
    def placement(self) -> str | None:
        """``'waist'``, ``'shoe'`` or None when unknown."""
        return self._placement

    @property
    def side(self) -> str | None:
        """``'L'`` or ``'R'`` for a shoe sensor, else None."""
        return self._side

    @property
    def meta(self) -> Mapping[str, Any]:
        """Provenance (read-only mapping): source, format, units, device, start_time..."""
        return self._meta

    @property
    def extra(self) -> Mapping[str, np.ndarray]:
        """Further per-sample channels kept from the input (read-only mapping)."""
        return self._extra

    @property
    def n_samples(self) -> int:
        return int(self._t.shape[0])

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample (s)."""
        return float(self._t[-1] - self._t[0])

    @property
    def has_gyro(self) -> bool:
        return self._gyr is not None

    def __len__(self) -> int:
        return self.n_samples

    # -- derived ----------------------------------------------------------------------------
    @property
    def gaps(self) -> np.ndarray:
        """Spans with missing samples, shape (k, 2): ``[t_before, t_after]`` in seconds.

        A gap is an interval between consecutive samples longer than ``1.5 / fs``. Computed on
        first use and kept (read-only).
        """
        if self._gaps is None:
            self._gaps = self.gap_spans(self._t, self._fs)
        return self._gaps

    @staticmethod
    def gap_spans(t: np.ndarray, fs: float) -> np.ndarray:
        """The gaps of a time axis ``t`` at nominal rate ``fs`` as a (k, 2) array."""
        idx = np.flatnonzero(np.diff(t) > GAP_FACTOR / fs)
        out = np.empty((idx.size, 2))
        out[:, 0] = t[idx]
        out[:, 1] = t[idx + 1]
        out.flags.writeable = False
        return out

    def replace(self, **changes: Any) -> Recording:
        """A new Recording with some fields changed (arrays are shared, not copied)."""
        kw: dict[str, Any] = dict(
            t=self._t, acc=self._acc, gyr=self._gyr, fs=self._fs, placement=self._placement,
            side=self._side, meta=dict(self._meta), extra=dict(self._extra),
        )
        kw.update(changes)
        return Recording(kw.pop("t"), kw.pop("acc"), kw.pop("gyr"), **kw)

    def slice(self, t0: float | None = None, t1: float | None = None) -> Recording:
        """The samples with ``t0 <= t < t1`` (views, not copies).

        Parameters
        ----------
        t0, t1 : float, optional
            Start (inclusive) and end (exclusive) in seconds on this recording's time axis.
        """
        i0 = 0 if t0 is None else int(np.searchsorted(self._t, t0, side="left"))
        i1 = self.n_samples if t1 is None else int(np.searchsorted(self._t, t1, side="left"))
        if i1 - i0 < 2:
            raise InputError(f"slice [{t0}, {t1}) holds {max(i1 - i0, 0)} samples; need at least 2",
                             path=self._meta.get("source"))
        return Recording(
            self._t[i0:i1], self._acc[i0:i1], None if self._gyr is None else self._gyr[i0:i1],
            fs=self._fs, placement=self._placement, side=self._side, meta=dict(self._meta),
            extra={k: v[i0:i1] for k, v in self._extra.items()},
        )

    # -- pandas edge -----------------------------------------------------------------------
    def to_frame(self):
        """The signal as a DataFrame in the generic-CSV column layout (``time_s, acc_x_g, ...``)."""
        import pandas as pd

        cols: dict[str, np.ndarray] = {TIME_COLUMN: self._t}
        for j, name in enumerate(ACC_COLUMNS):
            cols[name] = self._acc[:, j]
        if self._gyr is not None:
            for j, name in enumerate(GYR_COLUMNS):
                cols[name] = self._gyr[:, j]
        cols.update(self._extra)
        df = pd.DataFrame(cols, copy=False)
        df.attrs.update({
            "fs": self._fs, "placement": self._placement, "side": self._side,
            "meta": dict(self._meta),
        })
        return df

    @classmethod
    def from_frame(cls, df, **kwargs: Any) -> Recording:
        """Build a Recording from a DataFrame in the generic-CSV layout.

        Columns ``time_s`` and ``acc_{x,y,z}_g`` are required, ``gyr_{x,y,z}_dps`` optional; every
        other numeric column becomes an ``extra`` channel. ``fs``, ``placement``, ``side`` and
        ``meta`` are taken from ``df.attrs`` (as written by :meth:`to_frame`) unless given.
        """
        missing = [c for c in (TIME_COLUMN, *ACC_COLUMNS) if c not in df.columns]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}; "
                             f"expected {TIME_COLUMN}, {', '.join(ACC_COLUMNS)}")
        attrs = dict(getattr(df, "attrs", {}) or {})
        gyr = None
        if all(c in df.columns for c in GYR_COLUMNS):
            gyr = df[list(GYR_COLUMNS)].to_numpy(dtype=np.float64)
        known = {TIME_COLUMN, *ACC_COLUMNS, *GYR_COLUMNS}
        extra = {c: df[c].to_numpy(dtype=np.float64) for c in df.columns
                 if c not in known and np.issubdtype(df[c].dtype, np.number)}
        kw: dict[str, Any] = dict(fs=attrs.get("fs"), placement=attrs.get("placement"),
                                  side=attrs.get("side"), meta=attrs.get("meta"), extra=extra)
        kw.update(kwargs)
        return cls(df[TIME_COLUMN].to_numpy(dtype=np.float64),
                   df[list(ACC_COLUMNS)].to_numpy(dtype=np.float64), gyr, **kw)

    def __reduce__(self):
        # the mapping proxies are not picklable; rebuild from plain dicts (process pools, Dask)
        return (_rebuild, (self._t, self._acc, self._gyr, self._fs, self._placement, self._side,
                           dict(self._meta), dict(self._extra)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Recording):
            return NotImplemented
        same_gyr = (self._gyr is None and other._gyr is None) or (
            self._gyr is not None and other._gyr is not None and np.array_equal(self._gyr, other._gyr))
        return (
            np.array_equal(self._t, other._t) and np.array_equal(self._acc, other._acc) and same_gyr
            and self._fs == other._fs and self._placement == other._placement
            and self._side == other._side and set(self._extra) == set(other._extra)
            and all(np.array_equal(v, other._extra[k]) for k, v in self._extra.items())
        )

    __hash__ = None  # type: ignore[assignment]  # arrays: equality by value, not hashable

    def __repr__(self) -> str:
        src = self._meta.get("source")
        parts = [f"n={self.n_samples}", f"fs={self._fs:g} Hz", f"duration={self.duration_s:.1f} s",
                 f"placement={self._placement!r}"]
        if self._side:
            parts.append(f"side={self._side!r}")
        if self._gyr is not None:
            parts.append("gyro")
        if len(self.gaps):
            parts.append(f"gaps={len(self.gaps)}")
        if src:
            parts.append(f"source={src!r}")
        return f"Recording({', '.join(parts)})"


def _rebuild(t, acc, gyr, fs, placement, side, meta, extra) -> Recording:
    return Recording(t, acc, gyr, fs=fs, placement=placement, side=side, meta=meta, extra=extra)
