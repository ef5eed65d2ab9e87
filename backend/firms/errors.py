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


class FirmAlreadyRegistered(LedgerError):
    """The address has a directory entry already."""

    code = "already_registered"
    status = 409


class DuplicateCreditCode(LedgerError):
    """Another firm is registered with this unified social credit code."""

    code = "duplicate_credit_code"
    status = 409


class FirmStatusInFlight(LedgerError):
    """A suspension or reactivation of this firm is still being recorded."""

    code = "operation_in_flight"
    status = 409


class FirmStatusUnchanged(LedgerError):
    """The firm is in that status already."""

    code = "status_unchanged"
    status = 409


class RegistryRefused(LedgerError):
    """The firm registry refused the registration (the zero address, a firm it has already,
    which the directory does not know): its custom error is named in the message."""

    code = "registry_refused"
    status = 422
