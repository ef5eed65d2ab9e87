"""AttestationLedger: oracles register devices to firms and attest production and deliveries;
every refusal is a custom error with its values, and a batch's bad item fails alone."""

from __future__ import annotations

import os

import pytest

from backend.attestations.typed_data import Device, DeviceKind, DeviceStatus, DisputeDevice
from backend.chain import reverts
from backend.chain.contracts import Role
from tests.attestation_factories import (
    HOUR,
    appoint,
    create_oracle,
    delivery,
    last_hour,
    production,
    register_device,
    signed,
)
from tests.factories import chain_now, create_firm, make_invoice, sign_both

pytestmark = pytest.mark.chain


@pytest.fixture
def oracle(ledger):
    return create_oracle(ledger)


@pytest.fixture
def maker(ledger):
    return create_firm(ledger, Role.SUPPLIER)


@pytest.fixture
def line(ledger, oracle, maker):
    return register_device(ledger, oracle, maker, DeviceKind.PRODUCTION_LINE, rated_capacity=120)


def _events(ledger, tx, name):
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    return list(ledger.attestations.contract.events[name]().process_receipt(receipt))


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


# ─────────────────────────────────────────────────────────────── devices


def test_an_oracle_registers_a_device_to_a_firm(ledger, oracle, maker):
    device = Device(os.urandom(32), maker.address, DeviceKind.FURNACE, 40)
    signature = oracle.sign_digest(device.digest(ledger.attestations.domain))
    tx = ledger.attestations.register_device(device, oracle.address, signature)

    record = ledger.attestations.device(device.device_id)
    assert (record.firm, record.oracle, record.kind, record.rated_capacity, record.status) == (
        maker.address, oracle.address, DeviceKind.FURNACE, 40, DeviceStatus.ACTIVE)  # fmt: skip
    assert record.attested_until == 0
    (event,) = _events(ledger, tx, "DeviceRegistered")
    assert event.args.deviceId == device.device_id and event.args.oracle == oracle.address


def test_registering_needs_an_oracle(ledger, maker):
    not_oracle = create_firm(ledger, Role.SUPPLIER)
    device = Device(os.urandom(32), maker.address, DeviceKind.MACHINE_TOOL, 10)
    signature = not_oracle.sign_digest(device.digest(ledger.attestations.domain))
    with pytest.raises(reverts.AttestationLedgerNotAnOracle) as raised:
        ledger.attestations.register_device(device, not_oracle.address, signature)
    assert raised.value.arguments == {"account": not_oracle.address}
    assert ledger.attestations.device(device.device_id) is None


def test_registering_needs_the_oracles_own_signature(ledger, oracle, maker):
    impostor = create_oracle(ledger)
    device = Device(os.urandom(32), maker.address, DeviceKind.MACHINE_TOOL, 10)
    signature = impostor.sign_digest(device.digest(ledger.attestations.domain))
    with pytest.raises(reverts.AttestationLedgerInvalidSignature) as raised:
        ledger.attestations.register_device(device, oracle.address, signature)
    assert raised.value.arguments == {"signer": oracle.address}


def test_a_device_is_registered_once(ledger, oracle, maker, line):
    again = Device(line.device_id, maker.address, DeviceKind.VEHICLE, 5)
    signature = oracle.sign_digest(again.digest(ledger.attestations.domain))
    with pytest.raises(reverts.AttestationLedgerDuplicateDevice) as raised:
        ledger.attestations.register_device(again, oracle.address, signature)
    assert raised.value.arguments == {"deviceId": _hex(line.device_id)}


@pytest.mark.parametrize(("kind", "capacity"), [(6, 10), (0, 0)])
def test_a_device_needs_a_known_kind_and_a_capacity(ledger, oracle, maker, kind, capacity):
    device = Device(os.urandom(32), maker.address, kind, capacity)
    signature = oracle.sign_digest(device.digest(ledger.attestations.domain))
    with pytest.raises(reverts.AttestationLedgerInvalidDevice) as raised:
        ledger.attestations.register_device(device, oracle.address, signature)
    assert raised.value.arguments["kind"] == kind
    assert raised.value.arguments["ratedCapacity"] == capacity


def test_a_device_is_operated_by_a_trading_firm(ledger, oracle):
    bank = create_firm(ledger, Role.BANK)
    device = Device(os.urandom(32), bank.address, DeviceKind.VEHICLE, 5)
    signature = oracle.sign_digest(device.digest(ledger.attestations.domain))
    with pytest.raises(reverts.AttestationLedgerNotATrader) as raised:
        ledger.attestations.register_device(device, oracle.address, signature)
    assert raised.value.arguments == {"firm": bank.address}


def _dispute(ledger, device, signer, reason=b"\x01" * 32):
    digest = DisputeDevice(device.device_id, reason).digest(ledger.attestations.domain)
    return ledger.attestations.dispute_device(device.device_id, reason, signer.sign_digest(digest))


def test_the_operating_firm_disputes_its_device_and_no_more_is_attested(
    ledger, oracle, maker, line
):
    tx = _dispute(ledger, line, maker)
    assert ledger.attestations.device(line.device_id).status == DeviceStatus.DISPUTED
    (event,) = _events(ledger, tx, "DeviceDisputed")
    assert event.args.firm == maker.address
    with pytest.raises(reverts.AttestationLedgerDisputedDevice):
        ledger.attestations.attest(signed(ledger, oracle, last_hour(ledger, line)))
    with pytest.raises(reverts.AttestationLedgerDisputedDevice):
        _dispute(ledger, line, maker)


def test_only_the_operating_firm_disputes(ledger, oracle, line, maker):
    other = create_firm(ledger, Role.SUPPLIER)
    with pytest.raises(reverts.AttestationLedgerInvalidSignature) as raised:
        _dispute(ledger, line, other)
    assert raised.value.arguments == {"signer": maker.address}
    with pytest.raises(reverts.AttestationLedgerUnknownDevice):
        _dispute(ledger, Device(os.urandom(32), maker.address, DeviceKind.VEHICLE, 1), maker)


# ─────────────────────────────────────────────────────────────── production


def test_a_production_attestation_is_recorded_with_its_figures(ledger, oracle, maker, line):
    attestation = last_hour(ledger, line, units=90)
    tx = ledger.attestations.attest(signed(ledger, oracle, attestation))
    (event,) = _events(ledger, tx, "ProductionAttested")
    assert event.args.attestationId == attestation.attestation_id(ledger.attestations.domain)
    assert (event.args.firm, event.args.oracle, event.args.units, event.args.dataHash) == (
        maker.address, oracle.address, 90, attestation.data_hash)  # fmt: skip
    assert ledger.attestations.device(line.device_id).attested_until == attestation.period_end


def test_production_of_an_unregistered_device_is_refused(ledger, oracle, maker):
    ghost = Device(os.urandom(32), maker.address, DeviceKind.PRODUCTION_LINE, 1)
    with pytest.raises(reverts.AttestationLedgerUnknownDevice) as raised:
        ledger.attestations.attest(signed(ledger, oracle, last_hour(ledger, ghost)))
    assert raised.value.arguments == {"deviceId": _hex(ghost.device_id)}


def test_a_period_in_the_future_is_refused(ledger, oracle, line):
    now = chain_now(ledger)
    attestation = production(line, now, now + 2 * HOUR)
    with pytest.raises(reverts.AttestationLedgerFutureTimestamp) as raised:
        ledger.attestations.attest(signed(ledger, oracle, attestation))
    assert raised.value.arguments["businessTime"] == now + 2 * HOUR


def test_a_period_that_ends_before_it_starts_is_refused(ledger, oracle, line):
    now = chain_now(ledger)
    with pytest.raises(reverts.AttestationLedgerInvalidPeriod):
        ledger.attestations.attest(signed(ledger, oracle, production(line, now - 10, now - 10)))


@pytest.mark.parametrize("overlap", ["same period", "overlapping", "earlier"])
def test_a_period_is_attested_once_per_device(ledger, oracle, line, overlap):
    first = last_hour(ledger, line, hours_ago=3)
    ledger.attestations.attest(signed(ledger, oracle, first))
    start = {
        "same period": first.period_start,
        "overlapping": first.period_end - 60,
        "earlier": first.period_start - 2 * HOUR,
    }[overlap]
    again = production(line, start, start + HOUR)
    with pytest.raises(reverts.AttestationLedgerPeriodOverlap) as raised:
        ledger.attestations.attest(signed(ledger, oracle, again))
    assert raised.value.arguments == {
        "deviceId": _hex(line.device_id),
        "periodStart": start,
        "attestedUntil": first.period_end,
    }
    # The next period, adjacent to the first, is fine.
    ledger.attestations.attest(
        signed(ledger, oracle, production(line, first.period_end, first.period_end + HOUR))
    )


def test_production_is_attested_only_by_an_active_oracle(ledger, oracle, line):
    ledger.registry.suspend(oracle.address)
    with pytest.raises(reverts.AttestationLedgerNotAnOracle) as raised:
        ledger.attestations.attest(signed(ledger, oracle, last_hour(ledger, line)))
    assert raised.value.arguments == {"account": oracle.address}


def test_production_is_attested_by_the_devices_own_oracle(ledger, line):
    other = create_oracle(ledger)
    with pytest.raises(reverts.AttestationLedgerNotDeviceOracle) as raised:
        ledger.attestations.attest(signed(ledger, other, last_hour(ledger, line)))
    assert raised.value.arguments == {"deviceId": _hex(line.device_id), "oracle": other.address}


def test_a_tampered_production_attestation_is_refused(ledger, oracle, line):
    item = signed(ledger, oracle, last_hour(ledger, line, units=10))
    tampered = type(item)(last_hour(ledger, line, units=10_000), item.oracle, item.signature)
    with pytest.raises(reverts.AttestationLedgerInvalidSignature) as raised:
        ledger.attestations.attest(tampered)
    assert raised.value.arguments == {"signer": oracle.address}


# ─────────────────────────────────────────────────────────────── deliveries


@pytest.fixture
def invoice(ledger, maker):
    buyer = create_firm(ledger, Role.CORE)
    trade = make_invoice(ledger, maker, buyer)
    ledger.trades.record(sign_both(ledger, trade, maker, buyer))
    return trade, buyer


@pytest.mark.parametrize("appointer", ["seller", "buyer"])
def test_an_appointed_carrier_attests_a_delivery_once(ledger, oracle, maker, invoice, appointer):
    trade, buyer = invoice
    trade_id = appoint(ledger, trade, oracle, maker if appointer == "seller" else buyer)
    assert ledger.attestations.carrier(trade_id, oracle.address) == (True, False)
    attestation = delivery(ledger, trade_id, quantity=200)
    tx = ledger.attestations.attest(signed(ledger, oracle, attestation))
    (event,) = _events(ledger, tx, "DeliveryAttested")
    assert (event.args.tradeId, event.args.quantity) == (trade_id, 200)
    assert ledger.attestations.carrier(trade_id, oracle.address) == (True, True)
    with pytest.raises(reverts.AttestationLedgerDuplicateDelivery) as raised:
        ledger.attestations.attest(signed(ledger, oracle, delivery(ledger, trade_id)))
    assert raised.value.arguments == {"tradeId": _hex(trade_id), "oracle": oracle.address}


def test_a_delivery_by_an_oracle_not_party_to_the_trade_is_refused(ledger, oracle, invoice):
    trade, _ = invoice
    trade_id = trade.trade_id(ledger.trades.domain)
    with pytest.raises(reverts.AttestationLedgerOracleNotParty) as raised:
        ledger.attestations.attest(signed(ledger, oracle, delivery(ledger, trade_id)))
    assert raised.value.arguments == {"tradeId": _hex(trade_id), "oracle": oracle.address}


def test_only_a_party_of_a_verified_trade_appoints_a_carrier(ledger, oracle, maker, invoice):
    trade, _ = invoice
    outsider = create_firm(ledger, Role.SUPPLIER)
    with pytest.raises(reverts.AttestationLedgerNotTradeParty) as raised:
        appoint(ledger, trade, oracle, outsider)
    assert raised.value.arguments["party"] == outsider.address
    unrecorded = make_invoice(ledger, maker, invoice[1])
    with pytest.raises(reverts.AttestationLedgerTradeNotVerified):
        appoint(ledger, unrecorded, oracle, maker)
    not_oracle = create_firm(ledger, Role.SUPPLIER)
    with pytest.raises(reverts.AttestationLedgerNotAnOracle):
        appoint(ledger, trade, not_oracle, maker)


def test_a_future_or_empty_delivery_is_refused(ledger, oracle, maker, invoice):
    trade_id = appoint(ledger, invoice[0], oracle, maker)
    later = chain_now(ledger) + HOUR
    with pytest.raises(reverts.AttestationLedgerFutureTimestamp):
        ledger.attestations.attest(
            signed(ledger, oracle, delivery(ledger, trade_id, delivered_at=later))
        )
    with pytest.raises(reverts.AttestationLedgerZeroQuantity):
        ledger.attestations.attest(signed(ledger, oracle, delivery(ledger, trade_id, quantity=0)))


# ─────────────────────────────────────────────────────────────── batches


def test_a_batch_records_the_good_items_and_reports_the_bad_ones(
    ledger, oracle, maker, line, invoice
):
    trade_id = appoint(ledger, invoice[0], oracle, maker)
    second = register_device(ledger, oracle, maker, DeviceKind.ENERGY_METER)
    ghost = Device(os.urandom(32), maker.address, DeviceKind.FURNACE, 1)
    items = [
        signed(ledger, oracle, delivery(ledger, trade_id)),
        signed(ledger, oracle, last_hour(ledger, line)),
        signed(ledger, oracle, last_hour(ledger, ghost)),
        signed(ledger, oracle, last_hour(ledger, second)),
    ]
    batch = ledger.attestations.attest_batch(items)
    assert batch.attested == 3
    errors = [type(o.error).__name__ if o.error else None for o in batch.outcomes]
    # Production first, then deliveries: the ghost device's item is index 1.
    assert errors == [None, "AttestationLedgerUnknownDevice", None, None]
    assert ledger.attestations.carrier(trade_id, oracle.address) == (True, True)
    assert ledger.attestations.device(second.device_id).attested_until > 0
