"""Scripting a ledger history at chosen block times: every action names the time it is mined at.

Business times may be back-dated (firms bring their past trades) but never run ahead of the
block: each action mines an empty block one second before its own, so that gas estimation,
which simulates on the latest block, already sees a time at or after the business times.
"""

from __future__ import annotations

import os

from web3 import Web3

from backend.chain.contracts import Ledger
from backend.enums import Role, TradeKind
from backend.firms.credit_code import credit_code_hash
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Payment, Reject, Trade
from tests.factories import CNY, DAY, new_credit_code, sign_both


class ChainClock:
    """Sets the time of the next block of a local anvil."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3

    def latest(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def start(self) -> int:
        """A base time a whole day after the chain's latest block."""
        return self.latest() + DAY

    def at(self, moment: int) -> None:
        """The next transaction is mined at ``moment``."""
        self._rpc("evm_mine", [moment - 1])
        self._rpc("evm_setNextBlockTimestamp", [moment])

    def _rpc(self, method: str, params: list[int]) -> None:
        response = self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        if "error" in response:
            raise RuntimeError(f"{method}{params}: {response['error']}")


class Script:
    """Ledger actions, each mined at the time it names."""

    def __init__(self, ledger: Ledger, clock: ChainClock) -> None:
        self.ledger = ledger
        self.clock = clock
        self.domain = ledger.trades.domain

    def firm(self, at: int, roles: Role = Role.SUPPLIER) -> Signer:
        signer = Signer.create()
        self.clock.at(at)
        self.ledger.registry.register(signer.address, roles, credit_code_hash(new_credit_code()))
        return signer

    def set_roles(self, at: int, firm: Signer, roles: Role) -> None:
        self.clock.at(at)
        self.ledger.registry.set_roles(firm.address, roles)

    def invoice(
        self, at: int, seller: Signer, buyer: Signer, amount: int, issued: int, due: int
    ) -> Trade:
        """A verified invoice (both signatures in one call)."""
        return self.record(at, seller, buyer, amount, issued, due, TradeKind.INVOICE)

    def record(
        self,
        at: int,
        seller: Signer,
        buyer: Signer,
        amount: int,
        issued: int,
        due: int = 0,
        kind: TradeKind = TradeKind.INVOICE,
    ) -> Trade:
        trade = _trade(seller, buyer, amount, issued, due, kind)
        self.clock.at(at)
        self.ledger.trades.record(sign_both(self.ledger, trade, seller, buyer))
        return trade

    def propose(
        self, at: int, seller: Signer, buyer: Signer, amount: int, issued: int, due: int
    ) -> Trade:
        """An invoice signed by the seller only: it waits for the buyer's answer."""
        trade = _trade(seller, buyer, amount, issued, due, TradeKind.INVOICE)
        self.clock.at(at)
        self.ledger.trades.propose(trade, seller.sign_trade(trade, self.domain))
        return trade

    def confirm(self, at: int, trade: Trade, buyer: Signer) -> None:
        self.clock.at(at)
        self.ledger.trades.confirm(
            trade.trade_id(self.domain), buyer.sign_trade(trade, self.domain)
        )

    def reject(self, at: int, trade: Trade, buyer: Signer) -> None:
        reject = Reject(trade.trade_id(self.domain), b"quality".ljust(32, b"\0"))
        self.clock.at(at)
        self.ledger.trades.reject(
            reject.trade_id, reject.reason, buyer.sign_reject(reject, self.domain)
        )

    def pay(self, at: int, trade: Trade, payee: Signer, amount: int, paid: int) -> None:
        """A payment against ``trade`` acknowledged (signed) by its seller."""
        payment = Payment(trade.trade_id(self.domain), amount, paid, os.urandom(32))
        self.clock.at(at)
        self.ledger.trades.record_payment(trade, payment, payee.sign_payment(payment, self.domain))

    def trade_id(self, trade: Trade) -> str:
        return "0x" + trade.trade_id(self.domain).hex()


def _trade(
    seller: Signer, buyer: Signer, amount: int, issued: int, due: int, kind: TradeKind
) -> Trade:
    return Trade(
        seller=seller.address,
        buyer=buyer.address,
        kind=kind,
        doc_hash=os.urandom(32),
        amount=amount,
        currency=CNY,
        issued_at=issued,
        due_at=due,
        invoice_key=os.urandom(32) if kind == TradeKind.INVOICE else b"\x00" * 32,
    )
