"""Who may read what: a bank reads a firm's records only while that firm's consent is active.

Active means: recorded on chain (indexed), not expired, not replaced, not revoked — and no
revocation of it has been accepted either: a revocation takes effect the moment the API accepts
the firm's signed revocation, before the chain records it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, select

from backend.auth.service import Forbidden, Principal
from backend.auth.standing import is_active_bank, require_active_bank
from backend.chain.contracts import FirmStatus, Role
from backend.consents.models import Consent as ConsentRow
from backend.consents.schemas import ConsentCreate, ConsentPublic, ConsentRevoke, ConsentStatus
from backend.errors import LedgerError
from backend.paging import Page, Paging, fetch_page
from backend.relayer.models import FAILED, QUEUED, OutboxItem
from backend.schemas import hex_bytes
from backend.sdk.typed_data import Consent, ConsentScope, RevokeConsent
from backend.services import Services
from backend.trades.schemas import SubmissionAccepted
from backend.trades.service import Accepted, TradeChecks, check_next_nonce, enqueue

GRANT = "consent"
REVOKE = "revoke_consent"


def active_consent(
    session: Session, bank: str, firm: str, scope: int, now: int | None = None
) -> ConsentRow | None:
    """The firm's active consent for this bank covering ``scope``, if any."""
    now = int(time.time()) if now is None else now
    candidates = session.exec(
        select(ConsentRow).where(
            ConsentRow.firm == firm,
            ConsentRow.bank == bank,
            col(ConsentRow.revoked_time).is_(None),
            col(ConsentRow.replaced_by).is_(None),
            ConsentRow.expires_at > now,
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


def require_reader(
    session: Session,
    principal: Principal,
    parties: Sequence[str],
    scope: int,
    refusal: str,
    *,
    operator_reads: bool = True,
    code: str = "forbidden",
) -> None:
    """Who reads a firm's records: the firms they are about, the operator (where it may), and a
    bank while one of those firms' consents for ``scope`` is active and the bank itself is active
    and holds the BANK role now. Else 403 with ``refusal`` (or the bank's standing)."""
    if principal.operator:
        if operator_reads:
            return
    elif principal.address in parties:
        return
    elif any(bank_may_read(session, principal.address, party, scope) for party in parties):
        require_active_bank(session, principal.address)
        return
    raise Forbidden(refusal, code=code)


# ─────────────────────────────────────────────────────────────── submissions


def _require_firm(principal: Principal, firm: str) -> None:
    if principal.address != firm:
        raise Forbidden("only the firm itself grants or revokes its consents", code="not_the_firm")


def grant(
    session: Session, services: Services, principal: Principal, body: ConsentCreate
) -> SubmissionAccepted:
    data = body.consent
    _require_firm(principal, data.firm)
    checks = TradeChecks(session, services, principal)
    status, _ = checks.standing(data.firm)
    if status != FirmStatus.ACTIVE:
        raise LedgerError(
            f"{data.firm} is not an active registered firm", code="firm_not_active", status=422
        )
    bank_status, bank_roles = checks.standing(data.bank)
    if bank_status != FirmStatus.ACTIVE or not bank_roles & Role.BANK:
        raise LedgerError(f"{data.bank} is not an active bank", code="not_a_bank", status=422)
    if data.expires_at <= int(time.time()):
        raise LedgerError("the consent would be expired already", code="expired", status=422)
    check_next_nonce(
        session,
        data.firm,
        (GRANT, REVOKE),
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
        [Accepted(consent_id, GRANT, f"consent:{consent_id}", payload, nonce_signer=data.firm)],
    )
    return SubmissionAccepted(id=row_id, subject=consent_id, status=QUEUED)


def revoke(
    session: Session, services: Services, principal: Principal, consent_id: str, body: ConsentRevoke
) -> SubmissionAccepted:
    """Takes effect at once: an accepted revocation already ends the consent for reads."""
    granted = session.get(ConsentRow, consent_id)
    if granted is None:
        raise LedgerError(f"no recorded consent {consent_id}", code="not_found", status=404)
    _require_firm(principal, granted.firm)
    if granted.revoked_time is not None or _revocation_accepted(session, consent_id):
        raise LedgerError("this consent is revoked already", code="already_revoked", status=409)
    check_next_nonce(
        session,
        granted.firm,
        (GRANT, REVOKE),
        lambda: services.ledger.consents.nonce(granted.firm),
        body.nonce,
    )
    digest = RevokeConsent(hex_bytes(consent_id), body.nonce).digest(
        services.ledger.consents.domain
    )
    TradeChecks(session, services, principal).require_signature(
        granted.firm, digest, body.signature, "firm"
    )
    payload = {"consent_id": consent_id, "nonce": body.nonce, "signature": body.signature}
    (row_id,) = enqueue(
        session,
        principal,
        [Accepted(consent_id, REVOKE, f"revoke:{consent_id}", payload, nonce_signer=granted.firm)],
    )
    return SubmissionAccepted(id=row_id, subject=consent_id, status=QUEUED)


# ─────────────────────────────────────────────────────────────── lists


def _revocation_accepted_clause() -> Any:
    """SQL: an accepted (not failed) revocation of the consent row exists."""
    return exists().where(
        col(OutboxItem.kind) == REVOKE,
        col(OutboxItem.subject) == col(ConsentRow.consent_id),
        col(OutboxItem.status) != FAILED,
    )


def active_clause(now: int) -> Any:
    """SQL for :func:`active_consent`'s rule, over every consent at once."""
    return and_(
        col(ConsentRow.revoked_time).is_(None),
        col(ConsentRow.replaced_by).is_(None),
        col(ConsentRow.expires_at) > now,
        ~_revocation_accepted_clause(),
    )


def consenting_firms(session: Session, bank: str, scope: int) -> list[str]:
    """The firms whose active consent lets ``bank`` read ``scope`` now."""
    rows = session.exec(
        select(ConsentRow.firm, ConsentRow.scope).where(
            ConsentRow.bank == bank, active_clause(int(time.time()))
        )
    ).all()
    return sorted({firm for firm, granted in rows if granted & scope == scope})


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
                OutboxItem.kind == REVOKE,
                col(OutboxItem.subject).in_(consent_ids),
                OutboxItem.status != FAILED,
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
    return ConsentPublic(
        consent_id=row.consent_id,
        firm=row.firm,
        bank=row.bank,
        scope=row.scope,
        expires_at=row.expires_at,
        granted_time=row.granted_time,
        revoked_time=row.revoked_time,
        replaced_by=row.replaced_by,
        active=status == "active",
        status=status,
    )


def readable_firms(session: Session, principal: Principal, scope: int) -> list[str] | None:
    """Whose records ``principal`` may list: None for the operator (everyone's), else itself
    and, while it is an active bank, the firms whose active consent covers ``scope``."""
    if principal.operator:
        return None
    firms = [principal.address]
    if is_active_bank(session, principal.address):
        firms += consenting_firms(session, principal.address, scope)
    return firms
