"""What the credit-profile endpoints refuse."""

from __future__ import annotations

from backend.errors import LedgerError

# These two have no docstring on purpose: a docstring becomes the description of the error's
# model in the OpenAPI schema, and theirs has none.


# The evidence asked for is of a figure the credit record does not have.
class UnknownFigure(LedgerError, code="unknown_figure", status=404): ...


# An evidence page before the first row, or empty, or longer than the API serves.
class InvalidPage(LedgerError, code="invalid_page", status=400): ...
