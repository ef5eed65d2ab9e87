"""Sign-In with Ethereum (EIP-4361) and short-lived bearer tokens carrying on-chain roles.

A firm asks for a challenge, signs the message with its own key (``personal_sign``; contract
wallets answer through ERC-1271) and exchanges it for a token. The token names the firm's roles
as the registry held them at sign-in; the operator is whoever holds the operator key.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct
from eth_utils import is_checksum_address
from sqlalchemy import update
from sqlmodel import Session, col

from backend.auth.errors import (
    AuthError,
    ChallengeExpired,
    ChallengeReplayed,
    InvalidToken,
    SignInFirmNotActive,
    SignInSignatureInvalid,
    TokenExpired,
    UnknownChallenge,
)
from backend.auth.models import AuthChallenge
from backend.chain.contracts import Ledger
from backend.enums import FirmStatus, Role
from backend.sdk.verify import recover_address
from backend.settings import Settings

TOKEN_ALGORITHM = "HS256"
#: Tokens this service issues are ~300 characters; anything far longer is refused unparsed.
MAX_TOKEN_CHARS = 2_048
_ALL_ROLES = int(Role.SUPPLIER | Role.CORE | Role.BANK | Role.ORACLE)
_NONCE_LINE = re.compile(r"^Nonce: ([0-9A-Za-z]{8,})$", re.MULTILINE)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a firm with its roles, or the operator."""

    address: str
    roles: Role
    operator: bool = False

    def has(self, role: Role) -> bool:
        return bool(self.roles & role)


def _iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def siwe_message(settings: Settings, address: str, chain_id: int, nonce: str, now: int) -> str:
    """The EIP-4361 message text, field by field as the standard orders them."""
    return (
        f"{settings.api_domain} wants you to sign in with your Ethereum account:\n"
        f"{address}\n\n"
        "Sign in to scf-ledger. This signature proves you hold this address; it moves nothing.\n\n"
        f"URI: {settings.api_uri}\n"
        "Version: 1\n"
        f"Chain ID: {chain_id}\n"
        f"Nonce: {nonce}\n"
        f"Issued At: {_iso(now)}\n"
        f"Expiration Time: {_iso(now + settings.auth_challenge_seconds)}"
    )


def create_challenge(
    session: Session, settings: Settings, address: str, chain_id: int
) -> AuthChallenge:
    now = int(time.time())
    nonce = secrets.token_hex(16)
    challenge = AuthChallenge(
        nonce=nonce,
        address=address,
        message=siwe_message(settings, address, chain_id, nonce, now),
        expires_at=now + settings.auth_challenge_seconds,
    )
    session.add(challenge)
    return challenge


def redeem_challenge(
    session: Session, settings: Settings, ledger: Ledger, message: str, signature: bytes
) -> tuple[Principal, str, int]:
    """Check the signed challenge (once), and issue a token: (principal, token, expires_at)."""
    match = _NONCE_LINE.search(message)
    challenge = session.get(AuthChallenge, match.group(1)) if match else None
    now = int(time.time())
    if challenge is None or challenge.message != message:
        raise UnknownChallenge("unknown sign-in message; ask for a new challenge")
    if challenge.expires_at < now:
        raise ChallengeExpired("the sign-in challenge expired; ask for a new one")
    if not _signed_by(ledger, challenge.address, message, signature):
        raise SignInSignatureInvalid("the signature does not come from the address in the message")
    # Spend the nonce atomically: of two concurrent redemptions, only one updates the row.
    spent = session.execute(
        update(AuthChallenge)
        .where(col(AuthChallenge.nonce) == challenge.nonce, col(AuthChallenge.used).is_(False))
        .values(used=True)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise ChallengeReplayed("this sign-in message was used already")
    principal = principal_for(ledger, settings, challenge.address)
    expires_at = now + settings.auth_token_seconds
    return principal, issue_token(settings, principal, expires_at), expires_at


def principal_for(ledger: Ledger, settings: Settings, address: str) -> Principal:
    if address == Account.from_key(settings.operator_key).address:
        return Principal(address, Role(0), operator=True)
    standing = ledger.registry.standing(address)
    if standing.status != FirmStatus.ACTIVE:
        raise SignInFirmNotActive(address)
    return Principal(address, standing.roles)


def _signed_by(ledger: Ledger, address: str, message: str, signature: bytes) -> bool:
    """An EOA's ``personal_sign``, else an ERC-1271 wallet's approval of the EIP-191 hash, checked
    by the ledger's own verification (static call, gas stipend) as the contracts would."""
    digest = _hash_eip191_message(encode_defunct(text=message))
    if recover_address(digest, signature) == address:
        return True
    return ledger.trades.verify_signature(address, digest, signature)


def issue_token(settings: Settings, principal: Principal, expires_at: int) -> str:
    claims: dict[str, Any] = {
        "sub": principal.address,
        "roles": int(principal.roles),
        "operator": principal.operator,
        "exp": expires_at,
        "iat": int(time.time()),
    }
    return jwt.encode(claims, settings.auth_secret, algorithm=TOKEN_ALGORITHM)


def principal_from_token(settings: Settings, token: str) -> Principal:
    """The principal a token names; 401 ``invalid_token`` for anything but a token this service
    issued: too long, not a JWT, a bad HMAC, or claims of the wrong shape (even under a valid
    HMAC: a leaked secret or an older format must not crash the request)."""
    invalid = InvalidToken()
    if len(token) > MAX_TOKEN_CHARS:
        raise invalid
    try:
        claims = jwt.decode(
            token,
            settings.auth_secret,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenExpired() from None
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
        raise invalid from None
    return _principal_from_claims(claims, invalid)


def _principal_from_claims(claims: object, invalid: AuthError) -> Principal:
    if not isinstance(claims, dict):
        raise invalid
    sub, roles, operator = claims.get("sub"), claims.get("roles"), claims.get("operator")
    if not isinstance(sub, str) or not is_checksum_address(sub):
        raise invalid
    if isinstance(roles, bool) or not isinstance(roles, int) or not 0 <= roles <= _ALL_ROLES:
        raise invalid
    if not isinstance(operator, bool):
        raise invalid
    return Principal(sub, Role(roles), operator)
