"""What the evidence endpoints refuse."""

from __future__ import annotations

from backend.errors import LedgerError


class EvidenceNotFound(LedgerError, code="not_found", status=404):
    """No recorded trade, payment or event with this key."""

    kind: str
    key: str
    sentence = "no recorded {kind} {key}"
