"""A minimal JSON-RPC client for the indexer's hot path (raw ``eth_getLogs``, batched headers)."""

from __future__ import annotations

import itertools
from typing import Any

import orjson
import requests

from backend.errors import LedgerError


class RpcError(LedgerError):
    code = "rpc_error"
    status = 502


class ResponseTooLarge(RpcError):
    """The node refused a log query as too large: ask for a smaller block range."""


_TOO_LARGE_HINTS = ("more than", "too many", "limit exceeded", "response size", "range")


class JsonRpc:
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url
        self.timeout = timeout
        self._session = requests.Session()
        self._ids = itertools.count(1)

    def call(self, method: str, params: list[Any]) -> Any:
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        return self._result(self._post(payload), method)

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        if not calls:
            return []
        payload = [
            {"jsonrpc": "2.0", "id": index, "method": method, "params": params}
            for index, (method, params) in enumerate(calls)
        ]
        responses = sorted(self._post(payload), key=lambda r: r["id"])
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

    def _post(self, payload: Any) -> Any:
        try:
            response = self._session.post(
                self.url,
                data=orjson.dumps(payload),
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise RpcError(f"JSON-RPC node at {self.url} unreachable: {error}") from None
        if response.status_code == 413:
            raise ResponseTooLarge("the node refused the request as too large")
        return orjson.loads(response.content)

    @staticmethod
    def _result(response: dict[str, Any], method: str) -> Any:
        error = response.get("error")
        if error:
            message = str(error.get("message", error))
            if method == "eth_getLogs" and any(h in message.lower() for h in _TOO_LARGE_HINTS):
                raise ResponseTooLarge(message)
            raise RpcError(f"{method} failed: {message}")
        return response.get("result")
