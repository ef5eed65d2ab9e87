"""Connecting to the chain: the configured JSON-RPC node, else a local anvil (the default)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from web3 import Web3
from web3.providers.rpc.utils import ExceptionRetryConfiguration

from backend.chain.anvil import Anvil
from backend.errors import LedgerError
from backend.settings import Settings

LOCAL_STATE_FILE = "anvil-state.json"


class ChainUnavailable(LedgerError, code="chain_unavailable", status=503):
    """The node did not answer; nothing was sent. Try again later."""


def connect(url: str, *, timeout: float = 30.0, read_retries: int = 2) -> Web3:
    """web3 over HTTP with a timeout on every request; idempotent reads are retried after a
    connection error or a timeout (web3's allowlist of read methods: never a send)."""
    retry = ExceptionRetryConfiguration(
        errors=(ConnectionError, requests.ConnectionError, requests.Timeout),
        retries=read_retries + 1,  # web3 counts attempts (0 would send nothing)
        backoff_factor=0.25,
    )
    provider = Web3.HTTPProvider(
        url, request_kwargs={"timeout": timeout}, exception_retry_configuration=retry
    )
    w3 = Web3(provider)
    if not w3.is_connected():
        raise ChainUnavailable(f"no JSON-RPC node answers at {url}")
    return w3


@contextmanager
def chain(settings: Settings, *, persistent: bool = True) -> Iterator[Web3]:
    """The configured node; without ``SCF_RPC_URL``, a local anvil for the duration.

    A persistent local anvil keeps its state in the data directory, so that a deployment made
    once is still there next time.
    """
    timeout, retries = settings.rpc_timeout_seconds, settings.rpc_read_retries
    if settings.rpc_url:
        yield connect(settings.rpc_url, timeout=timeout, read_retries=retries)
        return
    state = settings.data_dir / LOCAL_STATE_FILE if persistent else None
    with Anvil(state_path=state, block_time=settings.anvil_block_time) as node:
        yield connect(node.url, timeout=timeout, read_retries=retries)
