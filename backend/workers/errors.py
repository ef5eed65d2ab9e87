"""What a worker's error means for what happens next: retry after a pause, or stop the process.

Worker errors are not HTTP errors: nothing here is a `LedgerError`. ``classify`` decides:

- **retryable**: the node is unreachable, timed out, dropped or reset the connection, answered
  5xx or a JSON-RPC error; the database connection was lost, an operational error, a
  serialization failure or deadlock. The supervisor backs off and runs the worker again, where it
  stopped (the indexer from its cursor, the relayer through ``resume()``).
- **fatal**: a `FatalError` (a reorg deeper than the final depth, a wrong chain id, a deployment
  that does not match, lost leadership). The process stops with a non-zero exit.
- **unknown**: anything else (a bug, a constraint violation). It is retried like a retryable one,
  but only ``max_unknown_failures`` times in a row; then it is fatal (a bug does not fix itself,
  and retrying it forever would hide it behind a process that looks alive).

Ponder's ``RetryableError`` / ``NonRetryableUserError`` are the model.
"""

from __future__ import annotations

import socket
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    RETRYABLE = "retryable"
    FATAL = "fatal"
    UNKNOWN = "unknown"


class RetryableError(Exception):
    """A failure that goes away by itself (a node or a database briefly gone): retry."""


class FatalError(Exception):
    """A failure no retry fixes: stop the process, with this message on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LostLeadership(FatalError):
    """Another process took this worker's leader lock: stop before writing anything more."""


class HandlerError(Exception):
    """An indexer handler failed; carries the event it failed on (Ponder's ``addErrorMeta``).

    Classified as its cause: a lost database connection inside a handler is retryable.
    """

    def __init__(
        self, event_key: str, block_number: int, tx_hash: str, log_index: int, cause: BaseException
    ) -> None:
        self.event_key = event_key
        self.block_number = block_number
        self.tx_hash = tx_hash
        self.log_index = log_index
        #: Where it failed, for the log.
        self.meta: dict[str, Any] = {
            "event": event_key,
            "block": block_number,
            "tx_hash": tx_hash,
            "log_index": log_index,
        }
        super().__init__(
            f"handler of {event_key} failed at block {block_number} tx {tx_hash} "
            f"log {log_index}: {type(cause).__name__}: {cause}"
        )


# PostgreSQL SQLSTATEs worth a retry: serialization failure, deadlock, connection exceptions
# (class 08), operator intervention (57: admin shutdown, terminated backend, cannot connect now),
# insufficient resources (53).
_RETRYABLE_SQLSTATE_PREFIXES = ("40001", "40P01", "08", "57", "53")
_MAX_CHAIN = 8
# JSON-RPC codes for a malformed request (parse error, invalid request, no such method, invalid
# params); every other error answer (-32000 server error, -32603 internal, -32005 limit) is
# transient.
_MALFORMED_REQUEST_CODES = frozenset({-32700, -32600, -32601, -32602})


def classify(error: BaseException) -> Outcome:
    """Whether ``error`` (or what caused it) is worth a retry, fatal, or unknown."""
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < _MAX_CHAIN:
        outcome = _classify_one(current)
        if outcome is not None:
            return outcome
        current = current.__cause__ or current.__context__
        seen += 1
    return Outcome.UNKNOWN


def _classify_one(error: BaseException) -> Outcome | None:
    if isinstance(error, FatalError):
        return Outcome.FATAL
    if isinstance(error, RetryableError):
        return Outcome.RETRYABLE
    if isinstance(error, (ConnectionError, TimeoutError, socket.timeout, socket.gaierror)):
        return Outcome.RETRYABLE
    return _classify_libraries(error)


def _classify_libraries(error: BaseException) -> Outcome | None:
    """Errors of the libraries between a worker and its node or database (imported lazily, so
    this module stays light)."""
    from backend.indexer.rpc import RpcError

    if isinstance(error, RpcError):
        # The node answered that the request itself is wrong: asking again will not help.
        return None if error.rpc_code in _MALFORMED_REQUEST_CODES else Outcome.RETRYABLE
    import requests

    if isinstance(error, (requests.ConnectionError, requests.Timeout)):
        return Outcome.RETRYABLE
    if isinstance(error, requests.HTTPError):
        status = getattr(error.response, "status_code", 0) or 0
        return Outcome.RETRYABLE if status >= 500 or status == 429 else None
    from web3.exceptions import ProviderConnectionError, TimeExhausted, Web3RPCError

    if isinstance(error, (ProviderConnectionError, TimeExhausted, Web3RPCError)):
        return Outcome.RETRYABLE
    from sqlalchemy import exc as sa

    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return Outcome.RETRYABLE
    if isinstance(error, (sa.OperationalError, sa.InterfaceError, sa.DisconnectionError)):
        return Outcome.RETRYABLE
    if isinstance(error, sa.TimeoutError):  # the connection pool
        return Outcome.RETRYABLE
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None) or getattr(
        error, "sqlstate", None
    )
    if isinstance(sqlstate, str) and sqlstate.startswith(_RETRYABLE_SQLSTATE_PREFIXES):
        return Outcome.RETRYABLE
    return None


def describe(error: BaseException) -> str:
    """One line: the error's own sentence, without a traceback."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return " ".join(str(message).split())
