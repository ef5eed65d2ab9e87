"""Wrapper of the deployed ``DecisionLog``: credit decisions anchored by hash for audit.

The decision itself is stored off chain; the operator's recorder anchors its hash with the bank
that asked and the firm it is about, once per decision id.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak, to_checksum_address

from backend.chain.contracts import TxResult, _Wrapper

RECORDER_ROLE = keccak(text="RECORDER_ROLE")


@dataclass(frozen=True)
class AnchoredDecision:
    decision_id: bytes
    decision_hash: bytes
    bank: str
    firm: str
    anchored_at: int


class DecisionLogContract(_Wrapper):
    """Anchors decision hashes; only an account with RECORDER_ROLE may anchor."""

    def anchor(self, decision_id: bytes, bank: str, firm: str, decision_hash: bytes) -> TxResult:
        call = self.contract.functions.anchor(
            decision_id, to_checksum_address(bank), to_checksum_address(firm), decision_hash
        )
        return TxResult.of(self.transactor.send(call))

    def anchored(self, decision_id: bytes) -> AnchoredDecision | None:
        """The anchor of ``decision_id``, or None when it was never anchored."""
        decision_hash, bank, firm, anchored_at = self.transactor.call(
            self.contract.functions.anchored(decision_id)
        )
        if anchored_at == 0:
            return None
        return AnchoredDecision(
            decision_id,
            bytes(decision_hash),
            to_checksum_address(bank),
            to_checksum_address(firm),
            anchored_at,
        )

    def grant_recorder(self, account: str) -> TxResult:
        """Let ``account`` anchor (the caller needs the admin role)."""
        call = self.contract.functions.grantRole(RECORDER_ROLE, to_checksum_address(account))
        return TxResult.of(self.transactor.send(call))

    def is_recorder(self, account: str) -> bool:
        call = self.contract.functions.hasRole(RECORDER_ROLE, to_checksum_address(account))
        return bool(self.transactor.call(call))
