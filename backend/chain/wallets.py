"""ERC-1271: asking a contract wallet (a multisig, say) whether it approves a signature."""

from __future__ import annotations

from eth_utils import to_checksum_address
from web3 import Web3

ERC1271_MAGIC = bytes.fromhex("1626ba7e")
ERC1271_ABI = [
    {
        "name": "isValidSignature",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
        "outputs": [{"name": "", "type": "bytes4"}],
    }
]


def wallet_approves(w3: Web3, signer: str, digest: bytes, signature: bytes) -> bool:
    """True when ``signer`` is a contract whose ``isValidSignature`` returns the magic value."""
    address = to_checksum_address(signer)
    if not w3.eth.get_code(address):
        return False
    wallet = w3.eth.contract(address=address, abi=ERC1271_ABI)
    try:
        answer = wallet.functions.isValidSignature(digest, signature).call()
    except Exception:  # a wallet that reverts, or answers garbage, does not approve
        return False
    return bytes(answer) == ERC1271_MAGIC
