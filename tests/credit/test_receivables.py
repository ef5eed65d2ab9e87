"""Receivable, financing, repayment and default figures, from synthetic ReceivableLedger events
run through the indexer's real handlers (see synthetic.py; to be re-done on chain once the
ReceivableLedger contract lands)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from backend.credit.cache import get_record
from backend.credit.queries import EVENTS
from backend.credit.record import compute_record
from backend.credit.service import evidence
from tests.credit.synthetic import BANK, CORE, PENDING, SUPPLIER, SyntheticChain
from tests.factories import DAY

T = 1_900_000_000  # the as-of time of the expectations


@dataclass
class Book:
    chain: SyntheticChain
    s: str  # supplier holding and financing receivables
    s2: str  # tier-2 supplier, paid with part of a split
    k: str  # core enterprise, the obligor of everything
    bank: str


@pytest.fixture
def book(engine) -> Book:
    chain = SyntheticChain(engine)
    s, s2 = chain.register(T - 400 * DAY, SUPPLIER), chain.register(T - 400 * DAY, SUPPLIER)
    k, bank = chain.register(T - 400 * DAY, CORE), chain.register(T - 400 * DAY, BANK)
    at = lambda days: T - days * DAY  # noqa: E731  (times as days before T)
    # R1 1,000,000 confirmed on creation; financed only after T.
    r1 = chain.created(at(300), s, k, 1_000_000, due=T + 30 * DAY)
    # R2 500,000 pending, then confirmed; R3 300,000 pending, then rejected.
    r2 = chain.created(at(290), s, k, 500_000, T + 40 * DAY, status=PENDING)
    chain.confirmed(at(289), r2, k)
    r3 = chain.created(at(280), s, k, 300_000, T + 40 * DAY, status=PENDING)
    chain.rejected(at(279), r3, k)
    # R4 800,000 split: 300,000 to S2 (paying its supplier), 500,000 kept by S.
    r4 = chain.created(at(270), s, k, 800_000, T + 50 * DAY)
    chain.split(at(260), r4, s, k, T + 50 * DAY, [(s2, 300_000), (s, 500_000)])
    # R5 2,000,000 financed by the bank (advance 1,900,000), still outstanding at T.
    r5 = chain.created(at(250), s, k, 2_000_000, T + 60 * DAY)
    chain.financed(at(240), r5, s, bank, 2_000_000, 1_900_000)
    # R6 1,500,000 financed (advance 1,400,000), settled 3 days late.
    r6 = chain.created(at(230), s, k, 1_500_000, T - 40 * DAY)
    chain.financed(at(220), r6, s, bank, 1_500_000, 1_400_000)
    chain.settled(at(37), r6, bank, k, 1_500_000, T - 40 * DAY, late_days=3)
    # R7 700,000 settled on time; R8 400,000 financed (advance 380,000), then defaulted.
    r7 = chain.created(at(200), s, k, 700_000, T - 60 * DAY)
    chain.settled(at(60), r7, s, k, 700_000, T - 60 * DAY, late_days=0)
    r8 = chain.created(at(190), s, k, 400_000, T - 100 * DAY)
    chain.financed(at(180), r8, s, bank, 400_000, 380_000)
    chain.defaulted(at(50), r8, bank, k, 400_000, T - 100 * DAY)
    # R9 600,000, settled only after T.
    r9 = chain.created(at(100), s, k, 600_000, T + 10 * DAY)
    # ── after T
    chain.financed(T + 1 * DAY, r1, s, bank, 1_000_000, 950_000)
    chain.settled(T + 2 * DAY, r9, s, k, 600_000, T + 10 * DAY, late_days=0)
    chain.created(T + 3 * DAY, s, k, 5_000_000, T + 90 * DAY)
    return Book(chain, s, s2, k, bank)


def _figures(engine, firm, as_of=T):
    with engine.connect() as connection:
        return compute_record(connection, firm, as_of).figures


def test_receivables_held_and_owed_at_t(engine, book):
    s = _figures(engine, book.s)
    # Held by S and CONFIRMED at T: R1 1,000,000 + R2 500,000 + R4's part 500,000 + R9 600,000.
    # Not R3 (rejected), R4 (split), R5/R6/R8 (the bank's), R7 (settled).
    assert s["receivables_held"] == {"count": 4, "amount": 2_600_000}
    assert _figures(engine, book.s2)["receivables_held"] == {"count": 1, "amount": 300_000}
    # The bank holds R5 FINANCED, which is not a CONFIRMED receivable of its own.
    assert _figures(engine, book.bank)["receivables_held"] == {"count": 0, "amount": 0}
    # K owes, CONFIRMED or FINANCED at T: R1 1,000,000 + R2 500,000 + R4's parts 300,000 and
    # 500,000 + R5 2,000,000 + R9 600,000 = 4,900,000 in 6.
    assert _figures(engine, book.k)["receivables_owed"] == {"count": 6, "amount": 4_900_000}
    assert s["receivables_owed"] == {"count": 0, "amount": 0}


def test_financing_repayment_and_defaults_at_t(engine, book):
    s, k = _figures(engine, book.s), _figures(engine, book.k)
    # S borrowed against R5 (open), R6 (settled) and R8 (defaulted): outstanding R5 only.
    assert s["financing_outstanding"] == {"count": 1, "advance": 1_900_000}
    assert s["defaults_as_borrower"] == {"count": 1, "amount": 400_000, "advance": 380_000}
    # K settled R6 (1,500,000, 3 days late) and R7 (700,000 on time) by T:
    # amount-weighted late days = 3 * 1,500,000 / 2,200,000 = 2.045.
    assert k["repayment_record"] == {
        "on_time": 1, "late": 1, "amount": 2_200_000,
        "avg_late_days": pytest.approx(3 * 1_500_000 / 2_200_000),
    }  # fmt: skip
    assert k["defaults_as_obligor"] == {"count": 1, "amount": 400_000}
    assert s["defaults_as_obligor"] == {"count": 0, "amount": 0}
    assert s["repayment_record"]["avg_late_days"] is None


def test_events_after_t_count_for_a_later_record(engine, book):
    now = get_record(engine, book.s, None).figures
    # After T: R1 financed (no longer S's; 950,000 more advance), R9 settled, a new 5,000,000.
    assert now["receivables_held"] == {"count": 3, "amount": 6_000_000}
    assert now["financing_outstanding"] == {"count": 2, "advance": 2_850_000}


def test_the_record_at_t_is_the_same_before_and_after_later_events(engine):
    chain = SyntheticChain(engine)
    s, k, bank = (chain.register(T - 10 * DAY, roles) for roles in (SUPPLIER, CORE, BANK))
    r = chain.created(T - 5 * DAY, s, k, 1_000_000, T + 30 * DAY)
    firms = (s, k, bank)
    before = {f: get_record(engine, f, T).to_json(include_evidence=True) for f in firms}
    chain.financed(T + DAY, r, s, bank, 1_000_000, 900_000)
    chain.settled(T + 2 * DAY, r, bank, k, 1_000_000, T + 30 * DAY, late_days=0)
    after = {f: get_record(engine, f, T).to_json(include_evidence=True) for f in firms}
    assert after == before
    assert before[s]["figures"]["receivables_held"] == {"count": 1, "amount": 1_000_000}


def test_receivable_evidence_cites_the_creation_and_the_state_at_t(engine, book):
    page = evidence(engine, book.s, "financing_outstanding", T, 0, 10)
    # R5: created, then financed (the financing and its transition are the same event).
    assert [row.event for row in page.rows] == ["ReceivableCreated", "ReceivableFinanced"]
    assert page.total == 2
    with engine.connect() as connection:
        record = compute_record(connection, book.k, T)
        cited = {event for ids in record.evidence.values() for event in ids}
        found = connection.execute(select(EVENTS.c.block_time).where(EVENTS.c.id.in_(cited)))
        times = list(found.scalars())
    assert len(times) == len(cited) and max(times) <= T
