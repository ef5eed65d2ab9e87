"""The feature snapshot of a credit decision: everything :func:`~backend.decisions.policy.decide`
reads, taken from the indexed chain, and its hash.

A snapshot holds the request, the firm's standing in the registry and its credit record (figures,
as of the last indexed block),
the confirmed receivables the firm holds then (all of them, or those the bank named) and the
credit records of their obligors, and the policy parameters. It is stored with the decision, so
the decision can be re-scored later without the database as it was; the evidence behind each
figure stays available from the credit-profile endpoints at the snapshot's ``as_of``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, select

from backend.credit import exposure, queries
from backend.credit.cache import get_record
from backend.credit.queries import ReceivableState
from backend.db import table_of
from backend.decisions.errors import CurrencyMismatch, FirmNotRegistered, ReceivableNotEligible
from backend.decisions.policy import DecisionPolicy
from backend.firms.models import Firm
from backend.receivables.models import Receivable
from backend.sdk.hashing import keccak256
from backend.trades.models import Trade

SNAPSHOT_VERSION = 1
FIRMS: Table = table_of(Firm)
RECEIVABLES: Table = table_of(Receivable)
TRADES: Table = table_of(Trade)
FIRM_STATUS = {1: "active", 2: "suspended"}  # FirmRegistry.FirmStatus


@dataclass(frozen=True)
class DecisionRequest:
    firm: str
    bank: str
    amount: int
    tenor_days: int
    receivable_ids: tuple[str, ...] | None = None
    currency: int = 156  # ISO 4217 numeric: the amount's, and the receivables lent against

    def to_json(self) -> dict[str, Any]:
        ids = None if self.receivable_ids is None else sorted(self.receivable_ids)
        return {
            "firm": self.firm,
            "bank": self.bank,
            "amount": self.amount,
            "currency": self.currency,
            "tenor_days": self.tenor_days,
            "receivable_ids": ids,
        }


def canonical_json(data: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, floats as Python prints them."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def content_hash(data: Any) -> str:
    return "0x" + keccak256(canonical_json(data)).hex()


def take_snapshot(
    engine: Engine, request: DecisionRequest, policy: DecisionPolicy
) -> dict[str, Any]:
    """The snapshot for ``request`` from the indexed chain, as of the last indexed block."""
    record = get_record(engine, request.firm)
    if not record.available:
        raise FirmNotRegistered(record.reason or f"{request.firm} is not registered")
    with engine.connect() as connection:
        held = exposure.held_confirmed(
            queries.receivables_held(connection, request.firm, record.as_of), request.firm
        )
        status = connection.execute(
            select(FIRMS.c.status).where(FIRMS.c.address == request.firm)
        ).scalar_one()
        currencies = _currencies(connection, [state.receivable_id for state in held])
    chosen = _chosen(held, request.receivable_ids, currencies, request.currency)
    obligors = sorted({state.obligor for state in chosen})
    return {
        "version": SNAPSHOT_VERSION,
        "request": request.to_json(),
        "as_of": record.as_of,
        "standing": FIRM_STATUS.get(int(status), "unknown"),
        "record": record.to_json(include_evidence=False),
        "receivables": [
            {"receivable_id": s.receivable_id, "obligor": s.obligor, "amount": s.amount}
            for s in sorted(chosen, key=lambda s: s.receivable_id)
        ],
        "obligors": {
            obligor: get_record(engine, obligor).to_json(include_evidence=False)
            for obligor in obligors
        },
        "policy": policy.to_dict(),
    }


def _currencies(connection: Any, receivable_ids: list[str]) -> dict[str, int]:
    """Each receivable's currency: its invoice's (a root receivable's id is the trade id)."""
    if not receivable_ids:
        return {}
    rows = connection.execute(
        select(RECEIVABLES.c.receivable_id, TRADES.c.currency)
        .join(TRADES, TRADES.c.trade_id == RECEIVABLES.c.root_id)
        .where(RECEIVABLES.c.receivable_id.in_(receivable_ids))
    )
    return {receivable_id: int(currency) for receivable_id, currency in rows}


def _chosen(
    held: Sequence[ReceivableState],
    named: Sequence[str] | None,
    currencies: dict[str, int],
    currency: int,
) -> list[ReceivableState]:
    """The held receivables in the decision's currency (never lent against in another), or
    the named ones, each of which must be held, confirmed and in that currency."""
    if named is None:
        return [state for state in held if currencies.get(state.receivable_id) == currency]
    by_id = {state.receivable_id: state for state in held}
    missing = [receivable_id for receivable_id in named if receivable_id not in by_id]
    if missing:
        raise ReceivableNotEligible(
            f"not a confirmed receivable the firm holds as of the last indexed block: "
            f"{', '.join(missing)}"
        )
    foreign = [
        receivable_id for receivable_id in named if currencies.get(receivable_id) != currency
    ]
    if foreign:
        raise CurrencyMismatch(
            f"not in the decision's currency ({currency}): {', '.join(foreign)}; amounts of "
            "different currencies are never added"
        )
    return [by_id[receivable_id] for receivable_id in named]


# ─────────────────────────────────────────────────────────────── what a reader sees

#: The figures (and fields) of an obligor's record a decision reads: the scorecard's inputs for
#: its grade and the thin-file counts (see ``policy.obligor_grade``). A reader who may not see
#: the obligor's credit profile sees only these, with the grade the decision gave.
OBLIGOR_INPUTS: dict[str, tuple[str, ...]] = {
    "tenure": ("days",),
    "sales_365d": ("amount",),
    "sales_growth": ("rate",),
    "sales_volatility": ("cv",),
    "buyer_concentration": ("hhi", "buyers"),
    "core_buyer_share": ("share",),
    "disputes": ("rate",),
    "paydex_as_payer": ("index", "experiences", "counterparties"),
    "paydex_as_payee": ("index", "experiences", "counterparties"),
    "repayment_record": ("on_time", "late"),
    "young_counterparties": ("share",),
    "network_rank": ("value",),
}


def obligor_inputs(record: dict[str, Any]) -> dict[str, Any]:
    """Of an obligor's record, only the figures the decision read."""
    figures = record.get("figures", {})
    return {
        name: {field: figures[name][field] for field in fields if field in figures[name]}
        for name, fields in OBLIGOR_INPUTS.items()
        if name in figures
    }


def snapshot_view(
    snapshot: dict[str, Any],
    graded: dict[str, dict[str, Any]],
    may_read: Callable[[str], bool],
) -> dict[str, Any]:
    """The stored snapshot as a reader may see it: each obligor's whole record where
    ``may_read(obligor)``, else its grade (from ``graded``, the decision's result) and the
    figures the decision read. The stored snapshot (and its hash) stays whole."""
    view = dict(snapshot)
    obligors: dict[str, Any] = {}
    for obligor, record in snapshot.get("obligors", {}).items():
        if may_read(obligor):
            obligors[obligor] = record
            continue
        grade = graded.get(obligor, {})
        obligors[obligor] = {
            "firm": obligor,
            "as_of": record.get("as_of"),
            "restricted": True,
            "reason": "the reader has no consent to this firm's credit profile: only the "
            "figures the decision read, and its grade",
            "grade": grade.get("grade"),
            "rated": grade.get("rated"),
            "figures": obligor_inputs(record),
        }
    view["obligors"] = obligors
    return view
