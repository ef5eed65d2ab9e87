"""A minimal JSON-RPC client for the indexer's hot path (raw ``eth_getLogs``, batched headers).

Every request has a timeout. Reads are idempotent, so a read the node did not answer (unreachable,
timed out, connection reset, HTTP 5xx) is tried again ``retries`` times after a short pause;
a request that sends a transaction is never repeated here (the relayer's write-ahead log and
``resume()`` decide what to send again).
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import orjson
import requests

from backend.errors import LedgerError


class RpcError(LedgerError, code="rpc_error", status=502):
    """The node failed a request. ``rpc_code``: the JSON-RPC error code when it answered one."""

    def __init__(self, message: str, *, rpc_code: int | None = None) -> None:
        super().__init__(message)
        self.rpc_code = rpc_code


class NodeUnavailable(RpcError):
    """No answer: unreachable, timed out, connection dropped, or an HTTP 5xx."""


class ResponseTooLarge(RpcError):
    """The node refused a log query as too large: ask for a smaller block range."""


_TOO_LARGE_HINTS = ("more than", "too many", "limit exceeded", "response size", "range")
# Methods that change something: never repeated by the client.
_SENDS = frozenset({"eth_sendRawTransaction", "eth_sendTransaction"})


class JsonRpc:
    def __init__(
        self, url: str, timeout: float = 30.0, *, retries: int = 2, retry_pause: float = 0.25
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.retries = retries
        self.retry_pause = retry_pause
        self._session = requests.Session()
        self._ids = itertools.count(1)

    def call(self, method: str, params: list[Any]) -> Any:
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        return self._result(self._post(payload, idempotent=method not in _SENDS), method)

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        if not calls:
            return []
        payload = [
            {"jsonrpc": "2.0", "id": index, "method": method, "params": params}
            for index, (method, params) in enumerate(calls)
        ]
        idempotent = not any(method in _SENDS for method, _ in calls)
        answer = self._post(payload, idempotent=idempotent)
        if not isinstance(answer, list):  # a node answers a whole batch it refuses with one error
            raise RpcError(f"the node refused the batch: {answer}")
        responses = sorted(answer, key=lambda r: r["id"])
        return [self._result(r, calls[r["id"]][0]) for r in responses]

    def block_number(self) -> int:
        return int(self.call("eth_blockNumber", []), 16)

    def block(self, number: int) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.call("eth_getBlockByNumber", [hex(number), False])
        return result

    def blocks(self, numbers: list[int]) -> list[dict[str, Any] | None]:
        return self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])

    def logs(self, addresses: list[str], from_block: int, to_block: int) -> list[dict[str, Any]]:
        query = {"address": addresses, "fromBlock": hex(from_block), "toBlock": hex(to_block)}
        result: list[dict[str, Any]] = self.call("eth_getLogs", [query])
        return result

    def _post(self, payload: Any, *, idempotent: bool) -> Any:
        attempts = 1 + (self.retries if idempotent else 0)
        for attempt in range(1, attempts + 1):
            try:
                return self._post_once(payload)
            except NodeUnavailable:
                if attempt == attempts:
                    raise
                time.sleep(self.retry_pause * attempt)
        raise AssertionError("unreachable")

    def _post_once(self, payload: Any) -> Any:
        try:
            response = self._session.post(
                self.url,
                data=orjson.dumps(payload),
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise NodeUnavailable(f"JSON-RPC node at {self.url} unreachable: {error}") from None
        if response.status_code == 413:
            raise ResponseTooLarge("the node refused the request as too large")
        if response.status_code >= 500 or response.status_code == 429:
            raise NodeUnavailable(
                f"JSON-RPC node at {self.url} answered HTTP {response.status_code}"
            )
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise NodeUnavailable(
                f"JSON-RPC node at {self.url} answered HTTP {response.status_code} without JSON"
            ) from None

    @staticmethod
    def _result(response: dict[str, Any], method: str) -> Any:
        error = response.get("error")
        if error:
            message = str(error.get("message", error))
            if method == "eth_getLogs" and any(h in message.lower() for h in _TOO_LARGE_HINTS):
                raise ResponseTooLarge(message)
            code = error.get("code") if isinstance(error, dict) else None
            raise RpcError(
                f"{method} failed: {message}", rpc_code=code if isinstance(code, int) else None
            )
        return response.get("result")
