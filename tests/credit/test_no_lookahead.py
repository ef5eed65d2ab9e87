"""No look-ahead: a record as of T is the same before and after more events reach the chain
after T, however back-dated their business times (a property over generated histories)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from backend.credit import network
from backend.credit.record import compute_record
from backend.enums import Role
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Trade
from tests.credit.scenario import Script
from tests.factories import DAY

pytestmark = pytest.mark.chain

HOUR = 3_600
TRADERS = (Role.SUPPLIER, Role.CORE, Role.SUPPLIER | Role.CORE)


@dataclass
class World:
    """The ledger's state as the test drives it: who trades, what is open, what is owed."""

    script: Script
    firms: list[Signer]
    invoices: list[tuple[Trade, Signer]] = field(default_factory=list)  # verified, with seller
    unpaid: dict[bytes, int] = field(default_factory=dict)
    proposals: list[tuple[Trade, Signer]] = field(default_factory=list)  # awaiting the buyer


@pytest.fixture
def world(ledger, clock, indexer) -> World:
    """Four firms with a few weeks of invoices, payments and open proposals, indexed."""
    script = Script(ledger, clock)
    base = clock.start()
    firms = [script.firm(base + i, roles) for i, roles in enumerate(
        (Role.SUPPLIER, Role.SUPPLIER, Role.CORE, Role.SUPPLIER)
    )]  # fmt: skip
    w = World(script, firms)
    a, b, c, d = firms
    day = base + 40 * DAY
    for step, (seller, buyer, amount) in enumerate(
        [(a, c, 900_000), (b, a, 400_000), (d, b, 250_000), (a, c, 1_300_000)]
    ):
        at = base + (step + 1) * DAY
        _invoice(w, at, seller, buyer, amount, issued=at - 20 * DAY, due=at + 5 * DAY)
    trade, seller = w.invoices[0]
    _pay(w, day, trade, seller, 500_000, paid=day - DAY)
    for step, (seller, buyer) in enumerate([(a, c), (b, c), (d, a)]):
        at = day + (step + 1) * HOUR
        trade = script.propose(at, seller, buyer, 300_000 + step, at - 2 * DAY, at + 30 * DAY)
        w.proposals.append((trade, buyer))
    indexer.sync()
    return w


firm_index = st.integers(min_value=0, max_value=3)
actions = st.one_of(
    st.tuples(st.just("invoice"), firm_index, firm_index, st.integers(1, 5_000_000),
              st.integers(0, 400), st.integers(0, 90)),
    st.tuples(st.just("pay"), st.integers(0, 50), st.integers(1, 100), st.integers(0, 120)),
    st.tuples(st.just("answer"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("propose"), firm_index, firm_index, st.integers(1, 5_000_000),
              st.integers(0, 60)),
    st.tuples(st.just("roles"), firm_index, st.sampled_from(TRADERS)),
    st.tuples(st.just("newcomer"), firm_index, st.integers(1, 5_000_000), st.integers(0, 30)),
)  # fmt: skip


# Each example extends one chain (the world fixture is shared on purpose: T moves on with it).
# Shrinking would replay examples on that ever-longer chain for minutes; the failing example as
# generated is report enough.
@settings(
    max_examples=8,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(later=st.lists(actions, min_size=1, max_size=6), answers=st.lists(st.booleans(), max_size=3))
def test_a_record_never_sees_events_after_its_as_of(engine, clock, indexer, world, later, answers):
    as_of = clock.latest()  # everything up to here is indexed
    firms = [f.address for f in world.firms]
    before = _records(engine, firms, as_of)
    at = as_of
    # The buyers answer proposals that were open at T: verified or rejected only after T.
    for action in [*later, *(("answer", 0, confirm) for confirm in answers)]:
        at += HOUR
        _apply(world, at, action)
    at += HOUR
    clock.at(at)  # a last block after the actions, so the indexer's head moves on
    clock.w3.provider.make_request("evm_mine", [])
    indexer.sync()
    network.clear_cache()  # the graph must be read again, not served from the cache
    assert _records(engine, firms, as_of) == before


def _records(engine, firms: list[str], as_of: int) -> dict[str, dict]:
    with engine.connect() as connection:
        return {
            f: compute_record(connection, f, as_of).to_json(include_evidence=True) for f in firms
        }


def _apply(w: World, at: int, action: tuple) -> None:
    """Carry out one generated action at block time ``at``; business times may be back-dated."""
    kind, *args = action
    if kind == "invoice":
        seller, buyer, amount, back, terms = args
        if seller != buyer:
            issued = at - back * DAY
            _invoice(w, at, w.firms[seller], w.firms[buyer], amount, issued, issued + terms * DAY)
    elif kind == "pay" and w.invoices:
        pick, percent, back = args
        trade, seller = w.invoices[pick % len(w.invoices)]
        remaining = w.unpaid[trade.doc_hash]
        if remaining:
            _pay(w, at, trade, seller, max(1, remaining * percent // 100), paid=at - back * DAY)
    elif kind == "answer" and w.proposals:
        pick, confirm = args
        trade, buyer = w.proposals.pop(pick % len(w.proposals))
        if confirm:
            w.script.confirm(at, trade, buyer)
            seller = next(f for f in w.firms if f.address == trade.seller)
            w.invoices.append((trade, seller))
            w.unpaid[trade.doc_hash] = trade.amount
        else:
            w.script.reject(at, trade, buyer)
    elif kind == "propose":
        seller, buyer, amount, back = args
        if seller != buyer:
            issued = at - back * DAY
            trade = w.script.propose(
                at, w.firms[seller], w.firms[buyer], amount, issued, issued + 30 * DAY
            )
            w.proposals.append((trade, w.firms[buyer]))
    elif kind == "roles":
        firm, roles = args
        w.script.set_roles(at, w.firms[firm], roles)
    elif kind == "newcomer":
        partner, amount, back = args
        newcomer = w.script.firm(at - HOUR // 2)
        w.script.invoice(at, newcomer, w.firms[partner], amount, at - back * DAY, at)


def _invoice(w: World, at: int, seller, buyer, amount: int, issued: int, due: int) -> None:
    trade = w.script.invoice(at, seller, buyer, amount, issued, due)
    w.invoices.append((trade, seller))
    w.unpaid[trade.doc_hash] = amount


def _pay(w: World, at: int, trade: Trade, seller, amount: int, paid: int) -> None:
    w.script.pay(at, trade, seller, amount, paid)
    w.unpaid[trade.doc_hash] -= amount
