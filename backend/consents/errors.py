"""What the consent endpoints refuse."""

from __future__ import annotations

from backend.auth.errors import Forbidden
from backend.errors import LedgerError


class NotTheFirm(Forbidden):
    """Only the firm itself grants or revokes its consents."""

    code = "not_the_firm"

    def __init__(self) -> None:
        super().__init__("only the firm itself grants or revokes its consents")


class ConsentExpired(LedgerError):
    """The consent would be expired already."""

    code = "expired"
    status = 422

    def __init__(self, expires_at: int) -> None:
        super().__init__("the consent would be expired already")
        self.expires_at = expires_at


class ConsentNotFound(LedgerError):
    """No recorded consent with this id."""

    code = "not_found"
    status = 404

    def __init__(self, consent_id: str) -> None:
        super().__init__(f"no recorded consent {consent_id}")
        self.consent_id = consent_id


class AlreadyRevoked(LedgerError):
    """The consent is revoked already (or its revocation is queued)."""

    code = "already_revoked"
    status = 409

    def __init__(self, consent_id: str) -> None:
        super().__init__("this consent is revoked already")
        self.consent_id = consent_id
