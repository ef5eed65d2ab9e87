"""GET /submissions/{id}: the status of any outbox action, never beyond the indexed chain."""

from __future__ import annotations

import pytest

from backend.enums import Role
from backend.indexer.rpc import JsonRpc
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.factories import create_firm

pytestmark = pytest.mark.chain


def test_a_consent_submission_reads_queued_submitted_recorded_final_and_after_a_reorg(
    ledger, client, relayer, indexer, services, anvil, operator_headers
):
    firm, bank = create_firm(ledger), create_firm(ledger, Role.BANK)
    headers = sign_in(client, firm)
    accepted = client.post("/consents", json=grant_body(ledger, firm, bank), headers=headers)
    assert accepted.status_code == 202, accepted.text
    url = f"/submissions/{accepted.json()['id']}"

    def read() -> dict:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert read()["status"] == "queued"
    assert client.get(url, headers=sign_in(client, bank)).status_code == 403
    relayer.run_once()
    assert read()["status"] == "submitted"  # mined, not yet indexed
    indexer.sync()
    recorded = read()
    assert recorded["status"] == "recorded" and recorded["confirmations"] == 1
    assert recorded["kind"] == "consent" and recorded["subject"] == accepted.json()["subject"]

    rpc = JsonRpc(anvil.url)
    rpc.call("anvil_reorg", [rpc.block_number() - recorded["block_number"] + 1, []])
    indexer.sync()
    assert read()["status"] == "submitted"  # the indexer rolled it back
    relayer.reconcile(force=True)
    assert read()["status"] == "queued" and read()["reorgs"] == 1
    relayer.run_once()
    indexer.sync()
    again = read()
    # Signed again at the same nonce, perhaps to the very same bytes: what counts is that it is
    # on the canonical chain now.
    assert again["status"] == "recorded"
    assert rpc.call("eth_getTransactionReceipt", [again["tx_hash"]]) is not None

    rpc.call("anvil_mine", [hex(services.settings.final_depth)])
    indexer.sync()
    assert read()["status"] == "final"
    assert client.get(url, headers=operator_headers).json()["status"] == "final"
    assert client.get("/submissions/nope", headers=headers).status_code == 404
