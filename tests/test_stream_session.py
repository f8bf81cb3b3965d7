"""The stream's state machine with an injected fake Source (no BLE at all): analyzer plug-in,
backoff and giving up, duration trimming."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

import gaitlab.stream as gs
from gaitlab.stream.packets import ImuPacket
from gaitlab.stream.protocols import glf


class FakeSource(gs.Source):
    """Streams GLF-timed packets from a task; can lose the link and refuse reconnects."""

    def __init__(self, n_packets: int = 40, n: int = 20, fail_reconnects: int = 0) -> None:
        self.n_packets, self.n = n_packets, n
        self.fail_reconnects = fail_reconnects
        self.connects = 0
        self.connect_times: list[float] = []
        self._connected = False
        self._lost = asyncio.Event()

    name = "fake"  # type: ignore[assignment]
    service_uuids = frozenset({glf.SERVICE_UUID})  # type: ignore[assignment]

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def connect(self) -> None:
        self.connect_times.append(asyncio.get_running_loop().time())
        self.connects += 1
        if 1 < self.connects <= 1 + self.fail_reconnects:
            raise gs.StreamError("sensor not found (fake)")
        self._connected = True
        self._lost = asyncio.Event()

    async def disconnect(self) -> None:
        self._connected = False
        self._lost.set()

    def lose_link(self) -> None:
        self._connected = False
        self._lost.set()

    async def read(self, uuid: str) -> bytes:
        raise AssertionError("not used")

    async def write(self, uuid: str, data: bytes, *, response: bool = True) -> None:
        pass

    async def subscribe(self, uuid: str, handler) -> None:
        pass

    async def wait_disconnected(self) -> None:
        await self._lost.wait()


class FakeProfile(gs.Profile):
    name = "fake"
    service_uuid = glf.SERVICE_UUID
    timing = glf.TIMING
    fs_hz = 100.0

    def __init__(self) -> None:
        self.seq = 0

    async def start(self, source: FakeSource, sink) -> None:
        async def feed():
            for _ in range(source.n_packets):
                k = self.seq * source.n
                acc = np.column_stack([np.arange(k, k + source.n), np.zeros(source.n), np.ones(source.n)])
                sink(ImuPacket(int(k * 1e4), acc.astype(float), seq=self.seq, fs_hz=100.0))
                self.seq += 1
                await asyncio.sleep(0)

        asyncio.get_running_loop().create_task(feed())


class StepAnalyzer:
    """Pretends a step every 50 samples, alternating sides, GCT 250 (L) / 230 (R) ms."""

    def __init__(self) -> None:
        self.n = 0

    def push(self, t_s, acc_g, gyr_dps):
        rows = []
        for _ in range(len(t_s)):
            self.n += 1
            if self.n % 50 == 0:
                left = (self.n // 50) % 2 == 0
                rows.append({"ic_s": float(t_s[-1]), "side": "L" if left else "R", "gct_ms": 250.0 if left else 230.0,
                             "step_time_ms": 500.0, "vo_cm": 8.0, "valid": True})
        return rows


async def test_analyzer_rows_fill_the_update_and_duration_trims():
    src = FakeSource(n_packets=40, n=20)
    assert isinstance(StepAnalyzer(), gs.LiveAnalyzer)
    stream = gs.connect(source=src, profile=FakeProfile(), analyzer=StepAnalyzer(), duration_s=7.0)
    steps = []
    async with stream:
        async for u in stream:
            steps.extend(u.steps)
    assert u.n_samples == 700 and u.t_s == pytest.approx(6.99)  # samples at t >= 7 s are not delivered
    assert len(steps) == 14
    assert u.cadence_median_spm == pytest.approx(120.0) and u.gct_median_ms == pytest.approx(240.0)
    assert u.vo_median_cm == 8.0 and u.gct_balance_median_left_pct == pytest.approx(100 * 250 / 480)
    assert (u.cadence_spm, u.balance_left_pct) == (u.cadence_median_spm, u.gct_balance_median_left_pct)  # old names


async def test_reconnect_backs_off_exponentially_then_gives_up():
    src = FakeSource(n_packets=5, fail_reconnects=10)
    stream = gs.connect(source=src, profile=FakeProfile(), backoff_s=(0.02, 0.1), max_reconnect_attempts=4)
    async with stream:
        await asyncio.sleep(0.05)
        src.lose_link()
        with pytest.raises(gs.StreamError, match="gave up reconnecting to fake after 4 attempts"):
            async for _ in stream:
                pass
    waits = np.diff(src.connect_times[1:])
    assert src.connects == 5 and np.all(waits >= np.array([0.04, 0.08, 0.1]) * 0.9)


async def test_reconnect_succeeds_and_resumes():
    src = FakeSource(n_packets=10, fail_reconnects=1)
    prof = FakeProfile()
    stream = gs.connect(source=src, profile=prof, backoff_s=(0.01, 0.05), idle_timeout_s=0.3)
    async with stream:
        await asyncio.sleep(0.05)
        src.lose_link()
        prof.seq += 5  # the sensor kept measuring while disconnected: 5 packets never sent
        updates = [u async for u in stream]
    u = updates[-1]
    assert u.reconnects == 1 and u.n_samples == 400 and u.n_lost == 100 and len(u.gaps) == 1
