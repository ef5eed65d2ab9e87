"""The scripted history the hand-computed expectations of test_record.py refer to.

Times are relative to a base B (the subject S registers at B) and T = B + 400 days, the as-of
time of the expectations. Business times are written as offsets from T; every action is mined at
the time in its first argument. A few actions come after T: they must change nothing at T.

Firms: S the subject (supplier); C1 core; C2 supplier made CORE at B+299d; C3 supplier made CORE
only after T; P1, P2 suppliers of S; Y registered at T-10d; a ring RA -> RB -> RC -> RA; a
legitimate chain T3 -> T2 -> T1 -> C1; D1 <-> D2 trading back and forth with dissimilar amounts;
Z, whose first sale comes after 11 empty months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from backend.enums import Role, TradeKind
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Domain, Trade
from tests.credit.scenario import Script
from tests.factories import DAY

HOUR = 3_600


@dataclass
class History:
    base: int
    as_of: int
    domain: Domain
    firms: dict[str, Signer] = field(default_factory=dict)
    trades: dict[str, Trade] = field(default_factory=dict)

    def address(self, name: str) -> str:
        return self.firms[name].address

    def trade_id(self, key: str) -> str:
        return "0x" + self.trades[key].trade_id(self.domain).hex()


def build_history(
    script: Script, base: int, checkpoint: Callable[[], None] = lambda: None
) -> History:
    """Script the history; ``checkpoint`` is called a few times on the way (to index in steps)."""
    B, T, D = base, base + 400 * DAY, DAY
    h = History(base=B, as_of=T, domain=script.domain)
    f, t = h.firms, h.trades
    for offset, (name, roles) in enumerate(
        [
            ("S", Role.SUPPLIER), ("C1", Role.CORE), ("C2", Role.SUPPLIER),
            ("C3", Role.SUPPLIER), ("P1", Role.SUPPLIER), ("P2", Role.SUPPLIER),
            ("RA", Role.SUPPLIER), ("RB", Role.SUPPLIER), ("RC", Role.SUPPLIER),
            ("T3", Role.SUPPLIER), ("T2", Role.SUPPLIER), ("T1", Role.SUPPLIER),
            ("D1", Role.SUPPLIER), ("D2", Role.SUPPLIER), ("Z", Role.SUPPLIER),
        ]
    ):  # fmt: skip
        f[name] = script.firm(B + 10 * offset, roles)
    S, C1, C2, C3, P1, P2 = (f[n] for n in ("S", "C1", "C2", "C3", "P1", "P2"))

    # Last year's sale (prior 365 d for growth), paid on time long ago (outside the paid window).
    t["s5"] = script.invoice(B + 1 * D, S, C1, 2_000_000, issued=T - 500 * D, due=T - 470 * D)
    script.pay(B + 2 * D, t["s5"], S, 2_000_000, paid=T - 470 * D)
    t["s4"] = script.invoice(B + 200 * D + HOUR, S, C1, 4_000_000, T - 200 * D, T - 170 * D)
    script.pay(B + 230 * D + 13 * HOUR, t["s4"], S, 4_000_000, paid=T - 170 * D + 12 * HOUR)
    t["p1a"] = script.invoice(B + 240 * D + HOUR, P1, S, 600_000, T - 160 * D, T - 130 * D)
    script.pay(B + 260 * D + HOUR, t["p1a"], P1, 600_000, paid=T - 140 * D)
    checkpoint()
    script.set_roles(B + 299 * D, C2, Role.CORE)
    t["s3"] = script.invoice(B + 300 * D + HOUR, S, C3, 1_000_000, T - 100 * D, T - 70 * D)
    t["p2"] = script.invoice(B + 320 * D + HOUR, P2, S, 1_200_000, T - 80 * D, T - 50 * D)
    script.pay(B + 352 * D + HOUR, t["s3"], S, 1_000_000, paid=T - 48 * D)
    t["s2"] = script.invoice(B + 355 * D + HOUR, S, C2, 2_000_000, T - 45 * D, T - 15 * D)
    script.pay(B + 365 * D + HOUR, t["p2"], P2, 800_000, paid=T - 35 * D)
    t["s7"] = script.propose(B + 371 * D, S, C2, 300_000, T - 32 * D, T - 2 * D)
    script.confirm(B + 372 * D, t["s7"], C2)
    t["p1b"] = script.invoice(B + 380 * D + HOUR, P1, S, 2_000_000, T - 20 * D, T + 10 * D)
    t["rejected"] = script.propose(B + 381 * D, S, C1, 700_000, T - 20 * D, T + 10 * D)
    script.reject(B + 382 * D, t["rejected"], C1)
    script.pay(B + 385 * D + HOUR, t["s2"], S, 2_000_000, paid=T - 15 * D)
    script.pay(B + 385 * D + 2 * HOUR, t["p1b"], P1, 2_000_000, paid=T - 15 * D)
    checkpoint()
    t["order"] = script.record(B + 388 * D + HOUR, S, C1, 3_000_000, T - 12 * D, 0, TradeKind.ORDER)
    t["delivery"] = script.record(
        B + 389 * D + HOUR, S, C1, 3_000_000, T - 11 * D, 0, TradeKind.DELIVERY
    )
    f["Y"] = script.firm(B + 390 * D)
    t["s1"] = script.invoice(B + 390 * D + HOUR, S, C1, 1_000_000, T - 10 * D, T + 20 * D)
    t["s6"] = script.invoice(B + 392 * D, S, f["Y"], 500_000, T - 9 * D, T + 21 * D)
    _network(script, h)
    script.pay(B + 398 * D + HOUR, t["s1"], S, 1_000_000, paid=T - 2 * D)
    t["pending"] = script.propose(B + 398 * D + 2 * HOUR, S, C1, 800_000, T - 3 * D, T + 27 * D)
    t["late_answer"] = script.propose(B + 399 * D, S, C1, 400_000, T - 2 * D, T + 28 * D)
    checkpoint()
    # ── after T: none of this may change a record as of T
    script.reject(T + 1 * D, t["late_answer"], C1)
    t["late_sale"] = script.invoice(T + 2 * D, S, C1, 900_000, T - 6 * D, T + 24 * D)
    script.pay(T + 3 * D, t["p2"], P2, 400_000, paid=T - 1 * D)
    script.set_roles(T + 4 * D, C3, Role.CORE)
    checkpoint()
    return h


def _network(script: Script, h: History) -> None:
    """The ring, the chain of supply, the dissimilar pair and the late first sales: issued from
    T-7d to T-3d, recorded on T-3d."""
    T, D = h.as_of, DAY
    f, t = h.firms, h.trades
    at = T - 3 * D + HOUR
    plan = [
        ("ring_ab", "RA", "RB", 1_000_000, T - 6 * D),
        ("ring_bc", "RB", "RC", 1_050_000, T - 5 * D),
        ("ring_ca", "RC", "RA", 980_000, T - 4 * D),
        ("chain_32", "T3", "T2", 500_000, T - 7 * D),
        ("chain_21", "T2", "T1", 520_000, T - 6 * D),
        ("chain_1c", "T1", "C1", 510_000, T - 5 * D),
        ("d12", "D1", "D2", 1_000_000, T - 7 * D),
        ("d21", "D2", "D1", 2_000_000, T - 6 * D),
        ("z", "Z", "C1", 100_000, T - 3 * D),
        ("y", "Y", "C1", 50_000, T - 5 * D),
    ]
    for step, (key, seller, buyer, amount, issued) in enumerate(plan):
        t[key] = script.invoice(
            at + step * HOUR, f[seller], f[buyer], amount, issued, issued + 30 * D
        )
