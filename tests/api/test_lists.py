"""The lists ({"data": [...], "count": N}) and the firm directory, on SQLite and PostgreSQL:
what each caller sees, the filters, paging, and bad filters refused with 422."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from eth_utils import keccak

from backend.chain.contracts import Role
from backend.firms.credit_code import make_credit_code
from backend.sdk.signer import Signer
from backend.sdk.typed_data import ConsentScope, Payment, RevokeConsent, TradeKind
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.factories import (
    DAY,
    chain_now,
    create_firm,
    issue_confirmed,
    make_invoice,
    make_trade,
    sign_both,
    split_receivable,
)

pytestmark = pytest.mark.chain


def _ids(answer, key):
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"data", "count"}
    return {item[key] for item in body["data"]}


@pytest.fixture
def world(ledger, client, relayer, indexer):
    """Two suppliers selling to one core enterprise; a bank the first one consents to, a bank
    without consent, and the operator."""
    signers = {
        "sme": create_firm(ledger),
        "other_sme": create_firm(ledger),
        "core": create_firm(ledger, Role.CORE),
        "bank": create_firm(ledger, Role.BANK),
        "other_bank": create_firm(ledger, Role.BANK),
        "operator": Signer.from_key(DEVELOPMENT_OPERATOR_KEY),
    }
    sme, other, core = signers["sme"], signers["other_sme"], signers["core"]
    now = int(time.time())
    invoice, receivable = issue_confirmed(ledger, sme, core)
    other_invoice, other_receivable = issue_confirmed(ledger, other, core, due_at=now + 90 * DAY)
    order = make_trade(sme, core, kind=TradeKind.ORDER, issued_at=now - 200 * DAY, due_at=0)
    ledger.trades.record(sign_both(ledger, order, sme, core))
    proposal = make_trade(sme, core)
    ledger.trades.propose(proposal, sme.sign_trade(proposal, ledger.trades.domain))
    headers = {name: sign_in(client, signer) for name, signer in signers.items()}
    granted = client.post(
        "/consents",
        json=grant_body(ledger, sme, signers["bank"], scope=ConsentScope.CREDIT_PROFILE),
        headers=headers["sme"],
    )
    assert granted.status_code == 202, granted.text
    relayer.run_once()
    indexer.sync()
    domain = ledger.trades.domain
    return {
        "signers": signers,
        "headers": headers,
        "trades": {
            "invoice": "0x" + invoice.trade_id(domain).hex(),
            "other_invoice": "0x" + other_invoice.trade_id(domain).hex(),
            "order": "0x" + order.trade_id(domain).hex(),
            "proposal": "0x" + proposal.trade_id(domain).hex(),
        },
        "receivables": {
            "sme": "0x" + receivable.receivable_id.hex(),
            "other": "0x" + other_receivable.receivable_id.hex(),
        },
        "consent_id": granted.json()["subject"],
        "now": now,
    }


# ─────────────────────────────────────────────────────────────── firms


def _firm_body(**overrides):
    body = {
        "address": Signer.create().address,
        "roles": ["supplier"],
        "uscc": make_credit_code(f"913301{int.from_bytes(os.urandom(6)):011d}"[:17]),
        "legal_name_zh": "杭州云栖精密零件有限公司",
        "legal_name_en": "Hangzhou Yunqi Precision Parts Co., Ltd.",
        "region": "浙江省杭州市",
        "industry": "C34 通用设备制造业",
    }
    body.update(overrides)
    return body


def test_the_directory_registers_reads_and_searches_firms(
    ledger, client, operator_headers, indexer
):
    body = _firm_body()
    created = client.post("/firms", json=body, headers=operator_headers)
    assert created.status_code == 201, created.text
    firm = created.json()
    assert (firm["uscc"], firm["legal_name_zh"], firm["status"]) == (
        body["uscc"],
        body["legal_name_zh"],
        "active",
    )
    # The chain holds the hash of the clear code the directory keeps.
    assert firm["credit_code_hash"] == "0x" + keccak(text=body["uscc"]).hex()
    assert ledger.registry.firm_of_credit_code(keccak(text=body["uscc"])) == body["address"]
    core = _firm_body(
        roles=["core"], legal_name_zh="宁波北仑港口机械集团", legal_name_en=None, region=None
    )
    assert client.post("/firms", json=core, headers=operator_headers).status_code == 201
    indexer.sync()
    unnamed = create_firm(ledger, Role.BANK)  # registered on chain without the directory
    indexer.sync()

    def search(query):
        return _ids(client.get(f"/firms{query}", headers=operator_headers), "address")

    assert search("") == {body["address"], core["address"], unnamed.address}
    assert client.get("/firms", headers=operator_headers).json()["data"][0]["address"] == (
        unnamed.address  # newest registration first
    )
    assert search("?q=云栖") == {body["address"]}
    assert search("?q=yunqi precision") == {body["address"]}  # any case
    assert search(f"?q={body['uscc'][4:12].lower()}") == {body["address"]}
    assert search(f"?q={core['address'][:12]}") == {core["address"]}
    assert search("?q=100%25") == set()  # % is a character, not a wildcard
    assert search("?role=core") == {core["address"]}
    assert search("?role=bank&status=active") == {unnamed.address}
    read = client.get(f"/firms/{unnamed.address}", headers=operator_headers).json()
    assert (read["uscc"], read["legal_name_zh"], read["roles"]) == (None, None, ["bank"])
    page = client.get("/firms?limit=1&offset=1", headers=operator_headers).json()
    assert (page["count"], len(page["data"])) == (3, 1)
    assert client.get("/firms").status_code == 401


def test_bad_directory_input_is_refused_before_the_chain(ledger, client, operator_headers):
    body = _firm_body()
    bad_check = body["uscc"][:17] + ("0" if body["uscc"][17] != "0" else "1")
    for change, code in (
        ({"uscc": bad_check}, "invalid_credit_code"),
        ({"uscc": "A" + body["uscc"][1:]}, "invalid_credit_code"),  # letters in the first 8
        ({"legal_name_zh": "  "}, "invalid_request"),
        ({"legal_name_zh": "a\x00b"}, "invalid_request"),
        ({"roles": ["treasurer"]}, "invalid_request"),
    ):
        answer = client.post("/firms", json={**body, **change}, headers=operator_headers)
        assert answer.status_code == 422, (change, answer.text)
        assert answer.json()["error"]["code"] == code
    assert ledger.registry.standing(body["address"]).status == 0  # nothing registered
    assert client.post("/firms", json=body, headers=operator_headers).status_code == 201
    again = client.post(
        "/firms", json={**body, "address": Signer.create().address}, headers=operator_headers
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "duplicate_credit_code")
    for query in ("?role=treasurer", "?status=gone", "?limit=201", "?offset=-1", "?q="):
        answer = client.get(f"/firms{query}", headers=operator_headers)
        assert answer.status_code == 422, (query, answer.text)
        assert answer.json()["error"]["code"] == "invalid_request"


def test_the_operator_suspends_and_reactivates_a_firm(
    ledger, client, operator_headers, relayer, indexer
):
    firm = create_firm(ledger)
    indexer.sync()
    refused = client.post(f"/firms/{firm.address}/suspend", headers=sign_in(client, firm))
    assert refused.status_code == 403
    answer = client.post(f"/firms/{firm.address}/suspend", headers=operator_headers)
    assert answer.status_code == 202, answer.text
    assert answer.json()["subject"] == firm.address and answer.json()["status"] == "queued"
    twice = client.post(f"/firms/{firm.address}/suspend", headers=operator_headers)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "operation_in_flight")
    relayer.run_once()
    indexer.sync()
    status = client.get(f"/submissions/{answer.json()['id']}", headers=operator_headers).json()
    assert status["status"] in ("recorded", "final"), status
    read = client.get(f"/firms/{firm.address}", headers=operator_headers).json()
    assert read["status"] == "suspended"
    assert ledger.registry.standing(firm.address).status == 2
    again = client.post(f"/firms/{firm.address}/suspend", headers=operator_headers)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "status_unchanged")
    back = client.post(f"/firms/{firm.address}/reactivate", headers=operator_headers)
    assert back.status_code == 202, back.text
    relayer.run_once()
    indexer.sync()
    assert client.get(f"/firms/{firm.address}", headers=operator_headers).json()["status"] == (
        "active"
    )
    unknown = client.post(f"/firms/{Signer.create().address}/suspend", headers=operator_headers)
    assert unknown.status_code == 404


# ─────────────────────────────────────────────────────────────── trades


def test_each_caller_lists_the_trades_it_may_read(client, world):
    trades, headers = world["trades"], world["headers"]

    def listed(who, query=""):
        return _ids(client.get(f"/trades{query}", headers=headers[who]), "trade_id")

    sme_trades = {trades["invoice"], trades["order"], trades["proposal"]}
    assert listed("sme") == sme_trades
    assert listed("other_sme") == {trades["other_invoice"]}
    assert listed("core") == set(trades.values())
    assert listed("bank") == sme_trades  # the SME consented to it
    assert listed("other_bank") == set()
    assert listed("operator") == set(trades.values())
    other = world["signers"]["other_sme"].address
    assert listed("bank", f"?party={other}") == set()  # a filter never widens what one sees


def test_trade_filters_and_paging(client, world):
    trades, headers = world["trades"], world["headers"]
    sme, core = world["signers"]["sme"].address, world["signers"]["core"].address

    def listed(query, who="operator"):
        return _ids(client.get(f"/trades{query}", headers=headers[who]), "trade_id")

    assert listed("?kind=order") == {trades["order"]}
    assert listed("?status=proposed") == {trades["proposal"]}
    assert listed("?side=buyer&status=proposed", who="core") == {trades["proposal"]}  # its inbox
    assert listed("?side=buyer", who="sme") == set()
    assert listed(f"?party={sme}&side=seller&kind=invoice") == {
        trades["invoice"],
        trades["proposal"],
    }
    assert listed(f"?party={core}&side=seller") == set()
    long_ago = dt.date.fromtimestamp(world["now"] - 100 * DAY).isoformat()
    assert listed(f"?to={long_ago}") == {trades["order"]}
    assert trades["order"] not in listed(f"?from={long_ago}")
    page = client.get("/trades?limit=2&offset=1", headers=headers["operator"]).json()
    assert (page["count"], len(page["data"])) == (4, 2)
    item = client.get("/trades?kind=order", headers=headers["sme"]).json()["data"][0]
    assert (item["seller"], item["kind"], item["status"], item["currency"]) == (
        sme,
        "order",
        "verified",
        156,
    )
    for query in ("?kind=loan", "?status=paid", "?side=middle", "?from=2026-13-01",
                  "?to=yesterday", "?to=0", "?party=0x12", "?limit=0"):  # fmt: skip
        answer = client.get(f"/trades{query}", headers=headers["sme"])
        assert answer.status_code == 422, (query, answer.text)
        assert answer.json()["error"]["code"] == "invalid_request"
    # A business rule, not the schema: its own code (Schemathesis takes invalid_request for a
    # schema that lies).
    answer = client.get("/trades?side=seller", headers=headers["operator"])
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "side_without_party")


# ─────────────────────────────────────────────────────────────── receivables


def test_each_caller_lists_the_receivables_it_may_read(client, world):
    receivables, headers = world["receivables"], world["headers"]

    def listed(who, query=""):
        return _ids(client.get(f"/receivables{query}", headers=headers[who]), "receivable_id")

    everything = set(receivables.values())
    assert listed("sme") == {receivables["sme"]}
    assert listed("other_sme") == {receivables["other"]}
    assert listed("core") == everything  # it owes both
    assert listed("bank") == {receivables["sme"]}  # held by the firm that consented
    assert listed("other_bank") == set()
    assert listed("operator") == everything
    held = client.get("/receivables", headers=headers["sme"]).json()["data"][0]
    assert (held["status"], held["currency"], held["holder"]) == (
        "confirmed",
        156,
        world["signers"]["sme"].address,
    )


def test_receivable_filters(client, world):
    receivables, headers = world["receivables"], world["headers"]
    sme = world["signers"]["sme"].address

    def listed(query):
        return _ids(
            client.get(f"/receivables{query}", headers=headers["operator"]), "receivable_id"
        )

    assert listed(f"?holder={sme}") == {receivables["sme"]}
    assert listed(f"?obligor={world['signers']['core'].address}") == set(receivables.values())
    assert listed("?state=confirmed") == set(receivables.values())
    assert listed("?state=financed") == set()
    in_60_days = dt.date.fromtimestamp(world["now"] + 60 * DAY).isoformat()
    assert listed(f"?due_from={in_60_days}") == {receivables["other"]}
    assert listed(f"?due_to={in_60_days}") == {receivables["sme"]}
    for query in (
        "?state=lost",
        "?due_from=31-12-2026",
        "?due_to=0",  # a Unix time is not a day (pydantic's lax dates take it)
        "?due_to=2026-12-31T00:00:00",
        "?holder=nobody",
    ):
        answer = client.get(f"/receivables{query}", headers=headers["operator"])
        assert answer.status_code == 422, (query, answer.text)


def test_a_tree_lists_only_the_nodes_each_caller_may_read(ledger, client, relayer, indexer, world):
    """The sme splits its receivable between a new supplier and itself, and that supplier passes
    its part on: the root filter lists the tree, each caller seeing only what it may."""
    signers, headers = world["signers"], world["headers"]
    sme = signers["sme"]
    root = bytes.fromhex(world["receivables"]["sme"][2:])
    supplier, second = create_firm(ledger), create_firm(ledger)
    amount = ledger.receivables.receivable(root).amount
    parts = [(supplier, amount // 4), (sme, amount - amount // 4)]
    split = split_receivable(ledger, sme, root, parts)
    passed, kept = split.children
    onward = split_receivable(ledger, supplier, passed.receivable_id, [(second, amount // 4)])
    relayer.run_once()
    indexer.sync()
    headers["supplier"] = sign_in(client, supplier)
    hexes = {
        "root": world["receivables"]["sme"],
        "passed": "0x" + passed.receivable_id.hex(),
        "kept": "0x" + kept.receivable_id.hex(),
        "onward": "0x" + onward.children[0].receivable_id.hex(),
    }

    def tree(who):
        answer = client.get(f"/receivables?root={hexes['root']}&limit=100", headers=headers[who])
        return {item["receivable_id"]: item for item in answer.json()["data"]} | {
            "count": answer.json()["count"]
        }

    everything = tree("operator")
    assert set(everything) - {"count"} == set(hexes.values()) and everything["count"] == 4
    assert everything[hexes["onward"]]["parent_id"] == hexes["passed"]
    # a part the holder keeps stays on its tier
    tiers = {name: everything[h]["tier"] for name, h in hexes.items()}
    assert tiers == {"root": 1, "passed": 2, "kept": 1, "onward": 3}
    assert set(tree("core")) - {"count"} == set(hexes.values())  # it owes every node
    # a holder sees the parts it held, not the parts it passed on nor the others' parts
    assert set(tree("sme")) - {"count"} == {hexes["root"], hexes["kept"]}
    assert set(tree("supplier")) - {"count"} == {hexes["passed"]}
    assert tree("supplier")["count"] == 1
    assert tree("other_sme")["count"] == 0
    unknown = client.get(f"/receivables?root=0x{'00' * 32}", headers=headers["operator"])
    assert unknown.json() == {"data": [], "count": 0}
    assert client.get("/receivables?root=0x12", headers=headers["operator"]).status_code == 422


# ─────────────────────────────────────────────────────────────── payments


def _pay(ledger, seller, buyer, paid_days_after_due: int, amount: int = 700_000) -> str:
    """An invoice due 40 days ago, recorded and paid ``paid_days_after_due`` days after its due
    date (by the payee's signature); its payment id."""
    now = chain_now(ledger)
    invoice = make_invoice(ledger, seller, buyer, issued_at=now - 70 * DAY, due_at=now - 40 * DAY)
    ledger.trades.record(sign_both(ledger, invoice, seller, buyer))
    domain = ledger.trades.domain
    payment = Payment(invoice.trade_id(domain), amount, now - (40 - paid_days_after_due) * DAY)
    ledger.trades.record_payment(invoice, payment, seller.sign_payment(payment, domain))
    return "0x" + payment.payment_id(domain).hex()


@pytest.fixture
def payments(ledger, world, indexer):
    """The core paid the SME's invoice 5 days late and the other SME's 2 days early."""
    signers = world["signers"]
    paid = {
        "sme": _pay(ledger, signers["sme"], signers["core"], 5),
        "other": _pay(ledger, signers["other_sme"], signers["core"], -2),
    }
    indexer.sync()
    return paid


def test_each_caller_lists_the_payments_it_may_read(client, world, payments):
    headers = world["headers"]

    def listed(who, query=""):
        return _ids(client.get(f"/payments{query}", headers=headers[who]), "payment_id")

    everything = set(payments.values())
    assert listed("sme") == {payments["sme"]}  # as payee
    assert listed("other_sme") == {payments["other"]}
    assert listed("core") == everything  # it paid both
    assert listed("bank") == {payments["sme"]}  # the SME consented to it
    assert listed("other_bank") == set()
    assert listed("operator") == everything
    other = world["signers"]["other_sme"].address
    assert listed("bank", f"?party={other}") == set()  # a filter never widens what one sees
    assert client.get("/payments").status_code == 401


def test_a_listed_payment_carries_its_currency_and_days_beyond_terms(client, world, payments):
    signers = world["signers"]
    shown = client.get("/payments", headers=world["headers"]["sme"]).json()["data"][0]
    assert (shown["payment_id"], shown["payer"], shown["payee"]) == (
        payments["sme"],
        signers["core"].address,
        signers["sme"].address,
    )
    assert (shown["amount"], shown["currency"], shown["days_beyond_terms"]) == (700_000, 156, 5)
    assert shown["tx_hash"].startswith("0x") and shown["block_number"] > 0
    early = client.get("/payments", headers=world["headers"]["other_sme"]).json()["data"][0]
    assert early["days_beyond_terms"] == -2


def test_payment_filters_and_paging(client, world, payments):
    headers, signers = world["headers"], world["signers"]
    core, sme = signers["core"].address, signers["sme"].address

    def listed(query, who="operator"):
        return _ids(client.get(f"/payments{query}", headers=headers[who]), "payment_id")

    everything = set(payments.values())
    assert listed("?side=payer", who="core") == everything  # "my payments made"
    assert listed("?side=payee", who="core") == set()
    assert listed("?side=payee", who="sme") == {payments["sme"]}
    assert listed(f"?party={core}&side=payer") == everything
    assert listed(f"?party={sme}") == {payments["sme"]}
    trade = client.get("/payments", headers=headers["sme"]).json()["data"][0]["trade_id"]
    assert listed(f"?trade={trade}") == {payments["sme"]}
    paid_at = client.get("/payments", headers=headers["sme"]).json()["data"][0]["paid_at"]
    late_paid_day = dt.datetime.fromtimestamp(paid_at, dt.UTC).date()
    assert listed(f"?from={late_paid_day.isoformat()}") == {payments["sme"]}
    assert listed(f"?to={(late_paid_day - dt.timedelta(days=1)).isoformat()}") == {
        payments["other"]
    }
    page = client.get("/payments?limit=1&offset=1", headers=headers["operator"]).json()
    assert (page["count"], len(page["data"])) == (2, 1)
    for query in ("?side=buyer", "?from=2026-13-01", "?to=0", "?party=0x12", "?trade=0x12",
                  "?limit=0"):  # fmt: skip
        answer = client.get(f"/payments{query}", headers=headers["sme"])
        assert answer.status_code == 422, (query, answer.text)
        assert answer.json()["error"]["code"] == "invalid_request"
    answer = client.get("/payments?side=payer", headers=headers["operator"])
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "side_without_party")


# ─────────────────────────────────────────────────────────────── consents


def test_each_caller_lists_the_consents_it_may_read(ledger, client, world):
    headers, consent_id = world["headers"], world["consent_id"]
    bank = world["signers"]["bank"].address

    def listed(who, query=""):
        return _ids(client.get(f"/consents{query}", headers=headers[who]), "consent_id")

    assert listed("sme") == {consent_id}
    assert listed("bank") == {consent_id}
    assert listed("operator") == {consent_id}
    assert listed("other_bank") == listed("core") == set()
    assert listed("operator", f"?bank={bank}&active=true") == {consent_id}
    assert listed("operator", "?active=false") == set()
    shown = client.get("/consents", headers=headers["bank"]).json()["data"][0]
    assert (shown["status"], shown["active"], shown["scope"]) == ("active", True, 1)
    # A revocation ends the consent the moment it is accepted: listed as revoking, inactive.
    sme = world["signers"]["sme"]
    revoke = RevokeConsent(bytes.fromhex(consent_id[2:]), 1)
    answer = client.post(
        f"/consents/{consent_id}/revoke",
        json={
            "nonce": 1,
            "signature": "0x" + sme.sign_digest(revoke.digest(ledger.consents.domain)).hex(),
        },
        headers=headers["sme"],
    )
    assert answer.status_code == 202, answer.text
    shown = client.get("/consents", headers=headers["bank"]).json()["data"][0]
    assert (shown["status"], shown["active"]) == ("revoking", False)
    assert listed("operator", "?active=true") == set()
    assert listed("bank", "?active=false") == {consent_id}
    # and the bank no longer lists the firm's trades or receivables
    assert _ids(client.get("/trades", headers=headers["bank"]), "trade_id") == set()
    assert _ids(client.get("/receivables", headers=headers["bank"]), "receivable_id") == set()
    for query in ("?active=maybe", "?firm=0xzz"):
        assert client.get(f"/consents{query}", headers=headers["sme"]).status_code == 422
