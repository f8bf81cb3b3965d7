"""Helpers shared by the live-analyzer tests: chunked streaming and live-vs-batch comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd

import gaitlab


def stream_in_chunks(rec: gaitlab.Recording, live, seed: int, max_chunk: int = 80,
                     emitted_at: list[float] | None = None) -> list[dict]:
    """Push ``rec`` through ``live`` in chunks of random sizes (1..max_chunk samples), then finish.

    ``emitted_at`` (optional) receives, per row, the stream time at which it was emitted.
    """
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    i = 0
    while i < rec.n_samples:
        k = int(rng.integers(1, max_chunk + 1))
        gyr = None if rec.gyr is None else rec.gyr[i:i + k]
        new = live.push(rec.t[i:i + k], rec.acc[i:i + k], gyr)
        if emitted_at is not None:
            emitted_at += [float(rec.t[min(i + k, rec.n_samples) - 1])] * len(new)
        rows += new
        i += k
    rows += live.finish()
    return rows


def assert_same_rows(rows: list[dict], batch: pd.DataFrame, tol: dict) -> None:
    """Same rows as the batch table (count, sides, validity, activity); metrics within ``tol``:
    per column an absolute bound, or a (95th percentile, maximum) pair."""
    live = pd.DataFrame(rows)
    assert len(live) == len(batch), f"{len(live)} live rows vs {len(batch)} batch rows"
    assert list(live["side"]) == list(batch["side"])
    assert list(live["valid"]) == list(batch["valid"].astype(bool))
    assert list(live["activity"]) == list(batch["activity"])
    for name, bound in tol.items():
        x, y = live[name].to_numpy(float), batch[name].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=name)
        d = np.abs(x - y)[np.isfinite(x)]
        p95, top = (bound, bound) if np.isscalar(bound) else bound
        assert np.percentile(d, 95) <= p95 and d.max() <= top, \
            f"{name}: p95 {np.percentile(d, 95):.3g} (<= {p95}), max {d.max():.3g} (<= {top})"


async def collect_updates(stream, sensor, on_update=None) -> list:
    """All updates of ``stream`` until the emulated ``sensor`` has sent everything, then close.

    ``on_update(update)`` (an async callable, optional) runs for each update, e.g. to force a
    disconnect mid-run.
    """
    import asyncio

    async def stop_when_done():
        await sensor.finished.wait()
        await asyncio.sleep(0.2)
        await stream.close()

    updates = []
    async with stream:
        stopper = asyncio.create_task(stop_when_done())
        async for u in stream:
            updates.append(u)
            if on_update is not None:
                await on_update(u)
        await stopper
    return updates
