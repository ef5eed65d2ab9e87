"""What several API worker processes share: rate limits through Redis (SCF_REDIS_URL), each
process's own limits otherwise; and the request metrics of the pure ASGI middleware."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.services import Services
from backend.settings import Settings

REDIS_URL = os.environ.get("SCF_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
#: A trade id nobody recorded: the route rate-limits the caller before it asks for a sign-in.
SOME_TRADE = "/trades/0x" + "ab" * 32


@pytest.fixture(scope="module")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answers at {REDIS_URL}: {error}")
    return REDIS_URL


def _two_instances(services: Services, **limits: object) -> Iterator[list[TestClient]]:
    """Two apps (as two worker processes would be) over the same database and ledger, each
    with its own Services and so its own limiter; one caller address (a fresh one per test)."""
    settings = Settings(
        rate_limit_per_second=0.05,
        rate_limit_burst=4,
        models_dir=services.settings.models_dir,
        **limits,  # type: ignore[arg-type]
    )
    caller = (f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7", 40_000)
    apps = [create_app(Services(settings, services.engine, services.ledger)) for _ in range(2)]
    with TestClient(apps[0], client=caller) as first, TestClient(apps[1], client=caller) as second:
        yield [first, second]


def _statuses(clients: list[TestClient], rounds: int) -> list[int]:
    """One request on each instance in turn, ``rounds`` times."""
    return [client.get(SOME_TRADE).status_code for _ in range(rounds) for client in clients]


def test_two_instances_share_one_limit_through_redis(services, redis_url):
    for clients in _two_instances(services, redis_url=redis_url):
        # A burst of 4 in all: two on each instance, then both refuse.
        assert _statuses(clients, 2) == [401, 401, 401, 401]
        refused = [client.get(SOME_TRADE) for client in clients]
        assert [answer.status_code for answer in refused] == [429, 429]
        assert refused[0].json()["error"]["code"] == "rate_limited"
        assert int(refused[1].headers["Retry-After"]) >= 1


def test_without_redis_each_instance_keeps_its_own_limit(services):
    for clients in _two_instances(services):
        assert _statuses(clients, 4) == [401] * 8  # 4 on each: the burst, twice over
        assert [client.get(SOME_TRADE).status_code for client in clients] == [429, 429]


def test_an_unreachable_redis_falls_back_to_the_instance_limit(services):
    for clients in _two_instances(services, redis_url="redis://127.0.0.1:1/0"):
        assert _statuses(clients, 4) == [401] * 8
        assert [client.get(SOME_TRADE).status_code for client in clients] == [429, 429]


def test_requests_are_counted_and_timed_by_route_and_status(client):
    before = _sample(client, 'scf_http_requests_total{method="GET",route="/ledger",status="200"}')
    for _ in range(3):
        assert client.get("/ledger").status_code == 200
    assert client.get("/firms/0x" + "00" * 20).status_code == 401  # not signed in
    text = client.get("/metrics").text
    after = _sample(client, 'scf_http_requests_total{method="GET",route="/ledger",status="200"}')
    assert after == before + 3
    assert 'route="/firms/{address}",status="401"' in text
    assert 'scf_http_request_seconds_count{route="/ledger"}' in text
    assert _sample(client, 'scf_http_request_seconds_count{route="/ledger"}') >= 3


def _sample(client: TestClient, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0
