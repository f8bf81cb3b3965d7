"""Crash-safe recording of a live stream to the generic CSV (``time_s,acc_x_g,…``).

Rows are appended as blocks arrive and the file is flushed to the OS at least every
``flush_interval_s``, so a killed process (SIGKILL, power to the laptop aside) leaves a file that
``gaitlab.read`` opens with everything up to the last flush; at worst the last line is cut short,
which the reader skips with a warning. Lost samples are simply absent rows: ``Recording.gaps``
finds them from the time column. Nothing is ever interpolated.
"""

from __future__ import annotations

import io
import logging
import os
import time
from pathlib import Path

import numpy as np

from ..recording import ACC_COLUMNS, GYR_COLUMNS, TIME_COLUMN

__all__ = ["CsvRecorder"]

log = logging.getLogger(__name__)


class CsvRecorder:
    """Append samples to a generic-CSV file, flushing at least every ``flush_interval_s``.

    Parameters
    ----------
    path : str or Path
        Output file; replaced if it exists.
    gyro : bool
        Whether to write the three gyroscope columns (deg/s).
    flush_interval_s : float
        Longest time written rows may sit in the process's buffer (s).
    fsync : bool
        Also ask the OS to put the data on disk at each flush (survives power loss, costs I/O).
    """

    def __init__(self, path: str | os.PathLike[str], *, gyro: bool, flush_interval_s: float = 1.0,
                 fsync: bool = False) -> None:
        self.path = Path(path)
        self.gyro = bool(gyro)
        self.flush_interval_s = float(flush_interval_s)
        self.fsync = fsync
        self.n_rows = 0
        self._file = open(self.path, "w", encoding="ascii", newline="\n")  # noqa: SIM115 - long-lived
        header = [TIME_COLUMN, *ACC_COLUMNS, *(GYR_COLUMNS if self.gyro else ())]
        self._file.write(",".join(header) + "\n")
        self._fmt = "%.6f,%.6f,%.6f,%.6f" + (",%.4f,%.4f,%.4f" if self.gyro else "")
        self._last_flush = time.monotonic()
        self.flush()

    def write(self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray | None = None) -> None:
        """Append samples (times in s, acceleration in g, angular rate in deg/s)."""
        if self._file.closed:
            raise ValueError(f"recording {self.path} is closed")
        cols = [np.asarray(t_s, np.float64)[:, None], np.asarray(acc_g, np.float64)]
        if self.gyro:
            if gyr_dps is None:
                gyr_dps = np.full((len(t_s), 3), np.nan)  # shape kept; should not happen mid-stream
            cols.append(np.asarray(gyr_dps, np.float64))
        buf = io.StringIO()
        np.savetxt(buf, np.hstack(cols), fmt=self._fmt)
        self._file.write(buf.getvalue())
        self.n_rows += len(t_s)
        self.maybe_flush()

    def maybe_flush(self) -> None:
        """Flush if the last flush is ``flush_interval_s`` or more ago."""
        if time.monotonic() - self._last_flush >= self.flush_interval_s:
            self.flush()

    def flush(self) -> None:
        if self._file.closed:
            return
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())
        self._last_flush = time.monotonic()

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            self._file.close()
            log.info("recorded %d samples to %s", self.n_rows, self.path)

    def __enter__(self) -> CsvRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
