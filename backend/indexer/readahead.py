"""Read ahead: items made by a producer while the consumer works on the previous one.

The indexer's producer reads and decodes block ranges; its consumer writes them. In a worker
thread the producer overlaps only with waiting (on the node, or on SQLite with the GIL released):
its Python work and the writer's share one core through the GIL, and each time the writer gets
the GIL back from a busy producer it waits a switch interval. A forked process runs the producer
on another core instead, for the cost of pickling each item across a pipe.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from multiprocessing.connection import Connection as PipeEnd
from typing import Any, TypeVar

from backend.errors import LedgerError

T = TypeVar("T")
Producer = Callable[[threading.Event], Iterator[T]]  # items until done, or until the event is set

# Linux only: a forked child starts with the producer's state (decoder, settings) as it is, with
# nothing to pickle or import; elsewhere fork is unsafe or unavailable, and a thread reads.
FORK = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1  # prctl option: the signal a child gets when its parent dies


class ReaderFailed(LedgerError, code="indexer_reader_failed", status=500):
    """The indexer's read-ahead thread failed; its error is the cause."""


def read_in_thread(produce: Producer[T]) -> Generator[T, None, None]:
    """The producer's items, made one ahead by a worker thread; its errors are raised here."""
    items: queue.Queue[T | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in produce(stop):
                items.put(item)
            items.put(None)
        except BaseException as error:  # handed over to the consumer, which raises it
            items.put(error)

    worker = threading.Thread(target=run, name="indexer-read", daemon=True)
    worker.start()
    try:
        while (item := items.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # a producer blocked on the full queue needs room to stop
            with contextlib.suppress(queue.Empty):
                items.get_nowait()
            worker.join(timeout=0.05)


def read_in_process(
    produce: Producer[T], *, in_child: Callable[[], None]
) -> Generator[T, None, None]:
    """The producer's items, made one ahead by a forked process; its errors are raised here.

    ``in_child`` runs first in the child: whatever of the parent's it must not share (open
    connections) it replaces there. The child dies with the parent, which may hold a lock that a
    forked process shares (a file lock, a PostgreSQL session).
    """
    assert FORK is not None, "no fork on this system: read_in_thread"
    receiving, sending = FORK.Pipe(duplex=False)
    child = FORK.Process(
        target=_produce_into,
        args=(produce, in_child, os.getpid(), receiving, sending),
        name="indexer-read",
        daemon=True,
    )
    child.start()
    sending.close()
    try:
        while (item := _received(receiving)) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        receiving.close()
        if child.is_alive():  # stopped early: it may be waiting on the node or on the pipe
            child.terminate()
        child.join()


def _received(receiving: PipeEnd) -> Any:
    """The next item, None at the end, or the error that stopped the producer."""
    try:
        return pickle.loads(receiving.recv_bytes())
    except EOFError:
        raise ReaderFailed("the reader process died") from None


def _produce_into(
    produce: Producer[T],
    in_child: Callable[[], None],
    parent: int,
    receiving: PipeEnd,
    sending: PipeEnd,
) -> None:
    """In the child: send each item, then None, or the error that stopped the producer."""
    receiving.close()  # only the parent may hold the reading end: its death must break the pipe
    _die_with(parent)
    gc.freeze()  # the parent's objects are not the child's to collect (and their pages stay shared)
    in_child()
    message: BaseException | None = None
    try:
        for item in produce(threading.Event()):
            if not _sent(sending, pickle.dumps(item, pickle.HIGHEST_PROTOCOL)):
                return
    except BaseException as error:
        message = error
    try:
        payload = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    except Exception:  # an error that does not pickle still stops the consumer
        payload = pickle.dumps(ReaderFailed(f"the reader process failed: {message!r}"))
    _sent(sending, payload)


def _sent(sending: PipeEnd, payload: bytes) -> bool:
    """False when the consumer has stopped reading (and will end this process)."""
    try:
        sending.send_bytes(payload)
    except BrokenPipeError:
        return False
    return True


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when ``parent`` dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)
