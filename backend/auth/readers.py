"""Who reads a firm's records: the firms they are about, the operator (where it may), and a bank
the firm gave an active consent for what it reads (and that is itself an active bank now).

A revocation takes effect once the API accepted it (queued), before it reaches the chain.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists
from sqlmodel import Session, col, select

from backend.auth.errors import Forbidden, NoConsent
from backend.auth.service import Principal
from backend.auth.standing import is_active_bank, require_active_bank
from backend.consents.models import Consent
from backend.enums import ConsentScope, OutboxKind, OutboxStatus
from backend.relayer.models import OutboxItem


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
        if consent.scope & scope == scope and not revocation_accepted(session, consent.consent_id):
            return consent
    return None


def revocation_accepted(session: Session, consent_id: str) -> bool:
    item = session.exec(
        select(OutboxItem.id).where(
            OutboxItem.kind == OutboxKind.REVOKE_CONSENT,
            OutboxItem.subject == consent_id,
            OutboxItem.status != OutboxStatus.FAILED,
        )
    ).first()
    return item is not None


def bank_may_read(session: Session, bank: str, firm: str, scope: int) -> bool:
    return active_consent(session, bank, firm, scope) is not None


def require_reader(
    session: Session,
    principal: Principal,
    parties: Sequence[str],
    scope: int,
    refusal: Forbidden,
    *,
    operator_reads: bool = True,
) -> None:
    """Let the firms ``parties`` read, the operator (if ``operator_reads``), and a bank while one
    of those firms' consents for ``scope`` is active and the bank itself is active and holds the
    BANK role now. Else raise ``refusal`` (or the bank's standing refusal)."""
    if principal.operator:
        if operator_reads:
            return
    elif principal.address in parties:
        return
    elif any(bank_may_read(session, principal.address, party, scope) for party in parties):
        require_active_bank(session, principal.address)
        return
    raise refusal


def require_profile_reader(session: Session, principal: Principal, firm: str, who: str) -> None:
    """What reads a firm's credit profile (and the records it rests on): the firm, the operator,
    and a bank while the firm's consent is active; else ``NoConsent`` saying ``who`` reads it."""
    require_reader(session, principal, (firm,), ConsentScope.CREDIT_PROFILE, NoConsent(who))


def _revocation_accepted_clause() -> Any:
    """SQL: an accepted (not failed) revocation of the consent row exists."""
    return exists().where(
        col(OutboxItem.kind) == OutboxKind.REVOKE_CONSENT,
        col(OutboxItem.subject) == col(Consent.consent_id),
        col(OutboxItem.status) != OutboxStatus.FAILED,
    )


def active_clause(now: int) -> Any:
    """SQL for :func:`active_consent`'s rule, over every consent at once."""
    return and_(
        col(Consent.revoked_time).is_(None),
        col(Consent.replaced_by).is_(None),
        col(Consent.expires_at) > now,
        ~_revocation_accepted_clause(),
    )


def consenting_firms(session: Session, bank: str, scope: int) -> list[str]:
    """The firms whose active consent lets ``bank`` read ``scope`` now."""
    rows = session.exec(
        select(Consent.firm, Consent.scope).where(
            Consent.bank == bank, active_clause(int(time.time()))
        )
    ).all()
    return sorted({firm for firm, granted in rows if granted & scope == scope})


def readable_firms(session: Session, principal: Principal, scope: int) -> list[str] | None:
    """Whose records ``principal`` may list: None for the operator (everyone's), else itself
    and, while it is an active bank, the firms whose active consent covers ``scope``."""
    if principal.operator:
        return None
    firms = [principal.address]
    if is_active_bank(session, principal.address):
        firms += consenting_firms(session, principal.address, scope)
    return firms
