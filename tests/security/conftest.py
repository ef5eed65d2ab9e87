"""The API's fixtures (app over real anvil and databases, relayer, indexer) for these tests."""

from tests.api.conftest import client, indexer, operator_headers, relayer, services  # noqa: F401
