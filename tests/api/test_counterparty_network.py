"""GET /firms/{address}/credit-profile/network on SQLite and PostgreSQL: the firm's direct
counterparties from its verified invoices, one edge per currency, read as the profile is."""

from __future__ import annotations

import pytest

from backend.chain.contracts import Role
from backend.sdk.signer import Signer
from backend.sdk.typed_data import ConsentScope, TradeKind
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.api.test_lists import _firm_body
from tests.factories import CNY, create_firm, make_invoice, sign_both

pytestmark = pytest.mark.chain

USD = 840


@pytest.fixture
def trading(ledger, client, relayer, indexer, operator_headers):
    """A supplier S selling to two core buyers (one listed in the directory, one in CNY and USD)
    and buying from (and selling to) a supplier P; a bank S consents to and one it does not."""
    s, p, c2 = create_firm(ledger), create_firm(ledger), create_firm(ledger, Role.CORE)
    c1 = Signer.create()
    listed = _firm_body(address=c1.address, roles=["core"], legal_name_en="Ningbo Port Machinery")
    assert client.post("/firms", json=listed, headers=operator_headers).status_code == 201
    bank, other_bank = create_firm(ledger, Role.BANK), create_firm(ledger, Role.BANK)

    def verified(seller, buyer, amount, currency=CNY, **overrides):
        invoice = make_invoice(ledger, seller, buyer, amount=amount, currency=currency, **overrides)
        ledger.trades.record(sign_both(ledger, invoice, seller, buyer))

    verified(s, c1, 1_000_000)
    verified(s, c1, 500_000)
    verified(s, c1, 100_000, USD)
    verified(s, c2, 300_000)
    verified(p, s, 200_000)
    verified(s, p, 50_000)
    verified(c1, c2, 9_000_000)  # not the firm's
    verified(s, c2, 7_000_000, kind=TradeKind.ORDER, due_at=0)  # an order is not a sale
    proposal = make_invoice(ledger, s, c2, amount=8_000_000)  # never verified
    ledger.trades.propose(proposal, s.sign_trade(proposal, ledger.trades.domain))
    headers = {"s": sign_in(client, s), "bank": sign_in(client, bank)}
    headers["other_bank"] = sign_in(client, other_bank)
    body = grant_body(ledger, s, bank, scope=ConsentScope.CREDIT_PROFILE)
    assert client.post("/consents", json=body, headers=headers["s"]).status_code == 202
    relayer.run_once()
    indexer.sync()
    return {"s": s, "p": p, "c1": c1, "c2": c2, "headers": headers}


def test_the_network_lists_each_counterparty_per_currency_largest_first(client, trading):
    s, p, c1, c2 = (trading[name].address for name in ("s", "p", "c1", "c2"))
    answer = client.get(f"/firms/{s}/credit-profile/network", headers=trading["headers"]["bank"])
    assert answer.status_code == 200, answer.text
    network = answer.json()
    edges = [
        (e["seller"], e["buyer"], e["amount"], e["currency"], e["count"]) for e in network["edges"]
    ]
    assert edges == [
        (s, c1, 1_500_000, CNY, 2),  # two invoices, one edge
        (s, c2, 300_000, CNY, 1),
        (p, s, 200_000, CNY, 1),
        (s, c1, 100_000, USD, 1),  # the USD sales to c1 are not added to the CNY ones
        (s, p, 50_000, CNY, 1),
    ]
    assert network["count"] == 5 and network["firm"] == s and network["as_of"] > 0
    nodes = {n["firm"]: (n["role"], n["legal_name_en"]) for n in network["nodes"]}
    assert nodes == {
        s: ("firm", None),
        c1: ("buyer", "Ningbo Port Machinery"),
        c2: ("buyer", None),
        p: ("both", None),
    }


def test_the_network_is_limited_to_the_top_edges_with_a_count_of_all(client, trading):
    s, c1 = trading["s"].address, trading["c1"].address
    url = f"/firms/{s}/credit-profile/network"
    top = client.get(f"{url}?limit=1", headers=trading["headers"]["s"]).json()
    assert [(e["buyer"], e["amount"]) for e in top["edges"]] == [(c1, 1_500_000)]
    assert top["count"] == 5
    assert {n["firm"] for n in top["nodes"]} == {s, c1}
    before = client.get(f"{url}?as_of=1", headers=trading["headers"]["s"]).json()
    assert (before["edges"], before["count"]) == ([], 0)  # nothing was on chain by then
    for query in ("?limit=0", "?limit=101", "?as_of=-1"):
        refused = client.get(f"{url}{query}", headers=trading["headers"]["s"])
        assert refused.status_code == 422, query


def test_a_reader_without_consent_is_refused_the_network(client, trading):
    url = f"/firms/{trading['s'].address}/credit-profile/network"
    refused = client.get(url, headers=trading["headers"]["other_bank"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "no_consent")
    assert client.get(url).status_code == 401
    bad = client.get("/firms/0x12/credit-profile/network", headers=trading["headers"]["bank"])
    assert bad.status_code == 422
