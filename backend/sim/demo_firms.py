"""The demo's firms: registered with deterministic keys, so that every run shows the same
addresses."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from backend.chain.contracts import Ledger
from backend.enums import Role
from backend.firms.credit_code import credit_code_hash, make_credit_code
from backend.sdk.signer import Signer


@dataclass(frozen=True)
class DemoFirm:
    name: str
    signer: Signer
    roles: Role
    credit_code: str = ""


def register_demo_firm(ledger: Ledger, name: str, roles: Role, key: str, serial: int) -> DemoFirm:
    """A firm with a deterministic key (from ``key``) and credit code (from ``serial``)."""
    # Deterministic demo keys; a real firm's key never leaves its own client.
    signer = Signer.from_key(keccak(text=key))
    code = make_credit_code(f"9133{serial:013d}")
    ledger.registry.register(signer.address, roles, credit_code_hash(code))
    return DemoFirm(name, signer, roles, code)
