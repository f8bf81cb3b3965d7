"""The checks every reader shares, and the step from parsed columns to a :class:`Recording`.

A format reader only maps its columns to a :class:`Signal` (time in seconds on the file's own
clock, acceleration and angular rate in the file's units, a row -> line function). Everything that
protects the analysis from wrong numbers happens here, once, vectorised: non-finite runs, time
going backwards, duplicated time stamps, too little data, implausible units. Each check reports
the file line and column of the first offender.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timezone
from typing import Any

import numpy as np

from ..errors import InputError, option
from ..recording import Recording
from ..schema import GRAVITY_MPS2

log = logging.getLogger(__name__)

STANDARD_GRAVITY_MPS2 = GRAVITY_MPS2  # m/s^2 per g (gaitlab.schema)
#: Acceleration units and their factor to g.
ACC_UNITS: dict[str, float] = {"g": 1.0, "mps2": 1.0 / STANDARD_GRAVITY_MPS2, "mg": 1e-3}
ACC_UNIT_NAMES = {"g": "g", "mps2": "m/s^2", "mg": "mg"}
#: Angular-rate units and their factor to deg/s.
GYR_UNITS: dict[str, float] = {"dps": 1.0, "rads": 180.0 / math.pi}
#: Time units and their factor to seconds.
TIME_UNITS: dict[str, float] = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
#: Least data worth analysing: one running stride is about 0.7 s, an estimate needs a few.
MIN_DURATION_S = 2.0


@dataclass
class Signal:
    """Columns from one file, in the file's units, before the shared checks.

    Attributes
    ----------
    path : str
        The file, as given (messages).
    t_s : ndarray, shape (n,)
        Time in seconds on the file's clock (not yet shifted to start at 0).
    acc : ndarray, shape (n, 3) or None
        Acceleration in ``acc_unit`` (None for a gyroscope-only file).
    gyr : ndarray, shape (n, 3) or None
        Angular rate in ``gyr_unit``.
    line_of : callable
        Data row index (0-based) -> 1-based line in the file.
    names : dict
        Role (``time``, ``acc_x`` ..., ``gyr_x`` ...) -> column name in the file, for messages.
    meta : dict
        ``format``, ``units``, ``device``, ``start_time`` ... as far as the file says.
    """

    path: str
    t_s: np.ndarray
    acc: np.ndarray | None
    acc_unit: str = "g"
    gyr: np.ndarray | None = None
    gyr_unit: str = "dps"
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    line_of: Callable[[int], int | None] = lambda row: row + 2
    names: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.t_s.shape[0])

    def where(self, row: int) -> str:
        """'line N' for text files, 'sample N' where lines do not apply (JSON)."""
        line = self.line_of(row)
        return f"sample {row}" if line is None else f"line {line}"


# -- time helpers ------------------------------------------------------------------------------
def seconds_from_numbers(values: np.ndarray, unit: str, meta: dict[str, Any] | None = None) -> np.ndarray:
    """Numeric time stamps in ``unit`` -> float64 seconds since the first stamp.

    The first stamp is subtracted in the input's own type (exact for integers and for the
    integer-valued floats of epoch milliseconds) before scaling, so epoch clocks keep full
    resolution. The raw first stamp is stored as ``meta['_origin'] = (value, unit)``: two files on
    one clock are aligned through it (:func:`align_gyro`), and :func:`finish` reports it.
    """
    scale = TIME_UNITS[unit]
    if values.size == 0:
        return np.zeros(0)
    first = values[0].item()
    if meta is not None:
        meta["_origin"] = (first, unit)
    if np.issubdtype(values.dtype, np.integer):
        return (values.astype(np.int64) - np.int64(first)).astype(np.float64) * scale
    return (np.asarray(values, dtype=np.float64) - float(first)) * scale


def _origin_s(meta: dict[str, Any]) -> float:
    value, unit = meta.get("_origin", (0, "s"))
    return float(value) * TIME_UNITS[unit] if np.isfinite(float(value)) else 0.0


def parse_datetimes(values: np.ndarray, path: str, column: str, line_of: Callable[[int], int]) -> np.ndarray:
    """ISO-8601 strings -> int64 nanoseconds since the epoch (naive times taken as they are)."""
    import pandas as pd

    s = pd.Series(values, dtype=object)
    dt = pd.to_datetime(s, format="ISO8601", errors="coerce")
    bad = dt.isna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(f"{values[row]!r} is not an ISO-8601 date-time", path=path,
                         line=line_of(row), column=column)
    if getattr(dt.dt, "tz", None) is not None:
        dt = dt.dt.tz_convert("UTC").dt.tz_localize(None)
    return dt.to_numpy(dtype="datetime64[ns]").astype(np.int64)


def iso_from_ns(ns: int, tz: timezone | None = None) -> str:
    """An ISO-8601 string for ``ns`` nanoseconds since the Unix epoch (UTC unless ``tz``)."""
    dt = datetime.fromtimestamp(ns // 1_000_000_000, tz=tz or UTC)
    dt = dt.replace(microsecond=(ns % 1_000_000_000) // 1000)
    return dt.isoformat() if tz is not None else dt.replace(tzinfo=None).isoformat()


# -- row checks --------------------------------------------------------------------------------
def _channels(sig: Signal) -> list[tuple[str, np.ndarray]]:
    out = [(sig.names.get("time", "time"), sig.t_s)]
    for key, arr in (("acc", sig.acc), ("gyr", sig.gyr)):
        if arr is not None:
            out += [(sig.names.get(f"{key}_{ax}", f"{key}_{ax}"), arr[:, j]) for j, ax in enumerate("xyz")]
    return out


def _check_finite(sig: Signal) -> None:
    first: tuple[int, str, np.ndarray] | None = None
    for name, col in _channels(sig):
        bad = ~np.isfinite(col)
        if bad.any():
            i = int(np.argmax(bad))
            if first is None or i < first[0]:
                first = (i, name, bad)
    if first is None:
        return
    i, name, bad = first
    run_end = i + (int(np.argmax(~bad[i:])) if (~bad[i:]).any() else int(bad.size - i))
    where = sig.where(i) if run_end - 1 == i else f"{sig.where(i)} to {sig.where(run_end - 1)}"
    total = int(bad.sum())
    raise InputError(
        f"NaN, infinite or empty value(s) in {where} ({run_end - i} row(s) in this run, {total} in the "
        "column); expected finite numbers (trim or repair those rows)",
        path=sig.path, line=sig.line_of(i), column=name)


def _same_as_next(arr: np.ndarray) -> np.ndarray:
    eq = (arr[1:] == arr[:-1]) | (np.isnan(arr[1:]) & np.isnan(arr[:-1]))
    return eq if eq.ndim == 1 else eq.all(axis=1)


def check_rows(sig: Signal) -> Signal:
    """Finite values, time strictly increasing; exact duplicate rows dropped with a warning.

    Raises
    ------
    InputError
        Non-finite value runs, time going backwards, or two rows with the same time stamp but
        different values (both lines named).
    """
    if sig.n == 0:
        raise InputError("no data rows after the header", path=sig.path)
    _check_finite(sig)
    t = sig.t_s
    dt = np.diff(t)
    dup = dt == 0
    exact = dup.copy()
    if dup.any():
        for arr in (sig.acc, sig.gyr, *sig.extra.values()):
            if arr is not None:
                exact &= _same_as_next(np.asarray(arr, dtype=np.float64))
    problem = (dt < 0) | (dup & ~exact)
    tcol = sig.names.get("time", "time")
    if problem.any():
        i = int(np.argmax(problem))
        if dt[i] < 0:
            raise InputError(
                f"time goes backwards: {_fmt_t(sig, i + 1)} comes after {_fmt_t(sig, i)} on "
                f"{sig.where(i)}; expected increasing time stamps", path=sig.path,
                line=sig.line_of(i + 1), column=tcol)
        raise InputError(
            f"{sig.where(i)} and {sig.where(i + 1)} have the same time stamp "
            f"({_fmt_t(sig, i)}) but different values", path=sig.path, line=sig.line_of(i + 1), column=tcol)
    if exact.any():
        drop = np.flatnonzero(exact) + 1
        msg = (f"{sig.path}: dropped {drop.size} exact duplicate row(s) (first on "
               f"{sig.where(int(drop[0]))})")
        warnings.warn(msg, UserWarning, stacklevel=3)
        keep = np.ones(sig.n, dtype=bool)
        keep[drop] = False
        kept_rows = np.flatnonzero(keep)
        old_line_of = sig.line_of
        sig = replace(
            sig, t_s=t[keep],
            acc=None if sig.acc is None else sig.acc[keep],
            gyr=None if sig.gyr is None else sig.gyr[keep],
            extra={k: np.asarray(v)[keep] for k, v in sig.extra.items()},
            line_of=lambda row: old_line_of(int(kept_rows[row])))
    return sig


def _fmt_t(sig: Signal, row: int) -> str:
    return f"{sig.t_s[row] - sig.t_s[0]:.6g} s"


# -- gyro from a second file -------------------------------------------------------------------
def align_gyro(acc_sig: Signal, gyr_sig: Signal) -> Signal:
    """Put a separately logged gyroscope on the accelerometer's time stamps.

    Only valid when both files share one clock (same device, or one app clock): the readers
    call this only then. The angular rate is linearly interpolated per axis; accelerometer rows
    outside the gyroscope's time span are dropped (with a warning) rather than extrapolated.
    """
    t_a = acc_sig.t_s
    t_g = gyr_sig.t_s
    a0, g0 = acc_sig.meta.get("_origin"), gyr_sig.meta.get("_origin")
    if a0 is not None and g0 is not None:
        # put the gyro on the acc file's origin; integer clocks subtract exactly
        (av, au), (gv, gu) = a0, g0
        if au != gu:
            raise InputError(f"time units differ between files ({au} vs {gu})", path=gyr_sig.path)
        t_g = t_g + float(gv - av) * TIME_UNITS[au]
    inside = (t_a >= t_g[0]) & (t_a <= t_g[-1])
    if not inside.any():
        raise InputError(f"the gyroscope file {gyr_sig.path} ({t_g[0]:.3f}-{t_g[-1]:.3f} s) does not "
                         f"overlap the accelerometer's time span ({t_a[0]:.3f}-{t_a[-1]:.3f} s)",
                         path=acc_sig.path)
    if not inside.all():
        n_out = int((~inside).sum())
        msg = (f"{acc_sig.path}: {n_out} accelerometer sample(s) outside the gyroscope file's time span "
               "were dropped")
        warnings.warn(msg, UserWarning, stacklevel=3)
    idx = np.flatnonzero(inside)
    t_in = t_a[idx]
    g = np.empty((idx.size, 3))
    scale = GYR_UNITS[gyr_sig.gyr_unit]
    for j in range(3):
        g[:, j] = np.interp(t_in, t_g, gyr_sig.gyr[:, j] * scale)
    old_line_of = acc_sig.line_of
    meta = dict(acc_sig.meta)
    meta["gyro_source"] = gyr_sig.path
    meta["units"] = {**meta.get("units", {}), "gyr": gyr_sig.meta.get("units", {}).get("gyr", gyr_sig.gyr_unit)}
    meta["gyro_aligned"] = "linear interpolation onto accelerometer time stamps (shared clock)"
    return replace(acc_sig, t_s=t_in, acc=acc_sig.acc[idx], gyr=g, gyr_unit="dps",
                   extra={k: np.asarray(v)[idx] for k, v in acc_sig.extra.items()},
                   names={**acc_sig.names, **{k: v for k, v in gyr_sig.names.items() if k.startswith("gyr")}},
                   line_of=lambda row: old_line_of(int(idx[row])), meta=meta)


# -- units -------------------------------------------------------------------------------------
#: Whole-recording mean |specific force|, in g, of a worn sensor. Over whole strides the body's
#: mean specific force is gravity (its momentum returns), and |f| does not depend on the frame, so
#: mean |f| >= |mean f| = 1 g for any placement and sensor rotation; the margin below 1 g covers
#: calibration error and a partial stride at the ends of a short file (a 150 ms flight read as
#: 0 g in a 2 s file lowers it by ~0.08 g). The upper bound is where values in m/s^2 would start
#: (0.8 g x 9.81 = 7.85): the fastest synthetic shoe (6 m/s, 210 spm) reads 6.5 g, a waist 1.0-1.5 g.
PLAUSIBLE_MEAN_G = (0.8, 7.5)
#: Least norm of the mean acceleration vector over a window, in g. With gravity in the signal the
#: window mean is gravity's projection averaged over the sensor's tilts (real shoe 1.1-1.7 g, phone
#: in a pocket >= 0.75 g, a swinging wrist >= 0.66 g); gravity-free "linear acceleration" averages
#: to ~0 (momentum), so 0.3 g separates the two with room on both sides.
MIN_GRAVITY_G = 0.3
#: Window (s) for the mean acceleration vector: several strides, short enough that a turn or a
#: change of posture does not average gravity away.
GRAVITY_WINDOW_S = 10.0
#: A "still" window (s) and its relative spread of |acc|: a sensor at rest reads |f| = 1 g.
STILL_WINDOW_S = 1.0
STILL_REL_SPREAD = 0.02
#: |acc| of still windows, in g: 1 g plus calibration error (cheap MEMS parts are within +-10 %).
PLAUSIBLE_STILL_G = (0.8, 1.25)


@dataclass(frozen=True)
class AccLevels:
    """Unit-free levels of an acceleration signal (in the file's numbers) for the units check.

    Attributes
    ----------
    mean_norm : float
        Mean of |acc| over the recording (>= 1 g for a worn sensor, see :data:`PLAUSIBLE_MEAN_G`).
    gravity : float
        Median over :data:`GRAVITY_WINDOW_S` windows of the norm of the window's mean vector.
    still : float or None
        Median |acc| over windows where the sensor was at rest, None when it never was.
    """

    mean_norm: float
    gravity: float
    still: float | None

    @classmethod
    def of(cls, t_s: np.ndarray, acc: np.ndarray) -> AccLevels:
        mag = np.sqrt(np.einsum("ij,ij->i", acc, acc))
        dt = float(np.median(np.diff(t_s))) if t_s.size > 1 else 1.0
        n_win = max(1, int(round(GRAVITY_WINDOW_S / dt))) if dt > 0 else acc.shape[0]
        starts = np.arange(0, acc.shape[0], n_win)
        sums = np.add.reduceat(acc, starts, axis=0)
        counts = np.diff(np.append(starts, acc.shape[0]))[:, None]
        full = counts[:, 0] >= n_win // 2  # a short tail window is left out unless it is all there is
        means = sums[full] / counts[full] if full.any() else sums / counts
        gravity = float(np.median(np.linalg.norm(means, axis=1)))
        n_still = max(3, int(round(STILL_WINDOW_S / dt))) if dt > 0 else 3
        still = None
        k = mag.size // n_still
        if k:
            blocks = mag[: k * n_still].reshape(k, n_still)
            level = blocks.mean(axis=1)
            quiet = (level > 0) & (blocks.std(axis=1) <= STILL_REL_SPREAD * level)
            if quiet.any():
                still = float(np.median(level[quiet]))
        return cls(float(mag.mean()), gravity, still)

    def fits(self, unit: str) -> bool:
        """Whether these levels are those of a worn sensor (with gravity) in ``unit``."""
        k = ACC_UNITS[unit]
        lo, hi = PLAUSIBLE_MEAN_G
        ok = lo <= self.mean_norm * k <= hi and self.gravity * k >= MIN_GRAVITY_G
        if ok and self.still is not None:
            ok = PLAUSIBLE_STILL_G[0] <= self.still * k <= PLAUSIBLE_STILL_G[1]
        return ok


def check_acc_units(sig: Signal) -> None:
    """The acceleration must look like specific force (with gravity) in the declared unit.

    Uses whole-recording levels rather than the median |acc|: a fast runner's pelvis reads ~0 g in
    flight, which can be most of the time, while the mean over whole strides is still 1 g.

    Raises
    ------
    InputError
        All-zero acceleration, values that look like another unit (names it and the override),
        or no gravity in the signal (gravity-free "linear acceleration").
    """
    acc = sig.acc
    cols = ", ".join(sig.names.get(f"acc_{ax}", f"acc_{ax}") for ax in "xyz")
    if not np.any(acc):
        raise InputError("the accelerometer reads exactly 0 on all three axes in every row: the sensor was "
                         "not sampling (or the columns are placeholders); expected specific force including "
                         "gravity (|acc| = 1 g at rest)", path=sig.path, column=cols)
    levels = AccLevels.of(sig.t_s, acc)
    declared = sig.acc_unit
    if levels.fits(declared):
        return
    name = ACC_UNIT_NAMES[declared]
    said = f"mean |acc| is {levels.mean_norm:.4g} {name}"
    if levels.still is not None:
        said += f", {levels.still:.4g} {name} at rest"
    fits = [u for u in ACC_UNITS if u != declared and levels.fits(u)]
    if fits:
        best = fits[0]
        raise InputError(
            f"implausible units: {said}; that looks like {ACC_UNIT_NAMES[best]} but the header says "
            f"{name} (pass {option('acc_unit', best)} if the data really is in {ACC_UNIT_NAMES[best]})",
            path=sig.path, column=cols)
    # with gravity the window mean is a sizeable part of the mean |acc|; without it, ~0
    no_gravity = levels.gravity < MIN_GRAVITY_G * levels.mean_norm
    hint = (f"; the mean acceleration vector is only {levels.gravity:.3g} {name}, so gravity is missing: "
            "gravity-free 'linear acceleration' cannot be analysed" if no_gravity else
            "; expected specific force including gravity. Gravity-free 'linear acceleration' cannot be "
            "analysed")
    raise InputError(
        f"implausible units: {said}, neither about 1 g nor about 9.81 m/s^2 (nor 1000 mg) over whole "
        f"strides{hint}", path=sig.path, column=cols)


def estimate_fs(t_s: np.ndarray) -> float:
    """Nominal sample rate (Hz) from the median interval, rounded to 9 significant digits.

    The rounding removes float noise from ``1 / median(diff(t))`` (so a 100 Hz file reads back as
    exactly 100.0), and is far below any real clock error.
    """
    return float(f"{1.0 / float(np.median(np.diff(t_s))):.9g}")


# -- the last step ----------------------------------------------------------------------------
def finish(sig: Signal, *, placement: str | None = None, side: str | None = None,
           fs: float | None = None, gyro: Signal | None = None) -> Recording:
    """Shared checks, unit conversion, and the Recording.

    Parameters
    ----------
    sig : Signal
        Accelerometer file content (optionally with gyroscope columns).
    placement, side, fs
        Passed to :class:`Recording` (``fs`` estimated from the time stamps when None).
    gyro : Signal, optional
        A separate gyroscope file on the same clock, aligned with :func:`align_gyro`.
    """
    sig = check_rows(sig)
    if gyro is not None:
        gyro = check_rows(gyro)
        sig = align_gyro(sig, gyro)
    duration = float(sig.t_s[-1] - sig.t_s[0]) if sig.n else 0.0
    if duration < MIN_DURATION_S:
        raise InputError(f"only {duration:.3g} s of data ({sig.n} samples); need at least "
                         f"{MIN_DURATION_S:g} s", path=sig.path)
    check_acc_units(sig)
    t0 = float(sig.t_s[0])
    t = sig.t_s - t0
    acc_g = sig.acc * ACC_UNITS[sig.acc_unit] if sig.acc_unit != "g" else sig.acc
    gyr = None
    if sig.gyr is not None:
        gyr = sig.gyr * GYR_UNITS[sig.gyr_unit] if sig.gyr_unit != "dps" else sig.gyr
    meta = dict(sig.meta)
    origin_s = _origin_s(meta) + t0
    meta.pop("_origin", None)
    meta["source"] = sig.path
    if origin_s != 0.0 and "start_time" not in meta:
        meta["t0_s"] = origin_s  # the file's own first time stamp, to map results back
    return Recording(t, acc_g, gyr, fs=estimate_fs(t) if fs is None else fs, placement=placement,
                     side=side, meta=meta, extra=sig.extra)
