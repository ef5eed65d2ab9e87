"""The SQL reads behind a credit record: one firm's own indexed rows, as they stood at a time.

Every read here starts from an indexed column of the firm (``trade.seller``/``trade.buyer``,
``payment.payer``/``payment.payee``, ``receivable.obligor``, ``receivable_transition.holder``,
``financing.borrower``, the ``firm`` primary key), so a record costs the same whether the ledger
holds a thousand trades or a hundred million. Nothing here reads a row that reached the chain after
``as_of``: rows are filtered by the block time at which they appeared (``recorded_time``,
``block_time``, ``financed_time``, ``registered_at``). Queries are SQLAlchemy Core and run alike on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, Table, and_, func, intersect, or_, select
from sqlalchemy.sql.elements import ColumnElement

from backend.db import table_of
from backend.enums import TradeKind
from backend.firms.models import Firm
from backend.indexer.models import BlockHeader, ChainEvent, IndexerCursor
from backend.receivables.models import Financing, Receivable, ReceivableTransition
from backend.trades.models import Payment, Trade

FIRMS: Table = table_of(Firm)
TRADES: Table = table_of(Trade)
PAYMENTS: Table = table_of(Payment)
EVENTS: Table = table_of(ChainEvent)
RECEIVABLES: Table = table_of(Receivable)
TRANSITIONS: Table = table_of(ReceivableTransition)
FINANCINGS: Table = table_of(Financing)
HEADERS: Table = table_of(BlockHeader)
CURSORS: Table = table_of(IndexerCursor)

IN_CHUNK = 500  # addresses per IN (...) list: well under every driver's parameter limit


# ─────────────────────────────────────────────────────────────── rows


@dataclass(frozen=True, slots=True)
class TradeRow:
    """A trade as the chain showed it; whether it was verified or rejected *at T* is asked."""

    trade_id: str
    seller: str
    buyer: str
    kind: int
    amount: int
    currency: int
    issued_at: int
    due_at: int
    recorded_time: int
    verified_time: int | None
    rejected_time: int | None
    event_id: int
    answer_event_id: int | None

    def verified_by(self, as_of: int) -> bool:
        return self.verified_time is not None and self.verified_time <= as_of

    def rejected_by(self, as_of: int) -> bool:
        return self.rejected_time is not None and self.rejected_time <= as_of

    def is_verified_invoice(self, as_of: int) -> bool:
        return self.kind == TradeKind.INVOICE and self.verified_by(as_of)

    def evidence(self, as_of: int) -> tuple[int, ...]:
        """The events that put the trade in its state at ``as_of`` (never a later answer)."""
        answered = self.answer_event_id is not None and (
            self.verified_by(as_of) or self.rejected_by(as_of)
        )
        if answered:
            assert self.answer_event_id is not None
            return (self.event_id, self.answer_event_id)
        return (self.event_id,)

    def counterparty(self, firm: str) -> str:
        return self.buyer if self.seller == firm else self.seller


@dataclass(frozen=True, slots=True)
class PaymentRow:
    trade_id: str
    payer: str
    payee: str
    amount: int
    paid_at: int
    block_time: int
    event_id: int


@dataclass(frozen=True, slots=True)
class Registration:
    address: str
    registered_at: int
    event_id: int


@dataclass(frozen=True, slots=True)
class ReceivableState:
    """A receivable's fixed facts and its state at T (its last transition by T)."""

    receivable_id: str
    obligor: str
    amount: int
    late_days: int | None
    created_event_id: int
    status: int
    holder: str
    state_event_id: int

    @property
    def evidence(self) -> tuple[int, ...]:
        return (self.created_event_id, self.state_event_id)


@dataclass(frozen=True, slots=True)
class FinancingRow:
    receivable_id: str
    advance: int
    amount: int
    event_id: int


@dataclass(frozen=True)
class FirmHistory:
    """One firm's own rows that were on chain by ``as_of``; its amount figures are computed in
    ``currency`` (the ledger's base currency) and list the others beside them."""

    firm: str
    as_of: int
    currency: int
    registration: Registration
    trades: tuple[TradeRow, ...]  # as seller or buyer, any kind or status, recorded by as_of
    payments: tuple[PaymentRow, ...]  # as payer or payee, on chain by as_of

    @property
    def tenure_seconds(self) -> int:
        return self.as_of - self.registration.registered_at


# ─────────────────────────────────────────────────────────────── firms


def registration(connection: Connection, firm: str, as_of: int) -> Registration | None:
    """The firm's registration if it happened by ``as_of``."""
    row = connection.execute(
        select(FIRMS.c.address, FIRMS.c.registered_at, FIRMS.c.event_id).where(
            FIRMS.c.address == firm, FIRMS.c.registered_at <= as_of
        )
    ).first()
    return None if row is None else Registration(row.address, row.registered_at, row.event_id)


def registrations(connection: Connection, firms: Collection[str]) -> dict[str, Registration]:
    """Registrations of ``firms`` (by primary key); firms never registered are absent."""
    found: dict[str, Registration] = {}
    for chunk in _chunks(firms):
        rows = connection.execute(
            select(FIRMS.c.address, FIRMS.c.registered_at, FIRMS.c.event_id).where(
                FIRMS.c.address.in_(chunk)
            )
        )
        found.update(
            {r.address: Registration(r.address, r.registered_at, r.event_id) for r in rows}
        )
    return found


def roles_at(
    connection: Connection, firms: Collection[str], as_of: int
) -> dict[str, tuple[int, int]]:
    """``firm -> (roles, event id)`` as of ``as_of``: the last FirmRolesChanged by then, else the
    roles the firm was registered with (the ``firm`` table only knows today's roles)."""
    roles: dict[str, tuple[int, int]] = {}
    for chunk in _chunks(firms):
        registered = connection.execute(
            select(FIRMS.c.address, EVENTS.c.id, EVENTS.c.args)
            .join(EVENTS, EVENTS.c.id == FIRMS.c.event_id)
            .where(FIRMS.c.address.in_(chunk), FIRMS.c.registered_at <= as_of)
        )
        roles.update({r.address: (int(r.args["roles"]), r.id) for r in registered})
        changes = connection.execute(
            select(EVENTS.c.id, EVENTS.c.args)
            .where(
                EVENTS.c.contract == "FirmRegistry",
                EVENTS.c.event == "FirmRolesChanged",
                EVENTS.c.block_time <= as_of,
                EVENTS.c.args["firm"].as_string().in_(chunk),
            )
            .order_by(EVENTS.c.id)
        )
        for change in changes:  # in chain order: the last one wins
            roles[change.args["firm"]] = (int(change.args["roles"]), change.id)
    return roles


# ─────────────────────────────────────────────────────────────── trades and payments


def load_history(
    connection: Connection, reg: Registration, as_of: int, currency: int
) -> FirmHistory:
    firm = reg.address
    trades = trades_where(connection, or_(TRADES.c.seller == firm, TRADES.c.buyer == firm), as_of)
    payments = connection.execute(
        select(
            PAYMENTS.c.trade_id,
            PAYMENTS.c.payer,
            PAYMENTS.c.payee,
            PAYMENTS.c.amount,
            PAYMENTS.c.paid_at,
            PAYMENTS.c.block_time,
            PAYMENTS.c.event_id,
        )  # fmt: skip
        .where(or_(PAYMENTS.c.payer == firm, PAYMENTS.c.payee == firm))
        .where(PAYMENTS.c.block_time <= as_of)
        .order_by(PAYMENTS.c.event_id)
    )
    return FirmHistory(
        firm=firm,
        as_of=as_of,
        currency=currency,
        registration=reg,
        trades=tuple(trades),
        payments=tuple(PaymentRow(**row._asdict()) for row in payments),
    )


def trades_where(
    connection: Connection, condition: ColumnElement[bool], as_of: int
) -> list[TradeRow]:
    """Trades matching ``condition`` recorded by ``as_of``, in chain order."""
    columns = [TRADES.c[field.name] for field in fields(TradeRow)]  # the row's, in its order
    rows = connection.execute(
        select(*columns)
        .where(condition, TRADES.c.recorded_time <= as_of)
        .order_by(TRADES.c.event_id)
    )
    return [TradeRow(**row._asdict()) for row in rows]


def ring_invoices(
    connection: Connection,
    buyers: Collection[str],
    sellers: Collection[str],
    as_of: int,
    since: int,
    currency: int,
) -> list[TradeRow]:
    """Verified invoices in ``currency`` issued in ``(since, as_of]`` that can lie on a ring of
    at most 4 firms through the firm: ``B -> X`` (B one of its ``buyers``, X one of its
    ``sellers``) and both legs of ``B -> Y -> X``. Only trades on such paths are read, so a firm
    trading with a hub does not load the hub's whole month of sales."""
    if not buyers or not sellers:
        return []
    leg, onward = TRADES.alias("leg"), TRADES.alias("onward")

    def invoice(table: Any) -> ColumnElement[bool]:
        return and_(
            table.c.kind == TradeKind.INVOICE,
            table.c.currency == currency,
            table.c.verified_time <= as_of,
            table.c.issued_at > since,
            table.c.issued_at <= as_of,
        )

    found: dict[str, TradeRow] = {}
    for buyer_chunk in _chunks(buyers):
        for seller_chunk in _chunks(sellers):
            direct = and_(TRADES.c.seller.in_(buyer_chunk), TRADES.c.buyer.in_(seller_chunk))
            # the middle firms Y of B -> Y -> X: bought from a B and sold to an X
            middles = intersect(
                select(leg.c.buyer).where(leg.c.seller.in_(buyer_chunk), invoice(leg)),
                select(onward.c.seller).where(onward.c.buyer.in_(seller_chunk), invoice(onward)),
            ).scalar_subquery()
            via = or_(
                and_(TRADES.c.seller.in_(buyer_chunk), TRADES.c.buyer.in_(middles)),
                and_(TRADES.c.seller.in_(middles), TRADES.c.buyer.in_(seller_chunk)),
            )
            for trade in trades_where(connection, and_(invoice(TRADES), or_(direct, via)), as_of):
                found[trade.trade_id] = trade
    return sorted(found.values(), key=lambda t: t.event_id)


# ─────────────────────────────────────────────────────────────── receivables


def receivables_held(connection: Connection, firm: str, as_of: int) -> list[ReceivableState]:
    """Receivables ``firm`` held at some time by ``as_of``, with their state at ``as_of``."""
    ever_held = (
        select(TRANSITIONS.c.receivable_id)
        .where(TRANSITIONS.c.holder == firm, TRANSITIONS.c.block_time <= as_of)
        .scalar_subquery()
    )
    return _states(connection, RECEIVABLES.c.receivable_id.in_(ever_held), as_of)


def receivables_owed(connection: Connection, firm: str, as_of: int) -> list[ReceivableState]:
    """Receivables whose obligor is ``firm``, created by ``as_of``, with their state then."""
    condition = and_(RECEIVABLES.c.obligor == firm, RECEIVABLES.c.created_time <= as_of)
    return _states(connection, condition, as_of)


def financings_of(
    connection: Connection, borrower: str, as_of: int
) -> list[tuple[FinancingRow, ReceivableState]]:
    """Financings of ``borrower`` made by ``as_of``, each with its receivable's state then."""
    made = (FINANCINGS.c.borrower == borrower, FINANCINGS.c.financed_time <= as_of)
    rows = connection.execute(
        select(
            FINANCINGS.c.receivable_id,
            FINANCINGS.c.advance,
            FINANCINGS.c.amount,
            FINANCINGS.c.event_id,
        )  # fmt: skip
        .where(*made)
        .order_by(FINANCINGS.c.event_id)
    )
    financings = [FinancingRow(**row._asdict()) for row in rows]
    financed = select(FINANCINGS.c.receivable_id).where(*made).scalar_subquery()
    states = {
        s.receivable_id: s
        for s in _states(connection, RECEIVABLES.c.receivable_id.in_(financed), as_of)
    }
    return [(f, states[f.receivable_id]) for f in financings if f.receivable_id in states]


def _states(
    connection: Connection, receivables: ColumnElement[bool], as_of: int
) -> list[ReceivableState]:
    """The receivables matching ``receivables`` with their last transition by ``as_of``."""
    rows = connection.execute(
        select(
            RECEIVABLES.c.receivable_id,
            RECEIVABLES.c.obligor,
            RECEIVABLES.c.amount,
            RECEIVABLES.c.late_days,
            RECEIVABLES.c.event_id.label("created_event_id"),
            TRANSITIONS.c.status,
            TRANSITIONS.c.holder,
            TRANSITIONS.c.event_id.label("state_event_id"),
        )  # fmt: skip
        .join(TRANSITIONS, TRANSITIONS.c.receivable_id == RECEIVABLES.c.receivable_id)
        .where(receivables, TRANSITIONS.c.block_time <= as_of)
        .order_by(TRANSITIONS.c.event_id)
    )
    latest: dict[str, ReceivableState] = {}
    for row in rows:  # in chain order: the last transition by as_of wins
        latest[row.receivable_id] = ReceivableState(**row._asdict())
    return sorted(latest.values(), key=lambda s: s.created_event_id)


# ─────────────────────────────────────────────────────────────── the whole chain


def chain_prefix(connection: Connection, as_of: int) -> tuple[int, str] | None:
    """The newest indexed event by ``as_of`` and its block hash: everything indexed up to
    ``as_of`` is a function of the chain up to that block, so this names it."""
    row = connection.execute(
        select(EVENTS.c.id, EVENTS.c.block_hash)
        .where(EVENTS.c.block_time <= as_of)
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row.id), str(row.block_hash))


def cursor_block(connection: Connection) -> tuple[int, int] | None:
    """(number, time) of the last block the indexer wrote (its cursor); None before any."""
    row = connection.execute(
        select(HEADERS.c.number, HEADERS.c.timestamp)
        .join(CURSORS, CURSORS.c.last_block == HEADERS.c.number)
        .order_by(HEADERS.c.number.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row.number), int(row.timestamp))


LedgerStateKey = tuple[str, int, tuple[int, str] | None]


def ledger_state_key(connection: Connection, as_of: int) -> LedgerStateKey:
    """A cache key for anything computed from the whole indexed ledger as of ``as_of``: the
    database, the time and the chain prefix it covers (a reorg or a new event changes it)."""
    return (
        connection.engine.url.render_as_string(hide_password=True),
        as_of,
        chain_prefix(connection, as_of),
    )


def invoice_graph(
    connection: Connection, as_of: int, since: int, currency: int
) -> dict[tuple[str, str], int]:
    """``(buyer, seller) -> amount`` over verified invoices in ``currency`` issued in
    ``(since, as_of]`` (amounts of different currencies are never added)."""
    rows = connection.execute(
        select(TRADES.c.buyer, TRADES.c.seller, func.sum(TRADES.c.amount))
        .where(
            TRADES.c.kind == TradeKind.INVOICE,
            TRADES.c.currency == currency,
            TRADES.c.verified_time <= as_of,
            TRADES.c.issued_at > since,
            TRADES.c.issued_at <= as_of,
        )
        .group_by(TRADES.c.buyer, TRADES.c.seller)
    )
    return {(buyer, seller): int(amount) for buyer, seller, amount in rows}


def counterparty_edges(
    connection: Connection, firm: str, as_of: int
) -> list[tuple[str, str, int, int, int]]:
    """``(seller, buyer, currency, amount, count)`` of the verified invoices the firm sold or
    bought, recorded and verified by ``as_of``, per counterparty and currency (never added)."""
    rows = connection.execute(
        select(
            TRADES.c.seller,
            TRADES.c.buyer,
            TRADES.c.currency,
            func.sum(TRADES.c.amount),
            func.count(),
        )
        .where(
            or_(TRADES.c.seller == firm, TRADES.c.buyer == firm),
            TRADES.c.kind == TradeKind.INVOICE,
            TRADES.c.recorded_time <= as_of,
            TRADES.c.verified_time <= as_of,
        )
        .group_by(TRADES.c.seller, TRADES.c.buyer, TRADES.c.currency)
    )
    return [(s, b, int(c), int(a), int(n)) for s, b, c, a, n in rows]


def _chunks(items: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]
