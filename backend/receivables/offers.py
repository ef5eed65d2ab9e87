"""Financing offers: the bank signs its half of a ``Finance`` first, the holder accepts later.

An offer passes every check a financing passes (``receivables.service.check_finance_terms``)
plus the holder's active consent to the bank, and the bank's signature; accepting it builds the
``ReceivableFinance`` from the stored terms and the holder's signature and goes through
``receivables.service.finance`` (the same checks again, then the outbox and the relayer).

What an offer's status is beyond what the API decided (accepted, withdrawn, lapsed by another
acceptance) is computed on read from the index and the outbox: the receivable moved on (another
holder, not confirmed, financed), the holder spent the offer's nonce on another move, or the
deadline passed. A nonce spent on chain without the API is not seen; accepting such an offer is
then refused by the nonce check.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from backend.auth.checks import SubmissionChecks, signed_nonce
from backend.auth.errors import NoConsent
from backend.auth.readers import bank_may_read
from backend.auth.service import Principal
from backend.auth.standing import require_active_bank
from backend.db import from_row
from backend.enums import ConsentScope, OutboxStatus, ReceivableStatus
from backend.paging import Page, Paging, fetch_page
from backend.receivables import service as receivables
from backend.receivables.errors import (
    NotTheOfferee,
    NotTheOfferingBank,
    OfferExists,
    OfferExpired,
    OfferNotFound,
    OfferNotOpen,
)
from backend.receivables.models import FinancingOffer, Receivable
from backend.receivables.schemas import (
    FinanceTerms,
    OfferAccept,
    OfferCreate,
    OfferPublic,
    OfferStatus,
    ReceivableFinance,
)
from backend.relayer.models import OutboxItem
from backend.schemas import SubmissionAccepted
from backend.services import Services

#: The states the API writes; ``expired`` (and most ``lapsed``) are computed on read.
OPEN, ACCEPTED, LAPSED, WITHDRAWN = "open", "accepted", "lapsed", "withdrawn"


def make_offer(
    session: Session, services: Services, principal: Principal, body: OfferCreate
) -> OfferPublic:
    """A bank's signed terms for a receivable held by a firm that consents to it."""
    bank = principal.address
    require_active_bank(session, bank)
    row = receivables.receivable(session, body.receivable_id)
    if not bank_may_read(session, bank, row.holder, ConsentScope.CREDIT_PROFILE):
        raise NoConsent("a bank offers financing to a holder whose active consent it has")
    terms = FinanceTerms(
        bank=bank,
        advance=body.advance,
        rate_bps=body.rate_bps,
        deadline=body.deadline,
        nonce=body.nonce,
    )
    checks = SubmissionChecks(session, services, principal)
    receivables.check_finance_terms(checks, row, terms)
    digest = receivables.finance_digest(services, row.receivable_id, terms)
    checks.require_signature(bank, digest, body.bank_signature, "bank")
    offer_id = "0x" + digest.hex()
    if session.get(FinancingOffer, offer_id) is not None:
        raise OfferExists(offer_id)
    offer = FinancingOffer(
        offer_id=offer_id,
        receivable_id=row.receivable_id,
        holder=row.holder,
        currency=receivables.currency_of(session, row),
        state=OPEN,
        created_at=int(time.time()),
        **terms.model_dump(),
        bank_signature=body.bank_signature,
    )
    session.add(offer)
    session.flush()
    return _public(offer, OPEN)


def accept(
    session: Session, services: Services, principal: Principal, offer_id: str, body: OfferAccept
) -> SubmissionAccepted:
    """The holder's signature completes the financing; other open offers on it lapse."""
    offer = _visible(session, principal, offer_id)
    if principal.address != offer.holder:
        raise NotTheOfferee()
    _require_open(session, offer)
    financing = ReceivableFinance(
        bank=offer.bank,
        advance=offer.advance,
        rate_bps=offer.rate_bps,
        deadline=offer.deadline,
        nonce=offer.nonce,
        holder_signature=body.holder_signature,
        bank_signature=offer.bank_signature,
    )
    answer = receivables.finance(session, services, principal, offer.receivable_id, financing)
    offer.state, offer.submission_id = ACCEPTED, answer.id
    session.add(offer)
    session.execute(
        update(FinancingOffer)
        .where(
            col(FinancingOffer.receivable_id) == offer.receivable_id,
            col(FinancingOffer.state) == OPEN,
            col(FinancingOffer.offer_id) != offer.offer_id,
        )
        .values(state=LAPSED)
    )
    return answer


def withdraw(session: Session, principal: Principal, offer_id: str) -> OfferPublic:
    offer = _visible(session, principal, offer_id)
    if principal.address != offer.bank:
        raise NotTheOfferingBank()
    _require_open(session, offer)
    offer.state = WITHDRAWN
    session.add(offer)
    return _public(offer, WITHDRAWN)


def read(session: Session, principal: Principal, offer_id: str) -> OfferPublic:
    offer = _visible(session, principal, offer_id)
    return _public(offer, statuses(session, [offer])[offer.offer_id])


def list_offers(
    session: Session,
    principal: Principal,
    paging: Paging,
    receivable_id: str | None,
    status: OfferStatus | None,
) -> Page[OfferPublic]:
    """Offers made to the caller (as holder), made by it (a bank), or all (operator), newest
    first. A status filter is applied after each offer's status is computed."""
    query: Any = select(FinancingOffer)
    if not principal.operator:
        me = principal.address
        query = query.where(or_(col(FinancingOffer.holder) == me, col(FinancingOffer.bank) == me))
    if receivable_id is not None:
        query = query.where(col(FinancingOffer.receivable_id) == receivable_id)
    order = (col(FinancingOffer.created_at).desc(), col(FinancingOffer.offer_id))
    if status is None:
        rows, count = fetch_page(session, query, paging, *order)
        computed = statuses(session, rows)
        return Page(data=[_public(row, computed[row.offer_id]) for row in rows], count=count)
    # What time and the index decide is not in the table: narrow by the stored state, then
    # compute and filter every candidate.
    stored = [status] if status in (ACCEPTED, WITHDRAWN) else [OPEN, LAPSED]
    candidates = list(
        session.exec(query.where(col(FinancingOffer.state).in_(stored)).order_by(*order))
    )
    computed = statuses(session, candidates)
    matching = [row for row in candidates if computed[row.offer_id] == status]
    page = matching[paging.offset : paging.offset + paging.limit]
    return Page(data=[_public(row, status) for row in page], count=len(matching))


# ─────────────────────────────────────────────────────────────── status


def statuses(session: Session, offers: list[FinancingOffer]) -> dict[str, OfferStatus]:
    """Each offer's status now, from its stored state, its receivable and the holder's nonces."""
    now = int(time.time())
    ids = {offer.receivable_id for offer in offers}
    rows = {
        row.receivable_id: row
        for row in session.exec(select(Receivable).where(col(Receivable.receivable_id).in_(ids)))
    }
    spent = _highest_spent_nonces(session, {offer.holder for offer in offers})
    result: dict[str, OfferStatus] = {}
    for offer in offers:
        result[offer.offer_id] = _status(offer, rows.get(offer.receivable_id), spent, now)
    return result


def _status(
    offer: FinancingOffer, row: Receivable | None, spent: dict[str, int], now: int
) -> OfferStatus:
    if offer.state in (ACCEPTED, WITHDRAWN, LAPSED):
        return offer.state  # type: ignore[return-value]
    moved = (
        row is None
        or row.holder != offer.holder
        or row.status != ReceivableStatus.CONFIRMED
        or row.financed
    )
    if moved or spent.get(offer.holder, -1) >= offer.nonce:
        return "lapsed"
    return "expired" if offer.deadline <= now else "open"


def _highest_spent_nonces(session: Session, holders: Iterable[str]) -> dict[str, int]:
    """The highest receivable-ledger nonce each holder spent through the API (queued, on chain
    or recorded; a failed submission spent nothing)."""
    items = session.exec(
        select(OutboxItem).where(
            col(OutboxItem.nonce_signer).in_(list(holders)),
            col(OutboxItem.kind).in_(list(receivables.NONCED_KINDS)),
            OutboxItem.status != OutboxStatus.FAILED,
        )
    )
    highest: dict[str, int] = {}
    for item in items:
        nonce = signed_nonce(item.payload)
        if item.nonce_signer is not None and nonce is not None:
            highest[item.nonce_signer] = max(highest.get(item.nonce_signer, -1), nonce)
    return highest


def _require_open(session: Session, offer: FinancingOffer) -> None:
    status = statuses(session, [offer])[offer.offer_id]
    if status == "expired":
        raise OfferExpired(offer.offer_id)
    if status != OPEN:
        raise OfferNotOpen(offer.offer_id, status)


def _visible(session: Session, principal: Principal, offer_id: str) -> FinancingOffer:
    """The offer, to its bank, the holder it was made to and the operator; else 404."""
    offer = session.get(FinancingOffer, offer_id)
    if offer is None or not (principal.operator or principal.address in (offer.holder, offer.bank)):
        raise OfferNotFound(offer_id)
    return offer


def _public(offer: FinancingOffer, status: OfferStatus | str) -> OfferPublic:
    return from_row(OfferPublic, offer, status=status)
