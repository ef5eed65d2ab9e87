"""A seeded, deterministic supply-chain world that writes labelled credit histories offline.

Who is in it: core enterprises (anchor buyers), three tiers of suppliers (T1 sells to cores, T2
to T1, T3 to T2; a healthy supplier sometimes wins business one tier higher, straight from a
core) and a few banks. Every firm has a latent *health* ``h ~ N(0, 1)``; it drives

- how long the firm has been on the ledger (healthier firms joined earlier),
- how many buyers it has and how much it sells, how its sales grow and how erratic they are,
- how late it pays its own suppliers (days beyond terms) — and so how late its buyers pay it,
- how often its buyers reject (dispute) its invoices,
- its true 12-month probability of default ``true_pd = expit(BASE + SLOPE * -h + tier shift)``
  and, drawn from that, whether it defaults in ``(T, T + 365 d]``.

The history is written through the same path production uses: synthetic ``DecodedEvent`` s
(``FirmRegistered``, ``TradeRecorded`` invoices, ``TradeProposed`` + ``TradeRejected`` disputes,
``PaymentRecorded``; for invoices owed by a core, ``ReceivableCreated`` CONFIRMED and
``ReceivableSettled`` when the core pays) applied in block order by the real indexer handlers
(:data:`backend.indexer.events.HANDLERS`) through a :class:`~backend.indexer.store.Store` into a
database migrated by :func:`backend.migrations.upgrade`. Features are then the real credit record
(:func:`backend.credit.record.compute_record`) at the observation time T, which never reads a row
that reached the chain after T; the label is about ``(T, T + 365 d]``. Events after T can be
written too (``until``): a defaulter stops paying its suppliers at its default time, which is the
future the model must not see.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from eth_utils import to_checksum_address
from numpy.typing import NDArray
from scipy.special import expit, logit
from sqlalchemy import Engine

import backend.indexer.handlers  # noqa: F401  (registers the handlers)
from backend.credit.record import CreditRecordView, compute_record
from backend.db import make_engine, table_of
from backend.enums import DAY, ReceivableStatus, Role, TradeKind
from backend.indexer.decoding import event_id
from backend.indexer.events import HANDLERS, DecodedEvent
from backend.indexer.models import BlockHeader, ChainEvent, IndexerCursor
from backend.indexer.store import Store, bulk_insert
from backend.migrations import upgrade
from backend.sim.factory import FRAUD_SHIFT, Sale, factory_events, operators

logger = logging.getLogger(__name__)

EVENTS = table_of(ChainEvent)
HEADERS = table_of(BlockHeader)
CURSORS = table_of(IndexerCursor)

MONTH = 30 * DAY
YEAR = 365 * DAY
#: Observation time T: 2026-01-01 00:00 UTC. History starts ``history_months`` before.
OBSERVATION_TIME = 1_767_225_600
HISTORY_DAYS = 730
CHAIN_ID = 31_337
CNY = 156
TERMS_DAYS = 60
GRACE_DAYS = 15  # after the due date, before the holder marks an unpaid receivable DEFAULTED
ZERO_ID = "0x" + "00" * 32
N_BANKS = 3
PARALLEL_FROM = 400  # fewer firms than this: not worth starting processes
VENDOR, BANK_TIER = -2, -1  # tiers of firms outside the data set

#: Tier of each firm: 0 core, 1..3 supplier tiers, -1 bank (banks are not in the data set).
TIER_SHARES = {0: 0.04, 1: 0.20, 2: 0.34, 3: 0.42}
TIER_SHIFT = {0: -1.0, 1: -0.3, 2: 0.0, 3: 0.3}
PD_BASE = -3.0
PD_SLOPE = 1.3  # per unit of (negative) health
INVOICES_PER_MONTH = 0.7  # per buyer relationship
#: Reference default rate: a world whose base rate is this has its population's health centred.
REFERENCE_RATE = 0.06
#: Behaviours that can carry the latent health; a world's ``carriers`` scales each one.
BEHAVIOURS: tuple[str, ...] = (
    "tenure", "size", "growth", "volatility", "lateness", "disputes", "buyers",
)  # fmt: skip


@dataclass(frozen=True)
class WorldParams:
    """The parameters of one world: the defaults are the original single world.

    - ``amount_scale`` multiplies every invoice amount (a world of larger or smaller firms);
    - ``history_months`` of history before T (firms joined during it);
    - ``supplier_tiers`` (1..3) below the cores; ``buyers_rate`` the mean number of extra buyers
      of a supplier of average health; ``single_buyer_share`` the chance that a supplier sells to
      one buyer only, whatever its health (concentration regime);
    - ``terms_days`` the payment terms, ``terms_spread`` how much they vary between invoices,
      ``late_culture`` days beyond terms every payer adds (a slow-paying economy);
    - ``base_rate`` the mean true PD of the suppliers (None: the original intercept);
      ``pd_slope`` how strongly health drives the PD; ``visible_level`` the share of the base
      rate's distance from :data:`REFERENCE_RATE` (in log-odds) that comes from the population's
      health, so shows in its behaviour (0: a riskier world behaves like any other);
    - ``carriers`` how strongly each behaviour of :data:`BEHAVIOURS` carries the health (1: the
      original strength, 0: not at all); ``noise`` scales the idiosyncratic noise;
    - ``vendors``: share of firms that are raw-material vendors selling to the lowest tier (not
      in the data set), so that every supplier also pays suppliers;
    - ``device_share`` of the suppliers operate production lines an oracle attests
      (:mod:`backend.sim.factory`; 0: no attestations, the world of before), ``fraud_share`` of
      those invoice far more than they make, ``delivery_share`` of a device operator's genuine
      invoices have an attested delivery.
    """

    amount_scale: float = 1.0
    history_months: int = 24
    supplier_tiers: int = 3
    buyers_rate: float = 1.3
    single_buyer_share: float = 0.0
    terms_days: int = TERMS_DAYS
    terms_spread: int = 0
    late_culture: float = 0.0
    base_rate: float | None = None
    pd_slope: float = PD_SLOPE
    visible_level: float = 0.0
    carriers: tuple[float, ...] = (1.0,) * len(BEHAVIOURS)
    noise: float = 1.0
    vendors: float = 0.0
    device_share: float = 0.0
    fraud_share: float = 0.0
    delivery_share: float = 0.8

    def carry(self, behaviour: str) -> float:
        return self.carriers[BEHAVIOURS.index(behaviour)]

    @property
    def history_days(self) -> int:
        return 730 if self.history_months == 24 else self.history_months * 30

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["carriers"] = dict(zip(BEHAVIOURS, self.carriers, strict=True))
        return data


DEFAULT_PARAMS = WorldParams()


@dataclass(frozen=True, eq=False)
class World:
    """The firms and their latent state; arrays are indexed by firm number."""

    seed: int
    as_of: int
    addresses: tuple[str, ...]
    tier: NDArray[np.int64]
    health: NDArray[np.float64]
    registered_at: NDArray[np.int64]
    true_pd: NDArray[np.float64]
    default: NDArray[np.int8]
    default_time: NDArray[np.int64]  # 0 for firms that do not default
    late_mean: NDArray[np.float64]  # mean days beyond terms when the firm pays
    buyers: tuple[tuple[int, ...], ...]  # each supplier's buyers
    params: WorldParams = DEFAULT_PARAMS
    operates: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    fraud: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def scored(self) -> NDArray[np.intp]:
        """Firms in the data set: every firm but the banks and vendors."""
        return np.flatnonzero(self.tier >= 0)

    @property
    def start(self) -> int:
        return self.as_of - self.params.history_days * DAY


@dataclass(frozen=True, eq=False)
class Dataset:
    """A labelled sample: features at T, the 12-month default flag and the true PD."""

    X: dict[str, NDArray[np.float64]]
    y: NDArray[np.int8]
    true_pd: NDArray[np.float64]
    firms: tuple[str, ...]
    tier: NDArray[np.int64]
    as_of: int
    seed: int
    seconds: float
    thin: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    params: WorldParams = DEFAULT_PARAMS
    events: int = 0
    operates: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    fraud: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))


# ─────────────────────────────────────────────────────────────── the world


def _tier_counts(n_firms: int, tiers: int) -> dict[int, int]:
    shares = {t: TIER_SHARES[t] for t in range(tiers + 1)}
    supplier_total = sum(v for t, v in shares.items() if t > 0)
    scale = (1.0 - shares[0]) / supplier_total
    counts = {0: max(2, round(shares[0] * n_firms))}
    for t in range(1, tiers + 1):
        counts[t] = max(2, round(shares[t] * scale * n_firms))
    counts[tiers] = n_firms - sum(counts[t] for t in range(tiers))
    return counts


def _intercept(base_rate: float, risk: NDArray[np.float64]) -> float:
    """The intercept c with ``mean(expit(c + risk)) = base_rate`` (bisection: exact enough)."""
    low, high = -20.0, 20.0
    for _ in range(80):
        middle = (low + high) / 2
        if float(expit(middle + risk).mean()) < base_rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def build_world(
    n_firms: int, seed: int, as_of: int = OBSERVATION_TIME, params: WorldParams = DEFAULT_PARAMS
) -> World:
    """Firms, tiers, health, registration, buyers and default outcomes, all from ``seed``."""
    if n_firms < 20:
        raise ValueError("n_firms must be at least 20 (cores and supplier tiers)")
    if not 1 <= params.supplier_tiers <= 3:
        raise ValueError("supplier_tiers must be 1, 2 or 3")
    rng = np.random.default_rng(seed)
    counts = _tier_counts(n_firms, params.supplier_tiers)
    n_vendors = round(params.vendors * n_firms)
    tier = np.concatenate(
        [np.full(N_BANKS, BANK_TIER)]
        + [np.full(counts[t], t) for t in sorted(counts)]
        + [np.full(n_vendors, VENDOR)]
    ).astype(np.int64)
    n = tier.size
    noise = params.noise
    health = rng.standard_normal(n)
    shift = np.array([TIER_SHIFT.get(int(t), 0.0) for t in tier])
    suppliers = tier > 0
    if params.base_rate is not None:
        distance = float(logit(params.base_rate) - logit(REFERENCE_RATE))
        health = health - params.visible_level * distance / params.pd_slope
        intercept = _intercept(
            params.base_rate, -params.pd_slope * health[suppliers] + shift[suppliers]
        )
    else:
        intercept = PD_BASE
    history = params.history_days
    start = as_of - history * DAY
    # Healthier firms joined earlier; cores, banks and vendors were there from the start.
    spread = noise * rng.standard_normal(n)
    joined_days = (history - 30) * expit(0.9 * params.carry("tenure") * health + spread)
    registered_at = np.where(tier <= 0, start, as_of - 30 * DAY - joined_days * DAY)
    registered_at = registered_at.astype(np.int64) // 60 * 60
    operates, fraud = operators(seed, tier, params.device_share, params.fraud_share)
    true_pd = expit(intercept - params.pd_slope * health + shift + FRAUD_SHIFT * fraud)
    default = (rng.random(n) < true_pd) & (tier >= 0)
    default_time = np.where(default, as_of + rng.integers(DAY, YEAR, n), 0).astype(np.int64)
    late_mean = 12.0 * np.exp(-0.8 * params.carry("lateness") * health) - 6.0 + params.late_culture
    raw = rng.bytes(20 * n)
    addresses = tuple(str(to_checksum_address(raw[20 * i : 20 * i + 20])) for i in range(n))
    buyers = [_buyers(rng, tier, health, i, params) for i in range(n)]
    if n_vendors:
        _vendor_buyers(rng, tier, buyers, params.supplier_tiers)
    return World(
        seed=seed,
        as_of=as_of,
        addresses=addresses,
        tier=tier,
        health=health,
        registered_at=registered_at,
        true_pd=np.where(tier >= 0, true_pd, 0.0),
        default=default.astype(np.int8),
        default_time=default_time,
        late_mean=late_mean,
        buyers=tuple(buyers),
        params=params,
        operates=operates,
        fraud=fraud,
    )


def _buyers(rng: np.random.Generator, tier: NDArray[np.int64], health: NDArray[np.float64],
            firm: int, params: WorldParams = DEFAULT_PARAMS) -> tuple[int, ...]:  # fmt: skip
    """A supplier's buyers: mostly in the tier above; healthier firms have more of them and
    sometimes sell straight to a core."""
    own = int(tier[firm])
    if own <= 0:
        return ()
    carry = params.carry("buyers")
    single = params.single_buyer_share > 0 and rng.random() < params.single_buyer_share
    count = (
        1
        if single
        else 1 + int(rng.poisson(params.buyers_rate * np.exp(0.45 * carry * health[firm])))
    )
    above = np.flatnonzero(tier == own - 1)
    cores = np.flatnonzero(tier == 0)
    chosen: set[int] = set()
    for _ in range(count):
        pool = cores if own > 1 and rng.random() < 0.2 * expit(health[firm]) else above
        chosen.add(int(rng.choice(pool)))
    return tuple(sorted(chosen))


def _vendor_buyers(rng: np.random.Generator, tier: NDArray[np.int64],
                   buyers: list[tuple[int, ...]], lowest: int) -> None:  # fmt: skip
    """Each firm of the lowest supplier tier buys from one or two vendors."""
    vendors = np.flatnonzero(tier == VENDOR)
    sold_to: dict[int, set[int]] = {int(v): set() for v in vendors}
    for firm in np.flatnonzero(tier == lowest):
        for _ in range(1 + int(rng.poisson(0.5))):
            sold_to[int(rng.choice(vendors))].add(int(firm))
    for vendor, firms in sold_to.items():
        buyers[vendor] = tuple(sorted(firms))


# ─────────────────────────────────────────────────────────────── events


@dataclass(frozen=True, slots=True)
class _Pending:
    time: int
    order: int
    contract: str
    name: str
    args: dict[str, Any]


def _hex_id(seed: int, kind: str, number: int) -> str:
    return "0x" + hashlib.sha256(f"{seed}:{kind}:{number}".encode()).hexdigest()


def world_events(world: World, until: int, receivables: bool | str = False) -> list[_Pending]:
    """Every event of the world with block time ``<= until``, in chain order.

    ``receivables``: True adds a CONFIRMED receivable for every invoice owed by a core and its
    settlement (off by default: each settlement is a read-modify-write in the handlers, which
    makes a large world about 1.7 times slower to write, and no characteristic uses it yet);
    ``"all"`` does so for every invoice (the obligor is the buyer, whatever its tier), and a
    receivable its defaulted obligor never pays is marked DEFAULTED by its holder
    :data:`GRACE_DAYS` after it fell due: the ledger then holds the realised defaults that
    ``scf model calibrate`` reads.

    Deterministic in the seed: a second generator seeded from it drives trading, and the events
    after T come from the same draws as a shorter run's, so a run to ``T + 365 d`` extends a run
    to T (the no-look-ahead test relies on that).
    """
    rng = np.random.default_rng([world.seed, 1])
    params = world.params
    addresses = world.addresses
    events: list[_Pending] = []
    order = 0

    def add(when: int, contract: str, name: str, **args: Any) -> None:
        nonlocal order
        order += 1
        if when <= until:
            events.append(_Pending(when, order, contract, name, args))

    for i, address in enumerate(addresses):
        roles = {-1: Role.BANK, 0: Role.CORE}.get(int(world.tier[i]), Role.SUPPLIER)
        when = int(world.registered_at[i])
        add(when, "FirmRegistry", "FirmRegistered", firm=address, roles=roles,
            creditCodeHash=_hex_id(world.seed, "code", i), registeredAt=when)  # fmt: skip

    horizon = world.as_of + YEAR
    trade_number = 0
    sales: dict[int, list[Sale]] = {}  # device operators' verified invoices
    noise = params.noise
    for seller, buyers in enumerate(world.buyers):
        vendor = world.tier[seller] == VENDOR
        h = 0.0 if vendor else float(world.health[seller])
        growth = 0.04 * params.carry("growth") * h + 0.01 * noise * rng.standard_normal()
        sigma = 0.2 * np.exp(-0.7 * params.carry("volatility") * h) * noise
        size = 13.0 + np.log(params.amount_scale) + 0.6 * params.carry("size") * h
        base = float(np.exp(size + 0.3 * noise * rng.standard_normal()))  # fen per invoice
        dispute_p = float(expit(-2.8 - 1.3 * params.carry("disputes") * h))
        for buyer in buyers:
            begin = max(int(world.registered_at[seller]), int(world.registered_at[buyer]))
            begin += int(rng.integers(0, 20 * DAY))
            share = float(rng.uniform(0.3, 1.0))
            for month_start in range(begin, horizon, MONTH):
                months = (month_start - world.start) / MONTH
                level = base * share * np.exp(growth * months + sigma * rng.standard_normal())
                for _ in range(int(rng.poisson(INVOICES_PER_MONTH))):
                    trade_number += 1
                    issued = month_start + int(rng.integers(0, MONTH))
                    amount = max(100, int(level * rng.lognormal(0.0, 0.2)))
                    disputed = rng.random() < dispute_p
                    late = world.late_mean[buyer] + 4.0 * noise * rng.standard_normal()
                    if world.operates.size and world.operates[seller] and not disputed:
                        trade_id = _hex_id(world.seed, "trade", trade_number)
                        sale = Sale(trade_number, buyer, issued, amount, trade_id)
                        sales.setdefault(seller, []).append(sale)
                    add_trade(add, world, trade_number, seller, buyer, issued, amount,
                              disputed, float(late), rng, receivables)  # fmt: skip
    if world.operates.any():  # after the trading, from a generator of its own
        factory_events(world, add, sales, _hex_id, horizon)
    events.sort(key=lambda e: (e.time, e.order))
    return events


def _terms(world: World, rng: np.random.Generator) -> int:
    spread = world.params.terms_spread
    extra = int(rng.integers(-spread, spread + 1)) if spread else 0
    return max(7, world.params.terms_days + extra)


def add_trade(add: Any, world: World, number: int, seller: int, buyer: int, issued: int,
              amount: int, disputed: bool, late_days: float,
              rng: np.random.Generator, receivables: bool | str = False) -> None:  # fmt: skip
    """One invoice: recorded (or proposed and rejected), then paid by the buyer unless the buyer
    has defaulted by the time the payment falls due."""
    trade_id = _hex_id(world.seed, "trade", number)
    due = issued + _terms(world, rng) * DAY
    recorded = issued + int(rng.integers(600, 3 * DAY))
    trade = {
        "tradeId": trade_id,
        "seller": world.addresses[seller],
        "buyer": world.addresses[buyer],
        "kind": TradeKind.INVOICE,
        "docHash": _hex_id(world.seed, "doc", number),
        "amount": amount,
        "currency": CNY,
        "issuedAt": issued,
        "dueAt": due,
        "ref": ZERO_ID,
        "invoiceKey": _hex_id(world.seed, "invoice", number),
    }
    if disputed:
        add(recorded, "TradeLedger", "TradeProposed", **trade)
        add(recorded + int(rng.integers(DAY, 10 * DAY)), "TradeLedger", "TradeRejected",
            tradeId=trade_id, reason=_hex_id(world.seed, "reason", number))  # fmt: skip
        return
    add(recorded, "TradeLedger", "TradeRecorded", **trade)
    receivable = _hex_id(world.seed, "receivable", number)
    confirmed = receivables == "all" or (bool(receivables) and world.tier[buyer] == 0)
    if confirmed:  # a verified invoice its buyer owes is a CONFIRMED receivable of the seller
        add(recorded, "ReceivableLedger", "ReceivableCreated", receivableId=receivable,
            rootId=receivable, holder=world.addresses[seller], parentId=ZERO_ID,
            obligor=world.addresses[buyer], amount=amount, dueAt=due, tier=1,
            status=ReceivableStatus.CONFIRMED)  # fmt: skip
    paid_at = max(issued + DAY, due + int(late_days * DAY))
    stopped = world.default_time[buyer]
    if stopped and paid_at >= stopped:  # a defaulter stops paying its suppliers
        if confirmed and receivables == "all":
            marked = max(due + GRACE_DAYS * DAY, int(stopped)) + int(rng.integers(60, DAY))
            add(marked, "ReceivableLedger", "ReceivableDefaulted", receivableId=receivable,
                holder=world.addresses[seller], obligor=world.addresses[buyer], amount=amount,
                dueAt=due, markedAt=marked, nonce=0)  # fmt: skip
        return
    on_chain = paid_at + int(rng.integers(60, 2 * DAY))
    add(on_chain, "TradeLedger", "PaymentRecorded",
        paymentId=_hex_id(world.seed, "payment", number), tradeId=trade_id,
        payer=world.addresses[buyer], payee=world.addresses[seller], amount=amount,
        paidAt=paid_at, payRef=_hex_id(world.seed, "payref", number))  # fmt: skip
    if confirmed:
        late = max(0, -(-(paid_at - due) // DAY))
        add(on_chain, "ReceivableLedger", "ReceivableSettled", receivableId=receivable,
            holder=world.addresses[seller], obligor=world.addresses[buyer], amount=amount,
            dueAt=due, paidAt=paid_at, lateDays=late,
            payRef=_hex_id(world.seed, "payref", number))  # fmt: skip


# ─────────────────────────────────────────────────────────────── writing through the indexer


def apply_events(engine: Engine, pending: list[_Pending], first_block: int = 1) -> int:
    """Write ``pending`` (in chain order) as the indexer would: ``chain_event`` rows, the real
    handlers through one final (non-provisional) :class:`Store`, block headers and the cursor.
    Returns the last block number written."""
    block = first_block - 1
    decoded: list[DecodedEvent] = []
    for item in pending:
        block += 1
        decoded.append(
            DecodedEvent(
                id=event_id(block, 0),
                contract=item.contract,
                name=item.name,
                block_number=block,
                block_hash=_block_hash(block),
                block_time=item.time,
                tx_hash=_block_hash(-block),
                log_index=0,
                args=item.args,
            )
        )
    if not decoded:
        return block
    with engine.begin() as connection:
        bulk_insert(connection, EVENTS, [event.as_row() for event in decoded])
        store = Store(connection, provisional_from=block + 1)  # all final: no journal
        for event in decoded:
            HANDLERS[event.key](store, event)
        store.flush()
        headers = [
            {"number": e.block_number, "hash": e.block_hash, "timestamp": e.block_time}
            for e in decoded
        ]
        bulk_insert(connection, HEADERS, headers)
        connection.execute(CURSORS.delete())
        connection.execute(
            CURSORS.insert().values(
                chain_id=CHAIN_ID, last_block=block, last_hash=_block_hash(block)
            )
        )
    return block


def _block_hash(block: int) -> str:
    return "0x" + hashlib.sha256(f"block{block}".encode()).hexdigest()


def migrated_engine(path: Path) -> Engine:
    url = f"sqlite:///{path}"
    upgrade(url)
    return make_engine(url)


def records_at(engine: Engine, firms: list[str], as_of: int) -> Iterator[CreditRecordView]:
    with engine.connect() as connection:
        for firm in firms:
            yield compute_record(connection, firm, as_of)


def _records_job(job: tuple[str, list[str], int]) -> list[dict[str, Any]]:
    url, firms, as_of = job
    engine = make_engine(url)
    try:
        return [view.to_json() for view in records_at(engine, firms, as_of)]
    finally:
        engine.dispose()


def records_in_parallel(
    path: Path, firms: list[str], as_of: int, workers: int
) -> list[dict[str, Any]]:
    """Every firm's record JSON at ``as_of``, computed by ``workers`` processes reading the
    SQLite file at ``path`` (records are independent reads, so the order of work cannot change
    them); in the order of ``firms``."""
    url = f"sqlite:///{path}"
    if workers <= 1 or len(firms) < PARALLEL_FROM:
        return _records_job((url, firms, as_of))
    size = -(-len(firms) // (4 * workers))
    jobs = [(url, firms[i : i + size], as_of) for i in range(0, len(firms), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return [record for chunk in pool.map(_records_job, jobs) for record in chunk]


# ─────────────────────────────────────────────────────────────── the data set


def simulate(
    n_firms: int,
    seed: int,
    database: Path | None = None,
    workers: int | None = None,
    receivables: bool | str = False,
    params: WorldParams = DEFAULT_PARAMS,
) -> Dataset:
    """A labelled data set of ``n_firms`` firms (plus a few banks, left out) from ``seed``.

    The history up to T goes through the indexer handlers into a fresh SQLite database
    (``database``, or a temporary file), then each firm's features are its credit record at T,
    computed by ``workers`` processes (default: one per CPU, at most 4). The result does not
    depend on ``workers``.
    """
    from backend.scoring.features import feature_matrix, thin_files

    started = time.perf_counter()
    world = build_world(n_firms, seed, params=params)
    pending = world_events(world, until=world.as_of, receivables=receivables)
    with tempfile.TemporaryDirectory(prefix="scf-sim-") as scratch:
        path = database if database is not None else Path(scratch) / "sim.sqlite"
        engine = migrated_engine(path)
        try:
            apply_events(engine, pending)
        finally:
            engine.dispose()
        firms = [world.addresses[i] for i in world.scored]
        count = min(4, os.cpu_count() or 1) if workers is None else workers
        records = records_in_parallel(path, firms, world.as_of, count)
    scored = world.scored
    seconds = time.perf_counter() - started
    logger.info("sim.dataset firms=%d events=%d seconds=%.1f", len(firms), len(pending), seconds)
    return Dataset(
        X=feature_matrix(records),
        y=world.default[scored].copy(),
        true_pd=world.true_pd[scored].copy(),
        firms=tuple(firms),
        tier=world.tier[scored].copy(),
        as_of=world.as_of,
        seed=seed,
        seconds=seconds,
        thin=thin_files(records),
        params=params,
        events=len(pending),
        operates=world.operates[scored].copy(),
        fraud=world.fraud[scored].copy(),
    )
