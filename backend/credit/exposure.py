"""Figures from receivables and their financing: what the firm holds, owes, borrowed, repaid and
defaulted on.

A receivable's state at ``as_of`` is its last transition by then (``receivable_transition``), not
the ``receivable`` row, which shows today's state. Split parents are neither held nor owed any
more (their children are), so nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from backend.credit import queries
from backend.credit.figure import Figure
from backend.credit.queries import FinancingRow, ReceivableState
from backend.enums import ReceivableStatus


def held_confirmed(states: list[ReceivableState], firm: str) -> list[ReceivableState]:
    """Receivables CONFIRMED at ``as_of`` and held by the firm then: its collectable assets."""
    return [s for s in states if s.status == ReceivableStatus.CONFIRMED and s.holder == firm]


def held(states: list[ReceivableState], firm: str) -> Figure:
    return _count_and_amount(held_confirmed(states, firm))


def owed(states: list[ReceivableState]) -> Figure:
    """Receivables the firm owes as obligor, still CONFIRMED or FINANCED (unpaid) at ``as_of``."""
    return _count_and_amount(
        [s for s in states if s.status in (ReceivableStatus.CONFIRMED, ReceivableStatus.FINANCED)]
    )


def repayment_record(states: list[ReceivableState]) -> Figure:
    """Receivables the firm owed and settled by ``as_of``: on time, late, amount-weighted delay."""
    settled = [s for s in states if s.status == ReceivableStatus.SETTLED]
    amount = sum(s.amount for s in settled)
    late = [s for s in settled if (s.late_days or 0) > 0]
    weighted = sum((s.late_days or 0) * s.amount for s in settled)
    value = {
        "on_time": len(settled) - len(late),
        "late": len(late),
        "amount": amount,
        "avg_late_days": None if amount == 0 else weighted / amount,
    }
    return Figure(value, _evidence(settled))


def defaults_as_obligor(states: list[ReceivableState]) -> Figure:
    return _count_and_amount([s for s in states if s.status == ReceivableStatus.DEFAULTED])


def financing_outstanding(financings: list[tuple[FinancingRow, ReceivableState]]) -> Figure:
    """Advances the firm received against receivables not yet SETTLED or DEFAULTED."""
    open_ = [
        (f, s)
        for f, s in financings
        if s.status not in (ReceivableStatus.SETTLED, ReceivableStatus.DEFAULTED)
    ]
    value = {"count": len(open_), "advance": sum(f.advance for f, _ in open_)}
    return Figure(value, _financing_evidence(open_))


def defaults_as_borrower(financings: list[tuple[FinancingRow, ReceivableState]]) -> Figure:
    """Receivables the firm sold to a bank that then defaulted (the bank's loss on the firm)."""
    failed = [(f, s) for f, s in financings if s.status == ReceivableStatus.DEFAULTED]
    value = {
        "count": len(failed),
        "amount": sum(s.amount for _, s in failed),
        "advance": sum(f.advance for f, _ in failed),
    }
    return Figure(value, _financing_evidence(failed))


def figures(connection: Connection, firm: str, as_of: int) -> dict[str, Figure]:
    owed_states = queries.receivables_owed(connection, firm, as_of)
    financings = queries.financings_of(connection, firm, as_of)
    return {
        "receivables_held": held(queries.receivables_held(connection, firm, as_of), firm),
        "receivables_owed": owed(owed_states),
        "financing_outstanding": financing_outstanding(financings),
        "repayment_record": repayment_record(owed_states),
        "defaults_as_obligor": defaults_as_obligor(owed_states),
        "defaults_as_borrower": defaults_as_borrower(financings),
    }


def _count_and_amount(states: list[ReceivableState]) -> Figure:
    value = {"count": len(states), "amount": sum(s.amount for s in states)}
    return Figure(value, _evidence(states))


def _evidence(states: Iterable[ReceivableState]) -> frozenset[int]:
    return frozenset(event for s in states for event in s.evidence)


def _financing_evidence(pairs: list[tuple[FinancingRow, ReceivableState]]) -> frozenset[int]:
    return frozenset({f.event_id for f, _ in pairs} | _evidence(s for _, s in pairs))
