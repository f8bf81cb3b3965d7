"""A blocking wrapper for scripts: the stream runs on one private event loop in a daemon thread.

bleak requires all its operations on one loop, and ``asyncio.run`` cannot be called where a loop is
already running (Jupyter), so the wrapper owns a loop of its own in a background thread and hands
calls to it with ``asyncio.run_coroutine_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from .live import LiveUpdate
from .session import Stream

__all__ = ["BlockingStream", "LoopThread", "connect_blocking"]

T = TypeVar("T")


class LoopThread:
    """One private asyncio loop running in a daemon thread.

    :meth:`run` executes a coroutine on it and blocks for the result. Pass one to
    :func:`connect_blocking` (``loop=``) to prepare things on the stream's loop first (bleak
    objects must all live on one loop).
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="gaitlab-stream", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        async def _cancel_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.run(_cancel_rest(), timeout=5)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)
            if not self._thread.is_alive():
                self.loop.close()


class BlockingStream:
    """``with connect_blocking(...) as s: for update in s: ...`` without any asyncio in sight.

    Takes the arguments of :func:`gaitlab.stream.connect`. The stream object itself lives on the
    private loop; use :attr:`stream` only for read-only inspection from the calling thread.
    """

    def __init__(self, device: Any = None, *, loop: LoopThread | None = None, **kwargs: Any) -> None:
        self._args = (device, kwargs)
        self._given_loop = loop
        self._loop: LoopThread | None = None
        self.stream: Stream | None = None

    def open(self) -> BlockingStream:
        self._loop = self._given_loop or LoopThread()
        device, kwargs = self._args

        async def _open() -> Stream:
            stream = Stream(device, **kwargs)  # built on the private loop: its events belong there
            await stream.start()
            return stream

        try:
            self.stream = self._loop.run(_open())
        except BaseException:
            if self._given_loop is None:
                self._loop.stop()
            self._loop = None
            raise
        return self

    def __enter__(self) -> BlockingStream:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[LiveUpdate]:
        if self.stream is None or self._loop is None:
            raise RuntimeError("open the stream first (use it in a with statement)")
        while True:
            try:
                yield self._loop.run(self.stream.__anext__())
            except StopAsyncIteration:
                return

    def close(self) -> None:
        if self._loop is None:
            return
        try:
            if self.stream is not None:
                self._loop.run(self.stream.close(), timeout=10)
        finally:
            if self._given_loop is None:  # a loop the caller gave stays theirs
                self._loop.stop()
            self._loop = None


def connect_blocking(device: Any = None, *, loop: LoopThread | None = None, **kwargs: Any) -> BlockingStream:
    """Blocking twin of :func:`gaitlab.stream.connect` for scripts (see :class:`BlockingStream`).

    Parameters
    ----------
    device, **kwargs
        As for :func:`gaitlab.stream.connect`.
    loop : LoopThread, optional
        Run on this private loop (default: a new one, stopped on close).
    """
    return BlockingStream(device, loop=loop, **kwargs)
