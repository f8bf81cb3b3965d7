"""Exceptions raised by gaitlab.

Every error the library raises on purpose derives from :class:`GaitlabError`, so a caller can
catch the library's errors in one place. Errors about user input carry *where* the problem is
(file, 1-based line as an editor counts it, column) so that the CLI can print the one-line form
of the command line's contract: ``run.csv:50: column acc_x_g: 'abc' is not a number``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

__all__ = [
    "GaitlabError",
    "InputError",
    "MissingFileError",
    "FrameError",
    "SensorNotFoundError",
    "MissingDependencyError",
    "BluetoothUnavailableError",
    "option",
    "phrasing",
]

#: Which interface error hints are phrased for: ``'python'`` (keyword arguments) or ``'cli'``
#: (command-line options). The ``gaitlab`` command sets ``'cli'`` for the whole run.
_PHRASING: ContextVar[str] = ContextVar("gaitlab_phrasing", default="python")

#: Python keyword (:func:`gaitlab.read`, :func:`gaitlab.analyze`, :func:`gaitlab.compare`) -> the
#: command-line option that sets it. The reader's options exist on ``analyze``, ``info`` and ``batch``.
CLI_OPTIONS = {"acc_unit": "--acc-unit", "time_unit": "--time-unit", "columns": "--columns",
               "decimal_comma": "--decimal-comma", "gyro_path": "--gyro", "fs": "--fs", "side": "--side",
               "speed_mps": "--speed", "speed_from": "--speed-from", "noise_from": "--noise-from"}
#: What a value looks like, for a hint that names an option without a value.
_PLACEHOLDERS = {"acc_unit": "UNIT", "time_unit": "UNIT", "gyro_path": "FILE", "fs": "HZ", "side": "L|R",
                 "columns": "time=...,acc_x=...,acc_y=...,acc_z=...", "speed_mps": "M/S",
                 "speed_from": "WATCH.fit", "noise_from": "DIR"}
_NO_VALUE = object()


@contextlib.contextmanager
def phrasing(interface: str) -> Iterator[None]:
    """Phrase the hints of errors raised inside the block for ``interface`` ('python' or 'cli')."""
    if interface not in ("python", "cli"):
        raise ValueError(f"interface must be 'python' or 'cli', found {interface!r}")
    token = _PHRASING.set(interface)
    try:
        yield
    finally:
        _PHRASING.reset(token)


def current_phrasing() -> str:
    """The interface hints are phrased for now ('python' or 'cli')."""
    return _PHRASING.get()


def option(name: str, value: Any = _NO_VALUE) -> str:
    """How the caller sets reader option ``name`` (to ``value``), in the caller's interface.

    The one place where hints turn into ``acc_unit='mg'`` (Python) or ``--acc-unit mg`` (the
    ``gaitlab`` command), so a hint never advises an option the interface does not have.

    >>> option("acc_unit", "mg")
    "acc_unit='mg'"
    >>> with phrasing("cli"):
    ...     option("acc_unit", "mg")
    '--acc-unit mg'
    """
    if _PHRASING.get() == "cli" and name in CLI_OPTIONS:
        flag = CLI_OPTIONS[name]
        if value is True:
            return flag
        if value is _NO_VALUE:
            return f"{flag} {_PLACEHOLDERS[name]}" if name in _PLACEHOLDERS else flag
        if isinstance(value, Mapping):
            return f"{flag} " + ",".join(f"{k}={v}" for k, v in value.items())
        return f"{flag} {value}"
    if value is _NO_VALUE:
        return f"{name}="
    if isinstance(value, Mapping):
        return f"{name}={{" + ", ".join(f"{k!r}: {v}" for k, v in value.items()) + "}"
    return f"{name}={value!r}"


class GaitlabError(Exception):
    """Base class of every error gaitlab raises on purpose."""


class InputError(GaitlabError, ValueError):
    """Input data that gaitlab cannot analyse correctly.

    Parameters
    ----------
    message : str
        What was expected and what was found.
    path : str, optional
        The file the problem is in.
    line : int, optional
        1-based line number (the header is line 1), where it applies.
    column : str, optional
        Column name (or 1-based index as a string), where it applies.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        if self.column is not None:
            where += f"column {self.column}: "
        return where + self.message

    def __reduce__(self):  # picklable across process pools, keyword-only args included
        return (_rebuild_input_error, (self.message, self.path, self.line, self.column))


def _rebuild_input_error(message, path, line, column):
    return InputError(message, path=path, line=line, column=column)


class MissingFileError(InputError, FileNotFoundError):
    """An input file that does not exist: an :class:`InputError` (``FILE: no such file``) that code
    catching :class:`FileNotFoundError` still catches."""

    def __init__(self, path: str, message: str = "no such file") -> None:
        super().__init__(message, path=path)

    def __str__(self) -> str:  # OSError's own __str__ would show "[Errno None]"
        return self._render()

    def __reduce__(self):
        return (MissingFileError, (self.path, self.message))


class FrameError(GaitlabError, ValueError):
    """A sensor frame (BLE notification or logged frame) that cannot be decoded.

    Parameters
    ----------
    message : str
        What is wrong with the frame.
    offset : int, optional
        Byte offset inside the frame where the problem was found.
    """

    def __init__(self, message: str, *, offset: int | None = None) -> None:
        self.message = message
        self.offset = offset
        super().__init__(message if offset is None else f"byte {offset}: {message}")

    def __reduce__(self):
        return (_rebuild_frame_error, (self.message, self.offset))


def _rebuild_frame_error(message, offset):
    return FrameError(message, offset=offset)


class SensorNotFoundError(GaitlabError, LookupError):
    """No Bluetooth sensor matched the requested name or address.

    Parameters
    ----------
    identifier : str
        The name or address that was looked for.
    """

    def __init__(self, identifier: str, message: str | None = None) -> None:
        self.identifier = identifier
        super().__init__(message or f"no supported sensor named or addressed {identifier!r} was found")

    def __reduce__(self):
        return (SensorNotFoundError, (self.identifier, self.args[0]))


class MissingDependencyError(GaitlabError, ImportError):
    """An optional package a feature needs is not installed; the message names the extra.

    Parameters
    ----------
    package : str
        The missing import (``'bumble'``).
    extra : str
        The gaitlab extra that installs it (``'emulate'``).
    feature : str
        What needs it, for the message.
    """

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package, self.extra, self.feature = package, extra, feature
        super().__init__(f"{feature}: the optional package {package!r} is not installed; install it with "
                         f"pip install 'gaitlab-run[{extra}]'")

    def __reduce__(self):
        return (MissingDependencyError, (self.package, self.extra, self.feature))


class BluetoothUnavailableError(GaitlabError, OSError):
    """No Bluetooth stack to talk to (no adapter, no BlueZ/D-Bus on Linux, Bluetooth off).

    Parameters
    ----------
    detail : str
        What the platform's Bluetooth library said.
    """

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            "Bluetooth is not available on this machine: no Bluetooth adapter or system Bluetooth service "
            "was found (on Linux: BlueZ's bluetoothd and the D-Bus system bus; check `bluetoothctl show`; "
            "in a container or WSL there is usually none); emulated sensors (the 'emulate' extra) work "
            f"without it. [{detail}]")

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self):
        return (BluetoothUnavailableError, (self.detail,))
