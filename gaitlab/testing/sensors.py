"""Emulated BLE sensors: real bumble GATT servers that play back a recording on a virtual radio.

Each emulator speaks its vendor's protocol with the same encoders the decoders are tested against
(:mod:`gaitlab.stream.protocols`), on its own sensor clock: sample ``k`` of the source is
"measured" at sensor time ``t[k] - t[0]`` after power-on, and the clock runs ``speed`` times faster
than the host's, so 30 s of signal can stream in 3 s. Like real sensors they stream only after
the start command, stop on disconnect, and keep their clock running meanwhile (the samples of a
disconnected span are lost). Faults are injected on demand: dropped, duplicated and swapped
notifications, and peripheral-side disconnects.

``PolarH10Emulator`` (PMD, raw or delta-compressed frames), ``MovesenseEmulator`` (GSP, Acc or
IMU6), ``GaitlabSensorEmulator`` (GLF v1 plus the standard RSC service), ``FootpodEmulator``
(RSC only).
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from bumble.core import UUID, AdvertisingData
from bumble.gatt import Characteristic, CharacteristicValue, Service

from ..stream.packets import RscMeasurement
from ..stream.protocols import glf, gsp, pmd, rsc
from .radio import VirtualRadio, new_device

__all__ = ["Faults", "EmulatedSensor", "PolarH10Emulator", "MovesenseEmulator", "GaitlabSensorEmulator",
           "FootpodEmulator", "EMULATORS"]

log = logging.getLogger(__name__)

_P = Characteristic.Properties
_READ, _WRITE = Characteristic.READABLE, Characteristic.WRITEABLE


@dataclass
class Faults:
    """Notification faults to inject, per data packet (the sensor's clock and counters still advance).

    Attributes
    ----------
    drop : set of int
        Indices (0-based, counted over the whole run) of data packets never sent.
    duplicate : set of int
        Packets sent twice.
    swap : set of int
        Packets sent after the packet that follows them.
    drop_prob : float
        Additional i.i.d. drop probability.
    seed : int
        Seed of the random drops.
    """

    drop: set[int] = field(default_factory=set)
    duplicate: set[int] = field(default_factory=set)
    swap: set[int] = field(default_factory=set)
    drop_prob: float = 0.0
    seed: int = 0


def _adv(name: str, uuids16: tuple[int, ...] = (), uuid128: str | None = None) -> bytes:
    # bumble's virtual controller answers scans with the advertising data itself, so name and
    # service UUIDs must all fit the 31-byte advertising data
    fields: list[tuple[int, bytes]] = [(AdvertisingData.FLAGS, bytes([0x06])),
                                       (AdvertisingData.COMPLETE_LOCAL_NAME, name.encode())]
    if uuids16:
        fields.append((AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
                       b"".join(struct.pack("<H", u) for u in uuids16)))
    if uuid128 is not None:
        fields.append((AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
                       bytes(reversed(bytes.fromhex(uuid128.replace("-", ""))))))
    data = bytes(AdvertisingData(fields))
    if len(data) > 31:
        raise ValueError(f"advertising data for {name!r} is {len(data)} bytes, over the 31-byte limit")
    return data


class EmulatedSensor:
    """Base class: a bumble peripheral that plays back samples on its own (accelerated) clock.

    Parameters
    ----------
    radio : VirtualRadio
        The virtual air to advertise on.
    t_s : array_like, shape (n,)
        Source sample times (s); only differences matter.
    acc_g : array_like, shape (n, 3)
        Specific force (g) to send.
    gyr_dps : array_like, shape (n, 3), optional
        Angular rate (deg/s), for emulators that send it.
    name, address : str
        Advertised name and address.
    speed : float
        Sensor-clock seconds per host second (10 = ten times faster than real time).
    faults : Faults, optional
        Notification faults to inject.
    speed_mps : array_like, shape (n,), optional
        Running speed per sample (m/s) for the RSC footpod service, where emulated.
    """

    #: samples per notification (subclasses set it for their protocol)
    samples_per_packet = 36
    rsc = False

    def __init__(self, radio: VirtualRadio, t_s: Any, acc_g: Any, gyr_dps: Any = None, *, name: str,
                 address: str, speed: float = 1.0, faults: Faults | None = None,
                 speed_mps: Any = None) -> None:
        t = np.asarray(t_s, dtype=np.float64)
        self.t_s = t - t[0]
        self.acc_g = np.asarray(acc_g, dtype=np.float64)
        self.gyr_dps = None if gyr_dps is None else np.asarray(gyr_dps, dtype=np.float64)
        self.speed_mps = None if speed_mps is None else np.asarray(speed_mps, dtype=np.float64)
        self.fs_hz = float(1.0 / np.median(np.diff(self.t_s)))
        self.name = name
        self.speed = float(speed)
        self.faults = faults or Faults()
        self._rng = np.random.default_rng(self.faults.seed)
        self.device = new_device(radio.link, name, address)
        self.finished = asyncio.Event()  # set when the source has been played to its end
        self.packets_sent = 0
        self.packet_index = 0  # counts every packet made, sent or dropped
        self.connections = 0
        self._boot = 0.0
        self._play_offset: float | None = None  # sensor time of source sample 0
        self._stream_task: asyncio.Task[None] | None = None
        self._rsc_task: asyncio.Task[None] | None = None
        self._held: bytes | None = None
        self.data_char: Characteristic[Any] | None = None
        self.rsc_char: Characteristic[Any] | None = None
        self.device.on("connection", self._on_connection)
        self._build()
        if self.rsc:
            self._add_rsc()

    # -- subclass hooks ------------------------------------------------------------------------------
    def _build(self) -> None:
        raise NotImplementedError

    def _frames(self, k0: int, k1: int) -> list[bytes]:
        """Notifications carrying source samples ``k0..k1-1``."""
        raise NotImplementedError

    # -- clock and lifecycle ----------------------------------------------------------------------
    def sensor_time(self) -> float:
        """Seconds on the sensor clock since power-on."""
        return (time.monotonic() - self._boot) * self.speed

    def sample_time(self, k: int) -> float:
        """Sensor time (s since power-on) at which source sample ``k`` is measured."""
        return (self._play_offset or 0.0) + float(self.t_s[k])

    def _playback_index(self) -> int:
        """Index of the first source sample not yet measured."""
        return int(np.searchsorted(self.t_s, self.sensor_time() - (self._play_offset or 0.0), side="left"))

    async def start(self) -> None:
        """Power on (the sensor clock starts) and advertise."""
        await self.device.power_on()
        self._boot = time.monotonic()
        await self.device.start_advertising(auto_restart=True, advertising_interval_min=20,
                                            advertising_interval_max=20)

    async def close(self) -> None:
        for task in (self._stream_task, self._rsc_task):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in (self._stream_task, self._rsc_task) if t), return_exceptions=True)
        await self.drop_connections()

    async def drop_connections(self) -> None:
        """Peripheral-side disconnect (walking out of range, a reboot)."""
        for conn in list(self.device.connections.values()):
            try:
                await conn.disconnect()
            except Exception as exc:  # already going away
                log.debug("disconnect: %s", exc)

    def _on_connection(self, connection: Any) -> None:
        self.connections += 1
        connection.on("disconnection", lambda reason: self._stop_streaming())

    def _cancel_tasks(self) -> None:
        for task in (self._stream_task, self._rsc_task):
            if task is not None:
                task.cancel()
        self._stream_task = self._rsc_task = None
        self._held = None

    def _stop_streaming(self) -> None:
        self._cancel_tasks()

    def _start_streaming(self) -> None:
        self._cancel_tasks()
        k = self._playback_index()
        if self._play_offset is None:
            # the run starts with the first start command; later starts resume where the clock is
            self._play_offset = self.sensor_time()
            k = 0
        loop = asyncio.get_running_loop()
        self._stream_task = loop.create_task(self._stream(k))
        if self.rsc_char is not None:
            self._rsc_task = loop.create_task(self._stream_rsc())

    async def _sleep_until(self, sensor_t: float) -> None:
        delay = (sensor_t - self.sensor_time()) / self.speed
        if delay > 0:
            await asyncio.sleep(delay)

    async def _stream(self, k: int) -> None:
        """Send source samples from ``k`` on (those measured before the start command are gone)."""
        assert self.data_char is not None
        n_total = len(self.t_s)
        try:
            while k < n_total:
                k1 = min(k + self.samples_per_packet, n_total)
                await self._sleep_until(self.sample_time(k1 - 1))
                for frame in self._frames(k, k1):
                    await self._send(frame)
                k = k1
            if self._held is not None:
                await self.device.notify_subscribers(self.data_char, self._held)
                self._held = None
            self.finished.set()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the link went away under us
            log.debug("%s streaming stopped: %s", self.name, exc)

    async def _send(self, frame: bytes) -> None:
        assert self.data_char is not None
        i = self.packet_index
        self.packet_index += 1
        f = self.faults
        if i in f.drop or (f.drop_prob and self._rng.random() < f.drop_prob):
            return
        if i in f.swap and self._held is None:
            self._held = frame
            return
        await self.device.notify_subscribers(self.data_char, frame)
        self.packets_sent += 1
        if i in f.duplicate:
            await self.device.notify_subscribers(self.data_char, frame)
        if self._held is not None:
            held, self._held = self._held, None
            await self.device.notify_subscribers(self.data_char, held)

    # -- RSC footpod service --------------------------------------------------------------------------
    def _add_rsc(self) -> None:
        self.rsc_char = Characteristic(UUID(rsc.MEASUREMENT_UUID), _P.NOTIFY, _READ, b"")
        feature = Characteristic(UUID(rsc.FEATURE_UUID), _P.READ, _READ, rsc.encode_feature())
        self.device.add_service(Service(UUID(rsc.SERVICE_UUID), [self.rsc_char, feature]))

    async def _stream_rsc(self) -> None:
        assert self.rsc_char is not None
        distance = 0.0
        try:
            while True:
                await asyncio.sleep(1.0 / self.speed)  # about once a second of sensor time
                k = min(self._playback_index(), len(self.t_s) - 1)
                v = float(self.speed_mps[k]) if self.speed_mps is not None else 3.5
                distance += v
                m = RscMeasurement(v, 172, round(2 * v * 60 / 172, 2), round(distance, 1), v > 2.0)
                await self.device.notify_subscribers(self.rsc_char, rsc.encode_measurement(m))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("%s RSC stopped: %s", self.name, exc)


class PolarH10Emulator(EmulatedSensor):
    """A Polar H10 accelerometer over PMD (``compressed=True`` sends Verity-style delta frames).

    Timestamps are ns since 2000-01-01 of each frame's last sample, on a clock set at power-on to
    the host's wall clock. Start commands with a sample rate other than 25/50/100/200 Hz get status
    8 (invalid sample rate); a second start while streaming gets 6 (already in state).
    """

    samples_per_packet = 36
    RATES_HZ = (25, 50, 100, 200)

    def __init__(self, radio: VirtualRadio, t_s: Any, acc_g: Any, gyr_dps: Any = None, *,
                 name: str = "Polar H10 0A1B2C3D", address: str = "D2:00:00:00:00:10",
                 compressed: bool = False, factor: float = 2.44e-4, **kwargs: Any) -> None:
        self.compressed = compressed
        self.factor = factor if compressed else 1.0
        self._epoch_ns = int((time.time() - pmd.POLAR_EPOCH_UNIX_S) * 1e9)
        self.streaming = False
        super().__init__(radio, t_s, acc_g, None, name=name, address=address, **kwargs)

    def _build(self) -> None:
        self.control = Characteristic(
            UUID(pmd.CONTROL_UUID), _P.READ | _P.WRITE | _P.INDICATE, _READ | _WRITE,
            CharacteristicValue(read=lambda _c: pmd.encode_features([pmd.MEAS_ECG, pmd.MEAS_ACC]),
                                write=self._on_control))
        self.data_char = Characteristic(UUID(pmd.DATA_UUID), _P.NOTIFY, _READ, b"")
        self.device.add_service(Service(UUID(pmd.SERVICE_UUID), [self.control, self.data_char]))
        self.device.advertising_data = _adv(self.name, (0x180D,))  # H10 advertises heart rate only

    def _on_control(self, _connection: Any, value: bytes) -> None:
        op, meas, settings = pmd.decode_command(bytes(value))
        status, reply = 0, {}
        if meas != pmd.MEAS_ACC:
            status = 3  # not supported (only ACC is emulated)
        elif op == pmd.OP_START:
            rate = int(settings.get(pmd.SET_SAMPLE_RATE, [0])[0])
            if self.streaming:
                status = 6
            elif rate not in self.RATES_HZ:
                status = 8
            else:
                self.streaming = True
                if self.compressed:
                    reply = {pmd.SET_FACTOR: [self.factor]}
                self._start_streaming()
        elif op == pmd.OP_STOP:
            self.streaming = False
            self._stop_streaming()
        asyncio.get_running_loop().create_task(
            self.device.indicate_subscribers(self.control, pmd.encode_response(op, meas, status, reply)))

    def _stop_streaming(self) -> None:
        self.streaming = False
        super()._stop_streaming()

    def _frames(self, k0: int, k1: int) -> list[bytes]:
        ts = self._epoch_ns + int(round(self.sample_time(k1 - 1) * 1e9))
        return [pmd.encode_acc_frame(ts, self.acc_g[k0:k1] * 1000.0, compressed=self.compressed,
                                     factor=self.factor)]



class MovesenseEmulator(EmulatedSensor):
    """A Movesense sensor with the ``gatt_sensordata_app`` firmware (GSP; Acc or IMU6).

    Timestamps are ms since power-on of each packet's first sample. Subscriptions to paths other
    than ``/Meas/Acc/<rate>`` or ``/Meas/IMU6/<rate>`` get status 404.
    """

    def __init__(self, radio: VirtualRadio, t_s: Any, acc_g: Any, gyr_dps: Any = None, *,
                 name: str = "Movesense 224830000123", address: str = "D3:00:00:00:00:20",
                 max_payload: int = 244, **kwargs: Any) -> None:
        self.max_payload = max_payload
        self._ref = 0
        self._resource: gsp.Resource | None = None
        super().__init__(radio, t_s, acc_g, gyr_dps, name=name, address=address, **kwargs)

    def _build(self) -> None:
        self.command = Characteristic(UUID(gsp.COMMAND_UUID), _P.WRITE | _P.WRITE_WITHOUT_RESPONSE, _WRITE,
                                      CharacteristicValue(write=self._on_command))
        self.data_char = Characteristic(UUID(gsp.DATA_UUID), _P.NOTIFY, _READ, b"")
        self.device.add_service(Service(UUID(gsp.SERVICE_UUID), [self.command, self.data_char]))
        self.device.advertising_data = _adv(self.name[:22], (gsp.ADVERTISED_UUID16,))

    @property
    def samples_per_packet(self) -> int:  # type: ignore[override]
        return 8 if self._resource is not None and self._resource.blocks == 2 else 16

    def _on_command(self, _connection: Any, value: bytes) -> None:
        cmd, ref, path = gsp.decode_command(bytes(value))
        loop = asyncio.get_running_loop()
        if cmd == gsp.CMD_SUBSCRIBE:
            try:
                resource = gsp.parse_resource(path or "")
                if resource.blocks == 2 and self.gyr_dps is None:
                    raise ValueError("no gyro in the source")
            except ValueError:
                loop.create_task(self.device.notify_subscribers(self.data_char, gsp.encode_result(ref, 404)))
                return
            self._ref, self._resource = ref, resource
            loop.create_task(self.device.notify_subscribers(self.data_char, gsp.encode_result(ref, 200)))
            self._start_streaming()
        elif cmd == gsp.CMD_UNSUBSCRIBE:
            self._stop_streaming()
            loop.create_task(self.device.notify_subscribers(self.data_char, gsp.encode_result(ref, 200)))

    def _frames(self, k0: int, k1: int) -> list[bytes]:
        assert self._resource is not None
        ts_ms = int(round(self.sample_time(k0) * 1000.0))
        gyr = self.gyr_dps[k0:k1] if self._resource.blocks == 2 and self.gyr_dps is not None else None
        return gsp.encode_data(self._ref, ts_ms, self.acc_g[k0:k1] * gsp.STANDARD_GRAVITY, gyr,
                               max_payload=self.max_payload)


class GaitlabSensorEmulator(EmulatedSensor):
    """A DIY sensor running gaitlab's reference firmware: GLF v1 frames plus a footpod RSC service.

    ``clock_start_us`` sets the u32 microsecond clock at power-on (start it near 2**32 to test
    unwrapping); ``seq_start`` likewise for the u16 frame counter.
    """

    rsc = True

    def __init__(self, radio: VirtualRadio, t_s: Any, acc_g: Any, gyr_dps: Any = None, *,
                 name: str = "GaitSim", address: str = "D1:A7:5E:00:00:01", clock_start_us: int = 0,
                 seq_start: int = 0, **kwargs: Any) -> None:
        self.clock_start_us = clock_start_us
        self.seq = seq_start
        self.odr_hz = 0
        self.acc_range_g = 16
        self.gyro_range_dps = 0
        self.layout = glf.LAYOUT_ACC
        self.mtu = 247
        super().__init__(radio, t_s, acc_g, gyr_dps, name=name, address=address, **kwargs)

    def _build(self) -> None:
        self.control = Characteristic(UUID(glf.CONTROL_UUID), _P.WRITE | _P.NOTIFY, _READ | _WRITE,
                                      CharacteristicValue(write=self._on_control))
        self.data_char = Characteristic(UUID(glf.DATA_UUID), _P.NOTIFY, _READ, b"")
        self.info = Characteristic(UUID(glf.INFO_UUID), _P.READ, _READ,
                                   CharacteristicValue(read=lambda _c: glf.encode_info(self._info())))
        self.device.add_service(Service(UUID(glf.SERVICE_UUID), [self.data_char, self.control, self.info]))
        self.device.advertising_data = _adv(self.name[:8], (), glf.SERVICE_UUID)

    def _info(self) -> glf.DeviceInfo:
        return glf.DeviceInfo(1, (0, 1, 0), 1, "waist", None, self.acc_range_g,
                              (1, 2) if self.gyr_dps is not None else (1,), self.gyro_range_dps,
                              self.odr_hz or int(round(self.fs_hz)), 1666, self._stream_task is not None,
                              "gaitlab-emu")

    @property
    def samples_per_packet(self) -> int:  # type: ignore[override]
        return glf.max_samples(self.mtu, self.layout)

    def _on_control(self, connection: Any, value: bytes) -> None:
        loop = asyncio.get_running_loop()
        try:
            cmd = glf.decode_command(bytes(value))
        except glf.GlfFrameError:
            loop.create_task(self.device.notify_subscribers(
                self.control, glf.encode_response(value[0] if value else 0, glf.Status.UNKNOWN_OP)))
            return
        status = glf.Status.OK
        if cmd.op == glf.Op.START:
            layout = cmd.layout or self.layout
            if layout & 0x0F == glf.LAYOUT_ACC_GYRO and self.gyr_dps is None:
                status = glf.Status.BAD_LAYOUT
            else:  # like firmware picking its nearest rate, it streams at the source's rate
                self.layout = layout
                self.acc_range_g = cmd.acc_range_g or self.acc_range_g
                self.gyro_range_dps = (cmd.gyro_range_dps or 2000) if layout & 0x0F == glf.LAYOUT_ACC_GYRO else 0
                self.odr_hz = int(round(self.fs_hz))
                self.mtu = min(connection.att_mtu, 247)  # firmware sizes frames for the MTU it got
                self._start_streaming()
        else:
            self._stop_streaming()
        loop.create_task(self.device.notify_subscribers(self.control, glf.encode_response(cmd.op, status)))

    def _frames(self, k0: int, k1: int) -> list[bytes]:
        t0_us = self.clock_start_us + int(round(self.sample_time(k0) * 1e6))
        acc = glf.to_counts(self.acc_g[k0:k1], self.acc_range_g)
        gyr = None
        if self.layout & 0x0F == glf.LAYOUT_ACC_GYRO and self.gyr_dps is not None:
            gyr = glf.to_counts(self.gyr_dps[k0:k1], self.gyro_range_dps)
        frame = glf.encode_frame(acc, gyr, seq=self.seq, t0_us=t0_us, odr_hz=self.odr_hz,
                                 acc_range_g=self.acc_range_g, gyro_range_dps=self.gyro_range_dps if gyr is not None else 0)
        self.seq = (self.seq + 1) & 0xFFFF
        return [frame]


class FootpodEmulator(EmulatedSensor):
    """A footpod with only the standard Running Speed and Cadence service (about 1 Hz summaries)."""

    rsc = True

    def __init__(self, radio: VirtualRadio, t_s: Any, acc_g: Any = None, gyr_dps: Any = None, *,
                 name: str = "Stride", address: str = "D4:00:00:00:00:40", **kwargs: Any) -> None:
        t = np.asarray(t_s, dtype=np.float64)
        acc = np.zeros((len(t), 3)) if acc_g is None else acc_g
        super().__init__(radio, t, acc, None, name=name, address=address, **kwargs)

    def _build(self) -> None:
        self.device.advertising_data = _adv(self.name, (0x1814,))

    def _on_connection(self, connection: Any) -> None:
        super()._on_connection(connection)
        asyncio.get_running_loop().call_soon(self._start_rsc_only)

    def _start_rsc_only(self) -> None:
        # footpods notify as soon as the client enables notifications; sending before that is harmless
        if self._rsc_task is None:
            self._rsc_task = asyncio.get_running_loop().create_task(self._stream_rsc())

    def _frames(self, k0: int, k1: int) -> list[bytes]:
        return []


#: Emulator classes by the name ``gaitlab stream --emulate`` uses.
EMULATORS: dict[str, type[EmulatedSensor]] = {
    "polar-h10": PolarH10Emulator,
    "movesense": MovesenseEmulator,
    "gaitlab": GaitlabSensorEmulator,
    "footpod": FootpodEmulator,
}
