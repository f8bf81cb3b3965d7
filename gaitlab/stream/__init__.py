"""Live streaming from Bluetooth LE sensors.

>>> import gaitlab
>>> async def main():                                                   # doctest: +SKIP
...     async with gaitlab.stream.connect("Polar H10 0A1B2C3D", record="run.csv") as s:
...         async for update in s:
...             print(update.line())

* :func:`connect` opens a stream (async context manager + async iterator of :class:`LiveUpdate`);
  :func:`connect_blocking` is the same for plain scripts (a private loop in a daemon thread).
* :func:`scan` lists supported sensors nearby.
* :class:`LiveWaistAnalyzer` (``analyzer=``): live steps and cadence / GCT / VO / balance from a
  waist or chest sensor, equal to ``gaitlab analyze`` on the recorded file;
  :func:`gaitlab.stream.jupyter.live_view` draws them in a notebook.
* :class:`LiveShoeAnalyzer`: live contacts, cadence / GCT / stride length / foot strike from one
  shoe-mounted IMU, the batch shoe pipeline on a bounded buffer.
* Profiles (:mod:`.profiles`): Polar PMD, Movesense GSP, gaitlab's GLF, footpod RSC.
* Sources (:class:`Source`) are injectable; the bumble-backed test backends and emulated sensors
  are in :mod:`gaitlab.testing`.

bleak is imported only when a stream or scan actually starts.
"""

from __future__ import annotations

from .analyzer import LiveWaistAnalyzer
from .blocking import BlockingStream, connect_blocking
from .live import LiveAnalyzer, LiveUpdate
from .profiles import (
    GlfProfile,
    MovesenseProfile,
    PolarProfile,
    Profile,
    RscProfile,
    get_profile,
    register_profile,
)
from .recorder import CsvRecorder
from .scan import FoundSensor, scan
from .session import Stream, connect
from .shoe_analyzer import LiveShoeAnalyzer
from .source import BleakSource, Source, StreamError

#: What a user needs: open a stream (or scan), analyse it live, inject a source, pick or configure
#: a profile, record. Everything else (time base, packets, the rate-only analyzer, the loop
#: thread) is imported from its module (``gaitlab.stream.timebase``, ...).
__all__ = [
    "connect", "connect_blocking", "scan", "Stream", "BlockingStream", "LiveUpdate", "LiveAnalyzer",
    "LiveWaistAnalyzer", "LiveShoeAnalyzer", "Source", "BleakSource", "StreamError", "FoundSensor",
    "Profile", "PolarProfile", "MovesenseProfile", "GlfProfile", "RscProfile", "get_profile",
    "register_profile", "CsvRecorder",
]
