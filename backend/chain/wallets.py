"""ERC-1271: asking a contract wallet (a multisig, say) whether it approves a signature.

Off-chain checks must decide as the chain will. A plain ``eth_call`` of a wallet's
``isValidSignature`` does not: it runs outside a static context and with all the gas of a block,
so a wallet that writes state, or burns gas, passes it and then fails inside the contracts'
bounded STATICCALL (``SignatureVerifier.ERC1271_GAS_STIPEND``). So the check is an ``eth_call`` of
``TradeLedger.verifySignature``: the ledger's own code, its static call and its gas stipend.
"""

from __future__ import annotations

import logging

from eth_utils import to_checksum_address
from web3.contract import Contract

logger = logging.getLogger(__name__)

# SignatureVerifier.ERC1271_GAS_STIPEND (100,000) reaches the wallet, plus the ledger's own work
# (ECDSA first, the call's overhead, copying the answer) and the 1/64 that a call keeps back.
VERIFY_CALL_GAS = 300_000


def ledger_verifies(trade_ledger: Contract, signer: str, digest: bytes, signature: bytes) -> bool:
    """True when the ledger's ``verifySignature`` accepts ``signature`` as ``signer``'s."""
    call = trade_ledger.functions.verifySignature(to_checksum_address(signer), digest, signature)
    try:
        return bool(call.call({"gas": VERIFY_CALL_GAS}))
    except Exception as error:  # a node error: refuse rather than accept what was not checked
        logger.warning("wallets.verify.failed signer=%s error=%s", signer, error)
        return False
