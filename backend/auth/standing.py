"""A reader's current standing: reads that rest on a bank's consent need a bank that is active
and still holds the BANK role now, not when its token was issued.

Standing comes from the indexed firm table (what the registry's events say as of the last
indexed block), the same view the API checks writes against; a consent a bank reads under is
itself indexed from the chain after the bank's registration, so the bank's row is there.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from backend.auth.errors import Forbidden
from backend.enums import FirmStatus, Role
from backend.firms.models import Firm

logger = logging.getLogger(__name__)


class ReaderNotActive(Forbidden, code="firm_not_active"):
    """The reading bank is not an active registered firm."""


class ReaderNotABank(Forbidden, code="not_a_bank"):
    """The reader is an active firm but not a bank (role BANK)."""


def bank_standing_refusal(session: Session, address: str) -> Forbidden | None:
    """Why ``address`` may not read as a bank now (suspended, unknown, no BANK role), or None."""
    row = session.get(Firm, address)
    if row is None or row.status != FirmStatus.ACTIVE:
        return ReaderNotActive(f"{address} is not an active registered firm")
    if not Role(row.roles) & Role.BANK:
        return ReaderNotABank(f"{address} does not hold the bank role")
    return None


def is_active_bank(session: Session, address: str) -> bool:
    return bank_standing_refusal(session, address) is None


def require_active_bank(session: Session, address: str) -> None:
    """403 ``firm_not_active`` or ``not_a_bank`` unless ``address`` is an active bank now."""
    refusal = bank_standing_refusal(session, address)
    if refusal is not None:
        logger.info("auth.reader_refused address=%s code=%s", address, refusal.code)
        raise refusal
