"""Money for people (Babel) and the currency table (ISO 4217 from pycountry, in use per CLDR)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.credit.cli import _format
from backend.money import (
    UnknownCurrency,
    alpha_code,
    format_money,
    is_known_currency,
    minor_digits,
    to_major,
)


def test_amounts_are_written_for_people_by_locale():
    assert format_money(123_556_700, 156, "zh_CN") == "¥1,235,567.00"
    assert format_money(123_556_700, 156, "en") == "CNY\u00a01,235,567.00"
    assert format_money(123_556_700, 156, "zh-CN") == "¥1,235,567.00"
    assert format_money(100_000, 840, "en") == "USD\u00a01,000.00"
    assert format_money(1_235_567, 392, "en") == "JPY\u00a01,235,567"  # yen have no minor unit
    assert format_money(1_235_567, 48, "en") == "BHD\u00a01,235.567"  # fils: three digits


def test_minor_units_follow_the_currency():
    assert (minor_digits(156), minor_digits(392), minor_digits(48)) == (2, 0, 3)
    assert to_major(123_456_700, 156) == Decimal("1234567.00")
    assert to_major(7, 392) == Decimal(7)


def test_the_currencies_in_use_come_from_iso_4217_and_cldr():
    assert (alpha_code(156), alpha_code(840), alpha_code(978)) == ("CNY", "USD", "EUR")
    assert all(is_known_currency(code) for code in (156, 344, 446, 901, 840, 978, 392, 990))
    # "no currency", gold, the testing code, a withdrawn kuna: not money an invoice is in
    assert not any(is_known_currency(code) for code in (999, 959, 963, 191, 0, 1))
    with pytest.raises(UnknownCurrency):
        alpha_code(999)


def test_the_credit_cli_writes_a_figures_amounts_as_money():
    figure = {"amount": 123_556_700, "count": 3}
    assert _format(figure, 156, "zh_CN") == "amount=¥1,235,567.00, count=3"
    in_dollars = {"amount": 100_000, "currency": 840, "count": 1}
    assert _format(in_dollars, 156, "en") == "amount=USD\u00a01,000.00, count=1"
    assert _format({"share": 0.25, "core_amount": 500}, 156, "en") == (
        "share=0.25, core_amount=CNY\u00a05.00"
    )
