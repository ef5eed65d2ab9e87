"""Every error an endpoint answers is one it documents: a hook on the API tests' client checks
each 4xx body's code against the codes the OpenAPI schema lists for that operation and status."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from starlette.routing import Match

from backend.errors import codes_of


class UndocumentedError(AssertionError):
    pass


def documented_codes(app: FastAPI, method: str, path: str, status: int) -> set[str] | None:
    """The codes the schema lists for the operation ``method path`` answers at ``status``; None
    when no operation matches (Starlette's own 404/405 for a path no route has)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    spec = app.openapi()
    for route in app.router.routes:
        if route.matches(scope)[0] != Match.FULL or not hasattr(route, "path_format"):
            continue
        operation = spec["paths"].get(route.path_format, {}).get(method.lower())
        if operation is None:  # a route left out of the schema (docs, openapi.json)
            return None
        response = operation["responses"].get(str(status), {})
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        return codes_of(schema, spec)
    return None


def check_response(app: FastAPI, response: httpx.Response) -> None:
    """Raise `UndocumentedError` when a 4xx answer's code is not among the operation's."""
    if not 400 <= response.status_code < 500:
        return
    response.read()
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return
    request = response.request
    codes = documented_codes(app, request.method, request.url.path, response.status_code)
    if codes is None:
        return
    if code not in codes:
        raise UndocumentedError(
            f"{request.method} {request.url.path} answered {response.status_code} {code!r}, "
            f"which its OpenAPI responses do not list (they list {sorted(codes)})"
        )


def install(client: Any, app: FastAPI) -> None:
    """Check every response of ``client`` (a TestClient) against ``app``'s schema."""
    client.event_hooks["response"] = [
        *client.event_hooks["response"],
        lambda response: check_response(app, response),
    ]
