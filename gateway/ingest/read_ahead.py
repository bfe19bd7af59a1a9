"""Reading the next chunks in a background thread while the caller works on the current one.

Parsing a chunk (polars' CSV reader, numpy scans, calamine conversion) mostly runs outside the
interpreter lock, so a reader thread keeps a second core busy while the rules judge. At most
``depth`` chunks are read ahead of the one the caller holds, which bounds the memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

Item = TypeVar("Item")

_DONE = object()
# How often a reader waiting for a free slot checks whether the caller has gone away.
_POLL_SECONDS = 0.05


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(items: Iterator[Item], depth: int = 1) -> Iterator[Item]:
    """Yield what ``items`` yields, in order, produced by a background thread.

    The thread starts on an item only when fewer than ``depth`` items are made and not yet
    taken, so at most ``depth`` items exist beyond the one the caller holds (counting the one
    in the making).

    An exception raised by ``items`` (a ``FileRejected`` found further into the file) is
    raised here at the same position. When the caller stops early (an exception, or closing
    the generator), the thread stops and ``items`` is closed in it before this returns, so a
    table may be closed safely afterwards.
    """
    if depth < 1:
        raise ValueError("depth must be positive")
    waiting: queue.SimpleQueue[object] = queue.SimpleQueue()
    slots = threading.Semaphore(depth)
    stop = threading.Event()

    def free_slot() -> bool:
        while not stop.is_set():
            if slots.acquire(timeout=_POLL_SECONDS):
                return True
        return False

    def produce() -> None:
        try:
            iterator = iter(items)
            while free_slot():
                try:
                    item = next(iterator)
                except StopIteration:
                    waiting.put(_DONE)
                    return
                waiting.put(item)
                del item
        except BaseException as exc:
            # Raised again in the consuming thread, where the chunk would have been read.
            waiting.put(_Failure(exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            # The caller now holds this item: the thread may start on the next one.
            slots.release()
            yield item  # type: ignore[misc]
            del item  # the caller's chunk is not kept alive here while the next one is read
    finally:
        stop.set()
        worker.join()
