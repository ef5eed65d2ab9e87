"""A decision anchor dropped by a reorg: re-anchored, and read meanwhile as ``anchor_reorged``
(not as a tampered decision), then verified again."""

from __future__ import annotations

import pytest

from backend.indexer.rpc import JsonRpc
from tests.api.test_decisions import ask, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.chain


def _read(client, world, decision_id):  # noqa: F811
    answer = client.get(f"/credit-decisions/{decision_id}", headers=world["headers"]["bank"])
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_reorged_anchor_is_re_anchored_and_reads_anchor_reorged_meanwhile(
    client,
    relayer,
    indexer,
    services,
    anvil,
    world,  # noqa: F811
):
    made = ask(client, world).json()
    relayer.run_once()
    assert _read(client, world, made["decision_id"])["verification"]["status"] == "anchor_pending"
    indexer.sync()
    first = _read(client, world, made["decision_id"])
    assert first["verification"]["status"] == "verified", first["verification"]
    block = first["anchor"]["block_number"]

    rpc = JsonRpc(anvil.url)
    depth = rpc.block_number() - block + 1
    rpc.call("anvil_reorg", [depth, []])  # the anchor's block and those after it, replaced empty
    assert rpc.call("eth_getTransactionReceipt", [first["anchor"]["tx_hash"]]) is None

    # Before the indexer noticed, and after it rolled back: never "does not verify".
    stale = _read(client, world, made["decision_id"])["verification"]
    assert stale["status"] == "anchor_reorged" and stale["on_chain"] is False, stale
    indexer.sync()
    rolled_back = _read(client, world, made["decision_id"])
    assert rolled_back["anchor"]["status"] == "submitted"
    assert rolled_back["verification"]["status"] == "anchor_reorged"
    assert not rolled_back["verification"]["message"].startswith("does not verify")

    relayer.reconcile(force=True)  # finds it dropped, requeues it; the round anchors it again
    relayer.run_once()
    again = _read(client, world, made["decision_id"])
    assert again["anchor"]["reorgs"] == 1 and again["anchor"]["status"] == "submitted"
    assert again["verification"]["status"] == "anchor_reorged"
    indexer.sync()
    verified = _read(client, world, made["decision_id"])
    assert verified["verification"]["status"] == "verified", verified["verification"]
    assert verified["anchor"]["status"] == "recorded"
    assert rpc.call("eth_getTransactionReceipt", [verified["anchor"]["tx_hash"]]) is not None
