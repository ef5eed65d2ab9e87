"""Amounts of different currencies are never added (issue 15): a record is scored in the base
currency and lists the others beside it, each amount with its currency."""

from __future__ import annotations

import pytest

from backend.chain.contracts import Role
from backend.credit.cache import get_record
from backend.credit.record import compute_record
from tests.credit.equality import assert_served_equals_recomputed
from tests.credit.scenario import Script
from tests.credit.schema_check import assert_fits_models
from tests.factories import CNY, DAY

pytestmark = pytest.mark.chain

USD = 840


def test_a_usd_invoice_does_not_change_cny_sales_90d(engine, ledger, clock, indexer):
    script = Script(ledger, clock)
    start = clock.start()
    seller, buyer = script.firm(start), script.firm(start + 10, Role.CORE)
    script.invoice(start + DAY, seller, buyer, 123_456_700, start + DAY - 60, start + 31 * DAY)
    indexer.sync()
    before = get_record(engine, seller.address, None)
    assert before.currency == CNY
    assert before.figures["sales_90d"] == {"amount": 123_456_700, "count": 1}
    assert before.figures["by_currency"] == {"currencies": []}

    script.invoice(
        start + 2 * DAY, seller, buyer, 100_000, start + 2 * DAY - 60, start + 32 * DAY, USD
    )
    indexer.sync()
    after = get_record(engine, seller.address, None)
    assert after.as_of > before.as_of  # the USD invoice's block refreshed the record
    assert after.figures["sales_90d"] == {"amount": 123_456_700, "count": 1}
    assert after.figures["sales_365d"] == before.figures["sales_365d"]
    assert after.figures["buyer_concentration"] == before.figures["buyer_concentration"]
    usd = {"amount": 100_000, "count": 1}
    nothing = {"amount": 0, "count": 0}
    assert after.figures["by_currency"] == {
        "currencies": [
            {
                "currency": USD,
                "sales_90d": usd,
                "sales_365d": usd,
                "purchases_90d": nothing,
                "purchases_365d": nothing,
            }
        ]
    }
    bought = get_record(engine, buyer.address, None)
    assert bought.figures["purchases_90d"] == {"amount": 123_456_700, "count": 1}
    assert bought.figures["by_currency"]["currencies"][0]["purchases_90d"] == usd
    assert assert_served_equals_recomputed(engine, [seller.address, buyer.address]) == 2

    with engine.connect() as connection:  # the same ledger scored in USD
        in_usd = compute_record(connection, seller.address, after.as_of, currency=USD)
    assert in_usd.currency == USD
    assert_fits_models(in_usd)  # by_currency's entries included
    assert in_usd.figures["sales_90d"] == usd
    assert in_usd.figures["size_relative"]["amount"] == 100_000
    [cny] = in_usd.figures["by_currency"]["currencies"]
    assert cny["currency"] == CNY and cny["sales_90d"] == {"amount": 123_456_700, "count": 1}
