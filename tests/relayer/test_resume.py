"""``Relayer.resume`` after a restart: a retryable failure (the node down) defers the reconciliation
to the next round; a fatal or unknown one is raised, for the supervisor to stop on or count."""

from __future__ import annotations

import logging

import pytest

from backend.indexer.indexer import ReorgTooDeep
from backend.indexer.rpc import NodeUnavailable, RpcError
from backend.relayer.relayer import RoundResult
from backend.workers.errors import Outcome, classify
from tests.relayer.conftest import node_relayer

pytestmark = pytest.mark.chain


def test_resume_defers_when_the_node_cannot_be_reached(node, node_services, caplog):
    relayer = node_relayer(node_services, node)
    assert relayer.resume() == RoundResult()  # the node is up: nothing in flight
    node.stop()
    with caplog.at_level(logging.WARNING, logger="backend.relayer.relayer"):
        assert relayer.resume() == RoundResult()
    assert "relayer.resume.deferred" in caplog.text
    with pytest.raises(NodeUnavailable) as raised:  # what resume() deferred on
        relayer.reconcile(force=True)
    assert classify(raised.value) is Outcome.RETRYABLE


@pytest.mark.parametrize(
    "error",
    [
        ReorgTooDeep("reorg of 99 blocks"),
        RpcError("the method does not exist", rpc_code=-32601),  # asking again will not help
        KeyError("a bug"),
    ],
    ids=["fatal", "malformed-request", "unknown"],
)
def test_resume_raises_a_fatal_or_unknown_error(node, node_services, monkeypatch, error):
    relayer = node_relayer(node_services, node)

    def failing() -> tuple[int, int]:
        raise error

    monkeypatch.setattr(relayer, "_chain_nonces", failing)
    with pytest.raises(type(error)) as raised:
        relayer.resume()
    assert raised.value is error
