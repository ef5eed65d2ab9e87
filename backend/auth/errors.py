"""Who may do what, refused: the sign-in, token, standing, party, signature and nonce errors.

They are shared by every domain (a trade, a receivable and a consent are signed and checked
alike), so they live with authorization and not in any one domain.
"""

from __future__ import annotations

from backend.errors import LedgerError


class AuthError(LedgerError):
    """Not signed in, or the sign-in failed."""

    code = "unauthorized"
    status = 401


class NotAuthenticated(AuthError):
    """No bearer token was sent."""

    code = "not_authenticated"


class InvalidToken(AuthError):
    """The bearer token is not one this service issued."""

    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("the token is not valid")


class TokenExpired(AuthError):
    """The bearer token expired."""

    code = "token_expired"

    def __init__(self) -> None:
        super().__init__("the token expired; sign in again")


class UnknownChallenge(AuthError):
    """The sign-in message names no challenge this service gave."""

    code = "unknown_challenge"


class ChallengeExpired(AuthError):
    """The sign-in challenge expired."""

    code = "challenge_expired"


class ChallengeReplayed(AuthError):
    """The sign-in message was used already."""

    code = "challenge_replayed"


class SignInSignatureInvalid(AuthError):
    """The sign-in signature does not come from the address in the message."""

    code = "invalid_signature"


class Forbidden(LedgerError):
    """Signed in, but not allowed to do this."""

    code = "forbidden"
    status = 403


class NotAParty(Forbidden):
    """The caller is not a party to what it reads or submits (nor the operator)."""

    code = "not_a_party"


class RoleNotAllowed(Forbidden):
    """The firm does not hold a role this needs."""

    code = "role_not_allowed"

    def __init__(self, message: str, *, address: str | None = None) -> None:
        super().__init__(message)
        self.address = address


class SignInFirmNotActive(Forbidden):
    """Signing in as a firm that is not active."""

    code = "firm_not_active"

    def __init__(self, address: str) -> None:
        super().__init__(f"{address} is not an active registered firm")
        self.address = address


class FirmNotActive(LedgerError):
    """A firm a submission names is not an active registered firm."""

    code = "firm_not_active"
    status = 422

    def __init__(self, address: str) -> None:
        super().__init__(f"{address} is not an active registered firm")
        self.address = address


class NotABank(LedgerError):
    """A firm a submission names as its bank is not an active bank."""

    code = "not_a_bank"
    status = 422

    def __init__(self, address: str) -> None:
        super().__init__(f"{address} is not an active bank")
        self.address = address


class InvalidSignature(LedgerError):
    """A signature does not come from the firm that should have signed."""

    code = "invalid_signature"
    status = 422

    def __init__(self, signer: str, role: str) -> None:
        super().__init__(f"the {role} signature does not come from {signer}")
        self.signer = signer
        self.role = role


class InvalidNonce(LedgerError):
    """The nonce is not the signer's next one."""

    code = "invalid_nonce"
    status = 409

    def __init__(self, signer: str, nonce: int, expected: int) -> None:
        super().__init__(f"nonce {nonce} is not {signer}'s next one ({expected})")
        self.signer = signer
        self.nonce = nonce
        self.expected = expected


class NoConsent(Forbidden):
    """A bank reads (or decides on) a firm without the firm's active consent for it."""

    code = "no_consent"


#: What any endpoint that needs a signed-in caller may answer.
SIGNED_IN: tuple[type[LedgerError], ...] = (NotAuthenticated, InvalidToken, TokenExpired)
