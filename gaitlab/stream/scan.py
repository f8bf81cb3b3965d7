"""Find supported sensors nearby, matching on advertised service UUIDs and names (never addresses)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from .bluetooth import bluetooth_errors
from .profiles import profiles_for_advert

__all__ = ["FoundSensor", "scan"]


@dataclass(frozen=True, slots=True)
class FoundSensor:
    """One advertising sensor that a profile can stream from.

    Attributes
    ----------
    name : str or None
        Advertised local name.
    address : str
        Address as the platform reports it (a per-host UUID on macOS).
    rssi : int or None
        Received signal strength (dBm).
    profiles : tuple of str
        Profiles whose advertisement pattern it matches, best first.
    device : BLEDevice
        Pass this to :func:`gaitlab.stream.connect` to skip a second scan.
    """

    name: str | None
    address: str
    rssi: int | None
    profiles: tuple[str, ...]
    device: Any


async def scan(timeout_s: float = 5.0, *, scanner_backend: Any = None, all_devices: bool = False
               ) -> list[FoundSensor]:
    """Scan for ``timeout_s`` seconds and list the supported sensors, strongest signal first.

    Parameters
    ----------
    timeout_s : float
        Scan duration (s).
    scanner_backend : type, optional
        bleak scanner backend (``backend=``); None = the platform's.
    all_devices : bool
        Also list devices no profile recognises (with ``profiles=()``).
    """
    from bleak import BleakScanner

    kw = {"backend": scanner_backend} if scanner_backend is not None else {}
    with bluetooth_errors() if scanner_backend is None else contextlib.nullcontext():
        found = await BleakScanner.discover(timeout=timeout_s, return_adv=True, **kw)
    out = []
    for device, adv in found.values():
        name = adv.local_name or device.name
        profiles = profiles_for_advert(name, adv.service_uuids or ())
        if profiles or all_devices:
            out.append(FoundSensor(name, device.address, adv.rssi, profiles, device))
    out.sort(key=lambda f: -(f.rssi if f.rssi is not None else -999))
    return out
