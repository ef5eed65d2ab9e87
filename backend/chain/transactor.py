"""Sends contract calls as signed transactions from one account, and decodes any revert.

The account keeps its own nonce counter (one writer per account), so sends need no round trip for
the nonce; gas is estimated, which also surfaces a revert before anything is sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractLogicError
from web3.types import Nonce, TxParams, TxReceipt, Wei

from backend.chain.reverts import ContractRevert, RevertDecoder

if TYPE_CHECKING:
    from backend.chain.compiler import Artifact

logger = logging.getLogger(__name__)

GAS_HEADROOM = 1.2
# The fee cap covers a base fee that grows 12.5% a block for about a dozen full blocks: the
# relayer sends many heavy transactions at once, and a cap just above today's base fee would
# leave the later ones pending for good.
BASE_FEE_HEADROOM = 4
RECEIPT_TIMEOUT = 120.0
RECEIPT_POLL = 0.01


@dataclass(frozen=True)
class SignedCall:
    tx_hash: str
    raw: str
    nonce: int


class Transactor:
    """Signs and sends transactions for ``account``; raises decoded reverts."""

    def __init__(self, w3: Web3, account: LocalAccount, decoder: RevertDecoder) -> None:
        self.w3 = w3
        self.account = account
        self.decoder = decoder
        self._lock = threading.Lock()
        self._nonce: int | None = None
        self._chain: int | None = None

    @classmethod
    def for_contracts(
        cls, w3: Web3, account: LocalAccount, artifacts: Mapping[str, Artifact]
    ) -> Transactor:
        """A transactor that names the custom errors of any of ``artifacts``' contracts."""
        return cls(w3, account, RevertDecoder([a.abi for a in artifacts.values()]))

    @property
    def address(self) -> str:
        return str(self.account.address)

    def send(
        self, call: ContractFunction | ContractConstructor, *, gas: int | None = None
    ) -> TxReceipt:
        """Send ``call``, wait for its receipt and return it; a revert raises ContractRevert."""
        with self._lock:
            transaction = self._build(call, gas)
            signed = self.account.sign_transaction(dict(transaction))  # type: ignore[arg-type]
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            self._nonce = int(transaction["nonce"]) + 1
        receipt = self.w3.eth.wait_for_transaction_receipt(
            tx_hash, timeout=RECEIPT_TIMEOUT, poll_latency=RECEIPT_POLL
        )
        if receipt["status"] != 1:
            raise self._replay_revert(call, receipt)
        return receipt

    def sign(self, call: ContractFunction, *, gas: int) -> SignedCall:
        """Build and sign ``call`` with the next nonce, without sending it.

        The caller owns broadcasting it (the relayer writes it to its outbox first). Nonces come
        from the same counter as :meth:`send`, so the two never collide on one account.
        """
        with self._lock:
            transaction = self._build(call, gas)
            signed = self.account.sign_transaction(dict(transaction))  # type: ignore[arg-type]
            self._nonce = int(transaction["nonce"]) + 1
        return SignedCall(
            tx_hash="0x" + bytes(signed.hash).hex(),
            raw="0x" + bytes(signed.raw_transaction).hex(),
            nonce=int(transaction["nonce"]),
        )

    def sign_data(self, to: str, data: bytes, *, gas: int) -> SignedCall:
        """Like :meth:`sign`, for calldata encoded by the caller (the relayer's batches)."""
        with self._lock:
            if self._nonce is None:
                self._nonce = self.w3.eth.get_transaction_count(self.account.address, "pending")
            transaction = {
                "type": 2,
                "chainId": self._chain_id(),
                "nonce": self._nonce,
                "to": to,
                "value": 0,
                "data": data,
                "gas": gas,
                **self._fees(),
            }
            signed = self.account.sign_transaction(transaction)  # type: ignore[arg-type]
            self._nonce += 1
        return SignedCall(
            tx_hash="0x" + bytes(signed.hash).hex(),
            raw="0x" + bytes(signed.raw_transaction).hex(),
            nonce=int(transaction["nonce"]),  # type: ignore[call-overload]
        )

    def _chain_id(self) -> int:
        if self._chain is None:
            self._chain = int(self.w3.eth.chain_id)
        return self._chain

    def deploy(self, abi: list[dict[str, Any]], bytecode: str, *args: Any) -> TxReceipt:
        factory = self.w3.eth.contract(abi=abi, bytecode=bytecode)
        return self.send(factory.constructor(*args))

    def call(self, call: ContractFunction) -> Any:
        """A read-only call, with reverts decoded."""
        try:
            return call.call({"from": self.address})
        except ContractLogicError as error:
            raise self.decoder.decode(_revert_data(error)) from None

    def reset_nonce(self) -> None:
        with self._lock:
            self._nonce = None

    def _build(self, call: ContractFunction | ContractConstructor, gas: int | None) -> TxParams:
        if self._nonce is None:
            self._nonce = self.w3.eth.get_transaction_count(self.account.address, "pending")
        params: TxParams = {
            "from": self.account.address,
            "nonce": Nonce(self._nonce),
            **self._fees(),  # type: ignore[typeddict-item]
        }
        if gas is None:
            try:
                gas = int(call.estimate_gas(params) * GAS_HEADROOM)
            except ContractLogicError as error:
                raise self.decoder.decode(_revert_data(error)) from None
        params["gas"] = gas
        return call.build_transaction(params)

    def _fees(self) -> dict[str, Wei]:
        latest = self.w3.eth.get_block("latest")
        base_fee = int(latest.get("baseFeePerGas", 0))
        priority = int(self.w3.eth.max_priority_fee)
        return {
            "maxFeePerGas": Wei(BASE_FEE_HEADROOM * base_fee + priority),
            "maxPriorityFeePerGas": Wei(priority),
        }

    def _replay_revert(
        self, call: ContractFunction | ContractConstructor, receipt: TxReceipt
    ) -> ContractRevert:
        """A mined transaction failed: re-run it as a call on the state before its block."""
        if not isinstance(call, ContractFunction):
            return self.decoder.decode(None)
        try:
            call.call({"from": self.account.address}, block_identifier=receipt["blockNumber"] - 1)
        except ContractLogicError as error:
            return self.decoder.decode(_revert_data(error))
        return self.decoder.decode(None)


def _revert_data(error: ContractLogicError) -> str | None:
    data = error.data
    if isinstance(data, dict):
        data = data.get("data")
    return data if isinstance(data, str) else None
