"""Connecting to the chain: the configured JSON-RPC node, else a local anvil (the default)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from web3 import Web3

from backend.chain.anvil import Anvil
from backend.errors import LedgerError
from backend.settings import Settings

LOCAL_STATE_FILE = "anvil-state.json"


class ChainUnavailable(LedgerError):
    code = "chain_unavailable"
    status = 503


def connect(url: str) -> Web3:
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 60}))
    if not w3.is_connected():
        raise ChainUnavailable(f"no JSON-RPC node answers at {url}")
    return w3


@contextmanager
def chain(settings: Settings, *, persistent: bool = True) -> Iterator[Web3]:
    """The configured node; without ``SCF_RPC_URL``, a local anvil for the duration.

    A persistent local anvil keeps its state in the data directory, so that a deployment made
    once is still there next time.
    """
    if settings.rpc_url:
        yield connect(settings.rpc_url)
        return
    state = settings.data_dir / LOCAL_STATE_FILE if persistent else None
    with Anvil(state_path=state, block_time=settings.anvil_block_time) as node:
        yield connect(node.url)
