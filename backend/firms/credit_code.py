"""China's unified social credit code (GB 32100-2015): one code per legal entity.

Validated by ``python-stdnum`` (``stdnum.cn.uscc``: 18 characters, the first 8 digits, the
credit-code alphabet, its check character). The ledger stores only ``keccak256`` of the
normalised code; the firm directory (off chain) keeps it in clear, so that anyone can check it
against the chain.
"""

from __future__ import annotations

from eth_utils import keccak
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError


class InvalidCreditCode(ValueError):
    """The text is not a valid unified social credit code."""


def normalise(code: str) -> str:
    """The code in canonical form; raises InvalidCreditCode when malformed or its check fails."""
    try:
        return str(uscc.validate(code))
    except ValidationError as error:
        raise InvalidCreditCode(f"{code!r} is not a unified social credit code ({error})") from None


def credit_code_hash(code: str) -> bytes:
    return keccak(text=normalise(code))


def make_credit_code(body17: str) -> str:
    """Append the check character to 17 characters (demo and test tooling)."""
    return body17 + str(uscc.calc_check_digit(body17))
