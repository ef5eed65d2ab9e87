"""Domain-level wrappers of the deployed ledger contracts.

Each wrapper is keyed by a deployed address, exposes the domain's actions, returns dataclasses
and raises the Python exception named after the Solidity error when a contract refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt

from backend.chain import wallets
from backend.chain.compiler import Artifact
from backend.chain.deploy import Deployment, deploy_ledger
from backend.chain.reverts import ContractRevert
from backend.chain.transactor import Transactor
from backend.enums import FirmStatus, Role, TradeStatus
from backend.sdk.typed_data import Domain, Payment, Trade


@dataclass(frozen=True)
class FirmStanding:
    address: str
    roles: Role
    status: FirmStatus
    registered_at: int
    credit_code_hash: bytes


@dataclass(frozen=True)
class TxResult:
    tx_hash: str
    block_number: int
    gas_used: int

    @classmethod
    def of(cls, receipt: TxReceipt) -> TxResult:
        return cls("0x" + bytes(receipt["transactionHash"]).hex(), receipt["blockNumber"],
                   receipt["gasUsed"])  # fmt: skip


@dataclass(frozen=True)
class RecordedTrade:
    trade_id: bytes
    tx: TxResult


@dataclass(frozen=True)
class SignedTrade:
    trade: Trade
    seller_signature: bytes
    buyer_signature: bytes

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.trade.as_tuple(), self.seller_signature, self.buyer_signature)


@dataclass(frozen=True)
class BatchItemOutcome:
    index: int
    trade_id: bytes
    error: ContractRevert | None

    @property
    def recorded(self) -> bool:
        return self.error is None


class ItemOutcome(Protocol):
    """The fate of one item of a batch: refused with ``error``, or not (None)."""

    @property
    def error(self) -> ContractRevert | None: ...


Item = TypeVar("Item", bound=ItemOutcome)


@dataclass(frozen=True)
class BatchResult(Generic[Item]):
    """One batch transaction and the outcome of each of its items, in their order."""

    tx: TxResult
    outcomes: list[Item]

    @property
    def recorded(self) -> int:
        return sum(outcome.error is None for outcome in self.outcomes)


class _Wrapper:
    def __init__(self, contract: Contract, transactor: Transactor) -> None:
        self.contract = contract
        self.transactor = transactor

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _events(self, receipt: TxReceipt, name: str) -> list[Any]:
        return list(self.contract.events[name]().process_receipt(receipt, errors=DISCARD))

    def _send_for_event(self, call: ContractFunction, name: str) -> tuple[Any, TxResult]:
        """Send ``call``; the arguments of the one ``name`` event it emitted, and the result."""
        receipt = self.transactor.send(call)
        (event,) = self._events(receipt, name)
        return event.args, TxResult.of(receipt)


class FirmRegistryContract(_Wrapper):
    """The operator's register of firms."""

    def register(self, firm: str, roles: Role, credit_code_hash: bytes) -> TxResult:
        call = self.contract.functions.register(
            to_checksum_address(firm), int(roles), credit_code_hash
        )
        return TxResult.of(self.transactor.send(call))

    def set_roles(self, firm: str, roles: Role) -> TxResult:
        call = self.contract.functions.setRoles(to_checksum_address(firm), int(roles))
        return TxResult.of(self.transactor.send(call))

    def suspend(self, firm: str) -> TxResult:
        return TxResult.of(self.transactor.send(self.contract.functions.suspend(firm)))

    def reactivate(self, firm: str) -> TxResult:
        return TxResult.of(self.transactor.send(self.contract.functions.reactivate(firm)))

    def standing(self, firm: str) -> FirmStanding:
        roles, status, registered_at, code_hash = self.transactor.call(
            self.contract.functions.firm(to_checksum_address(firm))
        )
        return FirmStanding(to_checksum_address(firm), Role(roles), FirmStatus(status),
                            registered_at, bytes(code_hash))  # fmt: skip

    def firm_of_credit_code(self, credit_code_hash: bytes) -> str | None:
        address = self.transactor.call(self.contract.functions.firmOfCreditCode(credit_code_hash))
        return None if int(address, 16) == 0 else str(address)


class TradeLedgerContract(_Wrapper):
    """Verified trades: record (both signatures), propose / confirm / reject, payments."""

    def __init__(self, contract: Contract, transactor: Transactor, chain_id: int) -> None:
        super().__init__(contract, transactor)
        self.domain = Domain(chain_id=chain_id, verifying_contract=self.address)

    def record(self, signed: SignedTrade) -> RecordedTrade:
        call = self.contract.functions.recordTrade(*signed.as_tuple())
        receipt = self.transactor.send(call)
        return RecordedTrade(bytes(self._events(receipt, "TradeRecorded")[0].args.tradeId),
                             TxResult.of(receipt))  # fmt: skip

    def record_batch(
        self, items: list[SignedTrade], *, gas: int | None = None
    ) -> BatchResult[BatchItemOutcome]:
        """Record many trades in one transaction; each item's outcome comes from its event.
        ``gas``: a fixed limit (as the relayer sets one) instead of the node's estimate."""
        call = self.contract.functions.recordTrades([item.as_tuple() for item in items])
        receipt = self.transactor.send(call, gas=gas)
        outcomes: dict[int, BatchItemOutcome] = {}
        recorded = iter(self._events(receipt, "TradeRecorded"))
        failed = {e.args.index: e for e in self._events(receipt, "TradeFailed")}
        for index in range(len(items)):
            if index in failed:
                event = failed[index]
                error = self.transactor.decoder.decode(bytes(event.args.reason))
                outcomes[index] = BatchItemOutcome(index, bytes(event.args.tradeId), error)
            else:
                event = next(recorded)
                outcomes[index] = BatchItemOutcome(index, bytes(event.args.tradeId), None)
        return BatchResult(TxResult.of(receipt), [outcomes[i] for i in range(len(items))])

    def propose(self, trade: Trade, seller_signature: bytes) -> RecordedTrade:
        call = self.contract.functions.proposeTrade(trade.as_tuple(), seller_signature)
        receipt = self.transactor.send(call)
        return RecordedTrade(bytes(self._events(receipt, "TradeProposed")[0].args.tradeId),
                             TxResult.of(receipt))  # fmt: skip

    def confirm(self, trade_id: bytes, buyer_signature: bytes) -> TxResult:
        call = self.contract.functions.confirmTrade(trade_id, buyer_signature)
        return TxResult.of(self.transactor.send(call))

    def reject(self, trade_id: bytes, reason: bytes, buyer_signature: bytes) -> TxResult:
        call = self.contract.functions.rejectTrade(trade_id, reason, buyer_signature)
        return TxResult.of(self.transactor.send(call))

    def record_payment(self, trade: Trade, payment: Payment, payee_signature: bytes) -> TxResult:
        call = self.contract.functions.recordPayment(
            trade.as_tuple(), payment.as_tuple(), payee_signature
        )
        return TxResult.of(self.transactor.send(call))

    def status_of(self, trade: Trade) -> TradeStatus:
        return TradeStatus(self.transactor.call(self.contract.functions.statusOf(trade.as_tuple())))

    def trade_of_document(self, doc_hash: bytes) -> tuple[bytes, TradeStatus]:
        trade_id, status = self.transactor.call(self.contract.functions.tradeOfDocument(doc_hash))
        return bytes(trade_id), TradeStatus(status)

    def trade_of_invoice(self, invoice_key: bytes) -> tuple[bytes, TradeStatus]:
        trade_id, status = self.transactor.call(self.contract.functions.tradeOfInvoice(invoice_key))
        return bytes(trade_id), TradeStatus(status)

    @cached_property
    def proposal_ttl(self) -> int:
        """Seconds a proposal waits for its buyer (the contract's ``PROPOSAL_TTL``)."""
        return int(self.transactor.call(self.contract.functions.PROPOSAL_TTL()))

    def verify_signature(self, signer: str, digest: bytes, signature: bytes) -> bool:
        """The contract's own signature check (ECDSA, else ERC-1271 within its gas stipend), run
        by ``eth_call`` in a static context under a gas cap: what the chain will decide."""
        return wallets.ledger_verifies(self.contract, signer, digest, signature)

    def paid_amount(self, trade_id: bytes) -> int:
        return int(self.transactor.call(self.contract.functions.paidAmount(trade_id)))

    def hash_trade(self, trade: Trade) -> bytes:
        return bytes(self.transactor.call(self.contract.functions.hashTrade(trade.as_tuple())))

    def domain_separator(self) -> bytes:
        return bytes(self.transactor.call(self.contract.functions.DOMAIN_SEPARATOR()))


class Ledger:
    """The deployed ledger on one chain, reached through one sending account."""

    def __init__(
        self,
        w3: Web3,
        deployment: Deployment,
        artifacts: dict[str, Artifact],
        account: LocalAccount,
    ) -> None:
        deployment.check_current(artifacts)
        self.w3 = w3
        self.deployment = deployment
        self.artifacts = artifacts
        self.transactor = Transactor.for_contracts(w3, account, artifacts)
        self.decoder = self.transactor.decoder
        self.registry = FirmRegistryContract(self._contract("FirmRegistry"), self.transactor)
        self.trades = TradeLedgerContract(
            self._contract("TradeLedger"), self.transactor, deployment.chain_id
        )
        # Imported here: those modules build on this one's TxResult and _Wrapper.
        from backend.chain.attestations import AttestationLedgerContract
        from backend.chain.consents import ConsentRegistryContract
        from backend.chain.decisions import DecisionLogContract
        from backend.chain.receivables import ReceivableLedgerContract

        self.consents = ConsentRegistryContract(
            self._contract("ConsentRegistry"), self.transactor, deployment.chain_id
        )
        self.decisions = DecisionLogContract(self._contract("DecisionLog"), self.transactor)
        self.receivables = ReceivableLedgerContract(
            self._contract("ReceivableLedger"), self.transactor, deployment.chain_id
        )
        self.attestations = AttestationLedgerContract(
            self._contract("AttestationLedger"), self.transactor, deployment.chain_id
        )

    @classmethod
    def deploy_new(cls, w3: Web3, artifacts: dict[str, Artifact], account: LocalAccount) -> Ledger:
        """Deploy every ledger contract afresh from ``account`` and connect to them."""
        deployer = Transactor.for_contracts(w3, account, artifacts)
        return cls(w3, deploy_ledger(deployer, artifacts), artifacts, account)

    def _contract(self, name: str) -> Contract:
        return self.w3.eth.contract(
            address=to_checksum_address(self.deployment.address(name)),
            abi=self.artifacts[name].abi,
        )
