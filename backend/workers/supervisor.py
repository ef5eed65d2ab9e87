"""Running the background workers: retry what is retryable with backoff, stop on what is fatal.

A worker is a ``step`` (one unit of work, returning the seconds to wait before the next) and a
``start`` run before the first step and again after every failure (the relayer's ``resume()``;
a failing ``start`` is just another failure). :func:`supervise` runs one worker in the calling
thread; :class:`Supervisor` runs several in threads, keeps their state for ``/readyz`` and, on the
first fatal error, stops them all and tells the process (``scf serve`` exits with code 3).

Backoff: 0.5 s doubling to 30 s, times a jitter of 0.75-1.25, counted from the first failure in a
row; a successful step resets it. Retryable errors are retried for as long as they last (a node
down for an hour is waited for, and ``/readyz`` says so); unknown ones ``max_unknown_failures``
times in a row, then they are fatal.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from backend.workers import metrics
from backend.workers.errors import FatalError, Outcome, classify, describe

logger = logging.getLogger(__name__)

DEFAULT_MAX_UNKNOWN_FAILURES = 5


class WorkerStatus(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RETRYING = "retrying"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.5
    maximum: float = 30.0
    jitter: float = 0.25

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        base = min(self.maximum, self.initial * 2 ** min(attempt - 1, 30))
        spread = (rng or random).uniform(1 - self.jitter, 1 + self.jitter)
        return round(min(self.maximum, base * spread), 3)


@dataclass
class Worker:
    name: str
    step: Callable[[], float]
    start: Callable[[], object] | None = None


@dataclass
class WorkerState:
    name: str
    status: WorkerStatus = WorkerStatus.STARTING
    attempt: int = 0  # failures in a row
    restarts: int = 0
    last_error: str | None = None


class WorkerFailed(FatalError):
    """A worker stopped on a fatal error: the message names the worker and says why."""

    def __init__(self, worker: str, cause: BaseException) -> None:
        super().__init__(f"{worker}: {describe(cause)}")
        self.worker = worker
        self.cause = cause


def supervise(
    worker: Worker,
    stop: threading.Event,
    *,
    backoff: Backoff | None = None,
    max_unknown_failures: int = DEFAULT_MAX_UNKNOWN_FAILURES,
    state: WorkerState | None = None,
    rng: random.Random | None = None,
) -> None:
    """Run ``worker`` until ``stop`` is set; raises `WorkerFailed` on a fatal error."""
    backoff = backoff or Backoff()
    state = state or WorkerState(worker.name)
    started = False
    unknown = 0
    while not stop.is_set():
        try:
            if not started:
                if worker.start is not None:
                    worker.start()
                started = True
            wait = worker.step()
        except Exception as error:
            outcome = classify(error)
            unknown = unknown + 1 if outcome is Outcome.UNKNOWN else 0
            state.last_error = describe(error)
            if outcome is Outcome.FATAL or unknown >= max_unknown_failures:
                state.status = WorkerStatus.FAILED
                metrics.WORKER_UP.labels(worker.name).set(0)
                raise WorkerFailed(worker.name, error) from error
            state.attempt += 1
            delay = backoff.delay(state.attempt, rng)
            logger.warning(
                "worker.retry worker=%s attempt=%d delay=%.3f outcome=%s error=%s: %s",
                worker.name,
                state.attempt,
                delay,
                outcome,
                type(error).__name__,
                state.last_error,
                exc_info=outcome is Outcome.UNKNOWN,  # likely a bug: keep its traceback
            )
            metrics.WORKER_RETRIES.labels(worker.name, str(outcome)).inc()
            metrics.WORKER_UP.labels(worker.name).set(0)
            state.status = WorkerStatus.RETRYING
            started = False
            if stop.wait(delay):
                break
            state.restarts += 1
            metrics.WORKER_RESTARTS.labels(worker.name).inc()
            continue
        if state.status is not WorkerStatus.RUNNING:
            if state.attempt:
                logger.warning("worker.recovered worker=%s attempts=%d", worker.name, state.attempt)
            state.status = WorkerStatus.RUNNING
            metrics.WORKER_UP.labels(worker.name).set(1)
        state.attempt = unknown = 0
        state.last_error = None
        if wait > 0:
            stop.wait(wait)
    state.status = WorkerStatus.STOPPED
    metrics.WORKER_UP.labels(worker.name).set(0)


@dataclass
class Supervisor:
    """Workers in threads; the first fatal error stops them all and calls ``on_fatal``."""

    backoff: Backoff = field(default_factory=Backoff)
    max_unknown_failures: int = DEFAULT_MAX_UNKNOWN_FAILURES
    stop: threading.Event = field(default_factory=threading.Event)
    failure: WorkerFailed | None = None
    states: dict[str, WorkerState] = field(default_factory=dict)
    _workers: list[Worker] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)
    _on_fatal: list[Callable[[], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, worker: Worker) -> None:
        self._workers.append(worker)
        self.states[worker.name] = WorkerState(worker.name)

    def on_fatal(self, callback: Callable[[], None]) -> None:
        self._on_fatal.append(callback)
        if self.failure is not None:
            callback()

    def start(self) -> None:
        for worker in self._workers:
            thread = threading.Thread(target=self._run, args=(worker,), name=worker.name)
            thread.daemon = True
            self._threads.append(thread)
            thread.start()

    def shutdown(self, timeout: float = 30.0) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout)

    def problems(self) -> list[str]:
        """Why the workers are not all running (``/readyz``'s reasons)."""
        reasons = []
        for state in self.states.values():
            if state.status is not WorkerStatus.RUNNING:
                why = f": {state.last_error}" if state.last_error else ""
                reasons.append(f"worker {state.name} {state.status}{why}")
        return reasons

    def _run(self, worker: Worker) -> None:
        try:
            supervise(
                worker,
                self.stop,
                backoff=self.backoff,
                max_unknown_failures=self.max_unknown_failures,
                state=self.states[worker.name],
            )
        except WorkerFailed as failure:
            logger.error("worker.fatal worker=%s error=%s", worker.name, describe(failure.cause))
            with self._lock:
                first = self.failure is None
                if first:
                    self.failure = failure
            self.stop.set()
            if first:
                for callback in list(self._on_fatal):
                    callback()
