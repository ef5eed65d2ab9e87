"""What the firm endpoints refuse."""

from __future__ import annotations

from backend.errors import LedgerError


class InvalidCreditCodeError(LedgerError):
    """The unified social credit code (USCC) is malformed or its check character is wrong."""

    code = "invalid_credit_code"
    status = 422


class FirmNotFound(LedgerError):
    """No firm is registered at this address."""

    code = "not_found"
    status = 404

    def __init__(self, address: str) -> None:
        super().__init__(f"no registered firm {address}")
        self.address = address
