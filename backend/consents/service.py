"""Granting and revoking consents: signed by the firm, checked, then queued in the outbox.

What a consent lets a bank read, and when it is active, is decided in ``backend.auth.readers``:
a revocation takes effect the moment the API accepts the firm's signed revocation, before the
chain records it.
"""

from __future__ import annotations

import time

from sqlmodel import Session

from backend.auth.checks import SubmissionChecks, check_next_nonce
from backend.auth.readers import revocation_accepted
from backend.auth.service import Principal
from backend.consents.errors import AlreadyRevoked, ConsentExpired, ConsentNotFound, NotTheFirm
from backend.consents.models import Consent as ConsentRow
from backend.consents.schemas import ConsentCreate, ConsentRevoke
from backend.enums import ConsentScope, OutboxKind, OutboxStatus
from backend.relayer.outbox import Accepted, enqueue
from backend.schemas import hex_bytes
from backend.sdk.typed_data import Consent, RevokeConsent
from backend.services import Services
from backend.trades.schemas import SubmissionAccepted

#: The outbox kinds that spend a firm's consent-registry nonce.
NONCED_KINDS = (OutboxKind.CONSENT, OutboxKind.REVOKE_CONSENT)



def _require_firm(principal: Principal, firm: str) -> None:
    if principal.address != firm:
        raise NotTheFirm()


def grant(
    session: Session, services: Services, principal: Principal, body: ConsentCreate
) -> SubmissionAccepted:
    data = body.consent
    _require_firm(principal, data.firm)
    checks = SubmissionChecks(session, services, principal)
    checks.require_active(data.firm)
    checks.require_bank(data.bank)
    if data.expires_at <= int(time.time()):
        raise ConsentExpired(data.expires_at)
    check_next_nonce(
        session,
        data.firm,
        NONCED_KINDS,
        lambda: services.ledger.consents.nonce(data.firm),
        data.nonce,
    )
    consent = Consent(data.firm, data.bank, ConsentScope(data.scope), data.expires_at, data.nonce)
    consent_id = "0x" + consent.consent_id(services.ledger.consents.domain).hex()
    checks.require_signature(data.firm, hex_bytes(consent_id), body.signature, "firm")
    payload = {
        "consent_id": consent_id,
        "consent": data.model_dump(mode="json"),
        "signature": body.signature,
    }
    (row_id,) = enqueue(
        session,
        principal,
        [
            Accepted(
                consent_id,
                OutboxKind.CONSENT,
                f"consent:{consent_id}",
                payload,
                nonce_signer=data.firm,
            )
        ],
    )
    return SubmissionAccepted(id=row_id, subject=consent_id, status=OutboxStatus.QUEUED)


def revoke(
    session: Session, services: Services, principal: Principal, consent_id: str, body: ConsentRevoke
) -> SubmissionAccepted:
    """Takes effect at once: an accepted revocation already ends the consent for reads."""
    granted = session.get(ConsentRow, consent_id)
    if granted is None:
        raise ConsentNotFound(consent_id)
    _require_firm(principal, granted.firm)
    if granted.revoked_time is not None or revocation_accepted(session, consent_id):
        raise AlreadyRevoked(consent_id)
    check_next_nonce(
        session,
        granted.firm,
        NONCED_KINDS,
        lambda: services.ledger.consents.nonce(granted.firm),
        body.nonce,
    )
    digest = RevokeConsent(hex_bytes(consent_id), body.nonce).digest(
        services.ledger.consents.domain
    )
    SubmissionChecks(session, services, principal).require_signature(
        granted.firm, digest, body.signature, "firm"
    )
    payload = {"consent_id": consent_id, "nonce": body.nonce, "signature": body.signature}
    (row_id,) = enqueue(
        session,
        principal,
        [
            Accepted(
                consent_id,
                OutboxKind.REVOKE_CONSENT,
                f"revoke:{consent_id}",
                payload,
                nonce_signer=granted.firm,
            )
        ],
    )
    return SubmissionAccepted(id=row_id, subject=consent_id, status=OutboxStatus.QUEUED)
