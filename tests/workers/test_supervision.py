"""What an error means (retryable, fatal, unknown), and what the supervisor does about it."""

from __future__ import annotations

import random
import threading

import psycopg
import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from backend.errors import LedgerError
from backend.indexer.indexer import ReorgTooDeep
from backend.indexer.rpc import JsonRpc, NodeUnavailable, RpcError
from backend.workers.errors import (
    FatalError,
    HandlerError,
    LostLeadership,
    Outcome,
    RetryableError,
    classify,
)
from backend.workers.supervisor import Backoff, Worker, WorkerFailed, WorkerState, supervise
from tests.conftest import POSTGRES_ADMIN_URL


def _raised(error: BaseException, cause: BaseException) -> BaseException:
    try:
        raise error from cause
    except BaseException as raised:
        return raised


def test_a_deep_reorg_is_fatal_and_not_an_http_error():
    error = ReorgTooDeep("reorg of 9 blocks")
    assert classify(error) is Outcome.FATAL
    assert not isinstance(error, LedgerError)


@pytest.mark.parametrize(
    "error",
    [
        NodeUnavailable("gone"),
        RpcError("eth_getLogs failed: header not found", rpc_code=-32000),
        requests.ConnectionError("reset"),
        requests.Timeout("slow"),
        ConnectionResetError(),
        TimeoutError(),
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        RetryableError("try again"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_failures_are_retryable(error):
    assert classify(error) is Outcome.RETRYABLE


def test_fatal_unknown_and_wrapped_errors():
    assert classify(LostLeadership("another relayer")) is Outcome.FATAL
    assert classify(FatalError("wrong chain")) is Outcome.FATAL
    assert classify(KeyError("bug")) is Outcome.UNKNOWN
    assert classify(IntegrityError("INSERT", {}, Exception("duplicate"))) is Outcome.UNKNOWN
    assert classify(RpcError("eth_getLogs failed: bad params", rpc_code=-32602)) is Outcome.UNKNOWN
    # a handler's error is what caused it, with the event attached
    lost = OperationalError("INSERT", {}, Exception("connection lost"))
    wrapped = _raised(HandlerError("TradeLedger:TradeRecorded", 7, "0xab", 2, lost), lost)
    assert classify(wrapped) is Outcome.RETRYABLE
    assert wrapped.meta == {  # type: ignore[attr-defined]
        "event": "TradeLedger:TradeRecorded",
        "block": 7,
        "tx_hash": "0xab",
        "log_index": 2,
    }


def test_a_terminated_postgres_session_is_retryable(postgres_unavailable):
    if postgres_unavailable:
        pytest.skip(postgres_unavailable)
    engine = create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with psycopg.connect(
                POSTGRES_ADMIN_URL.replace("+psycopg", ""), autocommit=True
            ) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            with pytest.raises(Exception) as raised:
                connection.execute(text("SELECT 1"))
        assert classify(raised.value) is Outcome.RETRYABLE
    finally:
        engine.dispose()


def test_an_unreachable_node_is_retryable_and_reads_are_retried():
    rpc = JsonRpc("http://127.0.0.1:9", timeout=1, retries=2, retry_pause=0)
    with pytest.raises(NodeUnavailable) as raised:
        rpc.block_number()
    assert classify(raised.value) is Outcome.RETRYABLE


def test_backoff_doubles_with_jitter_up_to_the_cap():
    backoff = Backoff(initial=0.5, maximum=30.0, jitter=0.25)
    rng = random.Random(1)
    delays = [backoff.delay(attempt, rng) for attempt in range(1, 12)]
    for attempt, delay in enumerate(delays, start=1):
        base = min(30.0, 0.5 * 2 ** (attempt - 1))
        assert base * 0.75 <= delay <= min(30.0, base * 1.25)
    assert delays[-1] <= 30.0


class _Flaky:
    """Fails with each of ``errors`` in turn, then succeeds and stops the loop."""

    def __init__(self, stop: threading.Event, errors: list[BaseException]) -> None:
        self.stop = stop
        self.errors = list(errors)
        self.starts = 0
        self.steps = 0

    def start(self) -> None:
        self.starts += 1

    def step(self) -> float:
        self.steps += 1
        if self.errors:
            raise self.errors.pop(0)
        self.stop.set()
        return 0.0


def test_retryable_failures_are_retried_and_the_worker_resumes_through_start():
    stop = threading.Event()
    flaky = _Flaky(stop, [NodeUnavailable("down")] * 3)
    state = WorkerState("indexer")
    supervise(
        Worker("indexer", step=flaky.step, start=flaky.start),
        stop,
        backoff=Backoff(initial=0.001, maximum=0.002),
        state=state,
    )
    assert flaky.steps == 4
    assert flaky.starts == 4  # start (the relayer's resume) at each restart
    assert state.restarts == 3 and state.attempt == 0


def test_a_failing_start_is_just_another_retryable_failure():
    stop = threading.Event()
    calls = {"start": 0}

    def start() -> None:
        calls["start"] += 1
        if calls["start"] < 3:
            raise NodeUnavailable("the node is down during resume()")

    def step() -> float:
        stop.set()
        return 0.0

    supervise(Worker("relayer", step=step, start=start), stop, backoff=Backoff(0.001, 0.002))
    assert calls["start"] == 3


def test_a_fatal_error_stops_at_once_and_names_the_worker():
    stop = threading.Event()
    flaky = _Flaky(stop, [NodeUnavailable("down"), ReorgTooDeep("reorg of 9 blocks")])
    with pytest.raises(WorkerFailed, match="^indexer: reorg of 9 blocks$"):
        supervise(Worker("indexer", step=flaky.step), stop, backoff=Backoff(0.001, 0.002))
    assert flaky.steps == 2


def test_an_unknown_error_is_fatal_after_n_in_a_row():
    stop = threading.Event()
    flaky = _Flaky(stop, [KeyError("bug")] * 10)
    with pytest.raises(WorkerFailed, match="indexer"):
        supervise(
            Worker("indexer", step=flaky.step),
            stop,
            backoff=Backoff(0.001, 0.002),
            max_unknown_failures=3,
        )
    assert flaky.steps == 3
