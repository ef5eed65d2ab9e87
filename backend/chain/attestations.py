"""Wrapper of the deployed ``AttestationLedger``: devices, carriers, production and delivery
attestations signed by oracles and submitted by anyone (the relayer), one by one or in batches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address
from web3.contract import Contract

from backend.attestations.typed_data import Delivery, Device, DeviceKind, DeviceStatus, Production
from backend.chain.contracts import BatchResult, TxResult, _Wrapper
from backend.chain.reverts import ContractRevert
from backend.chain.transactor import Transactor
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Domain, Trade


@dataclass(frozen=True)
class SignedAttestation:
    """A production or delivery attestation with its oracle's signature."""

    attestation: Production | Delivery
    oracle: str
    signature: bytes

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.attestation.as_tuple(), to_checksum_address(self.oracle), self.signature)


def sign_attestation(
    oracle: Signer, attestation: Production | Delivery, domain: Domain
) -> SignedAttestation:
    """The oracle's signature of its attestation's EIP-712 digest (the attestation id)."""
    signature = oracle.sign_digest(attestation.attestation_id(domain))
    return SignedAttestation(attestation, oracle.address, signature)


@dataclass(frozen=True)
class DeviceRecord:
    device_id: bytes
    firm: str
    oracle: str
    kind: DeviceKind
    rated_capacity: int
    status: DeviceStatus
    attested_until: int


@dataclass(frozen=True)
class AttestationOutcome:
    index: int
    attestation_id: bytes
    error: ContractRevert | None


@dataclass(frozen=True)
class AttestationBatch(BatchResult[AttestationOutcome]):
    @property
    def attested(self) -> int:
        return self.recorded


def batch_call(contract: Contract, items: list[SignedAttestation]) -> Any:
    """``attestBatch(production, deliveries)``; the items' indexes in events follow that order."""
    production = [item.as_tuple() for item in items if isinstance(item.attestation, Production)]
    deliveries = [item.as_tuple() for item in items if isinstance(item.attestation, Delivery)]
    return contract.functions.attestBatch(production, deliveries)


def batch_order(items: list[SignedAttestation]) -> list[SignedAttestation]:
    """The items in the order the contract numbers them: production first, then deliveries."""
    return sorted(items, key=lambda item: isinstance(item.attestation, Delivery))


class AttestationLedgerContract(_Wrapper):
    def __init__(self, contract: Contract, transactor: Transactor, chain_id: int) -> None:
        super().__init__(contract, transactor)
        self.domain = Domain(chain_id=chain_id, verifying_contract=self.address)

    def register_device(self, device: Device, oracle: str, signature: bytes) -> TxResult:
        call = self.contract.functions.registerDevice(
            device.as_tuple(), to_checksum_address(oracle), signature
        )
        return TxResult.of(self.transactor.send(call))

    def dispute_device(self, device_id: bytes, reason: bytes, firm_signature: bytes) -> TxResult:
        call = self.contract.functions.disputeDevice(device_id, reason, firm_signature)
        return TxResult.of(self.transactor.send(call))

    def appoint_carrier(self, trade: Trade, oracle: str, party: str, signature: bytes) -> TxResult:
        call = self.contract.functions.appointCarrier(
            trade.as_tuple(), to_checksum_address(oracle), to_checksum_address(party), signature
        )
        return TxResult.of(self.transactor.send(call))

    def attest(self, item: SignedAttestation) -> TxResult:
        """One attestation; raises the contract's custom error when it is refused."""
        function = (
            self.contract.functions.attestProduction
            if isinstance(item.attestation, Production)
            else self.contract.functions.attestDelivery
        )
        return TxResult.of(self.transactor.send(function(item.as_tuple())))

    def attest_batch(self, items: list[SignedAttestation]) -> AttestationBatch:
        ordered = batch_order(items)
        receipt = self.transactor.send(batch_call(self.contract, ordered))
        failed = {e.args.index: e for e in self._events(receipt, "AttestationFailed")}
        outcomes = []
        for index, item in enumerate(ordered):
            attestation_id = item.attestation.attestation_id(self.domain)
            event = failed.get(index)
            error = (
                None if event is None else self.transactor.decoder.decode(bytes(event.args.reason))
            )
            outcomes.append(AttestationOutcome(index, attestation_id, error))
        return AttestationBatch(TxResult.of(receipt), outcomes)

    def device(self, device_id: bytes) -> DeviceRecord | None:
        firm, oracle, kind, capacity, status, until = self.transactor.call(
            self.contract.functions.device(device_id)
        )
        if status == DeviceStatus.NONE:
            return None
        return DeviceRecord(
            device_id,
            to_checksum_address(firm),
            to_checksum_address(oracle),
            DeviceKind(kind),
            int(capacity),
            DeviceStatus(status),
            int(until),
        )

    def carrier(self, trade_id: bytes, oracle: str) -> tuple[bool, bool]:
        """(appointed, delivered) for ``oracle`` on ``trade_id``."""
        appointed, delivered = self.transactor.call(
            self.contract.functions.carrier(trade_id, to_checksum_address(oracle))
        )
        return bool(appointed), bool(delivered)
