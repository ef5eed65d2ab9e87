"""The API fixtures (app, relayer, indexer on a real anvil and database), as in tests/api."""

from tests.api.conftest import client, indexer, operator_headers, relayer, services  # noqa: F401
