"""Every bad input: a 4xx with a code and a sentence, and nothing written."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from backend.enums import Role
from backend.relayer.models import OutboxItem
from backend.schemas import MAX_AMOUNT
from backend.sdk.typed_data import Payment
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import DAY, create_firm, make_trade

pytestmark = pytest.mark.chain


@pytest.fixture
def parties(ledger):
    return create_firm(ledger), create_firm(ledger, Role.CORE)


@pytest.fixture
def seller_headers(client, parties):
    return sign_in(client, parties[0])


def _outbox_size(services) -> int:
    with Session(services.engine) as session:
        return int(session.exec(select(func.count()).select_from(OutboxItem)).one())


def _refused(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["message"] and "Traceback" not in error["message"]


def _with_fields(ledger, parties, **fields):
    seller, buyer = parties
    return signed_body(ledger, make_trade(seller, buyer, **fields), seller, buyer)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda b: b["trade"].update(amount=-5), 422, "invalid_request"),
        (lambda b: b["trade"].update(amount=MAX_AMOUNT + 1), 422, "invalid_request"),
        (lambda b: b["trade"].update(amount="12.50"), 422, "invalid_request"),
        (lambda b: b["trade"].update(amount="abc"), 422, "invalid_request"),
        # beyond what the schema publishes: a JSON number above 2^53 - 1, a string with a leading
        # zero or of 19 digits (larger amounts go as strings of up to 18 digits)
        (lambda b: b["trade"].update(amount=2**53), 422, "invalid_request"),
        (lambda b: b["trade"].update(amount="0125"), 422, "invalid_request"),
        (lambda b: b["trade"].update(amount="1" * 19), 422, "invalid_request"),
        (lambda b: b["trade"].update(currency="CNY"), 422, "invalid_request"),
        (lambda b: b["trade"].update(kind="gift"), 422, "invalid_request"),
        (lambda b: b["trade"].update(seller="0x1234"), 422, "invalid_request"),
        (lambda b: b["trade"].update(doc_hash="0xzz"), 422, "invalid_request"),
        (lambda b: b.update(seller_signature="0x" + "11" * 65), 422, "invalid_signature"),
        (lambda b: b.pop("trade"), 422, "invalid_request"),
    ],
)
def test_malformed_fields_are_refused(
    ledger, client, services, parties, seller_headers, change, status, code
):
    body = _with_fields(ledger, parties)
    change(body)
    before = _outbox_size(services)
    _refused(client.post("/trades", json=body, headers=seller_headers), status, code)
    assert _outbox_size(services) == before


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"currency": 999}, "unknown_currency"),
        ({"issued_at": 1_700_000_000, "due_at": 1_699_000_000}, "invalid_due_date"),
        (
            {"issued_at": int(time.time()) + 3 * DAY, "due_at": int(time.time()) + 30 * DAY},
            "future_time",
        ),
    ],
)
def test_insane_business_fields_are_refused(
    ledger, client, services, parties, seller_headers, fields, code
):
    before = _outbox_size(services)
    _refused(
        client.post(
            "/trades", json=_with_fields(ledger, parties, **fields), headers=seller_headers
        ),
        422,
        code,
    )
    assert _outbox_size(services) == before


def offer_body(**changes: object) -> dict[str, object]:
    """A well-formed financing offer (on no particular receivable), with ``changes``."""
    body: dict[str, object] = {
        "receivable_id": "0x" + "12" * 32,
        "advance": 90_000,
        "rate_bps": 450,
        "deadline": int(time.time()) + DAY,
        "nonce": 0,
        "bank_signature": "0x" + "11" * 65,
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    "body",
    [
        offer_body(advance=-1),
        offer_body(advance="12.50"),
        offer_body(rate_bps=100_001),
        offer_body(nonce=-1),
        offer_body(receivable_id="0x1234"),
        offer_body(bank_signature="signed"),
        {key: value for key, value in offer_body().items() if key != "deadline"},
    ],
)
def test_malformed_financing_offers_are_refused(ledger, client, services, body):
    bank_headers = sign_in(client, create_firm(ledger, Role.BANK))
    _refused(
        client.post("/financing-offers", json=body, headers=bank_headers), 422, "invalid_request"
    )
    for path in ("/financing-offers?status=pending", "/financing-offers?receivable=0x12"):
        _refused(client.get(path, headers=bank_headers), 422, "invalid_request")
    offer = "/financing-offers/0x" + "12" * 32
    _refused(client.post(f"{offer}/accept", json={}, headers=bank_headers), 422, "invalid_request")
    _refused(client.get(f"{offer}", headers=bank_headers), 404, "not_found")
    _refused(client.get("/financing-offers/nope", headers=bank_headers), 422, "invalid_request")


def test_a_replayed_submission_is_refused(ledger, client, services, parties, seller_headers):
    body = _with_fields(ledger, parties)
    assert client.post("/trades", json=body, headers=seller_headers).status_code == 202
    before = _outbox_size(services)
    _refused(client.post("/trades", json=body, headers=seller_headers), 409, "duplicate_document")
    assert _outbox_size(services) == before


def test_unregistered_suspended_and_wrong_role_firms_are_refused(
    ledger, client, parties, seller_headers
):
    seller, buyer = parties
    stranger = create_firm(ledger)
    ledger.registry.suspend(stranger.address)
    _refused(
        client.post(
            "/trades",
            json=signed_body(ledger, make_trade(seller, stranger), seller, stranger),
            headers=seller_headers,
        ),
        422,
        "firm_not_active",
    )
    bank = create_firm(ledger, Role.BANK)
    _refused(
        client.post(
            "/trades",
            json=signed_body(ledger, make_trade(seller, bank), seller, bank),
            headers=seller_headers,
        ),
        403,
        "role_not_allowed",
    )


def test_a_firm_may_not_submit_a_trade_it_is_not_party_to(ledger, client, parties):
    outsider = create_firm(ledger)
    _refused(
        client.post(
            "/trades", json=_with_fields(ledger, parties), headers=sign_in(client, outsider)
        ),
        403,
        "not_a_party",
    )


def test_malformed_json_and_oversized_bodies(client, seller_headers, services):
    headers = {**seller_headers, "Content-Type": "application/json"}
    _refused(
        client.post("/trades", content=b'{"trade": {', headers=headers), 422, "invalid_request"
    )
    limit = services.settings.max_body_bytes
    _refused(
        client.post("/trades", content=b"x" * (limit + 1), headers=headers), 413, "body_too_large"
    )


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{", b"y\xf0p", b'{"trade": "\xe9"}', b"\x00{\x00}", b'{"a":\x00"b"}'],
    ids=["bom-like", "invalid-utf8", "latin-1", "utf-16-guess", "nul"],
)
@pytest.mark.parametrize("content_type", [None, "application/json", "application/merge+json"])
def test_a_body_that_is_not_utf8_text_is_an_invalid_request(
    client, seller_headers, body, content_type
):
    headers = dict(seller_headers)
    if content_type:
        headers["Content-Type"] = content_type
    _refused(client.post("/trades", content=body, headers=headers), 422, "invalid_request")


def test_a_broken_multipart_upload_is_an_invalid_request(client, seller_headers):
    boundary = "7c5156fb04a2177cf9e322ad31ebde44"
    headers = {**seller_headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    body = f"--{boundary}\r\nNone--{boundary}--\r\n".encode()
    _refused(client.post("/documents", content=body, headers=headers), 422, "invalid_request")


def test_a_batch_over_the_limit_is_refused(ledger, client, parties, seller_headers):
    item = _with_fields(ledger, parties)
    _refused(
        client.post("/trades/batch", json={"items": [item] * 1_001}, headers=seller_headers),
        422,
        "invalid_request",
    )


def test_no_token_bad_token_and_unknown_routes(client):
    _refused(client.post("/trades", json={}), 401, "not_authenticated")
    _refused(
        client.get("/trades/0x" + "00" * 32, headers={"Authorization": "Bearer nonsense"}),
        401,
        "invalid_token",
    )
    _refused(client.get("/nowhere"), 404, "not_found")


def test_a_sign_in_message_works_once(client, parties):
    from eth_account.messages import encode_defunct

    seller = parties[0]
    message = client.post("/auth/challenge", json={"address": seller.address}).json()["message"]
    signature = (
        "0x" + bytes(seller.account.sign_message(encode_defunct(text=message)).signature).hex()
    )
    assert (
        client.post("/auth/token", json={"message": message, "signature": signature}).status_code
        == 200
    )
    _refused(
        client.post("/auth/token", json={"message": message, "signature": signature}),
        401,
        "challenge_replayed",
    )


def test_rate_limiting_answers_429_with_retry_after(ledger, services, parties):
    from fastapi.testclient import TestClient

    from backend.app import create_app
    from backend.services import Services
    from backend.settings import Settings

    strict = Services(
        Settings(rate_limit_per_second=0.5, rate_limit_burst=3), services.engine, services.ledger
    )
    with TestClient(create_app(strict)) as client:
        headers = sign_in(client, parties[0])
        answers = [client.get(f"/firms/{parties[1].address}", headers=headers) for _ in range(4)]
    assert answers[-1].status_code == 429
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert answers[-1].json()["error"]["code"] == "rate_limited"


def _recorded_invoice(ledger, client, parties, seller_headers, relayer, indexer) -> str:
    """The id of a verified invoice of 1,000, indexed."""
    seller, buyer = parties
    invoice = make_trade(seller, buyer, amount=1_000)
    trade_id = client.post(
        "/trades", json=signed_body(ledger, invoice, seller, buyer), headers=seller_headers
    ).json()["trade_id"]
    relayer.run_once()
    indexer.sync()
    return trade_id


def test_payment_bad_inputs(ledger, client, parties, seller_headers, relayer, indexer):
    trade_id = _recorded_invoice(ledger, client, parties, seller_headers, relayer, indexer)
    body = {
        "trade_id": trade_id,
        "amount": 2_000,
        "paid_at": int(time.time()) - DAY,
        "payee_signature": "0x" + "11" * 65,
    }
    _refused(client.post("/payments", json=body, headers=seller_headers), 422, "overpayment")
    body |= {"amount": 10, "paid_at": int(time.time()) + 2 * DAY}
    _refused(client.post("/payments", json=body, headers=seller_headers), 422, "future_time")
    body |= {"paid_at": int(time.time()) - DAY}
    _refused(client.post("/payments", json=body, headers=seller_headers), 422, "invalid_signature")


def test_a_suspended_payees_payment_is_refused_a_suspended_buyers_debt_is_paid(
    ledger, client, parties, seller_headers, operator_headers, relayer, indexer
):
    """As on the ledger: the payee (the seller, who signs) must be an active trader; the buyer's
    standing is not checked."""
    seller, buyer = parties
    trade_id = _recorded_invoice(ledger, client, parties, seller_headers, relayer, indexer)

    def body() -> dict[str, object]:
        payment = Payment(bytes.fromhex(trade_id[2:]), 10, int(time.time()) - DAY, os.urandom(32))
        signature = seller.sign_payment(payment, ledger.trades.domain)
        return {
            "trade_id": trade_id,
            "amount": payment.amount,
            "paid_at": payment.paid_at,
            "pay_ref": "0x" + payment.pay_ref.hex(),
            "payee_signature": "0x" + signature.hex(),
        }

    ledger.registry.suspend(seller.address)
    indexer.sync()
    refused = client.post("/payments", json=body(), headers=operator_headers)
    _refused(refused, 422, "firm_not_active")
    ledger.registry.reactivate(seller.address)
    ledger.registry.suspend(buyer.address)
    indexer.sync()
    assert client.post("/payments", json=body(), headers=operator_headers).status_code == 202


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?side=seller", "invalid_request"),  # a payment's sides are payer and payee
        ("?from=2026-02-30", "invalid_request"),
        ("?to=1700000000", "invalid_request"),  # a Unix time is not a day
        ("?trade=0x12", "invalid_request"),
        ("?party=nobody", "invalid_request"),
        ("?offset=-1", "invalid_request"),
        ("?limit=201", "invalid_request"),
    ],
)
def test_bad_payment_list_filters_are_refused(client, seller_headers, query, code):
    _refused(client.get(f"/payments{query}", headers=seller_headers), 422, code)


def test_the_operator_listing_payments_by_side_must_name_a_party(client, operator_headers):
    _refused(
        client.get("/payments?side=payee", headers=operator_headers), 422, "side_without_party"
    )
    _refused(client.get("/payments"), 401, "not_authenticated")
