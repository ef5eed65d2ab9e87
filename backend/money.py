"""Money: which ISO 4217 currencies the ledger takes, their minor units, and amounts for people.

The ledger stores an amount as an integer of minor units (fen, cents) beside its ISO 4217
numeric currency code. The codes come from ISO 4217's own data (``pycountry``, numeric ↔
alphabetic); the currencies in use are those CLDR (``Babel``) lists for some country today,
legal tender or not (funds such as CLF count; gold, test codes and "no currency" do not); the
digits of a minor unit are CLDR's (``get_currency_precision``: 2 for CNY, 0 for JPY, 3 for BHD).
Amounts of different currencies are never added: there is no function here that would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import pycountry
from babel.core import get_global
from babel.numbers import format_currency, get_currency_precision, get_territory_currencies

#: The ISO 4217 code for "no currency", and CLDR's region "unknown" (metals, units, tests).
_NO_CURRENCY, _UNKNOWN_REGION = "XXX", "ZZ"
#: How the English-speaking side writes an amount: the code, not a symbol (CNY 1,235,567.00).
_CODE_FIRST = "¤¤\u00a0#,##0.00"


class UnknownCurrency(ValueError):
    """Not the ISO 4217 numeric code of a currency in use."""


@lru_cache(maxsize=1)
def _alpha_by_numeric() -> dict[int, str]:
    today = dt.datetime.now(dt.UTC).date()
    in_use: set[str] = set()
    for territory in get_global("territory_currencies"):
        if territory != _UNKNOWN_REGION:
            in_use.update(
                get_territory_currencies(territory, start_date=today, tender=True, non_tender=True)
            )
    in_use.discard(_NO_CURRENCY)
    return {
        int(currency.numeric): currency.alpha_3
        for currency in pycountry.currencies
        if currency.alpha_3 in in_use
    }


def is_known_currency(numeric: int) -> bool:
    return numeric in _alpha_by_numeric()


def alpha_code(numeric: int) -> str:
    """``156`` → ``"CNY"``."""
    try:
        return _alpha_by_numeric()[numeric]
    except KeyError:
        raise UnknownCurrency(f"{numeric} is not an ISO 4217 numeric code in use") from None


def minor_digits(numeric: int) -> int:
    """Digits of the minor unit: 2 for CNY (fen), 0 for JPY."""
    return int(get_currency_precision(alpha_code(numeric)))


def to_major(minor_units: int, numeric: int) -> Decimal:
    """An exact decimal of major units: 123456700 fen → Decimal('1234567.00')."""
    return Decimal(minor_units).scaleb(-minor_digits(numeric))


def format_money(minor_units: int, numeric: int, locale: str = "zh_CN") -> str:
    """For people: ``¥1,235,567.00`` in zh_CN, ``CNY 1,235,567.00`` in English (the code, as
    invoices between currencies write it); the minor unit's digits are the currency's."""
    code, amount = alpha_code(numeric), to_major(minor_units, numeric)
    if locale.replace("-", "_").lower().startswith("zh"):
        return str(format_currency(amount, code, locale="zh_CN"))
    return str(format_currency(amount, code, format=_CODE_FIRST, locale="en", currency_digits=True))
