"""Where notification bytes come from: the :class:`Source` ABC and its bleak implementation.

A source is one link to one sensor with the few GATT operations the profiles need (read, write,
subscribe) plus link-loss signalling. The stream never talks to bleak directly, so a test can
inject any source (``connect(..., source=...)``), just as bleak itself takes ``backend=``.
:class:`BleakSource` is the production source; its ``scanner_backend`` / ``client_backend`` are
passed to bleak as ``backend=`` (``None`` lets bleak pick BlueZ, CoreBluetooth or WinRT).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from ..errors import GaitlabError, SensorNotFoundError

__all__ = ["Source", "BleakSource", "StreamError", "NotifyHandler", "find_device", "advert_matches"]

log = logging.getLogger(__name__)

#: Called with each notification's bytes, on the event loop; must be tiny (decode + put_nowait).
NotifyHandler = Callable[[bytes], None]


class StreamError(GaitlabError):
    """A sensor refused a command, lacks a needed feature, or the link failed for good."""


class Source(abc.ABC):
    """A link to one sensor: GATT operations plus link-loss signalling.

    Subclasses must make :meth:`connect` usable again after a disconnect (the stream reconnects
    through it) and make :meth:`wait_disconnected` return when the link is lost.
    """

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Human-readable sensor name (or address)."""

    @property
    @abc.abstractmethod
    def is_connected(self) -> bool: ...

    @property
    @abc.abstractmethod
    def service_uuids(self) -> frozenset[str]:
        """Lower-case 128-bit UUIDs of the services discovered on the sensor."""

    @property
    def max_payload(self) -> int:
        """Largest notification payload on this link (ATT MTU - 3), bytes."""
        return 20

    @abc.abstractmethod
    async def connect(self) -> None:
        """Find and connect to the sensor, discover its services. Raises on failure."""

    @abc.abstractmethod
    async def disconnect(self) -> None: ...

    @abc.abstractmethod
    async def read(self, uuid: str) -> bytes: ...

    @abc.abstractmethod
    async def write(self, uuid: str, data: bytes, *, response: bool = True) -> None: ...

    @abc.abstractmethod
    async def subscribe(self, uuid: str, handler: NotifyHandler) -> None:
        """Enable notifications (or indications) of a characteristic."""

    @abc.abstractmethod
    async def wait_disconnected(self) -> None:
        """Return once the current link is lost (or closed)."""


def advert_matches(identifier: str, device: Any, adv: Any) -> bool:
    """Whether a scan result is the sensor named or addressed ``identifier`` (case-insensitive)."""
    ident = identifier.strip().lower()
    name = (getattr(adv, "local_name", None) or getattr(device, "name", None) or "").lower()
    return device.address.lower() == ident or (bool(name) and name == ident)


async def find_device(identifier: str, *, timeout_s: float = 10.0, scanner_backend: Any = None) -> Any:
    """Scan for the sensor named or addressed ``identifier``; returns a bleak ``BLEDevice``.

    Raises
    ------
    SensorNotFoundError
        If nothing matched within ``timeout_s``.
    """
    from bleak import BleakScanner

    from .bluetooth import bluetooth_errors

    kw = {"backend": scanner_backend} if scanner_backend is not None else {}
    with bluetooth_errors() if scanner_backend is None else contextlib.nullcontext():
        dev = await BleakScanner.find_device_by_filter(
            lambda d, adv: advert_matches(identifier, d, adv), timeout=timeout_s, **kw)
    if dev is None:
        raise SensorNotFoundError(identifier, f"no sensor named or addressed {identifier!r} answered a "
                                              f"{timeout_s:g} s scan (is it on, in range, and not "
                                              f"connected to another app?)")
    return dev


class BleakSource(Source):
    """A sensor reached through bleak (``BleakScanner`` / ``BleakClient``).

    Parameters
    ----------
    device : str or bleak.backends.device.BLEDevice
        Name or address to scan for, or a device from a scan. Reconnects scan again by name or
        address (addresses change on macOS and with random private addresses).
    scanner_backend, client_backend : type, optional
        bleak backends (``backend=``); ``None`` = the platform's.
    scan_timeout_s, connect_timeout_s : float
        Time limits for finding and connecting (s).
    """

    def __init__(self, device: Any, *, scanner_backend: Any = None, client_backend: Any = None,
                 scan_timeout_s: float = 10.0, connect_timeout_s: float = 20.0) -> None:
        self._device = None if isinstance(device, str) else device
        self._identifier = device if isinstance(device, str) else (device.name or device.address)
        self._scanner_backend = scanner_backend
        self._client_backend = client_backend
        self.scan_timeout_s = scan_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None
        self._lost = asyncio.Event()
        self._services: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        if self._device is not None and self._device.name:
            return str(self._device.name)
        return self._identifier

    @property
    def is_connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    @property
    def service_uuids(self) -> frozenset[str]:
        return self._services

    @property
    def max_payload(self) -> int:
        return max(int(self._client.mtu_size) - 3, 20) if self._client is not None else 20

    @property
    def client(self) -> Any:
        """The underlying ``BleakClient`` (None before the first connect)."""
        return self._client

    async def connect(self) -> None:
        from bleak import BleakClient

        if self._device is None or self._client is not None:
            # first connect by name/address, or a reconnect: scan again
            self._device = await find_device(self._identifier, timeout_s=self.scan_timeout_s,
                                             scanner_backend=self._scanner_backend)
        self._lost = asyncio.Event()
        lost = self._lost
        kw = {"backend": self._client_backend} if self._client_backend is not None else {}
        client = BleakClient(self._device, disconnected_callback=lambda _c: lost.set(),
                             timeout=self.connect_timeout_s, **kw)
        await client.connect()
        self._client = client
        self._services = frozenset(s.uuid.lower() for s in client.services)
        log.info("connected to %s (%s), %d services, MTU %d", self.name, self._device.address,
                 len(self._services), client.mtu_size)

    async def disconnect(self) -> None:
        if self._client is not None and self._client.is_connected:
            await self._client.disconnect()
        self._lost.set()

    def _require(self) -> Any:
        if self._client is None or not self._client.is_connected:
            raise StreamError(f"{self.name} is not connected")
        return self._client

    async def read(self, uuid: str) -> bytes:
        return bytes(await self._require().read_gatt_char(uuid))

    async def write(self, uuid: str, data: bytes, *, response: bool = True) -> None:
        await self._require().write_gatt_char(uuid, data, response=response)

    async def subscribe(self, uuid: str, handler: NotifyHandler) -> None:
        await self._require().start_notify(uuid, lambda _char, data: handler(bytes(data)))

    async def wait_disconnected(self) -> None:
        await self._lost.wait()
