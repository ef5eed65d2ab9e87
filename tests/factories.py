"""Factories for tests: registered firms with their own keys, trades, signatures."""

from __future__ import annotations

import itertools
import os
import time

from backend.chain.contracts import Ledger, Role, SignedTrade
from backend.firms.credit_code import credit_code_hash, make_credit_code
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Trade, TradeKind

_serial = itertools.count(1)
DAY = 86_400
CNY = 156


def new_credit_code() -> str:
    return make_credit_code(f"91{next(_serial) + int.from_bytes(os.urandom(5)):015d}"[:17])


def create_firm(ledger: Ledger, roles: Role = Role.SUPPLIER) -> Signer:
    """A new key, registered as an active firm with ``roles``."""
    signer = Signer.create()
    ledger.registry.register(signer.address, roles, credit_code_hash(new_credit_code()))
    return signer


def make_trade(seller: Signer | str, buyer: Signer | str, **overrides: object) -> Trade:
    """An invoice from ``seller`` to ``buyer`` (signers or addresses), issued 30 days ago."""
    now = int(time.time())
    fields: dict[str, object] = {
        "seller": seller if isinstance(seller, str) else seller.address,
        "buyer": buyer if isinstance(buyer, str) else buyer.address,
        "kind": TradeKind.INVOICE,
        "doc_hash": os.urandom(32),
        "amount": 1_000_000,
        "currency": CNY,
        "issued_at": now - 30 * DAY,
        "due_at": now + 30 * DAY,
    }
    fields.update(overrides)
    return Trade(**fields)  # type: ignore[arg-type]


def sign_both(ledger: Ledger, trade: Trade, seller: Signer, buyer: Signer) -> SignedTrade:
    domain = ledger.trades.domain
    return SignedTrade(trade, seller.sign_trade(trade, domain), buyer.sign_trade(trade, domain))
