"""What the credit-profile endpoints refuse."""

from __future__ import annotations

from backend.errors import LedgerError


class UnknownFigure(LedgerError, code="unknown_figure", status=404):
    """The evidence asked for is of a figure the credit record does not have."""


class InvalidPage(LedgerError, code="invalid_page", status=400):
    """An evidence page before the first row, or empty, or longer than the API serves."""
