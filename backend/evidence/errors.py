"""What the evidence endpoints refuse."""

from __future__ import annotations

from backend.errors import LedgerError


class EvidenceNotFound(LedgerError):
    """No recorded trade, payment or event with this key."""

    code = "not_found"
    status = 404

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"no recorded {kind} {key}")
        self.kind = kind
        self.key = key
