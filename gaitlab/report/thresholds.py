"""Report thresholds: the defaults of :mod:`gaitlab.report.rules` plus the user's overrides.

Overrides come as a mapping or a TOML file, with one section per rule code plus ``general``::

    [general]
    baseline_s = 900           # a 15-min baseline

    [low_cadence]
    warn_below_spm = 160

The same as a dict: ``{"low_cadence": {"warn_below_spm": 160}}`` or with dotted keys
``{"low_cadence.warn_below_spm": 160}``. An unknown section or key is an :class:`InputError` that
lists the valid ones, so a typo never silently leaves a default in place.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import InputError
from .rules import GENERAL, RULES, Threshold

__all__ = ["Thresholds", "load_thresholds", "SECTIONS"]

#: section name -> its thresholds
SECTIONS: dict[str, tuple[Threshold, ...]] = {"general": GENERAL, **{c: r.thresholds for c, r in RULES.items()}}


class Thresholds(Mapping[str, float]):
    """Resolved thresholds: an immutable mapping ``"section.name" -> value``.

    Use :func:`load_thresholds` to build one; ``th.get_value("low_cadence", "warn_below_spm")``
    (or ``th["low_cadence.warn_below_spm"]``) reads a value.
    """

    def __init__(self, overrides: Mapping[str, float] | None = None) -> None:
        values = {f"{sec}.{th.name}": float(th.default) for sec, ths in SECTIONS.items() for th in ths}
        for key, value in (overrides or {}).items():
            if key not in values:  # pragma: no cover - load_thresholds validates first
                raise KeyError(key)
            values[key] = float(value)
        self._values = values
        self.overridden: frozenset[str] = frozenset(overrides or ())

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def get_value(self, section: str, name: str) -> float:
        """The value of ``name`` in ``section`` (a rule code or ``general``)."""
        return self._values[f"{section}.{name}"]

    def __repr__(self) -> str:
        changed = {k: self._values[k] for k in sorted(self.overridden)}
        return f"Thresholds(overrides={changed})"


def _valid_keys_text(section: str | None = None) -> str:
    if section is not None:
        return ", ".join(th.name for th in SECTIONS[section])
    return ", ".join(SECTIONS)


def _flatten(raw: Mapping[str, Any], path: str | None) -> dict[str, Any]:
    """Nested ``{section: {name: value}}`` and/or dotted ``{"section.name": value}`` -> dotted."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        key = str(key)
        if isinstance(value, Mapping):
            if key not in SECTIONS:
                raise InputError(f"unknown thresholds section {key!r}; valid sections: "
                                 f"{_valid_keys_text()}", path=path)
            for name, v in value.items():
                flat[f"{key}.{name}"] = v
        elif "." in key:
            flat[key] = value
        else:
            raise InputError(f"threshold {key!r} must be inside a section ([rule] or [general]) or "
                             f"written as 'section.name'; valid sections: {_valid_keys_text()}", path=path)
    return flat


def _validate(flat: Mapping[str, Any], path: str | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in flat.items():
        section, _, name = key.partition(".")
        if section not in SECTIONS:
            raise InputError(f"unknown thresholds section {section!r}; valid sections: "
                             f"{_valid_keys_text()}", path=path)
        spec = next((th for th in SECTIONS[section] if th.name == name), None)
        if spec is None:
            raise InputError(f"unknown threshold {key!r}; valid keys in [{section}]: "
                             f"{_valid_keys_text(section)}", path=path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"threshold {key!r} must be a number, found {value!r}", path=path)
        v = float(value)
        if not math.isfinite(v):
            raise InputError(f"threshold {key!r} must be finite, found {value!r}", path=path)
        if spec.integer and v != int(v):
            raise InputError(f"threshold {key!r} is a count and must be a whole number, found {value!r}",
                             path=path)
        if spec.minimum is not None and v < spec.minimum:
            raise InputError(f"threshold {key!r} must be >= {spec.minimum:g}, found {value!r}", path=path)
        out[key] = v
    _check_order(out, path)
    return out


# (section, milder, stronger, direction): the stronger limit must lie beyond the milder one.
_ORDER = (
    ("low_cadence", "info_below_spm", "warn_below_spm", -1),
    ("low_cadence", "warn_below_spm", "alert_below_spm", -1),
    ("pogo_bounce", "vo_warn_cm", "vo_alert_cm", +1),
    ("pogo_bounce", "vr_warn_pct", "vr_alert_pct", +1),
    ("long_ground_contact", "gct_warn_ms", "gct_alert_ms", +1),
    ("asymmetry", "gct_si_warn_pct", "gct_si_alert_pct", +1),
)


def _check_order(overrides: Mapping[str, float], path: str | None) -> None:
    th = Thresholds(overrides)
    for section, mild, strong, sign in _ORDER:
        a, b = th.get_value(section, mild), th.get_value(section, strong)
        if sign * (b - a) < 0:
            rel = "above" if sign > 0 else "below"
            raise InputError(f"threshold '{section}.{strong}' ({b:g}) must be {rel} or equal to "
                             f"'{section}.{mild}' ({a:g})", path=path)


def load_thresholds(source: Thresholds | Mapping[str, Any] | str | os.PathLike[str] | None = None) -> Thresholds:
    """Resolve the report thresholds: defaults, updated by ``source``.

    Parameters
    ----------
    source : Thresholds, mapping, path to a TOML file, or None
        Overrides. A mapping is ``{section: {name: value}}`` or ``{"section.name": value}``;
        sections are the rule codes and ``general``. ``None`` gives the defaults.

    Returns
    -------
    Thresholds

    Raises
    ------
    InputError
        Unknown section or key (the message lists the valid ones), a value that is not a finite
        number or is out of range, an unreadable or malformed TOML file.
    """
    if source is None:
        return Thresholds()
    if isinstance(source, Thresholds):
        return source
    path: str | None = None
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                raw: Mapping[str, Any] = tomllib.load(fh)
        except OSError as exc:
            raise InputError(f"cannot read thresholds file: {exc.strerror or exc}", path=path) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"not valid TOML: {exc}", path=path) from None
    elif isinstance(source, Mapping):
        raw = source
    else:
        raise InputError(f"thresholds must be a mapping or a TOML file path, not {type(source).__name__}")
    return Thresholds(_validate(_flatten(raw, path), path))
