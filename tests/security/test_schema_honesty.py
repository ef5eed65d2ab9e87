"""The published schema tells the truth: every hex field carries its real pattern and lengths
(they used to be left out, so an empty string passed the schema and got 422), an example made
from the schema passes validation, and a 405 names every method of the path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from backend.app import create_app
from backend.enums import Role
from backend.schemas import MAX_SCHEMA_INT
from tests.api.conftest import sign_in
from tests.factories import create_firm

pytestmark = pytest.mark.chain
EXAMPLES_PER_OPERATION = 15
# The string fields the API validates as 0x-hex: addresses, hashes and ids, signatures.
HEX_FIELD = re.compile(
    r"^(address|firm|bank|seller|buyer|obligor|creditor|holder|to|ref|pay_ref|reason|"
    r"signature|.*_signature|.*_hash|.*_id|.*_ids)$"
)


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _string_leaves(
    schema: dict[str, Any], spec: dict[str, Any], name: str, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field name, string schema) of every string a request body may hold."""
    ref = schema.get("$ref")
    if ref in seen:
        return
    schema = _resolve(schema, spec)
    seen = seen | {ref} if ref else seen
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _string_leaves(branch, spec, name, seen)
    if schema.get("type") == "string":
        yield name, schema
    if "items" in schema:
        yield from _string_leaves(schema["items"], spec, name, seen)
    for child, child_schema in schema.get("properties", {}).items():
        yield from _string_leaves(child_schema, spec, child, seen)


def _request_bodies(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield f"{method.upper()} {path}", content["application/json"]["schema"]


def test_every_hex_field_of_every_request_body_publishes_its_pattern(services):
    spec = create_app(services).openapi()
    checked = []
    for operation, body in _request_bodies(spec):
        for name, schema in _string_leaves(body, spec, "body"):
            if not HEX_FIELD.match(name):
                continue
            checked.append((operation, name))
            assert schema.get("pattern", "").startswith("^0x"), (operation, name, schema)
            assert schema.get("minLength", 0) >= 4, (operation, name, schema)
            assert "maxLength" in schema, (operation, name, schema)
            assert not re.fullmatch(schema["pattern"], ""), (operation, name)
    assert len({operation for operation, _ in checked}) >= 10, checked


def test_amounts_publish_their_bounds(services):
    spec = create_app(services).openapi()
    amount = spec["components"]["schemas"]["DecisionCreate"]["properties"]["amount"]
    integer, digits = amount["anyOf"]
    assert integer["minimum"] == 1 and integer["maximum"] == MAX_SCHEMA_INT  # exact as a float
    assert digits["pattern"] == "^[1-9][0-9]{0,17}$" and digits["maxLength"] == 18


def test_examples_made_from_the_schema_pass_validation(ledger, client, services):
    """Schema-valid bodies (and path parameters) reach the service: whatever the API answers,
    it is not a validation error (422 invalid_request)."""
    headers = sign_in(client, create_firm(ledger, Role.BANK))
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(services))
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if "application/json" in str(result.ok().definition.raw.get("requestBody", {}))
    ]
    assert len(operations) >= 10
    for operation in operations:
        _check_examples(operation, headers)


def _check_examples(operation, headers) -> None:
    label = operation.label

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def accepted_by_validation(case):
        answer = case.call(headers=headers)
        refused = answer.status_code == 422 and answer.json()["error"]["code"] == (
            "invalid_request"
        )
        assert not refused, (label, case.path_parameters, case.body, answer.text)
        assert answer.status_code < 500, (label, case.body, answer.text)

    accepted_by_validation()


def test_a_405_names_every_method_of_the_path(client):
    for method, path, allowed in (
        ("OPTIONS", "/credit-decisions", {"GET", "HEAD", "POST"}),
        ("DELETE", "/credit-decisions", {"GET", "HEAD", "POST"}),
        ("PUT", "/credit-decisions/0x" + "00" * 32, {"GET", "HEAD"}),
        ("GET", "/auth/token", {"POST"}),
        ("GET", "/trades/batch", {"POST"}),  # not GET /trades/{trade_id} with the id "batch"
        ("OPTIONS", "/trades/batch", {"POST"}),
    ):
        answer = client.request(method, path)
        assert answer.status_code == 405, (method, path)
        assert set(answer.headers["allow"].split(", ")) == allowed, (method, path)
        assert answer.json()["error"]["code"] == "method_not_allowed"
