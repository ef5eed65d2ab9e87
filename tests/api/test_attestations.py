"""Devices, carriers and attestations over HTTP: who may submit and read, what bad input gets
(a 4xx with a JSON error, nothing queued), and the path through the relayer and the indexer."""

from __future__ import annotations

import os

import pytest
from sqlmodel import Session, func, select

from backend.attestations.typed_data import Carrier, Device, DeviceKind, DisputeDevice
from backend.chain.contracts import Role
from backend.relayer.models import OutboxItem
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.api.test_trades_flow import signed_body
from tests.attestation_factories import HOUR, create_oracle, delivery, production, signed
from tests.factories import chain_now, create_firm, make_trade

pytestmark = pytest.mark.chain


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


@pytest.fixture
def world(ledger, client, relayer, indexer):
    """An oracle, a battery maker with one recorded sale, its buyer, a bank with the maker's
    consent and one without, and the operator."""
    from backend.sdk.signer import Signer
    from backend.settings import DEVELOPMENT_OPERATOR_KEY

    signers = {
        "oracle": create_oracle(ledger),
        "maker": create_firm(ledger),
        "buyer": create_firm(ledger, Role.CORE),
        "bank": create_firm(ledger, Role.BANK),
        "other_bank": create_firm(ledger, Role.BANK),
        "operator": Signer.from_key(DEVELOPMENT_OPERATOR_KEY),
    }
    headers = {name: sign_in(client, signer) for name, signer in signers.items()}
    headers["none"] = {}
    maker, buyer = signers["maker"], signers["buyer"]
    trade = make_trade(maker, buyer)
    sold = client.post(
        "/trades", json=signed_body(ledger, trade, maker, buyer), headers=headers["maker"]
    )
    assert sold.status_code == 202, sold.text
    consent = grant_body(ledger, maker, signers["bank"])
    assert client.post("/consents", json=consent, headers=headers["maker"]).status_code == 202
    relayer.run_once()
    indexer.sync()
    return {
        "signers": signers,
        "headers": headers,
        "trade": trade,
        "trade_id": sold.json()["trade_id"],
    }


def _device_body(ledger, oracle, firm, **overrides):
    device = Device(os.urandom(32), firm.address, DeviceKind.PRODUCTION_LINE, 120)
    body = {
        "device": {
            "device_id": _hex(device.device_id),
            "firm": device.firm,
            "kind": "production-line",
            "rated_capacity": 120,
        },
        "oracle": oracle.address,
        "signature": _hex(oracle.sign_digest(device.digest(ledger.attestations.domain))),
    }
    body["device"].update(overrides)
    return device, body


def _outbox_count(services) -> int:
    with Session(services.engine) as session:
        return session.exec(select(func.count()).select_from(OutboxItem)).one()


def _refused(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]


def _register(ledger, client, relayer, indexer, world):
    oracle, maker = world["signers"]["oracle"], world["signers"]["maker"]
    device, body = _device_body(ledger, oracle, maker)
    answer = client.post("/devices", json=body, headers=world["headers"]["oracle"])
    assert answer.status_code == 202, answer.text
    relayer.run_once()
    indexer.sync()
    return device


def test_an_oracle_registers_a_device_and_its_readers_see_it(
    ledger, client, relayer, indexer, world
):
    device = _register(ledger, client, relayer, indexer, world)
    maker = world["signers"]["maker"]
    path = f"/firms/{maker.address}/devices"
    expected = {"none": 401, "maker": 200, "buyer": 403, "bank": 200, "other_bank": 403,
                "oracle": 403, "operator": 200}  # fmt: skip
    observed = {
        role: client.get(path, headers=world["headers"][role]).status_code for role in expected
    }
    assert observed == expected
    listed = client.get(path, headers=world["headers"]["maker"]).json()["devices"]
    assert [(d["device_id"], d["kind"], d["status"], d["oracle"]) for d in listed] == [
        (_hex(device.device_id), "production-line", "active", world["signers"]["oracle"].address)
    ]
    assert client.get(listed[0]["evidence"], headers=world["headers"]["maker"]).status_code == 200


def test_bad_device_registrations_are_refused_and_queue_nothing(ledger, client, services, world):
    oracle, maker, bank = (world["signers"][n] for n in ("oracle", "maker", "bank"))
    headers = world["headers"]
    before = _outbox_count(services)
    _, body = _device_body(ledger, oracle, maker, kind="toaster")
    _refused(client.post("/devices", json=body, headers=headers["oracle"]), 422, "invalid_request")
    _, body = _device_body(ledger, oracle, maker, rated_capacity=0)
    _refused(client.post("/devices", json=body, headers=headers["oracle"]), 422, "invalid_request")
    _, body = _device_body(ledger, oracle, maker)
    body["signature"] = _hex(maker.sign_digest(os.urandom(32)))
    _refused(
        client.post("/devices", json=body, headers=headers["oracle"]), 422, "invalid_signature"
    )
    _, body = _device_body(ledger, maker, maker)  # the maker is no oracle
    _refused(client.post("/devices", json=body, headers=headers["maker"]), 403, "not_an_oracle")
    _, body = _device_body(ledger, oracle, maker)  # someone else submits in the oracle's name
    _refused(client.post("/devices", json=body, headers=headers["maker"]), 403, "not_the_signer")
    _, body = _device_body(ledger, oracle, bank)  # a bank operates no production line
    _refused(client.post("/devices", json=body, headers=headers["oracle"]), 403, "role_not_allowed")
    _refused(
        client.post("/devices", json={"device": {}}, headers=headers["oracle"]),
        422,
        "invalid_request",
    )
    assert client.post("/devices", json=body).status_code == 401
    assert _outbox_count(services) == before


def test_a_registered_device_is_refused_a_second_time(ledger, client, relayer, indexer, world):
    device = _register(ledger, client, relayer, indexer, world)
    oracle, maker = world["signers"]["oracle"], world["signers"]["maker"]
    _, body = _device_body(ledger, oracle, maker, device_id=_hex(device.device_id))
    body["signature"] = _hex(oracle.sign_digest(device.digest(ledger.attestations.domain)))
    _refused(
        client.post("/devices", json=body, headers=world["headers"]["oracle"]),
        409,
        "duplicate_device",
    )


def _dispute_body(ledger, device, signer, reason=b"\x07" * 32):
    digest = DisputeDevice(device.device_id, reason).digest(ledger.attestations.domain)
    return {"reason": _hex(reason), "signature": _hex(signer.sign_digest(digest))}


def test_only_the_operating_firm_disputes_its_device(ledger, client, relayer, indexer, world):
    device = _register(ledger, client, relayer, indexer, world)
    maker, buyer = world["signers"]["maker"], world["signers"]["buyer"]
    path = f"/devices/{_hex(device.device_id)}/dispute"
    headers = world["headers"]
    body = _dispute_body(ledger, device, maker)
    _refused(client.post(path, json=body, headers=headers["buyer"]), 403, "not_the_signer")
    wrong = _dispute_body(ledger, device, buyer)
    _refused(client.post(path, json=wrong, headers=headers["maker"]), 422, "invalid_signature")
    unknown = f"/devices/{_hex(os.urandom(32))}/dispute"
    _refused(client.post(unknown, json=body, headers=headers["maker"]), 404, "not_found")
    assert client.post(path, json=body, headers=headers["maker"]).status_code == 202
    relayer.run_once()
    indexer.sync()
    (listed,) = client.get(f"/firms/{maker.address}/devices", headers=headers["maker"]).json()[
        "devices"
    ]
    assert listed["status"] == "disputed" and listed["dispute_reason"] == body["reason"]
    _refused(client.post(path, json=body, headers=headers["maker"]), 409, "already_disputed")


def _attestations_body(oracle, items):
    return {
        "oracle": oracle.address,
        "items": [
            {
                "type": "production" if hasattr(i.attestation, "units") else "delivery",
                "attestation": {
                    k: (_hex(v) if isinstance(v, bytes) else v)
                    for k, v in i.attestation.__dict__.items()
                },
                "signature": _hex(i.signature),
            }
            for i in items
        ],
    }


def test_a_carrier_and_an_oracle_attest_and_the_firm_reads_it(
    ledger, client, relayer, indexer, world
):
    device = _register(ledger, client, relayer, indexer, world)
    oracle, maker, buyer = (world["signers"][n] for n in ("oracle", "maker", "buyer"))
    headers, trade_id = world["headers"], world["trade_id"]
    digest = Carrier(bytes.fromhex(trade_id[2:]), oracle.address).digest(ledger.attestations.domain)
    appoint = {"trade_id": trade_id, "oracle": oracle.address, "party": buyer.address,
               "signature": _hex(buyer.sign_digest(digest))}  # fmt: skip
    _refused(
        client.post("/carriers", json=appoint, headers=headers["maker"]), 403, "not_the_signer"
    )
    assert client.post("/carriers", json=appoint, headers=headers["buyer"]).status_code == 202
    relayer.run_once()
    indexer.sync()

    end = chain_now(ledger) - 60
    items = [
        signed(ledger, oracle, production(device, end - HOUR, end, units=480)),
        signed(ledger, oracle, delivery(ledger, bytes.fromhex(trade_id[2:]), quantity=200)),
    ]
    body = _attestations_body(oracle, items)
    _refused(
        client.post("/attestations", json=body, headers=headers["maker"]), 403, "not_the_signer"
    )
    answer = client.post("/attestations", json=body, headers=headers["oracle"])
    assert answer.status_code == 202, answer.text
    relayer.run_once()
    indexer.sync()

    read = client.get(f"/firms/{maker.address}/attestations", headers=headers["bank"])
    assert read.status_code == 200, read.text
    (made,) = read.json()["production"]
    (shipped,) = read.json()["deliveries"]
    assert (made["units"], made["device_id"]) == (480, _hex(device.device_id))
    assert (shipped["trade_id"], shipped["quantity"], shipped["seller"]) == (
        trade_id,
        200,
        maker.address,
    )
    assert client.get(made["evidence"], headers=headers["maker"]).status_code == 200
    assert (
        client.get(
            f"/firms/{maker.address}/attestations", headers=headers["other_bank"]
        ).status_code
        == 403
    )


def test_bad_attestations_are_refused_and_queue_nothing(
    ledger, client, relayer, indexer, services, world
):
    device = _register(ledger, client, relayer, indexer, world)
    oracle, maker = world["signers"]["oracle"], world["signers"]["maker"]
    headers = world["headers"]
    before = _outbox_count(services)
    now = chain_now(ledger)
    future = _attestations_body(
        oracle, [signed(ledger, oracle, production(device, now, now + 2 * HOUR))]
    )
    _refused(
        client.post("/attestations", json=future, headers=headers["oracle"]),
        422,
        "future_timestamp",
    )
    backwards = _attestations_body(
        oracle, [signed(ledger, oracle, production(device, now - 10, now - 20, running_seconds=0))]
    )
    _refused(
        client.post("/attestations", json=backwards, headers=headers["oracle"]),
        422,
        "invalid_period",
    )
    forged = _attestations_body(
        oracle, [signed(ledger, maker, production(device, now - HOUR, now))]
    )
    _refused(
        client.post("/attestations", json=forged, headers=headers["oracle"]),
        422,
        "invalid_signature",
    )
    not_oracle = _attestations_body(
        maker, [signed(ledger, maker, production(device, now - HOUR, now))]
    )
    _refused(
        client.post("/attestations", json=not_oracle, headers=headers["maker"]),
        403,
        "not_an_oracle",
    )
    empty = {"oracle": oracle.address, "items": []}
    _refused(
        client.post("/attestations", json=empty, headers=headers["oracle"]), 422, "invalid_request"
    )
    assert _outbox_count(services) == before
