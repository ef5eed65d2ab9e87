"""Each endpoint documents the errors it can answer, with models: per status, the OpenAPI schema
names the exact codes (the API tests' client then checks every 4xx it sees against them, see
``tests/error_schema.py``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from backend.app import _routers
from backend.errors import LedgerError, codes_of, error_body, responses
from tests.error_schema import UndocumentedError, check_response


class Shelved(LedgerError):
    """A sample refusal."""

    code = "shelved"
    status = 409


class Missing(LedgerError):
    code = "missing"
    status = 404


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/things/{thing}", responses=responses(Shelved, Missing))
    def read_thing(thing: str) -> dict[str, str]:
        return {"thing": thing}

    return app


def _answer(method: str, path: str, status: int, code: str) -> httpx.Response:
    request = httpx.Request(method, f"http://test{path}")
    return httpx.Response(status, json=error_body(code, "sample"), request=request)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    # The schema of every router the app mounts (their routes alone: no service is called).
    app = FastAPI()
    for router in _routers():
        app.include_router(router)
    return app.openapi()


def operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_error_response_of_every_operation_names_its_codes(spec: dict[str, Any]) -> None:
    unnamed = [
        f"{name} {status}"
        for name, operation in operations(spec)
        for status, response in operation["responses"].items()
        if status.startswith("4")
        and not codes_of(response["content"]["application/json"]["schema"], spec)
    ]
    assert unnamed == []


def test_every_operation_documents_the_errors_any_request_may_meet(spec: dict[str, Any]) -> None:
    for name, operation in operations(spec):
        documented = {
            code
            for status, response in operation["responses"].items()
            if status.startswith("4")
            for code in codes_of(response["content"]["application/json"]["schema"], spec)
        }
        assert {
            "invalid_request",
            "json_too_deep",
            "body_too_large",
            "rate_limited",
        } <= documented, name


def test_a_signed_in_operation_documents_the_sign_in_errors(spec: dict[str, Any]) -> None:
    read_trade = spec["paths"]["/trades/{trade_id}"]["get"]["responses"]
    assert codes_of(read_trade["401"]["content"]["application/json"]["schema"], spec) == {
        "not_authenticated",
        "invalid_token",
        "token_expired",
    }
    assert codes_of(read_trade["404"]["content"]["application/json"]["schema"], spec) == {
        "not_found"
    }


def test_codes_of_one_status_are_the_union_of_its_errors() -> None:
    app = _app()
    spec = app.openapi()
    answers = spec["paths"]["/things/{thing}"]["get"]["responses"]
    assert codes_of(answers["409"]["content"]["application/json"]["schema"], spec) == {"shelved"}
    assert codes_of(answers["404"]["content"]["application/json"]["schema"], spec) == {"missing"}
    assert answers["409"]["description"] == "`shelved`"


def test_an_undocumented_error_is_caught() -> None:
    app = _app()
    check_response(app, _answer("GET", "/things/a", 409, "shelved"))
    with pytest.raises(UndocumentedError, match="'stolen'"):
        check_response(app, _answer("GET", "/things/a", 409, "stolen"))
    with pytest.raises(UndocumentedError):
        check_response(app, _answer("GET", "/things/a", 403, "forbidden"))


def test_answers_no_route_gives_are_not_checked() -> None:
    app = _app()
    check_response(app, _answer("GET", "/nowhere", 404, "not_found"))
    check_response(app, _answer("POST", "/things/a", 405, "method_not_allowed"))
    check_response(app, _answer("GET", "/things/a", 200, "ignored"))
