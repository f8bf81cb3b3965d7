"""Crash safety: a real `gaitlab stream` process recording from an emulated sensor is SIGKILLed
mid-run; the file it leaves opens with gaitlab.read and holds every sample up to the last flush."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

import gaitlab

pytest.importorskip("bumble")
from gaitlab.testing import transport_signal  # noqa: E402


def _complete_rows(path) -> int:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    return max(data.count(b"\n") - 1, 0)  # minus the header


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_leaves_a_readable_recording(tmp_path):
    fs = 200.0
    t, acc, _ = transport_signal(30.0, fs, seed=5)
    src = tmp_path / "src.csv"
    gaitlab.write(gaitlab.Recording(t, acc), src)
    out = tmp_path / "live.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gaitlab", "-q", "stream", "--emulate", "gaitlab", "--source", str(src),
         "--speed", "4", "--record", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 30
        while _complete_rows(out) < 800 and time.monotonic() < deadline:  # 4 s of signal on disk
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        rows_seen = _complete_rows(out)
        assert rows_seen >= 800, "the recorder never flushed"
        time.sleep(1.3)  # more than one flush interval: these rows must be on disk too
        rows_before_kill = _complete_rows(out)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert rows_before_kill > rows_seen + 0.25 * fs * 4  # at least one more flush reached the disk
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a cut last line is skipped with a warning
        rec = gaitlab.read(out)
    assert rec.n_samples >= rows_before_kill
    idx = np.rint(rec.t * fs).astype(int)
    np.testing.assert_array_equal(idx, np.arange(rec.n_samples))  # no gap, nothing invented
    np.testing.assert_allclose(rec.acc, acc[idx], atol=16 / 32768 / 2 + 2e-6)
