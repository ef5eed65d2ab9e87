"""Who may do what, refused: the sign-in, token, standing, party, signature and nonce errors.

They are shared by every domain (a trade, a receivable and a consent are signed and checked
alike), so they live with authorization and not in any one domain.
"""

from __future__ import annotations

from backend.errors import LedgerError


class AuthError(LedgerError, code="unauthorized", status=401):
    """Not signed in, or the sign-in failed."""


class NotAuthenticated(AuthError, code="not_authenticated"):
    """No bearer token was sent."""


class InvalidToken(AuthError, code="invalid_token"):
    """The bearer token is not one this service issued."""

    def __init__(self) -> None:
        super().__init__("the token is not valid")


class TokenExpired(AuthError, code="token_expired"):
    """The bearer token expired."""

    def __init__(self) -> None:
        super().__init__("the token expired; sign in again")


class UnknownChallenge(AuthError, code="unknown_challenge"):
    """The sign-in message names no challenge this service gave."""


class ChallengeExpired(AuthError, code="challenge_expired"):
    """The sign-in challenge expired."""


class ChallengeReplayed(AuthError, code="challenge_replayed"):
    """The sign-in message was used already."""


class SignInSignatureInvalid(AuthError, code="invalid_signature"):
    """The sign-in signature does not come from the address in the message."""


class Forbidden(LedgerError, code="forbidden", status=403):
    """Signed in, but not allowed to do this."""


class NotAParty(Forbidden, code="not_a_party"):
    """The caller is not a party to what it reads or submits (nor the operator)."""


class RoleNotAllowed(Forbidden, code="role_not_allowed"):
    """The firm does not hold a role this needs."""

    def __init__(self, message: str, *, address: str | None = None) -> None:
        super().__init__(message)
        self.address = address


class SignInFirmNotActive(Forbidden, code="firm_not_active"):
    """Signing in as a firm that is not active."""

    address: str
    sentence = "{address} is not an active registered firm"


class FirmNotActive(LedgerError, code="firm_not_active", status=422):
    """A firm a submission names is not an active registered firm."""

    address: str
    sentence = "{address} is not an active registered firm"


class NotABank(LedgerError, code="not_a_bank", status=422):
    """A firm a submission names as its bank is not an active bank."""

    address: str
    sentence = "{address} is not an active bank"


class InvalidSignature(LedgerError, code="invalid_signature", status=422):
    """A signature does not come from the firm that should have signed."""

    signer: str
    role: str
    sentence = "the {role} signature does not come from {signer}"


class InvalidNonce(LedgerError, code="invalid_nonce", status=409):
    """The nonce is not the signer's next one."""

    signer: str
    nonce: int
    expected: int
    sentence = "nonce {nonce} is not {signer}'s next one ({expected})"


class NoConsent(Forbidden, code="no_consent"):
    """A bank reads (or decides on) a firm without the firm's active consent for it."""


#: What any endpoint that needs a signed-in caller may answer.
SIGNED_IN: tuple[type[LedgerError], ...] = (NotAuthenticated, InvalidToken, TokenExpired)
