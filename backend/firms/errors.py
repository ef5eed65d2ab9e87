"""What the firm endpoints refuse."""

from __future__ import annotations

from backend.errors import LedgerError


class InvalidCreditCodeError(LedgerError, code="invalid_credit_code", status=422):
    """The unified social credit code (USCC) is malformed or its check character is wrong."""


class FirmNotFound(LedgerError, code="not_found", status=404):
    """No firm is registered at this address."""

    address: str
    sentence = "no registered firm {address}"


class FirmAlreadyRegistered(LedgerError, code="already_registered", status=409):
    """The address has a directory entry already."""


class DuplicateCreditCode(LedgerError, code="duplicate_credit_code", status=409):
    """Another firm is registered with this unified social credit code."""


class FirmStatusInFlight(LedgerError, code="operation_in_flight", status=409):
    """A suspension or reactivation of this firm is still being recorded."""


class FirmStatusUnchanged(LedgerError, code="status_unchanged", status=409):
    """The firm is in that status already."""


class RegistryRefused(LedgerError, code="registry_refused", status=422):
    """The firm registry refused the registration (the zero address, a firm it has already,
    which the directory does not know): its custom error is named in the message."""
