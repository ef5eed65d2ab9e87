"""API fixtures: the app over a real anvil and a real database, a relayer and an indexer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account.messages import encode_defunct
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc
from backend.relayer.relayer import Relayer
from backend.sdk.signer import Signer
from backend.services import Services
from backend.settings import DEVELOPMENT_OPERATOR_KEY, Settings
from tests import error_schema


@pytest.fixture
def services(ledger, w3, artifacts, engine, models_dir) -> Services:
    settings = Settings(rate_limit_per_second=1_000, rate_limit_burst=10_000, models_dir=models_dir)
    return Services(settings, engine, ledger)


@pytest.fixture
def client(services) -> Iterator[TestClient]:
    app = create_app(services)
    with TestClient(app) as test_client:
        error_schema.install(test_client, app)
        yield test_client


@pytest.fixture
def relayer(services, anvil) -> Relayer:
    return Relayer(services.engine, services.ledger, JsonRpc(anvil.url), batch_size=50)


@pytest.fixture
def indexer(services, anvil) -> Indexer:
    return Indexer(services.engine, JsonRpc(anvil.url), services.deployment, services.artifacts)


def sign_in(client: TestClient, signer: Signer) -> dict[str, str]:
    """Bearer headers for ``signer``, through the real challenge and token endpoints."""
    challenge = client.post("/auth/challenge", json={"address": signer.address})
    assert challenge.status_code == 201, challenge.text
    message = challenge.json()["message"]
    signature = signer.account.sign_message(encode_defunct(text=message)).signature
    token = client.post(
        "/auth/token", json={"message": message, "signature": "0x" + bytes(signature).hex()}
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.fixture
def operator_headers(client) -> dict[str, str]:
    return sign_in(client, Signer.from_key(DEVELOPMENT_OPERATOR_KEY))
