"""China's unified social credit code (GB 32100-2015): one code per legal entity.

The ledger stores only ``keccak256`` of the normalised code, so one legal entity registers once
without the chain publishing the code itself.
"""

from __future__ import annotations

import re

from eth_utils import keccak

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_PATTERN = re.compile(f"[{ALPHABET}]{{18}}")


class InvalidCreditCode(ValueError):
    """The text is not a valid unified social credit code."""


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """The code in canonical form; raises InvalidCreditCode when malformed or its check fails."""
    text = code.strip().upper()
    if not _PATTERN.fullmatch(text):
        raise InvalidCreditCode(f"{code!r} is not 18 characters of the credit-code alphabet")
    if check_character(text[:17]) != text[17]:
        raise InvalidCreditCode(f"{code!r} fails its check character")
    return text


def credit_code_hash(code: str) -> bytes:
    return keccak(text=normalise(code))


def make_credit_code(body17: str) -> str:
    """Append the check character to 17 characters (demo and test tooling)."""
    return body17 + check_character(body17)
