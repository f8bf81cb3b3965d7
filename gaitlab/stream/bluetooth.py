"""The platform's Bluetooth stack, as gaitlab's errors: shared by scanning and connecting."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ..errors import BluetoothUnavailableError

__all__ = ["bluetooth_errors"]


@contextlib.contextmanager
def bluetooth_errors() -> Iterator[None]:
    """Turn "there is no Bluetooth here" from the platform into :class:`BluetoothUnavailableError`.

    Without BlueZ's D-Bus socket bleak raises a bare ``FileNotFoundError`` (``[Errno 2] No such
    file or directory``); without an adapter, a ``BleakError``. Only the real scanner is wrapped
    (a test's backend raising is a test problem).
    """
    from bleak.exc import BleakError

    try:
        yield
    except (OSError, BleakError) as exc:
        if isinstance(exc, BluetoothUnavailableError):
            raise
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise BluetoothUnavailableError(detail) from exc
