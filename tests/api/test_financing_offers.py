"""Financing offers over HTTP: a bank signs its half of the Finance terms, the holder accepts
with its own signature, the relayer lands the financing and the bank holds the receivable."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from backend.enums import Role
from backend.receivables.models import FinancingOffer
from backend.relayer.models import OutboxItem
from backend.sdk.client import ApiError, LedgerClient, offer_terms
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Finance, Split
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.api.test_consents import grant_body
from tests.api.test_trades_flow import signed_body
from tests.factories import DAY, create_firm, make_trade

pytestmark = pytest.mark.chain

AMOUNT = 100_000


def _round(relayer, indexer) -> None:
    result = relayer.run_once()
    assert result.failed == 0, result
    indexer.sync()


def _sdk(client, signer: Signer) -> LedgerClient:
    sdk = LedgerClient("http://testserver", signer, http=client)
    sdk.sign_in()
    return sdk


@pytest.fixture
def world(ledger, client, relayer, indexer):
    """A supplier holding a confirmed receivable of AMOUNT from its core buyer; two banks it
    consents to, one it does not, another supplier, the operator (each as an SDK client)."""
    signers = {
        "holder": create_firm(ledger),
        "core": create_firm(ledger, Role.CORE),
        "bank": create_firm(ledger, Role.BANK),
        "second_bank": create_firm(ledger, Role.BANK),
        "stranger_bank": create_firm(ledger, Role.BANK),
        "other_sme": create_firm(ledger),
        "operator": Signer.from_key(DEVELOPMENT_OPERATOR_KEY),
    }
    sdk = {name: _sdk(client, signer) for name, signer in signers.items()}
    holder, core = signers["holder"], signers["core"]
    trade = make_trade(holder, core, amount=AMOUNT)
    trade_id = sdk["holder"]._request(
        "POST", "/trades", json=signed_body(ledger, trade, holder, core)
    )["trade_id"]
    for nonce, bank in enumerate(("bank", "second_bank")):
        body = grant_body(ledger, holder, signers[bank], nonce=nonce)
        sdk["holder"]._request("POST", "/consents", json=body)
    _round(relayer, indexer)
    sdk["holder"]._request("POST", "/receivables", json={"trade_id": trade_id})
    _round(relayer, indexer)
    return {"signers": signers, "sdk": sdk, "receivable_id": trade_id}


def _offer(world, bank="bank", advance=90_000, deadline=None, nonce=0, **changes):
    deadline = deadline or int(time.time()) + DAY
    return world["sdk"][bank].offer_financing(
        world["receivable_id"], advance, changes.get("rate_bps", 450), deadline, nonce
    )


def _refused(call, status: int, code: str) -> None:
    with pytest.raises(ApiError) as refused:
        call()
    assert (refused.value.status, refused.value.code) == (status, code), refused.value


def _offers_stored(services) -> int:
    with Session(services.engine) as session:
        return int(session.exec(select(func.count()).select_from(FinancingOffer)).one())


def test_a_bank_offers_the_holder_accepts_and_the_bank_holds_the_financed_receivable(
    client, world, relayer, indexer
):
    sdk, receivable_id = world["sdk"], world["receivable_id"]
    bank = world["signers"]["bank"].address
    offer = _offer(world)
    assert (offer["status"], offer["holder"], offer["bank"]) == (
        "open",
        world["signers"]["holder"].address,
        bank,
    )
    assert offer["currency"] == 156 and offer["advance"] == 90_000
    second = _offer(world, bank="second_bank", advance=80_000)
    received = sdk["holder"].financing_offers(receivable=receivable_id, status="open")
    assert received["count"] == 2

    answer = sdk["holder"].accept_financing_offer(offer["offer_id"])
    assert answer["status"] == "queued" and answer["subject"] == receivable_id
    assert sdk["holder"].financing_offer(second["offer_id"])["status"] == "lapsed"
    _round(relayer, indexer)

    financed = sdk["bank"]._request("GET", f"/receivables/{receivable_id}")
    assert (financed["status"], financed["holder"], financed["financed"]) == (
        "financed",
        bank,
        True,
    )
    accepted = sdk["bank"].financing_offer(offer["offer_id"])
    assert (accepted["status"], accepted["submission_id"]) == ("accepted", answer["id"])
    assert sdk["bank"].financing_offers(status="accepted")["count"] == 1
    assert sdk["second_bank"].financing_offers(status="lapsed")["count"] == 1


def test_an_offer_is_refused_for_what_a_financing_is_refused_for_and_nothing_is_stored(
    ledger, services, world
):
    signers, sdk, receivable_id = world["signers"], world["sdk"], world["receivable_id"]
    _refused(lambda: _offer(world, bank="stranger_bank"), 403, "no_consent")
    _refused(lambda: _offer(world, bank="other_sme"), 403, "not_a_bank")
    _refused(lambda: _offer(world, bank="operator"), 403, "firm_not_active")
    _refused(lambda: _offer(world, advance=AMOUNT + 1), 422, "advance_exceeds_amount")
    _refused(lambda: _offer(world, deadline=int(time.time()) - 60), 422, "expired")
    _refused(lambda: _offer(world, nonce=1), 409, "invalid_nonce")
    deadline = int(time.time()) + DAY
    terms = Finance(
        bytes.fromhex(receivable_id[2:]), signers["bank"].address, 90_000, 450, deadline, 0
    )
    signed_by_holder = signers["holder"].sign(terms, ledger.receivables.domain)
    body = {
        "receivable_id": receivable_id,
        "advance": 90_000,
        "rate_bps": 450,
        "deadline": deadline,
        "nonce": 0,
        "bank_signature": "0x" + signed_by_holder.hex(),
    }
    _refused(
        lambda: sdk["bank"]._request("POST", "/financing-offers", json=body),
        422,
        "invalid_signature",
    )
    missing = {**body, "receivable_id": "0x" + "77" * 32}
    _refused(
        lambda: sdk["bank"]._request("POST", "/financing-offers", json=missing), 404, "not_found"
    )
    assert _offers_stored(services) == 0
    _offer(world, deadline=deadline)
    _refused(lambda: _offer(world, deadline=deadline), 409, "offer_exists")
    assert _offers_stored(services) == 1


def test_only_the_holder_accepts_an_open_offer_and_only_once(ledger, services, world):
    signers, sdk = world["signers"], world["sdk"]
    offer = _offer(world)
    offer_id = offer["offer_id"]
    accept = f"/financing-offers/{offer_id}/accept"
    terms = offer_terms(offer)
    by_holder = {
        "holder_signature": "0x" + signers["holder"].sign(terms, ledger.receivables.domain).hex()
    }
    by_bank = {
        "holder_signature": "0x" + signers["bank"].sign(terms, ledger.receivables.domain).hex()
    }
    _refused(lambda: sdk["bank"]._request("POST", accept, json=by_holder), 403, "not_the_holder")
    _refused(
        lambda: sdk["operator"]._request("POST", accept, json=by_holder), 403, "not_the_holder"
    )
    _refused(lambda: sdk["other_sme"]._request("POST", accept, json=by_holder), 404, "not_found")
    _refused(lambda: sdk["holder"]._request("POST", accept, json=by_bank), 422, "invalid_signature")
    assert sdk["holder"].financing_offer(offer_id)["status"] == "open"
    assert _outbox_finance_rows(services) == 0

    assert sdk["holder"]._request("POST", accept, json=by_holder)["status"] == "queued"
    _refused(lambda: sdk["holder"]._request("POST", accept, json=by_holder), 409, "offer_not_open")
    assert _outbox_finance_rows(services) == 1


def _outbox_finance_rows(services) -> int:
    with Session(services.engine) as session:
        rows = session.exec(select(OutboxItem).where(OutboxItem.kind == "receivable_finance"))
        return len(list(rows))


def test_an_offer_expires_at_its_deadline_and_is_not_accepted_after(world):
    sdk = world["sdk"]
    deadline = int(time.time()) + 2
    offer = _offer(world, deadline=deadline)
    while time.time() <= deadline:  # the offer's end (two seconds at most)
        time.sleep(0.2)
    assert sdk["bank"].financing_offer(offer["offer_id"])["status"] == "expired"
    assert sdk["holder"].financing_offers(status="expired")["count"] == 1
    assert sdk["holder"].financing_offers(status="open")["count"] == 0
    _refused(lambda: sdk["holder"].accept_financing_offer(offer["offer_id"]), 409, "offer_expired")


def test_an_offer_lapses_once_the_holder_spends_its_nonce_on_another_move(ledger, world):
    signers, sdk, receivable_id = world["signers"], world["sdk"], world["receivable_id"]
    offer = _offer(world)
    holder, core = signers["holder"], signers["core"]
    split = Split(bytes.fromhex(receivable_id[2:]), (core.address,), (AMOUNT,), 0)
    body = {
        "to": [core.address],
        "amounts": [AMOUNT],
        "nonce": 0,
        "holder_signature": "0x" + holder.sign(split, ledger.receivables.domain).hex(),
    }
    sdk["holder"]._request("POST", f"/receivables/{receivable_id}/split", json=body)
    assert sdk["bank"].financing_offer(offer["offer_id"])["status"] == "lapsed"
    _refused(lambda: sdk["holder"].accept_financing_offer(offer["offer_id"]), 409, "offer_not_open")


def test_each_caller_sees_only_the_offers_it_may_and_only_the_bank_withdraws(world):
    sdk = world["sdk"]
    offer = _offer(world)
    _offer(world, bank="second_bank")
    counts = {name: client.financing_offers()["count"] for name, client in sdk.items()}
    assert counts == {
        "holder": 2,
        "core": 0,
        "bank": 1,
        "second_bank": 1,
        "stranger_bank": 0,
        "other_sme": 0,
        "operator": 2,
    }
    for name in ("core", "stranger_bank", "other_sme", "second_bank"):
        _refused(lambda name=name: sdk[name].financing_offer(offer["offer_id"]), 404, "not_found")
    _refused(lambda: sdk["holder"].withdraw_financing_offer(offer["offer_id"]), 403, "not_the_bank")
    assert sdk["bank"].withdraw_financing_offer(offer["offer_id"])["status"] == "withdrawn"
    _refused(lambda: sdk["bank"].withdraw_financing_offer(offer["offer_id"]), 409, "offer_not_open")
    assert sdk["holder"].financing_offers(status="withdrawn")["count"] == 1
