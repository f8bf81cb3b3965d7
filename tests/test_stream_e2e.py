"""End to end through real bleak calls: BleakScanner/BleakClient with the bumble backend, a virtual
radio and emulated sensors (gaitlab.testing). Each run streams 30 s of signal at 10x speed with
injected loss, a duplicate, a swapped pair and a forced disconnect, and checks that the recorded
file equals the source samples except the gaps it marks."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

import gaitlab
import gaitlab.stream as gs
from gaitlab.stream.blocking import LoopThread
from gaitlab.stream.source import StreamError

pytest.importorskip("bumble")
from gaitlab.testing import (  # noqa: E402
    Faults,
    FootpodEmulator,
    GaitlabSensorEmulator,
    MovesenseEmulator,
    PolarH10Emulator,
    VirtualRadio,
    transport_signal,
)

SPEED = 10.0
# kind -> (emulator, source rate Hz, acc tolerance g, time tolerance s, extra emulator kwargs)
CASES = {
    "polar": (PolarH10Emulator, 200.0, 0.0005 + 1e-6, 2e-6, {}),
    "polar-compressed": (PolarH10Emulator, 200.0, 2.44e-4 / 2 + 2e-6, 2e-6, {"compressed": True}),
    "movesense": (MovesenseEmulator, 208.0, 2e-6, 1e-3, {}),
    "gaitlab": (GaitlabSensorEmulator, 200.0, 16 / 32768 / 2 + 2e-6, 2e-6, {"clock_start_us": 2**32 - 4_000_000}),
}


def _backends(radio: VirtualRadio) -> dict:
    return {"scanner_backend": radio.scanner_backend, "client_backend": radio.client_backend}


async def _stream_until_finished(sensor, stream, disconnect_at_s: float | None):
    updates = []
    dropped = False

    async def stop_when_done():
        await sensor.finished.wait()
        await asyncio.sleep(0.2)  # let the last notifications arrive
        await stream.close()

    stopper = asyncio.create_task(stop_when_done())
    async for u in stream:
        updates.append(u)
        if disconnect_at_s is not None and not dropped and u.t_s > disconnect_at_s:
            dropped = True
            await sensor.drop_connections()
    await stopper
    return updates


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where mask is True."""
    d = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


@pytest.mark.parametrize("kind", list(CASES))
async def test_stream_records_source_except_marked_gaps(kind, tmp_path):
    cls, fs, acc_tol, t_tol, extra = CASES[kind]
    t, acc, _ = transport_signal(30.0, fs, seed=1)
    radio = VirtualRadio()
    sensor = cls(radio, t, acc, speed=SPEED, faults=Faults(drop={20}, duplicate={35}, swap={50}), **extra)
    await sensor.start()
    out = tmp_path / "rec.csv"
    stream = gs.connect(sensor.name, record=out, backoff_s=(0.05, 0.5), **_backends(radio))
    async with stream:
        assert stream.profile.name == kind.split("-")[0]
        updates = await _stream_until_finished(sensor, stream, disconnect_at_s=15.0)
    await sensor.close()

    last = updates[-1]
    assert last.reconnects == 1 and stream.timeline.n_duplicates == 1 and stream.timeline.n_reordered == 1
    rec = gaitlab.read(out)
    # map every recorded sample back to its source index through its sensor time
    idx = np.rint(rec.t * fs).astype(int)
    assert np.all(np.diff(idx) > 0), "samples out of order or duplicated"
    np.testing.assert_allclose(rec.t, t[idx], atol=t_tol)
    np.testing.assert_allclose(rec.acc, acc[idx], atol=acc_tol)
    missing = np.ones(len(t), bool)
    missing[idx] = False
    missing[idx[-1] + 1:] = False  # after the end of the stream
    runs = _runs(missing)
    # one dropped notification and one disconnected span, each an explicit gap, nothing else
    assert len(runs) == 2 and len(rec.gaps) == 2 and len(last.gaps) == 2
    n_drop = runs[0][1] - runs[0][0]
    assert n_drop == sensor.samples_per_packet  # exactly one packet's samples
    for (a, b), gap, live_gap in zip(runs, rec.gaps, last.gaps):
        assert gap[0] == pytest.approx(t[a - 1], abs=max(t_tol, 1e-5))
        assert gap[1] == pytest.approx(t[b], abs=max(t_tol, 1e-5))
        assert live_gap == pytest.approx(tuple(gap), abs=1e-5)
    assert last.n_lost == int(missing.sum())
    assert last.n_samples == rec.n_samples
    assert stream.clock.slope == pytest.approx(1 / SPEED, rel=0.5)  # host s per sensor s (emulator may lag)


async def test_gyro_streams_movesense_imu6_and_glf(tmp_path):
    t, acc, gyr = transport_signal(6.0, 208.0, gyro=True, seed=2)
    radio = VirtualRadio()
    ms = MovesenseEmulator(radio, t, acc, gyr, speed=SPEED)
    glf = GaitlabSensorEmulator(radio, t, acc, gyr, speed=SPEED, address="D1:A7:5E:00:00:02", name="GaitGyro")
    for s in (ms, glf):
        await s.start()
    for sensor, profile, tol in ((ms, gs.MovesenseProfile(208, gyro=True), 1e-4),
                                 (glf, gs.GlfProfile(208, gyro=True, gyro_range_dps=2000), 2000 / 32768)):
        out = tmp_path / f"{sensor.name}.csv"
        stream = gs.connect(sensor.name, profile=profile, record=out, **_backends(radio))
        async with stream:
            await _stream_until_finished(sensor, stream, None)
        rec = gaitlab.read(out)
        idx = np.rint(rec.t * 208.0).astype(int)
        assert rec.has_gyro and len(rec.gaps) == 0 and rec.n_samples == len(t)
        np.testing.assert_allclose(rec.gyr, gyr[idx], atol=tol)
    for s in (ms, glf):
        await s.close()


async def test_scan_lists_sensors_by_service_and_name():
    t, acc, _ = transport_signal(2.0, 100.0)
    radio = VirtualRadio()
    sensors = [PolarH10Emulator(radio, t, acc), MovesenseEmulator(radio, t, acc),
               GaitlabSensorEmulator(radio, t, acc), FootpodEmulator(radio, t)]
    for s in sensors:
        await s.start()
    found = await gs.scan(0.5, scanner_backend=radio.scanner_backend)
    by_name = {f.name: f.profiles for f in found}
    assert by_name == {"Polar H10 0A1B2C3D": ("polar",), "Movesense 224830000123": ("movesense",),
                       "GaitSim": ("gaitlab",), "Stride": ("rsc",)}
    for s in sensors:
        await s.close()


async def test_footpod_summaries_and_sensor_errors(tmp_path):
    t = np.arange(0, 60, 0.01)
    radio = VirtualRadio()
    pod = FootpodEmulator(radio, t, speed=20.0, speed_mps=np.full(t.size, 3.25))
    await pod.start()
    async with gs.connect("Stride", **_backends(radio)) as stream:
        assert stream.profile.name == "rsc"
        async for u in stream:
            if u.speed_mps is not None:
                break
    assert u.speed_mps == pytest.approx(3.25, abs=1 / 256) and u.footpod_cadence_per_min == 172
    with pytest.raises(StreamError, match="nothing to record"):
        async with gs.connect("Stride", record=tmp_path / "x.csv", **_backends(radio)):
            pass
    await pod.close()
    # a PMD start the sensor refuses surfaces as a typed error naming the status
    t2, acc, _ = transport_signal(2.0, 100.0)
    h10 = PolarH10Emulator(radio, t2, acc)
    await h10.start()
    with pytest.raises(StreamError, match="invalid sample rate"):
        async with gs.connect(h10.name, profile=gs.PolarProfile(sample_rate_hz=130), **_backends(radio)):
            pass
    with pytest.raises(gaitlab.SensorNotFoundError):
        async with gs.connect("Nobody", **_backends(radio), source=gs.BleakSource(
                "Nobody", scan_timeout_s=0.3, **_backends(radio))):
            pass
    await h10.close()


async def test_blocking_wrapper_works_inside_a_running_loop():
    """Like Jupyter: a loop is running here, asyncio.run() is forbidden, the wrapper still works."""
    coro = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="running event loop"):
        asyncio.run(coro)
    coro.close()

    def script() -> list:
        lt = LoopThread()

        async def setup():
            radio = VirtualRadio()
            t, acc, _ = transport_signal(4.0, 200.0)
            sensor = GaitlabSensorEmulator(radio, t, acc, speed=SPEED)
            await sensor.start()
            return radio, sensor

        radio, sensor = lt.run(setup())
        seen = []
        with gs.connect_blocking(sensor.name, loop=lt, duration_s=3.0, **_backends(radio)) as s:
            for u in s:
                seen.append(u)
        lt.run(sensor.close())
        lt.stop()
        return seen

    seen = await asyncio.to_thread(script)
    assert seen[-1].t_s == pytest.approx(3.0 - 1 / 200.0, abs=1e-6) and seen[-1].n_samples == 600


def test_cli_stream_emulate_records_the_source(tmp_path, capsys):
    from gaitlab.cli import main

    t, acc, _ = transport_signal(8.0, 200.0, seed=4)
    src = tmp_path / "src.csv"
    gaitlab.write(gaitlab.Recording(t, acc), src)
    out = tmp_path / "out.csv"
    code = main(["stream", "--emulate", "polar-h10", "--source", str(src), "--speed", "20",
                 "--record", str(out)])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("emulating Polar H10") and "samples=1600" in lines[-2]
    rec = gaitlab.read(out)
    np.testing.assert_allclose(rec.acc, acc, atol=0.0005 + 1e-6)
