"""The one error base class of the service: every expected failure is a `LedgerError`.

An expected failure (bad input, a refused state change) carries a machine-readable `code`, a human
sentence and the HTTP status it maps to; it is rendered as ``{"error": {"code", "message"}}`` and is
not logged as a crash.
"""

from __future__ import annotations


class LedgerError(Exception):
    """An expected failure with a stable code, a sentence for humans and an HTTP status."""

    code: str = "ledger_error"
    status: int = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}
