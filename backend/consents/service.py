"""Granting and revoking consents: signed by the firm, checked, then queued in the outbox.

What a consent lets a bank read, and when it is active, is decided in ``backend.auth.readers``:
a revocation takes effect the moment the API accepts the firm's signed revocation, before the
chain records it.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from backend.auth.checks import SubmissionChecks, check_next_nonce, queue
from backend.auth.readers import active_clause, revocation_accepted
from backend.auth.service import Principal
from backend.consents.errors import AlreadyRevoked, ConsentExpired, ConsentNotFound, NotTheFirm
from backend.consents.models import Consent as ConsentRow
from backend.consents.schemas import ConsentCreate, ConsentPublic, ConsentRevoke, ConsentStatus
from backend.db import from_row, get_or
from backend.enums import ConsentScope, OutboxKind, OutboxStatus
from backend.paging import Page, Paging, fetch_page
from backend.relayer.models import OutboxItem
from backend.relayer.outbox import Accepted
from backend.schemas import SubmissionAccepted, hex_bytes
from backend.sdk.typed_data import Consent, RevokeConsent
from backend.services import Services

#: The outbox kinds that spend a firm's consent-registry nonce.
NONCED_KINDS = (OutboxKind.CONSENT, OutboxKind.REVOKE_CONSENT)


def _require_firm(principal: Principal, firm: str) -> None:
    if principal.address != firm:
        raise NotTheFirm()


def _require_next_nonce(session: Session, services: Services, firm: str, nonce: int) -> None:
    """A consent or a revocation spends the firm's next consent-registry nonce."""
    check_next_nonce(
        session, firm, NONCED_KINDS, lambda: services.ledger.consents.nonce(firm), nonce
    )


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
    _require_next_nonce(session, services, data.firm, data.nonce)
    consent = Consent(data.firm, data.bank, ConsentScope(data.scope), data.expires_at, data.nonce)
    consent_id = "0x" + consent.consent_id(services.ledger.consents.domain).hex()
    checks.require_signature(data.firm, hex_bytes(consent_id), body.signature, "firm")
    payload = {
        "consent_id": consent_id,
        "consent": data.model_dump(mode="json"),
        "signature": body.signature,
    }
    accepted = Accepted(
        consent_id, OutboxKind.CONSENT, f"consent:{consent_id}", payload, nonce_signer=data.firm
    )
    return queue(session, principal, accepted)


def revoke(
    session: Session, services: Services, principal: Principal, consent_id: str, body: ConsentRevoke
) -> SubmissionAccepted:
    """Takes effect at once: an accepted revocation already ends the consent for reads."""
    granted = get_or(session, ConsentRow, consent_id, ConsentNotFound(consent_id))
    _require_firm(principal, granted.firm)
    if granted.revoked_time is not None or revocation_accepted(session, consent_id):
        raise AlreadyRevoked(consent_id)
    _require_next_nonce(session, services, granted.firm, body.nonce)
    digest = RevokeConsent(hex_bytes(consent_id), body.nonce).digest(
        services.ledger.consents.domain
    )
    SubmissionChecks(session, services, principal).require_signature(
        granted.firm, digest, body.signature, "firm"
    )
    payload = {"consent_id": consent_id, "nonce": body.nonce, "signature": body.signature}
    accepted = Accepted(
        consent_id,
        OutboxKind.REVOKE_CONSENT,
        f"revoke:{consent_id}",
        payload,
        nonce_signer=granted.firm,
    )
    return queue(session, principal, accepted)


# ─────────────────────────────────────────────────────────────── lists


def list_consents(
    session: Session,
    principal: Principal,
    paging: Paging,
    firm: str | None,
    bank: str | None,
    active: bool | None,
) -> Page[ConsentPublic]:
    """Given by the caller (a firm), given to it (a bank), or all (operator); newest first."""
    now = int(time.time())
    query: Any = select(ConsentRow)
    if not principal.operator:
        query = query.where(
            or_(
                col(ConsentRow.firm) == principal.address, col(ConsentRow.bank) == principal.address
            )
        )
    if firm is not None:
        query = query.where(ConsentRow.firm == firm)
    if bank is not None:
        query = query.where(ConsentRow.bank == bank)
    if active is not None:
        query = query.where(active_clause(now) if active else ~active_clause(now))
    rows, count = fetch_page(
        session, query, paging, col(ConsentRow.event_id).desc(), col(ConsentRow.consent_id)
    )
    revoking = _revocations_accepted(session, [row.consent_id for row in rows])
    return Page(data=[_public(row, now, row.consent_id in revoking) for row in rows], count=count)


def _revocations_accepted(session: Session, consent_ids: list[str]) -> set[str]:
    if not consent_ids:
        return set()
    return set(
        session.exec(
            select(OutboxItem.subject).where(
                OutboxItem.kind == OutboxKind.REVOKE_CONSENT,
                col(OutboxItem.subject).in_(consent_ids),
                OutboxItem.status != OutboxStatus.FAILED,
            )
        ).all()
    )


def _public(row: ConsentRow, now: int, revoking: bool) -> ConsentPublic:
    if row.revoked_time is not None:
        status: ConsentStatus = "revoked"
    elif revoking:
        status = "revoking"
    elif row.replaced_by is not None:
        status = "replaced"
    elif row.expires_at <= now:
        status = "expired"
    else:
        status = "active"
    return from_row(ConsentPublic, row, active=status == "active", status=status)
