"""Path parameters, token claims and oversized headers: each bad input is a 4xx with the JSON
error body, never a 500 or a plain-text answer."""

from __future__ import annotations

import socket
import time

import httpx
import jwt
import pytest

from backend.auth.service import TOKEN_ALGORITHM
from backend.enums import Role
from backend.sdk.signer import Signer
from backend.settings import DEVELOPMENT_AUTH_SECRET
from tests.api.conftest import sign_in
from tests.factories import create_firm

pytestmark = pytest.mark.chain


@pytest.mark.parametrize(
    "path",
    [
        "/evidence/event/%C2%B2",  # "²": str.isdigit() says yes, int() says no
        "/evidence/event/%D9%A3",  # an Arabic-Indic 3, which int() would take
        "/evidence/event/9223372036854775808",  # 2**63: overflows a SQL BIGINT
        "/evidence/event/-1",
        "/evidence/trade/0x12",
        "/evidence/payment/not-hex",
    ],
)
def test_malformed_evidence_ids_are_refused_with_the_json_error(ledger, client, path):
    headers = sign_in(client, create_firm(ledger, Role.BANK))
    answer = client.get(path, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_request"


def _token(**claims) -> str:
    now = int(time.time())
    base = {
        "sub": Signer.create().address,
        "roles": int(Role.BANK),
        "operator": False,
        "exp": now + 600,
        "iat": now,
    }
    base.update(claims)
    return jwt.encode(
        {k: v for k, v in base.items() if v is not _MISSING},
        DEVELOPMENT_AUTH_SECRET,
        algorithm=TOKEN_ALGORITHM,
    )


_MISSING = object()


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": _MISSING},
        {"roles": _MISSING},
        {"operator": _MISSING},
        {"roles": [4]},
        {"roles": "4"},
        {"roles": 1 << 40},
        {"operator": "yes"},
        {"sub": "not-an-address"},
        {"sub": "0x" + "ab" * 20},  # not checksummed: never what the service issues
    ],
    ids=lambda claims: ",".join(
        f"{k}={'missing' if v is _MISSING else v!r}" for k, v in claims.items()
    ),
)
def test_a_token_with_a_valid_hmac_but_malformed_claims_is_401(client, claims):
    answer = client.get(
        "/credit-decisions", headers={"Authorization": f"Bearer {_token(**claims)}"}
    )
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] == "invalid_token"


def _raw_request(url: str, head: bytes) -> bytes:
    """Send ``head`` on a fresh connection; what the server answers, up to its close."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("size", [20 * 1024, 64 * 1024, 512 * 1024])
def test_oversized_headers_get_the_json_error_body(live_server, size):
    answer = httpx.get(f"{live_server.url}/ledger", headers={"X-Padding": "a" * size}, timeout=60)
    assert answer.status_code == 431, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"]["code"] == "headers_too_large"
    assert live_server.answers()


def test_too_many_header_fields_get_the_json_error_body(live_server):
    fields = {f"X-Field-{index}": "v" for index in range(500)}
    answer = httpx.get(f"{live_server.url}/ledger", headers=fields, timeout=60)
    assert answer.status_code == 431, answer.text
    assert answer.json()["error"]["code"] == "headers_too_large"
    assert live_server.answers()


def test_a_request_that_is_not_http_gets_the_json_error_body(live_server):
    answer = _raw_request(live_server.url, b"GARBAGE\x00 / HTTP/1.1\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer
    assert b"content-type: application/json" in head.lower()
    assert httpx.Response(400, content=body).json()["error"]["code"] == "bad_request"
