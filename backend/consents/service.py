"""Who may read what: a bank reads a firm's records only while that firm's consent is active.

Active means: recorded on chain (indexed), not expired, not replaced, not revoked — and no
revocation of it has been accepted either: a revocation takes effect the moment the API accepts
the firm's signed revocation, before the chain records it.
"""

from __future__ import annotations

import time

from sqlmodel import Session, col, select

from backend.consents.models import Consent
from backend.relayer.models import FAILED, OutboxItem

REVOKE = "revoke_consent"


def active_consent(
    session: Session, bank: str, firm: str, scope: int, now: int | None = None
) -> Consent | None:
    """The firm's active consent for this bank covering ``scope``, if any."""
    now = int(time.time()) if now is None else now
    candidates = session.exec(
        select(Consent).where(
            Consent.firm == firm,
            Consent.bank == bank,
            col(Consent.revoked_time).is_(None),
            col(Consent.replaced_by).is_(None),
            Consent.expires_at > now,
        )
    ).all()
    for consent in candidates:
        if consent.scope & scope == scope and not _revocation_accepted(session, consent.consent_id):
            return consent
    return None


def _revocation_accepted(session: Session, consent_id: str) -> bool:
    item = session.exec(
        select(OutboxItem.id).where(
            OutboxItem.kind == REVOKE, OutboxItem.subject == consent_id, OutboxItem.status != FAILED
        )
    ).first()
    return item is not None


def bank_may_read(session: Session, bank: str, firm: str, scope: int) -> bool:
    return active_consent(session, bank, firm, scope) is not None
