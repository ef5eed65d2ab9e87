"""The one error base class of the service: every expected failure is a `LedgerError`.

An expected failure (bad input, a refused state change) carries a machine-readable `code`, a human
sentence and the HTTP status it maps to; it is rendered as ``{"error": {"code", "message"}}`` (by
:func:`error_body`, the one renderer) and is not logged as a crash.

Each domain declares its refusals as subclasses that keep what they refer to (the trade id, the
nonce expected ...), so callers and logs can use the fields rather than parse the sentence; an
endpoint lists the errors it can answer with ``responses=responses(TradeNotFound, ...)``, and the
OpenAPI schema then names, per status, the exact codes it may send (``schema()``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar, Literal, Union, dataclass_transform

from pydantic import BaseModel, Field, create_model

from backend.ratelimit import retry_after_header


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """The JSON body of every refusal, whoever raises it (an endpoint, a middleware, FastAPI)."""
    return {"error": {"code": code, "message": message}}


@dataclass_transform(eq_default=False)
class LedgerError(Exception):
    """An expected failure with a stable code, a sentence for humans and an HTTP status.

    A subclass declares its code and status as class keywords (one that names neither keeps its
    base's: a `Forbidden` refusal answers 403). One that keeps what it refers to declares those
    fields, annotated, and the ``sentence`` they fill in; it is then raised with the fields
    (``DeviceNotFound(device_id)``) rather than with a message::

        class DeviceNotFound(LedgerError, code="not_found", status=404):
            device_id: str
            sentence = "no registered device {device_id}"
    """

    code: ClassVar[str] = "ledger_error"
    status: ClassVar[int] = 400
    #: With fields: the message, ``str.format``-ed with them.
    sentence: ClassVar[str | None] = None

    def __init_subclass__(
        cls, *, code: str | None = None, status: int | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if status is not None:
            cls.status = status
        fields = [
            name
            for name, annotation in cls.__dict__.get("__annotations__", {}).items()
            if "ClassVar" not in str(annotation)
        ]
        if fields and "__init__" not in cls.__dict__:
            cls.__init__ = _keeping(cls, fields)  # type: ignore[method-assign]

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        # An instance may still name its own code or status (the workers' errors do); documented
        # endpoint errors never do: their class is their code.
        if code is not None:
            self.code = code  # type: ignore[misc]
        if status is not None:
            self.status = status  # type: ignore[misc]

    def to_dict(self) -> dict[str, dict[str, str]]:
        return error_body(self.code, self.message)

    @classmethod
    def schema(cls) -> type[BaseModel]:
        """The body of this error as a model: ``{"error": {"code": <this code>, "message"}}``."""
        if cls not in _SCHEMAS:
            _SCHEMAS[cls] = _schema(cls)
        return _SCHEMAS[cls]


_SCHEMAS: dict[type[LedgerError], type[BaseModel]] = {}


def _keeping(error: type[LedgerError], fields: list[str]) -> Callable[..., None]:
    """The ``__init__`` of an error declaring ``fields``: it keeps them and says its sentence."""
    if error.sentence is None:
        raise TypeError(f"{error.__name__} declares fields but no sentence")
    sentence = error.sentence
    signature = inspect.Signature(
        [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=error.__dict__.get(name, inspect.Parameter.empty),
            )
            for name in fields
        ]
    )

    def __init__(self: LedgerError, *args: Any, **kwargs: Any) -> None:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        vars(self).update(bound.arguments)
        LedgerError.__init__(self, sentence.format(**bound.arguments))

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{error.__qualname__}.__init__"
    return __init__


def _schema(error: type[LedgerError]) -> type[BaseModel]:
    code: Any = Literal[error.code]  # type: ignore[valid-type]
    detail = create_model(
        f"{error.__name__}Detail",
        code=(code, Field(description="machine-readable, stable")),
        message=(str, Field(description="one sentence for people")),
    )
    return create_model(error.__name__, __doc__=_first_line(error.__doc__), error=(detail, ...))


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n\n")[0].replace("\n", " ")


def responses(*errors: type[LedgerError]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of an endpoint: for each status, the errors it may answer with (one model,
    or the union of their models), and a description naming their codes. The errors any request
    may meet before the endpoint runs (`REQUEST_ERRORS`) are always included."""
    by_status: dict[int, list[type[LedgerError]]] = {}
    for error in dict.fromkeys((*errors, *REQUEST_ERRORS)):
        by_status.setdefault(error.status, []).append(error)
    documented: dict[int | str, dict[str, Any]] = {}
    for status, group in sorted(by_status.items()):
        models = tuple(error.schema() for error in group)
        model: Any = models[0] if len(models) == 1 else Union[models]  # noqa: UP007
        codes = ", ".join(sorted({f"`{error.code}`" for error in group}))
        documented[status] = {"model": model, "description": codes}
    return documented


def codes_of(error_schema: dict[str, Any], spec: dict[str, Any]) -> set[str]:
    """The codes an OpenAPI error response schema allows (the ``const`` of each branch's
    ``error.code``); empty when the schema does not constrain them."""
    codes: set[str] = set()
    schema = _resolve(error_schema, spec)
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        codes |= codes_of(branch, spec)
    detail = _resolve(schema.get("properties", {}).get("error", {}), spec)
    code = detail.get("properties", {}).get("code", {})
    if "const" in code:
        codes.add(code["const"])
    codes.update(code.get("enum", []))
    return codes


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


class FutureTime(LedgerError, code="future_time", status=422):
    """A business time (issued, paid) ahead of the chain's clock by more than the skew allowed."""

    def __init__(self, field: str, value: int, advice: str | None = None) -> None:
        super().__init__(f"{field} is in the future" + (f"; {advice}" if advice else ""))
        self.field = field
        self.value = value


# ─────────────────────────────────────────────────────────────── before any endpoint runs


class InvalidRequest(LedgerError, code="invalid_request", status=422):
    """The request does not match the endpoint's schema (pydantic's validation)."""


class JsonTooDeep(LedgerError, code="json_too_deep", status=400):
    """The JSON body nests deeper than the API reads."""


class BodyTooLarge(LedgerError, code="body_too_large", status=413):
    """The request body is larger than the API reads."""


class RateLimited(LedgerError, code="rate_limited", status=429):
    """Too many requests from this caller; ``Retry-After`` says when to try again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests; retry after {retry_after_header(retry_after)} s")
        self.retry_after = retry_after


#: What any request may be answered before its endpoint runs.
REQUEST_ERRORS: tuple[type[LedgerError], ...] = (
    InvalidRequest,
    JsonTooDeep,
    BodyTooLarge,
    RateLimited,
)
