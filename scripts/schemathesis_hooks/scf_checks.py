"""A Schemathesis check that scripts/schemathesis.py loads (``SCHEMATHESIS_HOOKS=scf_checks``).

Schemathesis' own ``positive_data_acceptance`` counts every 4xx but a few to a schema-valid request
as a failure. This API answers 422 for business rules that no JSON Schema can state (seller and
buyer the same firm, a unified social credit code whose check digit is wrong, an empty document):
those are the API working. What must never happen is *request validation* (code
``invalid_request``, or a malformed-body 400) refusing what the published schema allows, which
means the schema lied. This check fails exactly then; the built-in one is excluded in its favour.
"""

from __future__ import annotations

import json

import schemathesis
from schemathesis import CheckContext
from schemathesis.core.failures import Failure

VALIDATION_CODES = {"invalid_request", "invalid_json", "json_too_deep"}


class SchemaValidRequestRefusedByValidation(Failure):
    kind_title = "Schema-valid request refused by request validation"


@schemathesis.check
def schema_valid_requests_pass_validation(ctx: CheckContext, response, case) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 422):
        return None
    try:
        code = json.loads(response.content)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    if code in VALIDATION_CODES or code is None:
        raise SchemaValidRequestRefusedByValidation(
            operation=case.operation.label,
            message=f"{response.status_code} {code}: {response.content[:300]!r}",
        )
    return None
