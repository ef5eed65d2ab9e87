"""Answers held to the published schema by Schemathesis' own response-schema check."""

from __future__ import annotations

from functools import cache

import httpx
import schemathesis
from schemathesis.schemas import BaseSchema

from backend.app import openapi_document


@cache
def published() -> BaseSchema:
    return schemathesis.openapi.from_dict(openapi_document())


def assert_keeps_to_schema(answer: httpx.Response, method: str, path: str) -> None:
    """``answer`` to ``method path`` (the schema's path template) is a status, media type and
    body the schema publishes; raises Schemathesis' failures otherwise."""
    published()[path][method.upper()].validate_response(answer)
