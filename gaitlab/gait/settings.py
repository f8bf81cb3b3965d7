"""Checking a pipeline's settings by name: an unknown one is a usage error that lists the valid ones."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import InputError

__all__ = ["check_settings"]


def check_settings(params: Mapping[str, Any], cls: type, placement: str, *, extra: Iterable[str] = (),
                   given: Iterable[str] = ()) -> None:
    """Raise :class:`~gaitlab.errors.InputError` for settings ``cls`` (a pipeline dataclass) lacks.

    Parameters
    ----------
    params : mapping
        The settings passed on as ``**params``.
    cls : type
        The pipeline dataclass whose ``__init__`` fields are the valid settings.
    placement : str
        For the message (``'waist'``, ``'shoe'``).
    extra : iterable of str
        Further valid names handled by the caller (e.g. ``segment_s``).
    given : iterable of str
        Fields the caller sets itself (e.g. ``speed_mps``, ``axes``): not valid in ``params``.
    """
    taken = set(given)
    valid = sorted({f.name for f in dataclasses.fields(cls) if f.init and f.name not in taken} | set(extra))
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise InputError(f"unknown {placement} analysis setting{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))}; valid settings: {', '.join(valid)}")
