"""The published models hold what the real computation produces, key for key.

``backend/credit/schemas.py`` ignores keys it does not name (an answer must not fail on one),
so a key added to a figure would be dropped from the API without a word. This check is the
test-time guard: a record validated into :class:`CreditProfile` and dumped again must give back
exactly its JSON, nothing dropped, nothing coerced. The tests call it on every record they
compute from a real (or simulated) ledger.
"""

from __future__ import annotations

from typing import Any

from backend.credit.record import CreditRecordView
from backend.credit.schemas import CreditProfile


def differences(raw: Any, published: Any, path: str = "") -> list[str]:
    """Where ``published`` differs from ``raw``: missing or extra keys, other values or types."""
    if isinstance(raw, dict) and isinstance(published, dict):
        found = [f"{path}.{key}: dropped" for key in raw.keys() - published.keys()]
        found += [f"{path}.{key}: added" for key in published.keys() - raw.keys()]
        for key in raw.keys() & published.keys():
            found += differences(raw[key], published[key], f"{path}.{key}")
        return found
    if isinstance(raw, list) and isinstance(published, list) and len(raw) == len(published):
        return [
            d
            for i, pair in enumerate(zip(raw, published, strict=True))
            for d in differences(*pair, f"{path}[{i}]")
        ]
    same_type = type(raw) is type(published) or {type(raw), type(published)} <= {int, float}
    return [] if raw == published and same_type else [f"{path}: {raw!r} became {published!r}"]


def assert_fits_models(record: CreditRecordView | dict[str, Any]) -> None:
    """``record`` (a view, or its JSON) is published by the models without a change."""
    raw = record.to_json() if isinstance(record, CreditRecordView) else record
    raw = {**raw, "evidence": {}}  # the API adds the links; their shape is not the record's
    published = CreditProfile.model_validate(raw).model_dump(mode="json", exclude_unset=True)
    found = differences(raw, published)
    assert not found, f"{raw['firm']}: the models of backend/credit/schemas.py lose {found}"
