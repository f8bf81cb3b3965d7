"""Hardware-free BLE testing: a bleak backend over bumble, a virtual radio, emulated sensors.

Importable by tests and by the ``gaitlab stream --emulate`` demo. ``bumble`` is an optional (test)
dependency (the ``emulate`` extra), imported only when :mod:`gaitlab.testing.radio` or
:mod:`gaitlab.testing.sensors` is used; without it you get a
:class:`~gaitlab.errors.MissingDependencyError` (an ImportError) that names the extra.

>>> from gaitlab.testing import VirtualRadio, PolarH10Emulator        # doctest: +SKIP
>>> radio = VirtualRadio()          # inside a running event loop
>>> sensor = PolarH10Emulator(radio, t, acc, speed=10.0); await sensor.start()
>>> async with gaitlab.stream.connect("Polar H10 0A1B2C3D", scanner_backend=radio.scanner_backend,
...                                   client_backend=radio.client_backend) as s: ...
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["VirtualRadio", "BumbleScanner", "BumbleClient", "Faults", "EmulatedSensor", "PolarH10Emulator",
           "MovesenseEmulator", "GaitlabSensorEmulator", "FootpodEmulator", "EMULATORS", "transport_signal"]

_LAZY = {
    "VirtualRadio": "radio", "BumbleScanner": "radio", "BumbleClient": "radio",
    "Faults": "sensors", "EmulatedSensor": "sensors", "PolarH10Emulator": "sensors",
    "MovesenseEmulator": "sensors", "GaitlabSensorEmulator": "sensors", "FootpodEmulator": "sensors",
    "EMULATORS": "sensors", "transport_signal": "signals",
}


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'gaitlab.testing' has no attribute {name!r}") from None
    try:
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "bumble":
            raise
        from ..errors import MissingDependencyError

        raise MissingDependencyError("bumble", "emulate", "emulated Bluetooth sensors (--emulate, "
                                     "gaitlab.testing)") from None
    globals()[name] = value
    return value
