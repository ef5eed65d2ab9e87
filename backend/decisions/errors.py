"""What the credit-decision endpoints refuse (besides the snapshot's own refusals)."""

from __future__ import annotations

from backend.errors import LedgerError


class DecisionNotFound(LedgerError):
    """No credit decision with this id."""

    code = "not_found"
    status = 404

    def __init__(self, decision_id: str) -> None:
        super().__init__(f"no credit decision {decision_id}")
        self.decision_id = decision_id
