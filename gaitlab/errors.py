"""Exceptions raised by gaitlab.

Every error the library raises on purpose derives from :class:`GaitlabError`, so a caller can
catch the library's errors in one place. Errors about user input carry *where* the problem is
(file, 1-based line as an editor counts it, column) so that the CLI can print the one-line form
of the ARCHITECTURE contract: ``run.csv:50: column acc_x_g: 'abc' is not a number``.
"""

from __future__ import annotations

__all__ = [
    "GaitlabError",
    "InputError",
    "FrameError",
    "SensorNotFoundError",
]


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
