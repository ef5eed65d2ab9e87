"""What the consent endpoints refuse."""

from __future__ import annotations

from backend.auth.errors import Forbidden
from backend.errors import LedgerError


class NotTheFirm(Forbidden, code="not_the_firm"):
    """Only the firm itself grants or revokes its consents."""

    def __init__(self) -> None:
        super().__init__("only the firm itself grants or revokes its consents")


class ConsentExpired(LedgerError, code="expired", status=422):
    """The consent would be expired already."""

    expires_at: int
    sentence = "the consent would be expired already"


class ConsentNotFound(LedgerError, code="not_found", status=404):
    """No recorded consent with this id."""

    consent_id: str
    sentence = "no recorded consent {consent_id}"


class AlreadyRevoked(LedgerError, code="already_revoked", status=409):
    """The consent is revoked already (or its revocation is queued)."""

    consent_id: str
    sentence = "this consent is revoked already"
