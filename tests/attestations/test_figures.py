"""The attested figures of the credit record, from a real chain through the indexer: a maker whose
devices and carrier vouch for its invoices, and one that invoices without producing (flagged)."""

from __future__ import annotations

import pytest

from backend.attestations.typed_data import DeviceKind
from backend.chain.contracts import Role
from backend.credit.record import compute_record
from backend.decisions.policy import DecisionPolicy, attested_terms
from tests.attestation_factories import (
    HOUR,
    appoint,
    create_oracle,
    delivery,
    production,
    register_device,
    signed,
)
from tests.credit.schema_check import assert_fits_models
from tests.factories import chain_now, create_firm, make_invoice, sign_both

pytestmark = pytest.mark.chain


def _sell(ledger, seller, buyer, amount):
    invoice = make_invoice(ledger, seller, buyer, amount=amount)
    ledger.trades.record(sign_both(ledger, invoice, seller, buyer))
    return invoice


def _produce(ledger, oracle, device, hours, units_per_hour):
    end = chain_now(ledger) - 60
    for hour in range(hours, 0, -1):
        start = end - hour * HOUR
        item = production(device, start, start + HOUR, units=units_per_hour)
        ledger.attestations.attest(signed(ledger, oracle, item))


def _figures(engine, ledger, firm):
    with engine.connect() as connection:
        record = compute_record(connection, firm.address, chain_now(ledger))
    assert_fits_models(record)
    return record.figures


def test_attested_facts_vouch_for_an_honest_makers_invoices(engine, ledger, indexer):
    oracle, maker, buyer = (
        create_oracle(ledger),
        create_firm(ledger),
        create_firm(ledger, Role.CORE),
    )
    line = register_device(ledger, oracle, maker, DeviceKind.PRODUCTION_LINE, rated_capacity=100)
    _produce(ledger, oracle, line, hours=3, units_per_hour=80)
    delivered = _sell(ledger, maker, buyer, 1_000_000)
    _sell(ledger, maker, buyer, 500_000)  # no carrier vouches for this one
    trade_id = appoint(ledger, delivered, oracle, buyer)
    ledger.attestations.attest(signed(ledger, oracle, delivery(ledger, trade_id, quantity=200)))
    indexer.sync()

    figures = _figures(engine, ledger, maker)
    deliveries = figures["attested_deliveries"]
    assert (deliveries["attested"], deliveries["invoices"]) == (1, 2)
    assert deliveries["share"] == pytest.approx(1_000_000 / 1_500_000)
    consistency = figures["production_consistency"]
    assert consistency["unit_value"] == 5_000  # 1,000,000 for 200 units delivered
    assert (consistency["invoiced_units"], consistency["attested_units"]) == (300, 240)
    assert consistency["ratio"] == pytest.approx(1.25) and consistency["flag"] is False
    assert figures["capacity_utilisation"]["utilisation"] == pytest.approx(0.8)
    assert figures["attested_coverage"]["share"] == pytest.approx(2 / 3)
    terms = attested_terms(figures, DecisionPolicy())
    assert terms["months_of_sales"] == pytest.approx(2 * (1 + 0.25 * 2 / 3))


def test_a_maker_that_invoices_without_producing_is_flagged(engine, ledger, indexer):
    oracle, maker, buyer = (
        create_oracle(ledger),
        create_firm(ledger),
        create_firm(ledger, Role.CORE),
    )
    line = register_device(ledger, oracle, maker, DeviceKind.PRODUCTION_LINE, rated_capacity=100)
    _produce(ledger, oracle, line, hours=2, units_per_hour=0)  # the line stands still
    for _ in range(3):
        _sell(ledger, maker, buyer, 2_000_000)
    indexer.sync()

    figures = _figures(engine, ledger, maker)
    consistency = figures["production_consistency"]
    assert consistency["flag"] is True
    assert (consistency["attested_units"], consistency["amount"], consistency["devices"]) == (
        0, 6_000_000, 1)  # fmt: skip
    assert figures["capacity_utilisation"]["utilisation"] == 0
    assert figures["attested_coverage"]["share"] == 0


def test_a_firm_without_devices_is_not_flagged_nor_changed(engine, ledger, indexer):
    maker, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    _sell(ledger, maker, buyer, 2_000_000)
    indexer.sync()
    figures = _figures(engine, ledger, maker)
    assert figures["production_consistency"]["flag"] is False
    assert figures["capacity_utilisation"]["utilisation"] is None
    assert figures["attested_coverage"]["share"] == 0
    terms = attested_terms(figures, DecisionPolicy())
    assert (terms["receivables_factor"], terms["months_of_sales"]) == (1, 2)


def test_a_disputed_device_no_longer_counts(engine, ledger, indexer):
    from backend.attestations.typed_data import DisputeDevice

    oracle, maker, buyer = (
        create_oracle(ledger),
        create_firm(ledger),
        create_firm(ledger, Role.CORE),
    )
    line = register_device(ledger, oracle, maker, DeviceKind.PRODUCTION_LINE, rated_capacity=100)
    _produce(ledger, oracle, line, hours=1, units_per_hour=50)
    _sell(ledger, maker, buyer, 1_000)
    reason = b"\x01" * 32
    digest = DisputeDevice(line.device_id, reason).digest(ledger.attestations.domain)
    ledger.attestations.dispute_device(line.device_id, reason, maker.sign_digest(digest))
    indexer.sync()
    figures = _figures(engine, ledger, maker)
    assert figures["production_consistency"]["devices"] == 0
    assert figures["capacity_utilisation"]["utilisation"] is None
