"""Fixtures shared by the contract tests."""

import pytest

from backend.enums import Role
from tests.factories import create_firm


@pytest.fixture
def parties(ledger):
    """A supplier and a core enterprise, registered."""
    return create_firm(ledger, Role.SUPPLIER), create_firm(ledger, Role.CORE)
