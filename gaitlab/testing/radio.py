"""A bleak backend over Google's bumble host stack and a virtual radio: BLE without hardware.

    bleak public API (BleakScanner / BleakClient, backend=...)
      -> BumbleScanner / BumbleClient (this module)
      -> bumble Host (HCI, L2CAP, ATT, GATT client) of the "central" device
      -> bumble virtual Controller ==LocalLink (the virtual air)== virtual Controller
      -> bumble Host + GATT server of each emulated sensor (:mod:`gaitlab.testing.sensors`)

Everything runs on the current event loop; no kernel Bluetooth, BlueZ or D-Bus is involved.
Create a :class:`VirtualRadio` inside the running loop and pass ``radio.scanner_backend`` /
``radio.client_backend`` wherever bleak takes ``backend=`` (``gaitlab.stream.connect`` takes
``scanner_backend=`` and ``client_backend=``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

try:
    from bumble.controller import Controller
    from bumble.core import UUID, AdvertisingData
    from bumble.device import Connection, Device, Peer
    from bumble.hci import Address
    from bumble.host import Host
    from bumble.link import LocalLink
    from bumble.transport.common import AsyncPipeSink
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("gaitlab.testing needs the optional test dependency 'bumble' "
                      "(pip install 'bumble==0.0.236', or pip install 'gaitlab-run[dev]')") from exc

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError

__all__ = ["VirtualRadio", "BumbleScanner", "BumbleClient", "new_device", "uuid_str"]

log = logging.getLogger(__name__)

# GATT characteristic property bit -> bleak's property name
_PROPERTIES = ((0x01, "broadcast"), (0x02, "read"), (0x04, "write-without-response"), (0x08, "write"),
               (0x10, "notify"), (0x20, "indicate"), (0x40, "authenticated-signed-writes"),
               (0x80, "extended-properties"))
_UUID_AD_TYPES = (AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
                  AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
                  AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
                  AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS)


def uuid_str(u: UUID) -> str:
    """bumble UUID -> bleak's normalised lower-case 128-bit string."""
    return str(uuid.UUID(bytes=bytes(reversed(u.uuid_128_bytes))))


def new_device(link: LocalLink, name: str, address: str) -> Device:
    """A bumble Device whose host talks HCI to a fresh virtual controller on ``link``."""
    controller = Controller(name, link=link)
    return Device(name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller)))


class VirtualRadio:
    """The virtual air (a bumble ``LocalLink``) and the central device bleak drives.

    Parameters
    ----------
    central_address : str
        Address of the host side.

    Attributes
    ----------
    scanner_backend, client_backend : type
        bleak backend classes bound to this radio.
    """

    def __init__(self, central_address: str = "C0:FF:EE:00:00:01") -> None:
        self.link = LocalLink()
        self.central = new_device(self.link, "gaitlab-host", central_address)
        self._power_lock = asyncio.Lock()
        self._powered = False
        self.scanner_backend: type[BaseBleakScanner] = type("BumbleScanner", (BumbleScanner,), {"radio": self})
        self.client_backend: type[BaseBleakClient] = type("BumbleClient", (BumbleClient,), {"radio": self})

    async def power_on(self) -> None:
        async with self._power_lock:
            if not self._powered:
                await self.central.power_on()
                self._powered = True

    def backends(self) -> tuple[type[BaseBleakScanner], type[BaseBleakClient]]:
        return self.scanner_backend, self.client_backend


class BumbleScanner(BaseBleakScanner):
    """bleak scanner backend: bumble advertisement events -> ``AdvertisementData``."""

    radio: VirtualRadio

    def __init__(self, detection_callback: Any, service_uuids: Any, scanning_mode: str = "active",
                 **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)
        self._active = scanning_mode != "passive"
        self._listening = False

    async def start(self) -> None:
        await self.radio.power_on()
        self.seen_devices = {}
        self.radio.central.on("advertisement", self._on_advertisement)
        self._listening = True
        await self.radio.central.start_scanning(active=self._active, filter_duplicates=False)

    async def stop(self) -> None:
        if self._listening:
            self.radio.central.remove_listener("advertisement", self._on_advertisement)
            self._listening = False
            await self.radio.central.stop_scanning()

    def _on_advertisement(self, adv: Any) -> None:
        data: AdvertisingData = adv.data
        name = data.get(AdvertisingData.COMPLETE_LOCAL_NAME) or data.get(AdvertisingData.SHORTENED_LOCAL_NAME)
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        uuids: list[str] = []
        for ad_type in _UUID_AD_TYPES:
            for group in data.get_all(ad_type):
                for u in group:
                    s = uuid_str(u)
                    if s not in uuids:
                        uuids.append(s)
        if not self.is_allowed_uuid(uuids):
            return
        manufacturer = {cid: bytes(v) for cid, v in data.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA)}
        service_data = {uuid_str(u): bytes(v) for u, v in data.get_all(AdvertisingData.SERVICE_DATA_16_BIT_UUID)}
        address = adv.address.to_string(False)
        previous = self.seen_devices.get(address)
        if previous is not None and name is None:  # keep a name seen in an earlier packet
            name = previous[1].local_name
        ad = AdvertisementData(local_name=name, manufacturer_data=manufacturer, service_data=service_data,
                               service_uuids=uuids, tx_power=None, rssi=adv.rssi, platform_data=(adv,))
        device = self.create_or_update_device(address, address, name, adv.address, ad)
        self.call_detection_callbacks(device, ad)


class BumbleClient(BaseBleakClient):
    """bleak client backend: connect, MTU exchange, discovery, read/write/notify through bumble."""

    radio: VirtualRadio

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=kwargs.pop("disconnected_callback", None),
                         timeout=kwargs.pop("timeout", 10.0))
        if isinstance(address_or_ble_device, BLEDevice):
            self._peer_address = address_or_ble_device.details
            self._name = address_or_ble_device.name or address_or_ble_device.address
        else:
            self._peer_address = Address(address_or_ble_device)
            self._name = address_or_ble_device
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._subscribers: dict[int, Any] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def mtu_size(self) -> int:
        return self._connection.att_mtu if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        await self.radio.power_on()
        try:
            conn = await asyncio.wait_for(self.radio.central.connect(self._peer_address), self._timeout)
        except TimeoutError as exc:
            raise BleakDeviceNotFoundError(str(self._peer_address), "connect timed out") from exc
        self._connection = conn
        conn.on("disconnection", self._on_disconnection)
        self._peer = Peer(conn)
        await self._peer.request_mtu(517)  # what BlueZ and CoreBluetooth do on their own
        await self._peer.discover_all()
        self.services = self._collection()

    def _on_disconnection(self, reason: int) -> None:
        log.debug("disconnected from %s, reason 0x%02x", self._name, reason)
        self._connection = None
        self._peer = None
        self._subscribers.clear()
        if self._disconnected_callback is not None:
            asyncio.get_running_loop().call_soon(self._disconnected_callback)

    async def disconnect(self) -> None:
        if self._connection is not None:
            await self._connection.disconnect()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("pairing is not emulated")

    async def unpair(self) -> None:
        raise NotImplementedError("pairing is not emulated")

    def _collection(self) -> BleakGATTServiceCollection:
        coll = BleakGATTServiceCollection()
        assert self._peer is not None
        for s in self._peer.services:
            service = BleakGATTService(s, s.handle, uuid_str(s.uuid))
            coll.add_service(service)
            for c in s.characteristics:
                props = [name for bit, name in _PROPERTIES if int(c.properties) & bit]
                char = BleakGATTCharacteristic(c, c.handle, uuid_str(c.uuid), props,
                                               lambda: self.mtu_size - 3, service)
                coll.add_characteristic(char)
                for d in c.descriptors:
                    coll.add_descriptor(BleakGATTDescriptor(d, d.handle, uuid_str(d.type), char))
        return coll

    def _require_peer(self) -> Peer:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False,
                             **kwargs: Any) -> bytearray:
        return bytearray(await self._require_peer().read_value(characteristic.obj))

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False,
                                   **kwargs: Any) -> bytearray:
        return bytearray(await self._require_peer().read_value(descriptor.obj))

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any, response: bool) -> None:
        await self._require_peer().write_value(characteristic.obj, bytes(data), with_response=response)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        await self._require_peer().write_value(descriptor.obj, bytes(data), with_response=True)

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback,
                           **kwargs: Any) -> None:
        def on_value(value: bytes) -> None:
            callback(bytearray(value))

        self._subscribers[characteristic.handle] = on_value
        # bumble enables indications for an indicate-only characteristic, notifications otherwise
        await self._require_peer().subscribe(characteristic.obj, on_value,
                                             prefer_notify="notify" in characteristic.properties)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        subscriber = self._subscribers.pop(characteristic.handle, None)
        await self._require_peer().unsubscribe(characteristic.obj, subscriber)
