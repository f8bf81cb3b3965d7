"""Sensor profiles: how to start a sensor's stream and decode what it sends.

A profile knows a sensor family's services, its start/stop commands and its decoder. The stream
picks one from the discovered services (or the user names it), calls :meth:`Profile.start` after
every (re)connect (sensors stop streaming on disconnect, so the start command is always re-sent),
and receives decoded items through a *sink*. Notification handlers only decode and hand over:
``sink(item)`` is a ``queue.put_nowait``.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from ..errors import FrameError
from .packets import ImuPacket, Timing
from .protocols import glf, gsp, pmd, rsc
from .source import Source, StreamError

__all__ = ["Profile", "PolarProfile", "MovesenseProfile", "GlfProfile", "RscProfile", "PROFILES", "get_profile",
           "detect_profile", "profiles_for_advert", "register_profile", "Sink"]

log = logging.getLogger(__name__)

#: Receives decoded items (ImuPacket, RscMeasurement) or the FrameError of an undecodable frame.
Sink = Callable[[Any], None]

_RESPONSE_TIMEOUT_S = 5.0


def _handler(decode: Callable[[bytes], Any], sink: Sink) -> Callable[[bytes], None]:
    """A notification handler: decode, hand over, nothing else (it runs on the event loop)."""

    def on_notify(data: bytes) -> None:
        try:
            item = decode(data)
        except FrameError as exc:
            sink(exc)
            return
        if item is not None:
            sink(item)

    return on_notify


def _uuid16(u: int) -> str:
    return f"0000{u:04x}-0000-1000-8000-00805f9b34fb"


class Profile(abc.ABC):
    """One sensor family's way of streaming.

    Class attributes describe how to recognise the family; instances hold the stream settings.
    """

    #: Short name used by ``--profile`` and ``connect(profile=...)``.
    name: ClassVar[str]
    #: The GATT service that identifies the family once connected.
    service_uuid: ClassVar[str]
    #: Advertised local-name prefixes and service UUIDs that identify it in a scan.
    name_prefixes: ClassVar[tuple[str, ...]] = ()
    advertised_uuids: ClassVar[tuple[str, ...]] = ()
    #: Whether it streams raw IMU samples (False: summaries only).
    imu: ClassVar[bool] = True

    timing: Timing | None = None
    fs_hz: float | None = None
    gyro: bool = False

    @classmethod
    def matches_advert(cls, name: str | None, service_uuids: Iterable[str]) -> bool:
        uuids = {u.lower() for u in service_uuids}
        if cls.service_uuid in uuids or uuids & set(cls.advertised_uuids):
            return True
        return bool(name) and any(name.startswith(p) for p in cls.name_prefixes)

    @abc.abstractmethod
    async def start(self, source: Source, sink: Sink) -> None:
        """Subscribe and send the start command(s) on a freshly connected ``source``."""

    async def stop(self, source: Source) -> None:  # noqa: B027 - optional hook
        """Ask the sensor to stop streaming (best effort; a disconnect also stops it)."""


class PolarProfile(Profile):
    """Polar H10 / Verity Sense accelerometer over PMD (see :mod:`.protocols.pmd`).

    Parameters
    ----------
    sample_rate_hz : int
        25, 50, 100 or 200 on the H10; 26-416 on a Verity Sense in SDK mode.
    range_g : int
        Full scale, ±2/4/8 g on the H10.
    resolution_bits : int
        16 on both.
    """

    name = "polar"
    service_uuid = pmd.SERVICE_UUID
    name_prefixes = ("Polar H10", "Polar H9", "Polar Sense", "Polar Verity", "Polar OH1")
    timing = pmd.TIMING

    def __init__(self, sample_rate_hz: int = 200, range_g: int = 8, resolution_bits: int = 16) -> None:
        self.fs_hz = float(sample_rate_hz)
        self.sample_rate_hz = int(sample_rate_hz)
        self.range_g = int(range_g)
        self.resolution_bits = int(resolution_bits)
        self.decoder = pmd.AccDecoder(self.fs_hz, 1.0, self.resolution_bits)

    def start_command(self) -> bytes:
        return pmd.encode_command(pmd.OP_START, pmd.MEAS_ACC, {
            pmd.SET_SAMPLE_RATE: [self.sample_rate_hz], pmd.SET_RESOLUTION: [self.resolution_bits],
            pmd.SET_RANGE: [self.range_g]})

    async def start(self, source: Source, sink: Sink) -> None:
        features = pmd.decode_features(await source.read(pmd.CONTROL_UUID))
        if pmd.MEAS_ACC not in features:
            raise StreamError(f"{source.name} offers no accelerometer stream over PMD "
                              f"(measurement types {sorted(features)})")
        responses: asyncio.Queue[pmd.ControlResponse] = asyncio.Queue()

        def on_response(data: bytes) -> None:
            try:
                responses.put_nowait(pmd.decode_response(data))
            except FrameError as exc:
                log.warning("ignoring PMD control point indication: %s", exc)

        await source.subscribe(pmd.CONTROL_UUID, on_response)
        await source.subscribe(pmd.DATA_UUID, _handler(self.decoder.feed, sink))
        for attempt in range(2):
            await source.write(pmd.CONTROL_UUID, self.start_command(), response=True)
            resp = await self._await_response(responses, pmd.OP_START)
            if resp.ok:
                factor = resp.settings.get(pmd.SET_FACTOR, [1.0])[0]
                self.decoder.factor = float(factor)
                return
            if resp.status == 6 and attempt == 0:  # already streaming (from an earlier session)
                await source.write(pmd.CONTROL_UUID, pmd.encode_command(pmd.OP_STOP, pmd.MEAS_ACC), response=True)
                await self._await_response(responses, pmd.OP_STOP)
                continue
            raise StreamError(f"{source.name} refused to start ACC at {self.sample_rate_hz} Hz, "
                              f"±{self.range_g} g: {resp.status_name} (status {resp.status})")

    @staticmethod
    async def _await_response(q: asyncio.Queue[pmd.ControlResponse], op: int) -> pmd.ControlResponse:
        async with asyncio.timeout(_RESPONSE_TIMEOUT_S):
            while True:
                resp = await q.get()
                if resp.op == op:
                    return resp

    async def stop(self, source: Source) -> None:
        await source.write(pmd.CONTROL_UUID, pmd.encode_command(pmd.OP_STOP, pmd.MEAS_ACC), response=True)


class MovesenseProfile(Profile):
    """Movesense accelerometer (``/Meas/Acc/<rate>``) or IMU6 (acc + gyro) over GSP.

    Parameters
    ----------
    rate_hz : int
        13, 26, 52, 104, 208, 416, 833 or 1666.
    gyro : bool
        Subscribe to ``/Meas/IMU6/<rate>`` (acceleration and angular rate).
    ref : int
        GSP reference byte identifying the subscription (1..255).
    """

    name = "movesense"
    service_uuid = gsp.SERVICE_UUID
    name_prefixes = ("Movesense",)
    advertised_uuids = (_uuid16(gsp.ADVERTISED_UUID16),)
    timing = gsp.TIMING

    def __init__(self, rate_hz: int = 208, gyro: bool = False, ref: int = 99) -> None:
        self.resource = gsp.parse_resource(f"/Meas/{'IMU6' if gyro else 'Acc'}/{rate_hz}")
        self.fs_hz = float(rate_hz)
        self.gyro = bool(gyro)
        self.ref = int(ref)
        self.decoder = gsp.DataDecoder(self.ref, self.resource)

    async def start(self, source: Source, sink: Sink) -> None:
        self.decoder = gsp.DataDecoder(self.ref, self.resource, source.max_payload)
        results: asyncio.Queue[int] = asyncio.Queue()

        def decode(data: bytes) -> ImuPacket | None:
            item = self.decoder.feed(data)
            if isinstance(item, int):
                results.put_nowait(item)
                return None
            return item

        await source.subscribe(gsp.DATA_UUID, _handler(decode, sink))
        await source.write(gsp.COMMAND_UUID, gsp.encode_hello(), response=True)
        await source.write(gsp.COMMAND_UUID, gsp.encode_subscribe(self.ref, self.resource.path), response=True)
        async with asyncio.timeout(_RESPONSE_TIMEOUT_S):
            status = await results.get()
        if status != 200:
            raise StreamError(f"{source.name} refused subscription {self.resource.path}: status {status}")

    async def stop(self, source: Source) -> None:
        await source.write(gsp.COMMAND_UUID, gsp.encode_unsubscribe(self.ref), response=True)


class GlfProfile(Profile):
    """gaitlab's own frame (GLF v1) from DIY sensors (see :mod:`.protocols.glf`).

    Parameters
    ----------
    odr_hz : int
        Requested output data rate (Hz).
    acc_range_g : int
        Requested accelerometer full scale (g).
    gyro : bool
        Request acc + gyro frames.
    gyro_range_dps : int
        Requested gyro full scale (deg/s), with ``gyro``.
    """

    name = "gaitlab"
    service_uuid = glf.SERVICE_UUID
    timing = glf.TIMING

    def __init__(self, odr_hz: int = 208, acc_range_g: int = 16, gyro: bool = False,
                 gyro_range_dps: int = 2000) -> None:
        self.fs_hz = float(odr_hz)
        self.odr_hz = int(odr_hz)
        self.acc_range_g = int(acc_range_g)
        self.gyro = bool(gyro)
        self.gyro_range_dps = int(gyro_range_dps) if gyro else 0
        self.decoder = glf.GlfDecoder()
        self.info: glf.DeviceInfo | None = None

    async def start(self, source: Source, sink: Sink) -> None:
        if glf.INFO_UUID in source.service_uuids:
            self.info = glf.decode_info(await source.read(glf.INFO_UUID))
            log.info("GLF sensor %s firmware %s, max %d Hz", self.info.model,
                     ".".join(map(str, self.info.fw_version)), self.info.max_odr_hz)
        responses: asyncio.Queue[glf.Response] = asyncio.Queue()

        def on_response(data: bytes) -> None:
            try:
                responses.put_nowait(glf.decode_response(data))
            except FrameError as exc:
                log.warning("ignoring GLF control notification: %s", exc)

        await source.subscribe(glf.CONTROL_UUID, on_response)
        await source.subscribe(glf.DATA_UUID, _handler(self.decoder.feed, sink))
        layout = glf.LAYOUT_ACC_GYRO if self.gyro else glf.LAYOUT_ACC
        await source.write(glf.CONTROL_UUID, glf.encode_start(self.odr_hz, self.acc_range_g,
                                                              self.gyro_range_dps, layout), response=True)
        async with asyncio.timeout(_RESPONSE_TIMEOUT_S):
            while (resp := await responses.get()).op != glf.Op.START:
                pass
        if not resp.ok:
            raise StreamError(f"{source.name} refused to start at {self.odr_hz} Hz, ±{self.acc_range_g} g"
                              f"{' with gyro' if self.gyro else ''}: {resp.status_name}")

    async def stop(self, source: Source) -> None:
        await source.write(glf.CONTROL_UUID, glf.encode_stop(), response=True)


class RscProfile(Profile):
    """Footpod summaries over the standard Running Speed and Cadence service (no raw IMU)."""

    name = "rsc"
    service_uuid = rsc.SERVICE_UUID
    imu = False

    def __init__(self) -> None:
        self.decoder = rsc.RscDecoder()

    async def start(self, source: Source, sink: Sink) -> None:
        try:
            features = rsc.decode_feature(await source.read(rsc.FEATURE_UUID))
            self.decoder.status_supported = bool(features & rsc.FEATURE_STATUS)
        except Exception as exc:  # the feature characteristic is mandatory, but be lenient
            log.debug("RSC feature not readable on %s: %s", source.name, exc)
        await source.subscribe(rsc.MEASUREMENT_UUID, _handler(self.decoder.feed, sink))


#: Profile classes by name, in auto-detection priority order (raw IMU streams before summaries).
PROFILES: dict[str, type[Profile]] = {
    "polar": PolarProfile,
    "movesense": MovesenseProfile,
    "gaitlab": GlfProfile,
    "rsc": RscProfile,
}


def register_profile(cls: type[Profile], *, before: str | None = None) -> None:
    """Add a profile class to :data:`PROFILES` (optionally ahead of ``before`` in detection order)."""
    items = [(k, v) for k, v in PROFILES.items() if k != cls.name]
    idx = next((i for i, (k, _) in enumerate(items) if k == before), len(items))
    items.insert(idx, (cls.name, cls))
    PROFILES.clear()
    PROFILES.update(items)


def get_profile(profile: str | Profile | None, service_uuids: Iterable[str] = ()) -> Profile:
    """A profile instance from a name, an instance, or (None) the discovered services."""
    if isinstance(profile, Profile):
        return profile
    if profile is None:
        return detect_profile(service_uuids)
    try:
        return PROFILES[profile]()
    except KeyError:
        raise StreamError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}") from None


def detect_profile(service_uuids: Iterable[str]) -> Profile:
    """The highest-priority profile whose service the sensor offers."""
    uuids = {u.lower() for u in service_uuids}
    for cls in PROFILES.values():
        if cls.service_uuid in uuids:
            return cls()
    raise StreamError("the sensor offers none of the supported services (" + ", ".join(
        f"{k}: {c.service_uuid}" for k, c in PROFILES.items()) + f"); found {sorted(uuids)}")


def profiles_for_advert(name: str | None, service_uuids: Iterable[str]) -> tuple[str, ...]:
    """Names of the profiles an advertisement looks like (used by scanning)."""
    uuids = list(service_uuids)
    return tuple(k for k, c in PROFILES.items() if c.matches_advert(name, uuids))

